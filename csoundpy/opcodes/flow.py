"""Control-flow opcodes that take labels: reinit, rigoto, rireturn, tigoto,
timout and the loop_* family (OOps/goto_ops.c).  Plain goto/igoto/kgoto,
if/then and the c*goto primitives are compiled straight into jumps.

A 'branch' opcode's init (or python perf) returns True to jump to its label.
"""

from __future__ import annotations

from .._jit import at
from ..engine.context import ST_TIED
from ._registry import State, defop, f64


def _rigoto_init(s, ic, label=None):
    return ic.reinit


def _tigoto_init(s, ic, label=None):
    return ic.instance is not None and ic.instance.status[ST_TIED] != 0.0


defop("rigoto", "", "l", None, _rigoto_init, flags=("branch",))
defop("tigoto", "", "l", None, _tigoto_init, flags=("branch",))
defop("rireturn", "", "", None, lambda s, ic: None)


def _reinit_perf(s, pc, n0, n1):
    pc.instance.request_reinit(pc.labels[0])


defop("reinit", "", "l", None, None, _reinit_perf, python_perf=True, flags=("reinit",))

TIMOUT = State(start=f64, end=f64, count=f64)


def _timout_init(s, ic, istart, idur):
    kr = ic.kr
    s.start = int(istart * kr + 0.5)
    s.end = s.start + int(idur * kr + 0.5) if idur >= 0 else -1.0
    s.count = 0.0
    return False


def _timout_perf(s, pc, istart, idur, n0, n1):
    count = s.count
    s.count = count + 1
    return count >= s.start and (s.end < 0 or count < s.end)


defop("timout", "", "iil", TIMOUT, _timout_init, _timout_perf, python_perf=True,
      flags=("branch",))

_LOOPS = {
    "loop_lt": lambda a, b: a < b,
    "loop_le": lambda a, b: a <= b,
    "loop_gt": lambda a, b: a > b,
    "loop_ge": lambda a, b: a >= b,
}


def _loop_init(cmp, increment_sign: float):
    def init(s, ic, indx, incr, limit):
        op = ic.instance.idef.ir.ops[ic.op_index]
        value = indx + increment_sign * incr
        ic.instance.write_scalar(op.ins[0], value)
        return cmp(value, limit)

    return init


def _loop_perf(cmp, increment_sign: float):
    def perf(s, pc, indx, incr, limit, n0, n1):
        value = indx[()] + increment_sign * at(incr, 0)
        indx[()] = value
        return cmp(value, at(limit, 0))

    return perf


for _name, _cmp in _LOOPS.items():
    _sign = 1.0 if _name in ("loop_lt", "loop_le") else -1.0
    defop(_name, "", "iiil", None, _loop_init(_cmp, _sign), flags=("branch",))
    defop(_name, "", "kkkl", None, None, _loop_perf(_cmp, _sign), python_perf=True,
          flags=("branch",))
