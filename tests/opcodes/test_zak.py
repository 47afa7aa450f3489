"""zak opcodes against real Csound 6.18 (fixtures: tools/fixtures/make_zak.py)."""

from __future__ import annotations

import numpy as np
import pytest
from _orc_replay import load, render

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError, PerfError
from csoundpy.testing import render_opcode

CASES, AUDIO = load("zak")


@pytest.mark.parametrize("name", sorted(AUDIO))
def test_orchestra_matches_csound(name):
    expected = AUDIO[name]
    got = render(CASES[name], expected.shape[0])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def _host(isizea=3, isizek=4):
    host = OpcodeHost(sr=1000, ksmps=4)
    render_opcode("zakinit", "", "ii", [isizea, isizek], host=host)
    return host


def test_zakinit_once_and_sizes():
    host = _host()
    with pytest.raises(InitError, match="zakinit should only be called once."):
        render_opcode("zakinit", "", "ii", [1, 1], host=host)
    with pytest.raises(InitError, match="both isizea and isizek should be > 0"):
        render_opcode("zakinit", "", "ii", [0, 1], host=OpcodeHost())


def test_no_space_before_zakinit():
    with pytest.raises(InitError, match="No zk space: zakinit has not been called yet."):
        render_opcode("zkr", "k", "k", [1.0], host=OpcodeHost())
    with pytest.raises(InitError, match="No za space"):
        render_opcode("zar", "a", "k", [1.0], host=OpcodeHost())


def test_zk_write_mix_modulate_clear():
    host = _host()
    render_opcode("ziw", "", "ii", [2.0, 4], host=host)
    render_opcode("ziwm", "", "iip", [0.5, 4], host=host)   # mix by default
    render_opcode("zkwm", "", "kkp", [3.0, 1, 0], host=host)
    (ir,) = render_opcode("zir", "i", "i", [4.9], host=host)  # index truncated
    assert ir[0] == 2.5
    (kmod,) = render_opcode("zkmod", "k", "kk", [np.array([2.0, 2.0]), np.array([1.0, -4.0])],
                            nblocks=2, host=host)
    assert list(kmod) == [5.0, 5.0]
    render_opcode("zkcl", "", "kk", [1, 4], host=host)
    assert not host.globals["zak"].zk.any()
    (out,) = render_opcode("zir", "i", "i", [9], host=host)
    assert out[0] == 0.0 and "zir index > isizek. Returning 0." in host.warnings


def test_zk_range_errors():
    host = _host()
    with pytest.raises(PerfError, match="zkw index > isizek. Not writing."):
        render_opcode("zkw", "", "kk", [1.0, 5], host=host)
    with pytest.raises(PerfError, match="zkcl first > last. Not clearing."):
        render_opcode("zkcl", "", "kk", [3, 2], host=host)
    with pytest.raises(InitError, match="ziw index < 0. Not writing."):
        render_opcode("ziw", "", "ii", [1.0, -1], host=host)


def test_za_write_window_and_clear():
    host = _host()
    sig = np.arange(8.0) + 1
    render_opcode("zaw", "", "ak", [sig, 2], nblocks=2, host=host)
    assert list(host.globals["zak"].za[2]) == [5, 6, 7, 8]
    render_opcode("zawm", "", "akp", [sig, 2], nblocks=1, host=host)
    assert list(host.globals["zak"].za[2]) == [6, 8, 10, 12]
    (gain,) = render_opcode("zarg", "a", "kk", [2, 0.5], host=host)
    assert list(gain) == [3, 4, 5, 6]
    render_opcode("zacl", "", "kJ", [2], host=host)   # klast defaults to kfirst
    assert not host.globals["zak"].za.any()
    with pytest.raises(PerfError, match="zar index > isizea. Returning 0."):
        render_opcode("zar", "a", "k", [4], host=host)
