"""Named GENs: "tanh", "exp", "sone", "wave" (Csound 6.18 Opcodes/ftest.c) and
"farey" (Opcodes/fareygen.c).  Csound 6.18 has no "quadbezier" (it answers
`Named gen "quadbezier" not defined`), so neither do we."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InitError
from ._base import GenCall, c_int, cexp, cpow, libm, ramp


def _curve(call: GenCall, fn, rescale_arg: int) -> None:
    """fn(x) for x from start to end in flen steps; a nonzero rescale argument
    turns normalisation off (Csound negates the GEN number)."""
    start, end = call.p(0), call.p(1)
    x = ramp(start, (end - start) / call.flen, call.flen + 1)
    call.data[:] = fn(x)
    if call.p(rescale_arg) != 0.0:
        call.rescale = False


def gen_tanh(call: GenCall) -> None:
    """tanh(x) over [start, end]."""
    _curve(call, lambda x: libm(math.tanh, x), 2)


def gen_exp(call: GenCall) -> None:
    """exp(x) over [start, end]."""
    _curve(call, lambda x: libm(cexp, x), 2)


def gen_sone(call: GenCall) -> None:
    """Sone curve x * (x / eqlp)^(33/78) over [start, end]."""
    eqlp = call.p(2)
    if eqlp == 0.0:
        eqlp = 0.001
    power = 33.0 / 78.0
    _curve(call, lambda x: x * libm(lambda v: cpow(v / eqlp, power), x), 3)


def gen_wave(call: GenCall) -> None:
    """Wavelet: iterated upsampling of an impulse through a filter table and its
    quadrature mirror, the branch at each step chosen by a bit of `order`."""
    fno = c_int(call.p(0))
    src = call.env.tables.get(fno) if fno > 0 else None
    if src is None:
        raise InitError("ftable number does not exist\n")
    if call.nargs < 3:
        call.warning("insufficient arguments")
    size = src.size
    lowpass = src.data[:size].copy()
    highpass = np.where(np.arange(size) % 2 == 0, 1.0, -1.0) * lowpass[::-1]
    filters = (lowpass, highpass)
    order = c_int(call.p(1))
    flen = call.flen
    inp, buf = np.zeros(flen), np.zeros(flen)
    inp[0] = 1.0
    steps = int(math.log2(flen // size)) if flen // size > 0 else 0
    length = size
    taps = np.arange(size)
    for step in range(steps):
        fil = filters[(order >> step) & 1]
        length *= 2
        for j in range(length):
            np.add.at(buf, (2 * j + taps) % length, inp[j] * fil)
        inp[:length] = buf[:length]
        buf[:length] = 0.0
    call.data[:length] = inp[:length]
    if call.p(2) != 0.0:
        call.rescale = False


# --- farey --------------------------------------------------------------
_PRIMES = [p for p in range(2, 1000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def _euler_phi(n: int) -> int:
    """Totient via the prime factors below 1000, in floating point as Csound does."""
    if n <= 1:
        return n
    bases, m = [], n
    for prime in _PRIMES:
        if len(bases) == 16 or prime > m:
            break
        if m == prime:
            bases.append(m)
            break
        if m % prime == 0:
            while m % prime == 0:
                m //= prime
            bases.append(prime)
    result = float(n)
    for q in bases:
        result *= 1.0 - 1.0 / q
    return int(result)


def _farey(n: int) -> list[tuple[int, int]]:
    size = 1 + sum(_euler_phi(i) for i in range(1, n + 1))
    flist = [(0, 0)] * (size + 1)  # one spare slot: Csound writes one past the end
    a, b, c, d, i = 0, 1, 1, n, 1
    flist[0] = (a, b)
    while c < n:
        k = (n + b) // d
        a, b, c, d = c, d, k * c - a, k * d - b
        flist[i] = (a, b)
        if i < size:
            i += 1
    return flist[:size]


def gen_farey(call: GenCall) -> None:
    """Farey sequence F_n in several forms: mode 0 values, 1 deltas,
    2 denominators, 3 normalised denominators, 4 values + 1."""
    if call.nargs < 2:
        raise call.error("insufficient arguments for fareytable")
    call.rescale = False
    n, mode = c_int(call.p(0)), c_int(call.p(1))
    flist = _farey(n)
    count = min(call.flen, len(flist))
    with np.errstate(all="ignore"):
        ratios = np.array([np.float64(p) / q for p, q in flist[:count]] or [0.0])[:count]
        dens = np.array([float(q) for _, q in flist[:count]])
        if mode == 1:
            vals = np.array([np.float64(p) / q for p, q in flist[1:call.flen + 1]])
            call.data[:len(vals)] = np.diff(vals, prepend=0.0)
        elif mode == 2:
            call.data[:count] = dens
        elif mode == 3:
            call.data[:count] = dens * (1.0 / n)
        elif mode == 4:
            call.data[:count] = 1.0 + ratios
        else:
            call.data[:count] = ratios


NAMED = {
    "tanh": gen_tanh,
    "exp": gen_exp,
    "sone": gen_sone,
    "wave": gen_wave,
    "farey": gen_farey,
}
