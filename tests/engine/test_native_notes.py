"""Notes started in compiled code (compile.lifecycle) give the reference path's
samples and messages, bit for bit.

Each orchestra is rendered as an offline render runs it (spans of blocks,
`Engine.perform_blocks`) with CSOUNDPY_JIT=sync and with CSOUNDPY_JIT=off, and
outputs, globals and printed text must be identical; the test also checks
that notes really started in compiled code.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.jit

GRAIN = """
giSine ftgen 1, 0, 1024, 10, 1
instr 2
  aenv  linseg  0, p3 * 0.25, p5, p3 * 0.75, 0
  kndx  linseg  4, p3, 0.5
  asig  foscili aenv, p4, 1, p6, kndx, giSine
        outs    asig * (1 - p7), asig * p7
endin
"""

SEQUENCER = GRAIN + """
instr 1
  kn init 0
  ki = 0
  while ki < 6 do
    kfreq = 110 * 2 ^ (((kn * 7) % 24) / 6)
    event "i", 2, 0, 2 * ksmps / sr * (1 + kn % 3), kfreq, 0.02, 1 + (kn % 3) * 0.5, (kn % 11) / 10
    kn += 1
    ki += 1
  od
endin
"""


def render(monkeypatch, rig, mode: str, orc: str, notes: list[tuple], nblocks: int,
           globals_: tuple[str, ...] = (), msg_level: int = 0) -> tuple:
    monkeypatch.setenv("CSOUNDPY_JIT", mode)
    r = rig(orc, sr=8000, ksmps=16, nchnls=2)
    r.engine.msg_level = msg_level
    r.engine.skip_idle = True
    r.engine.set_output_chunk(4096)
    for note in notes:
        r.note(*note)
    blocks = 0
    while blocks < nblocks:
        blocks += r.engine.perform_blocks() or 1
    r.engine.flush_output()
    out = np.concatenate(r.blocks, axis=1)[:, :nblocks * 16]
    return out, [r.g(g) for g in globals_], r.printed, r


def both(monkeypatch, rig, orc: str, notes: list[tuple], nblocks: int, native: tuple[int, ...],
         globals_: tuple[str, ...] = (), msg_level: int = 0) -> tuple:
    """Render both ways; assert identical results and compiled starts of `native`."""
    out_n, g_n, text_n, rn = render(monkeypatch, rig, "sync", orc, notes, nblocks, globals_,
                                    msg_level)
    out_r, g_r, text_r, rr = render(monkeypatch, rig, "off", orc, notes, nblocks, globals_,
                                    msg_level)
    assert out_n.shape == out_r.shape
    assert np.array_equal(out_n, out_r), np.max(np.abs(out_n - out_r))
    assert g_n == g_r
    assert text_n == text_r
    assert np.any(out_n != 0.0)
    for number in native:
        pool = rn.engine.instruments[number].pool
        assert pool is not None and pool.booked and pool.book[4][2] > 0, number
    return rn, rr, text_n


def test_events_from_a_sequencer_start_notes_in_compiled_code(monkeypatch, rig):
    rn, rr, _ = both(monkeypatch, rig, SEQUENCER, [(1, 0, 1.5)], 800, native=(2,))
    pool = rn.engine.instruments[2].pool
    assert pool.book[4][2] > 1000  # most of the ~4500 notes
    assert rn.engine.instruments[2].instcnt == rr.engine.instruments[2].instcnt
    assert rn.engine.max_off_block == rr.engine.max_off_block


def test_score_notes_start_in_compiled_code_with_warnings_from_python(monkeypatch, rig):
    notes = [(2, 0.002 * v, 0.004 + 0.001 * (v % 5), 300 + v, 0.1, 1.5, (v % 4) / 3)
             for v in range(300)]
    notes += [(2, 0.1, 0.01, 500, 0.1, 2, 0.5, 9),  # one p-field too many: a warning
              (2, 0.2, 0.01, 500, 0.1),  # too few: a warning, zeros
              (2, 0.25, 0, 440, 0.1, 1, 0.5),  # p3 = 0: ends at once
              (2.5, 0.3, 0.02, 440, 0.1, 1, 0.5)]  # a fractional p1
    _, _, text = both(monkeypatch, rig, GRAIN, notes, 600, native=(2,), msg_level=7)
    assert "uses 7 p-fields but is given 8" in text


def test_active_and_turnoff2_see_compiled_notes(monkeypatch, rig):
    orc = SEQUENCER + """
gkactive init 0
gkmost init 0
instr 3
  kcnt init 0
  kcnt += 1
  gkactive = active(2)
  gkmost max gkmost, gkactive
  if kcnt % 50 == 0 then
    turnoff2 2, kcnt % 3, 0
  endif
  if kcnt == 300 then
    printks "active %d total %d\\n", 0, active(2), active(2, 1)
  endif
endin
"""
    _, _, text = both(monkeypatch, rig, orc, [(1, 0, 1), (3, 0, 1)], 600, native=(2,),
                      globals_=("gkactive", "gkmost"))
    assert "active" in text


def test_a_missing_table_makes_python_report_the_init_error(monkeypatch, rig):
    orc = GRAIN.replace("kndx, giSine", "kndx, p8") + """
instr 1
  kn init 0
  kn += 1
  kfn = 1
  if kn % 7 == 3 then
    kfn = 5
  endif
  event "i", 2, 0, 0.01, 300 + kn, 0.1, 1, 0.5, kfn
endin
"""
    _, _, text = both(monkeypatch, rig, orc, [(1, 0, 0.5)], 400, native=(2,), msg_level=7)
    assert "Invalid ftable no. 5" in text


def test_a_table_remade_while_notes_play(monkeypatch, rig):
    orc = SEQUENCER + """
instr 4
  i1 ftgen 1, 0, 512, 10, 1, 0.5, 0.25
endin
"""
    both(monkeypatch, rig, orc, [(1, 0, 1), (4, 0.4, 0.01)], 600, native=(2,))


def test_delayed_and_held_events_go_through_python(monkeypatch, rig):
    orc = GRAIN + """
instr 1
  kn init 0
  kn += 1
  if kn % 4 == 0 then
    event "i", 2, 0.013 * (kn % 5), 0.02, 200 + kn, 0.05, 1, 0.3
  endif
  if kn == 100 then
    event "i", 2.1, 0, -1, 900, 0.05, 1, 0.3
  endif
  if kn == 300 then
    event "i", -2.1, 0, 0
  endif
endin
"""
    both(monkeypatch, rig, orc, [(1, 0, 1)], 600, native=(2,))


BUSES = GRAIN.replace("outs    asig * (1 - p7), asig * p7", """Sbus  sprintf "bus%d", p7 * 10 % 3
        chnmix  asig, Sbus
        chnmix  asig * 0.5, "all\"""") + """
instr 1
  kn init 0
  event "i", 2, 0, 4 * ksmps / sr, 220 + kn, 0.1, 1.5, (kn % 7) / 10
  kn += 1
endin

instr 3
  a0 chnget "bus0"
  a1 chnget "bus1"
  a2 chnget "bus2"
  aall chnget "all"
     outs a0 + a2 * 0.5, a1 + aall
     chnclear "bus0", "bus1", "bus2"
     chnclear "all"
endin
"""


def test_notes_with_sprintf_named_channels_start_in_compiled_code(monkeypatch, rig):
    """Strings made at init (sprintf of numbers) and channels bound by name
    (chnmix, chnclear) do not keep notes from starting in compiled code."""
    rn, _rr, _ = both(monkeypatch, rig, BUSES, [(3, 0, 1.2), (1, 0, 1.0)], 600, native=(2,))
    assert rn.engine.instruments[2].pool.book[4][2] > 300


CONDUCTOR = BUSES.split("instr 1\n")[0] + """
instr 1
  inote = 0
  while inote < 120 do
    schedule 2, inote * 3 * ksmps / sr + (inote % 4) * 0.0001, 4 * ksmps / sr, 220 + inote, 0.1, 1.5, (inote % 7) / 10
    if inote % 37 == 5 then
      schedule 4, inote * 3 * ksmps / sr, 0.01
    endif
    inote += 1
  od
endin

instr 4
  prints "python note at %f\\n", p2
endin
""" + BUSES.split("endin\n", 1)[1].split("instr 1\n")[1].split("endin\n", 1)[1]


def test_notes_scheduled_ahead_start_inside_spans(monkeypatch, rig):
    """Events a Python note scheduled for later (`schedule` at init) start in
    compiled code inside spans, interleaved with notes only Python can start,
    in the reference path's order."""
    rn, _rr, text = both(monkeypatch, rig, CONDUCTOR, [(3, 0, 1.2), (1, 0, 0.01)], 600,
                        native=(2,))
    assert "python note" in "".join(text)
    assert rn.engine.instruments[2].pool.book[4][2] > 100
