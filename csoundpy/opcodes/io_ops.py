"""Audio input and output opcodes: `out` and its aliases, `outs1`/`outs2`,
`outq1`..`outq4`, `outall`, `outch`, `outrg`, and the input opcodes `in`,
`ins`, `inq`, `inh`, `ino`, `inx`, `in32`, `inch` (Csound's OOps/aops.c).

Outputs add into the engine's output block `spout` (nchnls x ksmps, one row
per channel); the engine clears it at the start of each perf pass, which is
what Csound's `spoutactive` flag achieves.  Inputs copy rows of `spin`
(nchnls_i x ksmps).  Array forms (`out a[]`, `in a[]`) are not registered:
the engine has no a-rate arrays yet.
"""

from __future__ import annotations

import numpy as np
from numba import literal_unroll

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import NativeInit, defop


def _spout(s, ic, *args):
    return (ic.engine.spout,)


def _spin(s, ic, *args):
    return (ic.engine.spin,)


@kernel
def bus_init_native(s, ctx, tabs, *args):
    """`_spout` / `_spin` for compiled note starts: nothing to do but bind the bus."""
    return 0


_SPOUT_NI = NativeInit(bus_init_native, (), ("spout",))
_SPIN_NI = NativeInit(bus_init_native, (), ("spin",))


# ----------------------------------------------------------------- outputs

def _outn_init(s, ic, asigs):
    if len(asigs) > ic.nchnls:
        ic.warning("Excess channels ignored\n")
    return (ic.engine.spout,)


@kernel
def outn_init_native(s, ctx, tabs, asigs):
    """`_outn_init` for compiled note starts (excess channels warn: Python's)."""
    return 1 if len(asigs) > ctx.nchnls else 0


@kernel
def outn_perf(s, ctx, spout, asigs, n0, n1):
    """out, outs, outq, outh, outo, outx, out32, outc: one signal per channel (aops.c outall)."""
    nch = min(len(asigs), spout.shape[0])
    for c in range(nch):
        asig = asigs[c]
        for n in range(n0, n1):
            spout[c, n] += asig[n]


for _name in ("out", "outs", "outq", "outh", "outo", "outx", "out32", "outc"):
    defop(_name, "", "y", None, _outn_init, outn_perf, arrays=("spout",), flags=("bus_out",),
          native_init=NativeInit(outn_init_native, (), ("spout",)))


def _chan_init(chan):
    def init(s, ic, asig):
        if chan > ic.nchnls:
            raise InitError("Channel greater than nchnls")
        return (ic.engine.spout,)
    return init


@kernel
def chan_init_native(s, ctx, tabs, chan, asig):
    """`_chan_init` for compiled note starts (a channel past nchnls: Python's error)."""
    return 1 if chan > ctx.nchnls else 0


def _chan_ni(chan: int) -> NativeInit:
    return NativeInit(chan_init_native, (chan,), ("spout",))


@kernel
def outs1_perf(s, ctx, spout, asig, n0, n1):
    """outs1, outq1: channel 1 (aops.c outs1)."""
    for n in range(n0, n1):
        spout[0, n] += asig[n]


@kernel
def outs2_perf(s, ctx, spout, asig, n0, n1):
    """outs2, outq2: channel 2 (aops.c outs2)."""
    for n in range(n0, n1):
        spout[1, n] += asig[n]


@kernel
def outq3_perf(s, ctx, spout, asig, n0, n1):
    """outq3: channel 3 (aops.c outq3)."""
    for n in range(n0, n1):
        spout[2, n] += asig[n]


@kernel
def outq4_perf(s, ctx, spout, asig, n0, n1):
    """outq4: channel 4 (aops.c outq4)."""
    for n in range(n0, n1):
        spout[3, n] += asig[n]


defop("outs1", "", "a", None, _spout, outs1_perf, arrays=("spout",), native_init=_SPOUT_NI)
defop("outs2", "", "a", None, _chan_init(2), outs2_perf, arrays=("spout",),
      native_init=_chan_ni(2))
defop("outq1", "", "a", None, _spout, outs1_perf, arrays=("spout",), native_init=_SPOUT_NI)
defop("outq2", "", "a", None, _chan_init(2), outs2_perf, arrays=("spout",),
      native_init=_chan_ni(2))
defop("outq3", "", "a", None, _chan_init(3), outq3_perf, arrays=("spout",),
      native_init=_chan_ni(3))
# compat: Csound checks outq4 against 2 channels only (och2), not 4.
defop("outq4", "", "a", None, _chan_init(2), outq4_perf, arrays=("spout",),
      native_init=_chan_ni(2))


@kernel
def outall_perf(s, ctx, spout, asig, n0, n1):
    """outall: the same signal into every channel (aops.c outrep)."""
    for c in range(spout.shape[0]):
        for n in range(n0, n1):
            spout[c, n] += asig[n]


defop("outall", "", "a", None, _spout, outall_perf, arrays=("spout",), native_init=_SPOUT_NI)


@helper
def _lrnd(x):
    """Csound's MYFLT2LRND: round half to even, as lrint does."""
    return int(np.rint(x))


@helper
def _outch_arg(spout, x, ch, n0, n1):
    """One outch argument: a channel number (k) sets `ch`, a signal (a) is added there."""
    if x.ndim == 0:
        c = _lrnd(at(x, 0))
        return c if c >= 1 else 1
    if ch <= spout.shape[0]:
        for n in range(n0, n1):
            spout[ch - 1, n] += at(x, n)
    return ch


@kernel
def outch_perf(s, ctx, spout, args, n0, n1):
    """outch: (channel, signal) pairs; channels past nchnls are skipped (aops.c outch)."""
    if len(args) % 2 != 0:
        raise ValueError("outch must have an even number of arguments")
    ch = 1
    for x in literal_unroll(args):
        ch = _outch_arg(spout, x, ch, n0, n1)


defop("outch", "", "Z", None, _spout, outch_perf, arrays=("spout",), native_init=_SPOUT_NI)


@kernel
def outrg_perf(s, ctx, spout, kstart, asigs, n0, n1):
    """outrg: consecutive channels from kstart (aops.c outRange)."""
    start = int(at(kstart, 0)) - 1
    if start < 0:
        raise ValueError("outrg: channel number cannot be < 1 (1 is the first channel)")
    # Csound writes past its buffer here; channels beyond nchnls are dropped instead.
    last = min(start + len(asigs), spout.shape[0])
    for c in range(start, last):
        asig = asigs[c - start]
        for n in range(n0, n1):
            spout[c, n] += asig[n]


defop("outrg", "", "ky", None, _spout, outrg_perf, arrays=("spout",), native_init=_SPOUT_NI)


# ----------------------------------------------------------------- inputs

@kernel
def in_perf(s, ctx, spin, *args):
    """in, ins, inq, inh, ino, inx, in32: every input channel (aops.c in, ins, inn)."""
    outs = args[:-2]
    n0 = args[-2]
    n1 = args[-1]
    if spin.shape[0] != len(outs):
        raise ValueError("Wrong numnber of input channels")
    for c in range(len(outs)):
        ar = outs[c]
        for n in range(n0, n1):
            ar[n] = spin[c, n]


defop("in", "a", "", None, _spin, in_perf, arrays=("spin",), native_init=_SPIN_NI)
defop("in", "aa", "", None, _spin, in_perf, arrays=("spin",), native_init=_SPIN_NI)
for _name, _n in (("ins", 2), ("inq", 4), ("inh", 6), ("ino", 8), ("inx", 16), ("in32", 32)):
    defop(_name, "a" * _n, "", None, _spin, in_perf, arrays=("spin",), native_init=_SPIN_NI)


def _inch_check(ic, chans, warn):
    nch_i = int(ic.consts.nchnls_i)
    for kch in chans:
        ch = int(np.rint(kch))
        if ch > nch_i:
            warn(f"Input channel {ch} too large; ignored")
        elif ch < 1:
            warn(f"Input channel {ch} is invalid; ignored")


def inch1_init(s, ic, ar, kchan):
    # Csound reports a bad channel at the first perf pass; it is known here already.
    _inch_check(ic, (kchan,), lambda text: ic.message(text + "\n"))
    return (ic.engine.spin,)


@helper
def _inch_ok_native(ctx, kch):
    """True where `_inch_check` has nothing to report about channel `kch`."""
    ch = np.rint(kch)
    return ch >= 1.0 and ch <= ctx.nchnls_i


@kernel
def inch1_init_native(s, ctx, tabs, ar, kchan):
    """`inch1_init` for compiled note starts (a bad channel's message: Python's)."""
    return 0 if _inch_ok_native(ctx, kchan) else 1


@helper
def _inch_copy(spin, ar, kch, n0, n1):
    """Copy input channel kch (1-based) into ar; silence when it does not exist."""
    ch = _lrnd(kch)
    if ch < 1 or ch > spin.shape[0]:
        for n in range(ar.shape[0]):
            ar[n] = 0.0
        return
    for n in range(n0, n1):
        ar[n] = spin[ch - 1, n]


@kernel
def inch1_perf(s, ctx, spin, ar, kchan, n0, n1):
    """inch: one input channel chosen at k-rate (aops.c inch_opcode1)."""
    _inch_copy(spin, ar, at(kchan, 0), n0, n1)


def inch_init(s, ic, *args):
    chans = args[-1]
    _inch_check(ic, chans, ic.warning)
    return (ic.engine.spin,)


@kernel
def inch_init_native(s, ctx, tabs, *args):
    """`inch_init` for compiled note starts (a bad channel's warning: Python's)."""
    for kch in args[-1]:
        if not _inch_ok_native(ctx, kch):
            return 1
    return 0


@kernel
def inch_perf(s, ctx, spin, *args):
    """inch: several input channels, one output each (aops.c inch_opcode)."""
    outs = args[:-3]
    chans = args[-3]
    n0 = args[-2]
    n1 = args[-1]
    if len(chans) != len(outs):
        raise ValueError("Input and output argument count differs in inch")
    for c in range(len(outs)):
        _inch_copy(spin, outs[c], at(chans[c], 0), n0, n1)


defop("inch", "a", "k", None, inch1_init, inch1_perf, arrays=("spin",),
      native_init=NativeInit(inch1_init_native, (), ("spin",)))
defop("inch", "m" * 40, "z", None, inch_init, inch_perf, arrays=("spin",),
      native_init=NativeInit(inch_init_native, (), ("spin",)))
