"""Random-distribution GENs: 21 (Csound 6.18 OOps/cmath.c gen21_rand with the
Mersenne Twister of OOps/random.c), 40, 41, 42 (Engine/fgens.c).

GEN21 draws from the engine-wide Mersenne Twister that Csound seeds with 5489
at start-up and that the `seed` opcode and the cmath random opcodes (betarand,
gauss ...) share.  Its state lives in `env.globals[RAND_MT_KEY]` as a uint32
array of 625 words: mt[0..623] and the read index mti.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import GenCall, c_int, cexp, clog, cpow

RAND_MT_KEY = "randmt"
_N, _M = 624, 397
_UNI = 1.0 / 4294967295.03125


def mt_seed(seed: int) -> np.ndarray:
    """MT19937 state seeded with a 32-bit value (Csound's csoundSeedRandMT, no key)."""
    state = np.zeros(_N + 1, dtype=np.uint32)
    x = seed & 0xFFFFFFFF
    state[0] = x
    for i in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
        state[i] = x
    state[_N] = _N
    return state


def mt_state(env) -> np.ndarray:
    """The engine's shared generator state, created with Csound's seed 5489."""
    state = env.globals.get(RAND_MT_KEY)
    if state is None:
        state = env.globals[RAND_MT_KEY] = mt_seed(5489)
    return state


class _MT:
    """Sequential reader over the shared state (Python ints inside, written back on close)."""

    def __init__(self, state: np.ndarray):
        self.state = state
        self.mt = [int(v) for v in state[:_N]]
        self.i = int(state[_N])

    def _refill(self) -> None:
        mt = self.mt
        for k in range(_N):
            y = (mt[k] & 0x80000000) | (mt[(k + 1) % _N] & 0x7FFFFFFF)
            mt[k] = mt[(k + _M) % _N] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.i = 0

    def next(self) -> int:
        if self.i >= _N:
            self._refill()
        y = self.mt[self.i]
        self.i += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y

    def close(self) -> None:
        self.state[:_N] = self.mt
        self.state[_N] = self.i


def _nonzero(mt: _MT) -> int:
    while True:
        r = mt.next()
        if r:
            return r


def _uniform(mt, scale, *_):
    return scale * (mt.next() * _UNI)


def _linear(mt, scale, *_):
    r1, r2 = mt.next(), mt.next()
    return (min(r1, r2) * _UNI) * scale


def _triangular(mt, scale, *_):
    r = mt.next() + mt.next()
    return ((r - 0xFFFFFFFF) * _UNI) * scale


def _exponential(mt, scale, *_):
    if scale < 0.0:
        return 0.0
    return -(clog(_nonzero(mt) * _UNI) * scale)


def _biexponential(mt, scale, *_):
    if scale < 0.0:
        return 0.0
    r = _nonzero(mt)
    r = r - (1 << 32) if r & 0x80000000 else r  # as int32
    if r < 0:
        return -(clog(-r * (1.0 / 2147483648.0)) * scale)
    return clog(r * (1.0 / 2147483648.0)) * scale


def _gaussian(mt, scale, *_):
    r = -(0xFFFFFFFF * 6)
    for _ in range(12):
        r += mt.next()
    return float(r) * (scale * (1.0 / (3.83 * 4294967295.03125)))


def _cauchy(mt, scale, *_):
    while True:
        r = mt.next()
        if not (2143188560 < r < 2151778735):
            break
    return math.tan(r * (math.pi / 4294967295.0)) * (1.0 / 318.3) * scale


def _positive_cauchy(mt, scale, *_):
    while True:
        r = mt.next()
        if r <= 4286377121:
            break
    return math.tan(r * (math.pi / 2) / 4294967295.0) * (1.0 / 318.3) * scale


def _beta(mt, scale, a, b):
    if a <= 0.0 or b <= 0.0:
        return 0.0
    while True:
        r1 = cpow(_nonzero(mt) * _UNI, 1.0 / a)
        r2 = r1 + cpow(_nonzero(mt) * _UNI, 1.0 / b)
        if r2 <= 1.0:
            return (r1 / r2) * scale


def _weibull(mt, scale, t, _):
    if t <= 0.0:
        return 0.0
    while True:
        r = mt.next()
        if r and r != 0xFFFFFFFF:
            break
    r2 = 1.0 - r * (1.0 / 4294967295.0)
    return scale * cpow(-clog(r2), 1.0 / t)


def _poisson(mt, lam, *_):
    if lam < 0.0:
        return 0.0
    r1 = mt.next() * _UNI
    r2 = cexp(-lam)
    r3 = 0.0
    while r1 >= r2:
        r3 += 1.0
        r1 *= mt.next() * _UNI
    return r3


_DISTRIBUTIONS = {
    1: _uniform, 2: _linear, 3: _triangular, 4: _exponential, 5: _biexponential,
    6: _gaussian, 7: _cauchy, 8: _positive_cauchy, 9: _beta, 10: _weibull, 11: _poisson,
}


def gen21(call: GenCall) -> None:
    """Table of random numbers: type, level [, arg1 [, arg2]]."""
    scale = float(call.p(1)) if call.nargs > 1 else 1.0
    kind = c_int(call.p(0))
    draw = _DISTRIBUTIONS.get(kind)
    if draw is None:
        raise call.error("unknown distribution")
    if (kind == 9 and call.nargs < 3) or (kind == 10 and call.nargs < 2):
        raise call.error("Wrong number of input arguments")
    a, b = float(call.p(2)), float(call.p(3))
    if kind == 10:
        a, b = float(call.p(2)), 0.0
    n = call.flen + (1 if call.guardreq else 0)
    mt = _MT(mt_state(call.env))
    try:
        call.data[:n] = [draw(mt, scale, a, b) for _ in range(n)]
    finally:
        mt.close()


def gen40(call: GenCall) -> None:
    """Random-distribution index table from a histogram table."""
    src = call.env.tables.get(c_int(call.p(0))) if c_int(call.p(0)) > 0 else None
    if src is None:
        raise call.error("unknown source table number")
    srcpts = src.size
    running = np.cumsum(src.data[:srcpts])
    # compat: Csound's search may read one element past the running sums (0 here)
    ahead = np.append(running[1:], 0.0)
    with np.errstate(all="ignore"):
        scaled = ahead * ((call.flen - 1) / running[-1])
    for j in range(call.flen):
        hit = np.flatnonzero(~(scaled < j))
        call.data[j] = hit[0] if hit.size else srcpts
    call.data[call.flen] = call.data[call.flen - 1]


def gen41(call: GenCall) -> None:
    """Random value/probability pairs laid out by probability."""
    n = call.nargs
    probs = [call.p(j + 1) for j in range(0, n, 2)]
    for p in probs:
        if p < 0:
            raise call.error("Gen41: negative probability not allowed")
    if n & 1:
        raise call.error("Gen41: Must have even numer of arguments")
    total = 0.0
    for p in probs:
        total += p
    i = 0
    for j in range(0, n, 2):
        width = c_int((call.p(j + 1) / total) * call.flen + 0.5)
        lo, hi = min(i, call.flen), min(i + max(width, 0), call.flen)
        call.data[lo:hi] = call.p(j)
        i += max(width, 0)
    if i <= call.flen:
        # compat: Csound stores the last probability (not a value) here
        call.data[i] = call.p(n - 1)


def gen42(call: GenCall) -> None:
    """Random ranges: min max probability triples laid out as ramps."""
    total = 0.0
    for j in range(0, call.nargs, 3):
        total += call.p(j + 2)
    pos = 0
    end = call.flen + 1
    for j in range(0, call.nargs, 3):
        p1, p2, p3 = call.p(j), call.p(j + 1), call.p(j + 2)
        width = c_int((p3 / total) * call.flen + 0.5)
        if width <= 0:
            continue
        inc = (p2 - p1) / np.float64(width - 1)
        vals = p1 + inc * np.arange(width, dtype=np.float64)
        n = max(0, min(width, end - pos))  # Csound writes past the end here; we clip
        call.data[pos:pos + n] = vals[:n]
        pos += width
    if 0 < pos <= call.flen:
        call.data[pos] = call.data[pos - 1]
