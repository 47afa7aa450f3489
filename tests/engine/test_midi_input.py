"""MIDI file reading and MIDI-started notes, against real Csound 6.18
(fixtures from tools/fixtures/make_midi.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile as sf

from csoundpy.engine.midi import read_midi_file
from csoundpy.errors import CsoundError

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "midi")


def _mid() -> bytes:
    with open(os.path.join(FIX, "test.mid"), "rb") as fh:
        return fh.read()


def test_tempo_map_running_status_and_sysex():
    said = []
    mf = read_midi_file(_mid(), 100.0, said.append)
    assert said == [" Track  0", " Track  1", "done."]
    times = {(st, d1, d2): k for k, st, d1, d2 in mf.events}
    # 96 ticks per beat: 120 bpm (50 k-periods a beat) until tick 192, then 100 bpm (60)
    assert times[(0x91, 0x43, 0x50)] == 25
    assert times[(0xB0, 0x01, 0x20)] == 0          # running status after ctl 7
    assert times[(0x90, 0x40, 0x00)] == 88         # running-status note-off, tick 168 = 87.5
    assert times[(0xE1, 0x7F, 0x7F)] == 160
    assert mf.tempos == [(0, 120.0), (100, 100.0)]
    assert mf.total_kcnt == 100 + 180              # longest track ends at tick 480
    assert len(mf.events) == 19                    # sysex and meta events are not kept


def test_bad_files_fail_like_csound():
    said = []
    with pytest.raises(CsoundError, match="Failed to load MIDI file."):
        read_midi_file(b"RIFF" + _mid()[4:], 100.0, said.append)
    assert said == [" *** invalid MIDI file header"]
    said.clear()
    with pytest.raises(CsoundError):
        read_midi_file(_mid()[:60], 100.0, said.append)
    assert said[-1] == " *** unexpected end of MIDI file"


def test_midi_file_performance_matches_csound(tmp_path):
    """-F with pgmassign, massign, sustain pedal, bend, xtratim release and
    --midi-key/--midi-velocity-amp: samples and printed lines equal Csound's."""
    from csoundpy.api import Csound

    with open(os.path.join(FIX, "ref.json")) as fh:
        ref = json.load(fh)
    out = tmp_path / "out.wav"
    cs = Csound()
    cs.createMessageBuffer(False)
    assert cs.compileCommandLine(["-d", "-m0", "-W", "--format=double", "-o", str(out),
                                  os.path.join(FIX, "midi_test.csd")]) == 0
    cs.perform()
    cs.cleanup()
    lines = []
    for text, _ in cs.iterMessages():
        lines.extend(text.splitlines())
    cs.destroyMessageBuffer()
    prefixes = ("V:", "chnl", "midi channel", "end of midi", "0 forced", "Reading MIDI",
                " Track", "done.")
    got = [ln for ln in lines if ln.startswith(prefixes)]
    assert got == ref["lines"]
    audio, _ = sf.read(str(out), dtype="float64")
    expected = np.load(os.path.join(FIX, "ref.npz"))["audio"]
    assert audio.shape == expected.shape
    assert np.max(np.abs(audio - expected)) <= 1e-12
