"""Filters: tone, atone, reson, areson, butterlp/hp/bp/br (and the but* aliases),
lowpass2, dcblock, dcblock2, moogvcf, moogvcf2, moogladder, port, portk.

Follows Csound 6.18 OOps/ugens5.c (tone, atone, reson, areson, port),
Opcodes/afilters.c (their a-rate parameter variants), Opcodes/butter.c,
Opcodes/ugsc.c (lowpass2), Opcodes/dcblockr.c, Opcodes/biquad.c (moogvcf) and
Opcodes/newfils.c (moogladder).  Coefficients use Csound's formulas and are
recomputed when a parameter changes; one kernel serves the k- and a-rate
parameter rows of an opcode through `at()`, except where Csound's rows differ
in behaviour (areson's a-rate rows, flagged `# compat:`).
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..errors import InitError
from ._registry import State, defop, f64, i64

ROOT2 = 1.4142135623730950488


def _first(x) -> float:
    """Value of an init argument now (first sample of an a-rate one)."""
    return float(x[0]) if is_audio(x) else float(x)


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


defop("tone", "a", "ako", TONE, tone_init, tone_perf)
defop("tone", "a", "aao", TONE, tone_init, tone_perf)
# Csound 6.18 declares its a-rate atone row with the k-rate types, so only "ako" exists.
defop("atone", "a", "ako", TONE, tone_init, atone_perf)

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


defop("reson", "a", "axxoo", RESON, reson_init, reson_perf)
for _ins in ("akkoo", "aaaoo", "aakoo", "akaoo"):
    defop("areson", "a", _ins, RESON, reson_init, areson_perf)

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


@helper
def _butter_tick(s, x):
    t = x - s.a4 * s.a6 - s.a5 * s.a7
    y = t * s.a1 + s.a2 * s.a6 + s.a3 * s.a7
    s.a7 = s.a6
    s.a6 = t
    return y


@kernel
def butterlp_perf(s, ctx, out, ain, kfc, istor, n0, n1):
    """butterlp: 2nd-order Butterworth low-pass (Opcodes/butter.c lobut, afilters.c)."""
    if at(kfc, 0) <= 0.0:
        for n in range(n0, n1):
            out[n] = 0.0
        return
    for n in range(n0, n1):
        fc = at(kfc, n)
        if fc != s.lkf:
            s.lkf = fc
            c = 1.0 / math.tan(ctx.pidsr * fc)
            s.a1 = 1.0 / (1.0 + ROOT2 * c + c * c)
            s.a2 = s.a1 + s.a1
            s.a3 = s.a1
            s.a4 = 2.0 * (1.0 - c * c) * s.a1
            s.a5 = (1.0 - ROOT2 * c + c * c) * s.a1
        out[n] = _butter_tick(s, ain[n])


@kernel
def butterhp_perf(s, ctx, out, ain, kfc, istor, n0, n1):
    """butterhp: 2nd-order Butterworth high-pass (Opcodes/butter.c hibut, afilters.c)."""
    if at(kfc, 0) <= 0.0:
        for n in range(n0, n1):
            out[n] = ain[n]
        return
    for n in range(n0, n1):
        fc = at(kfc, n)
        if fc != s.lkf:
            s.lkf = fc
            c = math.tan(ctx.pidsr * fc)
            s.a1 = 1.0 / (1.0 + ROOT2 * c + c * c)
            s.a2 = -(s.a1 + s.a1)
            s.a3 = s.a1
            s.a4 = 2.0 * (c * c - 1.0) * s.a1
            s.a5 = (1.0 - ROOT2 * c + c * c) * s.a1
        out[n] = _butter_tick(s, ain[n])


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
        defop(_lp, "a", _ins, BFIL, butter_init, butterlp_perf)
        defop(_hp, "a", _ins, BFIL, butter_init, butterhp_perf)
    defop(_bp, "a", "axxo", BFIL, butterbp_init, butterbp_perf)
    defop(_br, "a", "axxo", BFIL, butterbp_init, butterbr_perf)

# ---------------------------------------------------------------- lowpass2
LP2 = State(ynm1=f64, ynm2=f64)


def lowpass2_init(s, ic, out, asig, kcf, kq, istor):
    if istor == 0.0:
        s.ynm1 = s.ynm2 = 0.0


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
    defop("lowpass2", "a", _ins, LP2, lowpass2_init, lowpass2_perf)

# ---------------------------------------------------------------- dcblock, dcblock2
DCBLOCK = State(outputs=f64, inputs=f64, gain=f64)


def dcblock_init(s, ic, ar, ain, igain):
    s.outputs = s.inputs = 0.0
    s.gain = igain
    if igain == 0.0 or igain >= 1.0 or igain <= -1.0:
        s.gain = 0.99


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


defop("dcblock", "a", "ao", DCBLOCK, dcblock_init, dcblock_perf)

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


defop("moogvcf", "a", "axxpo", MOOGVCF, moogvcf_init, moogvcf_perf)
defop("moogvcf2", "a", "axxoo", MOOGVCF, moogvcf_init, moogvcf_perf)

MOOGLADDER = State(d0=f64, d1=f64, d2=f64, d3=f64, d4=f64, d5=f64, t0=f64, t1=f64, t2=f64,
                   oldfreq=f64, oldres=f64, oldacr=f64, oldtune=f64)


def moogladder_init(s, ic, out, asig, kcf, kres, istor):
    if istor == 0.0:
        s.d0 = s.d1 = s.d2 = s.d3 = s.d4 = s.d5 = 0.0
        s.t0 = s.t1 = s.t2 = 0.0
        s.oldfreq = 0.0
        s.oldres = -1.0


@kernel
def moogladder_perf(s, ctx, out, asig, kcf, kres, istor, n0, n1):
    """moogladder: Huovilainen's non-linear Moog ladder, 2x oversampled
    (Opcodes/newfils.c moogladder_process)."""
    freq, res = at(kcf, 0), at(kres, 0)
    vt = 1.0 / (1.22070315 * ctx.e0dbfs)
    if res < 0.0:
        res = 0.0
    if s.oldfreq != freq or s.oldres != res:
        s.oldfreq = freq
        fc = freq / ctx.sr
        f = 0.5 * fc
        fc2 = fc * fc
        fc3 = fc2 * fc
        fcr = 1.8730 * fc3 + 0.4955 * fc2 - 0.6490 * fc + 0.9988
        s.oldacr = -3.9364 * fc2 + 1.8409 * fc + 0.9968
        s.oldtune = (1.0 - math.exp(-(2.0 * math.pi * f * fcr))) / vt
        s.oldres = res
    res4 = 4.0 * s.oldres * s.oldacr
    tune = s.oldtune
    d0, d1, d2, d3, d4, d5 = s.d0, s.d1, s.d2, s.d3, s.d4, s.d5
    t0, t1, t2 = s.t0, s.t1, s.t2
    for n in range(n0, n1):
        for _ in range(2):
            x = asig[n] - res4 * d5
            d0 = d0 + tune * (math.tanh(x * vt) - t0)
            t0 = math.tanh(d0 * vt)
            d1 = d1 + tune * (t0 - t1)
            t1 = math.tanh(d1 * vt)
            d2 = d2 + tune * (t1 - t2)
            t2 = math.tanh(d2 * vt)
            d3 = d3 + tune * (t2 - math.tanh(d3 * vt))
            d5 = (d3 + d4) * 0.5
            d4 = d3
        out[n] = d5
    s.d0, s.d1, s.d2, s.d3, s.d4, s.d5 = d0, d1, d2, d3, d4, d5
    s.t0, s.t1, s.t2 = t0, t1, t2


defop("moogladder", "a", "akko", MOOGLADDER, moogladder_init, moogladder_perf)

# ---------------------------------------------------------------- port, portk
PORT = State(c1=f64, c2=f64, yt1=f64, ihtim_old=f64)


def port_init(s, ic, kr, ksig, ihtim, isig):
    s.c2 = math.pow(0.5, (1.0 / ic.kr) / ihtim) if ihtim != 0.0 else 0.0
    s.c1 = 1.0 - s.c2
    if isig >= 0.0:
        s.yt1 = isig
    s.ihtim_old = ihtim


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


defop("port", "k", "kio", PORT, port_init, port_perf)
defop("portk", "k", "kko", PORT, port_init, port_perf)
