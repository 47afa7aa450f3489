"""Envelope generators: line, expon, linseg, expseg, expsega, linsegr, expsegr,
adsr, madsr, xadsr, mxadsr, linen, linenr, transeg.

Follows Csound 6.18 OOps/ugens1.c (line, expon, the segment generators, the
ADSR family, linen, linenr) and Opcodes/pitch.c (transeg).  Segment tables
are aux arrays with one row per segment; row 0 of the linseg-style tables is
Csound's empty "segment 0" that the first perf call steps out of.  Release
versions extend the note through `ic.instance.add_extra_time` and read the
note's release flag from its status array.  Segment counts are whole control
blocks (k-rate versions) or samples (a-rate versions), rounded as Csound does.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, kernel
from ..engine.context import ST_RELEASING, ST_SIZE
from ..errors import InitError
from ._registry import State, defop, f64, i64

MAXPOS = 0x7FFFFFFF
CNT, ACNT, NXT = 0, 1, 2  # columns of a linseg/expsegr segment row
VAL, MLT, AMLT = 2, 3, 4  # further columns of an expseg segment row


def _status(ic) -> np.ndarray:
    """The note's status array (a private zero one outside a note)."""
    return ic.instance.status if ic.instance is not None else np.zeros(ST_SIZE)


def _extend(ic, blocks: int) -> None:
    """Ask for `blocks` control blocks of release time (Csound's xtratim max)."""
    if ic.instance is not None and blocks > 0:
        ic.instance.add_extra_time(blocks / ic.kr)


def _p3(ic) -> float:
    """The note's duration p3 (0 outside a note)."""
    inst = ic.instance
    if inst is None:
        return 0.0
    pf = getattr(inst, "pfields", None)
    return float(pf[2]) if pf is not None and len(pf) > 2 else 0.0


def _cpow(x: float, y: float) -> float:
    """C's pow(): inf/nan instead of Python exceptions."""
    with np.errstate(all="ignore"):
        return float(np.power(np.float64(x), np.float64(y)))


def _cdiv(x: float, y: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.float64(x) / np.float64(y))


def _ktrunc(x: float) -> int:
    """(int32_t) cast of a count."""
    return int(x) if math.isfinite(x) else 0


def _breakpoints(args) -> list[float]:
    """ia, idur1, (ib, idur2, ic ...) flattened; odd count required."""
    ia, idur1, rest = args
    vals = [ia, idur1, *rest]
    if len(vals) % 2 == 0:
        raise InitError("incomplete number of input arguments")
    return vals


# ---------------------------------------------------------------- line, expon
LINE = State(val=f64, incr=f64, kincr=f64)


def line_init(s, ic, xr, ia, idur, ib):
    if idur > 0.0:
        s.incr = (ib - ia) / idur * ic.consts.onedsr
        s.kincr = s.incr * ic.ksmps
        s.val = ia


@kernel
def line_perf_k(s, ctx, kr, ia, idur, ib, n0, n1):
    """line (k): straight line, one step per block (OOps/ugens1.c kline)."""
    kr[0] = s.val
    s.val += s.kincr


@kernel
def line_perf_a(s, ctx, ar, ia, idur, ib, n0, n1):
    """line (a): straight line, one step per sample (OOps/ugens1.c aline)."""
    val, inc = s.val, s.incr
    for n in range(n0, n1):
        ar[n] = val
        val += inc
    s.val = val


defop("line", "k", "iii", LINE, line_init, line_perf_k)
defop("line", "a", "iii", LINE, line_init, line_perf_a)

EXPON = State(val=f64, mlt=f64, kmlt=f64)


def expon_init(s, ic, xr, ia, idur, ib):
    if idur > 0.0:
        if ia * ib > 0.0:
            s.mlt = _cpow(ib / ia, ic.consts.onedsr / idur)
            s.kmlt = _cpow(ib / ia, (1.0 / ic.kr) / idur)
            s.val = ia
        elif ia == 0.0:
            raise InitError("arg1 is zero")
        elif ib == 0.0:
            raise InitError("arg2 is zero")
        else:
            raise InitError("unlike signs")


@kernel
def expon_perf_k(s, ctx, kr, ia, idur, ib, n0, n1):
    """expon (k): exponential curve, one step per block (OOps/ugens1.c kexpon)."""
    kr[0] = s.val
    s.val *= s.kmlt


@kernel
def expon_perf_a(s, ctx, ar, ia, idur, ib, n0, n1):
    """expon (a): exponential curve, one step per sample (OOps/ugens1.c expon)."""
    val, mlt = s.val, s.mlt
    for n in range(n0, n1):
        ar[n] = val
        val *= mlt
    s.val = val


defop("expon", "k", "iii", EXPON, expon_init, expon_perf_k)
defop("expon", "a", "iii", EXPON, expon_init, expon_perf_a)

# ---------------------------------------------------------------- linseg family
LINSEG = State(cur=i64, segsrem=i64, curcnt=i64, curval=f64, curinc=f64, curainc=f64,
               xtra=i64)


def _linseg_table(s, ic, vals) -> np.ndarray:
    """Segment rows [cnt, acnt, nxtpt] after an empty row 0 (lsgset)."""
    nsegs = len(vals) // 2
    segs = np.zeros((nsegs + 1, 3))
    s.cur = 0
    s.xtra = -1
    if vals[1] <= 0.0:
        return segs
    s.curval = vals[0]
    s.curcnt = 0
    s.segsrem = nsegs + 1
    for i in range(nsegs):
        dur, segs[i + 1, NXT] = vals[1 + 2 * i], vals[2 + 2 * i]
        segs[i + 1, CNT] = max(_ktrunc(dur * ic.kr + 0.5), 0)
        segs[i + 1, ACNT] = max(_ktrunc(dur * ic.sr + 0.5), 0)
    return segs


def linseg_init(s, ic, out, ia, idur1, rest):
    return (_linseg_table(s, ic, _breakpoints((ia, idur1, rest))),)


def linsegr_init(s, ic, out, ia, idur1, rest):
    segs = _linseg_table(s, ic, _breakpoints((ia, idur1, rest)))
    if s.segsrem:
        s.xtra = int(segs[-1, CNT])
        _extend(ic, s.xtra)
    return segs, _status(ic)


@kernel
def linseg_perf_k(s, ctx, segs, kr, ia, idur1, rest, n0, n1):
    """linseg (k): straight segments, one step per block (OOps/ugens1.c klnseg)."""
    kr[0] = s.curval
    if s.segsrem:
        s.curcnt -= 1
        if s.curcnt <= 0:
            s.segsrem -= 1
            if s.segsrem == 0:
                s.curval = segs[s.cur, NXT]
                return
            s.cur += 1
            s.curcnt = int(segs[s.cur, CNT])
            if s.curcnt == 0:
                s.curval = segs[s.cur, NXT]
                return
            s.curinc = (segs[s.cur, NXT] - s.curval) / s.curcnt
            s.curval += s.curinc
            return
        if s.curcnt < 10:
            # compat: Csound re-aims the slope over the last 9 blocks
            s.curinc = (segs[s.cur, NXT] - s.curval) / s.curcnt
        s.curval += s.curinc


@kernel
def linseg_perf_a(s, ctx, segs, ar, ia, idur1, rest, n0, n1):
    """linseg (a): straight segments, one step per sample (OOps/ugens1.c linseg)."""
    val = s.curval
    for n in range(n0, n1):
        if s.segsrem:
            s.curcnt -= 1
            if s.curcnt <= 0:
                held = False
                while True:
                    s.segsrem -= 1
                    if s.segsrem == 0:
                        val = segs[s.cur, NXT]
                        held = True
                        break
                    s.cur += 1
                    s.curcnt = int(segs[s.cur, ACNT])
                    if s.curcnt != 0:
                        break
                    val = segs[s.cur, NXT]
                if held:
                    ar[n] = val
                    continue
                s.curainc = (segs[s.cur, NXT] - val) / s.curcnt
            ar[n] = val
            val += s.curainc
        else:
            ar[n] = val
    s.curval = val


@kernel
def linsegr_perf_k(s, ctx, segs, status, kr, ia, idur1, rest, n0, n1):
    """linsegr (k): linseg whose last segment waits for the release (klnsegr)."""
    kr[0] = s.curval
    if s.segsrem == 0:
        return
    if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
        s.cur += s.segsrem - 1
        s.segsrem = 1
        segs[s.cur, CNT] = s.xtra
    else:
        s.curcnt -= 1
        if s.curcnt > 0:
            s.curval += s.curinc
            return
        if s.segsrem == 2:
            return
        s.segsrem -= 1
        if s.segsrem == 0:
            return
        s.cur += 1
    while True:
        s.curcnt = int(segs[s.cur, CNT])
        if s.curcnt != 0:
            break
        s.curval = segs[s.cur, NXT]
        if s.segsrem == 2:
            return
        s.segsrem -= 1
        if s.segsrem == 0:
            return
        s.cur += 1
    s.curinc = (segs[s.cur, NXT] - s.curval) / s.curcnt
    s.curval += s.curinc


@kernel
def linsegr_perf_a(s, ctx, segs, status, ar, ia, idur1, rest, n0, n1):
    """linsegr (a): linseg whose last segment waits for the release (linsegr)."""
    ksmps = ctx.ksmps
    val = s.curval
    for n in range(n0, n1):
        if s.segsrem == 0:
            ar[n] = val
            continue
        newseg = False
        if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
            s.cur += s.segsrem - 1
            s.segsrem = 1
            segs[s.cur, ACNT] = s.xtra * ksmps
            newseg = True
        else:
            s.curcnt -= 1
            if s.curcnt <= 0:
                if s.segsrem == 2:
                    ar[n] = val
                    continue
                s.segsrem -= 1
                if s.segsrem == 0:
                    ar[n] = val
                    continue
                s.cur += 1
                newseg = True
        if newseg:
            held = False
            while True:
                s.curcnt = int(segs[s.cur, ACNT])
                if s.curcnt != 0:
                    break
                val = segs[s.cur, NXT]
                s.curval = val
                if s.segsrem == 2:
                    held = True
                    break
                s.segsrem -= 1
                if s.segsrem == 0:
                    held = True
                    break
                s.cur += 1
            if held:
                ar[n] = val
                continue
            s.curainc = (segs[s.cur, NXT] - val) / s.curcnt
        ar[n] = val
        if s.curainc != 0.0:
            val += s.curainc
    s.curval = val


defop("linseg", "k", "iim", LINSEG, linseg_init, linseg_perf_k, arrays=("segs",))
defop("linseg", "a", "iim", LINSEG, linseg_init, linseg_perf_a, arrays=("segs",))
defop("linsegr", "k", "iim", LINSEG, linsegr_init, linsegr_perf_k, arrays=("segs", "status"))
defop("linsegr", "a", "iim", LINSEG, linsegr_init, linsegr_perf_a, arrays=("segs", "status"))


def _adsr_table(s, ic, iatt, idec, islev, irel, idel, midi: bool) -> np.ndarray:
    """adsrset1: delay, attack, decay, sustain, release as linseg rows."""
    segs = np.zeros((6, 3))
    s.cur = 0
    if iatt <= 0.0:
        return segs
    length = _p3(ic)
    if length <= 0.0:
        length = float(int(2147483647 / ic.sr))
    kr, sr = ic.kr, ic.sr
    sus = length - idel - iatt - idec - irel
    if not midi and sus < 0.0:
        ic.warning("length of ADSR note too short")
    rows = [(idel, 0.0), (iatt, 1.0), (idec, islev), (sus, islev), (irel, 0.0)]
    for i, (dur, nxt) in enumerate(rows):
        segs[i + 1, CNT] = _ktrunc(dur * kr + 0.5)
        # compat: the delay segment's sample count is never set, so adsr:a skips it
        segs[i + 1, ACNT] = 0 if i == 0 else max(_ktrunc(dur * sr + 0.5), 0)
        segs[i + 1, NXT] = nxt
    s.curval = 0.0
    s.curcnt = 0
    s.segsrem = 6
    s.xtra = int(segs[5, CNT]) if midi else 0
    return segs


def adsr_init(s, ic, out, iatt, idec, islev, irel, idel):
    return (_adsr_table(s, ic, iatt, idec, islev, irel, idel, False),)


def madsr_init(s, ic, out, iatt, idec, islev, irel, idel, ireltim):
    segs = _adsr_table(s, ic, iatt, idec, islev, irel, idel, True)
    if s.segsrem:
        _extend(ic, s.xtra)
    return segs, _status(ic)


@kernel
def adsr_perf_k(s, ctx, segs, kr, iatt, idec, islev, irel, idel, n0, n1):
    """adsr (k): linseg built from ADSR times (OOps/ugens1.c adsrset, klnseg)."""
    linseg_perf_k(s, ctx, segs, kr, iatt, idec, (islev,), n0, n1)


@kernel
def adsr_perf_a(s, ctx, segs, ar, iatt, idec, islev, irel, idel, n0, n1):
    """adsr (a): linseg built from ADSR times (OOps/ugens1.c adsrset, linseg)."""
    linseg_perf_a(s, ctx, segs, ar, iatt, idec, (islev,), n0, n1)


@kernel
def madsr_perf_k(s, ctx, segs, status, kr, iatt, idec, islev, irel, idel, ireltim, n0, n1):
    """madsr (k): adsr whose release waits for note-off (madsrset, klnsegr)."""
    linsegr_perf_k(s, ctx, segs, status, kr, iatt, idec, (islev,), n0, n1)


@kernel
def madsr_perf_a(s, ctx, segs, status, ar, iatt, idec, islev, irel, idel, ireltim, n0, n1):
    """madsr (a): adsr whose release waits for note-off (madsrset, linsegr)."""
    linsegr_perf_a(s, ctx, segs, status, ar, iatt, idec, (islev,), n0, n1)


defop("adsr", "k", "iiiio", LINSEG, adsr_init, adsr_perf_k, arrays=("segs",))
defop("adsr", "a", "iiiio", LINSEG, adsr_init, adsr_perf_a, arrays=("segs",))
defop("madsr", "k", "iiiioj", LINSEG, madsr_init, madsr_perf_k, arrays=("segs", "status"))
defop("madsr", "a", "iiiioj", LINSEG, madsr_init, madsr_perf_a, arrays=("segs", "status"))

# ---------------------------------------------------------------- expseg family
EXPSEG = State(cur=i64)


def _exp_error(i: int, val: float, nxt: float) -> InitError:
    if val == 0.0:
        return InitError(f"ival{i + 1} is zero")
    if nxt == 0.0:
        return InitError(f"ival{i + 2} is zero")
    return InitError(f"ival{i + 2} sign conflict")


def _expseg_table(s, ic, vals, krate_rows: bool) -> np.ndarray:
    """Rows [cnt, acnt, val, mlt, amlt] (xsgset; xsgset2 when not krate_rows)."""
    nsegs = len(vals) // 2
    segs = np.zeros((nsegs, 5))
    segs[-1, CNT] = segs[-1, ACNT] = MAXPOS
    s.cur = 0
    if vals[1] <= 0.0:
        return segs
    kr, sr = ic.kr, ic.sr
    for i in range(nsegs):
        val, dur, nxt = vals[2 * i], vals[2 * i + 1], vals[2 * i + 2]
        if val * nxt <= 0.0:
            raise _exp_error(i, val, nxt)
        d = dur * (kr if krate_rows else sr)
        segs[i, VAL] = val
        segs[i, MLT] = _cpow(nxt / val, _cdiv(1.0, d))
        segs[i, CNT] = _ktrunc(d + 0.5)
        d = dur * sr
        segs[i, AMLT] = _cpow(nxt / val, _cdiv(1.0, d))
        segs[i, ACNT] = _ktrunc(d + 0.5)
    segs[-1, CNT] = MAXPOS
    segs[-1, ACNT] = MAXPOS
    return segs


def expseg_init(s, ic, out, ia, idur1, rest):
    return (_expseg_table(s, ic, _breakpoints((ia, idur1, rest)), True),)


def expsega_init(s, ic, out, ia, idur1, rest):
    return (_expseg_table(s, ic, _breakpoints((ia, idur1, rest)), False),)


@kernel
def expseg_perf_k(s, ctx, segs, kr, ia, idur1, rest, n0, n1):
    """expseg (k): exponential segments, one step per block (OOps/ugens1.c kxpseg)."""
    cur = s.cur
    segs[cur, CNT] -= 1
    while segs[cur, CNT] < 0:
        cur += 1
        segs[cur, CNT] -= 1
    kr[0] = segs[cur, VAL]
    segs[cur, VAL] *= segs[cur, MLT]
    s.cur = cur


@kernel
def expseg_perf_a(s, ctx, segs, ar, ia, idur1, rest, n0, n1):
    """expseg (a): exponential segments, one step per sample (OOps/ugens1.c expseg)."""
    cur = s.cur
    for n in range(n0, n1):
        segs[cur, ACNT] -= 1
        while segs[cur, ACNT] < 0:
            cur += 1
            segs[cur, ACNT] -= 1
        ar[n] = segs[cur, VAL]
        segs[cur, VAL] *= segs[cur, AMLT]
    s.cur = cur


@kernel
def expsega_perf(s, ctx, segs, ar, ia, idur1, rest, n0, n1):
    """expsega: exponential segments counted in samples (OOps/ugens1.c expseg2)."""
    cur = s.cur
    val = segs[cur, VAL]
    for n in range(n0, n1):
        segs[cur, CNT] -= 1
        while segs[cur, CNT] < 0:
            cur += 1
            val = segs[cur, VAL]
            segs[cur, CNT] -= 1
        ar[n] = val
        val *= segs[cur, MLT]
    segs[cur, VAL] = val
    s.cur = cur


defop("expseg", "k", "iim", EXPSEG, expseg_init, expseg_perf_k, arrays=("segs",))
defop("expseg", "a", "iim", EXPSEG, expseg_init, expseg_perf_a, arrays=("segs",))
defop("expsega", "a", "iim", EXPSEG, expsega_init, expsega_perf, arrays=("segs",))


def _xadsr_table(s, ic, iatt, idec, islev, irel, idel) -> np.ndarray:
    """xdsrset: delay, attack, decay, sustain, release as expseg rows."""
    segs = np.zeros((5, 5))
    segs[4, CNT] = MAXPOS
    s.cur = 0
    p3 = _p3(ic)
    length = 100000.0 if p3 < 0.0 else p3
    if p3 - idel - iatt - idec < 0.0:
        ic.warning("length of XADSR note too short")
    length -= irel
    release = irel
    if length < 0.0:
        release, length = p3, 0.0
    if iatt <= 0.0:
        return segs
    kr, sr = ic.kr, ic.sr
    delay, attack, decay = idel + 0.001, iatt - 0.001, idec
    # compat: Csound only shortens len when a stage overruns it
    if delay > length:
        delay = length
        length -= delay
    if attack > length:
        attack = length
        length -= attack
    if decay > length:
        decay = length
        length -= decay
    sus = length - attack - decay
    rows = [
        (0.001, delay, None, None),
        (0.001, attack, 1000.0, None),
        (1.0, decay, islev, None),
        (islev, sus, None, None),
        (islev, release, _cdiv(0.001, islev), MAXPOS),
    ]
    for i, (val, dur, ratio, cnt) in enumerate(rows):
        segs[i, VAL] = val
        if ratio is None:
            segs[i, MLT] = segs[i, AMLT] = 1.0
        else:
            segs[i, MLT] = _cpow(ratio, _cdiv(1.0, dur * kr))
            segs[i, AMLT] = _cpow(ratio, _cdiv(1.0, dur * sr))
        segs[i, CNT] = cnt if cnt is not None else _ktrunc(dur * kr + 0.5)
        segs[i, ACNT] = cnt if cnt is not None else _ktrunc(dur * sr + 0.5)
    return segs


def xadsr_init(s, ic, out, iatt, idec, islev, irel, idel):
    return (_xadsr_table(s, ic, iatt, idec, islev, irel, idel),)


@kernel
def xadsr_perf_k(s, ctx, segs, kr, iatt, idec, islev, irel, idel, n0, n1):
    """xadsr (k): expseg built from ADSR times (OOps/ugens1.c xdsrset, kxpseg)."""
    expseg_perf_k(s, ctx, segs, kr, iatt, idec, (islev,), n0, n1)


@kernel
def xadsr_perf_a(s, ctx, segs, ar, iatt, idec, islev, irel, idel, n0, n1):
    """xadsr (a): expseg built from ADSR times (OOps/ugens1.c xdsrset, expseg)."""
    expseg_perf_a(s, ctx, segs, ar, iatt, idec, (islev,), n0, n1)


defop("xadsr", "k", "iiiio", EXPSEG, xadsr_init, xadsr_perf_k, arrays=("segs",))
defop("xadsr", "a", "iiiio", EXPSEG, xadsr_init, xadsr_perf_a, arrays=("segs",))

EXPSEGR = State(cur=i64, segsrem=i64, curcnt=i64, curval=f64, curmlt=f64, curamlt=f64,
                xtra=i64)


def _expsegr_table(s, ic, vals) -> np.ndarray:
    """xsgrset: rows [cnt, acnt, nxtpt] after an empty row 0."""
    nsegs = len(vals) // 2
    segs = np.zeros((nsegs + 1, 3))
    s.cur = 0
    s.xtra = -1
    prv = vals[0]
    if vals[1] < 0.0:
        return segs
    s.curval = prv
    s.curcnt = 0
    s.segsrem = nsegs + 1
    for i in range(nsegs):
        dur, nxt = vals[1 + 2 * i], vals[2 + 2 * i]
        segs[i + 1, NXT] = nxt
        cnt = _ktrunc(dur * ic.kr + 0.5)
        if cnt <= 0:
            cnt = 0
        elif nxt * prv <= 0.0:
            raise _exp_error(i, prv, nxt)
        segs[i + 1, CNT] = cnt
        # compat: xsgrset truncates the sample count without rounding
        segs[i + 1, ACNT] = max(_ktrunc(dur * ic.sr), 0)
        prv = nxt
    s.xtra = int(segs[nsegs, CNT])
    _extend(ic, s.xtra)
    return segs


def expsegr_init(s, ic, out, ia, idur1, rest):
    return _expsegr_table(s, ic, _breakpoints((ia, idur1, rest))), _status(ic)


def mxadsr_init(s, ic, out, iatt, idec, islev, irel, idel, ireltim):
    segs = np.zeros((5, 3))
    s.cur = 0
    s.xtra = -1
    if iatt > 0.0:
        s.segsrem = 5
        s.curval = 0.001
        s.curcnt = 0
        rows = [(idel + 0.001, 0.001), (iatt - 0.001, 1.0), (idec, islev), (irel, 0.001)]
        for i, (dur, nxt) in enumerate(rows):
            segs[i + 1, CNT] = _ktrunc(dur * ic.kr + 0.5)
            segs[i + 1, ACNT] = _ktrunc(dur * ic.sr + 0.5)
            segs[i + 1, NXT] = nxt
        s.xtra = int(segs[4, CNT])
        _extend(ic, s.xtra)
    return segs, _status(ic)


@kernel
def expsegr_perf_k(s, ctx, segs, status, kr, ia, idur1, rest, n0, n1):
    """expsegr (k): expseg whose last segment waits for the release (kxpsegr)."""
    kr[0] = s.curval
    if s.segsrem == 0:
        return
    if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
        s.cur += s.segsrem - 1
        s.segsrem = 1
        segs[s.cur, CNT] = s.xtra
    else:
        s.curcnt -= 1
        if s.curcnt > 0:
            s.curval *= s.curmlt
            return
        if s.segsrem == 2:
            return
        s.segsrem -= 1
        if s.segsrem == 0:
            return
        s.cur += 1
    while True:
        s.curcnt = int(segs[s.cur, CNT])
        if s.curcnt != 0:
            break
        s.curval = segs[s.cur, NXT]
        if s.segsrem == 2:
            return
        s.segsrem -= 1
        if s.segsrem == 0:
            return
        s.cur += 1
    nxt = segs[s.cur, NXT]
    if nxt == s.curval:
        s.curmlt = 1.0
    else:
        s.curmlt = (nxt / s.curval) ** (1.0 / s.curcnt)
    s.curval *= s.curmlt


@kernel
def expsegr_perf_a(s, ctx, segs, status, ar, ia, idur1, rest, n0, n1):
    """expsegr (a): expseg whose last segment waits for the release (expsegr)."""
    ksmps = ctx.ksmps
    val = s.curval
    for n in range(n0, n1):
        if s.segsrem == 0:
            ar[n] = val
            continue
        newseg = False
        if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
            s.cur += s.segsrem - 1
            s.segsrem = 1
            segs[s.cur, ACNT] = s.xtra * ksmps
            newseg = True
        else:
            s.curcnt -= 1
            if s.curcnt <= 0:
                if s.segsrem == 2:
                    ar[n] = val
                    continue
                s.segsrem -= 1
                if s.segsrem == 0:
                    ar[n] = val
                    continue
                s.cur += 1
                newseg = True
        if newseg:
            held = False
            while True:
                s.curcnt = int(segs[s.cur, ACNT])
                if s.curcnt != 0:
                    break
                val = segs[s.cur, NXT]
                s.curval = val
                if s.segsrem == 2:
                    held = True
                    break
                s.segsrem -= 1
                if s.segsrem == 0:
                    held = True
                    break
                s.cur += 1
            if held:
                ar[n] = val
                continue
            nxt = segs[s.cur, NXT]
            if nxt == val:
                s.curmlt = 1.0
                s.curamlt = 1.0
                s.curval = val
                ar[n] = val
                continue
            s.curamlt = (nxt / val) ** (1.0 / s.curcnt)
        ar[n] = val
        if s.curamlt != 1.0:
            val *= s.curamlt
    s.curval = val


@kernel
def mxadsr_perf_k(s, ctx, segs, status, kr, iatt, idec, islev, irel, idel, ireltim, n0, n1):
    """mxadsr (k): exponential ADSR released at note-off (mxdsrset, kxpsegr)."""
    expsegr_perf_k(s, ctx, segs, status, kr, iatt, idec, (islev,), n0, n1)


@kernel
def mxadsr_perf_a(s, ctx, segs, status, ar, iatt, idec, islev, irel, idel, ireltim, n0, n1):
    """mxadsr (a): exponential ADSR released at note-off (mxdsrset, expsegr)."""
    expsegr_perf_a(s, ctx, segs, status, ar, iatt, idec, (islev,), n0, n1)


defop("expsegr", "k", "iim", EXPSEGR, expsegr_init, expsegr_perf_k, arrays=("segs", "status"))
defop("expsegr", "a", "iim", EXPSEGR, expsegr_init, expsegr_perf_a, arrays=("segs", "status"))
defop("mxadsr", "k", "iiiioj", EXPSEGR, mxadsr_init, mxadsr_perf_k, arrays=("segs", "status"))
defop("mxadsr", "a", "iiiioj", EXPSEGR, mxadsr_init, mxadsr_perf_a, arrays=("segs", "status"))

# ---------------------------------------------------------------- linen, linenr
LINEN = State(lin1=f64, inc1=f64, lin2=f64, inc2=f64, cnt1=i64, cnt2=i64)


def _linen_setup(s, ic, iris, idur, idec, rate: float, warn: bool = True) -> None:
    if idur <= 0.0:
        return
    if _p3(ic) < max(iris, idec) and ic.instance is not None:
        ic.warning("p3 too short in linen")
    s.cnt1 = _ktrunc(iris * rate + 0.5)
    s.inc1 = 1.0 / s.cnt1 if s.cnt1 > 0 else 1.0
    a = idur * rate + 0.5
    b = idec * rate + 0.5
    if _ktrunc(b) > 0:
        s.cnt2 = _ktrunc(a - b)
        # compat: the decay step divides by the rounded-up count, not the integer one
        s.inc2 = 1.0 / b
    else:
        s.inc2 = 1.0
        s.cnt2 = _ktrunc(a)
    s.lin1 = 0.0
    s.lin2 = 1.0


def linen_init_k(s, ic, out, xamp, iris, idur, idec):
    _linen_setup(s, ic, iris, idur, idec, ic.kr)


def linen_init_a(s, ic, out, xamp, iris, idur, idec):
    _linen_setup(s, ic, iris, idur, idec, ic.sr)


@kernel
def linen_perf(s, ctx, out, xamp, iris, idur, idec, n0, n1):
    """linen: linear rise, then decay that keeps falling (OOps/ugens1.c klinen, linen)."""
    lin1, lin2, cnt1, cnt2 = s.lin1, s.lin2, s.cnt1, s.cnt2
    for n in range(n0, n1):
        fact = 1.0
        if cnt1 > 0:
            fact = lin1
            lin1 += s.inc1
            cnt1 -= 1
        if cnt2 > 0:
            cnt2 -= 1
        else:
            fact *= lin2
            lin2 -= s.inc2
        out[n] = at(xamp, n) * fact
    s.lin1, s.lin2, s.cnt1, s.cnt2 = lin1, lin2, cnt1, cnt2


defop("linen", "k", "kiii", LINEN, linen_init_k, linen_perf)
defop("linen", "a", "aiii", LINEN, linen_init_a, linen_perf)
defop("linen", "a", "kiii", LINEN, linen_init_a, linen_perf)

LINENR = State(lin1=f64, inc1=f64, val=f64, val2=f64, mlt2=f64, cnt1=i64)


def _linenr_setup(s, ic, iris, idec, iatdec, arate: bool):
    s.cnt1 = _ktrunc(iris * ic.sr) if arate else _ktrunc(iris * ic.kr + 0.5)
    if s.cnt1 > 0:
        s.inc1 = 1.0 / s.cnt1
        s.val = 0.0
    else:
        s.inc1 = s.val = 1.0
    if idec > 0.0:
        _extend(ic, _ktrunc(idec * ic.kr + 0.5))
        if iatdec <= 0.0:
            raise InitError("non-positive iatdec")
        step = ic.consts.onedsr if arate else 1.0 / ic.kr
        s.mlt2 = _cpow(iatdec, step / idec)
    else:
        s.mlt2 = 1.0
    s.lin1 = 0.0
    s.val2 = 1.0
    return (_status(ic),)


def linenr_init_k(s, ic, out, xamp, iris, idec, iatdec):
    return _linenr_setup(s, ic, iris, idec, iatdec, False)


def linenr_init_a(s, ic, out, xamp, iris, idec, iatdec):
    return _linenr_setup(s, ic, iris, idec, iatdec, True)


@kernel
def linenr_perf_k(s, ctx, status, kr, xamp, iris, idec, iatdec, n0, n1):
    """linenr (k): linear rise, exponential decay after note-off (klinenr)."""
    fact = 1.0
    if s.cnt1 > 0:
        fact = s.lin1
        s.lin1 += s.inc1
        s.cnt1 -= 1
    if status[ST_RELEASING] != 0.0:
        fact *= s.val2
        s.val2 *= s.mlt2
    kr[0] = at(xamp, 0) * fact


@kernel
def linenr_perf_a(s, ctx, status, ar, xamp, iris, idec, iatdec, n0, n1):
    """linenr (a): linear rise, exponential decay after note-off (linenr)."""
    val, val2 = s.val, s.val2
    releasing = status[ST_RELEASING] != 0.0
    # compat: once set, Csound's flag stays on for the rest of the block
    flag = False
    for n in range(n0, n1):
        if s.cnt1 > 0:
            flag = True
            val = s.lin1
            s.lin1 += s.inc1
            s.cnt1 -= 1
        if releasing:
            flag = True
            val = val2 if s.cnt1 == 0 else val * val2
            val2 *= s.mlt2
        ar[n] = at(xamp, n) * val if flag else at(xamp, n)
    s.val, s.val2 = val, val2


defop("linenr", "k", "kiii", LINENR, linenr_init_k, linenr_perf_k, arrays=("status",))
defop("linenr", "a", "aiii", LINENR, linenr_init_a, linenr_perf_a, arrays=("status",))
defop("linenr", "a", "kiii", LINENR, linenr_init_a, linenr_perf_a, arrays=("status",))
