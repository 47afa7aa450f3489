"""Synthesis: FM pairs, FOF grains, coloured and sparse noise, random splines.

Follows Csound 6.18 (64-bit build, MAXLEN = 2**28): foscil/foscili from
OOps/ugens3.c; fof/fof2 from Opcodes/ugens7.c; pinkish, noise and mpulse from
Opcodes/pitch.c; jitter, jitter2, jspline, rspline, vibr, vibrato and urd from
Opcodes/uggab.c (the engine's `holdrand` generator, shared with noise.py);
dust, dust2 and gausstrig from Opcodes/tl/sc_noise.c; syncphasor from
Opcodes/shape.c; expcurve, logcurve, gainslider from Opcodes/ugakbari.c.

Generators: `randGab`/`BiRandGab` draw from noise.py's `noise.holdrand` cell;
`csound->Rand31(&randSeed1)` from the engine's `noise.randseed1`, kept here
as a 0-d int64 array cell (see `randseed1_cell`) so kernels can advance it.
Seeds Csound takes from the clock (pinkish iseed = 0) cannot be reproduced.

Deviations: urd looks its table up at init (Csound at every perf pass when the
number changes); pinkish with iskip = 1 keeps no rows across a tied note.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..engine.context import MAXLEN
from ..errors import InitError, PerfError
from ._registry import NativeInit, State, defop, f64, i64
from .noise import ONE_UP_31_BIT, _holdrand, _i32, _rand_gab
from .oscillators import _ftfind, _intpow1, _lrint32, _trunc32, ftfind_native, table_ref_native
from ..engine.tables import TAB_LOBITS, TAB_LOMASK

FMAXLEN = float(MAXLEN)
PHMASK = MAXLEN - 1
DV2_31 = 4.656612873077392578125e-10

# ------------------------------------------------------------- generators


@helper
def _rand31(seed):
    """OOps/random.c csoundRand31: 742938285 * x mod 2**31-1."""
    t = np.int64(_i32(seed)) * 742938285
    t2 = ((t & 0x7FFFFFFF) + ((t >> 31) & 0x1FFFFFFFF)) & 0xFFFFFFFF
    return (t2 & 0x7FFFFFFF) + (t2 >> 31)


def randseed1_cell(ic) -> np.ndarray:
    """The engine's randSeed1 (Csound's default 15937) as a 0-d int64 cell.

    `seed` in noise.py stores a plain int under the same key; it is wrapped
    into a cell here on first use so that kernels can advance it in place.
    """
    g = ic.engine.globals
    cell = g.get("noise.randseed1")
    if not isinstance(cell, np.ndarray):
        cell = g["noise.randseed1"] = np.array(15937 if cell is None else int(cell),
                                               dtype=np.int64)
    return cell


@helper
def _birand_gab(hold):
    """uggab.h BiRandGab: holdrand = holdrand * -214013 + 2531011, as a signed fraction."""
    h = _i32(hold[0] * -214013 + 2531011)
    hold[0] = h
    return float(h) * ONE_UP_31_BIT


EMPTY = State()


def _hold_aux(s, ic, *args):
    return (_holdrand(ic),)


# ------------------------------------------------------------ foscil foscili

FOSC = State(mphs=i64, cphs=i64, lobits=i64, lomask=i64, lodiv=f64, interp=i64)


def _fosc_init(interp):
    def init(s, ic, ar, xamp, kcps, xcar, xmod, kndx, ifn, iphs):
        table = _ftfind(ic, ifn)
        if iphs >= 0:
            s.cphs = s.mphs = _trunc32(iphs * FMAXLEN)
        lobits = table.lobits  # lomask and lodiv as FunctionTable derives them
        s.lobits, s.lomask, s.lodiv = lobits, (1 << lobits) - 1, 1.0 / (1 << lobits)
        s.interp = interp
        return (table.data,)
    return init


@kernel
def fosc_init_native(s, ctx, tabs, interp, ft_addr, ft_shape, ar, xamp, kcps, xcar, xmod, kndx,
                     ifn, iphs):
    """`_fosc_init` for compiled note starts."""
    fno = ftfind_native(tabs, ifn)
    if fno < 0:
        return 1
    if iphs >= 0:
        s.cphs = s.mphs = _trunc32(iphs * FMAXLEN)
    lobits = tabs[fno, TAB_LOBITS]
    s.lobits, s.lomask, s.lodiv = lobits, tabs[fno, TAB_LOMASK], 1.0 / (1 << lobits)
    s.interp = interp
    table_ref_native(tabs, fno, ft_addr, ft_shape)
    return 0


@helper
def _fosc_read(ft, phs, lobits, lomask, lodiv, interp):
    """Truncating or linear table read at a masked fixed-point phase."""
    x0 = phs >> lobits
    if interp == 0:
        return ft[x0]
    v1 = ft[x0]
    return v1 + (ft[x0 + 1] - v1) * ((phs & lomask) * lodiv)


@kernel
def foscil_perf(s, ctx, ft, ar, xamp, kcps, xcar, xmod, kndx, ifn, iphs, n0, n1):
    """foscil/foscili: carrier phase-modulated by a modulator, fixed-point (ugens3.c)."""
    mphs, cphs, sicvt = s.mphs, s.cphs, ctx.sicvt
    lobits, lomask, lodiv, interp = s.lobits, s.lomask, s.lodiv, s.interp
    cps = at(kcps, 0)
    for n in range(n0, n1):
        mod = cps * at(xmod, n)
        ndx = at(kndx, 0) * mod
        minc = _trunc32(mod * sicvt)
        mphs &= PHMASK
        fmod = _fosc_read(ft, mphs, lobits, lomask, lodiv, interp) * ndx
        mphs += minc
        cinc = _trunc32((cps * at(xcar, n) + fmod) * sicvt)
        cphs &= PHMASK
        ar[n] = _fosc_read(ft, cphs, lobits, lomask, lodiv, interp) * at(xamp, n)
        cphs += cinc
    s.mphs, s.cphs = _i32(mphs), _i32(cphs)


defop("foscil", "a", "xkxxkjo", FOSC, _fosc_init(0), foscil_perf, arrays=("ft",),
      flags=("note_local",), native_init=NativeInit(fosc_init_native, (0,), ("ref",)))
defop("foscili", "a", "xkxxkjo", FOSC, _fosc_init(1), foscil_perf, arrays=("ft",),
      flags=("note_local",), native_init=NativeInit(fosc_init_native, (1,), ("ref",)))

# ------------------------------------------------------------------ fof fof2

# One row per overlap (row 0 is Csound's `basovrlap`, the list heads).
O_NXTACT, O_NXTFREE, O_TIMREM, O_DECTIM, O_FORMPHS, O_FORMINC = 0, 1, 2, 3, 4, 5
O_RISPHS, O_RISINC, O_DECPHS, O_DECINC, O_SAMPCT = 6, 7, 8, 9, 10
F_CURAMP, F_EXPAMP, F_GLISSBAS = 0, 1, 2

FOFS = State(durtogo=i64, fundphs=i64, fofcount=i64, prvsmps=i64, prvband=f64, expamp=f64,
             preamp=f64, foftype=i64, fmtmod=i64, lobits1=i64, lomask1=i64, lodiv1=f64,
             lobits2=i64)


def _fof_init(foftype):
    def init(s, ic, ar, xamp, xfund, xform, koct, kband, kris, kdur, kdec, iolaps,
             ifna, ifnb, itotdur, iphs, ifmode, iskip):
        ft1 = _ftfind(ic, ifna)
        ft2 = _ftfind(ic, ifnb)
        s.durtogo = _trunc32(itotdur * ic.sr)
        olaps = _trunc32(iolaps)
        if olaps <= 0:
            raise InitError("illegal value for iolaps")
        ovi = np.zeros((olaps + 1, 11), dtype=np.int64)
        ovf = np.zeros((olaps + 1, 3))
        ovi[:, O_NXTACT] = -1
        ovi[:, O_NXTFREE] = np.arange(1, olaps + 2)
        ovi[olaps, O_NXTFREE] = -1
        s.fundphs = MAXLEN if iphs == 0.0 else _trunc32(iphs * FMAXLEN) & PHMASK
        s.fofcount = -1
        s.prvband = 0.0
        s.expamp = 1.0
        s.prvsmps = 0
        s.preamp = 1.0
        s.foftype = foftype
        if foftype:
            s.fmtmod = 0 if ifmode == 0.0 else 1
        s.lobits1, s.lomask1, s.lodiv1 = ft1.lobits, ft1.lomask, ft1.lodiv
        s.lobits2 = ft2.lobits
        return (ft1.data, ft2.data, ovi, ovf)
    return init


@helper
def _fof_newpulse(s, ctx, ovi, ovf, k, amp, fund, form, koct, kband, kris, kdur, kdec,
                  kphs, kgliss, iskip):
    """ugens7.c newpulse: set up overlap k for a new grain; False if none starts."""
    sicvt = ctx.sicvt
    octamp = amp
    ovi[k, O_TIMREM] = _trunc32(kdur * ctx.sr)
    if ovi[k, O_TIMREM] > s.durtogo and iskip == 0.0:
        return False
    if koct > 0.0:
        ioct = _trunc32(koct)
        bitpat = _i32(~(-1 << ioct))
        s.fofcount = _i32(s.fofcount + 1)
        if bitpat & s.fofcount:
            return False
        if _i32(bitpat + 1) & s.fofcount:
            octamp *= (1.0 + ioct - koct)
    if fund == 0.0:
        ovi[k, O_FORMPHS] = 0
    else:
        ovi[k, O_FORMPHS] = _trunc32(s.fundphs * form / fund) & PHMASK
    ovi[k, O_FORMINC] = _trunc32(form * sicvt)
    newexp = False
    if kband != s.prvband:
        s.prvband = kband
        s.expamp = math.exp(kband * -ctx.pidsr)
        newexp = True
    if kris >= ctx.onedsr and form != 0.0:
        formphs = ovi[k, O_FORMPHS]
        if form < 0.0 and formphs != 0:
            ovi[k, O_RISPHS] = _trunc32((MAXLEN - formphs) / -form / kris)
        else:
            ovi[k, O_RISPHS] = _trunc32(formphs / form / kris)
        ovi[k, O_RISINC] = _trunc32(sicvt / kris)
        rismps = MAXLEN // ovi[k, O_RISINC]
    else:
        ovi[k, O_RISPHS] = MAXLEN
        rismps = 0
    if newexp or rismps != s.prvsmps:
        s.prvsmps = rismps
        if rismps:
            s.preamp = _intpow1(1.0 / s.expamp, rismps)
        else:
            s.preamp = 1.0
    ovf[k, F_CURAMP] = octamp * s.preamp
    ovf[k, F_EXPAMP] = s.expamp
    ovi[k, O_DECTIM] = _trunc32(kdec * ctx.sr)
    if ovi[k, O_DECTIM] > 0:
        ovi[k, O_DECINC] = _trunc32(sicvt / kdec)
    ovi[k, O_DECPHS] = PHMASK
    if s.foftype == 0:
        ovi[k, O_FORMPHS] = (ovi[k, O_FORMPHS] + _trunc32(kphs * FMAXLEN)) & PHMASK
        forminc = float(ovi[k, O_FORMINC])
        gliss = forminc * 2.0 ** kgliss
        gliss -= forminc
        ovf[k, F_GLISSBAS] = gliss / ovi[k, O_TIMREM]
        ovi[k, O_SAMPCT] = 0
    return True


@kernel
def fof_perf(s, ctx, ft1, ft2, ovi, ovf, ar, xamp, xfund, xform, koct, kband, kris, kdur,
             kdec, iolaps, ifna, ifnb, itotdur, iphs, ifmode, iskip, n0, n1):
    """fof/fof2: overlapping formant grains, one per fundamental period (ugens7.c fof)."""
    sicvt = ctx.sicvt
    lobits1, lomask1, lodiv1, lobits2 = s.lobits1, s.lomask1, s.lodiv1, s.lobits2
    # compat: a-rate inputs are read from their first sample whatever the offset
    fund_inc = _trunc32(at(xfund, 0) * sicvt)
    form_inc = _trunc32(at(xform, 0) * sicvt)
    for n in range(n0, n1):
        j = n - n0
        if s.fundphs & MAXLEN:
            s.fundphs &= PHMASK
            k = ovi[0, O_NXTFREE]
            if k < 0:
                raise PerfError("FOF needs more overlaps")
            if _fof_newpulse(s, ctx, ovi, ovf, k, at(xamp, j), at(xfund, j), at(xform, j),
                             at(koct, 0), at(kband, 0), at(kris, 0), at(kdur, 0),
                             at(kdec, 0), at(iphs, 0), at(ifmode, 0), at(iskip, 0)):
                ovi[k, O_NXTACT] = ovi[0, O_NXTACT]
                ovi[0, O_NXTACT] = k
                ovi[0, O_NXTFREE] = ovi[k, O_NXTFREE]
        acc = 0.0
        prv = 0
        k = ovi[0, O_NXTACT]
        while k >= 0:
            phs = ovi[k, O_FORMPHS]
            x0 = phs >> lobits1
            v1 = ft1[x0]
            result = v1 + (ft1[x0 + 1] - v1) * ((phs & lomask1) * lodiv1)
            if s.foftype:
                phs += form_inc if s.fmtmod else ovi[k, O_FORMINC]
            else:
                sampct = ovi[k, O_SAMPCT]
                ovi[k, O_SAMPCT] = sampct + 1
                phs += _trunc32(ovi[k, O_FORMINC] + ovf[k, F_GLISSBAS] * sampct)
            ovi[k, O_FORMPHS] = phs & PHMASK
            if ovi[k, O_RISPHS] < MAXLEN:
                result *= ft2[ovi[k, O_RISPHS] >> lobits2]
                ovi[k, O_RISPHS] += ovi[k, O_RISINC]
            if ovi[k, O_TIMREM] <= ovi[k, O_DECTIM]:
                result *= ft2[ovi[k, O_DECPHS] >> lobits2]
                ovi[k, O_DECPHS] -= ovi[k, O_DECINC]
                if ovi[k, O_DECPHS] < 0:
                    ovi[k, O_DECPHS] = 0
            acc += result * ovf[k, F_CURAMP]
            ovi[k, O_TIMREM] -= 1
            nxt = ovi[k, O_NXTACT]
            if ovi[k, O_TIMREM] != 0:
                ovf[k, F_CURAMP] *= ovf[k, F_EXPAMP]
                prv = k
            else:
                ovi[prv, O_NXTACT] = nxt
                ovi[k, O_NXTFREE] = ovi[0, O_NXTFREE]
                ovi[0, O_NXTFREE] = k
            k = nxt
        ar[n] = acc
        s.fundphs = _i32(s.fundphs + fund_inc)
        if j + 1 < ctx.ksmps:
            fund_inc = _trunc32(at(xfund, j + 1) * sicvt)
            form_inc = _trunc32(at(xform, j + 1) * sicvt)
        s.durtogo -= 1


defop("fof", "a", "xxxkkkkkiiiiooo", FOFS, _fof_init(1), fof_perf,
      arrays=("ft1", "ft2", "ovi", "ovf"))
defop("fof2", "a", "xxxkkkkkiiiikko", FOFS, _fof_init(0), fof_perf,
      arrays=("ft1", "ft2", "ovi", "ovf"))

# ------------------------------------------------------------------- pinkish

PINKISH = State(method=i64, rand_seed=i64, nrows=i64, running_sum=i64, index=i64,
                index_mask=i64, scalar=f64, b0=f64, b1=f64, b2=f64, b3=f64, b4=f64,
                b5=f64, b6=f64)
PINK_MAX_ROWS = 32


@helper
def _pink_random(seed):
    """pitch.c GenerateRandomNumber: 32-bit LCG, as a signed int32."""
    return _i32((seed & 0xFFFFFFFF) * 196314165 + 907633515)


def pinkish_init(s, ic, ar, xin, imethod, inumbands, iseed, iskip):
    if imethod not in (0.0, 1.0, 2.0):
        raise InitError("pinkish: Invalid method code")
    if not is_audio(xin) and imethod != 0.0:
        raise InitError("pinkish: Filter method requires a-rate (noise) input")
    s.method = int(imethod)
    rows = np.zeros(PINK_MAX_ROWS, dtype=np.int64)
    if iskip == 1.0:
        return (rows,)
    if imethod != 0.0:
        s.b0 = s.b1 = s.b2 = s.b3 = s.b4 = s.b5 = s.b6 = 0.0
        return (rows,)
    if 4 <= inumbands <= PINK_MAX_ROWS:
        nrows = int(inumbands)
    else:
        nrows = 20
        if inumbands != 0.0:
            ic.warning(f"pinkish: Gardner method requires 4-{PINK_MAX_ROWS} bands. "
                       f"Default {nrows} substituted for {_trunc32(inumbands)}.\n")
    if iseed != 0.0:
        # compat: a double converted to uint32 wraps modulo 2**32 on x86-64
        sd = iseed * 2147483648.0 if -1.0 < iseed < 1.0 else iseed
        seed = int(sd) & 0xFFFFFFFF if abs(sd) < 9.2e18 else 0
    else:
        seed = (time.time_ns() // 1000) & 0xFFFFFFFF
    s.nrows = nrows
    s.index = 0
    s.index_mask = 0xFFFFFFFF if nrows == 32 else (1 << nrows) - 1
    s.scalar = 1.0 / float((nrows + 30) * (1 << 22))
    total = 0
    seed = _i32(seed)
    for i in range(nrows):
        seed = int(_pink_random(seed))
        rows[i] = seed >> 7
        total = _i32(total + (seed >> 7))
    s.running_sum = total
    s.rand_seed = seed
    return (rows,)


@kernel
def pinkish_perf(s, ctx, rows, ar, xin, imethod, inumbands, iseed, iskip, n0, n1):
    """pinkish: Gardner/McCartney octave rows or Kellet's pink filters (pitch.c)."""
    if s.method == 0:
        total, seed, index, mask = s.running_sum, s.rand_seed, s.index, s.index_mask
        scalar = s.scalar
        for n in range(n0, n1):
            index = (index + 1) & mask
            if index != 0:
                zeros = 0
                m = index
                while (m & 1) == 0:
                    m >>= 1
                    zeros += 1
                total -= rows[zeros]
                seed = _pink_random(seed)
                rows[zeros] = seed >> 7
                total = _i32(total + rows[zeros])
            seed = _pink_random(seed)
            # compat: the amplitude pointer starts at sample 0 whatever the offset
            ar[n] = at(xin, n - n0) * float(_i32(total + (seed >> 7))) * scalar
        s.running_sum, s.rand_seed, s.index = total, seed, index
    elif s.method == 1:
        c0, c1, c2, c3, c4, c5, c6 = s.b0, s.b1, s.b2, s.b3, s.b4, s.b5, s.b6
        for n in range(n0, n1):
            x = at(xin, n)
            c0 = c0 * 0.99886 + x * 0.0555179
            c1 = c1 * 0.99332 + x * 0.0750759
            c2 = c2 * 0.96900 + x * 0.1538520
            c3 = c3 * 0.86650 + x * 0.3104856
            c4 = c4 * 0.55000 + x * 0.5329522
            c5 = c5 * -0.7616 - x * 0.0168980
            ar[n] = (c0 + c1 + c2 + c3 + c4 + c5 + c6 + x * 0.5362) * 0.11
            c6 = x * 0.115926
        s.b0, s.b1, s.b2, s.b3, s.b4, s.b5, s.b6 = c0, c1, c2, c3, c4, c5, c6
    else:
        c0, c1, c2 = s.b0, s.b1, s.b2
        for n in range(n0, n1):
            x = at(xin, n)
            c0 = c0 * 0.99765 + x * 0.0990460
            c1 = c1 * 0.96300 + x * 0.2965164
            c2 = c2 * 0.57000 + x * 1.0526913
            ar[n] = (c0 + c1 + c2 + x * 0.1848) * 0.11
        s.b0, s.b1, s.b2 = c0, c1, c2


defop("pinkish", "a", "xoooo", PINKISH, pinkish_init, pinkish_perf, arrays=("rows",))

# --------------------------------------------------------------------- noise

VARI = State(last=f64, lastbeta=f64, sq1mb2=f64, ampmod=f64)


def noise_init(s, ic, ar, xamp, kbeta):
    s.last = 0.0
    s.lastbeta = kbeta
    s.sq1mb2 = math.sqrt(1.0 - kbeta * kbeta)
    s.ampmod = 0.785 / (1.0 + kbeta)
    return (randseed1_cell(ic),)


@kernel
def noise_perf(s, ctx, seed, ar, xamp, kbeta, n0, n1):
    """noise: white noise through a one-pole filter of coefficient kbeta (pitch.c varicol)."""
    beta = at(kbeta, 0)
    if beta != s.lastbeta:
        s.lastbeta = beta
        s.sq1mb2 = math.sqrt(1.0 - beta * beta)
        s.ampmod = 0.785 / (1.0 + beta)
    sq1mb2, ampmod, lastx = s.sq1mb2, s.ampmod, s.last
    for n in range(n0, n1):
        seed[()] = _rand31(seed[()])
        rnd = 2.0 * float(seed[()] - 1) / 2147483645.0 - 1.0
        lastx = lastx * beta + sq1mb2 * rnd
        # compat: the amplitude pointer starts at sample 0 whatever the offset
        ar[n] = lastx * at(xamp, n - n0) * ampmod
    s.last = lastx


defop("noise", "a", "xk", VARI, noise_init, noise_perf, arrays=("seed",))

# -------------------------------------------------------------------- mpulse

IMPULSE = State(next=i64)


def mpulse_init(s, ic, ar, kamp, kintvl, ioffset):
    s.next = _lrint32(ioffset * ic.sr)
    return None


@kernel
def mpulse_perf(s, ctx, ar, kamp, kintvl, ioffset, n0, n1):
    """mpulse: single-sample impulses kintvl seconds apart (pitch.c impulse)."""
    nxt = s.next
    if nxt < 0:
        nxt = -nxt
    if nxt < ctx.ksmps:
        frq = at(kintvl, 0)
        if frq == 0.0:
            sfreq = 2147483647
        elif frq < 0.0:
            sfreq = -_trunc32(frq)
        else:
            sfreq = _trunc32(frq * ctx.sr)
        for n in range(n0, n1):
            if nxt == 0:
                ar[n] = at(kamp, 0)
                nxt = sfreq - 1
            else:
                ar[n] = 0.0
                nxt -= 1
    else:
        for n in range(n0, n1):
            ar[n] = 0.0
        nxt -= ctx.ksmps
    s.next = _i32(nxt)


defop("mpulse", "a", "kko", IMPULSE, mpulse_init, mpulse_perf)

# ----------------------------------------------------------------- syncphasor

SYNCPHASOR = State(curphase=f64)


def syncphasor_init(s, ic, aphase, asyncout, xcps, asyncin, iphs):
    if iphs >= 0.0:
        whole = _trunc32(iphs)
        if whole:
            ic.warning("init phase truncation\n")
        s.curphase = iphs - float(whole)
    return None


@kernel
def syncphasor_perf(s, ctx, aphase, asyncout, xcps, asyncin, iphs, n0, n1):
    """syncphasor: phasor reset by a sync input, emitting sync on wrap (shape.c)."""
    phase = s.curphase
    for n in range(n0, n1):
        if asyncin[n] != 0.0:
            phase = 0.0
            aphase[n] = phase
            asyncout[n] = 1.0
        else:
            incr = at(xcps, n) * ctx.onedsr
            aphase[n] = phase
            phase += incr
            if phase >= 1.0:
                phase -= 1.0
                asyncout[n] = 1.0
            elif phase < 0.0:
                phase += 1.0
                asyncout[n] = 1.0
            else:
                asyncout[n] = 0.0
    s.curphase = phase


defop("syncphasor", "aa", "xao", SYNCPHASOR, syncphasor_init, syncphasor_perf)

# ------------------------------------------------------------ jitter jitter2

JITTER = State(xcps=f64, phs=i64, initflag=i64, num1=f64, num2=f64, dfdmax=f64)


def jitter_init(s, ic, kr, kamp, kcpsmin, kcpsmax):
    hold = _holdrand(ic)
    s.num2 = _birand_gab(hold)
    s.initflag = 1
    s.phs = 0
    return (hold,)


@kernel
def jitter_perf(s, ctx, hold, kr, kamp, kcpsmin, kcpsmax, n0, n1):
    """jitter: interpolated random segments at a random rate (uggab.c jitter)."""
    if s.initflag:
        s.initflag = 0
        kr[0] = s.num2 * at(kamp, 0)
        wrapped = True
    else:
        kr[0] = (s.num1 + float(s.phs) * s.dfdmax) * at(kamp, 0)
        s.phs = _i32(s.phs + _trunc32(s.xcps * (FMAXLEN / ctx.kr)))
        wrapped = s.phs >= MAXLEN
    if wrapped:
        s.xcps = _rand_gab(hold) * (at(kcpsmax, 0) - at(kcpsmin, 0)) + at(kcpsmin, 0)
        s.phs &= PHMASK
        s.num1 = s.num2
        s.num2 = _birand_gab(hold)
        s.dfdmax = (s.num2 - s.num1) / FMAXLEN


defop("jitter", "k", "kkk", JITTER, jitter_init, jitter_perf, arrays=("hold",))

JITTER2 = State(flag=i64, phs1=i64, phs2=i64, phs3=i64, num1a=f64, num2a=f64, dfdmax1=f64,
                num1b=f64, num2b=f64, dfdmax2=f64, num1c=f64, num2c=f64, dfdmax3=f64)


@helper
def _jitter2_next(s, hold, which):
    """Shift in a new random target for segment generator `which` (0, 1, 2)."""
    if which == 0:
        s.num1a = s.num2a
        s.num2a = _birand_gab(hold)
        s.dfdmax1 = (s.num2a - s.num1a) / FMAXLEN
    elif which == 1:
        s.num1b = s.num2b
        s.num2b = _birand_gab(hold)
        s.dfdmax2 = (s.num2b - s.num1b) / FMAXLEN
    else:
        s.num1c = s.num2c
        s.num2c = _birand_gab(hold)
        s.dfdmax3 = (s.num2c - s.num1c) / FMAXLEN


def jitter2_init(s, ic, kr, ktotamp, kamp1, kcps1, kamp2, kcps2, kamp3, kcps3, iopt):
    hold = _holdrand(ic)
    s.flag = int(kcps1 == 0.0 and kcps2 == 0.0 and kamp1 == 0.0 and kamp2 == 0.0
                 and kamp3 == 0.0)
    s.dfdmax1 = s.dfdmax2 = s.dfdmax3 = 0.0
    s.phs1 = s.phs2 = s.phs3 = 0
    s.num1a = s.num1b = s.num1c = 0.0
    if iopt != 0.0:
        for which in range(3):
            _jitter2_next(s, hold, which)
    return (hold,)


@kernel
def jitter2_perf(s, ctx, hold, kr, ktotamp, kamp1, kcps1, kamp2, kcps2, kamp3, kcps3, iopt,
                 n0, n1):
    """jitter2: sum of three jitter-like segment generators (uggab.c jitter2)."""
    kicvt = FMAXLEN / ctx.kr
    out1 = s.num1a + float(s.phs1) * s.dfdmax1
    out2 = s.num1b + float(s.phs2) * s.dfdmax2
    out3 = s.num1c + float(s.phs3) * s.dfdmax3
    if s.flag:
        kr[0] = (out1 * 0.5 + out2 * 0.3 + out3 * 0.2) * at(ktotamp, 0)
        s.phs1 = _i32(s.phs1 + _trunc32(0.82071231913 * kicvt))
        s.phs2 = _i32(s.phs2 + _trunc32(7.009019029039107 * kicvt))
        s.phs3 = _i32(s.phs3 + _trunc32(10.0 * kicvt))
    else:
        kr[0] = (out1 * at(kamp1, 0) + out2 * at(kamp2, 0) + out3 * at(kamp3, 0)) \
            * at(ktotamp, 0)
        s.phs1 = _i32(s.phs1 + _trunc32(at(kcps1, 0) * kicvt))
        s.phs2 = _i32(s.phs2 + _trunc32(at(kcps2, 0) * kicvt))
        s.phs3 = _i32(s.phs3 + _trunc32(at(kcps3, 0) * kicvt))
    if s.phs1 >= MAXLEN:
        s.phs1 &= PHMASK
        _jitter2_next(s, hold, 0)
    if s.phs2 >= MAXLEN:
        s.phs2 &= PHMASK
        _jitter2_next(s, hold, 1)
    if s.phs3 >= MAXLEN:
        s.phs3 &= PHMASK
        _jitter2_next(s, hold, 2)


defop("jitter2", "k", "kkkkkkko", JITTER2, jitter2_init, jitter2_perf, arrays=("hold",))

# ---------------------------------------------------------- jspline rspline

SPLINE = State(si=f64, phs=f64, initflag=i64, num0=f64, num1=f64, num2=f64, df0=f64,
               df1=f64, c3=f64, c2=f64, min_cod=i64)


@helper
def _spline_next(s, hold, bipolar):
    """Start a new cubic segment through the next random point (uggab.c jitters)."""
    while s.phs > 1.0:
        s.phs -= 1.0
    f0 = s.num0 = s.num1
    f1 = s.num1 = s.num2
    s.num2 = _birand_gab(hold) if bipolar else _rand_gab(hold)
    df0 = s.df0 = s.df1
    s.df1 = (s.num2 - f0) * 0.5
    slope = f1 - f0
    resd0 = df0 - slope
    resd1 = s.df1 - slope
    s.c3 = resd0 + resd1
    s.c2 = -(resd1 + 2.0 * resd0)


@helper
def _spline_value(s):
    x = s.phs
    return ((s.c3 * x + s.c2) * x + s.df0) * x + s.num0


def jspline_init(s, ic, out, xamp, kcpsmin, kcpsmax):
    hold = _holdrand(ic)
    s.num1 = _birand_gab(hold)
    s.num2 = _birand_gab(hold)
    s.df1 = 0.0
    s.initflag = 1
    s.phs = 0.0
    return (hold,)


@helper
def _spline_step(s, hold, cpsmin, cpsmax, scale, bipolar, jitter):
    """Advance the phase by one step; start a new segment when it passes 1."""
    if s.initflag:
        s.initflag = 0
    else:
        s.phs += s.si
        if s.phs < 1.0:
            return
    s.si = (_rand_gab(hold) * (cpsmax - cpsmin) + cpsmin) * scale
    if jitter and s.si == 0.0:
        s.si = 1.0
    _spline_next(s, hold, bipolar)


@kernel
def jspline_perf_k(s, ctx, hold, kr, xamp, kcpsmin, kcpsmax, n0, n1):
    """jspline (k): cubic-spline jitter, bipolar (uggab.c jitters)."""
    _spline_step(s, hold, at(kcpsmin, 0), at(kcpsmax, 0), ctx.onedkr, True, True)
    kr[0] = _spline_value(s) * at(xamp, 0)


@kernel
def jspline_perf(s, ctx, hold, ar, xamp, kcpsmin, kcpsmax, n0, n1):
    """jspline (a): cubic-spline jitter per sample (uggab.c jittersa)."""
    lo, hi = at(kcpsmin, 0), at(kcpsmax, 0)
    for n in range(n0, n1):
        _spline_step(s, hold, lo, hi, ctx.onedsr, True, True)
        # compat: the amplitude pointer starts at sample 0 whatever the offset
        ar[n] = _spline_value(s) * at(xamp, n - n0)


defop("jspline", "k", "xkk", SPLINE, jspline_init, jspline_perf_k, arrays=("hold",))
defop("jspline", "a", "xkk", SPLINE, jspline_init, jspline_perf, arrays=("hold",))


def rspline_init(s, ic, out, xrangemin, xrangemax, kcpsmin, kcpsmax):
    hold = _holdrand(ic)
    s.num1 = _rand_gab(hold)
    s.num2 = _rand_gab(hold)
    s.df1 = 0.0
    s.initflag = 1
    s.phs = 0.0
    s.min_cod = int(is_audio(xrangemin))
    return (hold,)


@kernel
def rspline_perf_k(s, ctx, hold, kr, xrangemin, xrangemax, kcpsmin, kcpsmax, n0, n1):
    """rspline (k): cubic-spline random curve in a range (uggab.c random3)."""
    _spline_step(s, hold, at(kcpsmin, 0), at(kcpsmax, 0), ctx.onedkr, False, False)
    lo = at(xrangemin, 0)
    kr[0] = _spline_value(s) * (at(xrangemax, 0) - lo) + lo


@kernel
def rspline_perf(s, ctx, hold, ar, xrangemin, xrangemax, kcpsmin, kcpsmax, n0, n1):
    """rspline (a): cubic-spline random curve per sample (uggab.c random3a)."""
    lo, hi = at(kcpsmin, 0), at(kcpsmax, 0)
    for n in range(n0, n1):
        # compat: new points are bipolar here (unipolar in the k version), and the
        # range pointers start at sample 0; the max moves only if the min is a-rate
        _spline_step(s, hold, lo, hi, ctx.onedsr, True, False)
        rmin = at(xrangemin, n - n0)
        rmax = at(xrangemax, n - n0) if s.min_cod else at(xrangemax, 0)
        ar[n] = _spline_value(s) * (rmax - rmin) + rmin


defop("rspline", "k", "xxkk", SPLINE, rspline_init, rspline_perf_k, arrays=("hold",))
defop("rspline", "a", "xxkk", SPLINE, rspline_init, rspline_perf, arrays=("hold",))

# ------------------------------------------------------------- vibr vibrato

VIBRATO = State(xcps_amp=f64, xcps_freq=f64, lphs=f64, tablen_up_kr=f64, tablen=i64,
                phs_amp=i64, phs_freq=i64, num1amp=f64, num2amp=f64, num1freq=f64,
                num2freq=f64, dfdmax_amp=f64, dfdmax_freq=f64)

VIBR_DEFAULTS = (1.59055, 0.629921, 1.0, 3.0, 1.19377, 2.28100)


def _ftnp2finde(ic, ifn):
    """Csound's FTnp2Finde: any table length, InitError when missing."""
    table = ic.table(ifn)
    if table.size == 0:
        raise InitError(f"Invalid ftable no. {ifn:f}")
    return table


def _vibrato_setup(s, ic, table, iphs, amp_min, amp_max, cps_min, cps_max):
    hold = _holdrand(ic)
    if 0.0 <= iphs < 1.0:
        s.lphs = float((int(iphs * FMAXLEN) & PHMASK) >> table.lobits)
    elif iphs >= 1.0:
        raise InitError("vibrato@ Phase out of range")
    # compat: Csound seeds each rate from the other one's range
    s.xcps_amp = _rand_gab(hold) * (cps_max - cps_min) + cps_min
    s.xcps_freq = _rand_gab(hold) * (amp_max - amp_min) + amp_min
    s.tablen = table.size
    s.tablen_up_kr = table.size * float(ic.consts.onedkr)
    return (table.data, hold)


def vibrato_init(s, ic, kr, kavgamp, kavgfreq, krandamp, krandfreq, kampminrate,
                 kampmaxrate, kcpsminrate, kcpsmaxrate, ifn, iphs):
    table = _ftnp2finde(ic, ifn)
    return _vibrato_setup(s, ic, table, iphs, kampminrate, kampmaxrate, kcpsminrate,
                          kcpsmaxrate)


def vibr_init(s, ic, kr, kavgamp, kavgfreq, ifn):
    _, _, amp_min, amp_max, cps_min, cps_max = VIBR_DEFAULTS
    table = _ftnp2finde(ic, ifn)
    s.lphs = 0.0
    return _vibrato_setup(s, ic, table, -1.0, amp_min, amp_max, cps_min, cps_max)


@helper
def _vibrato_step(s, ctx, ft, hold, avgamp, avgfreq, randamp, randfreq, amp_min, amp_max,
                  cps_min, cps_max):
    """One control period of vibrato (uggab.c vibrato)."""
    ramp = (s.num1amp + float(s.phs_amp) * s.dfdmax_amp) * randamp
    rfreq = (s.num1freq + float(s.phs_freq) * s.dfdmax_freq) * randfreq
    phs = s.lphs
    i = int(phs)
    fract = phs - float(i)
    v1 = ft[i]
    out = (v1 + (ft[i + 1] - v1) * fract) * (avgamp * math.pow(2.0, ramp))
    phs += (avgfreq * math.pow(2.0, rfreq)) * s.tablen_up_kr
    while phs >= s.tablen:
        phs -= s.tablen
    while phs < 0.0:
        phs += s.tablen
    s.lphs = phs
    kicvt = FMAXLEN / ctx.kr
    s.phs_amp = _i32(s.phs_amp + _trunc32(s.xcps_amp * kicvt))
    if s.phs_amp >= MAXLEN:
        s.xcps_amp = _rand_gab(hold) * (amp_max - amp_min) + amp_min
        s.phs_amp &= PHMASK
        s.num1amp = s.num2amp
        s.num2amp = _birand_gab(hold)
        s.dfdmax_amp = (s.num2amp - s.num1amp) / FMAXLEN
    s.phs_freq = _i32(s.phs_freq + _trunc32(s.xcps_freq * kicvt))
    if s.phs_freq >= MAXLEN:
        s.xcps_freq = _rand_gab(hold) * (cps_max - cps_min) + cps_min
        s.phs_freq &= PHMASK
        s.num1freq = s.num2freq
        s.num2freq = _birand_gab(hold)
        s.dfdmax_freq = (s.num2freq - s.num1freq) / FMAXLEN
    return out


@kernel
def vibrato_perf(s, ctx, ft, hold, kr, kavgamp, kavgfreq, krandamp, krandfreq, kampminrate,
                 kampmaxrate, kcpsminrate, kcpsmaxrate, ifn, iphs, n0, n1):
    """vibrato: table oscillator with randomly drifting amplitude and rate (uggab.c)."""
    kr[0] = _vibrato_step(s, ctx, ft, hold, at(kavgamp, 0), at(kavgfreq, 0),
                          at(krandamp, 0), at(krandfreq, 0), at(kampminrate, 0),
                          at(kampmaxrate, 0), at(kcpsminrate, 0), at(kcpsmaxrate, 0))


@kernel
def vibr_perf(s, ctx, ft, hold, kr, kavgamp, kavgfreq, ifn, n0, n1):
    """vibr: vibrato with Maldonado's built-in random settings (uggab.c vibr)."""
    kr[0] = _vibrato_step(s, ctx, ft, hold, at(kavgamp, 0), at(kavgfreq, 0), 1.59055,
                          0.629921, 1.0, 3.0, 1.19377, 2.28100)


defop("vibrato", "k", "kkkkkkkkio", VIBRATO, vibrato_init, vibrato_perf,
      arrays=("ft", "hold"))
defop("vibr", "k", "kki", VIBRATO, vibr_init, vibr_perf, arrays=("ft", "hold"))

# ----------------------------------------------------------------------- urd


def urd_init_i(s, ic, out, ifn):
    table = ic.table(ifn)
    out[0] = table.data[_trunc32(_rand_gab(_holdrand(ic)) * table.size)]
    return None


def urd_init(s, ic, out, kfn):
    table = ic.table(kfn)
    return (table.data, _holdrand(ic))


@kernel
def urd_perf_k(s, ctx, ft, hold, kr, kfn, n0, n1):
    """urd (k): a random value drawn from a distribution table (uggab.c)."""
    kr[0] = ft[_trunc32(_rand_gab(hold) * (ft.shape[0] - 1))]


@kernel
def urd_perf(s, ctx, ft, hold, ar, kfn, n0, n1):
    """urd (a): Csound truncates the draw before scaling, so always table[0] (uggab.c)."""
    for n in range(n0, n1):
        # compat: (int32)(randGab) * flen is 0; the draw still advances holdrand
        ar[n] = ft[_trunc32(_rand_gab(hold)) * (ft.shape[0] - 1)]


defop("urd", "i", "i", EMPTY, urd_init_i, None)
defop("urd", "k", "k", EMPTY, urd_init, urd_perf_k, arrays=("ft", "hold"))
defop("urd", "a", "k", EMPTY, urd_init, urd_perf, arrays=("ft", "hold"))

# --------------------------------------------------------------- dust dust2

DUST = State(density0=f64, thresh=f64, scale=f64, rand=i64, bipolar=i64)


def _dust_init(bipolar):
    def init(s, ic, out, kamp, kdensity):
        cell = randseed1_cell(ic)
        cell[()] = _rand31(int(cell[()]))
        s.rand = int(cell[()])
        s.density0 = s.thresh = s.scale = 0.0
        s.bipolar = bipolar
        return None
    return init


@helper
def _dust_coefs(s, density, period):
    """Threshold and scale for a density in impulses per second."""
    if density != s.density0:
        s.thresh = density * period
        if s.thresh > 0.0:
            s.scale = (2.0 if s.bipolar else 1.0) / s.thresh
        else:
            s.scale = 0.0
        s.density0 = density


@helper
def _dust_value(s, amp):
    s.rand = _rand31(s.rand)
    r = float(s.rand) * DV2_31
    if r < s.thresh:
        return amp * (r * s.scale - 1.0 if s.bipolar else r * s.scale)
    return amp * 0.0


@kernel
def dust_perf_k(s, ctx, kr, kamp, kdensity, n0, n1):
    """dust/dust2 (k): random impulses of random amplitude (sc_noise.c)."""
    _dust_coefs(s, at(kdensity, 0), ctx.onedsr * ctx.ksmps)
    kr[0] = _dust_value(s, at(kamp, 0))


@kernel
def dust_perf(s, ctx, ar, kamp, kdensity, n0, n1):
    """dust/dust2 (a): random impulses of random amplitude (sc_noise.c)."""
    _dust_coefs(s, at(kdensity, 0), ctx.onedsr)
    for n in range(n0, n1):
        ar[n] = _dust_value(s, at(kamp, 0))


defop("dust", "k", "kk", DUST, _dust_init(0), dust_perf_k)
defop("dust", "a", "kk", DUST, _dust_init(0), dust_perf)
defop("dust2", "k", "kk", DUST, _dust_init(1), dust_perf_k)
defop("dust2", "a", "kk", DUST, _dust_init(1), dust_perf)

# ----------------------------------------------------- expcurve logcurve ...


@kernel
def expcurve_perf(s, ctx, kr, kin, ksteepness, n0, n1):
    """expcurve: exponential map of [0, 1] (ugakbari.c)."""
    x, y = at(kin, 0), at(ksteepness, 0)
    kr[0] = x if y <= 1.0 else (math.exp(x * math.log(y)) - 1.0) / (y - 1.0)


@kernel
def logcurve_perf(s, ctx, kr, kin, ksteepness, n0, n1):
    """logcurve: logarithmic map of [0, 1] (ugakbari.c)."""
    x, y = at(kin, 0), at(ksteepness, 0)
    kr[0] = x if y == 1.0 else math.log(x * (y - 1.0) + 1.0) / math.log(y)


@kernel
def gainslider_perf(s, ctx, kr, kindex, n0, n1):
    """gainslider: 0..127 slider index to gain (ugakbari.c)."""
    x = at(kindex, 0)
    kr[0] = 0.0 if x <= 0.0 else 0.000145 * math.exp(x * 0.06907)


defop("expcurve", "k", "kk", EMPTY, None, expcurve_perf)
defop("logcurve", "k", "kk", EMPTY, None, logcurve_perf)
defop("gainslider", "k", "k", EMPTY, None, gainslider_perf)
