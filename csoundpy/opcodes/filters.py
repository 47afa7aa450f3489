"""Filters: tone, atone, tonex, atonex, reson, areson, resonx, resonr, resonz,
butterlp/hp/bp/br (and the but* aliases), lowpass2, dcblock, dcblock2, moogvcf,
moogvcf2, moogladder, moogladder2, statevar, svfilter, biquad, biquada, rezzy,
bqrez, mode, tbvcf, pareq, lpf18, fofilter, lowres, lowresx, port, portk.

Follows Csound 6.18 OOps/ugens5.c (tone, atone, reson, areson, the x versions,
port), Opcodes/afilters.c (their a-rate parameter variants), Opcodes/butter.c,
Opcodes/ugsc.c (lowpass2, svfilter, resonr, resonz), Opcodes/dcblockr.c,
Opcodes/biquad.c (biquad, moogvcf, rezzy, bqrez, mode, tbvcf, pareq),
Opcodes/newfils.c (moogladder, moogladder2, statevar, fofilter), Opcodes/pitch.c
(lpf18) and Opcodes/lowpassr.c (lowres, lowresx).  Coefficients use Csound's
formulas and are recomputed when a parameter changes; one kernel serves the
k- and a-rate parameter rows of an opcode through `at()`, with flags set at
init where Csound's rows differ in behaviour (tagged `# compat:`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import types
from numba.extending import overload

from .._jit import at, helper, is_audio, kernel
from ..errors import InitError, PerfError
from ._registry import NativeInit, State, defop, f64, i64

ROOT2 = 1.4142135623730950488
INT_SAFE = 4.0e18  # below this a float's int64 cast is Python's int()


def _first(x) -> float:
    """Value of an init argument now (first sample of an a-rate one)."""
    return float(x[0]) if is_audio(x) else float(x)


def _audio_flag(x) -> int:
    """1 for an a-rate argument, else 0 (`is_audio` for native inits, whose
    x-typed inputs may be either)."""
    return 1 if is_audio(x) else 0


@overload(_audio_flag)
def _audio_flag_overload(x):
    flag = 1 if isinstance(x, types.Array) and x.ndim == 1 else 0
    return lambda x: flag


# ---------------------------------------------------------------- tone, atone
TONE = State(c1=f64, c2=f64, yt1=f64, prvhp=f64)


@helper
def _tone_coefs(s, tpidsr, hp):
    s.prvhp = hp
    b = 2.0 - math.cos(hp * tpidsr)
    s.c2 = b - math.sqrt(b * b - 1.0)
    s.c1 = 1.0 - s.c2


def tone_init(s, ic, ar, asig, khp, istor):
    _tone_coefs(s, ic.consts.tpidsr, _first(khp))
    if istor == 0.0:
        s.yt1 = 0.0


@kernel
def tone_init_native(s, ctx, tabs, ar, asig, khp, istor):
    """`tone_init` for compiled note starts."""
    _tone_coefs(s, ctx.tpidsr, at(khp, 0))
    if istor == 0.0:
        s.yt1 = 0.0
    return 0


@kernel
def tone_perf(s, ctx, ar, asig, khp, istor, n0, n1):
    """tone: first-order low-pass (OOps/ugens5.c tone; Opcodes/afilters.c tonea)."""
    yt1 = s.yt1
    for n in range(n0, n1):
        hp = at(khp, n)
        if hp != s.prvhp:
            _tone_coefs(s, ctx.tpidsr, hp)
        yt1 = s.c1 * asig[n] + s.c2 * yt1
        ar[n] = yt1
    s.yt1 = yt1


@kernel
def atone_perf(s, ctx, ar, asig, khp, istor, n0, n1):
    """atone: first-order high-pass (OOps/ugens5.c atone; Opcodes/afilters.c atonea)."""
    yt1 = s.yt1
    for n in range(n0, n1):
        hp = at(khp, n)
        if hp != s.prvhp:
            _tone_coefs(s, ctx.tpidsr, hp)
        sig = asig[n]
        yt1 = s.c2 * (yt1 + sig)
        ar[n] = yt1
        yt1 -= sig  # holds y[n-1] - x[n-1]
    s.yt1 = yt1


_TONE_NATIVE = NativeInit(tone_init_native)
defop("tone", "a", "ako", TONE, tone_init, tone_perf, flags=("note_local",),
      native_init=_TONE_NATIVE)
defop("tone", "a", "aao", TONE, tone_init, tone_perf, flags=("note_local",),
      native_init=_TONE_NATIVE)
# Csound 6.18 declares its a-rate atone row with the k-rate types, so only "ako" exists.
defop("atone", "a", "ako", TONE, tone_init, atone_perf, native_init=_TONE_NATIVE)

# ---------------------------------------------------------------- reson, areson
RESON = State(c1=f64, c2=f64, c3=f64, yt1=f64, yt2=f64, cosf=f64, prvcf=f64, prvbw=f64,
              scale=i64, acf=i64, abw=i64)


def reson_init(s, ic, ar, asig, kcf, kbw, iscl, istor):
    scale = int(iscl)
    if scale not in (0, 1, 2):
        raise InitError(f"illegal reson iscl value, {iscl:f}")
    s.scale = scale
    s.prvcf = s.prvbw = -100.0
    if istor == 0.0:
        s.yt1 = s.yt2 = 0.0
    s.acf = 1 if is_audio(kcf) else 0
    s.abw = 1 if is_audio(kbw) else 0


@kernel
def reson_init_native(s, ctx, tabs, ar, asig, kcf, kbw, iscl, istor):
    """`reson_init` for compiled note starts."""
    if not (-1.0 < iscl < 3.0):
        return 1  # Python's iscl error (or int() of nan/inf)
    s.scale = int(iscl)
    s.prvcf = s.prvbw = -100.0
    if istor == 0.0:
        s.yt1 = s.yt2 = 0.0
    s.acf = _audio_flag(kcf)
    s.abw = _audio_flag(kbw)
    return 0


@helper
def _reson_coefs(s, ctx, cf, bw, notch, check_cf, check_bw):
    """Update cosf/c3 when a checked parameter changed, then c1 and c2."""
    changed = False
    if check_cf and cf != s.prvcf:
        s.prvcf = cf
        s.cosf = math.cos(cf * ctx.tpidsr)
        changed = True
    if check_bw and bw != s.prvbw:
        s.prvbw = bw
        s.c3 = math.exp(bw * -ctx.tpidsr)
        changed = True
    if not changed:
        return
    c3 = s.c3
    c3p1 = c3 + 1.0
    c3t4 = c3 * 4.0
    omc3 = 1.0 - c3
    s.c2 = c3t4 * s.cosf / c3p1
    c2sqr = s.c2 * s.c2
    if notch:
        if s.scale == 1:
            s.c1 = 1.0 - omc3 * math.sqrt(1.0 - c2sqr / c3t4)
        elif s.scale == 2:
            s.c1 = 2.0 - math.sqrt((c3p1 * c3p1 - c2sqr) * omc3 / c3p1)
        else:
            s.c1 = 0.0
    else:
        if s.scale == 1:
            s.c1 = omc3 * math.sqrt(1.0 - c2sqr / c3t4)
        elif s.scale == 2:
            s.c1 = math.sqrt((c3p1 * c3p1 - c2sqr) * omc3 / c3p1)
        else:
            s.c1 = 1.0


@kernel
def reson_perf(s, ctx, ar, asig, kcf, kbw, iscl, istor, n0, n1):
    """reson: second-order resonator (OOps/ugens5.c reson)."""
    yt1, yt2 = s.yt1, s.yt2
    for n in range(n0, n1):
        _reson_coefs(s, ctx, at(kcf, n), at(kbw, n), False, True, True)
        yt0 = s.c1 * asig[n] + s.c2 * yt1 - s.c3 * yt2
        ar[n] = yt0
        yt2 = yt1
        yt1 = yt0
    s.yt1, s.yt2 = yt1, yt2


@kernel
def areson_perf(s, ctx, ar, asig, kcf, kbw, iscl, istor, n0, n1):
    """areson: notch made from reson (OOps/ugens5.c areson; Opcodes/afilters.c)."""
    acf, abw = s.acf != 0, s.abw != 0
    _reson_coefs(s, ctx, at(kcf, n0), at(kbw, n0), True, not acf, not abw)
    c1, c2, c3 = s.c1, s.c2, s.c3
    d = 2.0 if s.scale == 2 else 1.0
    yt1, yt2 = s.yt1, s.yt2
    for n in range(n0, n1):
        if acf or abw:
            # compat: Csound's a-rate rows update the stored coefficients but keep
            # filtering this block with the ones loaded before the loop
            _reson_coefs(s, ctx, at(kcf, n), at(kbw, n), True, acf, abw)
        sig = asig[n]
        ans = c1 * sig + c2 * yt1 - c3 * yt2
        yt2 = yt1
        yt1 = ans - d * sig
        ar[n] = ans
    s.yt1, s.yt2 = yt1, yt2


defop("reson", "a", "axxoo", RESON, reson_init, reson_perf,
      native_init=NativeInit(reson_init_native))
for _ins in ("akkoo", "aaaoo", "aakoo", "akaoo"):
    defop("areson", "a", _ins, RESON, reson_init, areson_perf,
          native_init=NativeInit(reson_init_native))

# ---------------------------------------------------------------- Butterworth
BFIL = State(lkf=f64, lkb=f64, a1=f64, a2=f64, a3=f64, a4=f64, a5=f64, a6=f64, a7=f64)


def butter_init(s, ic, out, ain, kfc, istor):
    if istor == 0.0:
        s.a6 = s.a7 = 0.0
        s.lkf = 0.0


def butterbp_init(s, ic, out, ain, kfo, kbw, istor):
    if istor == 0.0:
        s.a6 = s.a7 = 0.0
        s.lkf = s.lkb = 0.0


@kernel
def butter_init_native(s, ctx, tabs, out, ain, kfc, istor):
    """`butter_init` for compiled note starts."""
    if istor == 0.0:
        s.a6 = s.a7 = 0.0
        s.lkf = 0.0
    return 0


@kernel
def butterbp_init_native(s, ctx, tabs, out, ain, kfo, kbw, istor):
    """`butterbp_init` for compiled note starts."""
    if istor == 0.0:
        s.a6 = s.a7 = 0.0
        s.lkf = s.lkb = 0.0
    return 0


@helper
def _butter_tick(s, x):
    t = x - s.a4 * s.a6 - s.a5 * s.a7
    y = t * s.a1 + s.a2 * s.a6 + s.a3 * s.a7
    s.a7 = s.a6
    s.a6 = t
    return y


@helper
def _butter_run(s, out, ain, n0, n1):
    """`_butter_tick` over frames [n0, n1) with the coefficients and history in
    locals (stores into `out` would otherwise reload them every frame)."""
    a1, a2, a3, a4, a5, a6, a7 = s.a1, s.a2, s.a3, s.a4, s.a5, s.a6, s.a7
    for n in range(n0, n1):
        t = ain[n] - a4 * a6 - a5 * a7
        y = t * a1 + a2 * a6 + a3 * a7
        a7 = a6
        a6 = t
        out[n] = y
    s.a6 = a6
    s.a7 = a7


@helper
def _lobut_coefs(s, ctx, fc):
    s.lkf = fc
    c = 1.0 / math.tan(ctx.pidsr * fc)
    s.a1 = 1.0 / (1.0 + ROOT2 * c + c * c)
    s.a2 = s.a1 + s.a1
    s.a3 = s.a1
    s.a4 = 2.0 * (1.0 - c * c) * s.a1
    s.a5 = (1.0 - ROOT2 * c + c * c) * s.a1


@kernel
def butterlp_perf(s, ctx, out, ain, kfc, istor, n0, n1):
    """butterlp: 2nd-order Butterworth low-pass (Opcodes/butter.c lobut, afilters.c)."""
    if at(kfc, 0) <= 0.0:
        for n in range(n0, n1):
            out[n] = 0.0
        return
    if not is_audio(kfc):
        if at(kfc, 0) != s.lkf:
            _lobut_coefs(s, ctx, at(kfc, 0))
        _butter_run(s, out, ain, n0, n1)
        return
    for n in range(n0, n1):
        fc = at(kfc, n)
        if fc != s.lkf:
            _lobut_coefs(s, ctx, fc)
        out[n] = _butter_tick(s, ain[n])


@kernel
def butterhp_perf(s, ctx, out, ain, kfc, istor, n0, n1):
    """butterhp: 2nd-order Butterworth high-pass (Opcodes/butter.c hibut, afilters.c)."""
    if at(kfc, 0) <= 0.0:
        for n in range(n0, n1):
            out[n] = ain[n]
        return
    if not is_audio(kfc):
        if at(kfc, 0) != s.lkf:
            _hibut_coefs(s, ctx, at(kfc, 0))
        _butter_run(s, out, ain, n0, n1)
        return
    for n in range(n0, n1):
        fc = at(kfc, n)
        if fc != s.lkf:
            _hibut_coefs(s, ctx, fc)
        out[n] = _butter_tick(s, ain[n])


@helper
def _hibut_coefs(s, ctx, fc):
    s.lkf = fc
    c = math.tan(ctx.pidsr * fc)
    s.a1 = 1.0 / (1.0 + ROOT2 * c + c * c)
    s.a2 = -(s.a1 + s.a1)
    s.a3 = s.a1
    s.a4 = 2.0 * (c * c - 1.0) * s.a1
    s.a5 = (1.0 - ROOT2 * c + c * c) * s.a1


@kernel
def butterbp_perf(s, ctx, out, ain, kfo, kbw, istor, n0, n1):
    """butterbp: 2nd-order Butterworth band-pass (Opcodes/afilters.c bppasxx)."""
    if at(kbw, 0) <= 0.0:
        for n in range(n0, n1):
            out[n] = 0.0
        return
    for n in range(n0, n1):
        bw, fr = at(kbw, n), at(kfo, n)
        if bw != s.lkb or fr != s.lkf:
            s.lkf, s.lkb = fr, bw
            c = 1.0 / math.tan(ctx.pidsr * bw)
            d = 2.0 * math.cos(ctx.tpidsr * fr)
            s.a1 = 1.0 / (1.0 + c)
            s.a2 = 0.0
            s.a3 = -s.a1
            s.a4 = -c * d * s.a1
            s.a5 = (c - 1.0) * s.a1
        out[n] = _butter_tick(s, ain[n])


@kernel
def butterbr_perf(s, ctx, out, ain, kfo, kbw, istor, n0, n1):
    """butterbr: 2nd-order Butterworth band-reject (Opcodes/afilters.c bpcutxx)."""
    if at(kbw, 0) <= 0.0:
        for n in range(n0, n1):
            out[n] = ain[n]
        return
    for n in range(n0, n1):
        bw, fr = at(kbw, n), at(kfo, n)
        if bw != s.lkb or fr != s.lkf:
            s.lkf, s.lkb = fr, bw
            c = math.tan(ctx.pidsr * bw)
            d = 2.0 * math.cos(ctx.tpidsr * fr)
            s.a1 = 1.0 / (1.0 + c)
            s.a2 = -d * s.a1
            s.a3 = s.a1
            s.a4 = s.a2
            s.a5 = (1.0 - c) * s.a1
        out[n] = _butter_tick(s, ain[n])


for _lp, _hp, _bp, _br in (("butterlp", "butterhp", "butterbp", "butterbr"),
                           ("butlp", "buthp", "butbp", "butbr")):
    for _ins in ("ako", "aao"):
        defop(_lp, "a", _ins, BFIL, butter_init, butterlp_perf, flags=("note_local",),
              native_init=NativeInit(butter_init_native))
        defop(_hp, "a", _ins, BFIL, butter_init, butterhp_perf, flags=("note_local",),
              native_init=NativeInit(butter_init_native))
    defop(_bp, "a", "axxo", BFIL, butterbp_init, butterbp_perf,
          native_init=NativeInit(butterbp_init_native))
    defop(_br, "a", "axxo", BFIL, butterbp_init, butterbr_perf,
          native_init=NativeInit(butterbp_init_native))

# ---------------------------------------------------------------- lowpass2
LP2 = State(ynm1=f64, ynm2=f64)


def lowpass2_init(s, ic, out, asig, kcf, kq, istor):
    if istor == 0.0:
        s.ynm1 = s.ynm2 = 0.0


@kernel
def lowpass2_init_native(s, ctx, tabs, out, asig, kcf, kq, istor):
    """`lowpass2_init` for compiled note starts."""
    if istor == 0.0:
        s.ynm1 = s.ynm2 = 0.0
    return 0


@kernel
def lowpass2_perf(s, ctx, out, asig, kcf, kq, istor, n0, n1):
    """lowpass2: resonant 2-pole low-pass (Opcodes/ugsc.c lp2, lp2aa)."""
    fco, res = at(kcf, 0), at(kq, 0)
    temp = -ctx.pidsr * fco / res
    a = 2.0 * math.cos(fco * ctx.tpidsr) * math.exp(temp)
    b = math.exp(temp + temp)
    c = 1.0 - a + b
    ynm1, ynm2 = s.ynm1, s.ynm2
    for n in range(n0, n1):
        if res != at(kq, n) or fco != at(kcf, n):
            res, fco = at(kq, n), at(kcf, n)
            temp = -ctx.pidsr * fco / res
            a = 2.0 * math.cos(fco * ctx.tpidsr) * math.exp(temp)
            b = math.exp(temp + temp)
            c = 1.0 - a + b
        yn = a * ynm1 - b * ynm2 + c * asig[n]
        out[n] = yn
        ynm2 = ynm1
        ynm1 = yn
    s.ynm1, s.ynm2 = ynm1, ynm2


for _ins in ("akko", "aaao", "akao"):
    defop("lowpass2", "a", _ins, LP2, lowpass2_init, lowpass2_perf,
          native_init=NativeInit(lowpass2_init_native))

# ---------------------------------------------------------------- dcblock, dcblock2
DCBLOCK = State(outputs=f64, inputs=f64, gain=f64)


def dcblock_init(s, ic, ar, ain, igain):
    s.outputs = s.inputs = 0.0
    s.gain = igain
    if igain == 0.0 or igain >= 1.0 or igain <= -1.0:
        s.gain = 0.99


@kernel
def dcblock_init_native(s, ctx, tabs, ar, ain, igain):
    """`dcblock_init` for compiled note starts."""
    s.outputs = s.inputs = 0.0
    s.gain = igain
    if igain == 0.0 or igain >= 1.0 or igain <= -1.0:
        s.gain = 0.99
    return 0


@kernel
def dcblock_perf(s, ctx, ar, ain, igain, n0, n1):
    """dcblock: first-order DC blocker (Opcodes/dcblockr.c dcblockr)."""
    outputs, inputs, gain = s.outputs, s.inputs, s.gain
    for n in range(n0, n1):
        x = ain[n]
        outputs = x - inputs + gain * outputs
        inputs = x
        ar[n] = outputs
    s.outputs, s.inputs = outputs, inputs


defop("dcblock", "a", "ao", DCBLOCK, dcblock_init, dcblock_perf,
      native_init=NativeInit(dcblock_init_native))

DCBLOCK2 = State(y0=f64, y1=f64, y2=f64, y3=f64, dp1=i64, dp2=i64, scaler=f64)


def dcblock2_init(s, ic, ar, ain, iorder, iskip):
    order = int(iorder)
    if order == 0:
        order = 128
    elif order < 4:
        order = 4
    s.scaler = 1.0 / order
    s.y0 = s.y1 = s.y2 = s.y3 = 0.0
    s.dp1 = s.dp2 = 0
    return np.zeros((order - 1) * 2), np.zeros((4, order))


@kernel
def dcblock2_perf(s, ctx, delay, iirdel, ar, ain, iorder, iskip, n0, n1):
    """dcblock2: delay minus 4 cascaded moving averages (Opcodes/dcblockr.c dcblock2)."""
    scale = s.scaler
    p1, p2 = s.dp1, s.dp2
    y0, y1, y2, y3 = s.y0, s.y1, s.y2, s.y3
    dsize, isize = delay.shape[0], iirdel.shape[1]
    for n in range(n0, n1):
        old = delay[p1]
        x1 = ain[n]
        delay[p1] = x1
        x2 = iirdel[0, p2]
        iirdel[0, p2] = x1
        y0 = x1 - x2 + y0
        x1 = y0 * scale
        x2 = iirdel[1, p2]
        iirdel[1, p2] = x1
        y1 = x1 - x2 + y1
        x1 = y1 * scale
        x2 = iirdel[2, p2]
        iirdel[2, p2] = x1
        y2 = x1 - x2 + y2
        x1 = y2 * scale
        x2 = iirdel[3, p2]
        iirdel[3, p2] = x1
        y3 = x1 - x2 + y3
        x1 = y3 * scale
        ar[n] = old - x1
        p1 = 0 if p1 == dsize - 1 else p1 + 1
        p2 = 0 if p2 == isize - 1 else p2 + 1
    s.y0, s.y1, s.y2, s.y3 = y0, y1, y2, y3
    s.dp1, s.dp2 = p1, p2


defop("dcblock2", "a", "aoo", DCBLOCK2, dcblock2_init, dcblock2_perf, arrays=("delay", "iirdel"))

# ---------------------------------------------------------------- moogvcf, moogladder
MOOGVCF = State(xnm1=f64, y1nm1=f64, y2nm1=f64, y3nm1=f64, y1n=f64, y2n=f64, y3n=f64,
                y4n=f64, maxint=f64)


def moogvcf_init(s, ic, out, asig, xfco, xres, iscale, iskip):
    if iskip == 0.0:
        s.xnm1 = s.y1nm1 = s.y2nm1 = s.y3nm1 = 0.0
        s.y1n = s.y2n = s.y3n = s.y4n = 0.0
    s.maxint = iscale if iscale != 0.0 else ic.e0dbfs


@kernel
def moogvcf_init_native(s, ctx, tabs, out, asig, xfco, xres, iscale, iskip):
    """`moogvcf_init` for compiled note starts."""
    if iskip == 0.0:
        s.xnm1 = s.y1nm1 = s.y2nm1 = s.y3nm1 = 0.0
        s.y1n = s.y2n = s.y3n = s.y4n = 0.0
    s.maxint = iscale if iscale != 0.0 else ctx.e0dbfs
    return 0


@kernel
def moogvcf_perf(s, ctx, out, asig, xfco, xres, iscale, iskip, n0, n1):
    """moogvcf: digital Moog ladder with clipper (Opcodes/biquad.c moogvcf)."""
    mx = s.maxint
    dmax = 1.0 / mx
    zerodb = ctx.e0dbfs
    xnm1, y1nm1, y2nm1, y3nm1 = s.xnm1, s.y1nm1, s.y2nm1, s.y3nm1
    y1n, y2n, y3n, y4n = s.y1n, s.y2n, s.y3n, s.y4n
    fco = res = math.nan
    kp = pp1d2 = k = 0.0
    for n in range(n0, n1):
        f, r = at(xfco, n), at(xres, n)
        if f != fco or r != res:
            fco, res = f, r
            fcon = 2.0 * fco * ctx.onedsr
            kp = 3.6 * fcon - 1.6 * fcon * fcon - 1.0
            pp1d2 = (kp + 1.0) * 0.5
            scale = math.exp((1.0 - pp1d2) * 1.386249)
            k = res * scale
        xn = asig[n] * dmax / zerodb
        xn = xn - k * y4n
        y1n = (xn + xnm1) * pp1d2 - kp * y1n
        y2n = (y1n + y1nm1) * pp1d2 - kp * y2n
        y3n = (y2n + y2nm1) * pp1d2 - kp * y3n
        y4n = (y3n + y3nm1) * pp1d2 - kp * y4n
        y4n = y4n - y4n * y4n * y4n / 6.0
        xnm1, y1nm1, y2nm1, y3nm1 = xn, y1n, y2n, y3n
        out[n] = y4n * mx * zerodb
    s.xnm1, s.y1nm1, s.y2nm1, s.y3nm1 = xnm1, y1nm1, y2nm1, y3nm1
    s.y1n, s.y2n, s.y3n, s.y4n = y1n, y2n, y3n, y4n


defop("moogvcf", "a", "axxpo", MOOGVCF, moogvcf_init, moogvcf_perf,
      native_init=NativeInit(moogvcf_init_native))
defop("moogvcf2", "a", "axxoo", MOOGVCF, moogvcf_init, moogvcf_perf,
      native_init=NativeInit(moogvcf_init_native))

MOOGLADDER = State(d0=f64, d1=f64, d2=f64, d3=f64, d4=f64, d5=f64, t0=f64, t1=f64, t2=f64,
                   oldfreq=f64, oldres=f64, oldacr=f64, oldtune=f64, acf=i64, ares=i64)


def moogladder_init(s, ic, out, asig, kcf, kres, istor):
    if istor == 0.0:
        s.d0 = s.d1 = s.d2 = s.d3 = s.d4 = s.d5 = 0.0
        s.t0 = s.t1 = s.t2 = 0.0
        s.oldfreq = 0.0
        s.oldres = -1.0
    s.acf = 1 if is_audio(kcf) else 0
    s.ares = 1 if is_audio(kres) else 0


@kernel
def moogladder_init_native(s, ctx, tabs, out, asig, kcf, kres, istor):
    """`moogladder_init` for compiled note starts."""
    if istor == 0.0:
        s.d0 = s.d1 = s.d2 = s.d3 = s.d4 = s.d5 = 0.0
        s.t0 = s.t1 = s.t2 = 0.0
        s.oldfreq = 0.0
        s.oldres = -1.0
    s.acf = _audio_flag(kcf)
    s.ares = _audio_flag(kres)
    return 0


@helper
def _fast_tanh(x):
    """newfils.c TanH: odd, clipped at 4, identity below 0.5, Pade approximant between."""
    sign = 1.0
    if x < 0.0:
        sign = -1.0
        x = -x
    if x >= 4.0:
        return sign
    if x < 0.5:
        return x * sign
    x2 = x * x
    a = x * (135135.0 + x2 * (17325.0 + x2 * (378.0 + x2)))
    b = 135135.0 + x2 * (62370.0 + x2 * (3150.0 + x2 * 28.0))
    return sign * (a / b)


@helper
def _th(x, fast):
    return _fast_tanh(x) if fast else math.tanh(x)


@helper
def _ladder_tune(s, ctx, freq):
    """Set s.oldacr and s.oldtune for cutoff `freq` (Huovilainen's corrections)."""
    vt = 1.0 / (1.22070315 * ctx.e0dbfs)
    fc = freq / ctx.sr
    f = 0.5 * fc
    fc2 = fc * fc
    fc3 = fc2 * fc
    fcr = 1.8730 * fc3 + 0.4955 * fc2 - 0.6490 * fc + 0.9988
    s.oldacr = -3.9364 * fc2 + 1.8409 * fc + 0.9968
    s.oldtune = (1.0 - math.exp(-(2.0 * math.pi * f * fcr))) / vt


@helper
def _ladder_start(s, ctx, kcf, kres):
    """Block start: retune if the (first) cutoff or resonance changed."""
    freq, res = at(kcf, 0), at(kres, 0)
    if not (s.acf != 0 and s.ares != 0) and res < 0.0:
        res = 0.0  # compat: the a-rate-resonance-and-cutoff row never clamps
    if s.oldfreq != freq or s.oldres != res:
        s.oldfreq = freq
        _ladder_tune(s, ctx, freq)
        s.oldres = res


@helper
def _moogladder_run(s, ctx, out, asig, kcf, kres, n0, n1, fast):
    acf, ares = s.acf != 0, s.ares != 0
    _ladder_start(s, ctx, kcf, kres)
    freq = at(kcf, 0)
    cres = s.oldres
    res4 = 4.0 * cres * s.oldacr
    vt = 1.0 / (1.22070315 * ctx.e0dbfs)
    d0, d1, d2, d3, d4, d5 = s.d0, s.d1, s.d2, s.d3, s.d4, s.d5
    t0, t1, t2 = s.t0, s.t1, s.t2
    for n in range(n0, n1):
        if acf and ares:
            if s.oldfreq != at(kcf, n) or s.oldres != at(kres, n):
                s.oldfreq = at(kcf, n)
                _ladder_tune(s, ctx, s.oldfreq)
                # compat: remembers the block's first resonance, not this one
                s.oldres = cres
                res4 = 4.0 * at(kres, n) * s.oldacr
        elif acf:
            if s.oldfreq != at(kcf, n):
                s.oldfreq = at(kcf, n)
                _ladder_tune(s, ctx, s.oldfreq)
                res4 = 4.0 * cres * s.oldacr
        elif ares:
            if cres != at(kres, n):
                _ladder_tune(s, ctx, freq)
                cres = at(kres, n)
                s.oldres = cres
                res4 = 4.0 * cres * s.oldacr
        tune = s.oldtune
        for _ in range(2):
            x = asig[n] - res4 * d5
            d0 = d0 + tune * (_th(x * vt, fast) - t0)
            t0 = _th(d0 * vt, fast)
            d1 = d1 + tune * (t0 - t1)
            t1 = _th(d1 * vt, fast)
            d2 = d2 + tune * (t1 - t2)
            t2 = _th(d2 * vt, fast)
            d3 = d3 + tune * (t2 - _th(d3 * vt, fast))
            d5 = (d3 + d4) * 0.5
            d4 = d3
        out[n] = d5
    s.d0, s.d1, s.d2, s.d3, s.d4, s.d5 = d0, d1, d2, d3, d4, d5
    s.t0, s.t1, s.t2 = t0, t1, t2


@kernel
def moogladder_perf(s, ctx, out, asig, kcf, kres, istor, n0, n1):
    """moogladder: Huovilainen's non-linear Moog ladder, 2x oversampled
    (Opcodes/newfils.c moogladder_process*)."""
    _moogladder_run(s, ctx, out, asig, kcf, kres, n0, n1, False)


@kernel
def moogladder2_perf(s, ctx, out, asig, kcf, kres, istor, n0, n1):
    """moogladder2: moogladder with newfils.c's fast tanh approximation."""
    _moogladder_run(s, ctx, out, asig, kcf, kres, n0, n1, True)


@kernel
def moogladder_pair_perf(sa, sb, ctx, outa, asiga, kcfa, kresa, istora,
                         outb, asigb, kcfb, kresb, istorb, n0, n1):
    """moogladder for two notes, their sample loops interleaved (see defop's pair=)."""
    if sa.acf or sa.ares or sb.acf or sb.ares:
        _moogladder_run(sa, ctx, outa, asiga, kcfa, kresa, n0, n1, False)
        _moogladder_run(sb, ctx, outb, asigb, kcfb, kresb, n0, n1, False)
        return
    _ladder_start(sa, ctx, kcfa, kresa)
    _ladder_start(sb, ctx, kcfb, kresb)
    res4a, tunea = 4.0 * sa.oldres * sa.oldacr, sa.oldtune
    res4b, tuneb = 4.0 * sb.oldres * sb.oldacr, sb.oldtune
    vt = 1.0 / (1.22070315 * ctx.e0dbfs)
    a0, a1, a2, a3, a4, a5 = sa.d0, sa.d1, sa.d2, sa.d3, sa.d4, sa.d5
    ta0, ta1, ta2 = sa.t0, sa.t1, sa.t2
    b0, b1, b2, b3, b4, b5 = sb.d0, sb.d1, sb.d2, sb.d3, sb.d4, sb.d5
    tb0, tb1, tb2 = sb.t0, sb.t1, sb.t2
    for n in range(n0, n1):
        for _ in range(2):
            xa = asiga[n] - res4a * a5
            xb = asigb[n] - res4b * b5
            a0 = a0 + tunea * (math.tanh(xa * vt) - ta0)
            b0 = b0 + tuneb * (math.tanh(xb * vt) - tb0)
            ta0 = math.tanh(a0 * vt)
            tb0 = math.tanh(b0 * vt)
            a1 = a1 + tunea * (ta0 - ta1)
            b1 = b1 + tuneb * (tb0 - tb1)
            ta1 = math.tanh(a1 * vt)
            tb1 = math.tanh(b1 * vt)
            a2 = a2 + tunea * (ta1 - ta2)
            b2 = b2 + tuneb * (tb1 - tb2)
            ta2 = math.tanh(a2 * vt)
            tb2 = math.tanh(b2 * vt)
            a3 = a3 + tunea * (ta2 - math.tanh(a3 * vt))
            b3 = b3 + tuneb * (tb2 - math.tanh(b3 * vt))
            a5 = (a3 + a4) * 0.5
            b5 = (b3 + b4) * 0.5
            a4 = a3
            b4 = b3
        outa[n] = a5
        outb[n] = b5
    sa.d0, sa.d1, sa.d2, sa.d3, sa.d4, sa.d5 = a0, a1, a2, a3, a4, a5
    sa.t0, sa.t1, sa.t2 = ta0, ta1, ta2
    sb.d0, sb.d1, sb.d2, sb.d3, sb.d4, sb.d5 = b0, b1, b2, b3, b4, b5
    sb.t0, sb.t1, sb.t2 = tb0, tb1, tb2


for _ins in ("akko", "aaao", "aako", "akao"):
    defop("moogladder", "a", _ins, MOOGLADDER, moogladder_init, moogladder_perf,
          flags=("note_local",), pair=moogladder_pair_perf,
          native_init=NativeInit(moogladder_init_native))
    defop("moogladder2", "a", _ins, MOOGLADDER, moogladder_init, moogladder2_perf,
          native_init=NativeInit(moogladder_init_native))

# ---------------------------------------------------------------- port, portk
PORT = State(c1=f64, c2=f64, yt1=f64, ihtim_old=f64)


def port_init(s, ic, kr, ksig, ihtim, isig):
    s.c2 = math.pow(0.5, (1.0 / ic.kr) / ihtim) if ihtim != 0.0 else 0.0
    s.c1 = 1.0 - s.c2
    if isig >= 0.0:
        s.yt1 = isig
    s.ihtim_old = ihtim


@kernel
def port_init_native(s, ctx, tabs, half, kr, ksig, ihtim, isig):
    """`port_init` for compiled note starts.  `half` (0.5) arrives as an
    argument: with a constant base LLVM turns pow into exp2, which is not
    math.pow's libm pow."""
    c2 = math.pow(half, (1.0 / ctx.kr) / ihtim) if ihtim != 0.0 else 0.0
    if math.isinf(c2) and not math.isinf(ihtim):
        return 1  # Python's math.pow raises OverflowError
    s.c2 = c2
    s.c1 = 1.0 - s.c2
    if isig >= 0.0:
        s.yt1 = isig
    s.ihtim_old = ihtim
    return 0


@kernel
def port_perf(s, ctx, kr, ksig, ihtim, isig, n0, n1):
    """port / portk: portamento, a one-pole lag with half-time ihtim (OOps/ugens5.c)."""
    htim = at(ihtim, 0)
    if htim != s.ihtim_old:
        s.c2 = 0.5 ** ((1.0 / ctx.kr) / htim)
        s.c1 = 1.0 - s.c2
        s.ihtim_old = htim
    s.yt1 = s.c1 * at(ksig, 0) + s.c2 * s.yt1
    kr[0] = s.yt1


defop("port", "k", "kio", PORT, port_init, port_perf,
      native_init=NativeInit(port_init_native, (0.5,)))
defop("portk", "k", "kko", PORT, port_init, port_perf,
      native_init=NativeInit(port_init_native, (0.5,)))

# ---------------------------------------------------------------- tonex, atonex, resonx
TONEX = State(c1=f64, c2=f64, prvhp=f64, ahp=i64)


def _layers(iord) -> int:
    loop = _trunc(iord + 0.5)
    return loop if loop >= 1 else 4


def _trunc(x: float) -> int:
    """C's (int32_t) cast."""
    return int(x) if math.isfinite(x) else 0


def tonex_init(s, ic, ar, asig, khp, inumlayer, istor):
    # compat: an a-rate khp is read before it is computed, as the zeros of a new note
    _tone_coefs(s, ic.consts.tpidsr, 0.0 if is_audio(khp) else khp)
    s.ahp = 1 if is_audio(khp) else 0
    return (np.zeros(_layers(inumlayer)),)


@kernel
def tonex_perf(s, ctx, yt1, ar, asig, khp, inumlayer, istor, n0, n1):
    """tonex: tone stacked inumlayer times (OOps/ugens5.c tonex; afilters.c tonexa)."""
    # compat: the coefficients used are those loaded before this block's update
    c1, c2 = s.c1, s.c2
    for n in range(n0, n1):
        ar[n] = asig[n]
    for j in range(yt1.shape[0]):
        y = yt1[j]
        for n in range(n0, n1):
            hp = at(khp, n)
            if hp != s.prvhp:
                _tone_coefs(s, ctx.tpidsr, hp)
            y = c1 * ar[n] + c2 * y
            ar[n] = y
        yt1[j] = y


@kernel
def atonex_perf(s, ctx, yt1, ar, asig, khp, inumlayer, istor, n0, n1):
    """atonex: atone stacked inumlayer-1 times (OOps/ugens5.c atonex; afilters.c atonexa)."""
    c2 = s.c2
    if s.ahp == 0 and at(khp, 0) != s.prvhp:
        _tone_coefs(s, ctx.tpidsr, at(khp, 0))  # compat: used from the next block on
    for n in range(n0, n1):
        ar[n] = asig[n]
    prvhp = s.prvhp
    # compat: Csound skips the first layer
    for j in range(1, yt1.shape[0]):
        for n in range(n0, n1):
            if s.ahp != 0 and at(khp, n) != prvhp:
                prvhp = at(khp, n)
                # compat: aims at the frequency stored before this block
                b = 2.0 - math.cos(s.prvhp * ctx.tpidsr)
                c2 = b - math.sqrt(b * b - 1.0)
            sig = ar[n]
            x = c2 * (yt1[j] + sig)
            yt1[j] = x - sig
            ar[n] = x
    if s.ahp != 0:
        s.c2 = c2
        s.prvhp = prvhp


defop("tonex", "a", "akoo", TONEX, tonex_init, tonex_perf, arrays=("yt1",))
defop("tonex", "a", "aaoo", TONEX, tonex_init, tonex_perf, arrays=("yt1",))
defop("atonex", "a", "akoo", TONEX, tonex_init, atonex_perf, arrays=("yt1",))
defop("atonex", "a", "aaoo", TONEX, tonex_init, atonex_perf, arrays=("yt1",))


def resonx_init(s, ic, ar, asig, kcf, kbw, inumlayer, iscl, istor):
    loop = _layers(inumlayer)
    scale = _trunc(iscl)
    if scale not in (0, 1, 2):
        raise InitError(f"illegal reson iscl value, {iscl:f}")
    s.scale = scale
    s.prvcf = s.prvbw = -100.0
    return (np.zeros((2, loop)),)


@kernel
def resonx_perf(s, ctx, yt, ar, asig, kcf, kbw, inumlayer, iscl, istor, n0, n1):
    """resonx: reson stacked inumlayer times (OOps/ugens5.c resonx)."""
    c1, c2, c3 = s.c1, s.c2, s.c3
    flag = False
    for n in range(n0, n1):
        ar[n] = asig[n]
    for j in range(yt.shape[1]):
        for n in range(n0, n1):
            cf, bw = at(kcf, n), at(kbw, n)
            if cf != s.prvcf:
                s.prvcf = cf
                s.cosf = math.cos(cf * ctx.tpidsr)
                flag = True
            if bw != s.prvbw:
                s.prvbw = bw
                c3 = math.exp(bw * ctx.mtpdsr)
                flag = True
            if flag:
                c3p1 = c3 + 1.0
                c3t4 = c3 * 4.0
                omc3 = 1.0 - c3
                c2 = c3t4 * s.cosf / c3p1
                c2sqr = c2 * c2
                if s.scale == 1:
                    c1 = omc3 * math.sqrt(1.0 - c2sqr / c3t4)
                elif s.scale == 2:
                    c1 = math.sqrt((c3p1 * c3p1 - c2sqr) * omc3 / c3p1)
                else:
                    c1 = 1.0
                flag = False
            x = c1 * ar[n] + c2 * yt[0, j] - c3 * yt[1, j]
            yt[1, j] = yt[0, j]
            ar[n] = x
            yt[0, j] = x
    s.c1, s.c2, s.c3 = c1, c2, c3


defop("resonx", "a", "axxooo", RESON, resonx_init, resonx_perf, arrays=("yt",))

# ---------------------------------------------------------------- state-variable filters
STATEVAR = State(bpd=f64, lpd=f64, lp=f64, ostimes=i64, oldfreq=f64, oldres=f64, oldq=f64,
                 oldf=f64)


def statevar_init(s, ic, ahp, alp, abp, abr, asig, xfreq, xres, iosamp, istor):
    if istor == 0.0:
        s.bpd = s.lpd = s.lp = 0.0
        s.oldfreq = s.oldres = 0.0
    s.ostimes = 3 if iosamp <= 0.0 else _trunc(iosamp)


@kernel
def statevar_init_native(s, ctx, tabs, ahp, alp, abp, abr, asig, xfreq, xres, iosamp, istor):
    """`statevar_init` for compiled note starts."""
    if iosamp <= 0.0:
        ostimes = 3
    elif not math.isfinite(iosamp):
        ostimes = 0
    elif iosamp >= INT_SAFE:
        return 1  # Python's int() would overflow the int64 field
    else:
        ostimes = int(iosamp)
    if istor == 0.0:
        s.bpd = s.lpd = s.lp = 0.0
        s.oldfreq = s.oldres = 0.0
    s.ostimes = ostimes
    return 0


@kernel
def statevar_perf(s, ctx, ahp, alp, abp, abr, asig, xfreq, xres, iosamp, istor, n0, n1):
    """statevar: oversampled Chamberlin state-variable filter (Opcodes/newfils.c)."""
    lpd, bpd, lp = s.lpd, s.bpd, s.lp
    hp = bp = br = 0.0
    q, f = s.oldq, s.oldf
    ost = s.ostimes
    for n in range(n0, n1):
        fr, rs = at(xfreq, n), at(xres, n)
        if s.oldfreq != fr or s.oldres != rs:
            f = 2.0 * math.sin(fr * ctx.pidsr / ost)
            q = 1.0 / rs
            lim = ((2.0 - f) * 0.05) / ost
            if q < lim:
                q = lim
            s.oldq, s.oldf, s.oldfreq, s.oldres = q, f, fr, rs
        for _ in range(ost):
            hp = asig[n] - q * bpd - lp
            bp = hp * f + bpd
            lp = bpd * f + lpd
            br = lp + hp
            bpd = bp
            lpd = lp
        ahp[n], alp[n], abp[n], abr[n] = hp, lp, bp, br
    s.bpd, s.lpd, s.lp = bpd, lpd, lp


defop("statevar", "aaaa", "axxoo", STATEVAR, statevar_init, statevar_perf,
      native_init=NativeInit(statevar_init_native))

SVF = State(ynm1=f64, ynm2=f64)


@kernel
def svfilter_perf(s, ctx, low, high, band, asig, kcf, kq, iscl, iskip, n0, n1):
    """svfilter: Chamberlin state-variable filter (Opcodes/ugsc.c svf)."""
    f1, q1, scale, lfco, lq = 0.0, 1.0, 1.0, -1.0, -1.0
    ynm1, ynm2 = s.ynm1, s.ynm2
    for n in range(n0, n1):
        fco, q = at(kcf, n), at(kq, n)
        if fco != lfco or q != lq:
            lfco, lq = fco, q
            f1 = 2.0 * math.sin(fco * ctx.pidsr)
            if q < 0.000001:
                q = 1.0
            q1 = 1.0 / q
            if iscl != 0.0:
                scale = q1
        low2 = ynm2 + f1 * ynm1
        high2 = scale * asig[n] - low2 - q1 * ynm1
        band2 = f1 * high2 + ynm1
        low[n], high[n], band[n] = low2, high2, band2
        ynm1 = band2
        ynm2 = low2
    s.ynm1, s.ynm2 = ynm1, ynm2


# Csound's svfset clears the state only when iskip is set; a fresh state is zero anyway.
defop("svfilter", "aaa", "axxoo", SVF, None, svfilter_perf)

# ---------------------------------------------------------------- resonr, resonz
RESONZ = State(xnm1=f64, xnm2=f64, ynm1=f64, ynm2=f64, scaletype=i64)


def resonz_init(s, ic, out, asig, kcf, kbw, iscl, istor):
    s.scaletype = _trunc(iscl)
    if s.scaletype not in (0, 1, 2):
        raise InitError(f"illegal reson iscl value, {iscl:f}")
    if istor == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0


@kernel
def resonz_init_native(s, ctx, tabs, out, asig, kcf, kbw, iscl, istor):
    """`resonz_init` for compiled note starts."""
    if not math.isfinite(iscl):
        s.scaletype = 0
    elif -1.0 < iscl < 3.0:
        s.scaletype = int(iscl)
    else:
        return 1  # Python's iscl error
    if istor == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0
    return 0


@helper
def _resonz_run(s, ctx, out, asig, kcf, kbw, n0, n1, zeros_at_root_r):
    r = c1 = c2 = 0.0
    scale = 1.0
    lcf = lbw = -1.0
    xnm1, xnm2, ynm1, ynm2 = s.xnm1, s.xnm2, s.ynm1, s.ynm2
    for n in range(n0, n1):
        cf, bw = at(kcf, n), at(kbw, n)
        if cf != lcf or bw != lbw:
            lcf, lbw = cf, bw
            if zeros_at_root_r:
                r = math.exp(bw * -ctx.pidsr)
                c1 = 2.0 * r * math.cos(cf * ctx.tpidsr)
                c2 = r * r
                if s.scaletype == 1:
                    scale = 1.0 - r
                elif s.scaletype == 2:
                    scale = math.sqrt(1.0 - r)
            else:
                r = math.exp(-(bw * ctx.pidsr))
                c1 = 2.0 * r * math.cos(ctx.tpidsr * cf)
                c2 = r * r
                if s.scaletype == 1:
                    scale = (1.0 - c2) * 0.5
                elif s.scaletype == 2:
                    scale = math.sqrt((1.0 - c2) * 0.5)
        xn = asig[n]
        if zeros_at_root_r:
            yn = scale * (xn - r * xnm2) + c1 * ynm1 - c2 * ynm2
        else:
            yn = scale * (xn - xnm2) + c1 * ynm1 - c2 * ynm2
        out[n] = yn
        xnm2, xnm1, ynm2, ynm1 = xnm1, xn, ynm1, yn
    s.xnm1, s.xnm2, s.ynm1, s.ynm2 = xnm1, xnm2, ynm1, ynm2


@kernel
def resonr_perf(s, ctx, out, asig, kcf, kbw, iscl, istor, n0, n1):
    """resonr: Smith-Angell constant-gain resonator, zeros at +-sqrt(r) (Opcodes/ugsc.c)."""
    _resonz_run(s, ctx, out, asig, kcf, kbw, n0, n1, True)


@kernel
def resonz_perf(s, ctx, out, asig, kcf, kbw, iscl, istor, n0, n1):
    """resonz: Smith-Angell constant-gain resonator, zeros at z=+-1 (Opcodes/ugsc.c)."""
    _resonz_run(s, ctx, out, asig, kcf, kbw, n0, n1, False)


defop("resonr", "a", "axxoo", RESONZ, resonz_init, resonr_perf,
      native_init=NativeInit(resonz_init_native))
defop("resonz", "a", "axxoo", RESONZ, resonz_init, resonz_perf,
      native_init=NativeInit(resonz_init_native))

# ---------------------------------------------------------------- biquad family
BIQUAD = State(xnm1=f64, xnm2=f64, ynm1=f64, ynm2=f64, acf=i64, ares=i64, warn=i64)


def biquad_init(s, ic, out, asig, b0, b1, b2, a0, a1, a2, iskip):
    if iskip == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0


@kernel
def biquad_init_native(s, ctx, tabs, out, asig, b0, b1, b2, a0, a1, a2, iskip):
    """`biquad_init` for compiled note starts."""
    if iskip == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0
    return 0


@kernel
def biquad_perf(s, ctx, out, asig, kb0, kb1, kb2, ka0, ka1, ka2, iskip, n0, n1):
    """biquad: direct-form biquad, coefficients per block (Opcodes/biquad.c biquad)."""
    a0 = 1.0 / at(ka0, 0)
    a1, a2 = a0 * at(ka1, 0), a0 * at(ka2, 0)
    b0, b1, b2 = a0 * at(kb0, 0), a0 * at(kb1, 0), a0 * at(kb2, 0)
    xnm1, xnm2, ynm1, ynm2 = s.xnm1, s.xnm2, s.ynm1, s.ynm2
    for n in range(n0, n1):
        xn = asig[n]
        yn = b0 * xn + b1 * xnm1 + b2 * xnm2 - a1 * ynm1 - a2 * ynm2
        xnm2, xnm1, ynm2, ynm1 = xnm1, xn, ynm1, yn
        out[n] = yn
    s.xnm1, s.xnm2, s.ynm1, s.ynm2 = xnm1, xnm2, ynm1, ynm2


@kernel
def biquada_perf(s, ctx, out, asig, ab0, ab1, ab2, aa0, aa1, aa2, iskip, n0, n1):
    """biquada: direct-form biquad, coefficients per sample (Opcodes/biquad.c biquada)."""
    xnm1, xnm2, ynm1, ynm2 = s.xnm1, s.xnm2, s.ynm1, s.ynm2
    for n in range(n0, n1):
        xn = asig[n]
        yn = (ab0[n] * xn + ab1[n] * xnm1 + ab2[n] * xnm2 - aa1[n] * ynm1
              - aa2[n] * ynm2) / aa0[n]
        xnm2, xnm1, ynm2, ynm1 = xnm1, xn, ynm1, yn
        out[n] = yn
    s.xnm1, s.xnm2, s.ynm1, s.ynm2 = xnm1, xnm2, ynm1, ynm2


defop("biquad", "a", "akkkkkko", BIQUAD, biquad_init, biquad_perf,
      native_init=NativeInit(biquad_init_native))
defop("biquada", "a", "aaaaaaao", BIQUAD, biquad_init, biquada_perf,
      native_init=NativeInit(biquad_init_native))


def rezzy_init(s, ic, out, asig, xfco, xres, imode, iskip):
    if iskip == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0
    s.acf = 1 if is_audio(xfco) else 0
    s.ares = 1 if is_audio(xres) else 0
    s.warn = 1


@kernel
def rezzy_init_native(s, ctx, tabs, out, asig, xfco, xres, imode, iskip):
    """`rezzy_init` for compiled note starts."""
    if iskip == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0
    s.acf = _audio_flag(xfco)
    s.ares = _audio_flag(xres)
    s.warn = 1
    return 0


NEARONE = 0.99999


@helper
def _rezzy_stable(b1, b2, highpass):
    """Pull the poles of 1 + b1/z + b2/z^2 inside the unit circle as rezzy does."""
    disc = b1 * b1 - 4.0 * b2
    if disc < 0.0:
        pim = math.sqrt(-disc) / 2.0
        p0 = -b1 / 2.0
        if p0 * p0 + pim * pim >= 1.0:
            theta = math.atan2(pim, p0)
            if highpass:
                # compat: the high-pass branch scales by the old pole, not NEARONE
                return -p0 * math.cos(theta), NEARONE * NEARONE
            return -2.0 * (NEARONE * math.cos(theta)), NEARONE * NEARONE
        return b1, b2
    p0 = (math.sqrt(disc) - b1) / 2.0
    p1 = (-math.sqrt(disc) - b1) / 2.0
    if p0 * p0 >= 1.0 or p1 * p1 >= 1.0:
        if p0 * p0 >= 1.0:
            p0 = NEARONE * (1.0 if p0 > 0.0 else -1.0)
        if p1 * p1 >= 1.0:
            p1 = NEARONE * (1.0 if p1 > 0.0 else -1.0)
        return -(p0 + p1), p0 * p1
    return b1, b2


@kernel
def rezzy_perf(s, ctx, out, asig, xfco, xres, imode, iskip, n0, n1):
    """rezzy: resonant low/high-pass biquad (Opcodes/biquad.c rezzy)."""
    fco, rez = at(xfco, 0), at(xres, 0)
    fqcadj = 0.149659863 * ctx.sr
    if rez < 1.0:
        rez = 1.0
    xnm1, xnm2, ynm1, ynm2 = s.xnm1, s.xnm2, s.ynm1, s.ynm2
    varying = s.acf != 0 or s.ares != 0
    highpass = imode != 0.0
    b1 = b2 = invb = csq = cdrez2 = tval = 0.0
    for n in range(n0, n1):
        if s.acf:
            fco = at(xfco, n)
        if s.ares:
            rez = at(xres, n)
        if varying or n == n0:
            c = fqcadj / fco
            if highpass:
                rez2 = rez / (1.0 + math.sqrt(math.sqrt(1.0 / c)))
                tval = 0.75 / math.sqrt(1.0 + rez)
                csq = c * c
                cdrez2 = c / rez2
                invb = 1.0 / (cdrez2 + csq)
                b1 = (1.0 - cdrez2 - 2.0 * csq) * invb
            else:
                rez2 = rez / (1.0 + math.exp(fco / 11000.0))
                a = c / rez2 - 1.0
                csq = c * c
                invb = 1.0 / (1.0 + a + csq)
                b1 = (-a - 2.0 * csq) * invb
            b2 = csq * invb
            b1, b2 = _rezzy_stable(b1, b2, highpass)
        xn = asig[n]
        if highpass:
            yn = -b1 * ynm1 - b2 * ynm2 + ((cdrez2 + csq) * tval * xn
                                           + (-cdrez2 - 2.0 * csq) * tval * xnm1
                                           + csq * tval * xnm2) * invb
        else:
            yn = invb / math.sqrt(1.0 + rez) * xn - b1 * ynm1 - b2 * ynm2
        xnm2, xnm1, ynm2, ynm1 = xnm1, xn, ynm1, yn
        out[n] = yn
    s.xnm1, s.xnm2, s.ynm1, s.ynm2 = xnm1, xnm2, ynm1, ynm2


defop("rezzy", "a", "axxoo", BIQUAD, rezzy_init, rezzy_perf,
      native_init=NativeInit(rezzy_init_native))


@kernel
def bqrez_perf(s, ctx, out, asig, xfco, xres, imode, iskip, n0, n1):
    """bqrez: resonant biquad, low/high/band-pass, band-stop, all-pass (Opcodes/biquad.c)."""
    fco, rez = at(xfco, 0), at(xres, 0)
    mode = int(np.rint(imode))
    xnm1, xnm2, ynm1, ynm2 = s.xnm1, s.xnm2, s.ynm1, s.ynm2
    varying = s.acf != 0 or s.ares != 0
    sin2 = cos2 = beta = gamma = 0.0
    if not varying:
        theta = fco * ctx.tpidsr
        sin2 = math.sin(theta) * 0.5
        cos2 = math.cos(theta)
        beta = (rez - sin2) / (rez + sin2)
        gamma = (beta + 1.0) * cos2
    chi, mu, sigma = 1.0, 0.0, -1.0
    if mode == 0:
        chi, mu, sigma = -1.0, 2.0, 1.0
    elif mode == 1:
        chi, mu, sigma = 1.0, -2.0, 1.0
    alpha = (beta + 1.0 + chi * gamma) * 0.5 if mode < 3 else (beta + 1.0) * 0.5
    if mode > 4:
        return
    for n in range(n0, n1):
        if s.acf:
            fco = at(xfco, n)
        if s.ares:
            rez = at(xres, n)
        if varying:
            theta = fco * ctx.tpidsr
            sin2 = math.sin(theta) * 0.5
            cos2 = math.cos(theta)
            beta = (rez - sin2) / (rez + sin2)
            gamma = (beta + 1.0) * cos2
            alpha = (beta + 1.0 + chi * gamma) * 0.5 if mode < 3 else (beta + 1.0) * 0.5
        xn = asig[n]
        if mode < 3:
            yn = alpha * (xn + mu * xnm1 + sigma * xnm2) + gamma * ynm1 - beta * ynm2
        elif mode == 3:
            yn = alpha * (xn - 2.0 * cos2 * xnm1 + xnm2) + gamma * ynm1 - beta * ynm2
        else:
            yn = beta * xn - gamma * xnm1 + xnm2 + gamma * ynm1 - beta * ynm2
        xnm2, xnm1, ynm2, ynm1 = xnm1, xn, ynm1, yn
        out[n] = yn
    s.xnm1, s.xnm2, s.ynm1, s.ynm2 = xnm1, xnm2, ynm1, ynm2


defop("bqrez", "a", "axxoo", BIQUAD, rezzy_init, bqrez_perf,
      native_init=NativeInit(rezzy_init_native))

# ---------------------------------------------------------------- fofilter, mode, tbvcf
FOFILTER = State(d0=f64, d1=f64, d2=f64, d3=f64)


def fofilter_init(s, ic, out, asig, xcf, xris, xdec, istor):
    if istor == 0.0:
        s.d0 = s.d1 = s.d2 = s.d3 = 0.0


@kernel
def fofilter_init_native(s, ctx, tabs, out, asig, xcf, xris, xdec, istor):
    """`fofilter_init` for compiled note starts."""
    if istor == 0.0:
        s.d0 = s.d1 = s.d2 = s.d3 = 0.0
    return 0


@kernel
def fofilter_perf(s, ctx, out, asig, xcf, xris, xdec, istor, n0, n1):
    """fofilter: difference of two resonators with FOF-like rise and decay
    (Opcodes/newfils.c fofilter_process)."""
    lfrq = lrs = ldc = -1.0
    ang = rrad1 = rrad2 = 0.0
    d0, d1, d2, d3 = s.d0, s.d1, s.d2, s.d3
    for n in range(n0, n1):
        frq, rs, dc = at(xcf, n), at(xris, n), at(xdec, n)
        if frq != lfrq or rs != lrs or dc != ldc:
            lfrq, lrs, ldc = frq, rs, dc
            ang = ctx.tpidsr * frq
            fsc = math.sin(ang) - 3.0
            rrad1 = 10.0 ** (fsc / (dc * ctx.sr))
            rrad2 = 10.0 ** (fsc / (rs * ctx.sr))
        x = asig[n]
        w1 = x + 2.0 * rrad1 * math.cos(ang) * d0 - rrad1 * rrad1 * d1
        y1 = w1 - d1
        d1, d0 = d0, w1
        w2 = x + 2.0 * rrad2 * math.cos(ang) * d2 - rrad2 * rrad2 * d3
        y2 = w2 - d3
        d3, d2 = d2, w2
        out[n] = y1 - y2
    s.d0, s.d1, s.d2, s.d3 = d0, d1, d2, d3


defop("fofilter", "a", "axxxo", FOFILTER, fofilter_init, fofilter_perf,
      native_init=NativeInit(fofilter_init_native))

MODE = State(xnm1=f64, ynm1=f64, ynm2=f64, a0=f64, a1=f64, a2=f64, d=f64, lfq=f64, lq=f64,
             limit=f64)


def mode_init(s, ic, out, asig, xfreq, xq, iskip):
    if iskip == 0.0:
        s.xnm1 = s.ynm1 = s.ynm2 = 0.0
        s.a0 = s.a1 = s.a2 = s.d = 0.0
    s.lfq = s.lq = -1.0
    # a limit below the theoretical sr/pi
    s.limit = ic.sr * (1.0 / math.pi - 1.0 / 100.0)


@kernel
def mode_init_native(s, ctx, tabs, out, asig, xfreq, xq, iskip):
    """`mode_init` for compiled note starts."""
    if iskip == 0.0:
        s.xnm1 = s.ynm1 = s.ynm2 = 0.0
        s.a0 = s.a1 = s.a2 = s.d = 0.0
    s.lfq = s.lq = -1.0
    s.limit = ctx.sr * (1.0 / math.pi - 1.0 / 100.0)
    return 0


@kernel
def mode_perf(s, ctx, out, asig, xfreq, xq, iskip, n0, n1):
    """mode: mass-spring-damper resonator (Opcodes/biquad.c mode)."""
    lfq, lq = s.lfq, s.lq
    a0, a1, a2, d = s.a0, s.a1, s.a2, s.d
    xnm1, ynm1, ynm2 = s.xnm1, s.ynm1, s.ynm2
    for n in range(n0, n1):
        kfq = min(at(xfreq, n), s.limit)
        kq = at(xq, n)
        if lfq != kfq or lq != kq:
            kalpha = ctx.sr / (kfq * 2.0 * math.pi)
            kbeta = kalpha * kalpha
            d = 0.5 * kalpha
            lq, lfq = kq, kfq
            a0 = 1.0 / (kbeta + d / kq)
            a1 = a0 * (1.0 - 2.0 * kbeta)
            a2 = a0 * (kbeta - d / kq)
        yn = a0 * xnm1 - a1 * ynm1 - a2 * ynm2
        xnm1 = asig[n]
        ynm2 = ynm1
        ynm1 = yn
        out[n] = yn * d
    s.xnm1, s.ynm1, s.ynm2 = xnm1, ynm1, ynm2
    s.lfq, s.lq, s.d, s.a0, s.a1, s.a2 = lfq, lq, d, a0, a1, a2


defop("mode", "a", "axxo", MODE, mode_init, mode_perf,
      native_init=NativeInit(mode_init_native))

TBVCF = State(y=f64, y1=f64, y2=f64)


def tbvcf_init(s, ic, out, asig, xfco, xres, kdist, kasym, iskip):
    if iskip == 0.0:
        s.y = s.y1 = s.y2 = 0.0


@kernel
def tbvcf_init_native(s, ctx, tabs, out, asig, xfco, xres, kdist, kasym, iskip):
    """`tbvcf_init` for compiled note starts."""
    if iskip == 0.0:
        s.y = s.y1 = s.y2 = 0.0
    return 0


@kernel
def tbvcf_perf(s, ctx, out, asig, xfco, xres, kdist, kasym, iskip, n0, n1):
    """tbvcf: model of the TB-303 diode-ladder filter (Opcodes/biquad.c tbvcf)."""
    ih = 0.001
    dist, asym = at(kdist, 0), at(kasym, 0)
    y, y1, y2 = s.y, s.y1, s.y2
    fc = q = q1 = 0.0
    fco0, res0 = math.nan, math.nan
    for n in range(n0, n1):
        fco, res = at(xfco, n), at(xres, n)
        if fco != fco0 or res != res0:
            fco0, res0 = fco, res
            q1 = res / (1.0 + math.sqrt(dist))
            fco1 = (fco * 260.0 / (1.0 + q1 * 0.5)) ** 0.58
            q = q1 * fco1 * fco1 * 0.0005
            fc = fco1 * ctx.onedsr * (44100.0 / 8.0)
        x = asig[n]
        fdbk = q * y / (1.0 + math.exp(-3.0 * y) * asym)
        y1 = y1 + ih * ((x - y1) * fc - fdbk)
        d = -0.1 * y * 20.0
        ad = (d * d * d + y2) * 100.0 * dist
        y2 = y2 + ih * ((y1 - y2) * fc + ad)
        y = y + ih * ((y2 - y) * fc)
        out[n] = y * fc / 1000.0 * (1.0 + q1) * 3.2
    s.y, s.y1, s.y2 = y, y1, y2


defop("tbvcf", "a", "axxkkp", TBVCF, tbvcf_init, tbvcf_perf,
      native_init=NativeInit(tbvcf_init_native))

# ---------------------------------------------------------------- pareq
PAREQ = State(xnm1=f64, xnm2=f64, ynm1=f64, ynm2=f64, prv_fc=f64, prv_v=f64, prv_q=f64,
              b0=f64, b1=f64, b2=f64, a1=f64, a2=f64, imode=i64)


def pareq_init(s, ic, out, asig, kc, kv, kq, imode, iskip):
    if iskip == 0.0:
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0
        s.prv_fc = s.prv_v = s.prv_q = -1.0
        s.imode = int(np.rint(imode))


@kernel
def pareq_init_native(s, ctx, tabs, out, asig, kc, kv, kq, imode, iskip):
    """`pareq_init` for compiled note starts."""
    if iskip == 0.0:
        if not abs(imode) < INT_SAFE:
            return 1  # Python's int() fails on nan/inf or overflows the int64 field
        s.xnm1 = s.xnm2 = s.ynm1 = s.ynm2 = 0.0
        s.prv_fc = s.prv_v = s.prv_q = -1.0
        s.imode = int(np.rint(imode))
    return 0


@kernel
def pareq_perf(s, ctx, out, asig, kc, kv, kq, imode, iskip, n0, n1):
    """pareq: Zoelzer's peaking and shelving equaliser (Opcodes/biquad.c pareq)."""
    fc, v, q = at(kc, 0), at(kv, 0), at(kq, 0)
    if fc != s.prv_fc or v != s.prv_v or q != s.prv_q:
        omega = ctx.tpidsr * fc
        s.prv_fc, s.prv_v, s.prv_q = fc, v, q
        if s.imode == 1 or s.imode == 2:
            sq = math.sqrt(2.0 * v)
            k = math.tan(omega * 0.5) if s.imode == 1 else math.tan((math.pi - omega) * 0.5)
            kk = k * k
            vkk = v * kk
            sign = 1.0 if s.imode == 1 else -1.0
            s.b0 = 1.0 + sq * k + vkk
            s.b1 = sign * 2.0 * (vkk - 1.0)
            s.b2 = 1.0 - sq * k + vkk
            a0 = 1.0 + k / q + kk
            s.a1 = sign * 2.0 * (kk - 1.0)
            s.a2 = 1.0 - k / q + kk
        else:
            k = math.tan(omega * 0.5)
            kk = k * k
            vkdq = v * k / q
            s.b0 = 1.0 + vkdq + kk
            s.b1 = 2.0 * (kk - 1.0)
            s.b2 = 1.0 - vkdq + kk
            a0 = 1.0 + k / q + kk
            s.a1 = 2.0 * (kk - 1.0)
            s.a2 = 1.0 - k / q + kk
        a0 = 1.0 / a0
        s.a1 *= a0
        s.a2 *= a0
        s.b0 *= a0
        s.b1 *= a0
        s.b2 *= a0
    a1, a2, b0, b1, b2 = s.a1, s.a2, s.b0, s.b1, s.b2
    xnm1, xnm2, ynm1, ynm2 = s.xnm1, s.xnm2, s.ynm1, s.ynm2
    for n in range(n0, n1):
        xn = asig[n]
        yn = b0 * xn + b1 * xnm1 + b2 * xnm2 - a1 * ynm1 - a2 * ynm2
        xnm2, xnm1, ynm2, ynm1 = xnm1, xn, ynm1, yn
        out[n] = yn
    s.xnm1, s.xnm2, s.ynm1, s.ynm2 = xnm1, xnm2, ynm1, ynm2


defop("pareq", "a", "akkkoo", PAREQ, pareq_init, pareq_perf,
      native_init=NativeInit(pareq_init_native))

# ---------------------------------------------------------------- lpf18
LPF18 = State(ay1=f64, ay2=f64, aout=f64, lastin=f64)


def lpf18_init(s, ic, out, asig, xfco, xres, xdist, istor):
    if istor == 0.0:
        s.ay1 = s.ay2 = s.aout = s.lastin = 0.0


@kernel
def lpf18_init_native(s, ctx, tabs, out, asig, xfco, xres, xdist, istor):
    """`lpf18_init` for compiled note starts."""
    if istor == 0.0:
        s.ay1 = s.ay2 = s.aout = s.lastin = 0.0
    return 0


@kernel
def lpf18_perf(s, ctx, out, asig, xfco, xres, xdist, istor, n0, n1):
    """lpf18: 3-pole (18 dB/oct) low-pass with tanh distortion (Opcodes/pitch.c lpf18db)."""
    ay1, ay2, aout, lastin = s.ay1, s.ay2, s.aout, s.lastin
    zerodb = ctx.e0dbfs
    lfc = lrs = lds = kres = kfcn = kp = kp1 = kp1h = value = 0.0
    flag = True
    for n in range(n0, n1):
        ax1, ay11, ay31 = lastin, ay1, ay2
        fco, res, dist = at(xfco, n), at(xres, n), at(xdist, n)
        if fco != lfc or flag:
            lfc = fco
            kfcn = 2.0 * fco * ctx.onedsr
            kp = ((-2.7528 * kfcn + 3.0429) * kfcn + 1.718) * kfcn - 0.9984
            kp1 = kp + 1.0
            kp1h = 0.5 * kp1
            flag = True
        if res != lrs or flag:
            lrs = res
            kres = res * (((-2.7079 * kp1 + 10.963) * kp1 - 14.934) * kp1 + 8.4974)
            flag = True
        if dist != lds or flag:
            lds = dist
            value = 1.0 + (dist * (1.5 + 2.0 * kres * (1.0 - kfcn)))
        flag = False
        lastin = asig[n] / zerodb - math.tanh(kres * aout)
        ay1 = kp1h * (lastin + ax1) - kp * ay1
        ay2 = kp1h * (ay1 + ay11) - kp * ay2
        aout = kp1h * (ay2 + ay31) - kp * aout
        out[n] = math.tanh(aout * value) * zerodb
    s.ay1, s.ay2, s.aout, s.lastin = ay1, ay2, aout, lastin


defop("lpf18", "a", "axxxo", LPF18, lpf18_init, lpf18_perf,
      native_init=NativeInit(lpf18_init_native))

# ---------------------------------------------------------------- lowres, lowresx
LOWRES = State(ynm1=f64, ynm2=f64, okf=f64, okr=f64, k=f64, coef1=f64, coef2=f64, acf=i64,
               ares=i64)


def lowres_init(s, ic, out, asig, kcf, kres, istor):
    if istor == 0.0:
        s.ynm1 = s.ynm2 = 0.0
    s.okf = s.okr = s.k = 0.0
    s.acf = 1 if is_audio(kcf) else 0
    s.ares = 1 if is_audio(kres) else 0


@kernel
def lowres_init_native(s, ctx, tabs, out, asig, kcf, kres, istor):
    """`lowres_init` for compiled note starts."""
    if istor == 0.0:
        s.ynm1 = s.ynm2 = 0.0
    s.okf = s.okr = s.k = 0.0
    s.acf = _audio_flag(kcf)
    s.ares = _audio_flag(kres)
    return 0


@helper
def _lowres_coefs(s, fco, res, kfco, check):
    """Set k, coef1, coef2; `kfco` is the cutoff k is taken from."""
    if check and fco <= 0.0:
        raise PerfError("Cutoff parameter must be positive")
    b = 10.0 / (res * math.sqrt(fco)) - 1.0
    s.k = 1000.0 / kfco
    s.coef1 = b + 2.0 * s.k
    s.coef2 = 1.0 / (1.0 + b + s.k)


@kernel
def lowres_perf(s, ctx, out, asig, kcf, kres, istor, n0, n1):
    """lowres: resonant low-pass, Csound's rows kk/aa/ak/ka (Opcodes/lowpassr.c)."""
    acf, ares = s.acf != 0, s.ares != 0
    fco0, res0 = at(kcf, 0), at(kres, 0)
    if s.okf != fco0 or s.okr != res0:
        _lowres_coefs(s, fco0, res0, fco0, True)
        s.okf, s.okr = fco0, res0
    ynm1, ynm2 = s.ynm1, s.ynm2
    for n in range(n0, n1):
        fco, res = at(kcf, n), at(kres, n)
        if acf and ares:
            if s.okf != fco or s.okr != res:
                # compat: the aa row takes k from the block's first cutoff
                _lowres_coefs(s, fco, res, fco0, True)
                s.okf, s.okr = fco, res
        elif acf:
            if s.okf != fco:
                _lowres_coefs(s, fco, res, fco, True)
                s.okf = fco
        elif ares:
            if s.okr != res:
                # compat: Csound skips the positivity check here
                _lowres_coefs(s, fco, res, fco, False)
                s.okr = res
        yn = (s.coef1 * ynm1 - s.k * ynm2 + asig[n]) * s.coef2
        out[n] = yn
        ynm2 = ynm1
        ynm1 = yn
    s.ynm1, s.ynm2 = ynm1, ynm2


for _ins in ("akko", "aaao", "aako", "akao"):
    defop("lowres", "a", _ins, LOWRES, lowres_init, lowres_perf,
          native_init=NativeInit(lowres_init_native))


def lowresx_init(s, ic, out, asig, kcf, kres, inumlayer, istor):
    loop = int(np.rint(inumlayer))
    if loop < 1:
        loop = 4
    elif loop > 10:
        raise InitError("illegal order num. (min 1, max 10)")
    s.k = s.okf = s.okr = -1.0
    return (np.zeros((2, loop)),)


@kernel
def lowresx_perf(s, ctx, yn12, out, asig, kcf, kres, inumlayer, istor, n0, n1):
    """lowresx: lowres stacked inumlayer times (Opcodes/lowpassr.c lowprx)."""
    k, coef1, coef2 = s.k, s.coef1, s.coef2
    for n in range(n0, n1):
        out[n] = asig[n]
    for j in range(yn12.shape[1]):
        for n in range(n0, n1):
            fco, res = at(kcf, n), at(kres, n)
            if s.okf != fco or s.okr != res:
                b = 10.0 / (res * math.sqrt(fco)) - 1.0
                k = 1000.0 / fco
                coef1 = b + 2.0 * k
                coef2 = 1.0 / (1.0 + b + k)
                s.okf, s.okr = fco, res
            yn = (coef1 * yn12[0, j] - k * yn12[1, j] + out[n]) * coef2
            out[n] = yn
            yn12[1, j] = yn12[0, j]
            yn12[0, j] = yn
    s.k, s.coef1, s.coef2 = k, coef1, coef2


for _ins in ("akkoo", "aakoo", "akaoo", "aaaoo"):
    defop("lowresx", "a", _ins, LOWRES, lowresx_init, lowresx_perf, arrays=("yn12",))


# ---------------------------------------------------------------- lag (Opcodes/emugens/scugens.c)
LAG = State(lag=f64, b1=f64, y1=f64, started=f64, sr=f64)
_LOG001 = -6.907755278982137


def _lag_init(rate_is_audio: bool, with_initial: bool):
    def init(s, ic, out, xin, klagtime, *initial):
        s.lag = -1.0
        s.sr = ic.sr if rate_is_audio else ic.kr
        if with_initial:
            s.started = 1.0
            s.y1 = initial[0]
            s.b1 = 1.0 if rate_is_audio else 0.0
        else:
            s.started = 0.0
            s.y1 = 0.0
            s.b1 = 0.0

    return init


@kernel
def lag_init_native(s, ctx, tabs, rate_is_audio, out, xin, klagtime, *initial):
    """`_lag_init` for compiled note starts (with an initial value when given)."""
    s.lag = -1.0
    s.sr = ctx.sr if rate_is_audio else ctx.kr
    if len(initial) == 0:
        s.started = 0.0
        s.y1 = 0.0
        s.b1 = 0.0
        return 0
    s.started = 1.0
    s.y1 = initial[0]
    s.b1 = 1.0 if rate_is_audio else 0.0
    return 0


@kernel
def lag_k(s, ctx, out, kin, klagtime, *rest):
    """lag: 60 dB lag of a k signal (scugens.c lag0k_next)."""
    y0 = at(kin, 0)
    if not math.isfinite(y0):
        raise ValueError("lag: non-finite or nan value detected")
    y1 = s.y1
    if s.started == 0.0:
        s.started = 1.0
        y1 = y0
    lag = at(klagtime, 0)
    if lag == s.lag:
        y1 = y0 + s.b1 * (y1 - y0)
        out[0] = y1
        s.y1 = y1
    else:
        b1 = 0.0 if lag == 0.0 else math.exp(_LOG001 / (lag * s.sr))
        out[0] = y0 + b1 * (y1 - y0)
        s.lag = lag
        s.y1 = y1
        s.b1 = b1


@kernel
def lag_a(s, ctx, out, ain, klagtime, *rest):
    """lag: 60 dB lag of an a signal, coefficient ramped over the block (laga_next)."""
    n0 = rest[-2]
    n1 = rest[-1]
    b1 = s.b1
    y1 = s.y1
    if s.started == 0.0:
        s.started = 1.0
        y1 = ain[0]
    lag = at(klagtime, 0)
    if lag == s.lag:
        for n in range(n0, n1):
            y0 = ain[n]
            y1 = y0 + b1 * (y1 - y0)
            out[n] = y1
    else:
        s.b1 = 0.0 if lag == 0.0 else math.exp(_LOG001 / (lag * s.sr))
        slope = (s.b1 - b1) / (n1 - n0)
        s.lag = lag
        for n in range(n0, n1):
            b1 += slope
            y0 = ain[n]
            y1 = y0 + b1 * (y1 - y0)
            out[n] = y1
    s.y1 = y1


_LAG_K = NativeInit(lag_init_native, (False,))
_LAG_A = NativeInit(lag_init_native, (True,))
defop("lag", "k", "kk", LAG, _lag_init(False, False), lag_k, native_init=_LAG_K)
defop("lag", "k", "kki", LAG, _lag_init(False, True), lag_k, native_init=_LAG_K)
defop("lag", "a", "aki", LAG, _lag_init(True, True), lag_a, native_init=_LAG_A)
defop("lag", "a", "ak", LAG, _lag_init(True, False), lag_a, native_init=_LAG_A)
