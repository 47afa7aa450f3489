"""Assorted synthesis and processing opcodes that have no other family.

Follows Csound 6.18 (64-bit build): oscilikt, osciliktp, oscilikts from
Opcodes/oscbnk.c (31-bit unsigned phase, OSCBNK_PHSMAX = 2**31); adsynt, mac,
maca from Opcodes/pitch.c; adsynt2 from Opcodes/gab/gab.c; phaser1, phaser2
from Opcodes/ugsc.c; nestedap, distort1 from Opcodes/biquad.c; distort from
Opcodes/compress.c; chebyshevpoly from Opcodes/shape.c; st2ms, ms2st from
Opcodes/newfils.c; dconv from Opcodes/ugmoss.c; cpstun, cpstuni from
OOps/aops.c; crossfm and its five siblings from Opcodes/crossfm.c; pinker
from Opcodes/pinker.c.

Tables chosen at k-rate (oscilikt family, cpstun) are looked up by a small
Python perf wrapper that then calls the native kernel, as tables_ops.py does
for tablekt.  adsynt/adsynt2 draw random phases from the engine's randSeed1
(synthesis.randseed1_cell); pinker's per-process instance counter lives in
engine.globals["misc_synth.pinker_count"].
"""

from __future__ import annotations

import math

import numpy as np
from numba import literal_unroll

from .._jit import at, helper, kernel
from ..engine.context import MAXLEN
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64
from .oscillators import _ftfind
from .synthesis import _rand31, randseed1_cell

FMAXLEN = float(MAXLEN)
PHMASK = MAXLEN - 1
TWOPI_F = 6.28318530717958647692


def _np2find(ic, fn, message: str | None = None):
    """Csound's FTnp2Find: any existing table, or InitError (own message if given)."""
    table = ic.engine.tables.get(int(fn)) if fn >= 1 else None
    if table is None:
        raise InitError(message or f"Invalid ftable no. {fn:f}")
    return table


@helper
def _i32(x):
    """Keep the low 32 bits of an integer as a signed value (C int32 wraparound)."""
    return ((np.int64(x) + 2147483648) & 0xFFFFFFFF) - 2147483648


# ------------------------------------------------ oscilikt osciliktp oscilikts

OSCBNK_PHSMAX = 0x80000000
OSCBNK_PHSMSK = 0x7FFFFFFF


@helper
def _phs2int(x):
    """OSCBNK_PHS2INT: a phase in cycles as a rounded 31-bit fixed-point value."""
    v = x * float(OSCBNK_PHSMAX)
    if not (v > -9.2e18 and v < 9.2e18):
        return np.int64(0)
    return np.int64(np.rint(v)) & OSCBNK_PHSMSK


def _flen_setup(flen: int) -> tuple[int, int, float]:
    """oscbnk.c oscbnk_flen_setup: (lobits, mask, pfrac) for a 31-bit phase."""
    lobits, mask = 0, 1
    if flen < 2:
        return 0, 1, 0.0
    n = flen
    while n < OSCBNK_PHSMAX:
        n <<= 1
        mask <<= 1
        lobits += 1
    return lobits, mask - 1, 1.0 / mask


OSCKT = State(phs=i64, lobits=i64, mask=i64, pfrac=f64, oldfn=f64, old_phs=f64, init_k=i64)


def _osckt_table(s, pc, kfn):
    """The table of this block; new fixed-point parameters when kfn changes."""
    fn = float(at(kfn, 0))
    table = pc.engine.tables.get(int(fn)) if fn >= 1 else None
    if table is None:
        raise PerfError(f"Invalid ftable no. {fn:f}")
    if fn != s.oldfn:
        s.oldfn = fn
        s.lobits, s.mask, s.pfrac = _flen_setup(table.size)
    return table.data


def oscilikt_init(s, ic, out, xamp, xcps, kfn, iphs, istor):
    if istor != 0.0:
        return
    s.oldfn = -1.0
    s.phs = int(_phs2int(iphs - math.trunc(iphs)))


@kernel
def oscilikt_perf_k(s, ctx, ft, kr, xamp, xcps, kfn, iphs, istor, n0, n1):
    """oscilikt (k): interpolating table oscillator, table chosen at k-rate (oscbnk.c)."""
    phs = s.phs
    n = phs >> s.lobits
    v = float(_i32(phs & s.mask)) * s.pfrac
    kr[0] = (ft[n] + (ft[n + 1] - ft[n]) * v) * at(xamp, 0)
    s.phs = (phs + _phs2int(at(xcps, 0) * ctx.onedkr)) & OSCBNK_PHSMSK


@helper
def _osckt_read(ft, phs, lobits, mask, pfrac):
    """Linear table read at a 31-bit phase, in oscbnk.c's operation order."""
    n = phs >> lobits
    v = ft[n]
    return v + (ft[n + 1] - v) * float(_i32(phs & mask)) * pfrac


@kernel
def oscilikt_perf_a(s, ctx, ft, ar, xamp, xcps, kfn, iphs, istor, n0, n1):
    """oscilikt (a): interpolating table oscillator, table chosen at k-rate (oscbnk.c)."""
    phs, lobits, mask, pfrac = s.phs, s.lobits, s.mask, s.pfrac
    for n in range(n0, n1):
        ar[n] = _osckt_read(ft, phs, lobits, mask, pfrac) * at(xamp, n)
        phs = (phs + _phs2int(at(xcps, n) * ctx.onedsr)) & OSCBNK_PHSMSK
    s.phs = phs


def oscilikt_python_k(s, pc, kr, xamp, xcps, kfn, iphs, istor, n0, n1):
    """oscilikt (k): look the table up, then run the kernel."""
    ft = _osckt_table(s, pc, kfn)
    oscilikt_perf_k(s, pc.consts, ft, kr, xamp, xcps, kfn, iphs, istor, n0, n1)


def oscilikt_python_a(s, pc, ar, xamp, xcps, kfn, iphs, istor, n0, n1):
    """oscilikt (a): look the table up, then run the kernel."""
    ft = _osckt_table(s, pc, kfn)
    oscilikt_perf_a(s, pc.consts, ft, ar, xamp, xcps, kfn, iphs, istor, n0, n1)


defop("oscilikt", "a", "kkkoo", OSCKT, oscilikt_init, oscilikt_python_a, python_perf=True)
defop("oscilikt", "k", "kkkoo", OSCKT, oscilikt_init, oscilikt_python_k, python_perf=True)
defop("oscilikt", "a", "kakoo", OSCKT, oscilikt_init, oscilikt_python_a, python_perf=True)
defop("oscilikt", "a", "akkoo", OSCKT, oscilikt_init, oscilikt_python_a, python_perf=True)
defop("oscilikt", "a", "aakoo", OSCKT, oscilikt_init, oscilikt_python_a, python_perf=True)


def osciliktp_init(s, ic, ar, kcps, kfn, kphs, istor):
    if istor != 0.0:
        return
    s.oldfn = -1.0
    s.phs = 0
    s.old_phs = 0.0
    s.init_k = 1


@kernel
def osciliktp_perf(s, ctx, ft, ar, kcps, kfn, kphs, istor, n0, n1):
    """osciliktp: oscilikt whose k-rate phase input becomes a frequency offset (oscbnk.c)."""
    phs, lobits, mask, pfrac = s.phs, s.lobits, s.mask, s.pfrac
    frq = _phs2int(at(kcps, 0) * ctx.onedsr)
    kp = at(kphs, 0)
    if s.init_k != 0:
        s.init_k = 0
        s.old_phs = kp
        phs = _phs2int(kp - float(_i32(np.int64(kp))))
    # compat: the phase step is spread over the block from the sample offset on
    frq = (frq + _phs2int((kp - s.old_phs) / (ctx.ksmps - n0))) & OSCBNK_PHSMSK
    s.old_phs = kp
    for n in range(n0, n1):
        v = _osckt_read(ft, phs, lobits, mask, pfrac)
        phs = (phs + frq) & OSCBNK_PHSMSK
        ar[n] = v
    s.phs = phs


def osciliktp_python(s, pc, ar, kcps, kfn, kphs, istor, n0, n1):
    """osciliktp: look the table up, then run the kernel."""
    ft = _osckt_table(s, pc, kfn)
    osciliktp_perf(s, pc.consts, ft, ar, kcps, kfn, kphs, istor, n0, n1)


defop("osciliktp", "a", "kkko", OSCKT, osciliktp_init, osciliktp_python, python_perf=True)


def oscilikts_init(s, ic, ar, xamp, xcps, kfn, async_, kphs, istor):
    if istor != 0.0:
        return
    s.oldfn = -1.0
    s.phs = 0
    s.init_k = 1


@kernel
def oscilikts_perf(s, ctx, ft, ar, xamp, xcps, kfn, async_, kphs, istor, n0, n1):
    """oscilikts: oscilikt with a sync input that resets the phase to kphs (oscbnk.c)."""
    phs, lobits, mask, pfrac = s.phs, s.lobits, s.mask, s.pfrac
    kp = at(kphs, 0)
    reset = _phs2int(kp - float(_i32(np.int64(kp))))
    if s.init_k != 0:
        s.init_k = 0
        phs = reset
    for n in range(n0, n1):
        if async_[n] > 0.0:
            phs = reset
        ar[n] = _osckt_read(ft, phs, lobits, mask, pfrac) * at(xamp, n)
        phs = (phs + _phs2int(at(xcps, n) * ctx.onedsr)) & OSCBNK_PHSMSK
    s.phs = phs


def oscilikts_python(s, pc, ar, xamp, xcps, kfn, async_, kphs, istor, n0, n1):
    """oscilikts: look the table up, then run the kernel."""
    ft = _osckt_table(s, pc, kfn)
    oscilikts_perf(s, pc.consts, ft, ar, xamp, xcps, kfn, async_, kphs, istor, n0, n1)


defop("oscilikts", "a", "xxkako", OSCKT, oscilikts_init, oscilikts_python, python_perf=True)

# ------------------------------------------------------------ adsynt adsynt2

ADSYNT = State(count=i64, lobits=i64)


def _adsynt_init(name: str):
    def init(s, ic, ar, kamp, kcps, ifn, ifreqtbl, iamptbl, icnt, iphs):
        if ic.engine.tables.get(int(ifn)) is None:
            raise InitError(f"{name}: wavetable not found!")
        wave = _ftfind(ic, ifn)
        count = max(int(icnt), 1)
        freq = _np2find(ic, ifreqtbl, f"{name}: freqtable not found!")
        if freq.size < count:
            raise InitError(f"{name}: partial count is greater than freqtable size!")
        amp = _np2find(ic, iamptbl, f"{name}: amptable not found!")
        if amp.size < count:
            raise InitError(f"{name}: partial count is greater than amptable size!")
        s.count, s.lobits = count, wave.lobits
        lphs = np.zeros(count, dtype=np.int64)
        if iphs > 1:
            seed = randseed1_cell(ic)
            for c in range(count):
                seed[()] = _rand31(seed[()])
                lphs[c] = int((float(seed[()] - 1) / 2147483645.0) * FMAXLEN) & PHMASK
        elif iphs >= 0:
            lphs[:] = int(iphs * FMAXLEN) & PHMASK
        return wave.data, freq.data, amp.data, lphs, np.zeros(count)
    return init


@kernel
def adsynt_perf(s, ctx, ftbl, freqtbl, amptbl, lphs, pamp, ar, kamp, kcps, ifn, ifreqtbl,
                iamptbl, icnt, iphs, n0, n1):
    """adsynt: bank of truncating oscillators, partials from two tables (pitch.c)."""
    amp0, cps0, lobits = at(kamp, 0), at(kcps, 0), s.lobits
    for n in range(n0, n1):
        ar[n] = 0.0
    for c in range(s.count):
        amp = amptbl[c] * amp0
        inc = _i32(np.int64(freqtbl[c] * cps0 * ctx.sicvt))
        phs = lphs[c]
        for n in range(n0, n1):
            ar[n] += ftbl[phs >> lobits] * amp
            phs = (phs + inc) & PHMASK
        lphs[c] = phs


@kernel
def adsynt2_perf(s, ctx, ftbl, freqtbl, amptbl, lphs, pamp, ar, kamp, kcps, ifn, ifreqtbl,
                 iamptbl, icnt, iphs, n0, n1):
    """adsynt2: adsynt with each partial's amplitude ramped over the block (gab.c)."""
    amp0, cps0, lobits = at(kamp, 0), at(kcps, 0), s.lobits
    for n in range(n0, n1):
        ar[n] = 0.0
    for c in range(s.count):
        amp2 = pamp[c]
        amp = amptbl[c] * amp0
        inc = _i32(np.int64(freqtbl[c] * cps0 * ctx.sicvt))
        phs = lphs[c]
        incr = (amp - amp2) * (1.0 / ctx.ksmps)
        for n in range(n0, n1):
            ar[n] += ftbl[phs >> lobits] * amp2
            phs = (phs + inc) & PHMASK
            amp2 += incr
        pamp[c] = amp
        lphs[c] = phs


_ADSYNT_ARRAYS = ("ftbl", "freqtbl", "amptbl", "lphs", "pamp")
defop("adsynt", "a", "kkiiiio", ADSYNT, _adsynt_init("adsynt"), adsynt_perf,
      arrays=_ADSYNT_ARRAYS, flags=("table_read",))
defop("adsynt2", "a", "kkiiiio", ADSYNT, _adsynt_init("adsynt2"), adsynt2_perf,
      arrays=_ADSYNT_ARRAYS, flags=("table_read",))

# ------------------------------------------------------------------ mac maca

EMPTY = State()


def _mac_init(s, ic, ar, args):
    if len(args) % 2 == 1:
        raise InitError("Must have even number of arguments in mac\n")


@kernel
def mac_perf(s, ctx, ar, args, n0, n1):
    """mac: sum of k*a products over (k, a) argument pairs (pitch.c)."""
    for n in range(n0, n1):
        ar[n] = 0.0
    i = 0
    kval = 0.0
    for x in literal_unroll(args):
        if i % 2 == 0:
            kval = at(x, 0)
        else:
            for n in range(n0, n1):
                ar[n] += kval * at(x, n)
        i += 1


@kernel
def maca_perf(s, ctx, ar, args, n0, n1):
    """maca: sum of a*a products over pairs of audio arguments (pitch.c)."""
    for n in range(n0, n1):
        acc = 0.0
        for j in range(0, len(args) - 1, 2):
            acc += args[j][n] * args[j + 1][n]
        ar[n] = acc


defop("maca", "a", "y", EMPTY, _mac_init, maca_perf)
defop("mac", "a", "Z", EMPTY, _mac_init, mac_perf)

# ---------------------------------------------------------- phaser1 phaser2

PHASER = State(loop=i64, modetype=i64, feedback=f64)


def _lrint(x: float) -> float:
    """MYFLT2LONG: round half to even (lrint)."""
    return float(np.rint(x))


def phaser1_init(s, ic, out, ain, kcoef, iorder, kfbgain, istor):
    s.loop = int(_lrint(iorder))
    return np.zeros(max(s.loop, 0)), np.zeros(max(s.loop, 0))


@kernel
def phaser1_perf(s, ctx, xnm1, ynm1, out, ain, kcoef, iorder, kfbgain, istor, n0, n1):
    """phaser1: feedback cascade of first-order allpass filters (ugsc.c)."""
    wp = ctx.pidsr * abs(at(kcoef, 0))
    beta = (1.0 - wp) / (1.0 + wp)
    fbgain, feedback, loop = at(kfbgain, 0), s.feedback, s.loop
    for n in range(n0, n1):
        xn = ain[n] + feedback * fbgain
        yn = 0.0
        for j in range(loop):
            yn = beta * (xn + ynm1[j]) - xnm1[j]
            xnm1[j] = xn
            ynm1[j] = yn
            xn = yn
        out[n] = yn
        feedback = yn
    s.feedback = feedback


defop("phaser1", "a", "akkko", PHASER, phaser1_init, phaser1_perf, arrays=("xnm1", "ynm1"))


def phaser2_init(s, ic, out, ain, kbf, kbw, korder, kmode, ksep, kfbgain):
    mode = int(kmode)
    if mode not in (0, 1, 2):
        raise InitError("Phaser mode must be either 1 or 2")
    s.modetype = mode
    s.loop = int(_lrint(korder))
    return np.zeros(max(s.loop, 0)), np.zeros(max(s.loop, 0))


@kernel
def phaser2_perf(s, ctx, nm1, nm2, out, ain, kbf, kbw, korder, kmode, ksep, kfbgain, n0, n1):
    """phaser2: feedback cascade of second-order allpass notches (ugsc.c)."""
    bf, q, sep, fbgain = at(kbf, 0), at(kbw, 0), at(ksep, 0), at(kfbgain, 0)
    if bf <= 0.0:
        bf = -bf
    if sep <= 0.0:
        sep = -sep
    feedback, loop, harmonic = s.feedback, s.loop, s.modetype == 1
    for n in range(n0, n1):
        kk = 1.0
        xn = ain[n] + feedback * fbgain
        yn = 0.0
        for j in range(loop):
            if harmonic:
                freq = bf + bf * sep * j
            else:
                freq = bf * kk
                kk *= sep
            r = math.exp(-(freq * ctx.pidsr / q))
            b = -2.0 * r * math.cos(freq * ctx.tpidsr)
            a = r * r
            temp = xn - b * nm1[j] - a * nm2[j]
            yn = a * temp + b * nm1[j] + nm2[j]
            nm2[j] = nm1[j]
            nm1[j] = temp
            xn = yn
        out[n] = yn
        feedback = yn
    s.feedback = feedback


defop("phaser2", "a", "akkkkkk", PHASER, phaser2_init, phaser2_perf, arrays=("nm1", "nm2"))

# ------------------------------------------------------------------ nestedap

NESTEDAP = State(mode=i64, beg1=i64, beg2=i64, beg3=i64, end1=i64, end2=i64, end3=i64,
                 del1=i64, del2=i64, del3=i64, g1=f64, g2=f64, g3=f64)


def nestedap_init(s, ic, out, ain, imode, imaxdel, idel1, igain1, idel2, igain2, idel3,
                  igain3, istor):
    sr = ic.sr
    npts2 = int(idel2 * sr)
    npts3 = int(idel3 * sr)
    npts1 = int(idel1 * sr) - npts2 - npts3
    if int(idel1 * sr) <= npts2 + npts3:
        raise InitError("illegal delay time")
    npts = npts1 + npts2 + npts3
    s.mode = 0
    s.g1, s.g2, s.g3 = igain1, igain2, igain3
    if imode == 1.0:
        s.mode, s.beg1, s.end1 = 1, 0, npts
    elif imode == 2.0:
        if npts1 <= 0 or npts2 <= 0:
            raise InitError("illegal delay time")
        # compat: delay 1 ends one sample before delay 2 begins (biquad.c nestedapset)
        s.mode, s.beg1, s.beg2, s.end1, s.end2 = 2, 0, npts1, npts1 - 1, npts
    elif imode == 3.0:
        if npts1 <= 0 or npts2 <= 0 or npts3 <= 0:
            raise InitError("illegal delay time")
        s.mode, s.beg1, s.beg2, s.beg3 = 3, 0, npts1, npts1 + npts2
        s.end1, s.end2, s.end3 = npts1 - 1, npts1 + npts2 - 1, npts
    s.del1, s.del2, s.del3 = s.beg1, s.beg2, s.beg3
    return (np.zeros(npts),)


@kernel
def nestedap_perf(s, ctx, buf, out, ain, imode, imaxdel, idel1, igain1, idel2, igain2,
                  idel3, igain3, istor, n0, n1):
    """nestedap: plain, single or double nested allpass filter (biquad.c)."""
    mode = s.mode
    if mode == 0:
        return
    d1, d2, d3 = s.del1, s.del2, s.del3
    g1, g2, g3 = s.g1, s.g2, s.g3
    for n in range(n0, n1):
        x = ain[n]
        if mode == 1:
            out1 = buf[d1] - g1 * x
            buf[d1] = x + g1 * out1
        elif mode == 2:
            out2 = buf[d2] - g2 * buf[d1]
            out1 = out2 - g1 * x
            buf[d1] = x + g1 * out1
            buf[d2] = buf[d1] + g2 * out2
        else:
            out2 = buf[d2] - g2 * buf[d1]
            out3 = buf[d3] - g3 * out2
            out1 = out3 - g1 * x
            buf[d1] = x + g1 * out1
            buf[d2] = buf[d1] + g2 * out2
            buf[d3] = out2 + g3 * out3
        d1 += 1
        if d1 >= s.end1:
            d1 = s.beg1
        if mode >= 2:
            d2 += 1
            if d2 >= s.end2:
                d2 = s.beg2
        if mode == 3:
            d3 += 1
            if d3 >= s.end3:
                d3 = s.beg3
        out[n] = out1
    s.del1, s.del2, s.del3 = d1, d2, d3


defop("nestedap", "a", "aiiiiooooo", NESTEDAP, nestedap_init, nestedap_perf, arrays=("buf",))

# ---------------------------------------------------------- distort1 distort


@kernel
def distort1_perf(s, ctx, out, ain, kpregain, kpostgain, kshape1, kshape2, imode, n0, n1):
    """distort1: modified hyperbolic tangent waveshaper (biquad.c distort)."""
    pregain, postgain = at(kpregain, 0), at(kpostgain, 0)
    shape1, shape2 = at(kshape1, 0), at(kshape2, 0)
    mode = at(imode, 0)
    if mode < 0.5:
        pregain *= 0.0002
        postgain *= 20000.0
        shape1 *= 0.000125
        shape2 *= 0.000125
    elif mode < 1.5:
        pregain *= 6.5536 * ctx.dbfs_to_float
        postgain *= 0.61035156 * ctx.e0dbfs
        shape1 *= 4.096 * ctx.dbfs_to_float
        shape2 *= 4.096 * ctx.dbfs_to_float
    else:
        shape1 *= pregain
        shape2 *= -pregain
    shape1 += pregain
    shape2 -= pregain
    postgain *= 0.5
    for n in range(n0, n1):
        sig = ain[n]
        out[n] = ((math.exp(sig * shape1) - math.exp(sig * shape2))
                  / math.cosh(sig * pregain)) * postgain


defop("distort1", "a", "akkkko", EMPTY, None, distort1_perf)

DIST = State(maxphs=f64, midphs=f64, begval=f64, endval=f64, c1=f64, c2=f64, min_rms=f64,
             prvq=f64, prvd=f64)


def distort_init(s, ic, ar, asig, kdist, ifn, ihp, istor):
    table = _np2find(ic, ifn)
    s.maxphs = float(table.size)
    s.midphs = s.maxphs * 0.5
    s.begval = table.data[0]
    s.endval = table.data[table.size]
    b = 2.0 - math.cos(ihp * ic.consts.tpidsr)
    s.c2 = b - math.sqrt(b * b - 1.0)
    s.c1 = 1.0 - s.c2
    s.min_rms = ic.e0dbfs * (1.0 / 32768.0)
    if istor == 0.0:
        s.prvq = 0.0
        s.prvd = 1000.0 * s.min_rms
    return (table.data,)


@kernel
def distort_perf(s, ctx, ft, ar, asig, kdist, ifn, ihp, istor, n0, n1):
    """distort: waveshaping through a table, normalised by the running rms (compress.c)."""
    q = s.prvq
    for n in range(n0, n1):
        q = s.c1 * asig[n] * asig[n] + s.c2 * q
    s.prvq = q
    rms = math.sqrt(q)
    if rms < s.min_rms:
        rms = s.min_rms
    dist = at(kdist, 0)
    if dist < 0.001:
        dist = 0.001
    dnew = rms / dist
    dcur = s.prvd
    # compat: the ramp is divided by the block end, not by the frames computed
    dinc = (dnew - dcur) / n1
    for n in range(n0, n1):
        phs = s.midphs * (1.0 + asig[n] / dcur)
        if phs <= 0.0:
            val = s.begval
        elif phs >= s.maxphs:
            val = s.endval
        else:
            iphs = int(phs)
            frac = phs - float(iphs)
            val = ft[iphs]
            val += (ft[iphs + 1] - val) * frac
        ar[n] = val * dcur
        dcur += dinc
    s.prvd = dcur


defop("distort", "a", "akiqo", DIST, distort_init, distort_perf, arrays=("ft",),
      flags=("table_read",))

# ------------------------------------------------------------- chebyshevpoly


def chebyshevpoly_init(s, ic, out, ain, kcoefs):
    ncoeff = len(kcoefs)
    return np.zeros(ncoeff), np.zeros(ncoeff), np.zeros(ncoeff)


@kernel
def chebyshevpoly_perf(s, ctx, kc, coeff, chebn, out, ain, kcoefs, n0, n1):
    """chebyshevpoly: weighted sum of Chebyshev polynomials of the input (shape.c)."""
    i = 0
    for x in literal_unroll(kcoefs):
        kc[i] = at(x, 0)
        i += 1
    last = kc.shape[0] - 1
    # Two consecutive polynomials share chebn: even powers hold one, odd the other.
    chebn[0] = 1.0
    if last > 0:
        chebn[1] = 1.0
    for i in range(2, last + 1):
        chebn[i] = 0.0
    coeff[0] = kc[0]
    if last > 0:
        coeff[1] = kc[1]
    if last > 1:
        for i in range(2, last + 1):
            coeff[i] = 0.0
        for i in range(2, last + 1, 2):
            chebn[0] = -chebn[0]
            coeff[0] += chebn[0] * kc[i]
            for j in range(2, last + 1, 2):
                chebn[j] = 2 * chebn[j - 1] - chebn[j]
                coeff[j] += chebn[j] * kc[i]
            if last > i:
                for j in range(1, last + 1, 2):
                    chebn[j] = 2 * chebn[j - 1] - chebn[j]
                    coeff[j] += chebn[j] * kc[i + 1]
    for n in range(n0, n1):
        x = ain[n]
        acc = coeff[last]
        for i in range(last - 1, -1, -1):
            acc *= x
            acc += coeff[i]
        out[n] = acc


defop("chebyshevpoly", "a", "az", EMPTY, chebyshevpoly_init, chebyshevpoly_perf,
      arrays=("kc", "coeff", "chebn"))

# ------------------------------------------------------------- st2ms ms2st


@kernel
def st2ms_perf(s, ctx, am, as_, al, ar, n0, n1):
    """st2ms: left/right to mid (l+r) and side (l-r) (newfils.c ms_encod)."""
    # compat: Csound encodes from frame 0, not from the sample offset
    for n in range(0, n1):
        am[n] = al[n] + ar[n]
        as_[n] = al[n] - ar[n]


@kernel
def ms2st_perf(s, ctx, al, ar, am, as_, kwidth, n0, n1):
    """ms2st: mid/side to left/right with a stereo width in [0, 1] (newfils.c ms_decod)."""
    w = at(kwidth, 0)
    w = (w if w < 1.0 else 1.0) if w > 0.0 else 0.0
    wm1 = 1.0 - w
    for n in range(0, n1):
        mm = am[n] * wm1
        ss = as_[n] * w
        al[n] = mm + ss
        ar[n] = mm - ss


defop("st2ms", "aa", "aa", EMPTY, None, st2ms_perf)
defop("ms2st", "aa", "aak", EMPTY, None, ms2st_perf)

# --------------------------------------------------------------------- dconv

DCONV = State(len=i64, curp=i64)


def dconv_init(s, ic, ar, ain, isize, ifn):
    table = ic.engine.tables.get(int(ifn)) if ifn >= 1 else None
    if table is None:
        raise InitError("No table for dconv")
    length = int(isize)
    if table.size < length:
        length = table.size
    s.len, s.curp = length, 0
    return table.data, np.zeros(length)


@kernel
def dconv_perf(s, ctx, ft, buf, ar, ain, isize, ifn, n0, n1):
    """dconv: direct convolution with the first isize points of a table (ugmoss.c)."""
    length, curp = s.len, s.curp
    for n in range(n0, n1):
        buf[curp] = ain[n]
        acc = buf[curp] * ft[0]
        i = 1
        for p in range(curp + 1, length):
            acc += buf[p] * ft[i]
            i += 1
        p = 0
        while i < length:
            acc += buf[p] * ft[i]
            i += 1
            p += 1
        curp -= 1
        if curp < 0:
            curp += length
        ar[n] = acc
    s.curp = curp


defop("dconv", "a", "aii", DCONV, dconv_init, dconv_perf, arrays=("ft", "buf"),
      flags=("table_read",))

# ------------------------------------------------------------ cpstun cpstuni


def _cpstun(ft: np.ndarray, note: float) -> float:
    """aops.c cpstun: the frequency of a note in a GEN -2 tuning table."""
    notenum = math.trunc(note)
    numgrades = math.trunc(ft[0])
    interval, basefreq, basekey = ft[1], ft[2], math.trunc(ft[3])
    # C's / and % truncate towards zero; all operands are positive here.
    if notenum < basekey:
        notenum = basekey - notenum
        grade = (numgrades - notenum % numgrades) % numgrades
        factor = -float((notenum + numgrades - 1) // numgrades)
    else:
        notenum -= basekey
        grade = notenum % numgrades
        factor = float(notenum // numgrades)
    return ft[4 + grade] * math.pow(interval, factor) * basefreq


def cpstuni_init(s, ic, r, iinput, ifn):
    table = ic.engine.tables.get(int(ifn)) if ifn >= 1 else None
    if table is None:
        raise InitError("cpstun: invalid table")
    r[0] = _cpstun(table.data, iinput)


CPSTUN = State(old_r=f64)


def cpstun_python(s, pc, r, ktrig, kinput, kfn, n0, n1):
    """cpstun: recompute the tuned frequency when ktrig is non-zero, else hold it."""
    if ktrig[()] != 0.0:
        fn = float(kfn[()])
        table = pc.engine.tables.get(int(fn)) if fn >= 1 else None
        if table is None:
            raise PerfError("cpstun: invalid table")
        s.old_r = _cpstun(table.data, float(kinput[()]))
    r[0] = s.old_r


defop("cpstun", "k", "kkk", CPSTUN, None, cpstun_python, python_perf=True,
      flags=("table_read",))
defop("cpstuni", "i", "ii", EMPTY, cpstuni_init, flags=("table_read",))

# ------------------------------------------------------------ crossfm family

CROSSFM = State(siz1=f64, siz2=f64, phase1=f64, phase2=f64, sig1=f64, sig2=f64, pm1=i64,
                pm2=i64, interp=i64)


def _crossfm_init(pm1: int, pm2: int, interp: int):
    def init(s, ic, aout1, aout2, xfrq1, xfrq2, xndx1, xndx2, kcps, ifn1, ifn2, iphs1, iphs2):
        t1 = ic.engine.tables.get(int(ifn1)) if ifn1 >= 1 else None
        t2 = ic.engine.tables.get(int(ifn2)) if ifn2 >= 1 else None
        if t1 is None or t2 is None:
            raise InitError("crossfm: ftable not found")
        s.siz1, s.siz2 = float(t1.size), float(t2.size)
        if iphs1 >= 0.0:
            s.phase1, s.sig1 = iphs1, 0.0
        if iphs2 >= 0.0:
            s.phase2, s.sig2 = iphs2, 0.0
        s.pm1, s.pm2, s.interp = pm1, pm2, interp
        return t1.data, t2.data
    return init


@helper
def _xfm_read(tbl, ph, siz, interp):
    """Truncating or linear read at a phase in [0, 1)."""
    x = ph * siz
    i = int(x)
    if interp == 0:
        return tbl[i]
    y = tbl[i]
    return (tbl[i + 1] - y) * (x - math.floor(x)) + y


@kernel
def crossfm_perf(s, ctx, tbl1, tbl2, aout1, aout2, xfrq1, xfrq2, xndx1, xndx2, kcps, ifn1,
                 ifn2, iphs1, iphs2, n0, n1):
    """crossfm, crosspm, crossfmpm (+i): two oscillators modulating each other (crossfm.c)."""
    cps, k = at(kcps, 0), ctx.onedsr
    siz1, siz2, pm1, pm2, interp = s.siz1, s.siz2, s.pm1, s.pm2, s.interp
    phase1, phase2, sig1, sig2 = s.phase1, s.phase2, s.sig1, s.sig2
    for n in range(n0, n1):
        frq1 = at(xfrq1, n) * cps
        frq2 = at(xfrq2, n) * cps
        aout1[n] = sig1
        aout2[n] = sig2
        if pm1 == 0:
            phase1 += (frq1 + at(xndx2, n) * frq2 * sig2) * k
            phase1 -= math.floor(phase1)
            ph1 = phase1
        else:
            phase1 += frq1 * k
            ph1 = phase1 + at(xndx2, n) * sig2 / TWOPI_F
            ph1 -= math.floor(ph1)
        if pm2 == 0:
            phase2 += (frq2 + at(xndx1, n) * frq1 * sig1) * k
            phase2 -= math.floor(phase2)
            ph2 = phase2
        else:
            phase2 += frq2 * k
            ph2 = phase2 + at(xndx1, n) * sig1 / TWOPI_F
            ph2 -= math.floor(ph2)
        sig1 = _xfm_read(tbl1, ph1, siz1, interp)
        sig2 = _xfm_read(tbl2, ph2, siz2, interp)
    s.phase1 = phase1 - math.floor(phase1) if pm1 else phase1
    s.phase2 = phase2 - math.floor(phase2) if pm2 else phase2
    s.sig1, s.sig2 = sig1, sig2


for _name, _pm1, _pm2, _interp in (("crossfm", 0, 0, 0), ("crossfmi", 0, 0, 1),
                                   ("crosspm", 1, 1, 0), ("crosspmi", 1, 1, 1),
                                   ("crossfmpm", 0, 1, 0), ("crossfmpmi", 0, 1, 1)):
    defop(_name, "aa", "xxxxkiioo", CROSSFM, _crossfm_init(_pm1, _pm2, _interp), crossfm_perf,
          arrays=("tbl1", "tbl2"), flags=("table_read",))

# -------------------------------------------------------------------- pinker


def _pink_tables() -> tuple[np.ndarray, np.ndarray]:
    """pinker.c's two 64-entry lookup tables of a 12-tap FIR, as float32."""
    ca = (1.190566, 0.162580, 0.002208, 0.025475, -0.001522, 0.007322)
    cb = (0.001774, 0.004529, -0.001561, 0.000776, -0.000486, 0.002017)
    quarter = float(np.float32(0.0625))

    def fir(coefs, m, bias):
        acc = 0.0
        for shift, cf in enumerate(coefs):
            acc += quarter * cf * (2 * (m >> shift & 1) - 1)
        return acc - bias

    a = np.array([fir(ca, m, 440.0) for m in range(64)], dtype=np.float32)
    b = np.array([fir(cb, m, 0.0) for m in range(64)], dtype=np.float32)
    return a, b


PFIRA, PFIRB = _pink_tables()
PNMASK = np.array([v for n in (0x00, 0x08, 0x04, 0x08, 0x02, 0x08, 0x04, 0x08,
                               0x01, 0x08, 0x04, 0x08, 0x02, 0x08, 0x04, 0x08)
                   for v in (n, 0x80, 0x40, 0x80, 0x20, 0x80, 0x40, 0x80,
                             0x10, 0x80, 0x40, 0x80, 0x20, 0x80, 0x40, 0x80)], dtype=np.int64)
PIND = np.array([0, 0x0800, 0x0400, 0x0800, 0x0200, 0x0800, 0x0400, 0x0800,
                 0x0100, 0x0800, 0x0400, 0x0800, 0x0200, 0x0800, 0x0400, 0x0800],
                dtype=np.int64)

PINKER = State(inc=i64, dec=i64, accu=i64, lfsr=i64, cnt=i64, offset=i64)


def pinker_init(s, ic, ar):
    count = ic.engine.globals.get("misc_synth.pinker_count", 0)
    ic.engine.globals["misc_synth.pinker_count"] = count + 1
    s.lfsr = int(_i32(0x5EED41F5 + count))
    s.accu = int(np.array([440.0], dtype=np.float32).view(np.int32)[0])
    s.cnt, s.inc, s.dec, s.offset = 0, 0x0CCC, 0x0CCC, 0
    bits = np.zeros(1, dtype=np.int32)
    return PFIRA, PFIRB, PNMASK, PIND, bits, bits.view(np.float32)


@kernel
def pinker_perf(s, ctx, pfira, pfirb, pnmask, pind, bits, fbits, ar, n0, n1):
    """pinker: Stenzel's pink noise, an LFSR feeding a 12-tap FIR (pinker.c)."""
    inc, dec, accu, lfsr, cnt = s.inc, s.dec, s.accu, s.lfsr, s.cnt
    nn = s.offset
    for n in range(n0, n1):
        k = nn % 16
        if k == 0:
            mask = pnmask[cnt]
            cnt = (cnt + 1) & 0xFF
        else:
            mask = pind[k]
        bit = -1 if lfsr < 0 else 0
        dec &= ~mask
        lfsr = _i32(lfsr << 1)
        dec |= inc & mask
        inc ^= bit & mask
        # compat: the integrator's bits are read back as a float (pinker.c's float hack)
        bits[0] = accu
        yy = float(fbits[0])
        accu = _i32(accu + inc - dec)
        lfsr = _i32(lfsr ^ (bit & 0x46000001))
        # compat: Csound's build sums in double and rounds once to float (checked
        # against its output; float-by-float sums differ by up to 1.4e-5)
        yy = np.float32(yy + float(pfira[lfsr & 0x3F]) + float(pfirb[(lfsr >> 6) & 0x3F]))
        ar[n] = float(yy) * ctx.e0dbfs
        nn += 1
    s.inc, s.dec, s.accu, s.lfsr, s.cnt = inc, dec, accu, lfsr, cnt
    s.offset = nn % 16


defop("pinker", "a", "", PINKER, pinker_init, pinker_perf,
      arrays=("pfira", "pfirb", "pnmask", "pind", "bits", "fbits"))
