"""Rate conversion: downsamp, upsamp, interp (and the a()/k() converters),
samphold (OOps/ugens6.c, OOps/ugens5.c)."""

from __future__ import annotations

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import State, defop, f64

DOWNSAMP = State(len=f64)


def _downsamp_init(s, ic, out, asig, iwlen):
    if int(iwlen) > ic.ksmps:
        raise InitError("ilen > ksmps")
    s.len = int(iwlen)


@kernel
def downsamp_perf(s, ctx, out, asig, iwlen, n0, n1):
    """downsamp: first sample of the block, or the mean of the first iwlen samples."""
    length = int(s.len)
    if length <= 1:
        out[0] = asig[n0]
    else:
        total = 0.0
        end = min(length, n1)
        for n in range(n0, end):
            total += asig[n]
        out[0] = total / length


defop("downsamp", "k", "ao", DOWNSAMP, _downsamp_init, downsamp_perf)

@kernel
def k_of_a_perf(s, ctx, out, asig, n0, n1):
    """k(asig): the block's first sample."""
    out[0] = asig[n0]


defop("##k", "k", "a", None, None, k_of_a_perf)


@kernel
def upsamp_perf(s, ctx, out, ksig, n0, n1):
    """upsamp: the k value over the whole block."""
    v = at(ksig, 0)
    for n in range(n0, n1):
        out[n] = v


defop("upsamp", "a", "k", None, None, upsamp_perf)

INTERP = State(prev=f64, init_k=f64)


def _interp_init(s, ic, out, ksig, iskip, imode, ivalue):
    if iskip == 0.0:
        s.prev = ivalue if imode == 0.0 else 0.0
        s.init_k = 0.0 if imode == 0.0 else 1.0


@helper
def _interp_block(s, out, cur, n0, n1):
    if s.init_k != 0.0:
        s.init_k = 0.0
        s.prev = cur
    val = s.prev
    incr = (cur - val) / (n1 - n0)
    for n in range(n0, n1):
        val += incr
        out[n] = val
    s.prev = val


@kernel
def interp_perf(s, ctx, out, ksig, iskip, imode, ivalue, n0, n1):
    """interp: straight line from the previous k value over the block."""
    _interp_block(s, out, at(ksig, 0), n0, n1)


@kernel
def a_of_k_perf(s, ctx, out, ksig, n0, n1):
    """a(ksig): interp starting from 0."""
    _interp_block(s, out, at(ksig, 0), n0, n1)


defop("interp", "a", "kooo", INTERP, _interp_init, interp_perf)
def _a_of_k_init(s, ic, out, ksig):
    s.prev = 0.0
    s.init_k = 0.0


defop("##a", "a", "k", INTERP, _a_of_k_init, a_of_k_perf)

SAMPHOLD = State(state=f64)


def _samphold_init(s, ic, out, xsig, xgate, ival, ivstor):
    if ivstor == 0.0:
        s.state = ival


@kernel
def samphold_perf(s, ctx, out, xsig, xgate, ival, ivstor, n0, n1):
    """samphold: follow xsig while xgate is non-zero, else hold."""
    state = s.state
    for n in range(n0, n1):
        if at(xgate, n) > 0.0:
            state = at(xsig, n)
        out[n] = state
    s.state = state


defop("samphold", "a", "xxoo", SAMPHOLD, _samphold_init, samphold_perf)


@kernel
def samphold_k(s, ctx, out, xsig, xgate, ival, ivstor, n0, n1):
    """k-rate samphold."""
    if at(xgate, 0) > 0.0:
        s.state = at(xsig, 0)
    out[0] = s.state


defop("samphold", "k", "kkoo", SAMPHOLD, _samphold_init, samphold_k)
