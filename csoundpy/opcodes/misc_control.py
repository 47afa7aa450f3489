"""Assorted control-signal opcodes: looping segment generators, glides,
wrap/mirror, interpolation and friends.

Follows Csound 6.18: Opcodes/uggab.c (lineto, tlineto, loopseg, loopxseg,
looptseg, lpshold, loopsegp, lpsholdp, wrap, mirror, ntrpol).  The looping
generators read their k-rate breakpoints every block, exactly as Csound does,
and leave the output untouched in a block where the phase falls in no segment.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import State, defop, f64, i64


# ------------------------------------------------------------ lineto tlineto
LINETO = State(current_val=f64, current_time=f64, incr=f64, val_incremented=f64,
               old_time=f64, flag=i64)


def lineto_init(s, ic, kr, ksig, ktime):
    s.current_time = 0.0
    s.incr = 0.0
    s.old_time = 0.0
    s.flag = 1


@kernel
def lineto_perf(s, ctx, kr, ksig, ktime, n0, n1):
    """lineto: glide to each new target over ktime seconds (uggab.c lineto)."""
    sig = at(ksig, 0)
    if s.flag:
        s.val_incremented = s.current_val = sig
        s.flag = 0
    if sig != s.current_val and s.current_time > s.old_time:
        s.old_time = at(ktime, 0)
        s.val_incremented = s.current_val
        s.current_time = 0.0
        # compat: Csound divides by the truncated block count minus one
        s.incr = (sig - s.current_val) / float(np.int32(ctx.kr * s.old_time) - 1)
        s.current_val = sig
    elif s.current_time < s.old_time:
        s.val_incremented += s.incr
    s.current_time += 1.0 / ctx.kr
    kr[0] = s.val_incremented


defop("lineto", "k", "kk", LINETO, lineto_init, lineto_perf)


def tlineto_init(s, ic, kr, ksig, ktime, ktrig):
    s.current_time = 0.0
    s.incr = 0.0
    s.old_time = 1.0
    s.flag = 1


@kernel
def tlineto_perf(s, ctx, kr, ksig, ktime, ktrig, n0, n1):
    """tlineto: glide to ksig over ktime seconds, restarted by ktrig (uggab.c tlineto)."""
    sig = at(ksig, 0)
    if s.flag:
        s.val_incremented = s.current_val = sig
        s.flag = 0
    if at(ktrig, 0) != 0.0:
        s.old_time = at(ktime, 0)
        s.current_time = 0.0
        s.incr = (sig - s.current_val) / float(np.int32(ctx.kr * s.old_time) + 1)
        s.current_val = sig
    elif s.current_time < s.old_time:
        s.current_time += ctx.onedkr
        s.val_incremented += s.incr
    kr[0] = s.val_incremented


defop("tlineto", "k", "kkk", LINETO, tlineto_init, tlineto_perf)


# ------------------------------------- loopseg loopxseg lpshold loopsegp lpsholdp
LOOPSEG = State(phs=f64)

SEG_LINEAR, SEG_EXP, SEG_HOLD = 0, 1, 2
EXP1 = 1.0 / (1.0 - math.exp(1.0))


def _loop_args(args):
    """Breakpoint buffer: a zero duration in front, the first value repeated at
    the end, and zero padding where Csound reads past the arguments."""
    return np.zeros(len(args) + 5)


def _warn_odd(ic, args):
    if len(args) & 1:
        ic.warning("loop opcode: wrong argument count")


@helper
def _loop_value(argp, args, phs, mode, prev):
    """The value at phase phs of the loop of (value, duration) pairs in args."""
    m = len(args)
    for j in range(m):
        argp[j + 1] = at(args[j], 0)
    argp[m + 1] = at(args[0], 0)
    durtot = 0.0
    for j in range(0, m + 1, 2):
        durtot += argp[j]
    beg_seg = 0.0
    for j in range(0, m + 1, 2):
        beg_seg += argp[j] / durtot
        end_seg = beg_seg + argp[j + 2] / durtot
        if beg_seg <= phs and end_seg > phs:
            v1 = argp[j + 1]
            if mode == SEG_HOLD:
                return v1
            v2 = argp[j + 3]
            fract = (phs - beg_seg) / (end_seg - beg_seg)
            if mode == SEG_EXP:
                return v1 + (v2 - v1) * (1.0 - math.exp(fract)) * EXP1
            return v1 + (v2 - v1) * fract
    return prev


@helper
def _wrap_phase(phs):
    while phs >= 1.0:
        phs -= 1.0
    while phs < 0.0:
        phs += 1.0
    return phs


def loopseg_init(s, ic, kr, kfreq, ktrig, iphase, args):
    _warn_odd(ic, args)
    s.phs = iphase
    return (_loop_args(args),)


def _loopseg_kernel(mode):
    @kernel
    def perf(s, ctx, argp, kr, kfreq, ktrig, iphase, args, n0, n1):
        """loopseg, loopxseg, lpshold: looping breakpoint generator (uggab.c)."""
        if at(ktrig, 0) != 0.0:
            s.phs = iphase
        phs = s.phs
        kr[0] = _loop_value(argp, args, phs, mode, kr[0])
        s.phs = _wrap_phase(phs + at(kfreq, 0) * ctx.onedkr)

    return perf


loopseg_perf = _loopseg_kernel(SEG_LINEAR)
loopxseg_perf = _loopseg_kernel(SEG_EXP)
lpshold_perf = _loopseg_kernel(SEG_HOLD)

defop("loopseg", "k", "kkiz", LOOPSEG, loopseg_init, loopseg_perf, arrays=("argp",))
defop("loopxseg", "k", "kkiz", LOOPSEG, loopseg_init, loopxseg_perf, arrays=("argp",))
defop("lpshold", "k", "kkiz", LOOPSEG, loopseg_init, lpshold_perf, arrays=("argp",))


def loopsegp_init(s, ic, kr, kphase, args):
    return (_loop_args(args),)


def _loopsegp_kernel(mode):
    @kernel
    def perf(s, ctx, argp, kr, kphase, args, n0, n1):
        """loopsegp, lpsholdp: breakpoint loop read at an explicit phase (uggab.c)."""
        kr[0] = _loop_value(argp, args, _wrap_phase(at(kphase, 0)), mode, kr[0])

    return perf


loopsegp_perf = _loopsegp_kernel(SEG_LINEAR)
lpsholdp_perf = _loopsegp_kernel(SEG_HOLD)

defop("loopsegp", "k", "kz", LOOPSEG, loopsegp_init, loopsegp_perf, arrays=("argp",))
defop("lpsholdp", "k", "kz", LOOPSEG, loopsegp_init, lpsholdp_perf, arrays=("argp",))


# ----------------------------------------------------------------- looptseg
def looptseg_init(s, ic, kr, kfreq, ktrig, iphase, args):
    s.phs = iphase
    # Csound counts (INOCOUNT - 2) / 3 triples; a missing last member reads as 0
    nsegs = (len(args) + 1) // 3
    return (np.zeros(3 * nsegs),)


@kernel
def looptseg_perf(s, ctx, trip, kr, kfreq, ktrig, iphase, args, n0, n1):
    """looptseg: looping (value, curve, duration) generator (uggab.c looptseg)."""
    if at(ktrig, 0) != 0.0:
        s.phs = iphase
    phs = s.phs
    for j in range(min(len(args), len(trip))):
        trip[j] = at(args[j], 0)
    nsegs = len(trip) // 3
    durtot = 0.0
    for j in range(nsegs):
        durtot += trip[3 * j + 2]
    end_seg = 0.0
    for j in range(nsegs):
        beg_seg = end_seg
        end_seg = beg_seg + trip[3 * j + 2] / durtot
        if beg_seg <= phs and end_seg > phs:
            alpha = trip[3 * j + 1]
            fract = (phs - beg_seg) / (end_seg - beg_seg)
            v1 = trip[3 * j]
            v2 = trip[3 * j + 3] if j != nsegs - 1 else trip[0]
            if alpha == 0.0:
                kr[0] = v1 + (v2 - v1) * fract
            else:
                kr[0] = v1 + (v2 - v1) * (1.0 - math.exp(alpha * fract)) / (1.0 - math.exp(alpha))
            break
    s.phs = _wrap_phase(phs + at(kfreq, 0) * ctx.onedkr)


defop("looptseg", "k", "kkiz", LOOPSEG, looptseg_init, looptseg_perf, arrays=("trip",))


# -------------------------------------------------------------- wrap mirror
@helper
def _wrap(x, lo, hi):
    if lo >= hi:
        return (lo + hi) * 0.5
    if x >= lo:
        return lo + math.fmod(x - lo, abs(lo - hi))
    return hi - math.fmod(hi - x, abs(lo - hi))


@helper
def _mirror(x, lo, hi):
    if lo >= hi:
        return (lo + hi) * 0.5
    while x > hi or x < lo:
        if x > hi:
            x = hi + hi - x
        else:
            x = lo + lo - x
    return x


def _fold_ops(name, mirror):
    fn = _mirror if mirror else _wrap

    def init_i(s, ic, ir, isig, ilow, ihigh):
        ir[0] = fn(isig, ilow, ihigh)

    @kernel
    def perf(s, ctx, xr, xsig, klow, khigh, n0, n1):
        """wrap, mirror: fold a signal into [klow, khigh] (uggab.c)."""
        lo, hi = at(klow, 0), at(khigh, 0)
        for n in range(n0, n1):
            x = at(xsig, n)
            xr[n] = _mirror(x, lo, hi) if mirror else _wrap(x, lo, hi)

    defop(name, "i", "iii", None, init_i)
    defop(name, "k", "kkk", None, None, perf)
    defop(name, "a", "akk", None, None, perf)


_fold_ops("wrap", False)
_fold_ops("mirror", True)


# ------------------------------------------------------------------ ntrpol
NTRPOL = State(point_factor=f64)


def ntrpol_i_init(s, ic, ir, isig1, isig2, ipoint, imin, imax):
    ir[0] = (ipoint - imin) / (imax - imin) * (isig2 - isig1) + isig1


def ntrpol_init(s, ic, xr, xsig1, xsig2, kpoint, imin, imax):
    if imax == imin:
        raise InitError("Min and max the same")
    s.point_factor = 1.0 / (imax - imin)


@kernel
def ntrpol_perf(s, ctx, xr, xsig1, xsig2, kpoint, imin, imax, n0, n1):
    """ntrpol: crossfade between two signals by kpoint in [imin, imax] (uggab.c)."""
    pv = (at(kpoint, 0) - imin) * s.point_factor
    for n in range(n0, n1):
        v1 = at(xsig1, n)
        xr[n] = pv * (at(xsig2, n) - v1) + v1


defop("ntrpol", "i", "iiiop", None, ntrpol_i_init)
defop("ntrpol", "k", "kkkop", NTRPOL, ntrpol_init, ntrpol_perf)
defop("ntrpol", "a", "aakop", NTRPOL, ntrpol_init, ntrpol_perf)
