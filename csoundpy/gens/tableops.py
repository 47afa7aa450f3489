"""GENs built from other tables or from tuning data: 04 (normalising function),
18 (table mix), 24 (rescaled copy), 51 (micro-tuning), 52 (interleave).
Csound 6.18 Engine/fgens.c."""

from __future__ import annotations

import numpy as np

from ..errors import InitError
from ._base import GenCall, c_int, c_lrint, cpow


def find_table(call: GenCall, fno: float):
    """An existing power-of-two table, as Csound's csoundFTFind demands."""
    table = call.env.tables.get(int(fno)) if c_int(fno) > 0 else None
    if table is None:
        raise InitError(f"Invalid ftable no. {float(fno):f}")
    if table.extra.get("deferred"):
        raise InitError(f"deferred-size ftable {float(fno):f} illegal here")
    if not table.is_pow2:
        raise InitError("illegal table length")
    return table


def _source(call: GenCall, text: str):
    table = call.env.tables.get(c_int(call.p(0))) if c_int(call.p(0)) > 0 else None
    if table is None:
        raise call.error(text)
    return table


def gen04(call: GenCall) -> None:
    """Normalising function: 1 / running peak of a source table (for tableseg-like use)."""
    if call.nargs < 2:
        raise call.error("insufficient arguments")
    src = _source(call, "unknown srctable number").data
    flen = call.flen
    if not call.p(1):
        srcpts, start = len(src) - 1, 0
    else:
        srcpts = (len(src) - 1) >> 1
        start = srcpts
    ratio = srcpts // flen
    if ratio < 1:
        raise call.error("table size too large")
    count = flen * ratio
    fwd = np.abs(src[start + 1:start + 1 + count])
    if call.p(1):
        back = np.abs(src[start - count:start][::-1])
        steps = np.empty(2 * count)
        steps[0::2], steps[1::2] = fwd, back
        per_block = 2 * ratio
    else:
        steps, per_block = fwd, ratio
    peaks = np.maximum.accumulate(np.concatenate(([abs(src[start])], steps)))
    peaks = peaks[::per_block]
    with np.errstate(divide="ignore"):
        call.data[:] = np.where(peaks > 0.0, 1.0 / peaks, 1.0)
    call.guardreq = True
    call.rescale = False


def gen18(call: GenCall) -> None:
    """Weighted mix of existing tables into index ranges: fn amp start finish ..."""
    if call.nargs >> 2 <= 0:
        raise call.error("wrong number of args")
    dst = call.data
    for c in range(call.nargs >> 2):
        fn, amp = call.p(4 * c), call.p(4 * c + 1)
        start, finish = c_int(call.p(4 * c + 2)), c_int(call.p(4 * c + 3))
        if start > call.flen or finish >= call.flen:
            raise call.error("a range given exceeds table length")
        try:
            src = find_table(call, fn)
        except InitError:
            raise call.error("an input function does not exist") from None
        fp = src.data
        fnlen = src.size - 1
        span = float(finish - start)
        j = np.arange(start, finish + 1, dtype=np.int64)
        with np.errstate(all="ignore"):
            frac, whole = np.modf((fnlen * (j - start)) / span)
        ii = np.nan_to_num(whole, nan=0.0).astype(np.int64)
        nxt = np.minimum(ii + 1, src.size)
        interp = frac * (fp[nxt] - fp[ii]) + fp[ii]
        dst[start:finish + 1] += amp * np.where(ii == src.size, fp[ii], interp)


def gen24(call: GenCall) -> None:
    """Copy of a table rescaled to [min, max]."""
    if call.nargs < 3:
        raise call.error("insufficient arguments")
    src = _source(call, "unknown srctable number")
    if src.size != call.flen:
        raise call.error("table size must be the same of source table")
    vals = src.data[:src.size]
    lo, hi = float(vals.min()), float(vals.max())
    new_min, new_max = call.p(1), call.p(2)
    with np.errstate(all="ignore"):
        ratio = (new_max - new_min) / np.float64(hi - lo)
        call.data[:call.flen] = (vals - lo) * ratio + new_min
    call.data[call.flen] = call.data[call.flen - 1]


def gen51(call: GenCall) -> None:
    """Micro-tuning table: ngrades interval basefreq basekey ratio1 ratio2 ..."""
    numgrades, interval = c_int(call.p(0)), call.p(1)
    basefreq, basekey = call.p(2), c_int(call.p(3))
    if call.nargs - 4 < numgrades:
        raise call.error("GEN51: invalid number of p-fields (too few grades)")
    for j in range(call.flen):
        if j < basekey:
            note = basekey - j
            grade = (numgrades - (note % numgrades)) % numgrades
            factor = -float((note + numgrades - 1) // numgrades)
        else:
            note = j - basekey
            grade = note % numgrades
            factor = float(note // numgrades)
        call.data[j] = call.p(4 + grade) * cpow(interval, factor) * basefreq


def gen52(call: GenCall) -> None:
    """Interleave tables: nchnls, then fsrc offset step per channel."""
    if call.nargs < 4:
        raise call.error("insufficient gen arguments")
    nchn = c_lrint(call.p(0))
    if nchn * 3 + 1 != call.nargs:
        raise call.error("number of channels inconsistent with number of args")
    length = (call.flen // nchn) * nchn
    dst = call.data
    for n in range(nchn):
        src = find_table(call, call.p(3 * n + 1))
        j, k = c_lrint(call.p(3 * n + 2)), c_lrint(call.p(3 * n + 3))
        idx = j + k * np.arange(len(range(n, length, nchn)), dtype=np.int64)
        ok = (idx >= 0) & (idx < src.size)
        dst[n:length:nchn] = np.where(ok, src.data[np.clip(idx, 0, src.size)], 0.0)
