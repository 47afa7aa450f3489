"""GEN20 window functions (Csound 6.18 Engine/fgens.c gen20; Kaiser uses the
Bessel I0 approximation of OOps/pvsanal.c besseli)."""

from __future__ import annotations

import math

import numpy as np

from ._base import TWOPI, GenCall, c_int, cexp, cpow, csqrt, libm, ramp


def besseli(x: float) -> float:
    """Modified Bessel function I0 (Abramowitz & Stegun polynomial fit)."""
    ax = abs(x)
    if ax < 3.75:
        y = x / 3.75
        y *= y
        return 1.0 + y * (3.5156229 + y * (3.0899424 + y * (1.2067492 + y * (
            0.2659732 + y * (0.360768e-1 + y * 0.45813e-2)))))
    y = 3.75 / ax
    return (cexp(ax) / math.sqrt(ax)) * (0.39894228 + y * (0.1328592e-1 + y * (
        0.225319e-2 + y * (-0.157565e-2 + y * (0.916281e-2 + y * (-0.2057706e-1 + y * (
            0.2635537e-1 + y * (-0.1647633e-1 + y * 0.392377e-2))))))))


# Cosine-sum coefficients a0 - a1 cos x + a2 cos 2x - a3 cos 3x.
_COSINE_SUMS = {
    1: (0.54, 0.46, 0.0, 0.0),  # Hamming
    2: (0.5, 0.5, 0.0, 0.0),  # Hanning
    4: (0.42, 0.5, 0.08, 0.0),  # Blackman
    5: (0.35878, 0.48829, 0.14128, 0.01168),  # Blackman-Harris
}


def gen20(call: GenCall) -> None:
    """Windows: 1 Hamming, 2 Hanning, 3 Bartlett, 4 Blackman, 5 Blackman-Harris,
    6 Gaussian, 7 Kaiser, 8 rectangle, 9 sinc."""
    ft, flen = call.data, call.flen
    half = flen >> 1
    # compat: the `max` argument only scales when the GEN number is negative
    xarg = float(call.p(1)) if (not call.rescale and call.nargs >= 2) else 1.0
    beta = varian = float(call.p(2)) if call.nargs > 2 else None
    beta = 0.0 if beta is None else beta
    varian = 1.0 if varian is None else varian
    kind = c_int(call.p(0))
    with np.errstate(all="ignore"):
        if kind in _COSINE_SUMS:
            a0, a1, a2, a3 = _COSINE_SUMS[kind]
            x = ramp(0.0, TWOPI / flen, flen + 1)
            ft[:] = xarg * (a0 - a1 * np.cos(x) + a2 * np.cos(2.0 * x) - a3 * np.cos(3.0 * x))
        elif kind == 3:
            x = ramp(0.0, 1.0, flen)
            arg = 2.0 / flen
            ft[:half] = x[:half] * arg * xarg
            ft[half:flen] = (2.0 - x[half:] * arg) * xarg
        elif kind == 6:
            arg = 12.0 / flen
            x = np.concatenate((ramp(-6.0, arg, half), ramp(0.0, arg, flen + 1 - half)))
            expo = -(x * x) / (2.0 * varian * varian)
            ft[:] = xarg * libm(lambda e: cpow(2.718281828459, e), expo)
        elif kind == 7:
            flen2 = 4.0 / (float(flen) * float(flen))
            besbeta = 1.0 / besseli(beta)
            ft[0] = ft[flen] = xarg * besbeta
            x = ramp(flen * -0.5 + 1.0, 1.0, flen - 1)
            for i, xi in enumerate(x, start=1):
                ft[i] = xarg * besseli(beta * csqrt(1.0 - xi * xi * flen2)) * besbeta
        elif kind == 8:
            ft[:] = xarg
        elif kind == 9:
            arg = TWOPI * varian / flen
            x = ramp(-math.pi * varian, arg, half)
            ft[:half] = xarg * np.sin(x) / x
            ft[half] = xarg
            x = ramp(arg, arg, flen - half)
            ft[half + 1:] = xarg * np.sin(x) / x
        else:
            raise call.error("No such window type!")
