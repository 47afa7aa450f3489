"""MIDI opcodes run standalone, against values printed by real Csound 6.18
(tests/engine/fixtures/midi, made by tools/fixtures/make_midi.py)."""

from __future__ import annotations

import json
import os
import re

import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.midi import CH_CTL, MidiNote, MidiOptions, midi_state
from csoundpy.testing import render_opcode

FIX = os.path.join(os.path.dirname(__file__), "..", "engine", "fixtures", "midi")


def _ref() -> dict:
    with open(os.path.join(FIX, "ref.json")) as fh:
        return json.load(fh)


class _Note:
    """A stand-in note started by MIDI (what ic.instance offers the opcodes)."""

    def __init__(self, midi):
        self.midi = midi

    def root(self):
        return self


def _fields(line: str) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r"(\w+)=([-0-9.]+)", line)}


@pytest.fixture
def note_host():
    """Channel 1 as Csound saw it at the third note of the fixture file: ctl 7 = 100,
    bend +0.25, poly aftertouch of key 60 = 48; the note is key 64, velocity 112."""
    host = OpcodeHost(sr=1000.0, ksmps=10)
    state = midi_state(host)
    for st, d1, d2 in ((0xB0, 7, 100), (0xE0, 0, 0x50), (0xD0, 64, 0), (0xA0, 60, 48)):
        state.dispatch(st, d1, d2, MidiOptions())
    return host, _Note(MidiNote(0, 64, 112))


def test_note_opcodes(note_host):
    host, note = note_host
    lines = _ref()["lines"]
    at = next(n for n, ln in enumerate(lines) if "key=64" in ln)
    ref = _fields(lines[at]) | _fields(lines[at + 1])

    def i(name, ins="", args=()):
        return float(render_opcode(name, "i", ins, list(args), host=host, instance=note)[0][0])

    assert i("notnum") == ref["key"]
    assert i("veloc", "oh", [0, 1]) == pytest.approx(ref["vel"], abs=1e-12)
    assert i("cpsmidi") == pytest.approx(ref["cps"], abs=1e-12)
    assert i("octmidi") == pytest.approx(ref["oct"], abs=1e-12)
    assert i("pchmidi") == pytest.approx(ref["pch"], abs=1e-12)
    assert i("ampmidi", "io", [0.5]) == pytest.approx(ref["amp"], abs=1e-12)
    assert i("midichn") == ref["chn"]
    assert i("cpsmidib", "o", [2]) == pytest.approx(ref["cpsb"], abs=1e-12)
    assert i("octmidib", "o") == pytest.approx(ref["octb"], abs=1e-12)
    assert i("pchmidib", "o", [1]) == pytest.approx(ref["pchb"], abs=1e-12)
    assert i("midictrl", "ioh", [7, 0, 1]) == pytest.approx(ref["ctl"], abs=1e-12)
    assert i("pchbend", "jp", [-1, 1]) == pytest.approx(ref["bend"], abs=1e-12)
    assert i("polyaft", "ioh", [60, 0, 127]) == ref["poly"]


def test_k_rate_note_opcodes_follow_the_channel(note_host):
    host, note = note_host
    state = midi_state(host)
    kcps = render_opcode("cpsmidib", "k", "o", [2], host=host, instance=note)[0]
    assert kcps[0] == pytest.approx(339.286381589747, abs=1e-12)
    state.dispatch(0xE0, 0, 64, MidiOptions())          # bend back to 0
    kcps, = render_opcode("cpsmidib", "k", "o", [2], host=host, instance=note)
    assert kcps[0] == pytest.approx(329.608963653778, abs=1e-12)
    kaft, = render_opcode("aftouch", "k", "oh", [0, 1], host=host, instance=note)
    assert kaft[0] == 64 / 127
    # a score note reads Csound's MIDI_VALUE of no channel: 0
    kaft, = render_opcode("aftouch", "k", "oh", [0, 1], host=host)
    assert kaft[0] == 0.0
    assert render_opcode("notnum", "i", "", [], host=host)[0][0] == 0.0


def test_controller_opcodes():
    from csoundpy.gens import make_table

    host = OpcodeHost(sr=1000.0, ksmps=10)
    host.tables.set(make_table(2, 16.0, -7, [0, 16, 5], host))
    render_opcode("initc7", "", "iii", [1, 1, 0.5], host=host)
    render_opcode("initc14", "", "iiii", [2, 2, 3, 0.3], host=host)
    render_opcode("initc21", "", "iiiii", [3, 4, 5, 6, 0.7], host=host)
    render_opcode("ctrlinit", "", "im", [4, 7, 33, 10, 99], host=host)
    v_line, k_line = _ref()["controllers"]
    iref = [float(x) for x in v_line.split()[1:]]
    kref = [float(x) for x in k_line.split()[1:]]
    cases_i = [("ctrl7", "iiiio", [1, 1, -1, 3]), ("ctrl7", "iiiio", [1, 1, 0, 1, 2]),
               ("ctrl14", "iiiiio", [2, 2, 3, 10, 20]), ("ctrl21", "iiiiiio", [3, 4, 5, 6, 0, 1]),
               ("chanctrl", "iioh", [4, 7, 0, 1])]
    for (name, ins, args), want in zip(cases_i, iref):
        got = render_opcode(name, "i", ins, args, host=host)[0][0]
        assert got == pytest.approx(want, abs=1e-14), name
    cases_k = [("ctrl7", "iikko", [1, 1, -1, 3]), ("ctrl7", "iikko", [1, 1, 0, 1, 2]),
               ("ctrl14", "iiikko", [2, 2, 3, 10, 20]), ("ctrl14", "iiikko", [2, 2, 3, 0, 1, 2]),
               ("ctrl21", "iiiikko", [3, 4, 5, 6, 0, 1]),
               ("ctrl21", "iiiikko", [3, 4, 5, 6, 0, 1, 2]), ("chanctrl", "iioh", [4, 10, 0, 2])]
    for (name, ins, args), want in zip(cases_k, kref):
        got = render_opcode(name, "k", ins, args, host=host, nblocks=2)[0]
        assert got == pytest.approx([want, want], abs=1e-14), name
    assert midi_state(host).data[0, CH_CTL + 1] == 64.0   # initc7 stores 0.5 * 127 + 0.5


def test_massign_and_midiin():
    host = OpcodeHost()
    host.instruments = {1: None, 5: None}
    render_opcode("massign", "", "iip", [2, 5], host=host)
    state = midi_state(host)
    assert state.channels[1].insno == 5 and state.channels[2].insno == 1
    assert host.printed == ["chnl 2 using instr 5"]
    with pytest.raises(Exception, match="unknown instr"):
        render_opcode("massign", "", "iip", [3, 7], host=host)
    render_opcode("pgmassign", "", "iio", [0, 0], host=host)    # program changes off
    state.dispatch(0xC1, 3, 0, MidiOptions())
    assert state.channels[1].insno == 5

    state.dispatch(0xB2, 10, 99, MidiOptions())
    state.dispatch(0xD2, 7, 0, MidiOptions())
    outs = render_opcode("midiin", "kkkk", "", [], host=host, nblocks=1)
    assert [o[0] for o in outs] == [0.0, 0.0, 0.0, 0.0]   # only messages after its init
    assert midi_state(host).data[2, CH_CTL + 10] == 99.0
