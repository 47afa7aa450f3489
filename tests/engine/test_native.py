"""The fused native perf path gives the reference path's samples, bit for bit.

Every orchestra is rendered twice, with CSOUNDPY_JIT=sync (fused functions,
compiled before the first block that needs them) and CSOUNDPY_JIT=off (the
reference path), and the outputs, globals and printed text must be identical.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from csoundpy.compile import codegen, jitcache
from csoundpy.engine import native

pytestmark = pytest.mark.jit

TABLE = "gisine ftgen 1, 0, 4096, 10, 1\n"


def render(monkeypatch, rig, mode: str, orc: str, notes: list[tuple], nblocks: int,
           globals_: tuple[str, ...] = (), **kw) -> tuple:
    monkeypatch.setenv("CSOUNDPY_JIT", mode)
    r = rig(orc, **kw)
    for note in notes:
        r.note(*note)
    out = r.run(nblocks)
    return out, [r.g(g) for g in globals_], r.printed, r


def both(monkeypatch, rig, orc: str, notes: list[tuple], nblocks: int, fused: tuple[int, ...],
         globals_: tuple[str, ...] = (), **kw) -> tuple:
    """Render natively and on the reference path; assert identical results."""
    out_n, g_n, text_n, rn = render(monkeypatch, rig, "sync", orc, notes, nblocks, globals_, **kw)
    out_r, g_r, text_r, rr = render(monkeypatch, rig, "off", orc, notes, nblocks, globals_, **kw)
    assert out_n.shape == out_r.shape
    assert np.array_equal(out_n, out_r), np.max(np.abs(out_n - out_r))
    assert g_n == g_r
    assert text_n == text_r
    assert np.any(out_n != 0.0)
    for number in fused:
        pool = rn.engine.instruments[number].pool
        assert pool is not None and pool.state == "ready", number
    assert all(idef.pool is None for idef in rr.engine.instruments.values())
    return rn, rr


def test_oscillator_bank_with_staggered_notes_and_pool_growth(monkeypatch, rig):
    orc = TABLE + """
instr 1
  aenv linen p5, 0.05, p3, 0.02
  asig poscil aenv, p4, gisine
       outs asig*(1-p6), asig*p6
endin
instr 2
  aenv linen p5, 0.01, p3, 0.03
  asig oscili aenv, p4, 1
       outs asig*(1-p6), asig*p6
endin
"""
    # 40 overlapping notes per instrument: the pools grow (16 -> 32 -> 64) while
    # notes are playing, and notes start and end in every part of the chain
    notes = []
    for v in range(40):
        notes.append((1 + v % 2, 0.01 * (v % 7), 0.05 + 0.013 * v, 50 + 7.3 * v, 0.02,
                      (v % 5) / 4))
    both(monkeypatch, rig, orc, notes, 120, fused=(1, 2), sr=4000, ksmps=16, nchnls=2)


def test_k_rate_if_else_loops_and_globals(monkeypatch, rig):
    orc = TABLE + """
gkacc init 0
gasum init 0
instr 1
  kcnt init 0
  kcnt += 1
  if kcnt % 3 == 0 then
    kv = kcnt * 2
  elseif kcnt % 3 == 1 then
    kv = -kcnt
  else
    kv = 0.5
  endif
  ksum = 0
  ki = 0
  while ki < 4 do
    ksum += ki * kv
    ki += 1
  od
  gkacc += ksum
  asig oscili 0.1, 220 + ksum, 1
  gasum = gasum + asig * p4
  out asig * kv
endin
instr 2
  out gasum
  gasum = 0
endin
"""
    notes = [(1, 0, 0.2, 1), (1, 0.05, 0.1, -1), (2, 0, 0.3), (1, 0.12, 0.1, 0.5)]
    both(monkeypatch, rig, orc, notes, 40, fused=(1, 2), globals_=("gkacc",))


def test_k_rate_envelopes_filters_and_releases(monkeypatch, rig):
    orc = """
instr 1
  kamp  madsr   0.01, 0.05, 0.6, 0.04
  kcut  expseg  3000, 0.03, 1500, p3, 200
  kres  linseg  0.3, p3, 0.7, 0.1, 0.7
  asaw  vco2    p5, p4
  alp   moogladder asaw, kcut, kres
  aL, aR pan2   alp * kamp, p6
        outs    aL, aR
endin
"""
    notes = [(1, 0.02 * v, 0.1 + 0.01 * v, 110 * (1 + v % 5), 0.2, v / 9) for v in range(10)]
    rn, _ = both(monkeypatch, rig, orc, notes, 120, fused=(1,), sr=8000, ksmps=32, nchnls=2)
    assert not rn.engine.chain  # every note, releases included, has ended


def test_notes_whose_init_skipped_an_op_run_on_the_reference_path_in_order(monkeypatch, rig):
    orc = TABLE + """
gkcount init 0
instr 1
  if p4 > 0 igoto skip
  gkcount += 1
skip:
  asig oscili 0.1, 300 + p4 * 10, 1
  out asig
endin
"""
    notes = [(1, 0, 0.1, 0), (1, 0, 0.1, 1), (1, 0.02, 0.1, 0), (1, 0.03, 0.05, 2)]
    rn, _ = both(monkeypatch, rig, orc, notes, 20, fused=(1,), globals_=("gkcount",))
    pool = rn.engine.instruments[1].pool
    assert pool.ready.sum() < 4


def test_perf_error_aborts_only_its_note(monkeypatch, rig):
    orc = TABLE + """
instr 1
  asig oscili 0.1, 200, 1
  kcf  linseg p4, p3, p4 - 2000
  alp  lowres asig, kcf, 2
  out  alp
endin
"""
    notes = [(1, 0, 0.1, 3000), (1, 0, 0.1, 500), (1, 0, 0.1, 2500)]
    rn, _ = both(monkeypatch, rig, orc, notes, 12, fused=(1,))
    assert "PERF ERROR in instr 1 (opcode lowres)" in rn.printed


def test_instruments_with_only_python_perf_ops_stay_on_the_reference_path(monkeypatch, rig):
    monkeypatch.setenv("CSOUNDPY_JIT", "sync")
    r = rig("instr 1\nprintks \"x\\n\", 0.1\nendin\ninstr 2\nk1 = 1\nendin\n")
    assert r.engine.instruments[1].pool is None
    assert r.engine.instruments[2].pool is not None


def test_python_ops_in_a_fused_instrument_leave_and_resume_it(monkeypatch, rig):
    orc = TABLE + """
gkcount init 0
instr 1
  kc init 0
  kc += 1
  if kc % 4 == p4 then
    printks "note %d block %d\\n", 0, p4, kc
    gkcount += 1
  endif
  if kc == 7 && p4 == 2 then
    turnoff
  endif
  asig oscili 0.1, 200 + 50 * p4, 1
  if kc == 3 then
    event "i", 2, 0, 0.03, p4
  endif
  out asig
endin
instr 2
  asig oscili 0.05, 500 + p4, 1
  out asig
endin
"""
    notes = [(1, 0, 0.2, v) for v in range(4)]
    rn, _ = both(monkeypatch, rig, orc, notes, 25, fused=(1, 2), globals_=("gkcount",))
    assert "note 1 block 1" in rn.printed
    plan = rn.engine.instruments[1].pool.plan.source
    assert "return 1" in plan


def test_udo_calls_and_reinit_in_a_fused_instrument(monkeypatch, rig):
    orc = TABLE + """
opcode Twice, k, k
  kx xin
  xout kx * 2
endop
instr 1
  kc init 0
  kc += 1
  kv Twice kc
  if kc == 5 then
    reinit again
  endif
again:
  iphase = p4 / 10
  rireturn
  asig oscili 0.1, 100 + kv, 1, iphase
  out asig
endin
"""
    notes = [(1, 0, 0.2, v) for v in range(3)]
    both(monkeypatch, rig, orc, notes, 25, fused=(1,))


def test_perf_error_in_a_python_op_aborts_only_its_note(monkeypatch, rig):
    orc = TABLE + """
instr 1
  karr[] init 4
  kc init 0
  kc += 1
  kv = karr[kc * p4]
  asig oscili 0.1, 300, 1
  out asig
endin
"""
    notes = [(1, 0, 0.2, 0), (1, 0, 0.2, 1), (1, 0, 0.2, 0)]
    rn, _ = both(monkeypatch, rig, orc, notes, 12, fused=(1,))
    assert "PERF ERROR in instr 1" in rn.printed


def test_background_compile_swaps_in_at_a_block_boundary(monkeypatch, rig):
    orc = TABLE + "instr 1\nasig oscili p4, 330, 1\nout asig\nendin\n"
    notes = [(1, 0, 2, 0.3)]
    out_r, *_ = render(monkeypatch, rig, "off", orc, notes, 200)
    monkeypatch.setenv("CSOUNDPY_JIT", "async")
    r = rig(orc)
    r.note(*notes[0])
    pool = r.engine.instruments[1].pool
    for _ in range(3000):  # blocks run on the reference path while the compile goes on
        if pool.state in ("ready", "failed"):
            break
        if len(r.blocks) < 100:
            r.run(1)
        else:
            time.sleep(0.01)
    assert pool.state == "ready"
    assert len(r.blocks) >= 1
    out = r.run(200 - len(r.blocks))
    assert np.array_equal(out, out_r)


def test_generated_source_is_a_cached_module(monkeypatch, rig, tmp_path):
    monkeypatch.setenv("CSOUNDPY_JIT", "sync")
    monkeypatch.setenv("CSOUNDPY_JIT_CACHE", str(tmp_path))
    r = rig(TABLE + "instr 1\nk1 init 0\nk1 += 1\nif k1 > 2 kgoto end\nout a(k1)\nend:\nendin\n")
    pool = r.engine.instruments[1].pool
    assert "while pc >= 0" in pool.plan.source and "# orc:" in pool.plan.source
    module = jitcache.load_module(pool.plan.source)
    assert module.__file__.startswith(str(tmp_path))
    assert jitcache.load_module(pool.plan.source) is module
    assert codegen.unfusable_reason(r.engine.instruments[1].ir,
                                    r.engine.instruments[1].program) is None


def test_spans_of_native_blocks_match_block_by_block(monkeypatch, rig):
    orc = TABLE + """
gkcount init 0
instr 1
  kc init 0
  kc += 1
  kenv madsr 0.01, 0.02, 0.7, 0.05
  if kc == 40 then
    printks "note %d at block %d\\n", 0, p4, kc
  endif
  if kc == 90 && p4 == 2 then
    kv = 1 / (kc - 90)
    printk2 kv
  endif
  gkcount += 1
  asig oscili 0.1 * kenv, 200 + 50 * p4, 1
  out asig
endin
"""
    notes = [(1, 0.01 * v, 0.3 + 0.05 * v, v) for v in range(4)]

    def render(spans: bool) -> tuple:
        monkeypatch.setenv("CSOUNDPY_JIT", "sync")
        r = rig(orc, sr=2000, ksmps=2)
        r.engine.skip_idle = True
        r.engine.set_output_chunk(256)
        for note in notes:
            r.note(*note)
        blocks = 0
        while blocks < 600:
            blocks += r.engine.perform_blocks() if spans else r.engine.perform_block()
        r.engine.flush_output()
        return np.concatenate(r.blocks, axis=1)[:, :1200], r.printed, r.g("gkcount")

    counted = []
    original = native.NativeRunner.run_span
    monkeypatch.setattr(native.NativeRunner, "run_span",
                        lambda self, n: counted.append(original(self, n)) or counted[-1])
    out_s, text_s, g_s = render(True)
    assert max(counted) > 10
    out_b, text_b, g_b = render(False)
    assert np.array_equal(out_s, out_b)
    assert text_s == text_b and "note 3 at block 40" in text_s
    assert g_s == g_b


def test_aux_arrays_travel_as_addresses_and_tables_can_differ_per_note(monkeypatch, rig):
    orc = TABLE + "gisaw ftgen 2, 0, 1024, 7, -1, 1024, 1\n" + """
instr 1
  asig oscili 0.1, 100 * p4, p5
  adel delay asig, 0.01 * p4
  out asig + adel
endin
"""
    notes = [(1, 0, 0.1, 1 + v, 1 + v % 2) for v in range(5)]
    rn, _ = both(monkeypatch, rig, orc, notes, 20, fused=(1,))
    pool = rn.engine.instruments[1].pool
    assert pool.views and "carray(address(" in pool.plan.source


def test_notes_run_two_at_a_time_through_pair_kernels(monkeypatch, rig):
    orc = """
instr 1
  asaw vco2 p5, p4
  alp  moogladder asaw, p6, 0.4 + p7 / 4
  aL, aR pan2 alp, p7
       outs aL, aR
endin
"""
    notes = [(1, 0.01 * v, 0.05 + 0.02 * v, 110 * (1 + v), 0.2, 500 + 300 * v, v / 5)
             for v in range(5)]
    rn, _ = both(monkeypatch, rig, orc, notes, 40, fused=(1,), sr=8000, ksmps=16, nchnls=2)
    source = rn.engine.instruments[1].pool.plan.source
    assert "moogladder_pair_perf(S" in source and "slot2" in source


def test_an_op_writing_a_global_keeps_notes_one_at_a_time(monkeypatch, rig):
    orc = """
gkn init 0
instr 1
  asaw vco2 p5, p4
  alp  moogladder asaw, 800, 0.5
  gkn += 1
       out alp
endin
"""
    notes = [(1, 0, 0.05, 110 * (1 + v), 0.2) for v in range(4)]
    rn, _ = both(monkeypatch, rig, orc, notes, 20, fused=(1,), sr=8000, ksmps=16,
                 globals_=("gkn",))
    assert "slot2" not in rn.engine.instruments[1].pool.plan.source


def test_udo_bodies_run_through_their_own_fused_function(monkeypatch, rig):
    orc = TABLE + """
opcode Voice, a, kk
  kamp, kcps xin
  kenv linseg 0, 0.02, 1, 0.05, 0.3
  asig oscili kamp * kenv, kcps, 1
  if kenv > 0.9 then
    printks "peak\\n", 0
  endif
  xout asig
endop
opcode Twice, k, k
  kx xin
  xout kx * 2
endop
instr 1
  kf Twice p4
  asig Voice 0.1, kf
  out asig
endin
"""
    notes = [(1, 0.01 * v, 0.1, 100 + 30 * v) for v in range(3)]
    rn, _ = both(monkeypatch, rig, orc, notes, 20, fused=(1,))
    udefs = list(rn.engine._udo_defs.values())
    assert udefs and all(u.pool is not None and u.pool.state == "ready" for u in udefs)
    assert "peak" in rn.printed


def test_udo_bodies_with_setksmps_run_natively_in_sub_blocks(monkeypatch, rig):
    orc = TABLE + """
opcode OnePole, a, ak
  setksmps 1
  ain, kc xin
  ay init 0
  ky init 0
  ky = ky + kc * (k(ain) - ky)
  ay = ky
  xout ay
endop
instr 1
  asig oscili 0.3, 50 + 20 * p4, 1
  alp OnePole asig, 0.05 * p4
  out alp
endin
"""
    notes = [(1, 0.0, 0.1, 1 + v) for v in range(3)]
    rn, _ = both(monkeypatch, rig, orc, notes, 20, fused=(1,))
    udef = next(iter(rn.engine._udo_defs.values()))
    assert udef.pool is not None and udef.pool.state == "ready" and udef.pool.ksmps == 1
