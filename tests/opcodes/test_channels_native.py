"""Native channel opcodes: chnset a, chnmix and chnclear are kernels, chnget k/a
and chnset k have native variants for fixed names.  Every orchestra renders
identically on the fused path (CSOUNDPY_JIT=sync) and the reference path
(off), messages included."""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost, PerfContext
from csoundpy.engine.engine import MSG_WARN
from csoundpy.errors import PerfError
from csoundpy.opcodes import channels as chn
from csoundpy.testing import find_entry

pytestmark = pytest.mark.jit

TABLE = "gisine ftgen 1, 0, 4096, 10, 1\n"


def render(monkeypatch, rig, mode: str, orc: str, notes: list[tuple], nblocks: int):
    monkeypatch.setenv("CSOUNDPY_JIT", mode)
    r = rig(orc)
    r.engine.msg_level |= MSG_WARN
    for note in notes:
        r.note(*note)
    return r.run(nblocks), r


def both(monkeypatch, rig, orc: str, notes: list[tuple], nblocks: int):
    """Render fused and on the reference path; assert identical samples and text."""
    out_n, rn = render(monkeypatch, rig, "sync", orc, notes, nblocks)
    out_r, rr = render(monkeypatch, rig, "off", orc, notes, nblocks)
    assert np.array_equal(out_n, out_r), np.max(np.abs(out_n - out_r))
    assert rn.printed == rr.printed
    return out_n, rn


def python_ops(r, number: int) -> list[str]:
    ir = r.engine.instruments[number].ir
    return [op.entry.name for op in ir.ops if op.kind == "call" and op.entry.python_perf]


def test_effects_rack_instruments_are_fused_and_match_the_reference_path(monkeypatch, rig):
    orc = TABLE + """
gaMix init 0
instr 1
  Sdry sprintf "dry%d", p5
  Ssnd sprintf "send%d", p5
  kenv linseg 0, 0.02, 1, p3 - 0.02, 0
  asig oscili kenv * 0.2, p4, 1
       chnmix asig, Sdry
       chnmix asig * 0.5, Ssnd
endin
instr 10
  Sdry sprintf "dry%d", p4
  Ssnd sprintf "send%d", p4
  adry chnget Sdry
  asnd chnget Ssnd
  acmb comb asnd, 0.3, 0.023
  gaMix = gaMix + adry + acmb * 0.3
       chnclear Sdry, Ssnd
endin
instr 20
  out gaMix
  gaMix = 0
endin
"""
    notes = [(10, 0, 0.5, 0), (10, 0, 0.5, 1), (20, 0, 0.5)]
    notes += [(1, 0.03 * v, 0.1, 200 + 30 * v, v % 2) for v in range(12)]
    out, rn = both(monkeypatch, rig, orc, notes, 50)
    assert np.any(out != 0.0)
    for number in (1, 10, 20):
        assert python_ops(rn, number) == []
        assert rn.engine.instruments[number].pool.state == "ready"


def test_a_k_rate_name_change_still_reresolves_the_channel(monkeypatch, rig):
    orc = """
instr 1
  chnset 1, "c0"
  chnset 2, "c1"
  chnset 3, "c2"
endin
instr 2
  kcnt init 0
  Sname sprintfk "c%d", kcnt % 3
  kv chnget Sname
  kcnt += 1
  av = kv
  out av
endin
"""
    out, rn = both(monkeypatch, rig, orc, [(1, 0, 0.01), (2, 0, 0.1)], 10)
    assert python_ops(rn, 2) == ["sprintfk", "chnget"]
    assert list(out[0, ::10]) == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0]


def test_chnset_k_gives_the_channel_its_input_bit_at_the_first_perf(monkeypatch, rig):
    # compat: chnset:k's first perf looks the channel up as an input channel;
    # chnparams at i-time in the same block still sees an output-only channel
    orc = """
instr 1
  kv line 0, p3, 1
  chnset kv, "ck"
  av = kv
  out av
endin
instr 2
  it, im, ic, id, imin, imax chnparams "ck"
  prints "mode %d\\n", im
endin
"""
    _out, rn = both(monkeypatch, rig, orc, [(1, 0, 0.1), (2, 0, 0.01), (2, 0.05, 0.01)], 10)
    assert python_ops(rn, 1) == []
    assert "mode 2\nmode 3\n" in rn.printed
    assert chn.bus_of(rn.engine).find("ck").data[0] == pytest.approx(0.9)


def test_chnget_of_a_channel_of_another_kind_warns_then_is_not_initialised(monkeypatch, rig):
    orc = """
instr 1
  chnset a(0.5), "sig"
endin
instr 2
  kv chnget "sig"
  av = kv
  out av
endin
instr 3
  Sname = ""
  av chnget Sname
  out av
endin
"""
    _out, rn = both(monkeypatch, rig, orc, [(1, 0, 0.1), (2, 0, 0.1), (3, 0.03, 0.1)], 10)
    assert python_ops(rn, 2) == [] and python_ops(rn, 3) == []
    text = rn.printed
    assert text.count("WARNING: channel already exists with incompatible type") == 1
    assert text.count("WARNING: invalid channel name") == 1
    assert "PERF ERROR in instr 2 (opcode chnget) line 6: chnget: not initialised" in text
    assert "PERF ERROR in instr 3 (opcode chnget) line 12: chnget: not initialised" in text
    assert not chn._DEFERRED


def test_native_variant_kernels_do_what_the_python_perf_does():
    host = OpcodeHost(sr=1000, ksmps=10)
    bus = chn.bus_of(host)
    bus.get("k", chn.CONTROL | chn.INPUT)[1].data[0] = 4.0
    bus.get("a", chn.AUDIO | chn.INPUT)[1].data[:] = np.arange(10.0)
    ic, consts = InitContext(host), host.consts
    for outs, name, want in (("k", "k", [4.0]), ("a", "a", list(np.arange(10.0)))):
        e = find_entry("chnget", outs, "S").native
        s = np.zeros(1, dtype=e.state)[0]
        out = np.zeros(len(want))
        aux = e.init(s, ic, out, name)
        e.perf(s, consts, *aux, out, name, 0, len(want))
        assert list(out) == want
    e = find_entry("chnset", "", "kS").native
    aux = e.init(np.zeros(1, dtype=e.state)[0], ic, 2.5, "ks")
    assert bus.find("ks").type == chn.CONTROL | chn.OUTPUT
    e.perf(np.zeros(1, dtype=e.state)[0], consts, *aux, np.array(2.5), "ks", 0, 1)
    assert bus.find("ks").data[0] == 2.5
    assert bus.find("ks").type == chn.CONTROL | chn.OUTPUT | chn.INPUT


def test_native_chnget_on_a_wrong_kind_channel_warns_at_its_first_perf():
    host = OpcodeHost(sr=1000, ksmps=10)
    chn.bus_of(host).get("sig", chn.AUDIO | chn.INPUT)
    e = find_entry("chnget", "k", "S").native
    s = np.zeros(1, dtype=e.state)[0]
    out = np.zeros(1)
    aux = e.init(s, InitContext(host), out, "sig")
    assert host.warnings == []
    pc = PerfContext(host)
    e.perf(s, pc.consts, *aux, out, "sig", 0, 1)
    assert host.warnings == ["channel already exists with incompatible type"]
    with pytest.raises(PerfError, match="chnget: not initialised"):
        e.perf(s, pc.consts, *aux, out, "sig", 0, 1)


def test_chnmix_chnset_a_and_chnclear_run_as_kernels():
    for name, ins in (("chnmix", "aS"), ("chnset", "aS"), ("chnclear", "W")):
        entry = find_entry(name, "", ins)
        assert not entry.python_perf and entry.native is None


def test_chnclear_without_names_does_nothing_on_both_paths(monkeypatch, rig):
    orc = TABLE + """
instr 1
  chnclear
  asig oscili 0.1, 100, 1
  out asig
endin
"""
    out, rn = both(monkeypatch, rig, orc, [(1, 0, 0.05)], 5)
    assert python_ops(rn, 1) == [] and np.any(out != 0.0)
