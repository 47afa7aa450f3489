"""Sums of sinusoids: GEN09, GEN10, GEN11, GEN19 (Csound 6.18 Engine/fgens.c)
and GEN34 (oscillator-bank mix of a partial list, fgens.c gen34)."""

from __future__ import annotations

import math

import numpy as np

from .._jit import helper
from ._base import TPD360, TWOPI, GenCall, c_int


@helper
def _add_partial(data, inc, amp, phs, dc):
    """Accumulate sin(phs)*amp + dc with Csound's running, wrapped phase."""
    for i in range(data.shape[0]):
        data[i] += math.sin(phs) * amp + dc
        phs += inc
        if phs >= 2.0 * math.pi:
            phs -= 2.0 * math.pi


def _partials(call: GenCall, width: int) -> None:
    """GEN09 (width 3) and GEN19 (width 4, with DC offset)."""
    tpdlen = TWOPI / call.flen
    for k in range(call.nargs // width):
        base = width * k
        dc = call.p(base + 3) if width == 4 else 0.0
        _add_partial(call.data, float(call.p(base) * tpdlen), float(call.p(base + 1)),
                     float(call.p(base + 2) * TPD360), float(dc))


def gen09(call: GenCall) -> None:
    """Partials with arbitrary ratio, strength and phase (degrees)."""
    _partials(call, 3)


def gen19(call: GenCall) -> None:
    """Like GEN09 plus a DC offset per partial."""
    _partials(call, 4)


def gen10(call: GenCall) -> None:
    """Harmonic sines, strength per harmonic."""
    flen = call.flen
    tpdlen = TWOPI / flen
    index = np.arange(flen + 1, dtype=np.int64)
    # Csound adds the highest harmonic first; the order matters in the last bit
    for h in range(call.nargs, 0, -1):
        amp = call.p(h - 1)
        if amp != 0.0:
            call.data += np.sin(((index * h) % flen) * tpdlen) * amp


def _intpow(x: float, n: int) -> float:
    """Csound's intpow: binary powering (its rounding differs from pow)."""
    if n < 0:
        n, x = -n, 1.0 / x
    ans = 1.0
    while n:
        if n & 1:
            ans = ans * x
        n >>= 1
        x = x * x
    return ans


def gen11(call: GenCall) -> None:
    """Cosine partials lh..lh+nh-1 with geometric strengths r (buzz / gbuzz shapes)."""
    n = c_int(call.p(0))
    if n < 1:
        raise call.error("nh partials < 1")
    k = c_int(call.p(1)) if call.nargs > 1 else 1
    r = float(call.p(2)) if call.nargs > 2 else 1.0
    flen = call.flen
    phs = np.arange(flen + 1, dtype=np.float64)
    with np.errstate(all="ignore"):
        if call.nargs == 1 or (k == 1 and r == 1.0):
            x = phs * (math.pi / flen)
            denom = np.sin(x)
            val = (np.sin((2 * n + 1) * x) / denom - 1.0) * (0.5 / n)
            call.data[:] = np.where(np.abs(denom) < 1.0e-10, 1.0, val)
            return
        x = phs * (TWOPI / flen)
        rtn = _intpow(r, n)
        rtnp1 = rtn * r
        absr = abs(r)
        scale = 1.0 / n if 0.999 < absr < 1.001 else (1.0 - absr) / (1.0 - abs(rtn))
        numer = (np.cos(x * k) - r * np.cos(x * (k - 1)) - rtn * np.cos(x * (k + n))
                 + rtnp1 * np.cos(x * (k + n - 1)))
        denom = (r * r + 1.0) - (r * 2.0) * np.cos(x)
        call.data[:] = np.where((denom > 0.0001) | (denom < -0.0001), numer / denom * scale, 1.0)


@helper
def _osc_bank(out, xs, cs, vs):
    """Sum of recursive sine oscillators x' = x + v, v' = v + c*x."""
    for i in range(xs.shape[0]):
        x = xs[i]
        c = cs[i]
        v = vs[i]
        for j in range(out.shape[0]):
            out[j] += x
            v += c * x
            x += v


def gen34(call: GenCall) -> None:
    """Mix of partials (amplitude, frequency, phase triples) read from a table."""
    if call.nargs < 3:
        raise call.error("insufficient gen arguments")
    fmode = call.p(3) if call.nargs > 3 else 0.0
    src = call.env.tables.get(int(call.p(0))) if int(call.p(0)) > 0 else None
    if src is None:
        raise call.error(f"Invalid ftable no. {call.p(0):f}")
    srcft = src.data
    nh = max(0, min(c_int(call.p(1) + 0.5), src.size // 3))
    scl = call.p(2)
    if fmode < 0.0:
        fmode = TWOPI / (call.sr * -fmode)
    elif fmode > 0.0:
        fmode = TWOPI / fmode
    else:
        fmode = TWOPI / call.flen
    xs, cs, vs = np.zeros(nh), np.zeros(nh), np.zeros(nh)
    for i in range(nh):
        amp = scl * srcft[3 * i]
        frq = fmode * srcft[3 * i + 1]
        if abs(frq) > math.pi:
            continue
        phs = TWOPI * srcft[3 * i + 2]
        y0 = math.sin(phs)
        y1 = math.sin(phs + frq)
        cs[i] = 2.0 * math.cos(frq) - 2.0
        vs[i] = (y1 - cs[i] * y0 - y0) * amp
        xs[i] = y0 * amp
    _osc_bank(call.data, xs, cs, vs)
