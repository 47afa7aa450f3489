"""Noise and random-number opcodes.

Follows Csound 6.18: `rand`, `randh`, `randi` (OOps/ugens4.c: a 16-bit LCG
or a 31-bit Park-Miller generator owned by each note), `rnd31` (Opcodes/oscbnk.c,
its own 31-bit generator), `random`, `randomh`, `randomi` (Opcodes/uggab.c:
the engine's `holdrand` LCG), `rnd`, `birnd`, `rndseed` (OOps/aops.c: the
engine's `rndfrac`), the distributions of OOps/cmath.c (`unirand linrand
trirand exprand bexprnd gauss cauchy pcauchy betarand weibull poisson`, all
drawing from the engine's Mersenne Twister, OOps/random.c) and `seed` /
`getseed`, which reseed those engine generators.

Engine-global generator state lives in `engine.globals` under `noise.*` keys
as small numpy arrays, handed to kernels as aux arrays so that every note
draws from the same stream, as in Csound.  Csound's defaults: Mersenne
Twister seeded with 5489, holdrand 2345678, rndfrac 0.5, randSeed1 15937.
Seeds Csound takes from the clock (`seed 0`, `rand` with iseed > 1, `rnd31`
with iseed <= 0) cannot be reproduced; they are random here too.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import MAXLEN  # Csound's 64-bit build: 2**28
from ._registry import State, defop, f64, i64

FMAXLEN = float(MAXLEN)
PHMASK = MAXLEN - 1
BIPOLAR = 0x7FFFFFFF
DV32768 = 1.0 / 32768.0
DV2_31 = 4.656612873077392578125e-10
RNDMUL = 15625

# ---------------------------------------------------------------- integers


@helper
def _cvt_i32(x):
    """C's (int32_t) cast of a double on x86: truncate; out of range gives INT_MIN."""
    if not (x > -2147483649.0 and x < 2147483648.0):
        return -2147483648
    return int(x)


@helper
def _i16(x):
    """Wrap an integer to int16."""
    return ((x + 32768) & 0xFFFF) - 32768


@helper
def _i32(x):
    """Wrap an integer to int32."""
    return ((x + 2147483648) & 0xFFFFFFFF) - 2147483648


@helper
def _rand16(r):
    """One step of ugens4.c's 16-bit generator (int16 arithmetic)."""
    return _i16(_i16(r) * RNDMUL + 1)


@helper
def _randint31(seed):
    """ugens4.c randint31: Park-Miller 16807 mod 2**31-1 by Schrage's method."""
    rilo = (16807 * (seed & 0xFFFF)) & 0xFFFFFFFF
    rihi = (16807 * ((seed & 0xFFFFFFFF) >> 16)) & 0xFFFFFFFF
    rilo = (rilo + ((rihi & 0x7FFF) << 16)) & 0xFFFFFFFF
    if rilo > 0x7FFFFFFF:
        rilo = (rilo & 0x7FFFFFFF) + 1
    rilo = (rilo + (rihi >> 15)) & 0xFFFFFFFF
    if rilo > 0x7FFFFFFF:
        rilo = (rilo & 0x7FFFFFFF) + 1
    return _i32(rilo)


@helper
def _bipolar31(r):
    """A 31-bit state as a value in (-1, 1): ((uint32)r << 1) - BIPOLAR, scaled."""
    return float(_i32(_i32(r << 1) - BIPOLAR)) * DV2_31


def _time_seed(ic) -> int:
    """Csound's GetRandomSeedFromTime (not reproducible), with its warning."""
    seed = (time.time_ns() // 1000) & 0xFFFFFFFF
    ic.warning(f"Seeding from current time {seed}\n")
    return seed


# ------------------------------------------------------- rand randh randi

RAND = State(rand=i64, new=i64)


def rand_init(s, ic, ar, xamp, iseed, isel, ioffset):
    s.new = 1 if isel != 0.0 else 0
    if iseed < 0.0:
        return None
    if iseed > 1.0:
        seed = _time_seed(ic)
        s.rand = (seed % 0x7FFFFFFE) + 1 if s.new else seed & 0xFFFF
    elif s.new:
        sd = 0.5 if iseed == 0.0 else iseed
        s.rand = _randint31(_randint31(_cvt_i32(sd * 2147483648.0)))
    else:
        s.rand = _i16(_cvt_i32(iseed * 32768.0)) & 0xFFFF
    return None


@helper
def _rand_step(s, base, amp):
    """One sample of rand: advance the note's generator, scale, add the offset."""
    if s.new:
        s.rand = _randint31(s.rand)
        return base + _bipolar31(s.rand) * amp
    s.rand = _rand16(s.rand)
    return base + float(s.rand) * amp * DV32768


@kernel
def rand_perf(s, ctx, ar, xamp, iseed, isel, ioffset, n0, n1):
    """rand (a): white noise from a 16- or 31-bit generator (ugens4.c arand)."""
    base = at(ioffset, 0)
    for n in range(n0, n1):
        ar[n] = _rand_step(s, base, at(xamp, n))


@kernel
def rand_perf_k(s, ctx, kr, xamp, iseed, isel, ioffset, n0, n1):
    """rand (k): one random value per block (ugens4.c krand)."""
    kr[0] = _rand_step(s, at(ioffset, 0), at(xamp, 0))


defop("rand", "a", "xvoo", RAND, rand_init, rand_perf)
defop("rand", "k", "xvoo", RAND, rand_init, rand_perf_k)

RANDH = State(rand=i64, new=i64, phs=i64, num1=f64)


def randh_init(s, ic, ar, xamp, xcps, iseed, isel, ioffset):
    s.new = 1 if isel != 0.0 else 0
    if iseed < 0.0:
        return None
    if iseed > 1.0:
        seed = _time_seed(ic)
        if not s.new:
            s.rand = seed & 0xFFFF
            s.num1 = _i16(s.rand) * DV32768
        else:
            s.rand = (seed % 0x7FFFFFFE) + 1
            s.num1 = _bipolar31(s.rand)
    elif not s.new:
        s.rand = 0xFFFF & _i16(_cvt_i32(iseed * 32768.0))
        s.num1 = iseed
    else:
        # compat: unlike rand and randi, a zero seed is not replaced by 0.5
        s.rand = _randint31(_randint31(_cvt_i32(iseed * 2147483648.0)))
        s.num1 = _bipolar31(s.rand)
    s.phs = 0
    return None


@helper
def _randh_next(s):
    """randh: draw the next held value."""
    if s.new:
        s.rand = _randint31(s.rand)
        s.num1 = _bipolar31(s.rand)
    else:
        s.rand = _rand16(s.rand)
        s.num1 = float(s.rand) * DV32768


@kernel
def randh_perf(s, ctx, ar, xamp, xcps, iseed, isel, ioffset, n0, n1):
    """randh (a): sample-and-hold noise at rate xcps (ugens4.c randh)."""
    base = at(ioffset, 0)
    phs = s.phs
    inc = int(at(xcps, 0) * ctx.sicvt)
    # compat: Csound walks xamp/xcps from their first sample whatever the offset
    for n in range(n0, n1):
        j = n - n0
        ar[n] = base + s.num1 * at(xamp, j)
        phs += inc
        if j + 1 < ctx.ksmps:
            inc = int(at(xcps, j + 1) * ctx.sicvt)
        if phs >= MAXLEN:
            phs &= PHMASK
            _randh_next(s)
    s.phs = phs


@kernel
def randh_perf_k(s, ctx, kr, xamp, xcps, iseed, isel, ioffset, n0, n1):
    """randh (k): held random value, phase advanced once per block (krandh)."""
    kr[0] = at(ioffset, 0) + s.num1 * at(xamp, 0)
    s.phs += int(at(xcps, 0) * (FMAXLEN / ctx.kr))
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        _randh_next(s)


defop("randh", "a", "xxvoo", RANDH, randh_init, randh_perf)
defop("randh", "k", "xxvoo", RANDH, randh_init, randh_perf_k)

RANDI = State(rand=i64, new=i64, phs=i64, num1=f64, num2=f64, dfdmax=f64)


def randi_init(s, ic, ar, xamp, xcps, iseed, isel, ioffset):
    s.new = 1 if isel != 0.0 else 0
    if iseed < 0.0:
        return None
    if iseed > 1.0:
        seed = _time_seed(ic)
        if not s.new:
            r = _i16(seed)
            s.num1 = r * DV32768
            s.rand = _rand16(r)
            s.num2 = s.rand * DV32768
        else:
            s.rand = _randint31(_randint31((seed % 0x7FFFFFFE) + 1))
            s.num1 = _i32(s.rand << 1) * DV2_31
            s.rand = _randint31(s.rand)
            s.num2 = _i32(s.rand << 1) * DV2_31
    elif not s.new:
        s.rand = _rand16(_i16(_cvt_i32(iseed * 32768.0)))
        s.num1 = iseed
        s.num2 = s.rand * DV32768
    else:
        sd = 0.5 if iseed == 0.0 else iseed
        s.rand = _randint31(_randint31(_cvt_i32(sd * 2147483648.0)))
        # compat: Csound compares (rand < 1) here instead of shifting, so num1
        # is almost always 0; and num2 skips the bipolar offset
        s.num1 = float(s.rand < 1) * DV2_31
        s.rand = _randint31(s.rand)
        s.num2 = _i32(s.rand << 1) * DV2_31
    s.phs = 0
    s.dfdmax = (s.num2 - s.num1) / FMAXLEN
    return None


@helper
def _randi_next(s):
    """randi: shift in the next target value."""
    s.num1 = s.num2
    if s.new:
        s.rand = _randint31(s.rand)
        s.num2 = _bipolar31(s.rand)
    else:
        s.rand = _rand16(s.rand)
        s.num2 = float(s.rand) * DV32768
    s.dfdmax = (s.num2 - s.num1) / FMAXLEN


@kernel
def randi_perf(s, ctx, ar, xamp, xcps, iseed, isel, ioffset, n0, n1):
    """randi (a): linearly interpolated noise (ugens4.c randi)."""
    base = at(ioffset, 0)
    phs = s.phs
    inc = int(at(xcps, 0) * ctx.sicvt)
    # compat: Csound walks xamp/xcps from their first sample whatever the offset
    for n in range(n0, n1):
        j = n - n0
        ar[n] = base + (s.num1 + float(phs) * s.dfdmax) * at(xamp, j)
        phs += inc
        if j + 1 < ctx.ksmps:
            inc = int(at(xcps, j + 1) * ctx.sicvt)
        if phs >= MAXLEN:
            phs &= PHMASK
            _randi_next(s)
    s.phs = phs


@kernel
def randi_perf_k(s, ctx, kr, xamp, xcps, iseed, isel, ioffset, n0, n1):
    """randi (k): interpolated random value, once per block (krandi)."""
    kr[0] = at(ioffset, 0) + (s.num1 + float(s.phs) * s.dfdmax) * at(xamp, 0)
    s.phs += int(at(xcps, 0) * (FMAXLEN / ctx.kr))
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        _randi_next(s)


defop("randi", "a", "xxvoo", RANDI, randi_init, randi_perf)
defop("randi", "k", "xxvoo", RANDI, randi_init, randi_perf_k)

# ------------------------------------------------------------------ rnd31

RND31 = State(seed=i64)


@helper
def _oscbnk_rand31(seed):
    """oscbnk.c's 31-bit generator: 16807 * x mod 2**31-1."""
    tmp1 = _i32(seed) * 16807
    tmp2 = ((tmp1 & 0x7FFFFFFF) + ((tmp1 >> 31) & 0xFFFFFFFF)) & 0xFFFFFFFF
    if tmp2 & 0x80000000:
        tmp2 = (tmp2 + 1) & 0x7FFFFFFF
    return tmp2


def _oscbnk_seed(ic, seedval: float) -> int:
    """oscbnk.c seedrand: a seed >= 1 is used directly, else the clock."""
    seed = _cvt_i32(seedval + 0.5)
    if seed < 1:
        g = ic.engine.globals
        prev = g.get("noise.oscbnk_seed", 0)
        t = prev + 23 if prev > 0 else _time_seed(ic)
        t = (((t - 1) & 0xFFFFFFFF) % 0x7FFFFFFE) + 1
        g["noise.oscbnk_seed"] = t
        seed = t
    else:
        seed = ((seed - 1) % 0x7FFFFFFE) + 1
    return _oscbnk_rand31(_oscbnk_rand31(seed))


@helper
def _rnd31_mode(rpow):
    """rnd31 distribution: (exponent, mode) with mode 0 uniform, 1 x**p, 2 1-(1-x)**p."""
    if rpow == 0.0 or rpow == -1.0 or rpow == 1.0:
        return 1.0, 0
    if rpow < 0.0:
        return -rpow, 2
    return rpow, 1


@helper
def _rnd31_bipolar(s, rpow, rmode):
    """oscbnk.c rnd_bipolar: next value in [-1, 1] shaped by rpow."""
    s.seed = _oscbnk_rand31(s.seed)
    x = float(s.seed - 0x3FFFFFFF) * (1.0 / 1073741823.015625)
    if rmode == 0:
        return x
    sgn = -1.0 if x < 0.0 else 1.0
    x = abs(x)
    if rmode == 2:
        x = abs(1.0 - x)
    x = x ** rpow
    if rmode == 2:
        x = 1.0 - x
    return x * sgn


def rnd31_init_i(s, ic, out, kscl, krpow, iseed):
    g = ic.engine.globals
    st = np.zeros(1, dtype=RND31)[0]
    st.seed = g.get("noise.rnd31i_seed", 0)
    if iseed < 0.5:
        if st.seed <= 0:
            st.seed = _oscbnk_seed(ic, 0.0)
    else:
        st.seed = _oscbnk_seed(ic, iseed)
    rpow, rmode = _rnd31_mode(krpow)
    out[0] = kscl * _rnd31_bipolar(st, rpow, rmode)
    g["noise.rnd31i_seed"] = int(st.seed)
    return None


def rnd31_init(s, ic, out, kscl, krpow, iseed):
    s.seed = _oscbnk_seed(ic, iseed)
    return None


@kernel
def rnd31_perf_k(s, ctx, kr, kscl, krpow, iseed, n0, n1):
    """rnd31 (k): bipolar random value with a power-law distribution (oscbnk.c)."""
    rpow, rmode = _rnd31_mode(at(krpow, 0))
    kr[0] = at(kscl, 0) * _rnd31_bipolar(s, rpow, rmode)


@kernel
def rnd31_perf(s, ctx, ar, kscl, krpow, iseed, n0, n1):
    """rnd31 (a): bipolar random noise (oscbnk.c rnd31a)."""
    rpow, rmode = _rnd31_mode(at(krpow, 0))
    scl = at(kscl, 0)
    if rmode == 0:
        # compat: the uniform case folds the scale into the constant first
        scl *= 1.0 / 1073741823.015625
        for n in range(n0, n1):
            s.seed = _oscbnk_rand31(s.seed)
            ar[n] = scl * float(s.seed - 0x3FFFFFFF)
    else:
        for n in range(n0, n1):
            ar[n] = scl * _rnd31_bipolar(s, rpow, rmode)


defop("rnd31", "i", "iio", RND31, rnd31_init_i, None)
defop("rnd31", "k", "kko", RND31, rnd31_init, rnd31_perf_k)
defop("rnd31", "a", "kko", RND31, rnd31_init, rnd31_perf)

# -------------------------------------------- holdrand: random randomh randomi

HOLDRAND_DEFAULT = 2345678
ONE_UP_31_BIT = 4.656612875245796924105750827168e-10


def _holdrand(ic) -> np.ndarray:
    """The engine's holdrand cell (uggab.c randGab state)."""
    g = ic.engine.globals
    cell = g.get("noise.holdrand")
    if cell is None:
        cell = g["noise.holdrand"] = np.array([HOLDRAND_DEFAULT], dtype=np.int64)
    return cell


@helper
def _rand_gab(hold):
    """uggab.c randGab: next value in [0, 1) of the engine's holdrand LCG."""
    h = _i32(hold[0] * 214013 + 2531011)
    hold[0] = h
    return float((h & 0xFFFFFFFF) >> 1) * ONE_UP_31_BIT


EMPTY = State()


def random_init_i(s, ic, out, imin, imax):
    out[0] = _rand_gab(_holdrand(ic)) * (imax - imin) + imin
    return None


def holdrand_aux(s, ic, *args):
    return (_holdrand(ic),)


@kernel
def random_perf_k(s, ctx, hold, kr, kmin, kmax, n0, n1):
    """random (k): uniform value in [kmin, kmax) (uggab.c ikRangeRand)."""
    kr[0] = _rand_gab(hold) * (at(kmax, 0) - at(kmin, 0)) + at(kmin, 0)


@kernel
def random_perf(s, ctx, hold, ar, kmin, kmax, n0, n1):
    """random (a): uniform noise in [kmin, kmax) (uggab.c aRangeRand)."""
    lo = at(kmin, 0)
    rge = at(kmax, 0) - lo
    for n in range(n0, n1):
        ar[n] = _rand_gab(hold) * rge + lo


defop("random", "i", "ii", EMPTY, random_init_i, None)
defop("random", "k", "kk", EMPTY, holdrand_aux, random_perf_k, arrays=("hold",))
defop("random", "a", "kk", EMPTY, holdrand_aux, random_perf, arrays=("hold",))

RANDOMH = State(phs=i64, num1=f64)


def _first_fraction(kmin, kmax, ifirstval):
    """Normalised ifirstval of randomh/randomi mode 2."""
    return (ifirstval - kmin) / (kmax - kmin) if (kmax - kmin) != 0.0 else 0.0


def randomh_init(s, ic, ar, kmin, kmax, xcps, imode, ifirstval):
    hold = _holdrand(ic)
    mode = _cvt_i32(imode)
    s.phs = 0
    if mode == 2:
        s.num1 = _first_fraction(kmin, kmax, ifirstval)
    elif mode == 3:
        s.num1 = _rand_gab(hold)
    else:
        s.num1 = 0.0
    return (hold,)


@kernel
def randomh_perf(s, ctx, hold, ar, kmin, kmax, xcps, imode, ifirstval, n0, n1):
    """randomh (a): held random values in [kmin, kmax) (uggab.c randomh)."""
    lo = at(kmin, 0)
    amp = at(kmax, 0) - lo
    phs = s.phs
    inc = _i32(_cvt_i32(at(xcps, 0) * ctx.sicvt))
    for n in range(n0, n1):
        j = n - n0
        ar[n] = s.num1 * amp + lo
        phs = _i32(phs + inc)
        if j + 1 < ctx.ksmps:
            inc = _cvt_i32(at(xcps, j + 1) * ctx.sicvt)
        if phs >= MAXLEN:
            phs &= PHMASK
            s.num1 = _rand_gab(hold)
    s.phs = phs


@kernel
def randomh_perf_k(s, ctx, hold, kr, kmin, kmax, kcps, imode, ifirstval, n0, n1):
    """randomh (k): held random value, phase advanced once per block (krandomh)."""
    kr[0] = s.num1 * (at(kmax, 0) - at(kmin, 0)) + at(kmin, 0)
    s.phs = _i32(s.phs + _cvt_i32(at(kcps, 0) * (FMAXLEN / ctx.kr)))
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        s.num1 = _rand_gab(hold)


defop("randomh", "a", "kkxoo", RANDOMH, randomh_init, randomh_perf, arrays=("hold",))
defop("randomh", "k", "kkkoo", RANDOMH, randomh_init, randomh_perf_k, arrays=("hold",))

RANDOMI = State(phs=i64, num1=f64, num2=f64, dfdmax=f64)


def randomi_init(s, ic, ar, kmin, kmax, xcps, imode, ifirstval):
    hold = _holdrand(ic)
    mode = _cvt_i32(imode)
    s.phs = 0
    if mode == 1:
        s.num1 = 0.0
        s.num2 = _rand_gab(hold)
    elif mode == 2:
        s.num1 = _first_fraction(kmin, kmax, ifirstval)
        s.num2 = _rand_gab(hold)
    elif mode == 3:
        s.num1 = _rand_gab(hold)
        s.num2 = _rand_gab(hold)
    else:
        s.num1 = s.num2 = 0.0
        s.dfdmax = 0.0
        return (hold,)
    s.dfdmax = (s.num2 - s.num1) / FMAXLEN
    return (hold,)


@helper
def _randomi_next(s, hold):
    s.num1 = s.num2
    s.num2 = _rand_gab(hold)
    s.dfdmax = (s.num2 - s.num1) / FMAXLEN


@kernel
def randomi_perf(s, ctx, hold, ar, kmin, kmax, xcps, imode, ifirstval, n0, n1):
    """randomi (a): interpolated random values in [kmin, kmax) (uggab.c randomi)."""
    lo = at(kmin, 0)
    amp = at(kmax, 0) - lo
    phs = s.phs
    inc = _i32(_cvt_i32(at(xcps, 0) * ctx.sicvt))
    for n in range(n0, n1):
        j = n - n0
        ar[n] = (s.num1 + float(phs) * s.dfdmax) * amp + lo
        phs = _i32(phs + inc)
        if j + 1 < ctx.ksmps:
            inc = _cvt_i32(at(xcps, j + 1) * ctx.sicvt)
        if phs >= MAXLEN:
            phs &= PHMASK
            _randomi_next(s, hold)
    s.phs = phs


@kernel
def randomi_perf_k(s, ctx, hold, kr, kmin, kmax, kcps, imode, ifirstval, n0, n1):
    """randomi (k): interpolated random value, once per block (krandomi)."""
    lo = at(kmin, 0)
    kr[0] = (s.num1 + float(s.phs) * s.dfdmax) * (at(kmax, 0) - lo) + lo
    s.phs = _i32(s.phs + _cvt_i32(at(kcps, 0) * (FMAXLEN / ctx.kr)))
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        _randomi_next(s, hold)


defop("randomi", "a", "kkxoo", RANDOMI, randomi_init, randomi_perf, arrays=("hold",))
defop("randomi", "k", "kkkoo", RANDOMI, randomi_init, randomi_perf_k, arrays=("hold",))

# ------------------------------------------------------ rndfrac: rnd birnd

RNDMLT = 105.947


def _rndfrac(ic) -> np.ndarray:
    """The engine's rndfrac cell (aops.c rnd/birnd state)."""
    g = ic.engine.globals
    cell = g.get("noise.rndfrac")
    if cell is None:
        cell = g["noise.rndfrac"] = np.array([0.5])
    return cell


@helper
def _rnd_next(frac):
    """aops.c rnd1: rndfrac = frac(rndfrac * 105.947)."""
    x = frac[0] * RNDMLT
    frac[0] = x - math.trunc(x)
    return frac[0]


def rnd_init_i(s, ic, out, x):
    out[0] = x * _rnd_next(_rndfrac(ic))
    return None


def birnd_init_i(s, ic, out, x):
    out[0] = x * (2.0 * _rnd_next(_rndfrac(ic)) - 1.0)
    return None


def rndfrac_aux(s, ic, *args):
    return (_rndfrac(ic),)


@kernel
def rnd_perf(s, ctx, frac, kr, kx, n0, n1):
    """rnd (k): unipolar random value scaled by kx (aops.c rnd1)."""
    kr[0] = at(kx, 0) * _rnd_next(frac)


@kernel
def birnd_perf(s, ctx, frac, kr, kx, n0, n1):
    """birnd (k): bipolar random value scaled by kx (aops.c birnd1)."""
    kr[0] = at(kx, 0) * (2.0 * _rnd_next(frac) - 1.0)


def rndseed_init(s, ic, iseed):
    _rndfrac(ic)[0] = math.modf(iseed)[0]
    return None


defop("rnd", "i", "i", EMPTY, rnd_init_i, None)
defop("birnd", "i", "i", EMPTY, birnd_init_i, None)
defop("rnd", "k", "k", EMPTY, rndfrac_aux, rnd_perf, arrays=("frac",))
defop("birnd", "k", "k", EMPTY, rndfrac_aux, birnd_perf, arrays=("frac",))
defop("rndseed", "", "i", EMPTY, rndseed_init, None)

# ----------------------------------------------- Mersenne Twister (random.c)

MT_N = 624
MT_M = 397


@helper
def _mt_seed(mt, seed):
    """csoundSeedRandMT with a 32-bit seed (init_genrand); mt[624] holds the index."""
    x = seed & 0xFFFFFFFF
    mt[0] = x
    for i in range(1, MT_N):
        x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
        mt[i] = x
    mt[MT_N] = MT_N


@helper
def _mt_next(mt):
    """csoundRandMT: next 32-bit output of the engine's MT19937."""
    i = mt[MT_N]
    if i >= MT_N:
        for k in range(MT_N):
            y = (mt[k] & 0x80000000) | (mt[(k + 1) % MT_N] & 0x7FFFFFFF)
            v = mt[(k + MT_M) % MT_N] ^ (y >> 1)
            if y & 1:
                v ^= 0x9908B0DF
            mt[k] = v
        i = 0
    y = mt[i]
    mt[MT_N] = i + 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    y ^= y >> 18
    return y & 0xFFFFFFFF


def _mt(ic) -> np.ndarray:
    """The engine's Mersenne Twister state (seeded with 5489 as in Csound)."""
    g = ic.engine.globals
    mt = g.get("noise.mt")
    if mt is None:
        mt = g["noise.mt"] = np.zeros(MT_N + 1, dtype=np.int64)
        _mt_seed(mt, 5489)
    return mt


U32_SCALE = 1.0 / 4294967295.03125


@helper
def _unirand(mt):
    return float(_mt_next(mt)) * U32_SCALE


@helper
def _dist(kind, mt, a, b, c):
    """One draw of cmath.c distribution `kind` with parameters a, b, c."""
    if kind == 0:  # unirand
        return a * _unirand(mt)
    if kind == 1:  # linrand
        r1 = _mt_next(mt)
        r2 = _mt_next(mt)
        return float(min(r1, r2)) * U32_SCALE * a
    if kind == 2:  # trirand
        r = _mt_next(mt) + _mt_next(mt)
        return float(r - 0xFFFFFFFF) * U32_SCALE * a
    if kind == 3:  # exprand
        if a < 0.0:
            return 0.0
        r = _mt_next(mt)
        while r == 0:
            r = _mt_next(mt)
        return -(math.log(float(r) * U32_SCALE) * a)
    if kind == 4:  # bexprnd
        if a < 0.0:
            return 0.0
        r = _i32(_mt_next(mt))
        while r == 0:
            r = _i32(_mt_next(mt))
        if r < 0:
            return -(math.log(float(_i32(-r)) * (1.0 / 2147483648.0)) * a)
        return math.log(float(r) * (1.0 / 2147483648.0)) * a
    if kind == 5:  # gauss (sum of 12 uniforms)
        r = -(0xFFFFFFFF * 6)
        for _ in range(12):
            r += _mt_next(mt)
        return float(r) * (a * (1.0 / (3.83 * 4294967295.03125)))
    if kind == 6:  # cauchy
        r = _mt_next(mt)
        while r > 2143188560 and r < 2151778735:
            r = _mt_next(mt)
        return math.tan(float(r) * (math.pi / 4294967295.0)) * (1.0 / 318.3) * a
    if kind == 7:  # pcauchy
        r = _mt_next(mt)
        while r > 4286377121:
            r = _mt_next(mt)
        # compat: evaluated left to right, unlike cauchy
        return math.tan(float(r) * (math.pi / 2.0) / 4294967295.0) * (1.0 / 318.3) * a
    if kind == 8:  # betarand(range a, alpha b, beta c)
        if b <= 0.0 or c <= 0.0:
            return 0.0
        while True:
            t = _mt_next(mt)
            while t == 0:
                t = _mt_next(mt)
            r1 = (float(t) * U32_SCALE) ** (1.0 / b)
            t = _mt_next(mt)
            while t == 0:
                t = _mt_next(mt)
            r2 = r1 + (float(t) * U32_SCALE) ** (1.0 / c)
            if not r2 > 1.0:
                break
        return (r1 / r2) * a
    if kind == 9:  # weibull(sigma a, tau b)
        if b <= 0.0:
            return 0.0
        r = _mt_next(mt)
        while r == 0 or r == 0xFFFFFFFF:
            r = _mt_next(mt)
        r2 = 1.0 - float(r) * (1.0 / 4294967295.0)
        return a * (-math.log(r2)) ** (1.0 / b)
    # poisson
    if a < 0.0:
        return 0.0
    r1 = _unirand(mt)
    r2 = math.exp(-a)
    r3 = 0.0
    while r1 >= r2:
        r3 += 1.0
        r1 *= _unirand(mt)
    return r3


DIST = State(kind=i64)


def _dist_aux(kind: int):
    """init of the k and a rows: remember the distribution, hand over the MT state."""
    def init(s, ic, out, *args):
        s.kind = kind
        return (_mt(ic),)
    return init


def _dist_init_i(kind: int):
    """init of the i row: one draw at init time."""
    def init(s, ic, out, *args):
        p = list(args) + [0.0] * (3 - len(args))
        out[0] = _dist(kind, _mt(ic), p[0], p[1], p[2])
        return None
    return init


@kernel
def dist_perf_k(s, ctx, mt, kr, a, n0, n1):
    """unirand linrand trirand exprand bexprnd gauss cauchy pcauchy poisson (k)."""
    kr[0] = _dist(s.kind, mt, at(a, 0), 0.0, 0.0)


@kernel
def dist_perf_a(s, ctx, mt, ar, a, n0, n1):
    """unirand linrand trirand exprand bexprnd gauss cauchy pcauchy poisson (a)."""
    pa = at(a, 0)
    if s.kind == 0:
        # compat: auniform folds the range into the scale first
        scale = pa * U32_SCALE
        for n in range(n0, n1):
            ar[n] = float(_mt_next(mt)) * scale
    else:
        for n in range(n0, n1):
            ar[n] = _dist(s.kind, mt, pa, 0.0, 0.0)


@kernel
def weibull_perf_k(s, ctx, mt, kr, ksigma, ktau, n0, n1):
    """weibull (k): one Weibull draw per block (cmath.c weibrand)."""
    kr[0] = _dist(9, mt, at(ksigma, 0), at(ktau, 0), 0.0)


@kernel
def weibull_perf_a(s, ctx, mt, ar, ksigma, ktau, n0, n1):
    """weibull (a): Weibull-distributed noise (cmath.c weibrand)."""
    for n in range(n0, n1):
        ar[n] = _dist(9, mt, at(ksigma, 0), at(ktau, 0), 0.0)


@kernel
def betarand_perf_k(s, ctx, mt, kr, krange, kalpha, kbeta, n0, n1):
    """betarand (k): one beta draw per block (cmath.c betarand)."""
    kr[0] = _dist(8, mt, at(krange, 0), at(kalpha, 0), at(kbeta, 0))


@kernel
def betarand_perf_a(s, ctx, mt, ar, krange, kalpha, kbeta, n0, n1):
    """betarand (a): beta-distributed noise (cmath.c betarand)."""
    # compat: cmath.c abeta draws from sample 0 whatever the offset
    for n in range(0, n1):
        ar[n] = _dist(8, mt, at(krange, 0), at(kalpha, 0), at(kbeta, 0))


_PERF = {"k": (dist_perf_k, dist_perf_a), "kk": (weibull_perf_k, weibull_perf_a),
         "kkk": (betarand_perf_k, betarand_perf_a)}

for _kind, (_name, _ins) in enumerate([
    ("unirand", "k"), ("linrand", "k"), ("trirand", "k"), ("exprand", "k"),
    ("bexprnd", "k"), ("gauss", "k"), ("cauchy", "k"), ("pcauchy", "k"),
    ("betarand", "kkk"), ("weibull", "kk"), ("poisson", "k"),
]):
    defop(_name, "i", _ins, DIST, _dist_init_i(_kind), None)
    defop(_name, "k", _ins, DIST, _dist_aux(_kind), _PERF[_ins][0], arrays=("mt",))
    defop(_name, "a", _ins, DIST, _dist_aux(_kind), _PERF[_ins][1], arrays=("mt",))


def _mt_aux(s, ic, *args):
    return (_mt(ic),)


# gauss with mean and deviation: Box-Muller pairs (cmath.c gausscompute)
GAUSS = State(z=f64, flag=i64)


@helper
def _gauss_bm(s, mt, mu, sigma):
    """cmath.c gausscompute: Box-Muller, the second value of each pair is kept."""
    if s.flag == 0:
        u1 = _unirand(mt)
        u2 = _unirand(mt)
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        s.z = math.sqrt(-2.0 * math.log(u1)) * math.sin(2.0 * math.pi * u2)
        s.flag = 1
        return sigma * z + mu
    s.flag = 0
    return sigma * s.z + mu


def gauss_init_ii(s, ic, out, imu, isigma):
    out[0] = _gauss_bm(s, _mt(ic), imu, isigma)
    return None


@kernel
def gauss_perf_kk(s, ctx, mt, kr, kmu, ksigma, n0, n1):
    """gauss (k, mean and deviation): one Box-Muller draw per block."""
    kr[0] = _gauss_bm(s, mt, at(kmu, 0), at(ksigma, 0))


@kernel
def gauss_perf_akk(s, ctx, mt, ar, kmu, ksigma, n0, n1):
    """gauss (a, mean and deviation): Box-Muller noise."""
    for n in range(n0, n1):
        ar[n] = _gauss_bm(s, mt, at(kmu, 0), at(ksigma, 0))


defop("gauss", "i", "ii", GAUSS, gauss_init_ii, None)
defop("gauss", "k", "kk", GAUSS, _mt_aux, gauss_perf_kk, arrays=("mt",))
defop("gauss", "a", "kk", GAUSS, _mt_aux, gauss_perf_akk, arrays=("mt",))

# ----------------------------------------------------------- seed getseed


def seed_init(s, ic, iseed):
    """seed: reseed the engine's generators (cmath.c seedrand)."""
    xx = _cvt_i32(float(iseed) + 0.5)
    if xx > 0:
        seed = xx
    elif xx == 0:
        seed = _time_seed(ic)
    else:
        seed = 0
        ic.warning("Seeding with 0\n")
    _mt_seed(_mt(ic), seed)
    _holdrand(ic)[0] = seed & 0x7FFFFFFF
    while seed >= 0x7FFFFFFE:
        seed -= 0x7FFFFFFE
    # compat: Csound means to map 0 to 1 here but overwrites it
    ic.engine.globals["noise.randseed1"] = _i32(seed)
    return None


def getseed_init(s, ic, out):
    out[0] = float(ic.engine.globals.get("noise.randseed1", 15937))
    return None


def getseed_python(s, pc, out, n0, n1):
    """getseed (k): the engine's randSeed1."""
    out[0] = float(pc.engine.globals.get("noise.randseed1", 15937))


defop("seed", "", "i", EMPTY, seed_init, None)
defop("getseed", "i", "", EMPTY, getseed_init, None)
defop("getseed", "k", "", EMPTY, getseed_init, getseed_python, python_perf=True)
