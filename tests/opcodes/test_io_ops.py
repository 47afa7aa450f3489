"""Audio input/output opcodes: what they add into spout and read from spin
(OOps/aops.c semantics; the expected values are analytic)."""

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

KS = 10


def _host(nchnls=2, nchnls_i=None):
    return OpcodeHost(sr=44100, ksmps=KS, nchnls=nchnls, nchnls_i=nchnls_i)


def _sig(k):
    return np.arange(KS, dtype=float) * 0.01 + k


def _out(name, ins, args, host):
    host.spout[:] = 0.0
    render_opcode(name, "", ins, args, host=host)
    return host.spout.copy()


@pytest.mark.parametrize("name", ["out", "outs", "outq", "outh", "outo", "outx", "out32",
                                  "outc"])
def test_outn_adds_one_signal_per_channel(name):
    host = _host(2)
    spout = _out(name, "y", [_sig(1), _sig(2), _sig(3)], host)
    assert np.array_equal(spout, np.stack([_sig(1), _sig(2)]))
    assert host.warnings == ["Excess channels ignored\n"]
    spout = _out(name, "y", [_sig(5)], host)
    assert np.array_equal(spout, np.stack([_sig(5), np.zeros(KS)]))


def test_single_channel_outputs():
    host = _host(4)
    for name, ch in (("outs1", 0), ("outs2", 1), ("outq1", 0), ("outq2", 1), ("outq3", 2),
                     ("outq4", 3)):
        spout = _out(name, "a", [_sig(1)], host)
        expect = np.zeros((4, KS))
        expect[ch] = _sig(1)
        assert np.array_equal(spout, expect), name
    with pytest.raises(InitError, match="Channel greater than nchnls"):
        _out("outq3", "a", [_sig(1)], _host(2))
    with pytest.raises(InitError, match="Channel greater than nchnls"):
        _out("outs2", "a", [_sig(1)], _host(1))


def test_outall_and_outrg():
    host = _host(3)
    assert np.array_equal(_out("outall", "a", [_sig(1)], host), np.stack([_sig(1)] * 3))
    spout = _out("outrg", "ky", [2.0, _sig(1), _sig(2), _sig(3)], host)
    assert np.array_equal(spout, np.stack([np.zeros(KS), _sig(1), _sig(2)]))


def test_outch_pairs():
    host = _host(2)
    spout = _out("outch", "Z", [2.0, _sig(1), 3.0, _sig(2), 0.4, _sig(3), 2.0, _sig(4)], host)
    assert np.array_equal(spout, np.stack([_sig(3), _sig(1) + _sig(4)]))
    assert host.warnings == []  # Csound 6.18 drops channels past nchnls silently


def test_inputs_copy_spin():
    for name, outs in (("in", "a"), ("in", "aa"), ("ins", "aa"), ("inq", "aaaa"),
                       ("inh", "a" * 6), ("ino", "a" * 8), ("inx", "a" * 16),
                       ("in32", "a" * 32)):
        host = _host(1, nchnls_i=len(outs))
        host.spin[:] = np.stack([_sig(c) for c in range(len(outs))])
        got = render_opcode(name, outs, "", [], host=host)
        for c, g in enumerate(got):
            assert np.array_equal(g, _sig(c)), (name, c)
    host = _host(1, nchnls_i=2)
    with pytest.raises(ValueError, match="Wrong numnber of input channels"):
        render_opcode("in", "a", "", [], host=host)


def test_inch():
    host = _host(1, nchnls_i=3)
    host.spin[:] = np.stack([_sig(c) for c in range(3)])
    assert np.array_equal(render_opcode("inch", "a", "k", [2.0], host=host)[0], _sig(1))
    assert np.array_equal(render_opcode("inch", "a", "k", [5.0], host=host)[0], np.zeros(KS))
    assert host.printed[-1] == "Input channel 5 too large; ignored\n"
    got = render_opcode("inch", "m" * 40, "z", [3.0, 1.0, 7.0], host=host, nouts=3)
    assert np.array_equal(np.stack(got), np.stack([_sig(2), _sig(0), np.zeros(KS)]))
    assert host.warnings[-1] == "Input channel 7 too large; ignored"
