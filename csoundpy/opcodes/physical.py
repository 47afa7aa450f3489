"""Physical models: plucked strings, waveguides and a string resonator.

Follows Csound 6.18: pluck (Karplus-Strong, OOps/ugens4.c plukset/pluck, with
the engine's two 16/15-bit generators `ugens4_rand_16/15`, both seeded 1000
by Top/csound.c); wgpluck (Opcodes/pluck.c, a two-rail waveguide with a
bridge FIR and an allpass tuning filter); wgpluck2, repluck and streson (Opcodes/repluck.c);
wguide1 and wguide2 (Opcodes/flanger.c).

Deviations: the perf-time warnings of wgpluck2/repluck ("Reflection invalid",
"Pickup out of range") are not printed; the substituted values are used.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64

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
