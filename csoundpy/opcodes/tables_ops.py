"""Table access: `table tablei table3` (i, k, a), their k-rate-table-number
forms `tablekt tableikt table3kt`, the writers `tablew tableiw tablewkt`, and
table queries `ftlen ftchnls ftsr ftlptim nsamp tableng`.

Follows Csound 6.18's OOps/ugtabs.c (the readers and writers the opcode table
uses) and OOps/aops.c (queries).  Indexing: (index + ixoff) * (ixmode ? flen : 1),
floored; wrapped modulo flen or clamped to [0, flen-1]; tablei reads the guard
point, table3 falls back to linear interpolation at both ends.  Table numbers
are rounded to the nearest integer as Csound's MYFLT2LONG does.  Opcodes with
a k-rate table number look the table up every block (a Python perf step that
calls the same jitted readers).
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64

RAW, LINEAR, CUBIC = 0, 1, 2

TABL = State(kind=i64, mul=f64, len=i64, mask=i64, wrap=i64)


def _find(engine, ifn: float):
    """The table `ifn` (rounded), or None."""
    return engine.tables.get(int(np.rint(ifn))) if ifn >= 0.5 else None


def _not_found(ifn: float) -> str:
    return f"table: could not find ftable {math.trunc(ifn)}"


def _setup(s, table, kind: int, ixmode: float, iwrap: float) -> None:
    """ugtabs.c tabl_setup: cache the table's length, mask and index scale."""
    s.kind = kind
    s.len = table.size
    s.mask = table.size - 1 if table.is_pow2 else -1
    s.mul = float(table.size) if ixmode != 0.0 else 1.0
    s.wrap = math.trunc(iwrap)


@helper
def _wrap(ndx, length, mask, wrap):
    """Wrap (modulo flen) or clamp an integer index as ugtabs.c does."""
    if wrap:
        if mask < 0:
            return ndx % length
        return ndx & mask
    if ndx >= length:
        return length - 1
    if ndx < 0:
        return 0
    return ndx


@helper
def _read(ft, kind, x, mul, length, mask, wrap, audio):
    """One table read at index x (before offset scaling) of the given kind."""
    tmp = x * mul
    fl = math.floor(tmp)
    ndx = int(fl)
    frac = tmp - fl
    ndx = _wrap(ndx, length, mask, wrap)
    if kind == RAW:
        return ft[ndx]
    if kind == CUBIC and not (ndx < 1 or ndx == length - 1 or length < 4):
        x0 = ft[ndx - 1]
        x1 = ft[ndx]
        x2 = ft[ndx + 1]
        x3 = ft[ndx + 2]
        fracsq = frac * frac
        fracub = fracsq * x0
        # compat: the a-rate table3 sums x1 three times, the others multiply by 3
        temp1 = x3 + x1 + x1 + x1 if audio else x3 + 3.0 * x1
        return (x1 + 0.5 * fracub + frac * (x2 - fracub / 6.0 - temp1 / 6.0 - x0 / 3.0)
                + frac * fracsq * (temp1 / 6.0 - 0.5 * x2) + fracsq * (0.5 * x2 - x1))
    x1 = ft[ndx]
    return x1 + (ft[ndx + 1] - x1) * frac


def _reader_i(kind: int):
    def init(s, ic, out, indx, ifn, ixmode, ixoff, iwrap):
        table = _find(ic.engine, ifn)
        if table is None:
            raise InitError(_not_found(ifn))
        n = table.size
        mask = n - 1 if table.is_pow2 else -1
        # compat: the i-rate readers test iwrap as a float, the others truncate it
        out[0] = _read(table.data, kind, indx + ixoff, float(n) if ixmode else 1.0, n, mask,
                       iwrap != 0.0, False)
    return init


def _reader(kind: int, rate: str):
    def init(s, ic, out, xndx, ifn, ixmode, ixoff, iwrap):
        if is_audio(xndx) != (rate == "a") and ic.ksmps != 1:
            raise InitError("table: index type inconsistent with output")
        table = _find(ic.engine, ifn)
        if table is None:
            raise InitError(_not_found(ifn))
        _setup(s, table, kind, ixmode, iwrap)
        return (table.data,)
    return init


@kernel
def table_perf_k(s, ctx, ft, kr, xndx, ifn, ixmode, ixoff, iwrap, n0, n1):
    """table, tablei, table3 (k): read the table at a k-rate index (ugtabs.c)."""
    kr[0] = _read(ft, s.kind, at(xndx, 0) + at(ixoff, 0), s.mul, s.len, s.mask, s.wrap,
                  False)


@kernel
def table_perf_a(s, ctx, ft, ar, xndx, ifn, ixmode, ixoff, iwrap, n0, n1):
    """table, tablei, table3 (a): read the table at an a-rate index (ugtabs.c)."""
    off = at(ixoff, 0)
    for n in range(n0, n1):
        ar[n] = _read(ft, s.kind, at(xndx, n) + off, s.mul, s.len, s.mask, s.wrap, True)


for _name, _kind in (("table", RAW), ("tablei", LINEAR), ("table3", CUBIC)):
    defop(_name, "i", "iiooo", TABL, _reader_i(_kind), None, flags=("table_read",))
    defop(_name, "k", "xiooo", TABL, _reader(_kind, "k"), table_perf_k, arrays=("ft",),
          flags=("table_read",))
    defop(_name, "a", "xiooo", TABL, _reader(_kind, "a"), table_perf_a, arrays=("ft",),
          flags=("table_read",))

# ------------------------------------------------- k-rate table number


def _reader_kt(kind: int, rate: str):
    def init(s, ic, out, xndx, kfn, ixmode, ixoff, iwrap):
        if is_audio(xndx) != (rate == "a") and ic.ksmps != 1:
            raise InitError("tablekt: index type inconsistent with output")
        s.kind = kind
        s.wrap = math.trunc(iwrap)
    return init


def _lookup_kt(s, pc, kfn, ixmode):
    """ugtabs.c tablerkt_*: find the table of this block and rescale the index."""
    fn = float(at(kfn, 0))
    table = _find(pc.engine, fn)
    if table is None:
        raise PerfError(_not_found(fn))
    s.len = table.size
    s.mask = table.size - 1 if table.is_pow2 else -1
    s.mul = float(table.size) if at(ixmode, 0) != 0.0 else 1.0
    return table.data


def tablekt_python_k(s, pc, kr, xndx, kfn, ixmode, ixoff, iwrap, n0, n1):
    """tablekt, tableikt, table3kt (k): read a table chosen at k-rate."""
    ft = _lookup_kt(s, pc, kfn, ixmode)
    table_perf_k(s, pc.consts, ft, kr, xndx, kfn, ixmode, ixoff, iwrap, n0, n1)


def tablekt_python_a(s, pc, ar, xndx, kfn, ixmode, ixoff, iwrap, n0, n1):
    """tablekt, tableikt, table3kt (a): read a table chosen at k-rate."""
    ft = _lookup_kt(s, pc, kfn, ixmode)
    table_perf_a(s, pc.consts, ft, ar, xndx, kfn, ixmode, ixoff, iwrap, n0, n1)


for _name, _kind in (("tablekt", RAW), ("tableikt", LINEAR), ("table3kt", CUBIC)):
    defop(_name, "k", "xkooo", TABL, _reader_kt(_kind, "k"), tablekt_python_k, python_perf=True,
          flags=("table_read",))
    defop(_name, "a", "xkooo", TABL, _reader_kt(_kind, "a"), tablekt_python_a, python_perf=True,
          flags=("table_read",))

# ---------------------------------------------------------------- writers


@helper
def _write(ft, value, x, mul, length, mask, wrap):
    """ugtabs.c tablew: store value at index x; iwrap 2 rounds and keeps the guard."""
    ndx = int(math.floor(x * mul + (0.5 if wrap == 2 else 0.0)))
    ndx = _wrap(ndx, length, mask, wrap)
    ft[ndx] = value
    if ndx == 0 and wrap == 2:
        ft[length] = value


def tablew_init_i(s, ic, isig, indx, ifn, ixmode, ixoff, iwgmode):
    table = _find(ic.engine, ifn)
    if table is None:
        raise InitError(_not_found(ifn))
    n = table.size
    _write(table.data, isig, indx + ixoff, float(n) if ixmode else 1.0, n,
           n - 1 if table.is_pow2 else -1, math.trunc(iwgmode))


def tablew_init(s, ic, xsig, xndx, ifn, ixmode, ixoff, iwgmode):
    table = _find(ic.engine, ifn)
    if table is None:
        raise InitError(_not_found(ifn))
    _setup(s, table, RAW, ixmode, iwgmode)
    return (table.data,)


@kernel
def tablew_perf(s, ctx, ft, xsig, xndx, ifn, ixmode, ixoff, iwgmode, n0, n1):
    """tablew (k, a): write the signal into the table (ugtabs.c tablew_kontrol/audio)."""
    off = at(ixoff, 0)
    for n in range(n0, n1):
        _write(ft, at(xsig, n), at(xndx, n) + off, s.mul, s.len, s.mask, s.wrap)


@kernel
def tablew_perf_k(s, ctx, ft, ksig, kndx, ifn, ixmode, ixoff, iwgmode, n0, n1):
    """tablew (k): write one value per block (ugtabs.c tablew_kontrol)."""
    _write(ft, at(ksig, 0), at(kndx, 0) + at(ixoff, 0), s.mul, s.len, s.mask, s.wrap)


def tablewkt_init(s, ic, xsig, xndx, kfn, ixmode, ixoff, iwgmode):
    s.wrap = math.trunc(iwgmode)


def tablewkt_python(s, pc, xsig, xndx, kfn, ixmode, ixoff, iwgmode, n0, n1):
    """tablewkt (k, a): write into a table chosen at k-rate."""
    ft = _lookup_kt(s, pc, kfn, ixmode)
    perf = tablew_perf if is_audio(xsig) else tablew_perf_k
    perf(s, pc.consts, ft, xsig, xndx, kfn, ixmode, ixoff, iwgmode, n0, n1)


defop("tablew", "", "iiiooo", TABL, tablew_init_i, None, flags=("table_write",))
defop("tableiw", "", "iiiooo", TABL, tablew_init_i, None, flags=("table_write",))
defop("tablew", "", "kkiooo", TABL, tablew_init, tablew_perf_k, arrays=("ft",),
      flags=("table_write",))
defop("tablew", "", "aaiooo", TABL, tablew_init, tablew_perf, arrays=("ft",),
      flags=("table_write",))
defop("tablewkt", "", "kkkooo", TABL, tablewkt_init, tablewkt_python, python_perf=True,
      flags=("table_write",))
defop("tablewkt", "", "aakooo", TABL, tablewkt_init, tablewkt_python, python_perf=True,
      flags=("table_write",))

# ---------------------------------------------------------------- queries


def _query(field):
    def init(s, ic, out, ifn):
        table = _find(ic.engine, ifn)
        if table is None:
            raise InitError(f"Invalid ftable no. {ifn:f}")
        out[0] = field(ic, table)
    return init


def _ftlptim(ic, table) -> float:
    if table.loop_mode1:
        return table.begin1 * float(ic.consts.onedsr)
    ic.warning("non-looping sample")
    return 0.0


defop("ftlen", "i", "i", State(), _query(lambda ic, t: float(t.size)), None)
defop("ftchnls", "i", "i", State(), _query(lambda ic, t: float(t.nchnls)), None)
defop("ftsr", "i", "i", State(), _query(lambda ic, t: float(t.sr)), None)
defop("nsamp", "i", "i", State(), _query(lambda ic, t: float(t.sound_frames)), None)
defop("ftlptim", "i", "i", State(), _query(_ftlptim), None)


def tableng_init(s, ic, out, kfn):
    table = _find(ic.engine, kfn)
    if table is None:
        ic.warning(_not_found(kfn))
        out[0] = -1.0
    else:
        out[0] = float(table.size)


def tableng_python(s, pc, kr, kfn, n0, n1):
    """tableng (k): length of a table chosen at k-rate."""
    tableng_init(s, pc, kr, float(at(kfn, 0)))


defop("tableng", "i", "i", State(), tableng_init, None)
defop("tableng", "k", "k", State(), None, tableng_python, python_perf=True)
