"""Signal analysis, dynamics and control-signal utilities: rms, gain, balance,
balance2, follow, follow2, peak, max_k, clip, tonek, atonek, changed, changed2,
trigger, metro, metro2, metrobpm, seqtime, seqtime2, trandom, hilbert,
pitchamdf, pitch.

Follows Csound 6.18: OOps/ugens5.c (rms, gain, balance, balance2, tonek,
atonek), OOps/ugrw1.c (peak), OOps/str_ops.c (changed on strings),
Opcodes/follow.c, Opcodes/gab/gab.c (changed, changed2, max_k),
Opcodes/gab/newgabopc.c (trandom), Opcodes/uggab.c (trigger), Opcodes/metro.c,
Opcodes/seqtime.c, Opcodes/ugsc.c (hilbert) and Opcodes/pitch.c (clip,
pitchamdf, pitch).  seqtime, seqtime2 and the string and array rows of
changed/changed2 run as Python perf functions (tables switched at k-rate,
strings, arrays).  Csound's block counter (CS_KCNT, counted from the start of
the performance) is read from the engine clock, which counts the blocks
already performed.  trandom draws from the engine's holdrand generator shared
with noise.py.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import State, defop, f64, i64
from .noise import _holdrand, _rand_gab

FLT_MAX = 3.4028234663852886e38


def _lrint(x: float) -> int:
    """Csound's MYFLT2LONG / MYFLT2LRND (lrint: halves round to even)."""
    return int(np.rint(x))


@helper
def _lrint_jit(x):
    return int(np.rint(x))


# ------------------------------------------------------- rms gain balance
LEVEL = State(c1=f64, c2=f64, prvq=f64, prvr=f64, prva=f64)


def _level_coefs(s, ic, ihp, istor):
    """Csound's rmsset/gainset/balnset: one-pole low-pass on the squared signal."""
    b = 2.0 - math.cos(ihp * ic.consts.tpidsr)
    s.c2 = b - math.sqrt(b * b - 1.0)
    s.c1 = 1.0 - s.c2
    if istor == 0.0:
        s.prvq = s.prvr = s.prva = 0.0


def rms_init(s, ic, kr, asig, ihp, istor):
    _level_coefs(s, ic, ihp, istor)


@kernel
def rms_perf(s, ctx, kr, asig, ihp, istor, n0, n1):
    """rms: running RMS of a signal (OOps/ugens5.c rms)."""
    c1, c2, q = s.c1, s.c2, s.prvq
    for n in range(n0, n1):
        q = c1 * asig[n] * asig[n] + c2 * q
    s.prvq = q
    kr[0] = math.sqrt(q)


defop("rms", "k", "aqo", LEVEL, rms_init, rms_perf)


@helper
def _ramp_gain(s, ar, asig, a, n0, n1):
    """Apply gain `a`, ramping linearly from the previous block's gain."""
    diff = a - s.prva
    if diff != 0.0:
        m = s.prva
        inc = diff / (n1 - n0)
        for n in range(n0, n1):
            ar[n] = asig[n] * m
            m += inc
        s.prva = a
    else:
        for n in range(n0, n1):
            ar[n] = asig[n] * a


def gain_init(s, ic, ar, asig, krms, ihp, istor):
    _level_coefs(s, ic, ihp, istor)


@kernel
def gain_perf(s, ctx, ar, asig, krms, ihp, istor, n0, n1):
    """gain: scale a signal to a given RMS (OOps/ugens5.c gain)."""
    # compat: Csound subtracts the late-end trim twice here
    end = n1 - (ctx.ksmps - n1)
    c1, c2, q = s.c1, s.c2, s.prvq
    for n in range(n0, end):
        q = c1 * asig[n] * asig[n] + c2 * q
    s.prvq = q
    a = at(krms, 0) / math.sqrt(q) if q > 0.0 else at(krms, 0)
    for n in range(max(end, n0), n1):
        ar[n] = 0.0
    _ramp_gain(s, ar, asig, a, n0, end)


defop("gain", "a", "akqo", LEVEL, gain_init, gain_perf)


def balance_init(s, ic, ar, asig, csig, ihp, istor):
    _level_coefs(s, ic, ihp, istor)


@kernel
def balance_perf(s, ctx, ar, asig, csig, ihp, istor, n0, n1):
    """balance: give asig the RMS of csig, gain ramped per block (OOps/ugens5.c)."""
    c1, c2, q, r = s.c1, s.c2, s.prvq, s.prvr
    for n in range(n0, n1):
        q = c1 * asig[n] * asig[n] + c2 * q
        r = c1 * csig[n] * csig[n] + c2 * r
    s.prvq = q
    s.prvr = r
    a = math.sqrt(r / q) if q != 0.0 else math.sqrt(r)
    _ramp_gain(s, ar, asig, a, n0, n1)


@kernel
def balance2_perf(s, ctx, ar, asig, csig, ihp, istor, n0, n1):
    """balance2: like balance, gain updated every sample (OOps/ugens5.c)."""
    c1, c2, q, r = s.c1, s.c2, s.prvq, s.prvr
    for n in range(n0, n1):
        q = c1 * asig[n] * asig[n] + c2 * q
        r = c1 * csig[n] * csig[n] + c2 * r
        a = math.sqrt(r / q) if q != 0.0 else math.sqrt(r)
        ar[n] = asig[n] * a
    s.prvq = q
    s.prvr = r


defop("balance", "a", "aaqo", LEVEL, balance_init, balance_perf)
defop("balance2", "a", "aaqo", LEVEL, balance_init, balance2_perf)

# ---------------------------------------------------------- follow follow2
FOL = State(peak=f64, wgh=f64, length=i64, count=i64)


def follow_init(s, ic, out, asig, idt):
    s.wgh = s.peak = 0.0
    s.length = int(idt * ic.sr)
    if s.length <= 0:
        ic.warning("follow - zero length!")
        s.length = int(ic.sr)
    s.count = s.length


@kernel
def follow_perf(s, ctx, out, asig, idt, n0, n1):
    """follow: peak of |asig| over windows of idt seconds (Opcodes/follow.c)."""
    mx, count, wgh = s.peak, s.count, s.wgh
    for n in range(n0, n1):
        x = abs(asig[n])
        if x > mx:
            mx = x
        count -= 1
        if count == 0:
            wgh = mx
            mx = 0.0
            count = s.length
        out[n] = wgh
    s.peak, s.count, s.wgh = mx, count, wgh


defop("follow", "a", "ai", FOL, follow_init, follow_perf)

ENV = State(lastatt=f64, lastrel=f64, envelope=f64, ga=f64, gr=f64)


@helper
def _jot_coef(t, sr, onedsr):
    """Decay factor reaching -60 dB in t seconds (t <= 0: a tenth of a sample)."""
    if t <= 0.0:
        return math.exp(-69.0775527898 * onedsr)
    return math.exp(-6.90775527898 / (sr * t))


def follow2_init(s, ic, out, asig, katt, krel):
    c = ic.consts
    s.lastatt = katt
    s.ga = _jot_coef(katt, c.sr, c.onedsr)
    s.lastrel = krel
    s.gr = _jot_coef(krel, c.sr, c.onedsr)
    s.envelope = 0.0


@kernel
def follow2_perf(s, ctx, out, asig, katt, krel, n0, n1):
    """follow2: Jot's attack/release envelope follower (Opcodes/follow.c envext)."""
    if s.lastatt != at(katt, 0):
        s.lastatt = at(katt, 0)
        s.ga = _jot_coef(s.lastatt, ctx.sr, ctx.onedsr)
    if s.lastrel != at(krel, 0):
        s.lastrel = at(krel, 0)
        s.gr = _jot_coef(s.lastrel, ctx.sr, ctx.onedsr)
    ga, gr, env = s.ga, s.gr, s.envelope
    for n in range(n0, n1):
        x = abs(asig[n])
        if env < x:
            env = x + ga * (env - x)
        else:
            env = x + gr * (env - x)
        out[n] = env
    s.envelope = env


defop("follow2", "a", "akk", ENV, follow2_init, follow2_perf)

# ------------------------------------------------------------- peak max_k
EMPTY = State()


@kernel
def peak_perf_k(s, ctx, kpeak, ksig, n0, n1):
    """peak (k): largest |ksig| seen so far, kept in the output (OOps/ugrw1.c peakk)."""
    if kpeak[0] < abs(at(ksig, 0)):
        kpeak[0] = abs(at(ksig, 0))


@kernel
def peak_perf_a(s, ctx, kpeak, asig, n0, n1):
    """peak (a): largest |asig| seen so far, kept in the output (OOps/ugrw1.c peaka)."""
    pk = kpeak[0]
    for n in range(n0, n1):
        if pk < abs(asig[n]):
            pk = abs(asig[n])
    kpeak[0] = pk


defop("peak", "k", "k", EMPTY, None, peak_perf_k)
defop("peak", "k", "a", EMPTY, None, peak_perf_a)

PMAX = State(peak=f64, counter=i64)


def max_k_init(s, ic, kout, asig, ktrig, iflag):
    flag = int(iflag)
    if flag in (1, 4):
        s.peak = 0.0
    elif flag == 2:
        s.peak = -FLT_MAX
    elif flag == 3:
        s.peak = FLT_MAX
    s.counter = 0


@kernel
def max_k_perf(s, ctx, kout, asig, ktrig, iflag, n0, n1):
    """max_k: abs max, max, min or mean of asig between triggers (gab/gab.c)."""
    flag = int(at(iflag, 0))
    mx = s.peak
    if flag == 1:
        for n in range(n0, n1):
            if abs(asig[n]) > mx:
                mx = abs(asig[n])
        if mx > s.peak:
            s.peak = mx
    elif flag == 2:
        for n in range(n0, n1):
            if asig[n] > mx:
                mx = asig[n]
        if mx > s.peak:
            s.peak = mx
    elif flag == 3:
        for n in range(n0, n1):
            if asig[n] < mx:
                mx = asig[n]
        if mx < s.peak:
            s.peak = mx
    elif flag == 4:
        # compat: Csound counts the samples skipped at the note's start too
        s.counter += n1
        acc = 0.0
        for n in range(n0, n1):
            acc += asig[n]
        s.peak += acc
    else:
        raise ValueError("max_k: invalid imaxflag value")
    if at(ktrig, 0) != 0.0:
        if flag == 4:
            kout[0] = s.peak / s.counter
            s.counter = 0
            s.peak = 0.0
        else:
            kout[0] = s.peak
            s.peak = 0.0 if flag == 1 else -FLT_MAX if flag == 2 else FLT_MAX


defop("max_k", "k", "aki", PMAX, max_k_init, max_k_perf)

# -------------------------------------------------------------------- clip
CLIP = State(meth=i64, arg=f64, lim=f64, k1=f64, k2=f64)


def clip_init(s, ic, aout, ain, imethod, ilimit, iarg):
    meth = _lrint(imethod)
    s.meth = meth
    s.arg = abs(iarg)
    s.lim = ilimit
    if meth == 0:
        if s.arg > 1.0 or s.arg < 0.0:
            s.arg = 0.999
        s.arg = s.lim * s.arg
        s.k1 = 1.0 / (s.lim - s.arg)
        s.k1 = s.k1 * s.k1
        s.k2 = (s.lim + s.arg) * 0.5
    elif meth == 1:
        s.k1 = math.pi / (2.0 * s.lim)
    elif meth == 2:
        s.k1 = 1.0 / math.tanh(1.0)
    else:
        s.meth = 0


@kernel
def clip_perf(s, ctx, aout, ain, imethod, ilimit, iarg, n0, n1):
    """clip: Bram de Jong soft clip, sine or tanh clipping (Opcodes/pitch.c)."""
    a, k1, k2, lim = s.arg, s.k1, s.k2, s.lim
    rlim = 1.0 / lim
    meth = s.meth
    for n in range(n0, n1):
        x = ain[n]
        if meth == 0:
            if x >= 0.0:
                if x > lim:
                    x = k2
                elif x > a:
                    x = a + (x - a) / (1.0 + (x - a) * (x - a) * k1)
            elif x < -lim:
                x = -k2
            elif -x > a:
                x = -a + (x + a) / (1.0 + (x + a) * (x + a) * k1)
        elif x >= lim:
            x = lim
        elif x <= -lim:
            x = -lim
        elif meth == 1:
            x = lim * math.sin(k1 * x)
        else:
            x = lim * k1 * math.tanh(x * rlim)
        aout[n] = x


defop("clip", "a", "aiiv", CLIP, clip_init, clip_perf)

# ----------------------------------------------------------- tonek atonek
KTONE = State(c1=f64, c2=f64, yt1=f64, prvhp=f64)


@helper
def _ktone_coefs(s, onedkr, hp):
    s.prvhp = hp
    b = 2.0 - math.cos(hp * onedkr * (2.0 * math.pi))
    s.c2 = b - math.sqrt(b * b - 1.0)
    s.c1 = 1.0 - s.c2


def tonek_init(s, ic, kr, ksig, khp, istor):
    _ktone_coefs(s, ic.consts.onedkr, khp)
    if istor == 0.0:
        s.yt1 = 0.0


@kernel
def tonek_perf(s, ctx, kr, ksig, khp, istor, n0, n1):
    """tonek: first-order low-pass at k-rate (OOps/ugens5.c ktone)."""
    if at(khp, 0) != s.prvhp:
        _ktone_coefs(s, ctx.onedkr, at(khp, 0))
    s.yt1 = s.c1 * at(ksig, 0) + s.c2 * s.yt1
    kr[0] = s.yt1


@kernel
def atonek_perf(s, ctx, kr, ksig, khp, istor, n0, n1):
    """atonek: first-order high-pass at k-rate (OOps/ugens5.c katone)."""
    if at(khp, 0) != s.prvhp:
        _ktone_coefs(s, ctx.onedkr, at(khp, 0))
    sig = at(ksig, 0)
    yt1 = s.c2 * (s.yt1 + sig)
    kr[0] = yt1
    s.yt1 = yt1 - sig


defop("tonek", "k", "kko", KTONE, tonek_init, tonek_perf)
defop("atonek", "k", "kko", KTONE, tonek_init, atonek_perf)

# ------------------------------------------------------- changed changed2
CHANGED = State(cnt=i64)


def changed_init(s, ic, ktrig, args):
    s.cnt = 1
    return (np.zeros(max(len(args), 1)),)


def changed2_init(s, ic, ktrig, args):
    s.cnt = 0
    return (np.zeros(max(len(args), 1)),)


@kernel
def changed_perf(s, ctx, old, ktrig, args, n0, n1):
    """changed, changed2: 1 when any k argument differs from last block (gab/gab.c)."""
    trig = False
    if s.cnt != 0:
        for j in range(len(args)):
            if at(args[j], 0) != old[j]:
                trig = True
                break
    if trig or s.cnt == 0:
        for j in range(len(args)):
            old[j] = at(args[j], 0)
    ktrig[0] = 1.0 if trig else 0.0
    s.cnt += 1


defop("changed", "k", "z", CHANGED, changed_init, changed_perf, arrays=("old",))
defop("changed2", "k", "z", CHANGED, changed2_init, changed_perf, arrays=("old",))


class _StrMemo:
    """What a string or array `changed` compared last (Csound's p->mem, old_chk)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def changed_s_init(s, ic, ktrig, sval):
    ktrig[0] = 0.0
    return (_StrMemo(sval),)


def changed_s_perf(s, pc, memo, ktrig, sval, n0, n1):
    """changed, changed2 on a string: 1 when it differs from last block (str_ops.c)."""
    if sval.value != memo.text:
        memo.text = sval.value
        ktrig[0] = 1.0
    else:
        ktrig[0] = 0.0


def changed2_array_init(s, ic, ktrig, karr):
    s.cnt = 0
    # compat: Csound compares as many elements as the sum of the dimension sizes
    data = np.asarray(karr.data)
    return (_StrMemo(np.zeros(int(sum(data.shape)) if data.size else 0, dtype=data.dtype)
                     .tobytes()),)


def changed2_array_perf(s, pc, memo, ktrig, karr, n0, n1):
    """changed2 on an array: 1 when its contents changed since last block (gab/gab.c)."""
    data = np.ascontiguousarray(karr.data)
    now = data.tobytes()[:len(memo.text)]
    differs = now != memo.text[:len(now)]
    memo.text = now + memo.text[len(now):]
    ktrig[0] = 1.0 if s.cnt and differs else 0.0
    s.cnt += 1


defop("changed2", "k", ".[]", CHANGED, changed2_array_init, changed2_array_perf,
      python_perf=True, arrays=("memo",))
defop("changed", "k", "S", CHANGED, changed_s_init, changed_s_perf, python_perf=True,
      arrays=("memo",))
defop("changed2", "k", "S", CHANGED, changed_s_init, changed_s_perf, python_perf=True,
      arrays=("memo",))

# ----------------------------------------------------------------- trigger
TRIG = State(old_sig=f64)


def trigger_init(s, ic, kout, ksig, kthreshold, kmode):
    s.old_sig = 0.0


@kernel
def trigger_perf(s, ctx, kout, ksig, kthreshold, kmode, n0, n1):
    """trigger: 1 when ksig crosses kthreshold upwards, downwards or both (uggab.c)."""
    sig = at(ksig, 0)
    thr = at(kthreshold, 0)
    mode = _lrint_jit(at(kmode, 0))
    up = s.old_sig <= thr and sig > thr
    down = s.old_sig >= thr and sig < thr
    if mode == 0:
        kout[0] = 1.0 if up else 0.0
    elif mode == 1:
        kout[0] = 1.0 if down else 0.0
    elif mode == 2:
        kout[0] = 1.0 if up or down else 0.0
    else:
        raise ValueError(" bad imode value")
    s.old_sig = sig


defop("trigger", "k", "kkk", TRIG, trigger_init, trigger_perf)

# ---------------------------------------------------------- trandom
def trandom_init(s, ic, kout, ktrig, kmin, kmax):
    return (_holdrand(ic),)


@kernel
def trandom_perf(s, ctx, hold, kout, ktrig, kmin, kmax, n0, n1):
    """trandom: new uniform value in [kmin, kmax) when ktrig is non-zero (newgabopc.c)."""
    if at(ktrig, 0) != 0.0:
        lo = at(kmin, 0)
        s.lastvalue = _rand_gab(hold) * (at(kmax, 0) - lo) + lo
    kout[0] = s.lastvalue


defop("trandom", "k", "kkk", State(lastvalue=f64), trandom_init, trandom_perf,
      arrays=("hold",))

# -------------------------------------------------- metro metro2 metrobpm
METRO = State(curphs=f64, flag=i64)


def metro_init(s, ic, kout, xcps, iphs, *rest):
    if iphs >= 0.0:
        whole = int(iphs)
        if whole:
            ic.warning("metro:init phase truncation")
        s.curphs = iphs - whole
    s.flag = 1


@kernel
def metro_perf(s, ctx, kout, xcps, iphs, n0, n1):
    """metro: one-block trigger at xcps per second (Opcodes/metro.c)."""
    phs = s.curphs
    if phs == 0.0 and s.flag != 0:
        kout[0] = 1.0
        s.flag = 0
    else:
        phs += at(xcps, 0) * ctx.onedkr
        if phs >= 1.0:
            kout[0] = 1.0
            phs -= 1.0
            s.flag = 0
        else:
            kout[0] = 0.0
    s.curphs = phs


@kernel
def metrobpm_perf(s, ctx, kout, xbpm, iphs, kgate, n0, n1):
    """metrobpm: metro in beats per minute with a gate length (Opcodes/metro.c)."""
    phs = s.curphs
    gate = at(kgate, 0)
    if phs == 0.0 and s.flag != 0:
        kout[0] = 1.0
        s.flag = 0
    else:
        phs += at(xbpm, 0) * ctx.onedkr / 60.0
        if phs >= 1.0:
            kout[0] = 1.0
            phs -= 1.0
            s.flag = 0
        elif phs >= gate:
            kout[0] = 0.0
    s.curphs = phs


defop("metro", "k", "ko", METRO, metro_init, metro_perf)
defop("metrobpm", "k", "koO", METRO, metro_init, metrobpm_perf)

METRO2 = State(amp2=f64, curphs=f64, curphs2=f64, swng_init=f64, flag=i64, flag2=i64)


def metro2_init(s, ic, kout, kcps, kswing, iamp, iphs):
    s.amp2 = iamp
    if iphs >= 0.0:
        whole = int(iphs)
        if whole:
            ic.warning("metro2:init phase truncation")
        s.curphs = iphs - whole
        s.curphs2 = iphs - whole + 1.0 - kswing
    s.flag = 1
    s.flag2 = 1
    s.swng_init = kswing


@kernel
def metro2_perf(s, ctx, kout, kcps, kswing, iamp, iphs, n0, n1):
    """metro2: metro with a second, swung tick of amplitude iamp (Opcodes/metro.c)."""
    inc = at(kcps, 0) * ctx.onedkr * 0.5
    phs = s.curphs
    if phs == 0.0 and s.flag != 0:
        kout[0] = 1.0
        s.flag = 0
    else:
        phs += inc
        if phs >= 1.0:
            kout[0] = 1.0
            phs -= 1.0
            s.flag = 0
        else:
            kout[0] = 0.0
    s.curphs = phs
    phs2 = s.curphs2
    if phs2 == 0.0 and s.flag2 != 0:
        kout[0] = s.amp2
        s.flag2 = 0
    else:
        phs2 += inc
        if phs2 >= 1.0 + at(kswing, 0) - s.swng_init:
            kout[0] = s.amp2
            phs2 -= 1.0
            s.flag2 = 0
    s.curphs2 = phs2


defop("metro2", "k", "kkpo", METRO2, metro2_init, metro2_perf)

# ------------------------------------------------------- seqtime seqtime2
SEQTIM = State(ndx=i64, done=i64, first_flag=i64, start=f64, newtime=f64, pfn=i64,
               curr_unit_time=f64)


def _seq_table(ic, kfn, message):
    try:
        return ic.table(kfn)
    except InitError:
        raise InitError(message) from None


def _tab(data, ndx):
    """Table value at ndx; Csound reads unchecked memory, so outside the table give 0."""
    return float(data[ndx]) if 0 <= ndx < data.shape[0] else 0.0


def _cmod(a: int, b: int) -> int:
    """C's integer remainder (sign of the dividend)."""
    return int(math.fmod(a, b))


def _seq_setup(s, ic, ndx, kstart, kloop, kunit, kfn, table):
    s.pfn = int(kfn)
    start, loop = int(kstart), int(kloop)
    if loop > 0:
        ndx = _cmod(ndx, loop)
        if ndx == 0:
            ndx += start
    elif loop < 0:
        ndx -= 1
        while ndx < start:
            ndx -= loop + start
    s.ndx = ndx
    s.done = 0
    s.curr_unit_time = kunit
    s.first_flag = 1
    return (_SeqTable(table.data),)


class _SeqTable:
    """The table seqtime reads, replaced when kfn changes."""

    __slots__ = ("data",)

    def __init__(self, data: np.ndarray) -> None:
        self.data = data


def seqtime_init(s, ic, ktrig, kunit, kstart, kloop, kinitndx, kfn):
    table = _seq_table(ic, kfn, "seqtime: incorrect table number")
    ndx = int(kinitndx)
    s.newtime = _tab(table.data, ndx - 1) if ndx > 0 else 0.0
    s.start = ic.engine.clock[0] * ic.consts.onedkr
    return _seq_setup(s, ic, ndx, kstart, kloop, kunit, kfn, table)


def seqtime2_init(s, ic, ktrig, ktrigin, kunit, kstart, kloop, kinitndx, kfn):
    table = _seq_table(ic, kfn, "seqtim: incorrect table number")
    ndx = int(kinitndx)
    s.newtime = _tab(table.data, ndx)
    s.start = ic.engine.clock[0] * ic.consts.onedkr
    if int(kloop) > 0:
        ndx += 1  # compat: seqtime2 steps once more than seqtime at init
    return _seq_setup(s, ic, ndx, kstart, kloop, kunit, kfn, table)


def _seq_step(s, pc, tab, ktrig, kunit, kstart, kloop, kfn, message, single):
    """One block of seqtime/seqtime2 (Opcodes/seqtime.c seqtim, seqtim2)."""
    from ..errors import PerfError

    start, loop = int(kstart[()]), int(kloop[()])
    if s.pfn != int(kfn[()]):
        table = pc.engine.tables.get(int(kfn[()])) if kfn[()] >= 1 else None
        if table is None:
            raise PerfError(message)
        s.pfn = int(kfn[()])
        tab.data = table.data
    unit = float(kunit[()])
    now = (pc.engine.clock[0] + 1) * pc.consts.onedkr
    if s.curr_unit_time != unit:
        constant = s.start - now
        s.start += (s.newtime * s.curr_unit_time + constant) - (s.newtime * unit + constant)
        s.curr_unit_time = unit
    if now > s.newtime * unit + s.start:
        curr = _tab(tab.data, s.ndx)
        if single:
            s.first_flag = 0
            s.newtime += curr
        else:
            # compat: seqtime2 holds the step in a C float
            s.newtime += curr
            curr = float(np.float32(curr))
        if loop > 0:
            s.ndx = _cmod(s.ndx + 1, loop)
            if s.ndx == 0:
                if start == loop:
                    s.done = 1
                    return
                s.ndx += start
        elif loop < 0:
            s.ndx -= 1
            while s.ndx < 0:
                if start == loop:
                    s.done = 1
                    return
                s.ndx -= loop + start
        ktrig[0] = curr * s.curr_unit_time
    elif s.first_flag:
        ktrig[0] = _tab(tab.data, s.ndx)
        s.first_flag = 0
    else:
        ktrig[0] = 0.0


def seqtime_perf(s, pc, tab, ktrig, kunit, kstart, kloop, kinitndx, kfn, n0, n1):
    """seqtime: triggers at the times listed in a table (Opcodes/seqtime.c)."""
    if s.done:
        ktrig[0] = 0.0
        return
    _seq_step(s, pc, tab, ktrig, kunit, kstart, kloop, kfn,
              "seqtime: incorrect table number", True)


def seqtime2_perf(s, pc, tab, ktrig, ktrigin, kunit, kstart, kloop, kinitndx, kfn, n0, n1):
    """seqtime2: seqtime whose index can be reset by a trigger (Opcodes/seqtime.c)."""
    if ktrigin[()] != 0.0:
        s.ndx = int(kinitndx[()])
    if s.done:
        ktrig[0] = 0.0
        return
    _seq_step(s, pc, tab, ktrig, kunit, kstart, kloop, kfn,
              "seqtim: incorrect table number", False)


defop("seqtime", "k", "kkkkk", SEQTIM, seqtime_init, seqtime_perf, python_perf=True,
      arrays=("tab",))
defop("seqtime2", "k", "kkkkkk", SEQTIM, seqtime2_init, seqtime2_perf, python_perf=True,
      arrays=("tab",))

# ----------------------------------------------------------------- hilbert
# Pole frequencies of the two 6th-order allpass chains (Hutchins, "Musical
# Engineer's Handbook"), scaled by 15 as in Csound's hilbertset.
_HILBERT_POLES = (0.3609, 2.7412, 11.1573, 44.7581, 179.6242, 798.4578,
                  1.2524, 5.5671, 22.3423, 89.6271, 364.7914, 2770.1114)


def hilbert_init(s, ic, ar1, ar2, asig):
    filt = np.zeros((3, 12))  # rows: coefficient, x[n-1], y[n-1]
    for j, pole in enumerate(_HILBERT_POLES):
        rc = 1.0 / (2.0 * math.pi * (pole * 15.0))
        alpha = 1.0 / rc * 0.5 * ic.consts.onedsr
        filt[0, j] = -((1.0 - alpha) / (1.0 + alpha))
    return (filt,)


@kernel
def hilbert_perf(s, ctx, filt, ar1, ar2, asig, n0, n1):
    """hilbert: two allpass chains 90 degrees apart (Opcodes/ugsc.c)."""
    for n in range(n0, n1):
        x1 = asig[n]
        for j in range(6):
            y = filt[0, j] * (x1 - filt[2, j]) + filt[1, j]
            filt[1, j] = x1
            filt[2, j] = y
            x1 = y
        x2 = asig[n]
        for j in range(6, 12):
            y = filt[0, j] * (x2 - filt[2, j]) + filt[1, j]
            filt[1, j] = x2
            filt[2, j] = y
            x2 = y
        ar1[n] = x2
        ar2[n] = x1


defop("hilbert", "aa", "a", EMPTY, hilbert_init, hilbert_perf, arrays=("filt",))

# --------------------------------------------------------------- pitchamdf
PAMDF = State(srate=f64, lastval=f64, downsamp=i64, upsamp=i64, minperi=i64, maxperi=i64,
              index=i64, readp=i64, bufsize=i64, peri=i64, medisize=i64, mediptr=i64,
              rmsmedisize=i64, rmsmediptr=i64)


def pitchamdf_init(s, ic, kcps, krms, asig, imincps, imaxcps, icps, imedi, idowns,
                   iexcps, irmsmedi):
    sr = ic.sr
    if idowns < -1.9:
        upsamp, downsamp = _lrint(-idowns), 0
        srate = sr * upsamp
    else:
        upsamp, downsamp = 0, max(_lrint(idowns), 1)
        srate = sr / downsamp
    minperi = int(srate / imaxcps)
    maxperi = int(0.5 + srate / imincps)
    if maxperi <= minperi:
        raise InitError("pitchamdf: maxcps must be > mincps !")
    interval = maxperi if iexcps < 1 else int(srate / iexcps)
    if interval < ic.ksmps:
        interval = ic.ksmps // downsamp if downsamp else ic.ksmps * upsamp
    size = maxperi + interval
    s.srate, s.downsamp, s.upsamp = srate, downsamp, upsamp
    s.minperi, s.maxperi, s.bufsize = minperi, maxperi, size
    s.readp = s.index = 0
    s.lastval = 0.0
    s.peri = (minperi + maxperi) // 2 if icps < 1 else int(srate / icps)
    s.rmsmedisize = 0 if irmsmedi < 1 else _lrint(irmsmedi) * 2 + 1
    s.medisize = 0 if imedi < 1 else _lrint(imedi) * 2 + 1
    s.rmsmediptr = s.mediptr = 0
    # Csound allocates size + interval + 2 but the AMDF reads up to size + maxperi:
    # past its buffer when iexcps makes interval < maxperi; here that tail reads zeros.
    return (np.zeros(size + max(interval, maxperi) + 2), np.zeros(max(s.medisize, 1) * 3),
            np.zeros(max(s.rmsmedisize, 1) * 3))


@helper
def _median_filter(hist, size, ptr, value):
    """Store value in the ring `hist`, return the delayed running median (pitch.c)."""
    hist[ptr] = value
    work = hist[size:2 * size]
    for i in range(size):
        work[i] = hist[i]
    work.sort()
    hist[2 * size + ptr] = work[(size + 1) // 2 - 1]
    return hist[2 * size + (ptr + size // 2 + 1) % size]


@helper
def _amdf_period(s, buf, median):
    """Period minimising the average magnitude difference over the buffer."""
    size, minperi, maxperi = s.bufsize, s.minperi, s.maxperi
    peri = minperi
    accmin = 0.0
    for i in range(size):
        accmin += abs(buf[i + minperi] - buf[i])
    for lag in range(minperi + 1, maxperi + 1):
        acc = 0.0
        for i in range(size):
            acc += abs(buf[lag + i] - buf[i])
        if acc < accmin:
            accmin = acc
            peri = lag
    interval = size - maxperi
    for i in range(interval):
        buf[i] = buf[i + interval]
    if s.medisize:
        peri = int(_median_filter(median, s.medisize, s.mediptr, float(peri)))
        s.mediptr = (s.mediptr + 1) % s.medisize
    return peri


@kernel
def pitchamdf_perf(s, ctx, buf, median, rmsmedian, kcps, krms, asig, imincps, imaxcps, icps,
                   imedi, idowns, iexcps, irmsmedi, n0, n1):
    """pitchamdf: pitch and amplitude by average magnitude difference (Opcodes/pitch.c)."""
    nsmps = ctx.ksmps
    index, readp, peri, size = s.index, s.readp, s.peri, s.bufsize
    if s.upsamp:
        upsamp = s.upsamp
        lastval = s.lastval
        while True:
            newval = asig[readp]
            readp += 1
            delta = (newval - lastval) / upsamp
            lastval = newval
            for _ in range(upsamp):
                # compat: Csound's linear upsampling starts from the new sample
                newval += delta
                buf[index] = newval
                index += 1
                if index == size:
                    peri = _amdf_period(s, buf, median)
                    index = s.maxperi
            if readp >= nsmps:
                break
        s.lastval = lastval
    else:
        while True:
            buf[index] = asig[readp]
            index += 1
            readp += s.downsamp
            if index == size:
                peri = _amdf_period(s, buf, median)
                index = s.maxperi
            if readp >= nsmps:
                break
    readp = readp % nsmps
    base = (index + size - peri) % size
    acc = 0.0
    for i in range(peri):
        acc += buf[base + i] * buf[base + i]
    rms = 0.0 if peri == 0 else math.sqrt(acc / peri)
    if s.rmsmedisize:
        rms = _median_filter(rmsmedian, s.rmsmedisize, s.rmsmediptr, rms)
        s.rmsmediptr = (s.rmsmediptr + 1) % s.rmsmedisize
    kcps[0] = 0.0 if peri == 0 else s.srate / peri
    krms[0] = rms
    s.index, s.peri, s.readp = index, peri, readp


defop("pitchamdf", "kk", "aiioppoo", PAMDF, pitchamdf_init, pitchamdf_perf,
      arrays=("buf", "median", "rmsmedian"))

# ------------------------------------------------------------------- pitch
# pitch (Opcodes/pitch.c): a constant-Q spectrum of the signal, octave by
# octave on a chain of half-band downsamplers (spectra.c technology), then the
# specptrk search for the fundamental over summed partial bins.
LOGTWO = 0.69314718055994530942
TWOPI = 6.283185307179586476925286766559005768394
LOG10D20 = 0.11512925
MAXOCTS = 8
MAXPTL = 10
MAXFRQS = 120
STARTING, PLAYING = 1, 2
# Triple biquad of each half-band downsampler (pitch.c bicoefs).
_BICOEFS = np.array([-0.2674054, 0.7491305, 0.7160484, 0.0496285, 0.7160484,
                     0.0505247, 0.3514850, 0.5257536, 0.3505025, 0.5257536,
                     0.3661840, 0.0837990, 0.3867783, 0.6764264, 0.3867783])

PITCH = State(c1=f64, c2=f64, prvq=f64, nfreqs=i64, nocts=i64, npts=i64, winlen=i64,
              timcount=i64, scountdown=i64, nptls=i64, rolloff=i64, confact=f64,
              kvalsav=f64, kval=f64, kavl=f64, kinc=f64, kanc=f64, threshon=f64,
              threshoff=f64, flop=i64, fhip=i64, oct0=i64, playing=i64, jmpcount=i64)


def pitch_init(s, ic, koct, kamp, asig, iprd, ilo, ihi, idbthresh, ifrqs, iconf, istrt,
               iocts, iq, inptls, irolloff, istor):
    b = 2.0 - math.cos(10.0 * ic.consts.tpidsr)
    s.c2 = b - math.sqrt(b * b - 1.0)
    s.c1 = 1.0 - s.c2
    if istor == 0.0:
        s.prvq = 0.0
    s.timcount = int(ic.kr * iprd + 0.001)
    nocts = int(iocts) if int(iocts) > 0 else 6
    nfreqs = int(ifrqs) if int(ifrqs) > 0 else 12
    q = iq if iq > 0.0 else 15.0
    if s.timcount <= 0:
        raise InitError("illegal iprd")
    if nocts > MAXOCTS:
        raise InitError("illegal iocts")
    if nfreqs > MAXFRQS:
        raise InitError("illegal ifrqs")
    npts = nocts * nfreqs
    sr = ic.sr
    hicps = sr * 0.375
    looct = math.log(hicps / (ic.consts.a4 / 430.5389646099018460319362438314060262605)) \
        / LOGTWO - nocts
    basfrq = hicps * 0.5
    frqmlt = 2.0 ** (1.0 / nfreqs)
    qfactor = q * sr
    wins = np.zeros((2, nfreqs), dtype=np.int64)  # window lengths and offsets
    curfrq = basfrq
    for n in range(nfreqs):
        wins[0, n] = int(qfactor / curfrq) | 1
        wins[1, n] = (wins[0, 0] - wins[0, n]) // 2
        curfrq *= frqmlt
    sumk = int(wins[0].sum())
    sincos = np.zeros((2, sumk))
    curfrq = basfrq * TWOPI / sr
    pos = 0
    for n in range(nfreqs):
        size = int(wins[0, n])
        half = size >> 1
        onedws = 1.0 / (size - 1)
        pidws = math.pi / (size - 1)
        for k in range(-half, half + 1):
            a = math.cos(k * pidws)
            amp = (0.08 + 0.92 * a * a) * onedws
            sincos[0, pos] = amp * math.sin(k * curfrq)
            sincos[1, pos] = amp * math.cos(k * curfrq)
            pos += 1
        curfrq *= frqmlt
    winlen = int(wins[0, 0])
    minr = winlen >> 1
    majr = winlen - minr
    octs = np.zeros((nocts, 4), dtype=np.int64)  # begin, end, current, sample count
    start = 0
    for n in range(nocts - 1, -1, -1):  # the lowest octave first in the buffer
        octs[n, 0] = octs[n, 2] = start
        start += majr + minr
        octs[n, 1] = start
        minr *= 2
    s.nfreqs, s.nocts, s.npts, s.winlen = nfreqs, nocts, npts, winlen
    s.scountdown = s.timcount
    nptls = 4 if inptls <= 0.0 else int(inptls)
    if nptls > MAXPTL:
        raise InitError("illegal no of partials")
    # compat: Csound stores the rolloff in an int field, so 0.6 (the default) becomes 0
    rolloff = float(int(0.6 if irolloff <= 0.0 else irolloff))
    s.nptls = nptls
    pdist = np.array([int(math.log(nn) / LOGTWO * nfreqs + 0.5)
                      for nn in range(1, nptls + 1)], dtype=np.int64)
    pmult = np.zeros(nptls)
    if rolloff == 0.0 or rolloff == 1.0 or nptls == 1:
        s.rolloff = 0
        weightsum = float(nptls)
    else:
        octdrop = (1.0 - rolloff) / nfreqs
        weightsum = 0.0
        for i in range(nptls):
            pmult[i] = 1.0 - octdrop * pdist[i]
            weightsum += pmult[i]
        if pmult[-1] < 0.0:
            raise InitError("per octave rolloff too steep")
        s.rolloff = 1
    oct0 = -int(looct * nfreqs)
    flop = max(oct0 + int(ilo * nfreqs), 0)
    fhip = min(oct0 + int(ihi * nfreqs), npts)
    if flop >= fhip:
        raise InitError("illegal lo-hi values")
    ampthresh = math.exp(idbthresh * LOG10D20)
    s.threshon = ampthresh * weightsum
    s.threshoff = ampthresh * 0.5 * weightsum
    s.oct0, s.flop, s.fhip = oct0, flop, fhip
    s.confact = iconf
    s.playing = 0
    s.kvalsav = istrt if istrt >= 0.0 else (ilo + ihi) * 0.5
    s.kval = s.kinc = s.kavl = s.kanc = 0.0
    s.jmpcount = 0
    return (sincos, wins, np.zeros(start), octs, np.zeros((nocts, 6)), np.zeros(winlen),
            np.zeros(npts), np.zeros(npts), pdist, pmult)


@helper
def _pitch_downsample(octbuf, octs, fb, nocts, sig):
    """Write one sample to the top octave; every other one goes down, half-band filtered."""
    o = 0
    left = nocts
    while True:
        cur = octs[o, 2]
        octbuf[cur] = sig
        cur += 1
        if cur >= octs[o, 1]:
            cur = octs[o, 0]
        octs[o, 2] = cur
        left -= 1
        if left == 0:
            break
        for f in range(3):
            yt2 = fb[o, 2 * f]
            yt1 = fb[o, 2 * f + 1]
            sig -= _BICOEFS[5 * f] * yt1
            sig -= _BICOEFS[5 * f + 1] * yt2
            fb[o, 2 * f] = yt1
            fb[o, 2 * f + 1] = sig
            sig *= _BICOEFS[5 * f + 2]
            sig += _BICOEFS[5 * f + 3] * yt1
            sig += _BICOEFS[5 * f + 4] * yt2
        octs[o, 3] += 1
        if octs[o, 3] & 1:
            break
        o += 1


@helper
def _pitch_spectrum(s, sincos, wins, octbuf, octs, linbuf, spec):
    """Windowed-sine magnitudes at nfreqs log-spaced bins per octave, low octave first."""
    winlen = s.winlen
    d = 0
    for o in range(s.nocts - 1, -1, -1):
        beg, end, cur = octs[o, 0], octs[o, 1], octs[o, 2]
        if end - cur >= winlen:
            for i in range(winlen):
                linbuf[i] = octbuf[cur + i]
        else:
            i = 0
            for j in range(cur, end):
                linbuf[i] = octbuf[j]
                i += 1
            j = beg
            while i < winlen:
                linbuf[i] = octbuf[j]
                i += 1
                j += 1
        t = 0
        for f in range(s.nfreqs):
            a = 0.0
            b = 0.0
            off = wins[1, f]
            for k in range(wins[0, f]):
                a += linbuf[off + k] * sincos[1, t]
                b += linbuf[off + k] * sincos[0, t]
                t += 1
            spec[d] = math.hypot(a, b)
            d += 1


@kernel
def pitch_perf(s, ctx, sincos, wins, octbuf, octs, fb, linbuf, spec, fund, pdist, pmult,
               koct, kamp, asig, iprd, ilo, ihi, idbthresh, ifrqs, iconf, istrt, iocts, iq,
               inptls, irolloff, istor, n0, n1):
    """pitch: fundamental (decimal octaves) and amplitude by spectral tracking (pitch.c)."""
    c1, c2, q = s.c1, s.c2, s.prvq
    for n in range(n0, n1):
        x = asig[n] * 32768.0 / ctx.e0dbfs
        q = c1 * x * x + c2 * q
        _pitch_downsample(octbuf, octs, fb, s.nocts, x)
    s.prvq = q
    kvar = math.sqrt(q)
    s.scountdown -= 1
    if s.scountdown == 0:
        s.scountdown = s.timcount
        _pitch_spectrum(s, sincos, wins, octbuf, octs, linbuf, spec)
    npts, nf = s.npts, s.nfreqs
    kval = s.kval if s.playing == PLAYING else s.kvalsav
    flop = s.oct0 + int((kval - kvar) * nf)
    fhip = s.oct0 + int((kval + kvar) * nf)
    if flop < s.flop:
        flop = s.flop
    if fhip > s.fhip:
        fhip = s.fhip
    i = flop
    while True:  # sum each bin with its partials' bins (at least one bin, as Csound)
        acc = spec[i]
        for p in range(1, s.nptls):
            j = i + pdist[p]
            if j >= npts:
                break
            acc += spec[j] * pmult[p] if s.rolloff else spec[j]
        fund[i] = acc
        i += 1
        if i >= fhip:
            break
    imax = flop
    fmax = fund[flop]
    for i in range(flop + 1, fhip):
        if fund[i] > fmax:
            fmax = fund[i]
            imax = i
    track = True
    if s.playing == 0:
        if fmax > s.threshon:
            s.playing = STARTING
        else:
            track = False
    elif fmax < s.threshoff:
        if s.playing == PLAYING:
            s.kvalsav = s.kval
        s.kval = s.kavl = s.kinc = s.kanc = 0.0
        s.playing = 0
        track = False
    if track:
        a = fund[imax - 1] if imax > flop else 0.0
        b = fmax
        c = fund[imax + 1] if imax < fhip - 1 else 0.0
        denom = b + b - a - c if b < 2.0 * (a + c) else a + b + c
        delta = 0.5 * (c - a) / denom if denom != 0.0 else 0.0
        kval = ((imax - s.oct0) + delta) / nf
        if s.playing == STARTING:
            confirms = int(abs(kval - s.kvalsav) * s.confact)
            if s.jmpcount < confirms:
                s.jmpcount += 1
                track = False
            else:
                s.playing = PLAYING
                s.jmpcount = 0
                s.kval = kval
                s.kinc = 0.0
        else:
            confirms = int(abs(kval - s.kval) * s.confact)
            if s.jmpcount < confirms:
                s.jmpcount += 1
                s.kinc = 0.0
            else:
                s.jmpcount = 0
                s.kval = kval
        if track:
            s.kavl = fmax + delta * (c - a) * 0.25
    koct[0] = s.kval
    kamp[0] = s.kavl * 4.0


defop("pitch", "kk", "aiiiiqooooojo", PITCH, pitch_init, pitch_perf,
      arrays=("sincos", "wins", "octbuf", "octs", "fb", "linbuf", "spec", "fund", "pdist",
              "pmult"))
