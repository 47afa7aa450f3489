"""The zak patch system: engine-wide zk (i/k-rate) and za (a-rate) locations
written and read by any instrument (Opcodes/zak.c, after Robin Whittle's
ugrw1.c).

`zakinit isizea, isizek` creates both spaces once, in
`engine.globals["zak"]`: zk holds isizek + 1 numbers and za isizea + 1 rows
of ksmps samples.  Indices are truncated toward zero as zak.c's `(int32_t)`
casts do.  Readers return 0 for an index outside the space (Csound also
prints a warning each time; the native kernels stay silent), writers and
the range clearers abort the note with Csound's message.
"""

from __future__ import annotations

import numpy as np

from .._jit import at, kernel
from ..errors import InitError, PerfError
from ._registry import defop

_KEY = "zak"


class ZakSpace:
    """The zk and za spaces of one engine."""

    def __init__(self, isizea: int, isizek: int, ksmps: int) -> None:
        self.zk = np.zeros(isizek + 1)
        self.za = np.zeros((isizea + 1, ksmps))


def _space(ic, kind: str) -> ZakSpace:
    zak = ic.engine.globals.get(_KEY)
    if zak is None:
        raise InitError(f"No {kind} space: zakinit has not been called yet.")
    return zak


def zakinit_init(s, ic, isizea, isizek):
    if _KEY in ic.engine.globals:
        raise InitError("zakinit should only be called once.")
    if isizea <= 0 or isizek <= 0:
        raise InitError("zakinit: both isizea and isizek should be > 0.")
    ic.engine.globals[_KEY] = ZakSpace(int(isizea), int(isizek), ic.ksmps)


defop("zakinit", "", "ii", None, zakinit_init)


# ------------------------------------------------------------------ zk space
def _zk_aux(s, ic, *args):
    return (_space(ic, "zk").zk,)


def _za_aux(s, ic, *args):
    return (_space(ic, "za").za,)


def zir_init(s, ic, ir, indx):
    zk = _space(ic, "zk").zk
    ndx = int(indx)
    if ndx > zk.shape[0] - 1:
        ic.warning("zir index > isizek. Returning 0.")
        ir[0] = 0.0
    elif ndx < 0:
        ic.warning("zir index < 0. Returning 0.")
        ir[0] = 0.0
    else:
        ir[0] = zk[ndx]


def _zk_write_i(name: str, mix: bool):
    def init(s, ic, isig, indx, imix=0.0):
        zk = _space(ic, "zk").zk
        ndx = int(indx)
        if ndx > zk.shape[0] - 1:
            raise InitError(f"{name} index > isizek. Not writing.")
        if ndx < 0:
            raise InitError(f"{name} index < 0. Not writing.")
        if mix and imix != 0.0:
            zk[ndx] += isig
        else:
            zk[ndx] = isig
    return init


@kernel
def zkr_perf(s, ctx, zk, kr, kndx, n0, n1):
    """zkr: read a zk location (zak.c zkr)."""
    ndx = int(at(kndx, 0))
    kr[0] = zk[ndx] if 0 <= ndx < zk.shape[0] else 0.0


@kernel
def zkw_perf(s, ctx, zk, ksig, kndx, n0, n1):
    """zkw: write a zk location (zak.c zkw)."""
    ndx = int(at(kndx, 0))
    if ndx >= zk.shape[0]:
        raise PerfError("zkw index > isizek. Not writing.")
    if ndx < 0:
        raise PerfError("zkw index < 0. Not writing.")
    zk[ndx] = at(ksig, 0)


@kernel
def zkwm_perf(s, ctx, zk, ksig, kndx, kmix, n0, n1):
    """zkwm: write or add into a zk location (zak.c zkwm)."""
    ndx = int(at(kndx, 0))
    if ndx >= zk.shape[0]:
        raise PerfError("zkwm index > isizek. Not writing.")
    if ndx < 0:
        raise PerfError("zkwm index < 0. Not writing.")
    if at(kmix, 0) == 0.0:
        zk[ndx] = at(ksig, 0)
    else:
        zk[ndx] += at(ksig, 0)


@kernel
def zkmod_perf(s, ctx, zk, kr, ksig, kzkmod, n0, n1):
    """zkmod: add (positive index) or multiply by (negative index) a zk value (zak.c)."""
    ndx = int(at(kzkmod, 0))
    if ndx == 0:
        kr[0] = at(ksig, 0)
        return
    if -ndx >= zk.shape[0] or ndx >= zk.shape[0]:
        raise PerfError("zkmod kzkmod > isizek. Not writing.")
    if ndx > 0:
        kr[0] = at(ksig, 0) + zk[ndx]
    else:
        kr[0] = at(ksig, 0) * zk[-ndx]


@kernel
def zkcl_perf(s, ctx, zk, kfirst, klast, n0, n1):
    """zkcl: clear a range of zk locations (zak.c zkcl)."""
    first = int(at(kfirst, 0))
    last = int(at(klast, 0))
    if first >= zk.shape[0] or last >= zk.shape[0]:
        raise PerfError("zkcl first or last > isizek. Not clearing.")
    if first < 0 or last < 0:
        raise PerfError("zkcl first or last < 0. Not clearing.")
    if first > last:
        raise PerfError("zkcl first > last. Not clearing.")
    for i in range(first, last + 1):
        zk[i] = 0.0


defop("zir", "i", "i", None, zir_init)
defop("zkr", "k", "k", None, _zk_aux, zkr_perf, arrays=("zk",))
defop("ziw", "", "ii", None, _zk_write_i("ziw", False))
defop("zkw", "", "kk", None, _zk_aux, zkw_perf, arrays=("zk",))
defop("ziwm", "", "iip", None, _zk_write_i("ziwm", True))
defop("zkwm", "", "kkp", None, _zk_aux, zkwm_perf, arrays=("zk",))
defop("zkmod", "k", "kk", None, _zk_aux, zkmod_perf, arrays=("zk",))
defop("zkcl", "", "kk", None, _zk_aux, zkcl_perf, arrays=("zk",))


# ------------------------------------------------------------------ za space
@kernel
def zar_perf(s, ctx, za, ar, kndx, n0, n1):
    """zar: read a za location (zak.c zar)."""
    ndx = int(at(kndx, 0))
    if ndx >= za.shape[0] or ndx < 0:
        for n in range(ar.shape[0]):
            ar[n] = 0.0
        if ndx < 0:
            raise PerfError("zar index < 0. Returning 0.")
        raise PerfError("zar index > isizea. Returning 0.")
    for n in range(n0, n1):
        ar[n] = za[ndx, n]


@kernel
def zarg_perf(s, ctx, za, ar, kndx, kgain, n0, n1):
    """zarg: read a za location times a gain (zak.c zarg)."""
    ndx = int(at(kndx, 0))
    if ndx >= za.shape[0] or ndx < 0:
        for n in range(ar.shape[0]):
            ar[n] = 0.0
        if ndx < 0:
            raise PerfError("zarg index < 0. Returning 0.")
        raise PerfError("zarg index > isizea. Returning 0.")
    gain = at(kgain, 0)
    for n in range(n0, n1):
        ar[n] = za[ndx, n] * gain


@kernel
def zawm_perf(s, ctx, za, asig, kndx, kmix, n0, n1):
    """zaw, zawm: write (or add) a signal into a za location (zak.c zaw, zawm)."""
    ndx = int(at(kndx, 0))
    if ndx >= za.shape[0]:
        raise PerfError("zaw index > isizea. Not writing.")
    if ndx < 0:
        raise PerfError("zaw index < 0. Not writing.")
    row = za[ndx]
    if at(kmix, 0) == 0.0:
        # the frames outside a sample-accurate window are cleared, as zak.c does
        for n in range(n0):
            row[n] = 0.0
        for n in range(n0, n1):
            row[n] = asig[n]
        for n in range(n1, row.shape[0]):
            row[n] = 0.0
    else:
        for n in range(n0, n1):
            row[n] += asig[n]


@kernel
def zaw_perf(s, ctx, za, asig, kndx, n0, n1):
    """zaw: write a signal into a za location (zak.c zaw)."""
    zawm_perf(s, ctx, za, asig, kndx, 0.0, n0, n1)


@kernel
def zamod_perf(s, ctx, za, ar, asig, kzamod, n0, n1):
    """zamod: add (positive index) or multiply by (negative index) a za signal (zak.c)."""
    ndx = int(at(kzamod, 0))
    if ndx == 0:
        for n in range(n0, n1):
            ar[n] = asig[n]
        return
    if -ndx >= za.shape[0] or ndx >= za.shape[0]:
        raise PerfError("zamod kzamod > isizea. Not writing.")
    if ndx > 0:
        for n in range(n0, n1):
            ar[n] = asig[n] + za[ndx, n]
    else:
        for n in range(n0, n1):
            ar[n] = asig[n] * za[-ndx, n]


@kernel
def zacl_perf(s, ctx, za, kfirst, klast, n0, n1):
    """zacl: clear a range of za locations (zak.c zacl)."""
    first = int(at(kfirst, 0))
    last = int(at(klast, 0))
    if last == -1:
        last = first
    if first >= za.shape[0] or last >= za.shape[0]:
        raise PerfError("zacl first or last > isizea. Not clearing.")
    if first < 0 or last < 0:
        raise PerfError("zacl first or last < 0. Not clearing.")
    if first > last:
        raise PerfError("zacl first > last. Not clearing.")
    for i in range(first, last + 1):
        for n in range(za.shape[1]):
            za[i, n] = 0.0


defop("zar", "a", "k", None, _za_aux, zar_perf, arrays=("za",))
defop("zarg", "a", "kk", None, _za_aux, zarg_perf, arrays=("za",))
defop("zaw", "", "ak", None, _za_aux, zaw_perf, arrays=("za",))
defop("zawm", "", "akp", None, _za_aux, zawm_perf, arrays=("za",))
defop("zamod", "a", "ak", None, _za_aux, zamod_perf, arrays=("za",))
defop("zacl", "", "kJ", None, _za_aux, zacl_perf, arrays=("za",))
