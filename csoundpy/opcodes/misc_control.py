"""Assorted control-signal and utility opcodes: looping segment generators,
glides, wrap/mirror, interpolation, integration, banks of phasors,
interpolated random segments and a few array reductions.

Follows Csound 6.18: Opcodes/uggab.c (lineto, tlineto, loopseg, loopxseg,
looptseg, lpshold, loopsegp, lpsholdp, wrap, mirror, ntrpol), OOps/ugens6.c
(integ, diff), OOps/ugens2.c (ephasor), Opcodes/pitch.c (phasorbnk),
OOps/cmath.c (exprandi, cauchyi, gaussi, drawing from the engine's Mersenne
Twister shared with noise.py), Opcodes/eqfil.c, Opcodes/fareyseq.c (fareylen,
fareyleni), Opcodes/arrayops.cpp (dot) and Opcodes/arrays.c (centroid of an
array).  The looping generators read their k-rate breakpoints every block and
leave the output untouched in a block where the phase falls in no segment.
phasorbnk's random initial phases (iphs > 1) come from the engine's randSeed1."""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import MAXLEN
from ..errors import InitError
from ._registry import State, defop, f64, i64
from .noise import _dist, _mt
from .synthesis import _rand31, randseed1_cell

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
        return lo + np.fmod(x - lo, abs(lo - hi))
    return hi - np.fmod(hi - x, abs(lo - hi))


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


# -------------------------------------------------------------- integ diff
INDIFF = State(prev=f64)


def indiff_init(s, ic, xr, xsig, istor):
    if istor == 0.0:
        s.prev = 0.0


@kernel
def integ_perf(s, ctx, xr, xsig, istor, n0, n1):
    """integ: running sum of the input (OOps/ugens6.c integrate)."""
    total = s.prev
    for n in range(n0, n1):
        total += at(xsig, n)
        xr[n] = total
    s.prev = total


@kernel
def diff_perf(s, ctx, xr, xsig, istor, n0, n1):
    """diff: first difference of the input (OOps/ugens6.c diff)."""
    prev = s.prev
    for n in range(n0, n1):
        x = at(xsig, n)
        xr[n] = x - prev
        prev = x
    s.prev = prev


defop("integ", "a", "xo", INDIFF, indiff_init, integ_perf)
defop("integ", "k", "xo", INDIFF, indiff_init, integ_perf)
defop("diff", "a", "xo", INDIFF, indiff_init, diff_perf)
defop("diff", "k", "xo", INDIFF, indiff_init, diff_perf)


# ----------------------------------------------------------------- ephasor
EPHSOR = State(curphs=f64, b=f64)


def ephasor_init(s, ic, aexp, aphs, xcps, kR, iphs):
    if iphs >= 0.0:
        whole = math.trunc(iphs)
        if whole:
            ic.warning("init phase truncation\n")
        s.curphs = iphs - whole
    s.b = 1.0


@kernel
def ephasor_perf(s, ctx, aexp, aphs, xcps, kR, iphs, n0, n1):
    """ephasor: phasor plus R**phase decaying alongside it (OOps/ugens2.c ephsor)."""
    phase, b, r = s.curphs, s.b, at(kR, 0)
    for n in range(n0, n1):
        aexp[n] = b
        aphs[n] = phase
        phase += at(xcps, n) * ctx.onedsr
        b *= r
        if phase >= 1.0:
            phase -= 1.0
            b = r ** (1.0 + phase)
        elif phase < 0.0:
            phase += 1.0
            b = r ** (1.0 + phase)
    s.curphs, s.b = phase, b


defop("ephasor", "aa", "xko", EPHSOR, ephasor_init, ephasor_perf)


# --------------------------------------------------------------- phasorbnk
def phasorbnk_init(s, ic, xr, xcps, kindx, icnt, iphs):
    count = max(int(np.rint(icnt)), 2)
    phases = np.zeros(count)
    if iphs > 1:
        seed = randseed1_cell(ic)
        for n in range(count):
            seed[()] = _rand31(seed[()])
            phases[n] = float(seed[()] - 1) / 2147483645.0
    elif iphs >= 0:
        phases[:] = iphs
    return (phases,)


@helper
def _phasorbnk(curphs, xr, xcps, kindx, step, n0, n1):
    index = int(at(kindx, 0))
    if index < 0 or index >= len(curphs):
        # compat: Csound zeroes only the first output sample and leaves the rest
        xr[0] = 0.0
        return
    phase = curphs[index]
    for n in range(n0, n1):
        xr[n] = phase
        phase += at(xcps, n) * step
        if phase >= 1.0:
            phase -= 1.0
        elif phase < 0.0:
            phase += 1.0
    curphs[index] = phase


@kernel
def phasorbnk_perf(s, ctx, curphs, ar, xcps, kindx, icnt, iphs, n0, n1):
    """phasorbnk: one of a bank of phasors, chosen by kindx (Opcodes/pitch.c phsorbnk)."""
    _phasorbnk(curphs, ar, xcps, kindx, ctx.onedsr, n0, n1)


@kernel
def phasorbnk_perf_k(s, ctx, curphs, kr, kcps, kindx, icnt, iphs, n0, n1):
    """phasorbnk (k): one of a bank of phasors, chosen by kindx (pitch.c kphsorbnk)."""
    _phasorbnk(curphs, kr, kcps, kindx, ctx.onedkr, 0, 1)


defop("phasorbnk", "a", "xkio", None, phasorbnk_init, phasorbnk_perf, arrays=("curphs",))
defop("phasorbnk", "k", "xkio", None, phasorbnk_init, phasorbnk_perf_k, arrays=("curphs",))


# ------------------------------------------------- exprandi cauchyi gaussi
PRANDI = State(kind=i64, num1=f64, num2=f64, dfdmax=f64, phs=i64)
FMAXLEN = float(MAXLEN)
PHMASK = MAXLEN - 1
DIST_EXP, DIST_GAUSS, DIST_CAUCHY = 3, 5, 6  # noise._dist kinds


def _prandi_init(kind: int):
    def init(s, ic, out, krange, xamp, xcps):
        mt = _mt(ic)
        s.kind = kind
        s.num1 = _dist(kind, mt, krange, 0.0, 0.0)
        s.num2 = _dist(kind, mt, krange, 0.0, 0.0)
        s.dfdmax = (s.num2 - s.num1) / FMAXLEN
        s.phs = 0
        return (mt,)
    return init


@helper
def _prandi_wrap(s, mt, krange):
    """Phase overflow: the next segment starts at the old target."""
    # the phase is a C int32: a falling phase wraps round to a large positive one
    s.phs = ((s.phs + 0x80000000) & 0xFFFFFFFF) - 0x80000000
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        s.num1 = s.num2
        s.num2 = _dist(s.kind, mt, krange, 0.0, 0.0)
        s.dfdmax = (s.num2 - s.num1) / FMAXLEN


@kernel
def prandi_perf_k(s, ctx, mt, kr, krange, kamp, kcps, n0, n1):
    """exprandi, cauchyi, gaussi (k): interpolated random segments (OOps/cmath.c)."""
    kr[0] = (s.num1 + float(s.phs) * s.dfdmax) * at(kamp, 0)
    s.phs += int(at(kcps, 0) * (FMAXLEN / ctx.kr))
    _prandi_wrap(s, mt, at(krange, 0))


def _prandi_init_a(kind: int):
    # compat: Csound registers the a-rate rows without their init function, so
    # the first segment runs from 0 to 0 and the first draw comes at the first
    # phase overflow; the a-rate amplitude and frequency flags stay unset too.
    def init(s, ic, out, krange, xamp, xcps):
        s.kind = kind
        return (_mt(ic),)
    return init


@kernel
def prandi_perf(s, ctx, mt, ar, krange, xamp, xcps, n0, n1):
    """exprandi, cauchyi, gaussi (a): interpolated random segments (OOps/cmath.c)."""
    # compat: amplitude and frequency are read at the block's first frame only
    amp = at(xamp, 0)
    inc = int(at(xcps, 0) * ctx.sicvt)
    for n in range(n0, n1):
        ar[n] = (s.num1 + float(s.phs) * s.dfdmax) * amp
        s.phs += inc
        _prandi_wrap(s, mt, at(krange, 0))


def _prandi_i(kind: int):
    init = _prandi_init(kind)

    def init_i(s, ic, out, krange, xamp, xcps):
        (mt,) = init(s, ic, out, krange, xamp, xcps)
        out[0] = (s.num1 + float(s.phs) * s.dfdmax) * xamp
        s.phs += int(xcps * (FMAXLEN / ic.kr))
        _prandi_wrap(s, mt, krange)
    return init_i


for _name, _kind in (("exprandi", DIST_EXP), ("cauchyi", DIST_CAUCHY), ("gaussi", DIST_GAUSS)):
    defop(_name, "i", "kxx", PRANDI, _prandi_i(_kind))
    defop(_name, "k", "kxx", PRANDI, _prandi_init(_kind), prandi_perf_k, arrays=("mt",))
    defop(_name, "a", "kxx", PRANDI, _prandi_init_a(_kind), prandi_perf, arrays=("mt",))


# ------------------------------------------------------------------- eqfil
EQFIL = State(z1=f64, z2=f64, frv=f64, bwv=f64, c=f64, d=f64)


@helper
def _eqfil_coefs(s, sr, fr, bw):
    s.frv, s.bwv = fr, bw
    s.d = math.cos(2.0 * math.pi * fr / sr)
    s.c = math.tan(math.pi * bw / sr)


def eqfil_init(s, ic, ar, asig, kcf, kbw, kgain, istor):
    if istor == 0.0:
        s.z1 = s.z2 = 0.0
        _eqfil_coefs(s, ic.sr, kcf, kbw)


@kernel
def eqfil_perf(s, ctx, ar, asig, kcf, kbw, kgain, istor, n0, n1):
    """eqfil: Regalia-Mitra peaking equaliser (Opcodes/eqfil.c)."""
    if at(kbw, 0) != s.bwv or at(kcf, 0) != s.frv:
        _eqfil_coefs(s, ctx.sr, at(kcf, 0), at(kbw, 0))
    c, d, g = s.c, s.d, at(kgain, 0)
    a = (1.0 - c) / (1.0 + c)
    z1, z2 = s.z1, s.z2
    # compat: Csound runs the filter from frame 0 even after a late start
    for n in range(n1):
        x = asig[n]
        w = x + d * (1.0 + a) * z1 - a * z2
        y = w * a - d * (1.0 + a) * z1 + z2
        z2 = z1
        z1 = w
        ar[n] = 0.5 * (y + x + g * (x - y))
    s.z1, s.z2 = z1, z2


defop("eqfil", "a", "akkko", EQFIL, eqfil_init, eqfil_perf)


# ------------------------------------------------------- fareylen fareyleni
def _primes_below(limit: int) -> np.ndarray:
    sieve = np.ones(limit, dtype=bool)
    sieve[:2] = False
    for p in range(2, int(limit ** 0.5) + 1):
        if sieve[p]:
            sieve[p * p::p] = False
    return np.flatnonzero(sieve).astype(np.int64)


# Opcodes/fareyseq.c factors with a table of the first 1229 primes (those below
# 10000) and at most 16 distinct factors; larger prime factors are ignored.
PRIMES = _primes_below(10000)
MAX_PFACTOR = 16


@helper
def _euler_phi(n, primes):
    """fareyseq.c EulerPhi: n * prod(1 - 1/p) in floating point, truncated."""
    if n == 1:
        return 1
    if n <= 0:
        return 0
    result = float(n)
    m = n
    found = 0
    for aprime in primes:
        if found == MAX_PFACTOR or aprime > m:
            break
        if m == aprime:
            result *= 1.0 - 1.0 / float(aprime)
            break
        if m % aprime == 0:
            while m % aprime == 0:
                m //= aprime
            result *= 1.0 - 1.0 / float(aprime)
            found += 1
    return int(result)


@helper
def _farey_length(n, primes):
    result = 1
    for i in range(1, n + 1):
        result += _euler_phi(i, primes)
    return result


def fareyleni_init(s, ic, ir, ifn):
    ir[0] = float(_farey_length(int(ifn), PRIMES))


def fareylen_init(s, ic, kr, kfn):
    return (PRIMES,)


@kernel
def fareylen_perf(s, ctx, primes, kr, kfn, n0, n1):
    """fareylen: number of fractions in the Farey sequence F_n (Opcodes/fareyseq.c)."""
    kr[0] = float(_farey_length(int(at(kfn, 0)), primes))


defop("fareyleni", "i", "i", None, fareyleni_init)
defop("fareylen", "k", "k", None, fareylen_init, fareylen_perf, arrays=("primes",))


# ------------------------------------------------------------ dot centroid
def _dot(a, b) -> float:
    acc = 0.0
    for x, y in zip(a, b):
        acc = acc + x * y
    return acc


def dot_i(s, ic, ir, iarr1, iarr2):
    if len(iarr2.data) < len(iarr1.data):
        raise InitError("second input array is too short\n")
    ir[0] = _dot(iarr1.data, iarr2.data)


def dot_k(s, pc, kr, karr1, karr2, n0, n1):
    kr[0] = _dot(karr1.data, karr2.data)


defop("dot", "i", "i[]i[]", None, dot_i)
defop("dot", "k", "k[]k[]", None, None, dot_k, python_perf=True)


def _centroid(sr: float, data) -> float:
    """Opcodes/arrays.c array_centroid: data is a magnitude spectrum of N/2+1 bins."""
    np1 = len(data)
    f = sr / (2 * (np1 - 1))
    cf = f * 0.5
    a = b = 0.0
    for i in range(np1 - 1):
        a += data[i]
        b += data[i] * cf
        cf += f
    return b / a if a > 0.0 else 0.0


def centroid_i(s, ic, ir, iarr):
    ir[0] = _centroid(ic.sr, iarr.data)


def centroid_k(s, pc, kr, karr, n0, n1):
    kr[0] = _centroid(pc.sr, karr.data)


defop("centroid", "i", "i[]", None, centroid_i)
defop("centroid", "k", "k[]", None, None, centroid_k, python_perf=True)
