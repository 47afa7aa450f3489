"""Events from the orchestra and note control: event, event_i, schedule,
schedkwhen, scoreline, turnoff, turnoff2/3 (OOps/schedule.c? Opcodes/...)."""

from __future__ import annotations

import numpy as np

from .._jit import at, kernel
from ..errors import InitError, PerfError
from ._registry import Native, State, defop, f64


def _event_fields(p1, rest) -> list:
    """p1 then the values of the other p-field arguments (k values are 0-d views)."""
    fields = [p1]
    for v in rest:
        if type(v) is np.ndarray:
            fields.append(float(v[()]))
        else:
            fields.append(v.value if hasattr(v, "value") else
                          float(v[()] if hasattr(v, "shape") else v))
    return fields


def _check_kind(kind: str) -> str:
    kind = kind.strip()
    if not kind or kind[0] not in "ifeqa":
        raise InitError(f"event: unknown event type '{kind}'")
    return kind[0]


def _event_i(s, ic, kind, p1, rest):
    ic.engine.schedule_realtime(_check_kind(kind), [p1, *rest])


def _event_perf(s, pc, kind, p1, rest, n0, n1):
    name = p1.value if hasattr(p1, "value") else float(p1[()])
    pc.engine.schedule_realtime(_check_kind(kind.value), _event_fields(name, rest))


# Compiled `event`: an "i" event with numeric fields goes into the engine's
# event queue array (`engine.native.NativeRunner.events`, one row per event:
# EV_* columns, then the p-fields), which the engine drains before each block
# and compiled spans read directly; the row holds what `schedule_realtime`
# computes at perf time.
EV_BLOCK, EV_NFIELDS, EV_TIME, EV_P1 = 0, 1, 2, 4
EVENT_NATIVE = State(is_i=f64)


def _event_native_init(s, ic, kind, p1, rest):
    s.is_i = 1.0 if kind.strip()[:1] == "i" else 0.0
    native = ic.engine.native
    return native.events, native.nevents, ic.engine.clock


@kernel
def event_native_perf(s, ctx, queue, count, clock, kind, p1, rest, n0, n1):
    """`event "i", ...` into the event queue array; 1 (nothing done) when the
    queue is full, the row too short or the event not an "i"."""
    n = count[0]
    nfields = 1 + len(rest)
    if s.is_i == 0.0 or n >= queue.shape[0] or EV_P1 + nfields > queue.shape[1]:
        return 1
    kcount = clock[0]
    start = (kcount + 1.0) / ctx.kr
    queue[n, EV_P1] = at(p1, 0)
    for j in range(len(rest)):
        queue[n, EV_P1 + 1 + j] = at(rest[j], 0)
    if nfields > 1:
        start += max(queue[n, EV_P1 + 1], 0.0)
        queue[n, EV_P1 + 1] = start - clock[1]
    queue[n, EV_BLOCK] = max(np.rint(start * ctx.kr), kcount)
    queue[n, EV_NFIELDS] = nfields
    queue[n, EV_TIME] = start
    count[0] = n + 1
    return 0


def _event_native_fallback(inst, s, ctx, queue, count, clock, kind, p1, rest, n0, n1):
    engine = inst.engine
    engine.native.drain_events()
    engine.schedule_realtime(_check_kind(kind), _event_fields(float(at(p1, 0)), rest))


defop("event_i", "", "Sim", None, _event_i)
defop("event_i", "", "SSm", None, _event_i)
defop("event_i", "", "SiN", None, _event_i)
defop("event_i", "", "SSN", None, _event_i)
defop("event", "", "Skz", None, None, _event_perf, python_perf=True,
      native=Native(_event_native_init, event_native_perf, ("queue", "count", "clock"),
                    EVENT_NATIVE, fallback=_event_native_fallback))
defop("event", "", "SSz", None, None, _event_perf, python_perf=True)


def _schedule_i(s, ic, p1, p2, p3, rest):
    ic.engine.schedule_realtime("i", [p1, p2, p3, *rest])


defop("schedule", "", "iiim", None, _schedule_i)
defop("schedule", "", "Siim", None, _schedule_i)
defop("schedule", "", "iiiN", None, _schedule_i)
defop("schedule", "", "SiiN", None, _schedule_i)

SCHEDK = State(last=f64, started=f64)


def _schedkwhen_init(s, ic, ktrig, kmintim, kmaxnum, kinsnum, kwhen, kdur, rest):
    s.last = -1e30
    s.started = 0.0


def _schedkwhen_perf(s, pc, ktrig, kmintim, kmaxnum, kinsnum, kwhen, kdur, rest, n0, n1):
    if ktrig[()] == 0.0:
        return
    engine = pc.engine
    now = engine.kcount / engine.kr
    if now - s.last < kmintim[()]:
        return
    insno = kinsnum.value if hasattr(kinsnum, "value") else float(kinsnum[()])
    number = engine.instr_number(insno)
    maxnum = kmaxnum[()]
    if maxnum > 0 and number is not None and int(number) in engine.instruments:
        if engine.instruments[int(number)].active >= maxnum:
            return
    s.last = now
    # Csound's ktriginstr starts the event at ksmps * (kcounter - 1): the current block's start
    engine.schedule_realtime("i", _event_fields(insno, [kwhen, kdur, *rest]), from_block_start=True)


defop("schedkwhen", "", "kkkkkkz", SCHEDK, _schedkwhen_init, _schedkwhen_perf, python_perf=True)
defop("schedkwhen", "", "kkkSkkz", SCHEDK, _schedkwhen_init, _schedkwhen_perf, python_perf=True)


def _scoreline_text(engine, text: str) -> None:
    from ..lang.score import parse_line_events

    for ev in parse_line_events(text):
        engine.schedule_realtime(ev.opcode, list(ev.pfields))


def _scoreline_i(s, ic, text):
    _scoreline_text(ic.engine, text)


def _scoreline_perf(s, pc, text, ktrig, n0, n1):
    if ktrig[()] != 0.0:
        _scoreline_text(pc.engine, text.value)


defop("scoreline_i", "", "S", None, _scoreline_i)
defop("scoreline", "", "Sk", None, None, _scoreline_perf, python_perf=True)


def _turnoff_perf(s, pc, n0, n1):
    pc.instance.turnoff()


defop("turnoff", "", "", None, None, _turnoff_perf, python_perf=True)


def _turnoff2(engine, insno, mode, release) -> None:
    number = engine.instr_number(insno)
    if number is None:
        raise PerfError(f"turnoff2: invalid instrument {insno}")
    engine.turnoff_instr(abs(number), int(mode), release != 0.0)


def _turnoff2_perf(s, pc, kinsno, kmode, krelease, n0, n1):
    insno = kinsno.value if hasattr(kinsno, "value") else float(kinsno[()])
    _turnoff2(pc.engine, insno, kmode[()], krelease[()])


def _turnoff2_i(s, ic, insno, mode, release):
    _turnoff2(ic.engine, insno, mode, release)


defop("turnoff2", "", "kkk", None, None, _turnoff2_perf, python_perf=True)
defop("turnoff2", "", "Skk", None, None, _turnoff2_perf, python_perf=True)
defop("turnoff2_i", "", "iii", None, _turnoff2_i)
defop("turnoff2_i", "", "Sii", None, _turnoff2_i)


def _turnoff3_perf(s, pc, kinsno, n0, n1):
    engine = pc.engine
    insno = kinsno.value if hasattr(kinsno, "value") else float(kinsno[()])
    number = engine.instr_number(insno)
    engine.queue = [ev for ev in engine.queue
                    if not (ev.opcode == "i" and ev.realtime and engine.instr_number(ev.pfields[0])
                            is not None and int(abs(engine.instr_number(ev.pfields[0])))
                            == int(abs(number or 0)))]


defop("turnoff3", "", "k", None, None, _turnoff3_perf, python_perf=True)
defop("turnoff3", "", "S", None, None, _turnoff3_perf, python_perf=True)
