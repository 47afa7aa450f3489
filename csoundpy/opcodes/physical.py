"""Physical models: plucked strings, waveguides, STK shakers, modal bars, mandolin.

Follows Csound 6.18: pluck (Karplus-Strong, OOps/ugens4.c plukset/pluck, with
the engine's two 16/15-bit generators `ugens4_rand_16/15`, both seeded 1000
by Top/csound.c); wgpluck (Opcodes/pluck.c, a two-rail waveguide with a
bridge FIR and an allpass tuning filter); wgpluck2, repluck and streson (Opcodes/repluck.c);
wguide1 and wguide2 (Opcodes/flanger.c); Perry Cook's STK models: the PhISEM
shakers cabasa, crunch, sekere, sandpaper, stix, guiro, tambourine, bamboo,
sleighbells, dripwater (Opcodes/phisem.c), shaker (Opcodes/shaker.c), the modal
bars marimba, vibes, gogobel (Opcodes/modal4.c) and mandol (Opcodes/mandolin.c),
with the helpers of Opcodes/physutil.c and physmod.c (ADSR, Envelope, BiQuad,
OnePole, OneZero, DLineL, DLineA); and dam (Opcodes/dam.c), a compressor kept
here for want of a better family.  The STK models draw from the engine's
randSeed1 (synthesis.randseed1_cell) and count their "stop shaking"/damping
blocks from the note's p3, which is what Csound's off-time still holds during
the init pass.

Deviations: the perf-time warnings of wgpluck2/repluck ("Reflection invalid",
"Pickup out of range") are not printed; the substituted values are used.
shaker stops the note (PerfError) where a bean count below 1 makes Csound
divide by zero.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..engine.context import ST_RELEASING, ST_SIZE
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64
from .synthesis import _rand31, randseed1_cell

_RAND = "physical.ugens4_rand"


@helper
def _i16(v):
    """Keep the low 16 bits of an integer, as a signed int16."""
    return ((v + 32768) & 0xFFFF) - 32768


def _rand_state(ic) -> np.ndarray:
    """The engine's [ugens4_rand_16, ugens4_rand_15]."""
    rng = ic.engine.globals.get(_RAND)
    if rng is None:
        rng = ic.engine.globals[_RAND] = np.array([1000, 1000], dtype=np.int64)
    return rng


def _rand16(rng) -> int:
    rng[0] = (rng[0] * 15625 + 1) & 0xFFFF
    return int(_i16(int(rng[0])))


@helper
def _rand15(rng):
    rng[1] = (rng[1] * 15625 + 1) & 0x7FFF
    return rng[1]


# ---------------------------------------------------------------- pluck

PLUCK = State(npts=i64, sicps=f64, phs256=i64, method=i64, param1=f64, param2=f64,
              thresh1=i64, thresh2=i64)


def pluck_init(s, ic, ar, kamp, kcps, icps, ifn, imeth, iparm1, iparm2):
    npts = max(int(ic.sr / icps), 64)
    buf = np.zeros(npts + 1)
    rng = _rand_state(ic)
    if ifn == 0.0:
        for n in range(npts):
            buf[n] = _rand16(rng) * (1.0 / 32768.0)
    else:
        table = ic.engine.tables.get(int(ifn)) if ifn >= 1 else None
        if table is None or table.size == 0:
            raise InitError(f"Invalid ftable no. {ifn:f}")
        phsinc = float(table.size // npts)
        phs = 0.0
        for n in range(npts):
            buf[n] = table.data[int(phs)]
            phs += phsinc
    buf[npts] = buf[0]
    s.npts = npts
    s.sicps = (npts * 256.0 + 128.0) * ic.consts.onedsr
    s.phs256 = 0
    method = int(_i16(int(imeth)))
    s.method, s.param1, s.param2 = method, iparm1, iparm2
    # compat: Csound stores the thresholds as int16, so 32768 wraps to -32768
    if method == 2:
        if iparm1 < 1.0:
            raise InitError("illegal stretch factor(param1) value")
        s.thresh1 = _i16(int(32768.0 / iparm1))
    elif method == 3:
        if iparm1 < 0.0 or iparm1 > 1.0:
            raise InitError("illegal roughness factor(param1) value")
        s.thresh1 = _i16(int(32768.0 * iparm1))
    elif method == 4:
        if iparm1 < 0.0 or iparm1 > 1.0:
            raise InitError("illegal roughness factor(param1) value")
        s.thresh1 = _i16(int(32768.0 * iparm1))
        if iparm2 < 1.0:
            raise InitError("illegal stretch factor(param2) value")
        s.thresh2 = _i16(int(32768.0 / iparm2))
    elif method == 5:
        if iparm1 + iparm2 > 1:
            raise InitError("coefficients too large (param1 + param2)")
    elif method not in (1, 6):
        raise InitError("unknown method code")
    return buf, rng


@helper
def _pluck_smooth(buf, npts, method, p1, p2, t1, t2, rng):
    """Karplus-Strong decay pass over the whole wavetable at a phase wrap."""
    preval = buf[0]
    buf[0] = buf[npts]
    for i in range(1, npts + 1):
        cur = buf[i]
        if method == 1:
            buf[i] = (cur + preval) * 0.5
            preval = cur
        elif method == 2:
            if _rand15(rng) < t1:
                buf[i] = (cur + preval) * 0.5
            preval = cur
        elif method == 3:
            if _rand15(rng) < t1:
                buf[i] = -(cur + preval) * 0.5
            else:
                buf[i] = (cur + preval) * 0.5
            preval = cur
        elif method == 4:
            if _rand15(rng) < t2:
                if _rand15(rng) < t1:
                    buf[i] = -(cur + preval) * 0.5
                else:
                    buf[i] = (cur + preval) * 0.5
            preval = cur
        elif method == 5:
            buf[i] = p1 * cur + p2 * preval
            preval = cur
        else:
            preval = (cur + preval) * 0.5
            buf[i] = preval


@kernel
def pluck_perf(s, ctx, buf, rng, ar, kamp, kcps, icps, ifn, imeth, iparm1, iparm2, n0, n1):
    """pluck: Karplus-Strong plucked string or drum (OOps/ugens4.c pluck)."""
    npts = s.npts
    phsinc = np.int64(at(kcps, 0) * s.sicps)
    ltwopi = npts << 8
    if phsinc > ltwopi:
        raise PerfError("pluck: kcps more than sample rate")
    phs = s.phs256
    amp = at(kamp, 0)
    for n in range(n0, n1):
        k = phs >> 8
        frac = (phs & 255) / 256.0
        ar[n] = (buf[k] + (buf[k + 1] - buf[k]) * frac) * amp
        phs += phsinc
        if phs >= ltwopi:
            phs -= ltwopi
            _pluck_smooth(buf, npts, s.method, s.param1, s.param2, s.thresh1, s.thresh2, rng)
    s.phs256 = phs


defop("pluck", "a", "kkiiioo", PLUCK, pluck_init, pluck_perf, arrays=("buf", "rng"))


# ---------------------------------------------------------------- wgpluck

WGPLUCK = State(rail=i64, up=i64, lo=i64, c=f64, p=f64, a0=f64, a1=f64, x1=f64, x2=f64)


def wgpluck_init(s, ic, ar, icps, iamp, kpick, iplk, idamp, ifilt, axcite):
    sr = ic.sr
    f0 = icps
    w0 = float(ic.consts.tpidsr) * f0
    size = sr / f0 - 1.0
    df = size - int(size)
    if df < 0.25:
        df = 1.25
        size -= 1.0
    m = int(size * 0.5)
    k = float(ic.consts.onedsr) * w0
    # Csound's source calls sinf here, but 6.18 (double samples) matches double sin
    s.c = -math.sin((k - k * df) / 2.0) / math.sin((k + k * df) / 2.0)
    s.p = 0.0
    s.rail, s.up, s.lo = m, 0, 0
    pick = max(int(m * iplk), 1)
    nrecip = f0 * float(ic.consts.onedsr)
    h_w0 = math.pow(10.0, -idamp * 0.05 * nrecip)
    h_pi = math.pow(10.0, -ifilt * 0.05 * nrecip)
    cosw0 = math.cos(w0)
    a1 = (h_w0 + cosw0 * h_pi) / (1 + cosw0)
    a0 = (a1 - h_pi) * 0.5
    if a0 < 0.0 or a1 < a0 + a0:
        a0, a1 = 0.0, h_w0
    s.a0, s.a1, s.x1, s.x2 = a0, a1, 0.0, 0.0
    scale = 0.5 * iamp
    shape = np.zeros(max(m, pick))
    for i in range(pick):
        shape[i] = scale * i / pick
    rest = float(m) - pick
    i = 0
    while i < rest:
        shape[pick + i] = scale - (i * scale / rest)
        i += 1
    lower = shape[:m].copy()
    upper = shape[:m][::-1].copy()
    return upper, lower


@helper
def _rail(data, ptr, pos, size):
    """Sample `pos` steps behind the rail's pointer (pluck.c guideRailAccess)."""
    i = ptr - pos
    while i < 0:
        i += size
    while i > size - 1:
        i -= size
    return data[i]


@kernel
def wgpluck_perf(s, ctx, upper, lower, ar, icps, iamp, kpick, iplk, idamp, ifilt, axcite,
                 n0, n1):
    """wgpluck: two-rail waveguide plucked string (Opcodes/pluck.c pluckGetSamps)."""
    m = s.rail
    up, lo = s.up, s.lo
    c, p, a0, a1, x1, x2 = s.c, s.p, s.a0, s.a1, s.x1, s.x2
    pickup = np.int64(m * at(kpick, 0))
    if pickup < 1:
        pickup = 1
    for n in range(n0, n1):
        ar[n] = _rail(upper, up, pickup, m) + _rail(lower, lo, m - pickup, m)
        yl_m = -_rail(upper, up, m - 1, m)
        yl0 = _rail(lower, lo, 0, m)
        y = -(a0 * (yl0 + x2) + a1 * x1)
        x2 = x1
        x1 = yl0
        q = y + c * p
        y = -c * q + p
        p = q
        # compat: Csound reads the excitation from the block's start, not from n
        y += axcite[n - n0]
        upper[up] = y
        up += 1
        if up > m - 1:
            up = 0
        lower[lo] = yl_m
        lo += 1
        if lo > m - 1:
            lo = 0
    s.up, s.lo = up, lo
    s.p, s.x1, s.x2 = p, x1, x2


defop("wgpluck", "a", "iikiiia", WGPLUCK, wgpluck_init, wgpluck_perf,
      arrays=("upper", "lower"))


# ---------------------------------------------------------------- wgpluck2, repluck

WGPLUCK2 = State(rail_len=i64, scale=i64, up=i64, lo=i64, state=f64)


def _wgp2_setup(s, ic, iplk, icps, excited):
    step = int(ic.sr / icps)
    npts, scale = step, 1
    while npts < 512:
        npts += step
        scale += 1
    rail_len = npts // 2
    plk = iplk
    if plk >= 1.0 or plk <= 0.0:
        plk = 0.0 if excited else 0.5
    pickpt = int(rail_len * plk)
    upper = np.zeros(max(rail_len, 1))
    lower = np.zeros(max(rail_len, 1))
    if plk != 0.0:
        pickpt = max(pickpt, 1)
        up = 1.0 / pickpt
        down = 1.0 / (rail_len - pickpt - 1)
        shape = np.array([up * i if i < pickpt else down * (rail_len - 1 - i)
                          for i in range(rail_len)])
        upper[:rail_len] = 0.5 * shape
        lower[:rail_len] = 0.5 * shape
    s.rail_len, s.scale, s.up, s.lo, s.state = rail_len, scale, 0, 0, 0.0
    return upper, lower


def wgpluck2_init(s, ic, ar, iplk, kamp, icps, kpick, krefl):
    return _wgp2_setup(s, ic, iplk, icps, False)


def repluck_init(s, ic, ar, iplk, kamp, icps, kpick, krefl, axcite):
    return _wgp2_setup(s, ic, iplk, icps, True)


@helper
def _dl(ptr, pos, length):
    """Index `pos` steps ahead of a rail's pointer, wrapped (repluck.c locate)."""
    i = ptr + pos
    while i < 0:
        i += length
    while i > length - 1:
        i -= length
    return i


@helper
def _wgp2_block(s, upper, lower, ar, kamp, kpick, krefl, axcite, excited, n0, n1):
    length = s.rail_len
    scale = s.scale
    state = s.state
    up, lo = s.up, s.lo
    refl = at(krefl, 0)
    if refl <= 0.0 or refl >= 1.0:
        refl = 0.5
    refl = 1.0 - (1.0 - refl) / scale
    amp = at(kamp, 0)
    pickup = np.int64(np.int32(256.0 * at(kpick, 0) * length))
    frac = pickup & 255
    pickup >>= 8
    if pickup < 0 or pickup > length:
        pickup = length * 128
        frac = pickup & 255
        pickup >>= 8
    for n in range(n0, n1):
        v = upper[_dl(up, pickup, length)] + lower[_dl(lo, pickup, length)]
        v1 = upper[_dl(up, pickup + 1, length)] + lower[_dl(lo, pickup + 1, length)]
        out = v + (v1 - v) * frac / 256.0
        if excited:
            # compat: the excitation is read from the block's start, not from n
            x = (0.5 * axcite[n - n0]) / amp
            lower[_dl(lo, 1, length)] += x
            upper[_dl(up, 1, length)] += x
        ar[n] = out * amp
        for _ in range(scale):
            ym0 = lower[_dl(lo, 1, length)]
            ymm = -upper[_dl(up, length - 2, length)]
            state = state * refl + ym0 * (1.0 - refl)
            up -= 1
            if up < 0:
                up = length - 1
            upper[up] = -state
            lower[lo] = ymm
            lo += 1
            if lo > length - 1:
                lo = 0
    s.up, s.lo, s.state = up, lo, state


@kernel
def wgpluck2_perf(s, ctx, upper, lower, ar, iplk, kamp, icps, kpick, krefl, n0, n1):
    """wgpluck2: plucked string with a one-pole bridge (Opcodes/repluck.c wgpluck)."""
    _wgp2_block(s, upper, lower, ar, kamp, kpick, krefl, ar, False, n0, n1)


@kernel
def repluck_perf(s, ctx, upper, lower, ar, iplk, kamp, icps, kpick, krefl, axcite, n0, n1):
    """repluck: wgpluck2 driven by an audio excitation (Opcodes/repluck.c wgpluck)."""
    _wgp2_block(s, upper, lower, ar, kamp, kpick, krefl, axcite, True, n0, n1)


defop("repluck", "a", "ikikka", WGPLUCK2, repluck_init, repluck_perf,
      arrays=("upper", "lower"))
defop("wgpluck2", "a", "ikikk", WGPLUCK2, wgpluck2_init, wgpluck2_perf,
      arrays=("upper", "lower"))


# ---------------------------------------------------------------- streson

STRES = State(dsize=i64, wp=i64, LPdelay=f64, APdelay=f64)


def streson_init(s, ic, ar, asig, kfr, kfdbgain):
    s.dsize = int(ic.sr / 20)
    s.wp, s.LPdelay, s.APdelay = 0, 0.0, 0.0
    return (np.zeros(max(s.dsize, 1)),)


@kernel
def streson_perf(s, ctx, cdelay, ar, asig, kfr, kfdbgain, n0, n1):
    """streson: string resonator, comb + allpass tuning (Opcodes/repluck.c streson)."""
    size = s.dsize
    g = at(kfdbgain, 0)
    freq = at(kfr, 0)
    if freq < 20.0:
        freq = 20.0
    tdelay = ctx.sr / freq
    delay = np.int64(np.int32(tdelay - 0.5))
    frac = tdelay - (delay + 0.5)
    vdt = size - delay
    a = (1.0 - frac) / (1.0 + frac)
    wp = s.wp
    lp, ap = s.LPdelay, s.APdelay
    for n in range(n0, n1):
        rp = vdt + wp
        if rp >= size:
            rp -= size
        w = asig[n] + cdelay[rp]
        sm = (lp + w) * 0.5
        lp = w
        y = ap + sm * a
        ar[n] = y
        ap = sm - y * a
        cdelay[wp] = y * g
        wp += 1
        if wp == size:
            wp = 0
    s.wp, s.LPdelay, s.APdelay = wp, lp, ap


defop("streson", "a", "akk", STRES, streson_init, streson_perf, arrays=("cdelay",))


# ---------------------------------------------------------------- wguide1, wguide2

MAXDELAY = 0.2  # seconds: the lowest waveguide frequency is 5 Hz


@helper
def _hp_coefs(khp, tpidsr):
    """wguide's one-pole low-pass coefficients (c1, c2) for cutoff khp."""
    b = 2.0 - math.cos(khp * tpidsr)
    c2 = b - math.sqrt(b * b - 1.0)
    return 1.0 - c2, c2


@helper
def _wg_read(buf, indx, fd, sr, maxd):
    """Linearly interpolated read sr/fd samples behind indx (flanger.c wguide1)."""
    if fd < 1.0 / MAXDELAY:
        fd = 1.0 / MAXDELAY
    fv1 = indx - sr / fd
    while fv1 < 0.0:
        fv1 += maxd
    fv2 = fv1 + 1.0 if fv1 < maxd - 1 else 0.0
    v1 = np.int64(fv1)
    b1 = buf[v1]
    return b1 + (fv1 - v1) * (buf[np.int64(fv2)] - b1)


WGUIDE1 = State(left=i64, c1=f64, c2=f64, yt1=f64, prvhp=f64)


def wguide1_init(s, ic, ar, asig, xfreq, kcutoff, kfeedback):
    s.left, s.c1, s.prvhp, s.c2, s.yt1 = 0, 0.0, 0.0, 1.0, 0.0
    return (np.zeros(max(int(MAXDELAY * ic.sr), 1)),)


@kernel
def wguide1_perf(s, ctx, buf, ar, asig, xfreq, kcutoff, kfeedback, n0, n1):
    """wguide1: waveguide = delay + one-pole low-pass in a loop (Opcodes/flanger.c)."""
    maxd = buf.shape[0]
    hp = at(kcutoff, 0)
    if hp != s.prvhp:
        s.prvhp = hp
        c1, c2 = _hp_coefs(hp, ctx.tpidsr)
        s.c1 = c1
        s.c2 = c2
    c1, c2, yt1 = s.c1, s.c2, s.yt1
    fb = at(kfeedback, 0)
    indx = s.left
    for n in range(n0, n1):
        buf[indx] = asig[n] + yt1 * fb
        # compat: an a-rate frequency is read from the block's start, not from n
        d = _wg_read(buf, indx, at(xfreq, n - n0), ctx.sr, maxd)
        indx += 1
        if indx == maxd:
            indx = 0
        yt1 = c1 * d + c2 * yt1
        ar[n] = yt1
    s.left = indx
    s.yt1 = yt1


defop("wguide1", "a", "axkk", WGUIDE1, wguide1_init, wguide1_perf, arrays=("buf",))

WGUIDE2 = State(left1=i64, left2=i64, c1_1=f64, c2_1=f64, yt1_1=f64, prvhp1=f64,
                c1_2=f64, c2_2=f64, yt1_2=f64, prvhp2=f64, old_out=f64)


def wguide2_init(s, ic, ar, asig, xfreq1, xfreq2, kcutoff1, kcutoff2, kfeedback1,
                 kfeedback2):
    maxd = max(int(MAXDELAY * ic.sr), 1)
    s.left1 = s.left2 = 0
    s.c1_1 = s.prvhp1 = s.c1_2 = s.prvhp2 = 0.0
    s.c2_1 = s.c2_2 = 1.0
    s.yt1_1 = s.yt1_2 = s.old_out = 0.0
    if is_audio(xfreq1) != is_audio(xfreq2):
        raise InitError("wguide2 xfreq1 and xfreq2 arguments must be both a-rate or k and i-rate")
    return np.zeros(maxd), np.zeros(maxd)


@kernel
def wguide2_perf(s, ctx, buf1, buf2, ar, asig, xfreq1, xfreq2, kcutoff1, kcutoff2,
                 kfeedback1, kfeedback2, n0, n1):
    """wguide2: two parallel waveguides sharing their feedback (Opcodes/flanger.c)."""
    maxd = buf1.shape[0]
    hp1, hp2 = at(kcutoff1, 0), at(kcutoff2, 0)
    if hp1 != s.prvhp1:
        s.prvhp1 = hp1
        c1, c2 = _hp_coefs(hp1, ctx.tpidsr)
        s.c1_1 = c1
        s.c2_1 = c2
    if hp2 != s.prvhp2:
        s.prvhp2 = hp2
        c1, c2 = _hp_coefs(hp2, ctx.tpidsr)
        s.c1_2 = c1
        s.c2_2 = c2
    c11, c21, c12, c22 = s.c1_1, s.c2_1, s.c1_2, s.c2_2
    y1, y2, old = s.yt1_1, s.yt1_2, s.old_out
    fb = at(kfeedback1, 0) + at(kfeedback2, 0)
    i1, i2 = s.left1, s.left2
    for n in range(n0, n1):
        x = asig[n] + old * fb
        buf1[i1] = x
        buf2[i2] = x
        # compat: a-rate frequencies are read from the block's start, not from n
        d1 = _wg_read(buf1, i1, at(xfreq1, n - n0), ctx.sr, maxd)
        d2 = _wg_read(buf2, i2, at(xfreq2, n - n0), ctx.sr, maxd)
        i1 += 1
        if i1 == maxd:
            i1 = 0
        i2 += 1
        if i2 == maxd:
            i2 = 0
        y1 = c11 * d1 + c21 * y1
        y2 = c12 * d2 + c22 * y2
        old = y1 + y2
        ar[n] = old
    s.left1, s.left2 = i1, i2
    s.yt1_1, s.yt1_2, s.old_out = y1, y2, old


defop("wguide2", "a", "axxkkkk", WGUIDE2, wguide2_init, wguide2_perf, arrays=("buf1", "buf2"))


# ================================================================ PhISEM
# Perry Cook's stochastic shakers (Opcodes/phisem.c).  Collisions and noise
# come from the engine's randSeed1 (Csound's Rand31), shared with synthesis.py.

MAX_SHAKE = 2000.0
ONE_OVER_RAND_HALF = 1.0 / 1073741823.0


@helper
def _phisem_rand(seed, top):
    """phisem.c my_random: a Rand31 draw reduced modulo top + 1."""
    seed[()] = _rand31(seed[()])
    return seed[()] % (top + 1)


@helper
def _noise_tick(seed):
    """phisem.c noise_tick / physutil.c Noise_tick: uniform in [-1, 1]."""
    seed[()] = _rand31(seed[()])
    return (float(seed[()]) - 1073741823.5) * ONE_OVER_RAND_HALF


@helper
def _reson_coef(reson, freq, tpidsr):
    """First feedback coefficient of a two-pole resonance at `freq`."""
    return -reson * 2.0 * math.cos(freq * tpidsr)


def _p3(ic) -> float:
    inst = ic.instance
    pf = getattr(inst, "pfields", None) if inst is not None else None
    return float(pf[2]) if pf is not None and len(pf) > 2 else 0.0


def _status(ic) -> np.ndarray:
    return ic.instance.status if ic.instance is not None else np.zeros(ST_SIZE)


def _kloop(ic, idettack) -> int:
    # compat: the note's off-time is still p3 during the init pass (insert.c)
    kr = ic.kr
    return int(_p3(ic) * kr) - int(kr * idettack)


@helper
def _kloop_expired(s, status):
    """Count down the blocks left before the shaking stops (early on release)."""
    if s.kloop > 0 and status[ST_RELEASING] != 0.0:
        s.kloop = 1
    s.kloop -= 1
    return s.kloop == 0


def _clamp_shake(e: float) -> float:
    return MAX_SHAKE if e > MAX_SHAKE else e


# ------------------------------------------------- cabasa crunch sekere sandpaper stix

CABASA = State(kloop=i64, sekere=i64, num_objects=f64, last_num=f64, gain=f64, gscale=f64,
               shakeEnergy=f64, sndLevel=f64, soundDecay=f64, systemDecay=f64,
               coeffs0=f64, coeffs1=f64, outputs0=f64, outputs1=f64,
               finalZ0=f64, finalZ1=f64, finalZ2=f64)

# name: (objects, sound decay, system decay, gain, centre, reson, amp scaled, last_num)
_ONEPOLE_MODELS = {
    "cabasa": (512, 0.96, 0.997, 40.0, 3000.0, 0.7, False, 0.0),
    "crunch": (7, 0.95, 0.99806, 20.0, 800.0, 0.95, True, 0.0),
    "sekere": (64.0, 0.96, 0.999, 20.0, 5500.0, 0.6, False, 0.0),
    "sandpaper": (128.0, 0.999, 0.999, 0.5, 4500.0, 0.6, True, 128.0),
    "stix": (2.0, 0.96, 0.998, 30.0, 5500.0, 0.6, True, 30.0),
}


def _cabasa_family_init(name):
    objects, sdecay, sysdecay, gain, centre, reson, scaled, last = _ONEPOLE_MODELS[name]
    sekere = name in ("sekere", "sandpaper", "stix")

    def init(s, ic, ar, iamp, idettack, inum, idamp, imaxshake):
        s.kloop = _kloop(ic, idettack)
        s.sekere = sekere
        s.gscale = 120.0 if sekere else 40.0
        s.num_objects = objects
        s.soundDecay, s.systemDecay = sdecay, sysdecay
        s.gain = math.log(objects) * gain / objects
        s.coeffs1 = reson * reson
        s.coeffs0 = -reson * 2.0 * math.cos(centre * float(ic.consts.tpidsr))
        amp = iamp * float(ic.consts.dbfs_to_float) if scaled else iamp
        s.shakeEnergy = _clamp_shake(amp * MAX_SHAKE * 0.1)
        s.last_num = last
        return randseed1_cell(ic), _status(ic)

    return init


@kernel
def cabasa_perf(s, ctx, seed, status, ar, iamp, idettack, inum, idamp, imaxshake, n0, n1):
    """cabasa, crunch, sekere, sandpaper, stix: one resonance (Opcodes/phisem.c)."""
    num = at(inum, 0)
    if num != s.last_num:
        s.last_num = num
        if np.int64(np.int32(num + 0.5)) != s.num_objects:
            # compat: cabasa rounds the count, the sekere family keeps it as given
            s.num_objects = num if s.sekere else float(np.int32(num + 0.5))
            if s.num_objects >= 1:
                s.gain = (math.log(s.num_objects) / 1.38629436111989061883 * s.gscale
                          / s.num_objects)
    if at(idamp, 0) != 0.0:
        s.systemDecay = 0.998 + at(idamp, 0) * 0.002
    energy = s.shakeEnergy
    if at(imaxshake, 0) != 0.0:
        s.shakeEnergy += ctx.ksmps * at(imaxshake, 0) * MAX_SHAKE * 0.1
        energy = s.shakeEnergy if s.shakeEnergy <= MAX_SHAKE else MAX_SHAKE
    if _kloop_expired(s, status):
        energy = 0.0
    decay, level, sdecay = s.systemDecay, s.sndLevel, s.soundDecay
    c0, c1, o0, o1, gain, nobj = s.coeffs0, s.coeffs1, s.outputs0, s.outputs1, s.gain, \
        s.num_objects
    # compat: the sekere family's output zeros read the filter state of the block start
    stale = s.outputs1
    z0, z1, z2 = s.finalZ0, s.finalZ1, s.finalZ2
    e0dbfs = ctx.e0dbfs
    for n in range(n0, n1):
        energy *= decay
        if _phisem_rand(seed, 1024) < nobj:
            level += gain * energy
        x = level * _noise_tick(seed)
        level *= sdecay
        x -= o0 * c0
        x -= o1 * c1
        o1 = o0
        o0 = x
        if s.sekere:
            z2 = z1
            z1 = z0
            z0 = stale
            ar[n] = (z0 - z2) * 0.0005 * e0dbfs
        else:
            ar[n] = (o0 - o1) * 0.0005 * e0dbfs
    s.shakeEnergy, s.sndLevel, s.outputs0, s.outputs1 = energy, level, o0, o1
    s.finalZ0, s.finalZ1, s.finalZ2 = z0, z1, z2


for _name in _ONEPOLE_MODELS:
    defop(_name, "a", "iiooo", CABASA, _cabasa_family_init(_name), cabasa_perf,
          arrays=("seed", "status"))


# ------------------------------------------------- tambourine bamboo sleighbells

# Columns of a resonator bank row: saved centre frequency, pole radius, the two
# feedback coefficients and filter states, input scale, output gain, random detune.
RB_FREQ, RB_RESON, RB_C0, RB_C1, RB_O0, RB_O1, RB_IN, RB_GAIN, RB_JITTER = range(9)

BANK = State(kloop=i64, nres=i64, shape=i64, num_objects=f64, gain=f64, gain_num=f64,
             shakeEnergy=f64, shake_maxSave=f64, shake_damp=f64, sndLevel=f64,
             soundDecay=f64, systemDecay=f64, baseDecay=f64, finalZ0=f64, finalZ1=f64,
             finalZ2=f64)

_SHAPE_ZERO2, _SHAPE_PLAIN, _SHAPE_ZERO2_NEG = 0, 1, 2


def _bank_init(s, ic, ar, iamp, idettack, objects, sdecay, sysdecay, gain, gain_num, shape,
               rows):
    """rows: (nominal freq, saved freq, reson, input scale, output gain, detune)."""
    tpidsr = float(ic.consts.tpidsr)
    bank = np.zeros((len(rows), 9))
    for i, (nominal, saved, reson, scale, g, jitter) in enumerate(rows):
        bank[i, RB_FREQ], bank[i, RB_RESON] = saved, reson
        bank[i, RB_C0] = -reson * 2.0 * math.cos(nominal * tpidsr)
        bank[i, RB_C1] = reson * reson
        bank[i, RB_IN], bank[i, RB_GAIN], bank[i, RB_JITTER] = scale, g, jitter
    s.kloop = _kloop(ic, idettack)
    s.nres, s.shape = len(rows), shape
    s.num_objects, s.gain, s.gain_num = objects, gain, gain_num
    s.soundDecay, s.systemDecay, s.baseDecay = sdecay, sysdecay, sysdecay
    s.shakeEnergy = _clamp_shake(iamp * float(ic.consts.dbfs_to_float) * MAX_SHAKE * 0.1)
    return bank, randseed1_cell(ic), _status(ic)


def tambourine_init(s, ic, ar, kamp, idettack, inum, idamp, imaxshake, ifreq, ifreq1, ifreq2):
    temp = math.log(32.0) * 5.0 / 32.0
    return _bank_init(s, ic, ar, kamp, idettack, 32.0, 0.95, 0.9985, 24.0 / 32, 24.0,
                      _SHAPE_ZERO2, [(2300.0, 0.0, 0.96, 1.0, temp * 0.1, 0.0),
                                     (5600.0, 5600.0, 0.99, 1.0, temp * 0.8, 0.05),
                                     (8100.0, 8100.0, 0.99, 1.0, temp, 0.05)])


def bamboo_init(s, ic, ar, kamp, idettack, inum, idamp, imaxshake, ifreq, ifreq1, ifreq2):
    gain = math.log(1.25) * 2.0 / 1.25
    rows = [(f, f, 0.995, 1.0, gain, 0.2) for f in (2800.0, 0.8 * 2800.0, 1.2 * 2800.0)]
    return _bank_init(s, ic, ar, kamp, idettack, 1.25, 0.95, 0.9999, 1.0, 0.0,
                      _SHAPE_PLAIN, rows)


def sleighbells_init(s, ic, ar, kamp, idettack, inum, idamp, imaxshake, ifreq, ifreq1,
                     ifreq2):
    rows = [(f, f, 0.99, sc, 1.0, 0.03) for f, sc in
            ((2500.0, 1.0), (5300.0, 1.0), (6500.0, 1.0), (8300.0, 0.5), (9800.0, 0.3))]
    return _bank_init(s, ic, ar, kamp, idettack, 32.0, 0.97, 0.9994, math.log(32.0) / 32.0,
                      0.0, _SHAPE_ZERO2_NEG, rows)


@kernel
def bank_perf(s, ctx, bank, seed, status, ar, kamp, idettack, inum, idamp, imaxshake, ifreq,
              ifreq1, ifreq2, n0, n1):
    """tambourine, bamboo, sleighbells: detuned resonator banks (Opcodes/phisem.c)."""
    tpidsr = ctx.tpidsr
    num = at(inum, 0)
    if num != 0.0 and num != s.num_objects:
        s.num_objects = num if num >= 1.0 else 1.0
        if s.gain_num != 0.0:
            s.gain = s.gain_num / s.num_objects
    damp = at(idamp, 0)
    if damp != 0.0 and damp != s.shake_damp:
        s.shake_damp = damp
        s.systemDecay = s.baseDecay + damp * 0.002
    smax = at(imaxshake, 0)
    if smax != 0.0 and smax != s.shake_maxSave:
        s.shake_maxSave = smax
        s.shakeEnergy += smax * MAX_SHAKE * 0.1
        if s.shakeEnergy > MAX_SHAKE:
            s.shakeEnergy = MAX_SHAKE
    for i, fv in ((0, at(ifreq, 0)), (1, at(ifreq1, 0)), (2, at(ifreq2, 0))):
        if fv != 0.0 and fv != bank[i, RB_FREQ]:
            bank[i, RB_FREQ] = fv
            bank[i, RB_C0] = _reson_coef(bank[i, RB_RESON], fv, tpidsr)
    if _kloop_expired(s, status):
        s.shakeEnergy = 0.0
    energy, decay, level, sdecay = s.shakeEnergy, s.systemDecay, s.sndLevel, s.soundDecay
    nres, shape, gain, nobj = s.nres, s.shape, s.gain, s.num_objects
    z0, z1, z2 = s.finalZ0, s.finalZ1, s.finalZ2
    e0dbfs = ctx.e0dbfs
    for n in range(n0, n1):
        energy *= decay
        if _phisem_rand(seed, 1024) < nobj:
            level += gain * energy
            for i in range(nres):
                jit = bank[i, RB_JITTER]
                if jit != 0.0:
                    fr = bank[i, RB_FREQ] * (1.0 + jit * _noise_tick(seed))
                    bank[i, RB_C0] = _reson_coef(bank[i, RB_RESON], fr, tpidsr)
        x = level * _noise_tick(seed)
        level *= sdecay
        data = 0.0
        for i in range(nres):
            y = x * bank[i, RB_IN]
            y -= bank[i, RB_O0] * bank[i, RB_C0]
            y -= bank[i, RB_O1] * bank[i, RB_C1]
            bank[i, RB_O1] = bank[i, RB_O0]
            bank[i, RB_O0] = y
            if i == 0:
                data = bank[i, RB_GAIN] * bank[i, RB_O1]
            else:
                data += bank[i, RB_GAIN] * bank[i, RB_O1]
        if shape == _SHAPE_PLAIN:
            ar[n] = data * 0.00051 * e0dbfs
        else:
            z2 = z1
            z1 = z0
            z0 = data
            if shape == _SHAPE_ZERO2:
                ar[n] = (z0 - z2) * 0.0009 * e0dbfs
            else:
                ar[n] = (z2 - z0) * 0.001 * e0dbfs
    s.shakeEnergy, s.sndLevel = energy, level
    s.finalZ0, s.finalZ1, s.finalZ2 = z0, z1, z2


for _name, _init in (("tambourine", tambourine_init), ("bamboo", bamboo_init),
                     ("sleighbells", sleighbells_init)):
    defop(_name, "a", "kioooooo", BANK, _init, bank_perf, arrays=("bank", "seed", "status"))


# ------------------------------------------------- dripwater

WUTER_RESON = 0.9985
WUTER = State(kloop=i64, num_objects=f64, shakeEnergy=f64, shake_maxSave=f64, shake_damp=f64,
              sndLevel=f64, systemDecay=f64, finalZ0=f64, finalZ1=f64, finalZ2=f64)


def dripwater_init(s, ic, ar, kamp, idettack, inum, idamp, imaxshake, ifreq, ifreq1, ifreq2):
    tpidsr = float(ic.consts.tpidsr)
    gain = math.log(10.0) * 1.0 / 10.0
    bank = np.zeros((3, 9))
    for i, f in enumerate((450.0, 600.0, 750.0)):
        # RB_IN holds the drop's centre frequency, RB_GAIN its level
        bank[i, RB_FREQ], bank[i, RB_IN], bank[i, RB_GAIN] = f, f, gain
        bank[i, RB_C0] = -WUTER_RESON * 2.0 * math.cos(f * tpidsr)
        bank[i, RB_C1] = WUTER_RESON * WUTER_RESON
    s.kloop = _kloop(ic, idettack)
    s.num_objects = 10.0
    s.systemDecay = 0.996
    s.shakeEnergy = _clamp_shake(kamp * float(ic.consts.dbfs_to_float) * MAX_SHAKE * 0.1)
    return bank, randseed1_cell(ic)


@kernel
def dripwater_perf(s, ctx, bank, seed, ar, kamp, idettack, inum, idamp, imaxshake, ifreq,
                   ifreq1, ifreq2, n0, n1):
    """dripwater: water drops, three swept resonances (Opcodes/phisem.c wuter)."""
    tpidsr = ctx.tpidsr
    num = at(inum, 0)
    if num != 0.0 and num != s.num_objects:
        s.num_objects = num if num >= 1.0 else 1.0
    damp = at(idamp, 0)
    if damp != 0.0 and damp != s.shake_damp:
        s.shake_damp = damp
        s.systemDecay = 0.996 + damp * 0.002
    smax = at(imaxshake, 0)
    if smax != 0.0 and smax != s.shake_maxSave:
        s.shake_maxSave = smax
        s.shakeEnergy += smax * MAX_SHAKE * 0.1
        if s.shakeEnergy > MAX_SHAKE:
            s.shakeEnergy = MAX_SHAKE
    for i, fv in ((0, at(ifreq, 0)), (1, at(ifreq1, 0)), (2, at(ifreq2, 0))):
        if fv != 0.0 and fv != bank[i, RB_FREQ]:
            bank[i, RB_FREQ] = fv
            bank[i, RB_C0] = _reson_coef(WUTER_RESON, fv, tpidsr)
    # compat: dripwater ignores the release (its check is disabled in phisem.c)
    s.kloop -= 1
    if s.kloop == 0:
        s.shakeEnergy = 0.0
    energy, decay, level, nobj = s.shakeEnergy, s.systemDecay, s.sndLevel, s.num_objects
    z0, z1, z2 = s.finalZ0, s.finalZ1, s.finalZ2
    e0dbfs = ctx.e0dbfs
    for n in range(n0, n1):
        energy *= decay
        if _phisem_rand(seed, 32767) < nobj:
            level = energy
            j = _phisem_rand(seed, 3)
            if j > 2:
                j = 2
            # compat: every drop is centred on freq1 (phisem.c never reads freq0/freq2 here)
            base = 0.75 if j == 0 else (1.0 if j == 1 else 1.25)
            bank[j, RB_IN] = bank[1, RB_FREQ] * (base + 0.25 * _noise_tick(seed))
            bank[j, RB_GAIN] = abs(_noise_tick(seed))
        for i in range(3):
            bank[i, RB_GAIN] *= WUTER_RESON
            if bank[i, RB_GAIN] > 0.001:
                bank[i, RB_IN] *= 1.0001
                bank[i, RB_C0] = _reson_coef(WUTER_RESON, bank[i, RB_IN], tpidsr)
        level *= 0.95
        x = level * _noise_tick(seed)
        data = 0.0
        for i in range(3):
            y = x * bank[i, RB_GAIN]
            y -= bank[i, RB_O0] * bank[i, RB_C0]
            y -= bank[i, RB_O1] * bank[i, RB_C1]
            bank[i, RB_O1] = bank[i, RB_O0]
            bank[i, RB_O0] = y
            if i == 0:
                data = bank[i, RB_GAIN] * y
            else:
                data += bank[i, RB_GAIN] * y
        z2 = z1
        z1 = z0
        z0 = data * 4.0
        ar[n] = (z2 - z0) * 0.005 * e0dbfs
    s.shakeEnergy, s.sndLevel = energy, level
    s.finalZ0, s.finalZ1, s.finalZ2 = z0, z1, z2


defop("dripwater", "a", "kioooooo", WUTER, dripwater_init, dripwater_perf,
      arrays=("bank", "seed"))


# ------------------------------------------------- guiro

GUIRO = State(kloop=i64, ratchetPos=i64, num_objects=f64, gains0=f64, gains1=f64,
              shake_damp=f64, shake_maxSave=f64, shakeEnergy=f64, res_freqSave=f64,
              res_freq2=f64, coeffs00=f64, coeffs01=f64, coeffs10=f64, coeffs11=f64,
              outputs00=f64, outputs01=f64, outputs10=f64, outputs11=f64, sndLevel=f64,
              ratchet=f64, totalEnergy=f64, finalZ0=f64, finalZ1=f64, finalZ2=f64)
GUIRO_RESON = 0.97


def guiro_init(s, ic, ar, kamp, idettack, inum, idamp, imaxshake, ifreq, ifreq1):
    tpidsr = float(ic.consts.tpidsr)
    s.kloop = _kloop(ic, idettack)
    s.num_objects = 128.0
    s.gains0 = s.gains1 = math.log(128.0) * 10.0 / 128.0
    s.coeffs01 = s.coeffs11 = GUIRO_RESON * GUIRO_RESON
    s.coeffs00 = -GUIRO_RESON * 2.0 * math.cos(2500.0 * tpidsr)
    s.coeffs10 = -GUIRO_RESON * 2.0 * math.cos(4000.0 * tpidsr)
    s.shakeEnergy = MAX_SHAKE * 0.1
    s.ratchetPos = 11
    return randseed1_cell(ic), _status(ic)


@kernel
def guiro_perf(s, ctx, seed, status, ar, kamp, idettack, inum, idamp, imaxshake, ifreq, ifreq1,
               n0, n1):
    """guiro: a ratchet scraping two gourd resonances (Opcodes/phisem.c)."""
    num = at(inum, 0)
    if num != 0.0 and np.int32(num + 0.5) != s.num_objects:
        s.num_objects = num if num >= 1.0 else 1.0
        s.gains0 = s.gains1 = math.log(s.num_objects) * 10.0 / s.num_objects
    smax = at(imaxshake, 0)
    if smax != 0.0 and smax != s.shake_maxSave:
        s.shake_maxSave = smax
        s.shakeEnergy += smax * MAX_SHAKE * 0.1
        if s.shakeEnergy > MAX_SHAKE:
            s.shakeEnergy = MAX_SHAKE
    f = at(ifreq, 0)
    if f != 0.0 and f != s.res_freqSave:
        s.res_freqSave = f
        s.coeffs00 = _reson_coef(GUIRO_RESON, f, ctx.tpidsr)
    # compat: unlike ifreq, a zero ifreq2 still moves the second resonance
    if at(ifreq1, 0) != s.res_freq2:
        s.res_freq2 = at(ifreq1, 0)
        s.coeffs10 = _reson_coef(GUIRO_RESON, s.res_freq2, ctx.tpidsr)
    if _kloop_expired(s, status):
        s.shakeEnergy = 0.0
        s.ratchetPos = 0
    level, ratchet, pos, total = s.sndLevel, s.ratchet, s.ratchetPos, s.totalEnergy
    nobj = s.num_objects
    c00, c01, c10, c11 = s.coeffs00, s.coeffs01, s.coeffs10, s.coeffs11
    o00, o01, o10, o11 = s.outputs00, s.outputs01, s.outputs10, s.outputs11
    z0, z1, z2 = s.finalZ0, s.finalZ1, s.finalZ2
    g0, g1 = s.gains0, s.gains1
    amp = at(kamp, 0) * ctx.e0dbfs
    for n in range(n0, n1):
        out = 0.0
        if pos > 0:
            ratchet -= 0.0005 + 0.002 * total
            if ratchet < 0.0:
                ratchet = 1.0
                pos -= 1
            total = ratchet
            if _phisem_rand(seed, 1024) < nobj:
                level += 512.0 * ratchet * total
            x0 = level
            x0 *= _noise_tick(seed) * ratchet
            level *= 0.95
            x1 = x0
            x0 -= o00 * c00
            x0 -= o01 * c01
            o01 = o00
            o00 = x0
            x1 -= o10 * c10
            x1 -= o11 * c11
            o11 = o10
            o10 = x1
            z2 = z1
            z1 = z0
            z0 = g0 * o01 + g1 * o11
            out = (z0 - z2) * 0.0001
        ar[n] = 1.33 * out * amp
    s.sndLevel, s.ratchet, s.ratchetPos, s.totalEnergy = level, ratchet, pos, total
    s.outputs00, s.outputs01, s.outputs10, s.outputs11 = o00, o01, o10, o11
    s.finalZ0, s.finalZ1, s.finalZ2 = z0, z1, z2


defop("guiro", "a", "kiooooo", GUIRO, guiro_init, guiro_perf, arrays=("seed", "status"))


# ================================================================ shaker
# Opcodes/shaker.c with the STK helpers of Opcodes/physutil.c (ADSR, BiQuad).

ADSR_ATTACK, ADSR_DECAY, ADSR_SUSTAIN, ADSR_RELEASE, ADSR_CLEAR = range(5)

SHAKER = State(kloop=i64, num_beans=i64, wait_time=i64, shake_num=i64, env_state=i64,
               env_value=f64, env_target=f64, env_rate=f64, env_attack=f64, env_decay=f64,
               env_sustain=f64, env_release=f64, shake_speed=f64, freq=f64, pole0=f64,
               pole1=f64, in0=f64, in1=f64, shakeEnergy=f64, noiseGain=f64)


@helper
def _adsr_set_rates(s, rate, sr):
    """physutil.c ADSR_setAll(rate, rate, 0, rate): rates scaled by 22050/sr."""
    norm = 22050.0 / sr
    r = rate if rate >= 0.0 else -rate
    s.env_attack = r * norm
    s.env_decay = r * norm
    s.env_sustain = 0.0
    s.env_release = r * norm


@helper
def _adsr_key_on(s):
    s.env_target = 1.0
    s.env_rate = s.env_attack
    s.env_state = ADSR_ATTACK


@helper
def _adsr_tick(s):
    """physutil.c ADSR_tick."""
    st = s.env_state
    if st == ADSR_ATTACK:
        s.env_value += s.env_rate
        if s.env_value >= s.env_target:
            s.env_value = s.env_target
            s.env_rate = s.env_decay
            s.env_target = s.env_sustain
            s.env_state = ADSR_DECAY
    elif st == ADSR_DECAY:
        s.env_value -= s.env_decay
        if s.env_value <= s.env_sustain:
            s.env_value = s.env_sustain
            s.env_rate = 0.0
            s.env_state = ADSR_SUSTAIN
    elif st == ADSR_RELEASE:
        s.env_value -= s.env_release
        if s.env_value <= 0.0:
            s.env_value = 0.0
            s.env_state = ADSR_CLEAR
    return s.env_value


def shaker_init(s, ic, ar, kamp, kfreq, kbeans, kdamp, ktimes, idecay):
    amp = kamp * float(ic.consts.dbfs_to_float)
    s.shake_speed = 0.0008 + amp * 0.0004
    s.env_rate = 0.001
    _adsr_set_rates(s, s.shake_speed, ic.sr)
    _adsr_key_on(s)
    s.num_beans = max(int(np.int32(kbeans)), 1)
    s.wait_time = 0x7FFFFFFE // s.num_beans
    s.shake_num = int(np.int32(ktimes))
    s.kloop = _kloop(ic, idecay)
    s.freq = -1.0
    return randseed1_cell(ic), _status(ic)


@kernel
def shaker_perf(s, ctx, seed, status, ar, kamp, kfreq, kbeans, kdamp, ktimes, idecay, n0, n1):
    """shaker: maraca-like collisions through one resonance (Opcodes/shaker.c)."""
    amp = at(kamp, 0) * ctx.dbfs_to_float
    shake = amp + amp
    damp = at(kdamp, 0)
    if s.freq != at(kfreq, 0):
        s.freq = at(kfreq, 0)
        s.pole1 = -(0.96 * 0.96)
        s.pole0 = 2.0 * 0.96 * math.cos(s.freq * ctx.tpidsr)
    beans = np.int64(np.int32(at(kbeans, 0)))
    if s.num_beans != beans:
        if beans == 0:
            raise PerfError("shaker: bean count below 1 (Csound divides by zero)")
        s.num_beans = beans
        s.wait_time = 0x7FFFFFFE // beans
    speed = 0.0008 + amp * 0.0004
    if speed != s.shake_speed:
        s.shake_speed = speed
        _adsr_set_rates(s, speed, ctx.sr)
    if s.kloop > 0 and status[ST_RELEASING] != 0.0:
        s.kloop = 1
    s.kloop -= 1
    if s.kloop == 0:
        s.shake_num = 0
    gain = 0.0005 * s.num_beans
    ngain, energy = s.noiseGain, s.shakeEnergy
    p0, p1, in0, in1 = s.pole0, s.pole1, s.in0, s.in1
    wait = s.wait_time
    scale = ctx.e0dbfs
    for n in range(n0, n1):
        _adsr_tick(s)
        temp = s.env_value * shake
        if s.shake_num > 0 and s.env_state == ADSR_SUSTAIN:
            if s.shake_num < 64:
                s.shake_num -= 1
            _adsr_key_on(s)
        if temp > energy:
            energy = temp
        energy *= damp
        seed[()] = _rand31(seed[()])
        if seed[()] <= wait:
            ngain += gain * energy
        seed[()] = _rand31(seed[()])
        x = ngain * (float(seed[()]) - 1073741823.5) * ONE_OVER_RAND_HALF
        ngain *= 0.95
        # physutil.c BiQuad_tick with equal-gain zeros (0, -1) and unit gain
        t = x + in0 * p0
        t += in1 * p1
        y = t + in0 * 0.0
        y += in1 * -1.0
        in1 = in0
        in0 = t
        ar[n] = y * scale * 7.0
    s.noiseGain, s.shakeEnergy, s.in0, s.in1 = ngain, energy, in0, in1


defop("shaker", "a", "kkkkko", SHAKER, shaker_init, shaker_perf, arrays=("seed", "status"))


# ================================================================ dam
# A compressor/expander, not a physical model: it lives here because its
# natural home (analysis.py) belongs to another family.  Opcodes/dam.c.

DAM_BUFSIZE = 1000
DAM = State(rspeed=f64, fspeed=f64, gain=f64, power=f64, kthr=f64, pos=i64)


def dam_init(s, ic, aout, ain, kthreshold, icomp1, icomp2, irtime, iftime):
    s.gain = 1.0
    s.rspeed = irtime * float(ic.consts.onedsr) * 1000.0
    s.fspeed = iftime * float(ic.consts.onedsr) * 1000.0
    s.kthr = -1.0
    return (np.zeros(DAM_BUFSIZE),)


@kernel
def dam_perf(s, ctx, buf, aout, ain, kthreshold, icomp1, icomp2, irtime, iftime, n0, n1):
    """dam: dynamic amplitude modifier with a 1000-sample power average (Opcodes/dam.c)."""
    thr = at(kthreshold, 0)
    if s.kthr < 0.0:
        # the averaging window is primed with the threshold on the first block
        s.kthr = thr
        x = thr / DAM_BUFSIZE
        for i in range(DAM_BUFSIZE):
            buf[i] = x
        s.power = thr
        s.pos = 0
    gain, power, pos = s.gain, s.power, s.pos
    comp1, comp2 = at(icomp1, 0), at(icomp2, 0)
    norm = DAM_BUFSIZE * 1.414213562373095048801688724209698078569
    for n in range(n0, n1):
        buf[pos] = abs(ain[n]) / norm
        power += buf[pos]
        pos += 1
        if pos == DAM_BUFSIZE:
            pos = 0
        power -= buf[pos]
        if power > thr:
            tg = ((power - thr) * comp1 + thr) / power
        else:
            tg = thr * math.pow(power / thr, 1.0 / comp2) / power
        if gain < tg:
            gain += s.rspeed
        else:
            gain -= s.fspeed
        aout[n] = ain[n] * gain
    s.gain, s.power, s.pos = gain, power, pos


defop("dam", "a", "akiiii", DAM, dam_init, dam_perf, arrays=("buf",))


# ================================================================ marimba vibes gogobel
# Four-mode modal bars (Opcodes/modal4.c, physutil.c): a strike sample read at
# w_rate, a one-pole and an envelope, then four two-pole resonances.

M_RATIO, M_RESON, M_GAIN, M_IN0, M_IN1, M_P0, M_P1 = range(7)

MODAL4 = State(kloop=i64, first=i64, multiStrike=i64, allDone=i64, env_state=i64,
               env_value=f64, env_target=f64, env_rate=f64, pole=f64, sgain=f64, opout=f64,
               w_rate=f64, w_time=f64, v_rate=f64, v_time=f64, vibrGain=f64, masterGain=f64,
               directGain=f64, baseFreq=f64, sr=f64, tpidsr=f64)


@helper
def _biquad_freq_reson(modes, i, freq, reson, tpidsr):
    """physutil.h BiQuad_setFreqAndReson."""
    modes[i, M_P1] = -(reson * reson)
    modes[i, M_P0] = 2.0 * reson * math.cos(freq * tpidsr)


@helper
def _m4_ratio_reson(s, modes, i, ratio, reson):
    """modal4.c Modal4_setRatioAndReson."""
    if ratio * s.baseFreq < s.sr * 0.5:
        modes[i, M_RATIO] = ratio
    else:
        temp = ratio
        while temp * s.baseFreq > 0.5 * s.sr:
            temp *= 0.5
        modes[i, M_RATIO] = temp
    modes[i, M_RESON] = reson
    # compat: the filter is tuned to the unfolded ratio, as in modal4.c
    freq = -ratio if ratio < 0 else ratio * s.baseFreq
    _biquad_freq_reson(modes, i, freq, reson, s.tpidsr)


@helper
def _m4_set_freq(s, modes, freq):
    s.baseFreq = freq
    for i in range(4):
        _m4_ratio_reson(s, modes, i, modes[i, M_RATIO], modes[i, M_RESON])


@helper
def _m4_tune(s, modes, scale):
    """Re-tune the four resonances, radii scaled (Modal4_strike, Modal4_damp)."""
    for i in range(4):
        r = modes[i, M_RATIO]
        freq = -r if r < 0 else r * s.baseFreq
        _biquad_freq_reson(modes, i, freq, modes[i, M_RESON] * scale, s.tpidsr)


@helper
def _env_tick(s):
    """physutil.c Envelope_tick."""
    if s.env_state != 0:
        if s.env_target > s.env_value:
            s.env_value += s.env_rate
            if s.env_value >= s.env_target:
                s.env_value = s.env_target
                s.env_state = 0
        else:
            s.env_value -= s.env_rate
            if s.env_value <= s.env_target:
                s.env_value = s.env_target
                s.env_state = 0
    return s.env_value


@helper
def _onepole_set_pole(s, pole, gain):
    s.pole = pole
    s.sgain = gain * (1.0 - pole) if pole > 0.0 else gain * (1.0 + pole)


@helper
def _m4_strike(s, modes, amplitude):
    """modal4.c Modal4_strike."""
    s.env_rate = 1.0
    s.env_target = amplitude
    if s.env_value != amplitude:
        s.env_state = 1
    _onepole_set_pole(s, 1.0 - amplitude, 1.0)
    _env_tick(s)
    s.w_time = 0.0
    s.allDone = 0
    _m4_tune(s, modes, 1.0)


@helper
def _m4_tick(s, modes, wave, vib):
    """modal4.c Modal4_tick."""
    length = wave.shape[0] - 1
    s.w_time += s.w_rate
    if s.w_time >= length:
        s.w_time = float(length - 1)
        s.allDone = 1
    elif s.w_time < 0.0:
        s.w_time = 0.0
    k = np.int64(s.w_time)
    alpha = s.w_time - k
    x = wave[k]
    x = x + alpha * (wave[k + 1] - x)
    s.opout = s.sgain * (x * _env_tick(s)) + s.pole * s.opout
    temp = s.masterGain * s.opout
    out = 0.0
    for i in range(4):
        # physutil.c BiQuad_tick with equal-gain zeros (0, -1)
        t = temp * modes[i, M_GAIN]
        t += modes[i, M_IN0] * modes[i, M_P0]
        t += modes[i, M_IN1] * modes[i, M_P1]
        y = t + modes[i, M_IN0] * 0.0
        y += modes[i, M_IN1] * -1.0
        modes[i, M_IN1] = modes[i, M_IN0]
        modes[i, M_IN0] = t
        out = y if i == 0 else out + y
    out = out - out * s.directGain
    out += s.directGain * temp
    if s.vibrGain != 0.0:
        vlen = vib.shape[0] - 1
        s.v_time += s.v_rate
        while s.v_time >= vlen:
            s.v_time -= vlen
        while s.v_time < 0.0:
            s.v_time += vlen
        k = np.int64(s.v_time)
        alpha = s.v_time - k
        v = vib[k]
        v = v + alpha * (vib[k + 1] - v)
        out = (1.0 + v * s.vibrGain) * out
    return out + out


# name: ((ratio, reson, filter gain) x 4, direct gain)
_MODAL4_MODES = {
    "marimba": (((1.00, 0.9996, 0.04), (3.99, 0.9994, 0.01), (10.65, 0.9994, 0.01),
                 (-18.50, 0.999, 0.008)), 0.1),
    "vibes": (((1.0, 0.99995, 0.025), (2.01, 0.99991, 0.015), (3.9, 0.99992, 0.015),
               (14.37, 0.99990, 0.015)), 0.0),
    "gogobel": (((1.00, 0.999, 0.06), (4.08, 0.999, 0.05), (6.669, 0.999, 0.03),
                 (-3725.0, 0.999, 0.02)), 0.25),
}


def _modal4_setup(s, ic, name, kamp, kfreq, ihrd, ipos, imp, kvibf, kvamp, ivibfn):
    wave = ic.table(imp)
    vib = ic.table(ivibfn)
    modes_def, direct = _MODAL4_MODES[name]
    s.sr, s.tpidsr = ic.sr, float(ic.consts.tpidsr)
    s.env_rate, s.env_state = 0.001, 1
    s.pole, s.sgain = 0.9, 0.1
    s.v_rate, s.vibrGain, s.masterGain = kvibf, kvamp, 1.0
    modes = np.zeros((4, 7))
    for i, (ratio, reson, gain) in enumerate(modes_def):
        _m4_ratio_reson(s, modes, i, ratio, reson)
        modes[i, M_GAIN] = gain
    s.directGain = direct
    pos = ipos * math.pi
    if name == "marimba":
        s.w_rate = 0.25 * math.pow(4.0, ihrd)
        s.masterGain = 0.1 + 1.8 * ihrd
        gains = (0.12 * math.sin(pos), -0.03 * math.sin(0.05 + 3.9 * pos),
                 0.11 * math.sin(-0.05 + 11.0 * pos))
    elif name == "vibes":
        _onepole_set_pole(s, 0.2, 1.0)
        s.w_rate = 2.0 + 22.66 * ihrd
        s.masterGain = 0.2 + ihrd * 1.6
        gains = (0.025 * math.sin(pos), 0.015 * math.sin(0.1 + 2.01 * pos),
                 0.015 * math.sin(3.95 * pos))
    else:
        _onepole_set_pole(s, 0.2, 1.0)
        s.w_rate = 3.0 + 8.0 * ihrd
        gains = (0.08 * math.sin(0.7 * pos), 0.07 * math.sin(0.1 + 5.0 * pos),
                 0.04 * math.sin(0.2 + 7.0 * pos))
    modes[:3, M_GAIN] = gains
    return wave, vib, modes


def marimba_init(s, ic, ar, kamp, kfreq, ihrd, ipos, imp, kvibf, kvamp, ivibfn, idec,
                 idoubles, itriples):
    wave, vib, modes = _modal4_setup(s, ic, "marimba", kamp, kfreq, ihrd, ipos, imp, kvibf,
                                     kvamp, ivibfn)
    seed = randseed1_cell(ic)
    triples = 20 if itriples <= 0.0 else int(np.int32(itriples))
    doubles = 40 if idoubles <= 0.0 else triples + int(np.int32(idoubles))
    seed[()] = _rand31(seed[()])
    draw = int(seed[()]) % 100
    s.multiStrike = 2 if draw < triples else (1 if draw < doubles else 0)
    _m4_strike(s, modes, kamp * float(ic.consts.dbfs_to_float))
    _m4_set_freq(s, modes, kfreq)
    s.first = 1
    relestim = int(ic.kr * idec)
    add_extra = getattr(ic.instance, "add_extra_time", None)
    if add_extra is not None and relestim > 0:
        add_extra(relestim / ic.kr)
    s.kloop = _kloop(ic, idec)
    return wave.data, vib.data, modes, _status(ic)


def vibes_init(s, ic, ar, kamp, kfreq, ihrd, ipos, imp, kvibf, kvamp, ivibfn, idec):
    wave, vib, modes = _modal4_setup(s, ic, "vibes", kamp, kfreq, ihrd, ipos, imp, kvibf,
                                     kvamp, ivibfn)
    _m4_strike(s, modes, kamp * float(ic.consts.dbfs_to_float))
    _m4_set_freq(s, modes, kfreq)
    # compat: vibes never sets its countdown, so idec has no effect
    s.first, s.kloop = 1, 0
    return wave.data, vib.data, modes, _status(ic)


def gogobel_init(s, ic, ar, kamp, kfreq, ihrd, ipos, imp, kvibf, kvamp, ivibfn):
    wave, vib, modes = _modal4_setup(s, ic, "gogobel", kamp, kfreq, ihrd, ipos, imp, kvibf,
                                     kvamp, ivibfn)
    _m4_strike(s, modes, kamp * float(ic.consts.dbfs_to_float))
    _m4_set_freq(s, modes, kfreq)
    # compat: gogobel never sets `first`, so it is not struck again at the first block
    s.first, s.kloop = 0, 0
    return wave.data, vib.data, modes, _status(ic)


@helper
def _modal4_block(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, kvibf, kvamp, scale1,
                  scale2, countdown, n0, n1):
    amp = at(kamp, 0) * ctx.dbfs_to_float
    if countdown:
        if _kloop_expired(s, status):
            _m4_tune(s, modes, 1.0 - amp * 0.03)
    s.v_rate = at(kvibf, 0)
    s.vibrGain = at(kvamp, 0)
    if s.first != 0:
        _m4_strike(s, modes, amp)
        _m4_set_freq(s, modes, at(kfreq, 0))
        s.first = 0
    for n in range(n0, n1):
        if s.multiStrike > 0 and s.allDone != 0:
            s.w_time = 0.0
            s.allDone = 0
            s.multiStrike -= 1
        ar[n] = _m4_tick(s, modes, wave, vib) * scale1 * scale2


@kernel
def marimba_perf(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, ihrd, ipos, imp, kvibf,
                 kvamp, ivibfn, idec, idoubles, itriples, n0, n1):
    """marimba: modal bar with multiple strikes (Opcodes/modal4.c)."""
    _modal4_block(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, kvibf, kvamp,
                  ctx.e0dbfs, 0.5, True, n0, n1)


@kernel
def vibes_perf(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, ihrd, ipos, imp, kvibf,
               kvamp, ivibfn, idec, n0, n1):
    """vibes: vibraphone modal bar (Opcodes/modal4.c vibraphn)."""
    _modal4_block(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, kvibf, kvamp,
                  8.0, ctx.e0dbfs, True, n0, n1)


@kernel
def gogobel_perf(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, ihrd, ipos, imp, kvibf,
                 kvamp, ivibfn, n0, n1):
    """gogobel: agogo bell modal model (Opcodes/modal4.c agogobel)."""
    _modal4_block(s, ctx, wave, vib, modes, status, ar, kamp, kfreq, kvibf, kvamp,
                  ctx.e0dbfs, 1.0, False, n0, n1)


_M4_ARRAYS = ("wave", "vib", "modes", "status")
defop("marimba", "a", "kkiiikkiijj", MODAL4, marimba_init, marimba_perf, arrays=_M4_ARRAYS)
defop("vibes", "a", "kkiiikkii", MODAL4, vibes_init, vibes_perf, arrays=_M4_ARRAYS)
defop("gogobel", "a", "kkiiikki", MODAL4, gogobel_init, gogobel_perf, arrays=_M4_ARRAYS)


# ================================================================ STK delay lines
# Rows of a `dl` array hold one delay line's scalars; its samples are a row of
# `buf` (one spare sample past the end, read when DLineA's pointer lands there).

D_IN, D_OUT, D_LEN, D_ALPHA, D_COEF, D_LASTIN, D_LAST = range(7)


def _delay_lines(lengths, kinds) -> tuple[np.ndarray, np.ndarray]:
    """make_DLineL ('L': writes half a line ahead) / make_DLineA ('A': reads half ahead)."""
    dl = np.zeros((len(lengths), 7))
    buf = np.zeros((len(lengths), max(lengths) + 1))
    for j, (n, kind) in enumerate(zip(lengths, kinds)):
        dl[j, D_LEN] = n
        dl[j, D_IN if kind == "L" else D_OUT] = n >> 1
    return dl, buf


@helper
def _dll_set(dl, j, lag):
    """physutil.c DLineL_setDelay."""
    length = dl[j, D_LEN]
    ptr = dl[j, D_IN] - lag
    while ptr < 0.0:
        ptr += length
    while ptr >= length:
        ptr -= length
    dl[j, D_OUT] = np.int64(ptr)
    dl[j, D_ALPHA] = ptr - dl[j, D_OUT]
    dl[j, D_COEF] = 1.0 - dl[j, D_ALPHA]


@helper
def _dll_tick(dl, buf, j, x):
    """physutil.c DLineL_tick: linear interpolated read."""
    length = np.int64(dl[j, D_LEN])
    i = np.int64(dl[j, D_IN])
    buf[j, i] = x
    i += 1
    if i == length:
        i -= length
    dl[j, D_IN] = i
    o = np.int64(dl[j, D_OUT])
    y = buf[j, o] * dl[j, D_COEF]
    o += 1
    if o < length:
        y += buf[j, o] * dl[j, D_ALPHA]
    else:
        y += buf[j, 0] * dl[j, D_ALPHA]
        o -= length
    dl[j, D_OUT] = o
    dl[j, D_LAST] = y
    return y


@helper
def _dla_set(dl, j, lag):
    """physmod.c DLineA_setDelay: allpass-interpolated length in [0.1, 1.1) + integer."""
    ptr = dl[j, D_IN] - lag + 2.0
    while ptr < 0.0:
        ptr += dl[j, D_LEN]
    o = np.int64(ptr)
    alpha = 1.0 + o - ptr
    if alpha < 0.1:
        o += 1
        alpha += 1.0
    dl[j, D_OUT] = o
    dl[j, D_ALPHA] = alpha
    dl[j, D_COEF] = (1.0 - alpha) / (1.0 + alpha)


@helper
def _dla_tick(dl, buf, j, x):
    """physmod.c DLineA_tick."""
    length = np.int64(dl[j, D_LEN])
    i = np.int64(dl[j, D_IN])
    buf[j, i] = x
    i += 1
    if i >= length:
        i -= length
    dl[j, D_IN] = i
    o = np.int64(dl[j, D_OUT])
    t = buf[j, o]
    o += 1
    if o >= length:
        o -= length
    dl[j, D_OUT] = o
    c = dl[j, D_COEF]
    y = -c * dl[j, D_LAST]
    y += dl[j, D_LASTIN] + c * t
    dl[j, D_LASTIN] = t
    dl[j, D_LAST] = y
    return y


def _xtratim(ic, blocks: int) -> None:
    add_extra = getattr(ic.instance, "add_extra_time", None)
    if add_extra is not None and blocks > 0:
        add_extra(blocks / ic.kr)


# ================================================================ mandol

MANDOL = State(kloop=i64, dampTime=i64, waveDone=i64, skip=i64, s_time=f64,
               s_lastOutput=f64, lastFreq=f64, lastLength=f64, oz1=f64, oz2=f64)


def mandol_init(s, ic, ar, kamp, kfreq, kpluck, kdetune, kgain, ksize, ifn, iminfreq):
    table = ic.table(ifn)
    dummy = (np.zeros((3, 7)), np.zeros((3, 2)))
    if iminfreq < 0.0:
        s.skip = 1
        return (table.data, *dummy, _status(ic))
    sr = ic.sr
    if iminfreq != 0.0:
        length = int(sr / (iminfreq * 0.9) + 1.0)
    elif kfreq != 0.0:
        length = int(sr / kfreq + 1.0)
    else:
        ic.warning("No base frequency for mandolin")
        length = int(sr / 50.0 + 1.0)
    s.lastFreq = 50.0
    dl, buf = _delay_lines([length] * 3, "AAL")
    s.lastLength = sr / s.lastFreq
    _dll_set(dl, 2, 0.5 * kpluck * s.lastLength)
    s.dampTime = int(s.lastLength)
    _xtratim(ic, int(ic.kr * 0.1))
    s.kloop = int(_p3(ic) * ic.kr)
    return table.data, dl, buf, _status(ic)


@helper
def _onezero(s_inputs, x):
    """physmod.c OneZero_tick with its default coefficient 1 and gain 0.5: (y, new state)."""
    t = 0.5 * x
    return s_inputs * 1.0 + t, t


@kernel
def mandol_perf(s, ctx, table, dl, buf, status, ar, kamp, kfreq, kpluck, kdetune, kgain, ksize,
                ifn, iminfreq, n0, n1):
    """mandol: two detuned plucked waveguides with a pluck-position comb (Opcodes/mandolin.c)."""
    if s.skip != 0:
        return
    amp = at(kamp, 0) * ctx.dbfs_to_float
    loop_gain = at(kgain, 0) + s.lastFreq * 0.000005
    if loop_gain > 1.0:
        loop_gain = 0.99999
    if s.kloop > 0 and status[ST_RELEASING] != 0.0:
        s.kloop = 1
    freq = at(kfreq, 0)
    if s.lastFreq != freq:
        s.lastFreq = freq
        s.lastLength = ctx.sr / freq
        _dla_set(dl, 0, s.lastLength / at(kdetune, 0) - 0.5)
        _dla_set(dl, 1, s.lastLength * at(kdetune, 0) - 0.5)
    s.kloop -= 1
    if s.kloop == 0:
        loop_gain = (1.0 - amp) * 0.5
    flen = table.shape[0] - 1
    rate = at(ksize, 0)
    for n in range(n0, n1):
        temp = 0.0
        if s.waveDone == 0:
            s.s_time += rate
            if s.s_time >= flen:
                s.s_time = float(flen - 1)
                s.waveDone = 1
            elif s.s_time < 0.0:
                s.s_time = 0.0
            k = np.int64(s.s_time)
            alpha = s.s_time - k
            v = 0.05 * table[k]
            # compat: the 0.05 scaling is applied twice to the first sample (mandolin.c)
            s.s_lastOutput = v + alpha * 0.05 * (table[k + 1] - v)
            temp = s.s_lastOutput * amp
            temp = temp - _dll_tick(dl, buf, 2, temp)
        g = 0.7 if s.dampTime >= 0 else loop_gain
        if s.dampTime >= 0:
            s.dampTime -= 1
        y1, s.oz1 = _onezero(s.oz1, temp + dl[0, D_LAST] * g)
        out = _dla_tick(dl, buf, 0, y1)
        y2, s.oz2 = _onezero(s.oz2, temp + dl[1, D_LAST] * g)
        out += _dla_tick(dl, buf, 1, y2)
        out *= 3.7
        ar[n] = out * ctx.e0dbfs


defop("mandol", "a", "kkkkkkio", MANDOL, mandol_init, mandol_perf,
      arrays=("table", "dl", "buf", "status"))
