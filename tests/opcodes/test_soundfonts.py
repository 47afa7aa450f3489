"""SoundFont opcodes against real Csound 6.18 (fixtures: tools/fixtures/make_soundfonts.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "soundfonts")
with open(os.path.join(FIX, "cases.json")) as _fh:
    SPEC = json.load(_fh)


def _load(host: OpcodeHost, name: str) -> float:
    return float(render_opcode("sfload", "i", "S", [name], host=host)[0][0])


def _host() -> OpcodeHost:
    """The fixture orchestra's header: both fonts loaded, presets at 0..2 and 10."""
    host = OpcodeHost(sr=SPEC["sr"], ksmps=SPEC["ksmps"], nchnls=2)
    assert _load(host, os.path.join(FIX, "test.sf2")) == 0.0
    assert _load(host, os.path.join(FIX, "01hpschd.sf2")) == 1.0
    render_opcode("sfpassign", "", "iip", [0, 0], host=host)
    assert render_opcode("sfpreset", "i", "iiii", [0, 0, 1, 10], host=host)[0][0] == 10.0
    return host


@pytest.mark.parametrize("case", sorted(SPEC["cases"]))
def test_players_match_csound(case):
    opcode, stereo, args = SPEC["cases"][case]
    ref = np.load(os.path.join(FIX, f"{case}.npz"))
    values = []
    for a in args:
        if a == "1/32768":
            values.append(1 / 32768)
        elif a == "gisf":
            values.append(0.0)
        elif isinstance(a, str):
            values.append(ref[f"in_{a[1:]}"])
        else:
            values.append(float(a))
    ins = "iixxiiooo" if opcode.startswith("sfinstr") else "iixxiooo"
    nblocks = SPEC["frames"] // SPEC["ksmps"]
    outs = render_opcode(opcode, "aa" if stereo else "a", ins, values, nblocks=nblocks,
                         host=_host())
    for i, out in enumerate(outs):
        expected = ref[f"out{i}"]
        assert np.any(expected != 0.0)
        np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-13)


def test_listings_handles_and_warnings(monkeypatch, capsys):
    with open(os.path.join(FIX, "listing.json")) as fh:
        ref = json.load(fh)
    monkeypatch.chdir(FIX)
    host = OpcodeHost(sr=SPEC["sr"], ksmps=SPEC["ksmps"])
    handles = [_load(host, "test.sf2"), _load(host, "test.sf2"), _load(host, "01hpschd.sf2"),
               _load(host, "missing.sf2")]
    render_opcode("sfplist", "", "i", [0], host=host)
    render_opcode("sfilist", "", "i", [0], host=host)
    render_opcode("sfilist", "", "iS", [1, "hp_"], host=host)
    render_opcode("sfpassign", "", "iip", [5, 0, 0], host=host)
    render_opcode("sfplist", "", "i", [2], host=host)
    for prog, bank, index in ((3, 0, 20), (9, 9, 21)):
        handles.append(render_opcode("sfpreset", "i", "iiii", [prog, bank, 0, index],
                                     host=host)[0][0])
    assert handles == ref["handles"]
    assert "".join(host.printed) == ref["text"]
    assert ["WARNING: " + w for w in host.warnings] == ref["warnings"]


def test_quiet_sfpassign_and_init_errors():
    host = _host()
    host.printed.clear()
    render_opcode("sfpassign", "", "iip", [30, 0], host=host)  # imsgs defaults to 1: silent
    assert host.printed == []
    with pytest.raises(InitError, match="invalid soundfont"):
        render_opcode("sfplist", "", "i", [2], host=host)
    with pytest.raises(InitError, match="sfplay: invalid or out-of-range preset number"):
        render_opcode("sfplay3", "aa", "iixxiooo", [100, 60, 1, 1, 40], host=host)
    with pytest.raises(InitError, match="sfplaym: invalid or out-of-range preset number"):
        render_opcode("sfplaym", "a", "iixxiooo", [100, 60, 1, 1, 40], host=host)
    with pytest.raises(InitError, match="sfinstr: instrument out of range"):
        render_opcode("sfinstrm", "a", "iixxiiooo", [100, 60, 1, 1, 3, 0], host=host)
    with pytest.raises(InitError, match="sfpreset: preset handle too big"):
        render_opcode("sfpreset", "i", "iiii", [0, 0, 0, 16384], host=host)


def test_note_outside_every_zone_is_silent():
    # preset "Alpha": one layer for keys 0..100, the other for velocities 0..100
    out = render_opcode("sfplay", "aa", "iixxiooo", [110, 110, 1, 1, 2], nblocks=2,
                        host=_host())
    assert not np.any(out[0]) and not np.any(out[1])
