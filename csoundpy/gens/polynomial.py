"""Polynomial GENs: 03 (polynomial), 12 (log of Bessel I0), 13/14/15 (Chebyshev
waveshaping).  Csound 6.18 Engine/fgens.c gen03, gen12, gn1314, gen15."""

from __future__ import annotations

import math

import numpy as np

from ..engine.tables import FunctionTable
from ._base import TPD360, GenCall, c_int, clog, finish, libm


def _polynomial(call: GenCall, xmin: float, xmax: float, coefs: list) -> None:
    if not coefs:
        raise call.error("no coefs present")
    xintvl = xmax - xmin
    if xintvl <= 0:
        raise call.error("illegal x interval")
    xscale = xintvl / call.flen
    xloc = c_int(xmin / xscale)
    x = (xloc + np.arange(call.flen + 1, dtype=np.float64)) * xscale
    total = np.full(call.flen + 1, float(coefs[-1]))
    for c in reversed(coefs[:-1]):  # Horner's rule from the top coefficient
        total = total * x + c
    call.data[:] = total


def gen03(call: GenCall) -> None:
    """Polynomial sum c0 + c1 x + ... over x in [xmin, xmax]."""
    _polynomial(call, call.p(0), call.p(1), [call.p(i) for i in range(2, call.nargs)])


def gen12(call: GenCall) -> None:
    """log(I0(x)) for x in [0, xint] (polynomial approximation of Bessel I0)."""
    coefs = (3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813)
    xscale = float(call.p(0)) / call.flen / 3.75
    t = np.arange(call.flen + 1, dtype=np.float64) * xscale
    t = t * t
    total = np.ones_like(t)
    power = np.ones_like(t)
    for c in coefs:
        power = power * t
        total = total + c * power
    call.data[:] = libm(clog, total)


def _chebyshev(call: GenCall, xint: float, xamp: float, hs: list, mxval: float,
               mxscal: float) -> None:
    """Turn Chebyshev strengths into power-series coefficients, then draw as GEN03."""
    nh = len(hs)
    if nh <= 0:
        raise call.error("insufficient arguments")
    if xint <= 0:
        raise call.error("illegal xint value")
    if xamp <= 0:
        raise call.error("illegal xamp value")
    m = []
    for _ in range(((nh + 1) >> 1) - 1):  # -val, val, -val, ... (first matrix row)
        mxval = -mxval
        m.append(mxval)
    m += [0.0] * max(0, nh // 2 - len(m))
    scalfac = 2 / xamp
    h = [float(v) for v in hs]
    for j in range(nh):
        remaining = nh - j
        total = h[j]
        for t in range(((remaining + 1) >> 1) - 1):
            total += m[t] * h[j + 2 * (t + 1)]
        h[j] = total * mxscal
        prvm = 1.0
        for t in range((remaining >> 1) - 1):
            prvm = m[t] - prvm
            m[t] = prvm
        mxscal *= scalfac
    _polynomial(call, -xint, xint, h)


def gen13(call: GenCall) -> None:
    """Chebyshev polynomials of the first kind (waveshaping transfer function)."""
    _chebyshev(call, call.p(0), call.p(1), [call.p(i) for i in range(2, call.nargs)], 2.0, 0.5)


def gen14(call: GenCall) -> None:
    """Chebyshev polynomials of the second kind."""
    _chebyshev(call, call.p(0), call.p(1), [call.p(i) for i in range(2, call.nargs)], 1.0, 1.0)


def gen15(call: GenCall) -> None:
    """Phase-quadrature pair: GEN13 of h cos(phase) in this table, GEN14 of
    h sin(phase) (from h1 on) in table number + 1, which is stored directly."""
    if call.nargs & 1:
        raise call.error("uneven number of args")
    xint, xamp = call.p(0), call.p(1)
    nh = (call.nargs - 2) >> 1
    hcos, hsin = [], []
    for i in range(nh):
        h = call.p(2 + 2 * i)
        angle = call.p(3 + 2 * i) * TPD360
        hcos.append(h * math.cos(angle))
        hsin.append(h * math.sin(angle))
    _chebyshev(call, xint, xamp, hcos, 2.0, 0.5)
    pair = GenCall(call.number + 1, call.flen, call.gen, call.name, call.args, call.env,
                   call.guardreq, call.rescale)
    _chebyshev(pair, xint, xamp, hsin[1:], 1.0, 1.0)
    finish(pair)
    call.env.tables.set(FunctionTable(number=pair.number, data=pair.data, gen=15,
                                      args=tuple(call.args), sr=call.sr,
                                      extra={"flenfrms": call.flen}))
