"""Channel opcodes (OOps/bus.c) one by one, and their type/mode/hint bookkeeping
checked against values printed by real Csound 6.18 (fixtures/channels.json,
made by tools/fixtures/make_channels.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost, StrVar
from csoundpy.errors import InitError, PerfError
from csoundpy.opcodes import channels as chn
from csoundpy.testing import render_opcode

FIXTURES = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures", "channels.json")))


def _text(out) -> str:
    """render_opcode's S output (a str, or per-block StrVars)."""
    if isinstance(out, str):
        return out
    first = out[0]
    return first.value if hasattr(first, "value") else first


def host_with(**values) -> OpcodeHost:
    host = OpcodeHost(sr=1000, ksmps=10)
    bus = chn.bus_of(host)
    for name, value in values.items():
        kind = chn.STRING if isinstance(value, str) else (
            chn.AUDIO if isinstance(value, np.ndarray) else chn.CONTROL)
        err, c = bus.get(name, kind | chn.INPUT)
        assert err == 0
        if kind == chn.STRING:
            c.data.value = value
        else:
            c.data[:] = value
    return host


def test_chnget_i_k_a_S():
    host = host_with(freq=3.0, sig=np.arange(10.0), txt="hello")
    assert render_opcode("chnget", "i", "S", ["freq"], host=host)[0][0] == 3.0
    k = render_opcode("chnget", "k", "S", ["freq"], nblocks=3, host=host)[0]
    assert list(k) == [3.0, 3.0, 3.0]
    a = render_opcode("chnget", "a", "S", ["sig"], nblocks=2, host=host)[0]
    assert np.array_equal(a, np.tile(np.arange(10.0), 2))
    assert _text(render_opcode("chnget", "S", "S", ["txt"], host=host)[0]) == "hello"


def test_chnget_sees_host_writes_each_block():
    host = host_with(freq=1.0)
    arr = chn.bus_of(host).find("freq").data
    entry_out = []
    from csoundpy.engine.context import InitContext, PerfContext
    from csoundpy.testing import find_entry

    e = find_entry("chnget", "k", "S")
    s = np.zeros(1, dtype=e.state)[0]
    out = np.zeros(1)
    name = StrVar("freq")
    aux = e.init(s, InitContext(host), out, "freq")
    pc = PerfContext(host)
    for v in (1.0, 2.0, 5.0):
        arr[0] = v
        e.perf(s, pc, *aux, out, name, 0, 1)
        entry_out.append(out[0])
    assert entry_out == [1.0, 2.0, 5.0]
    # a k-rate name change is followed, as Csound re-resolves the channel
    chn.bus_of(host).get("other", chn.CONTROL | chn.INPUT)[1].data[0] = 9.0
    name.value = "other"
    e.perf(s, pc, *aux, out, name, 0, 1)
    assert out[0] == 9.0


def test_chnset_and_kinds():
    host = host_with()
    render_opcode("chnset", "", "iS", [0.25, "v"], host=host)
    bus = chn.bus_of(host)
    assert bus.find("v").data[0] == 0.25 and bus.find("v").type == chn.CONTROL | chn.OUTPUT
    render_opcode("chnset", "", "kS", [np.array([1.0, 2.0]), "k"], nblocks=2, host=host)
    # compat: the first perf call adds the input bit (Csound: mode 3)
    assert bus.find("k").data[0] == 2.0 and bus.find("k").type == chn.CONTROL | 48
    render_opcode("chnset", "", "aS", [np.arange(10.0), "a"], host=host)
    assert np.array_equal(bus.find("a").data, np.arange(10.0))
    render_opcode("chnset", "", "SS", ["hi", "s"], host=host)
    assert bus.find("s").data.value == "hi"
    with pytest.raises(InitError, match="channel already exists with incompatible type"):
        render_opcode("chnset", "", "iS", [1.0, "a"], host=host)
    with pytest.raises(InitError, match="invalid channel name"):
        render_opcode("chnset", "", "iS", [1.0, ""], host=host)


def test_chnmix_chnclear():
    host = host_with()
    render_opcode("chnmix", "", "aS", [np.full(10, 0.5), "bus"], host=host)
    render_opcode("chnmix", "", "aS", [np.full(10, 0.5), "bus"], host=host)
    data = chn.bus_of(host).find("bus").data
    assert np.all(data == 1.0)
    render_opcode("chnclear", "", "W", ["bus"], host=host)
    assert np.all(data == 0.0)
    expected = FIXTURES["results"]["values"][1].split()
    assert expected == ["1.000", "0.000"]


def test_declarations_modes_match_csound():
    # fixture 'modes': chnparams of chnset i (ci), chnset k (ck2), chn_a 1, chn_S 2, missing
    it1, im1, it2, im2, it3, im3, it4, im4, it5, im5 = map(
        int, FIXTURES["results"]["modes"][0].split())
    host = host_with()
    render_opcode("chnset", "", "iS", [1.0, "ci"], host=host)
    render_opcode("chnset", "", "kS", [5.0, "ck2"], host=host)
    render_opcode("chn_a", "", "Si", ["ca", 1], host=host)
    render_opcode("chn_S", "", "Si", ["cs", 2], host=host)
    got = []
    for name in ("ci", "ck2", "ca", "cs", "none"):
        outs = render_opcode("chnparams", "iiiiii", "S", [name], host=host)
        got += [int(outs[0][0]), int(outs[1][0])]
    assert got == [it1, im1, it2, im2, it3, im3, it4, im4, it5, im5]
    with pytest.raises(InitError, match="invalid mode parameter"):
        render_opcode("chn_a", "", "Si", ["bad", 4], host=host)


def test_chn_k_hints_match_csound():
    host = host_with()
    render_opcode("chn_k", "", "SiooooooooN", ["h1", 3, 2, 0.5, 0, 1], host=host)
    render_opcode("chn_k", "", "SiooooooooN", ["h2", 1, 1, 2.6, 1.2, 3.7], host=host)
    for name, line in zip(("h1", "h2"), FIXTURES["results"]["hints"]):
        outs = render_opcode("chnparams", "iiiiii", "S", [name], host=host)
        got = f"{int(outs[0][0])} {int(outs[1][0])} {int(outs[2][0])} " \
              f"{outs[3][0]:.3f} {outs[4][0]:.3f} {outs[5][0]:.3f}"
        assert got == line
    with pytest.raises(InitError, match="invalid channel parameters"):
        render_opcode("chn_k", "", "SiooooooooN", ["h3", 3, 2, 5, 0, 1], host=host)
    with pytest.raises(InitError, match="invalid mode, should be r, w, rw"):
        render_opcode("chn_k", "", "SSooooooooN", ["h4", "x"], host=host)


def test_invalue_outvalue_callbacks():
    host = host_with()
    bus = chn.bus_of(host)
    calls = []

    def incb(cs, name, value, kind):
        calls.append(("in", name, kind))
        if kind == "S":
            value.value = "text"
        else:
            value[0] = 7.0

    def outcb(cs, name, value, kind):
        calls.append(("out", name, float(value[0]) if kind == "k" else value))

    bus.input_callback, bus.output_callback = incb, outcb
    assert render_opcode("invalue", "k", "S", ["knob"], nblocks=2, host=host)[0].tolist() == [7, 7]
    assert _text(render_opcode("invalue", "S", "i", [3], host=host)[0]) == "text"
    assert render_opcode("invalue", "i", "i", [2], host=host)[0][0] == 7.0
    render_opcode("outvalue", "", "Sk", ["meter", np.array([0.5, 0.75])], nblocks=2, host=host)
    assert bus.find("meter").data[0] == 0.75
    assert ("out", "meter", 0.75) in calls
    # invalue at i-rate asks the host twice (Csound's invalsetgo)
    assert [c for c in calls if c[1] == "2"] == [("in", "2", "k")] * 2


def test_invalue_without_callback_warns():
    host = host_with()
    out = render_opcode("invalue", "k", "i", [1], host=host)[0]
    assert out[0] == 0.0
    assert host.warnings == ["InputChannelCallback not set."]


def test_broken_channel_becomes_not_initialised():
    host = host_with(sig=np.zeros(10))
    from csoundpy.engine.context import InitContext, PerfContext
    from csoundpy.testing import find_entry

    e = find_entry("chnget", "k", "S")
    s = np.zeros(1, dtype=e.state)[0]
    out = np.zeros(1)
    aux = e.init(s, InitContext(host), out, "sig")  # wrong kind: no error at init (Csound)
    pc = PerfContext(host)
    e.perf(s, pc, *aux, out, StrVar("sig"), 0, 1)
    assert host.warnings[-1] == "channel already exists with incompatible type"
    with pytest.raises(PerfError, match="chnget: not initialised"):
        e.perf(s, pc, *aux, out, StrVar("sig"), 0, 1)
