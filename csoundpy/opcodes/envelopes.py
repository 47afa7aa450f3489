"""Envelope generators: line, expon, linseg, linsegb, expseg, expsegb, expsega,
expsegba, linsegr, expsegr, adsr, madsr, xadsr, mxadsr, linen, linenr, transeg,
transegb, transegr, cosseg, cossegb, cossegr, envlpx, envlpxr.

Follows Csound 6.18 OOps/ugens1.c (line, expon, the segment generators and
their breakpoint versions, the ADSR family, linen, linenr, cosseg, envlpx) and
Opcodes/pitch.c (transeg).  Segment tables are aux arrays with one row per
segment; row 0 of the linseg-style tables is Csound's empty "segment 0" that
the first perf call steps out of.  Release versions extend the note through
`ic.instance.add_extra_time` and read the note's release flag from its status
array (and, where Csound uses the note's xtratim, status[ST_XTRA_BLOCKS]).
Segment counts are whole control blocks (k-rate versions) or samples (a-rate
versions), rounded as Csound does; Csound's oddities (transegb:a jumping to
its end, linsegb:a counting from the note start...) are kept and tagged.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import MAXLEN, ST_RELEASING, ST_SIZE, ST_XTRA_BLOCKS
from ..errors import InitError
from ._registry import NativeInit, State, defop, f64, i64

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


def _odd_integer(y: float) -> bool:
    """Whether y is an odd integer (C's pow then keeps the sign of the base)."""
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def _cpow(x: float, y: float) -> float:
    """The C library's pow(), as Csound and numba's `math.pow` call it (numpy's
    differs in the last bit for some inputs): `math.pow` calls it, but raises
    where C returns inf (overflow, zero to a negative power) or nan."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0.0 and _odd_integer(y) else math.inf
    except ValueError:
        if x == 0.0:
            return math.copysign(math.inf, x) if _odd_integer(y) else math.inf
        return math.nan


def _cdiv(x: float, y: float) -> float:
    with np.errstate(all="ignore"):
        return float(np.float64(x) / np.float64(y))


def _ktrunc(x: float) -> int:
    """(int32_t) cast of a count."""
    return int(x) if math.isfinite(x) else 0


EXACT = 2.0 ** 52  # counts below this survive float <-> int round trips exactly


@helper
def _trunc_f(x):
    """`_ktrunc(x)` as the float a segment row stores (exact at any size)."""
    return np.trunc(x) + 0.0 if math.isfinite(x) else 0.0


@helper
def _count_f(x):
    """`max(_ktrunc(x), 0)` as the float a segment row stores."""
    return max(_trunc_f(x), 0.0)


@helper
def _lrint_f(x):
    """`_lrint(x)` as the float a segment row stores."""
    return np.rint(x) + 0.0 if math.isfinite(x) else 0.0


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
def line_init_native(s, ctx, tabs, xr, ia, idur, ib):
    """`line_init` for compiled note starts."""
    if idur > 0.0:
        s.incr = (ib - ia) / idur * ctx.onedsr
        s.kincr = s.incr * ctx.ksmps
        s.val = ia
    return 0


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


defop("line", "k", "iii", LINE, line_init, line_perf_k,
      native_init=NativeInit(line_init_native))
defop("line", "a", "iii", LINE, line_init, line_perf_a,
      native_init=NativeInit(line_init_native))

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
def expon_init_native(s, ctx, tabs, xr, ia, idur, ib):
    """`expon_init` for compiled note starts."""
    if idur > 0.0:
        if not ia * ib > 0.0:
            return 1  # Python's init errors: a zero argument or unlike signs
        s.mlt = math.pow(ib / ia, ctx.onedsr / idur)
        s.kmlt = math.pow(ib / ia, (1.0 / ctx.kr) / idur)
        s.val = ia
    return 0


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


defop("expon", "k", "iii", EXPON, expon_init, expon_perf_k,
      native_init=NativeInit(expon_init_native))
defop("expon", "a", "iii", EXPON, expon_init, expon_perf_a,
      native_init=NativeInit(expon_init_native))

# ---------------------------------------------------------------- linseg family
LINSEG = State(cur=i64, segsrem=i64, curcnt=i64, curval=f64, curinc=f64, curainc=f64,
               xtra=i64)


def _linseg_table(s, ic, vals) -> np.ndarray:
    """Segment rows [cnt, acnt, nxtpt] after an empty row 0 (lsgset)."""
    nsegs = len(vals) // 2
    segs = ic.zeros((nsegs + 1, 3))
    s.cur = 0
    s.xtra = -1
    if vals[1] <= 0.0:
        return segs
    s.curval = vals[0]
    s.curcnt = 0
    s.segsrem = nsegs + 1
    kr, sr = ic.kr, ic.sr
    for i in range(nsegs):
        dur, segs[i + 1, NXT] = vals[1 + 2 * i], vals[2 + 2 * i]
        segs[i + 1, CNT] = max(_ktrunc(dur * kr + 0.5), 0)
        segs[i + 1, ACNT] = max(_ktrunc(dur * sr + 0.5), 0)
    return segs


def linseg_init(s, ic, out, ia, idur1, rest):
    return (_linseg_table(s, ic, _breakpoints((ia, idur1, rest))),)


@helper
def _count_native(x):
    """`max(_ktrunc(x), 0)`; -1 where the int64 cast would not be Python's."""
    if not math.isfinite(x):
        return 0
    if abs(x) >= 4.0e18:
        return -1
    return max(int(x), 0)


@kernel
def linseg_init_native(s, ctx, tabs, segs, out, ia, idur1, rest):
    """`linseg_init` for compiled note starts (`_linseg_table`)."""
    if len(rest) == 0:
        return 1  # first, so that numba never types rest[i] on an empty tuple
    if len(rest) % 2 == 0:
        return 1  # an incomplete breakpoint list: Python's init error
    segs[:, :] = 0.0
    s.cur = 0
    s.xtra = -1
    if idur1 <= 0.0:
        return 0
    nsegs = (len(rest) + 2) // 2
    for i in range(nsegs):
        dur = idur1 if i == 0 else rest[2 * i - 1]
        cnt = _count_native(dur * ctx.kr + 0.5)
        acnt = _count_native(dur * ctx.sr + 0.5)
        if cnt < 0 or acnt < 0:
            return 1
        segs[i + 1, NXT] = rest[2 * i]
        segs[i + 1, CNT] = cnt
        segs[i + 1, ACNT] = acnt
    s.curval = ia
    s.curcnt = 0
    s.segsrem = nsegs + 1
    return 0


def _linseg_shape(nins: int) -> tuple[int, int]:
    return (nins // 2 + 1, 3)


_LINSEG_NATIVE = NativeInit(linseg_init_native, (), (("scratch", _linseg_shape),))


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


_SAME, _NEWSEG, _HOLD = 0, 1, 2


@helper
def _release_step(s, segs, status, ksmps, val):
    """One sample of the a-rate *segr segment walk: (_SAME | _NEWSEG | _HOLD, value).
    On release the walk jumps to the last segment, stretched to the extra time."""
    if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
        s.cur += s.segsrem - 1
        s.segsrem = 1
        segs[s.cur, ACNT] = s.xtra * ksmps
    else:
        s.curcnt -= 1
        if s.curcnt > 0:
            return _SAME, val
        if s.segsrem == 2:
            return _HOLD, val
        s.segsrem -= 1
        if s.segsrem == 0:
            return _HOLD, val
        s.cur += 1
    while True:
        s.curcnt = int(segs[s.cur, ACNT])
        if s.curcnt != 0:
            return _NEWSEG, val
        val = segs[s.cur, NXT]
        s.curval = val
        if s.segsrem == 2:
            return _HOLD, val
        s.segsrem -= 1
        if s.segsrem == 0:
            return _HOLD, val
        s.cur += 1


@kernel
def linsegr_perf_a(s, ctx, segs, status, ar, ia, idur1, rest, n0, n1):
    """linsegr (a): linseg whose last segment waits for the release (linsegr)."""
    ksmps = ctx.ksmps
    val = s.curval
    for n in range(n0, n1):
        if s.segsrem == 0:
            ar[n] = val
            continue
        step, val = _release_step(s, segs, status, ksmps, val)
        if step == _HOLD:
            ar[n] = val
            continue
        if step == _NEWSEG:
            s.curainc = (segs[s.cur, NXT] - val) / s.curcnt
        ar[n] = val
        if s.curainc != 0.0:
            val += s.curainc
    s.curval = val


defop("linseg", "k", "iim", LINSEG, linseg_init, linseg_perf_k, arrays=("segs",),
      flags=("note_local",), native_init=_LINSEG_NATIVE)
defop("linseg", "a", "iim", LINSEG, linseg_init, linseg_perf_a, arrays=("segs",),
      flags=("note_local",), native_init=_LINSEG_NATIVE)
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
defop("madsr", "k", "iiiioj", LINSEG, madsr_init, madsr_perf_k, arrays=("segs", "status"),
      flags=("note_local",))
defop("madsr", "a", "iiiioj", LINSEG, madsr_init, madsr_perf_a, arrays=("segs", "status"),
      flags=("note_local",))

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
    segs = ic.zeros((nsegs, 5))
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
def expseg_init_native(s, ctx, tabs, krate_rows, bkpt, segs, out, ia, idur1, rest):
    """`expseg_init`, `expsega_init` (without `krate_rows`) for compiled note
    starts (`_expseg_table`); with `bkpt`, `expsegb_init` and `expsegba_init`
    (`_bkpt_durations` first)."""
    if len(rest) == 0:
        return 1  # first, so that numba never types rest[i] on an empty tuple
    if len(rest) % 2 == 0:
        return 1  # an incomplete breakpoint list: Python's init error
    nsegs = (len(rest) + 2) // 2
    segs[:, :] = 0.0
    segs[nsegs - 1, CNT] = MAXPOS
    segs[nsegs - 1, ACNT] = MAXPOS
    s.cur = 0
    if idur1 <= 0.0:
        return 0
    rate = ctx.kr if krate_rows else ctx.sr
    total = 0.0
    val = ia
    for i in range(nsegs):
        dur = idur1 if i == 0 else rest[2 * i - 1]
        nxt = rest[2 * i]
        if bkpt:
            if dur < total:
                return 1  # Python's breakpoint time error
            dur -= total
            total += dur
        if val * nxt <= 0.0:
            return 1  # Python's zero or sign conflict error
        d = dur * rate
        segs[i, VAL] = val
        segs[i, MLT] = math.pow(nxt / val, 1.0 / d)
        segs[i, CNT] = _trunc_f(d + 0.5)
        d = dur * ctx.sr
        segs[i, AMLT] = math.pow(nxt / val, 1.0 / d)
        segs[i, ACNT] = _trunc_f(d + 0.5)
        val = nxt
    segs[nsegs - 1, CNT] = MAXPOS
    segs[nsegs - 1, ACNT] = MAXPOS
    return 0


def _expseg_shape(nins: int) -> tuple[int, int]:
    return (nins // 2, 5)


def _expseg_native(krate_rows: bool, bkpt: bool) -> NativeInit:
    return NativeInit(expseg_init_native, (krate_rows, bkpt), (("scratch", _expseg_shape),))


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


defop("expseg", "k", "iim", EXPSEG, expseg_init, expseg_perf_k, arrays=("segs",),
      flags=("note_local",), native_init=_expseg_native(True, False))
defop("expseg", "a", "iim", EXPSEG, expseg_init, expseg_perf_a, arrays=("segs",),
      flags=("note_local",), native_init=_expseg_native(True, False))
defop("expsega", "a", "iim", EXPSEG, expsega_init, expsega_perf, arrays=("segs",),
      native_init=_expseg_native(False, False))


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
        step, val = _release_step(s, segs, status, ksmps, val)
        if step == _HOLD:
            ar[n] = val
            continue
        if step == _NEWSEG:
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


defop("linen", "k", "kiii", LINEN, linen_init_k, linen_perf, flags=("note_local",))
defop("linen", "a", "aiii", LINEN, linen_init_a, linen_perf, flags=("note_local",))
defop("linen", "a", "kiii", LINEN, linen_init_a, linen_perf, flags=("note_local",))

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

# ---------------------------------------------------------------- breakpoint versions
def _bkpt_error(i: int) -> InitError:
    return InitError(f"Breakpoint {i} not valid")


def linsegb_init(s, ic, out, ia, itim1, rest):
    segs = _linseg_table(s, ic, _breakpoints((ia, itim1, rest)))
    # compat: only the control-rate counts become relative; linsegb:a keeps
    # sample counts measured from the start of the note
    cnt = 0
    for i in range(s.segsrem):
        if cnt > segs[i, CNT]:
            raise _bkpt_error(i)
        segs[i, CNT] -= cnt
        cnt += int(segs[i, CNT])
    return (segs,)


@kernel
def linsegb_init_native(s, ctx, tabs, segs, out, ia, itim1, rest):
    """`linsegb_init` for compiled note starts: linseg's rows, then the
    control-rate counts made relative."""
    if linseg_init_native(s, ctx, tabs, segs, out, ia, itim1, rest) != 0:
        return 1
    cnt = 0.0
    for i in range(s.segsrem):
        if i >= segs.shape[0] or segs[i, CNT] >= EXACT:
            return 1  # Python's IndexError (a stale segsrem), or inexact counts
        if cnt > segs[i, CNT]:
            return 1  # Python's breakpoint error
        segs[i, CNT] -= cnt
        cnt += segs[i, CNT]
    return 0


def _bkpt_durations(vals: list[float]) -> list[float]:
    """Breakpoint times to segment durations, summed as Csound sums them."""
    out = [vals[0]]
    total = 0.0
    for i in range(1, len(vals), 2):
        if vals[i] < total:
            raise InitError(f"Breakpoint time {vals[i]:f} not valid")
        dur = vals[i] - total
        total += dur
        out += [dur, vals[i + 1]]
    return out


def expsegb_init(s, ic, out, ia, itim1, rest):
    vals = _breakpoints((ia, itim1, rest))
    if vals[1] <= 0.0:
        return (_expseg_table(s, ic, vals, True),)
    return (_expseg_table(s, ic, _bkpt_durations(vals), True),)


def expsegba_init(s, ic, out, ia, itim1, rest):
    vals = _breakpoints((ia, itim1, rest))
    if vals[1] <= 0.0:
        return (_expseg_table(s, ic, vals, False),)
    return (_expseg_table(s, ic, _bkpt_durations(vals), False),)


_LINSEGB_NATIVE = NativeInit(linsegb_init_native, (), (("scratch", _linseg_shape),))
defop("linsegb", "k", "iim", LINSEG, linsegb_init, linseg_perf_k, arrays=("segs",),
      native_init=_LINSEGB_NATIVE)
defop("linsegb", "a", "iim", LINSEG, linsegb_init, linseg_perf_a, arrays=("segs",),
      native_init=_LINSEGB_NATIVE)
defop("expsegb", "k", "iim", EXPSEG, expsegb_init, expseg_perf_k, arrays=("segs",),
      native_init=_expseg_native(True, True))
defop("expsegb", "a", "iim", EXPSEG, expsegb_init, expseg_perf_a, arrays=("segs",),
      native_init=_expseg_native(True, True))
defop("expsegba", "a", "iim", EXPSEG, expsegba_init, expsega_perf, arrays=("segs",),
      native_init=_expseg_native(False, True))

# ---------------------------------------------------------------- transeg family
TRANSEG = State(cur=i64, segsrem=i64, curcnt=i64, curval=f64, curinc=f64, alpha=f64,
                curx=f64, xtra=i64, finalval=f64, lastalpha=f64)
TVAL, TC1, TALPHA = 3, 4, 5  # columns after CNT, ACNT, NXT of a transeg row


def _lrint(x: float) -> int:
    """C lrint (round half to even), Csound's MYFLT2LONG."""
    return int(np.rint(x)) if math.isfinite(x) else 0


def _transeg_args(ia, idur1, itype1, rest, name: str) -> list[float]:
    vals = [ia, idur1, itype1, *rest]
    if len(vals) % 3 != 1:
        raise InitError(f"Incorrect argument count in {name}")
    return vals


def _transeg_table(s, ic, vals, mode: str) -> np.ndarray:
    """Rows [cnt, acnt, nxtpt, val, c1, alpha] after an empty row 0 (Opcodes/pitch.c
    trnset, trnset_bkpt, trnsetr for mode '', 'b', 'r')."""
    nsegs = len(vals) // 3
    segs = np.zeros((nsegs + 1, 6))
    s.xtra = -1
    val = vals[0]
    if vals[1] <= 0.0:
        return segs
    s.cur = 0
    s.curval = val
    s.curcnt = 0
    s.segsrem = nsegs + 1
    s.curx = 0.0
    total = 0.0
    with np.errstate(all="ignore"):
        for i in range(nsegs):
            dur, alpha, nxt = vals[1 + 3 * i], vals[2 + 3 * i], vals[3 + 3 * i]
            row = segs[i + 1]
            if mode == "b":
                dur -= total
                total += dur
            d = dur * ic.sr
            cnt = _ktrunc(d + 0.5) if mode == "r" else _lrint(d)
            # compat: transegb never fills in the sample counts, so transegb:a jumps
            row[ACNT] = 0 if mode == "b" else cnt
            row[CNT] = 0 if cnt < 0 else _ktrunc(dur * ic.kr)
            row[NXT] = nxt
            row[TVAL] = val
            if alpha == 0.0:
                row[TC1] = _cdiv(nxt - val, d)
            else:
                row[TC1] = _cdiv(nxt - val, 1.0 - math.exp(alpha))
                s.lastalpha = alpha
            row[TALPHA] = _cdiv(alpha, d)
            val = nxt
            s.finalval = nxt
    s.alpha = segs[1, TALPHA]
    s.curinc = segs[1, TC1]
    return segs


def transeg_init(s, ic, out, ia, idur1, itype1, rest):
    return (_transeg_table(s, ic, _transeg_args(ia, idur1, itype1, rest, "transeg"), ""),)


def transegb_init(s, ic, out, ia, itim1, itype1, rest):
    return (_transeg_table(s, ic, _transeg_args(ia, itim1, itype1, rest, "transegb"), "b"),)


@kernel
def transeg_init_native(s, ctx, tabs, bkpt, segs, out, ia, idur1, itype1, rest):
    """`transeg_init` (`transegb_init` with `bkpt`) for compiled note starts
    (`_transeg_table` in mode '' or 'b')."""
    if len(rest) == 0:
        return 1  # first, so that numba never types rest[i] on an empty tuple
    if len(rest) % 3 != 1:
        return 1  # Python's argument-count error
    nsegs = (len(rest) + 3) // 3
    segs[:, :] = 0.0
    s.xtra = -1
    val = ia
    if idur1 <= 0.0:
        return 0
    s.cur = 0
    s.curval = val
    s.curcnt = 0
    s.segsrem = nsegs + 1
    s.curx = 0.0
    total = 0.0
    for i in range(nsegs):
        dur = idur1 if i == 0 else rest[3 * i - 2]
        alpha = itype1 if i == 0 else rest[3 * i - 1]
        nxt = rest[3 * i]
        if bkpt:
            dur -= total
            total += dur
        d = dur * ctx.sr
        cnt = _lrint_f(d)
        segs[i + 1, ACNT] = 0.0 if bkpt else cnt
        segs[i + 1, CNT] = 0.0 if cnt < 0.0 else _trunc_f(dur * ctx.kr)
        segs[i + 1, NXT] = nxt
        segs[i + 1, TVAL] = val
        if alpha == 0.0:
            segs[i + 1, TC1] = (nxt - val) / d
        else:
            e = math.exp(alpha)
            if math.isinf(e) and not math.isinf(alpha):
                return 1  # Python's math.exp raises OverflowError
            segs[i + 1, TC1] = (nxt - val) / (1.0 - e)
            s.lastalpha = alpha
        segs[i + 1, TALPHA] = alpha / d
        val = nxt
        s.finalval = nxt
    s.alpha = segs[1, TALPHA]
    s.curinc = segs[1, TC1]
    return 0


def _transeg_shape(nins: int) -> tuple[int, int]:
    return (nins // 3 + 1, 6)


def transegr_init(s, ic, out, ia, idur1, itype1, rest):
    segs = _transeg_table(s, ic, _transeg_args(ia, idur1, itype1, rest, "transegr"), "r")
    if s.segsrem:
        s.xtra = int(segs[-1, CNT])
        _extend(ic, s.xtra)
    return segs, _status(ic)


@kernel
def transeg_perf_k(s, ctx, segs, kr, ia, idur1, itype1, rest, n0, n1):
    """transeg (k): segments of shape (1-exp(t*alpha)), one step per block (ktrnseg)."""
    kr[0] = s.curval
    if s.segsrem == 0:
        return
    s.curcnt -= 1
    if s.curcnt <= 0:
        seg = s.cur
        while True:
            s.segsrem -= 1
            if s.segsrem == 0:
                s.curval = segs[seg, NXT]
                return
            seg += 1
            s.cur = seg
            s.curcnt = int(segs[seg, CNT])
            if s.curcnt != 0:
                break
            s.curval = segs[seg, NXT]
        s.curinc = segs[seg, TC1]
        s.alpha = segs[seg, TALPHA]
        s.curx = 0.0
    s.curx += ctx.ksmps * s.alpha
    if s.alpha == 0.0:
        s.curval += s.curinc * ctx.ksmps
    else:
        s.curval = segs[s.cur, TVAL] + s.curinc * (1.0 - math.exp(s.curx))


@kernel
def transeg_perf_a(s, ctx, segs, ar, ia, idur1, itype1, rest, n0, n1):
    """transeg (a): segments of shape (1-exp(t*alpha)), one step per sample (trnseg)."""
    val = s.curval
    for n in range(n0, n1):
        if s.segsrem == 0:
            ar[n] = val
            continue
        s.curcnt -= 1
        if s.curcnt <= 0:
            seg = s.cur
            held = False
            while True:
                s.segsrem -= 1
                if s.segsrem == 0:
                    val = segs[seg, NXT]
                    s.curval = val
                    held = True
                    break
                seg += 1
                s.cur = seg
                s.curcnt = int(segs[seg, ACNT])
                if s.curcnt != 0:
                    break
                val = segs[seg, NXT]
                s.curval = val
            if held:
                ar[n] = val
                continue
            s.curinc = segs[seg, TC1]
            s.alpha = segs[seg, TALPHA]
            s.curx = 0.0
            s.curval = val
        ar[n] = val
        if s.alpha == 0.0:
            val += s.curinc
        else:
            s.curx += s.alpha
            val = segs[s.cur, TVAL] + s.curinc * (1.0 - math.exp(s.curx))
    s.curval = val


@helper
def _transegr_release(s, segs, status, val, nsmps):
    """Jump to the last segment and aim it from `val` at the final value."""
    while s.segsrem > 1:
        s.cur += 1
        s.segsrem -= 1
    seg = s.cur
    segs[seg, CNT] = s.xtra if s.xtra >= 0 else status[ST_XTRA_BLOCKS]
    span = segs[seg, CNT] * nsmps if nsmps > 0 else segs[seg, ACNT]
    if segs[seg, TALPHA] == 0.0:
        segs[seg, TC1] = (s.finalval - val) / span
    else:
        segs[seg, TC1] = (s.finalval - val) / (1.0 - math.exp(s.lastalpha))
        segs[seg, TALPHA] = s.lastalpha / span
        segs[seg, TVAL] = val


@kernel
def transegr_perf_k(s, ctx, segs, status, kr, ia, idur1, itype1, rest, n0, n1):
    """transegr (k): transeg whose last segment waits for the release (ktrnsegr)."""
    kr[0] = s.curval
    if s.segsrem == 0:
        return
    if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
        _transegr_release(s, segs, status, s.curval, ctx.ksmps)
    else:
        s.curcnt -= 1
        if s.curcnt > 0:
            _transegr_step_k(s, ctx, segs)
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
    s.curinc = segs[s.cur, TC1]
    s.alpha = segs[s.cur, TALPHA]
    s.curx = 0.0
    _transegr_step_k(s, ctx, segs)


@helper
def _transegr_step_k(s, ctx, segs):
    if s.alpha == 0.0:
        s.curval += s.curinc * ctx.ksmps
    else:
        # compat: ktrnsegr evaluates the curve before advancing x, a block late
        s.curval = segs[s.cur, TVAL] + s.curinc * (1.0 - math.exp(s.curx))
    s.curx += ctx.ksmps * s.alpha


@kernel
def transegr_perf_a(s, ctx, segs, status, ar, ia, idur1, itype1, rest, n0, n1):
    """transegr (a): transeg whose last segment waits for the release (trnsegr)."""
    val = s.curval
    for n in range(n0, n1):
        if s.segsrem == 0:
            ar[n] = val
            continue
        newseg = False
        if status[ST_RELEASING] != 0.0 and s.segsrem > 1:
            # compat: the release keeps the segment's own sample count
            _transegr_release(s, segs, status, val, 0)
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
            s.curinc = segs[s.cur, TC1]
            s.alpha = segs[s.cur, TALPHA]
            s.curx = 0.0
            s.curval = val
        ar[n] = val
        if s.alpha == 0.0:
            val += s.curinc
        else:
            s.curx += s.alpha
            val = segs[s.cur, TVAL] + s.curinc * (1.0 - math.exp(s.curx))
    s.curval = val


_TRANSEG_NATIVE = NativeInit(transeg_init_native, (False,), (("scratch", _transeg_shape),))
_TRANSEGB_NATIVE = NativeInit(transeg_init_native, (True,), (("scratch", _transeg_shape),))
defop("transeg", "k", "iiim", TRANSEG, transeg_init, transeg_perf_k, arrays=("segs",),
      native_init=_TRANSEG_NATIVE)
defop("transeg", "a", "iiim", TRANSEG, transeg_init, transeg_perf_a, arrays=("segs",),
      native_init=_TRANSEG_NATIVE)
defop("transegb", "k", "iiim", TRANSEG, transegb_init, transeg_perf_k, arrays=("segs",),
      native_init=_TRANSEGB_NATIVE)
defop("transegb", "a", "iiim", TRANSEG, transegb_init, transeg_perf_a, arrays=("segs",),
      native_init=_TRANSEGB_NATIVE)
defop("transegr", "k", "iiim", TRANSEG, transegr_init, transegr_perf_k,
      arrays=("segs", "status"))
defop("transegr", "a", "iiim", TRANSEG, transegr_init, transegr_perf_a,
      arrays=("segs", "status"))

# ---------------------------------------------------------------- cosseg family
COSSEG = State(cur=i64, segsrem=i64, curcnt=i64, y1=f64, y2=f64, x=f64, inc=f64, val=f64,
               xtra=i64)


def _cosseg_table(s, ic, vals, arate: bool) -> np.ndarray:
    """Rows [cnt, acnt, nxtpt] of each segment plus a zero row (csgset); the current
    segment is the row before `cur`."""
    nsegs = len(vals) // 2
    segs = np.zeros((nsegs + 1, 3))
    s.xtra = -1
    if vals[1] <= 0.0:
        return segs
    s.cur = 1
    s.segsrem = nsegs
    for i in range(nsegs):
        dur, segs[i, NXT] = vals[1 + 2 * i], vals[2 + 2 * i]
        segs[i, CNT] = max(_ktrunc(dur * ic.kr + 0.5), 0)
        # compat: cosseg truncates its sample counts where linseg rounds
        segs[i, ACNT] = max(_ktrunc(dur * ic.sr), 0)
    s.y1 = vals[0]
    s.y2 = segs[0, NXT]
    s.x = 0.0
    cnt = segs[0, ACNT if arate else CNT]
    s.inc = _cdiv(1.0, cnt) if s.y2 != s.y1 else 0.0
    s.curcnt = int(cnt)
    s.val = s.y1
    return segs


def _cosseg_bkpt(s, segs, arate: bool) -> None:
    """csgset_bkpt: breakpoint times to relative counts (the first is already)."""
    col = ACNT if arate else CNT
    cnt = s.curcnt
    for i in range(max(s.segsrem - 1, 1)):
        if cnt > segs[1 + i, col]:
            raise _bkpt_error(i)
        segs[1 + i, col] -= cnt
        cnt += int(segs[1 + i, col])


def cosseg_init_k(s, ic, out, ia, idur1, rest):
    return (_cosseg_table(s, ic, _breakpoints((ia, idur1, rest)), False),)


def cosseg_init_a(s, ic, out, ia, idur1, rest):
    return (_cosseg_table(s, ic, _breakpoints((ia, idur1, rest)), True),)


def cossegb_init_k(s, ic, out, ia, itim1, rest):
    segs = _cosseg_table(s, ic, _breakpoints((ia, itim1, rest)), False)
    _cosseg_bkpt(s, segs, False)
    return (segs,)


def cossegb_init_a(s, ic, out, ia, itim1, rest):
    segs = _cosseg_table(s, ic, _breakpoints((ia, itim1, rest)), True)
    _cosseg_bkpt(s, segs, True)
    return (segs,)


@helper
def _cosseg_bkpt_native(s, segs, col):
    """`_cosseg_bkpt` for compiled note starts; non-zero where Python's raises."""
    cnt = s.curcnt
    for i in range(max(s.segsrem - 1, 1)):
        if 1 + i >= segs.shape[0] or segs[1 + i, col] >= EXACT or abs(cnt) >= EXACT:
            return 1  # Python's IndexError (a stale segsrem), or inexact counts
        if cnt > segs[1 + i, col]:
            return 1  # Python's breakpoint error
        segs[1 + i, col] -= cnt
        cnt += int(segs[1 + i, col])
    return 0


@kernel
def cosseg_init_native(s, ctx, tabs, arate, bkpt, segs, out, ia, idur1, rest):
    """`cosseg_init_k/_a` (`cossegb_init_k/_a` with `bkpt`) for compiled note
    starts (`_cosseg_table`, then `_cosseg_bkpt`)."""
    if len(rest) == 0:
        return 1  # first, so that numba never types rest[i] on an empty tuple
    if len(rest) % 2 == 0:
        return 1  # an incomplete breakpoint list: Python's init error
    nsegs = (len(rest) + 2) // 2
    segs[:, :] = 0.0
    s.xtra = -1
    if idur1 > 0.0:
        s.cur = 1
        s.segsrem = nsegs
        for i in range(nsegs):
            dur = idur1 if i == 0 else rest[2 * i - 1]
            segs[i, NXT] = rest[2 * i]
            segs[i, CNT] = _count_f(dur * ctx.kr + 0.5)
            segs[i, ACNT] = _count_f(dur * ctx.sr)
        s.y1 = ia
        s.y2 = segs[0, NXT]
        s.x = 0.0
        cnt = segs[0, ACNT] if arate else segs[0, CNT]
        if cnt >= EXACT:
            return 1  # an int64 curcnt Python's int() might overflow
        s.inc = 1.0 / cnt if s.y2 != s.y1 else 0.0
        s.curcnt = int(cnt)
        s.val = s.y1
    if bkpt:
        return _cosseg_bkpt_native(s, segs, ACNT if arate else CNT)
    return 0


def _cossegr_setup(s, ic, args, arate: bool):
    segs = _cosseg_table(s, ic, _breakpoints(args), arate)
    s.xtra = int(segs[s.cur + s.segsrem - 2, CNT])
    _extend(ic, s.xtra)
    return segs, _status(ic)


def cossegr_init_k(s, ic, out, ia, idur1, rest):
    return _cossegr_setup(s, ic, (ia, idur1, rest), False)


def cossegr_init_a(s, ic, out, ia, idur1, rest):
    return _cossegr_setup(s, ic, (ia, idur1, rest), True)


@helper
def _cosseg_tick(s, segs, col, release, releasing, xtratim, scale):
    """One step of a cosine-interpolated segment envelope (OOps/ugens1.c kosseg,
    cosseg; with `release`, kcssegr/cossegr); returns the output value."""
    if s.segsrem == 0:
        return s.y1
    seg = s.cur
    step = 0  # 0: interpolate, 1: segment done, 2: start segment `seg`
    if release:
        if releasing and s.segsrem > 1:
            while s.segsrem > 1:
                s.cur += 1
                s.segsrem -= 1
            seg = s.cur - 1
            blocks = s.xtra if s.xtra >= 0 else xtratim
            segs[seg, col] = blocks * scale
            s.y1 = s.val
            step = 2
        elif s.segsrem == 1 and not releasing:
            return s.y1
    if step == 0:
        s.curcnt -= 1
        if s.curcnt <= 0:
            step = 1
    while step != 0:
        if step == 1:
            s.y1 = s.y2
            s.segsrem -= 1
            if s.segsrem == 0:
                s.y2 = segs[seg, NXT]
                return s.y1
        # compat: a zero-length segment re-enters with the same row until none remain
        s.y2 = segs[seg, NXT]
        cnt = segs[seg, col]
        s.inc = 1.0 / cnt if cnt != 0.0 else 0.0
        s.x = 0.0
        s.cur = seg + 1
        s.curcnt = int(cnt)
        step = 0 if s.curcnt != 0 else 1
    mu2 = (1.0 - math.cos(s.x * math.pi)) * 0.5
    out = s.y1 * (1.0 - mu2) + s.y2 * mu2
    s.val = out
    s.x += s.inc
    return out


@kernel
def cosseg_perf_k(s, ctx, segs, kr, ia, idur1, rest, n0, n1):
    """cosseg (k): cosine-interpolated segments, one step per block (kosseg)."""
    kr[0] = _cosseg_tick(s, segs, CNT, False, False, 0.0, 1)


@kernel
def cosseg_perf_a(s, ctx, segs, ar, ia, idur1, rest, n0, n1):
    """cosseg (a): cosine-interpolated segments, one step per sample (cosseg)."""
    for n in range(n0, n1):
        ar[n] = _cosseg_tick(s, segs, ACNT, False, False, 0.0, 1)


@kernel
def cossegr_perf_k(s, ctx, segs, status, kr, ia, idur1, rest, n0, n1):
    """cossegr (k): cosseg whose last segment waits for the release (kcssegr)."""
    kr[0] = _cosseg_tick(s, segs, CNT, True, status[ST_RELEASING] != 0.0,
                         status[ST_XTRA_BLOCKS], 1)


@kernel
def cossegr_perf_a(s, ctx, segs, status, ar, ia, idur1, rest, n0, n1):
    """cossegr (a): cosseg whose last segment waits for the release (cossegr)."""
    for n in range(n0, n1):
        ar[n] = _cosseg_tick(s, segs, ACNT, True, status[ST_RELEASING] != 0.0,
                             status[ST_XTRA_BLOCKS], ctx.ksmps)


def _cosseg_native(arate: bool, bkpt: bool) -> NativeInit:
    return NativeInit(cosseg_init_native, (arate, bkpt), (("scratch", _linseg_shape),))


defop("cosseg", "k", "iim", COSSEG, cosseg_init_k, cosseg_perf_k, arrays=("segs",),
      native_init=_cosseg_native(False, False))
defop("cosseg", "a", "iim", COSSEG, cosseg_init_a, cosseg_perf_a, arrays=("segs",),
      native_init=_cosseg_native(True, False))
defop("cossegb", "k", "iim", COSSEG, cossegb_init_k, cosseg_perf_k, arrays=("segs",),
      native_init=_cosseg_native(False, True))
defop("cossegb", "a", "iim", COSSEG, cossegb_init_a, cosseg_perf_a, arrays=("segs",),
      native_init=_cosseg_native(True, True))
defop("cossegr", "k", "iim", COSSEG, cossegr_init_k, cossegr_perf_k, arrays=("segs", "status"))
defop("cossegr", "a", "iim", COSSEG, cossegr_init_a, cossegr_perf_a, arrays=("segs", "status"))

# ---------------------------------------------------------------- envlpx, envlpxr
ENVLPX = State(phs=i64, ki=i64, cnt1=i64, val=f64, mlt1=f64, mlt2=f64, asym=f64,
               lobits=i64, lomask=i64, lodiv=f64, rlsing=i64, rlscnt=i64, rindep=i64,
               atdec=f64)


def _envlpx_common(s, ic, irise, ifn, iatss, ixmod, arate: bool):
    """The rise and the attenuation asymmetry shared by evxset and evrset; returns
    (table, |iatss| corrected for the asymmetry)."""
    ft = ic.table(ifn)
    s.lobits, s.lomask, s.lodiv = ft.lobits, ft.lomask, ft.lodiv
    last = float(ft.data[ft.size])
    atss = abs(iatss)
    if atss == 0.0:
        raise InitError("iatss = 0")
    asym = 0.0
    if atss != 1.0 and ixmod != 0.0:
        if abs(ixmod) > 0.95:
            raise InitError("ixmod out of range.")
        xmod = -math.sin(math.sin(ixmod))
        prod = xmod * atss
        denom = (xmod - atss) + prod + 1.0
        if denom == 0.0:
            asym = 100.0
        else:
            asym = 2.0 * prod / denom
            if abs(asym) > 100.0:
                asym = 100.0
        atss = (atss - asym) / (1.0 - asym)
        asym = asym * last
    s.asym = asym
    if irise > 0.0:
        s.phs = 0
        s.ki = _ktrunc((MAXLEN / ic.sr if arate else MAXLEN / ic.kr) / irise)
        s.val = ft.data[0]
    else:
        s.phs = -1
        s.val = last - asym
    if last == 0.0:
        raise InitError("rise func ends with zero")
    return ft, atss


def _evxset(s, ic, irise, idur, idec, ifn, iatss, iatdec, ixmod, arate: bool):
    if idur <= 0.0:
        return (ic.table(ifn).data,)
    if irise > 0.0 and irise + idec > _p3(ic) and ic.instance is not None:
        ic.warning("p3 too short in envlpx")
    ft, atss = _envlpx_common(s, ic, irise, ifn, iatss, ixmod, arate)
    rate = ic.sr if arate else ic.kr
    rise = max(irise, 0.0)
    cnt1 = _ktrunc((idur - rise - idec) * rate) if arate else \
        _ktrunc((idur - rise - idec) * rate + 0.5)
    if cnt1 < 0:
        cnt1 = 0
        nk = rate
    else:
        nk = rate if iatss < 0.0 or cnt1 <= 4 else float(cnt1)
    s.mlt1 = _cpow(atss, 1.0 / nk)
    if idec > 0.0:
        if iatdec <= 0.0:
            raise InitError("non-positive iatdec")
        s.mlt2 = _cpow(iatdec, (ic.consts.onedsr if arate else ic.consts.onedkr) / idec)
    s.cnt1 = cnt1
    return (ft.data,)


def envlpx_init_k(s, ic, out, xamp, irise, idur, idec, ifn, iatss, iatdec, ixmod):
    return _evxset(s, ic, irise, idur, idec, ifn, iatss, iatdec, ixmod, False)


def envlpx_init_a(s, ic, out, xamp, irise, idur, idec, ifn, iatss, iatdec, ixmod):
    return _evxset(s, ic, irise, idur, idec, ifn, iatss, iatdec, ixmod, True)


def _evrset(s, ic, irise, idec, ifn, iatss, iatdec, ixmod, irind, arate: bool):
    ft, atss = _envlpx_common(s, ic, irise, ifn, iatss, ixmod, arate)
    s.mlt1 = _cpow(atss, ic.consts.onedsr if arate else 1.0 / ic.kr)
    if idec > 0.0:
        s.rlscnt = _ktrunc(idec * ic.kr + 0.5)
        s.rindep = _ktrunc(irind)
        if not s.rindep:
            _extend(ic, s.rlscnt)
        s.atdec = iatdec
        if iatdec <= 0.0:
            raise InitError("non-positive iatdec")
    s.rlsing = 0
    return ft.data, _status(ic)


def envlpxr_init_k(s, ic, out, xamp, irise, idec, ifn, iatss, iatdec, ixmod, irind):
    return _evrset(s, ic, irise, idec, ifn, iatss, iatdec, ixmod, irind, False)


def envlpxr_init_a(s, ic, out, xamp, irise, idec, ifn, iatss, iatdec, ixmod, irind):
    return _evrset(s, ic, irise, idec, ifn, iatss, iatdec, ixmod, irind, True)


@helper
def _rise(s, ft, reverse):
    """The rise function at the current fixed-point phase, linearly interpolated."""
    fract = (s.phs & s.lomask) * s.lodiv
    i = s.phs >> s.lobits
    if reverse:
        # compat: the a-rate envlpx interpolates from the next point back
        v1 = ft[i + 1]
        return v1 + (ft[i] - v1) * fract
    v1 = ft[i]
    return v1 + (ft[i + 1] - v1) * fract


@helper
def _envlpx_tick(s, ft, reverse):
    if s.phs >= 0:
        fact = _rise(s, ft, reverse)
        s.phs += s.ki
        if s.phs >= MAXLEN:
            s.val = ft[ft.shape[0] - 1] - s.asym
            s.phs = -1
        return fact
    fact = s.val
    if s.cnt1 > 0:
        s.val *= s.mlt1
        fact += s.asym
        s.cnt1 -= 1
        if s.cnt1 == 0:
            s.val += s.asym
    else:
        s.val *= s.mlt2
    return fact


@kernel
def envlpx_perf_k(s, ctx, ft, kr, xamp, irise, idur, idec, ifn, iatss, iatdec, ixmod, n0, n1):
    """envlpx (k): table rise, exponential pseudo-steady state, decay (knvlpx)."""
    kr[0] = at(xamp, 0) * _envlpx_tick(s, ft, False)


@kernel
def envlpx_perf_a(s, ctx, ft, ar, xamp, irise, idur, idec, ifn, iatss, iatdec, ixmod, n0, n1):
    """envlpx (a): table rise, exponential pseudo-steady state, decay (envlpx)."""
    for n in range(n0, n1):
        ar[n] = at(xamp, n) * _envlpx_tick(s, ft, True)


@helper
def _envlpxr_tick(s, ft, status, arate, ksmps):
    if s.rlsing == 0:
        if status[ST_RELEASING] != 0.0:
            s.rlsing = 1
            cnt = s.rlscnt if s.rindep else max(s.rlscnt, int(status[ST_XTRA_BLOCKS]))
            if arate:
                cnt *= ksmps
            s.mlt2 = s.atdec ** (1.0 / cnt) if cnt else 1.0
        if s.phs >= 0:
            fact = _rise(s, ft, arate)
            s.phs += s.ki
            if s.phs < MAXLEN or (s.rlsing and not arate):
                s.val = fact
            else:
                s.val = ft[ft.shape[0] - 1] - s.asym
                s.phs = -1
            return fact
        fact = s.val + s.asym
        s.val *= s.mlt1
        if s.rlsing:
            s.val += s.asym
        return fact
    s.val *= s.mlt2
    return s.val


@kernel
def envlpxr_perf_k(s, ctx, ft, status, kr, xamp, irise, idec, ifn, iatss, iatdec, ixmod,
                   irind, n0, n1):
    """envlpxr (k): envlpx whose decay starts at note-off (knvlpxr)."""
    kr[0] = at(xamp, 0) * _envlpxr_tick(s, ft, status, False, ctx.ksmps)


@kernel
def envlpxr_perf_a(s, ctx, ft, status, ar, xamp, irise, idec, ifn, iatss, iatdec, ixmod,
                   irind, n0, n1):
    """envlpxr (a): envlpx whose decay starts at note-off (envlpxr)."""
    for n in range(n0, n1):
        ar[n] = at(xamp, n) * _envlpxr_tick(s, ft, status, True, ctx.ksmps)


defop("envlpx", "k", "kiiiiiio", ENVLPX, envlpx_init_k, envlpx_perf_k, arrays=("ft",))
defop("envlpx", "a", "aiiiiiio", ENVLPX, envlpx_init_a, envlpx_perf_a, arrays=("ft",))
defop("envlpx", "a", "kiiiiiio", ENVLPX, envlpx_init_a, envlpx_perf_a, arrays=("ft",))
defop("envlpxr", "k", "kiiiiioo", ENVLPX, envlpxr_init_k, envlpxr_perf_k, arrays=("ft", "status"))
defop("envlpxr", "a", "aiiiiioo", ENVLPX, envlpxr_init_a, envlpxr_perf_a, arrays=("ft", "status"))
defop("envlpxr", "a", "kiiiiioo", ENVLPX, envlpxr_init_a, envlpxr_perf_a, arrays=("ft", "status"))
