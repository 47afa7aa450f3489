"""Note and instrument information: p-fields, extra time, the release flag,
time, table creation from the orchestra, `return` for evalCode, and the
array basics the language needs (fillarray, element access, lenarray)."""

from __future__ import annotations

import numpy as np

from .._jit import kernel
from ..errors import InitError
from ._registry import defop


# ------------------------------------------------------------------ p-fields
def _passign(s, ic, outs, istart, iend):
    pf = ic.instance.pfields if ic.instance is not None else []
    first = int(istart)
    for k, out in enumerate(outs):
        idx = first + k
        value = pf[idx - 1] if 0 < idx <= len(pf) else 0.0
        if hasattr(out, "value"):
            out.value = value if isinstance(value, str) else ""
        else:
            out[0] = value if not isinstance(value, str) else 0.0


def _passign_init(s, ic, *args):
    *outs, istart, iend = args
    _passign(s, ic, outs, istart, iend)


defop("passign", "I", "po", None, _passign_init)
defop("passign", "N", "po", None, _passign_init)


def _pfield_value(instance, index: int) -> float:
    if instance is None:
        return 0.0
    if 0 < index < len(instance.kv) and index < instance.idef.ir.npfields:
        return float(instance.kv[index])
    pf = instance.pfields
    if 0 < index <= len(pf):
        v = pf[index - 1]
        return 0.0 if isinstance(v, str) else float(v)
    return 0.0


def _p_init(s, ic, out, index):
    out[0] = _pfield_value(ic.instance, int(index))


def _p_perf(s, pc, out, index, n0, n1):
    out[0] = _pfield_value(pc.instance, int(index[()]))


defop("p", "i", "i", None, _p_init)
defop("p", "k", "k", None, None, _p_perf, python_perf=True)
defop("pcount", "i", "", None,
      lambda s, ic, out: out.__setitem__(0, len(ic.instance.pfields) if ic.instance else 0))


def _nstrnum(s, ic, out, name):
    number = ic.engine.names.get(name)
    if number is None:
        out[0] = -1.0
        raise InitError(f"nstrnum: instrument {name} is not defined")
    out[0] = number


defop("nstrnum", "i", "S", None, _nstrnum)


# ------------------------------------------------------------------ extra time and release
def _xtratim(s, ic, idur):
    if ic.instance is not None and idur > 0:
        ic.instance.add_extra_time(idur)


defop("xtratim", "", "i", None, _xtratim)


def _status_aux(s, ic, *args):
    status = ic.instance.status if ic.instance is not None else np.zeros(8)
    return (status,)


@kernel
def release_perf(s, ctx, status, out, n0, n1):
    """release: 1 while the note is in its release phase."""
    out[0] = status[0]


defop("release", "k", "", None, _status_aux, release_perf, arrays=("status",))


def _ihold(s, ic):
    if ic.instance is not None:
        ic.instance.end_block = None


defop("ihold", "", "", None, _ihold)


# ------------------------------------------------------------------ time
def _clock_aux(s, ic, *args):
    status = ic.instance.status if ic.instance is not None else np.zeros(8)
    return (ic.engine.clock, status)


@kernel
def timek_perf(s, ctx, clock, status, out, n0, n1):
    """timek: control blocks since the start of the performance."""
    out[0] = clock[0] + 1.0


@kernel
def times_perf(s, ctx, clock, status, out, n0, n1):
    """times: seconds since the start of the performance."""
    out[0] = (clock[0] + 1.0) * ctx.onedkr


@kernel
def timeinstk_perf(s, ctx, clock, status, out, n0, n1):
    """timeinstk: control blocks since the note started."""
    out[0] = status[1] + 1.0


@kernel
def timeinsts_perf(s, ctx, clock, status, out, n0, n1):
    """timeinsts: seconds since the note started."""
    out[0] = (status[1] + 1.0) * ctx.onedkr


def _time_i(seconds: bool):
    def init(s, ic, out):
        blocks = float(ic.engine.clock[0])
        out[0] = blocks * float(ic.consts.onedkr) if seconds else blocks

    return init


defop("timek", "i", "", None, _time_i(False))
defop("timek", "k", "", None, _clock_aux, timek_perf, arrays=("clock", "status"))
defop("times", "i", "", None, _time_i(True))
defop("times", "k", "", None, _clock_aux, times_perf, arrays=("clock", "status"))
defop("timeinstk", "k", "", None, _clock_aux, timeinstk_perf, arrays=("clock", "status"))
defop("timeinsts", "k", "", None, _clock_aux, timeinsts_perf, arrays=("clock", "status"))


# ------------------------------------------------------------------ evalCode's return
def _return(s, ic, value):
    ic.engine.return_value = value


defop("return", "", "i", None, _return)


# ------------------------------------------------------------------ tables from the orchestra
def _ftgen_common(ic, number, size, gen, args, reuse: bool):
    from ..gens import make_table

    engine = ic.engine
    number = int(number)
    if reuse:
        key = (size, gen, tuple(args))
        cache = engine.globals.setdefault("instrument.ftgenonce", {})
        if key in cache and engine.tables.get(cache[key]) is not None:
            return cache[key]
    if number == 0:
        number = engine.tables.next_number()
    table = make_table(number, size, gen, list(args), engine)
    engine.tables.set(table)
    engine.message(f"ftable {number}:")
    if reuse:
        engine.globals["instrument.ftgenonce"][key] = number
    return number


def _ftgen(s, ic, out, ifn, itime, isize, igen, args):
    out[0] = _ftgen_common(ic, ifn, isize, igen, args, False)


def _ftgenonce(s, ic, out, ifn, itime, isize, igen, args):
    out[0] = _ftgen_common(ic, ifn, isize, igen, args, True)


for _name, _fn in (("ftgen", _ftgen), ("ftgentmp", _ftgen), ("ftgenonce", _ftgenonce)):
    defop(_name, "i", "iiiiN", None, _fn)
    defop(_name, "i", "iiiSN", None, _fn)
