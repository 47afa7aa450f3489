"""The Python path of a note (scheduling, instance reuse, init pass, perf binding,
note end) gives the same results however much of it is cached or generated:
the straight-line init function of an instrument (`instance._compile_init`)
against the op-by-op init pass, cached perf arguments across reused instances
and pool growth, and the fast state views init functions get."""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine import instance
from csoundpy.engine.context import state_view_dtype

TABLE = "gisine ftgen 1, 0, 1024, 10, 1\n"

GRAIN = TABLE + """
giamp init 0.5
instr 1
  i1    = p3 * 0.25
  aenv  linseg 0, i1, p5, p3 - i1, 0
  kndx  linseg 4, p3, 0.5
  asig  foscili aenv, p4, 1, p6, kndx, gisine
  itv   tival
        out asig * giamp * (1 - itv)
endin
"""


def render(monkeypatch, rig, orc: str, notes: list[tuple], nblocks: int, fast: bool,
           jit: str = "off") -> tuple:
    """Render with the generated init functions (fast) or the op-by-op init pass."""
    monkeypatch.setenv("CSOUNDPY_JIT", jit)
    monkeypatch.setattr(instance, "FAST_INIT_AFTER", 1 if fast else 10**9)
    r = rig(orc)
    for note in notes:
        r.note(*note)
    return r.run(nblocks), r.printed, r


def both(monkeypatch, rig, orc: str, notes: list[tuple], nblocks: int,
         jit: str = "off", silent: bool = False) -> tuple:
    out_f, text_f, rf = render(monkeypatch, rig, orc, notes, nblocks, True, jit)
    out_s, text_s, rs = render(monkeypatch, rig, orc, notes, nblocks, False, jit)
    assert np.array_equal(out_f, out_s)
    assert text_f == text_s
    assert silent or np.any(out_f != 0.0)
    return rf, rs


def grains(n: int, start: float = 0.0, step: float = 0.01, dur: float = 0.05) -> list:
    return [(1, start + step * k, dur, 40.0 + 7 * (k % 5), 0.3, 1 + 0.5 * (k % 3))
            for k in range(n)]


def test_generated_init_pass_gives_the_op_by_op_results(monkeypatch, rig):
    rf, rs = both(monkeypatch, rig, GRAIN, grains(40), 60)
    assert callable(rf.engine.instruments[1].fast_init)
    assert rs.engine.instruments[1].fast_init is None


def test_notes_with_string_pfields_take_the_op_by_op_pass_and_agree(monkeypatch, rig):
    notes = [n + (("text",) if k % 4 == 0 else ()) for k, n in enumerate(grains(24))]
    both(monkeypatch, rig, GRAIN, notes, 40)


def test_reused_and_moved_instances_give_the_reference_samples(monkeypatch, rig):
    # 20 notes at once, then 40 at once: the pool grows while freed instances
    # wait for reuse, so their cached init calls and perf arguments are rebuilt
    notes = grains(20, 0.0, 0.0, 0.1) + grains(40, 0.2, 0.0, 0.1)
    fused, _ = both(monkeypatch, rig, GRAIN, notes, 40, jit="sync")
    assert fused.engine.instruments[1].pool.capacity >= 60
    reference, _text, _r = render(monkeypatch, rig, GRAIN, notes, 40, False, "off")
    out = np.concatenate(fused.blocks, axis=1)
    assert np.array_equal(out, reference)


def test_instruments_with_i_time_jumps_keep_the_op_by_op_pass(monkeypatch, rig):
    orc = TABLE + """
instr 1
  if p4 > 50 igoto high
  iamp = 0.1
  igoto done
high:
  iamp = 0.2
done:
  asig oscili iamp, p4, 1
       out asig
endin
"""
    rf, _ = both(monkeypatch, rig, orc, grains(20), 40)
    assert rf.engine.instruments[1].fast_init is False


def test_init_errors_name_the_same_opcode_on_both_passes(monkeypatch, rig):
    orc = TABLE + """
instr 1
  asig oscili 0.1, 50, p4
       out asig
endin
"""
    notes = [(1, 0.01 * k, 0.05, 1 if k % 3 else 7) for k in range(20)]
    rf, _ = both(monkeypatch, rig, orc, notes, 30)
    assert "INIT ERROR in instr 1 (opcode oscili) line" in rf.printed
    assert "Invalid ftable no. 7.000000" in rf.printed


def test_a_reused_instance_inits_without_the_reinit_flag_of_its_last_note(monkeypatch, rig):
    # printks keeps its print time across a reinit, but a new note starts it afresh
    orc = """
instr 1
  kc init 0
  kc += 1
  if kc == 3 then
    reinit again
  endif
again:
  printks "note %d\\n", 0.05, p4
  rireturn
endin
"""
    notes = [(1, 0.1 * k, 0.08, k) for k in range(12)]
    rf, _ = both(monkeypatch, rig, orc, notes, 125, silent=True)
    assert [line for line in rf.printed.splitlines() if line.startswith("note")] == \
        [f"note {k}" for k in range(12) for _ in range(2)]


def test_a_held_note_is_tied_after_timed_notes(rig):
    r = rig("gitv init -1\ninstr 1\nitv tival\ngitv = itv\nendin\n")
    r.note(1, 0.0, 0.05)
    r.note(1.1, 0.1, -1)
    r.note(1.1, 0.2, 0.05)
    r.run(27)
    assert r.g("gitv") == 1.0
    assert not r.engine.chain
    r.note(1.1, 0.3, 0.05)
    r.run(5)
    assert r.g("gitv") == 0.0


def test_events_queue_in_block_then_arrival_order(rig):
    r = rig("instr 1\nendin\n")
    engine = r.engine
    for block, tag in [(5, "a"), (3, "b"), (5, "c"), (1, "d"), (3, "e"), (9, "f")]:
        engine.schedule("i", [1, 0, 0.01, tag], block)
    assert [ev.pfields[3] for ev in engine.queue] == ["d", "b", "e", "a", "c", "f"]


STATE = np.dtype((np.record, [("phs", np.float64), ("n", np.int64), ("shape", np.int64)]))


@pytest.mark.parametrize("field", ["phs", "n", "shape"])
@pytest.mark.parametrize("value", [2, 2.7, -2.7, True, np.float64(3.9), np.int64(7), 2**62,
                                   float("nan"), float("inf"), np.array(4.5), None])
def test_state_view_writes_as_np_record(field, value):
    plain, fast = np.zeros(2, STATE), np.zeros(2, STATE)
    errors = []
    for rec in (plain[1], fast[1].view(state_view_dtype(STATE))):
        try:
            setattr(rec, field, value)
            errors.append(None)
        except Exception as exc:  # noqa: BLE001  (the same error is the point)
            errors.append((type(exc), str(exc)))
    assert errors[0] == errors[1]
    assert plain.tobytes() == fast.tobytes()


def test_state_view_is_the_record_memory_and_reads_as_np_record():
    arr = np.zeros(3, STATE)
    rec = arr[1]
    view = rec.view(state_view_dtype(STATE))
    view.phs, view.n, view.shape = 0.25, 3, 4
    assert (arr[1].phs, arr[1].n, arr[1].shape) == (0.25, 3, ())  # np.record: shape is ()
    assert (view.phs, view.n, view.shape) == (rec.phs, rec.n, rec.shape)
    assert type(view.phs) is type(rec.phs) and type(view.n) is type(rec.n)
    assert arr["shape"][1] == 4
    with pytest.raises(AttributeError, match="'record' object has no attribute 'nope'"):
        view.nope  # noqa: B018


def test_init_zeros_reuses_and_clears_the_previous_notes_array_of_the_same_shape():
    import numpy as np

    from csoundpy.engine.context import InitContext, OpcodeHost

    class Note:
        prev_aux = [(), (np.arange(6.0).reshape(2, 3),)]

    ic = InitContext(OpcodeHost(), Note())
    ic.op_index = 1
    old = Note.prev_aux[1][0]
    same = ic.zeros((2, 3))
    assert same is old and not same.any()
    other = ic.zeros((3, 3))
    assert other is not old and other.shape == (3, 3) and not other.any()
    ic.reinit = True
    assert ic.zeros((2, 3)) is not old
