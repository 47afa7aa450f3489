"""GEN routines: build function tables for `f` statements and `ftgen`.

Follows Csound 6.18 Engine/fgens.c (hfgens: size rules, guard point, rescaling)
and the GEN routines it dispatches to; each module names the Csound sources it
follows.  `make_table` is the only entry point the engine needs.

Errors raise `InitError` whose message is Csound's text without the
`ftable N: ` prefix (Csound prints `ftable N: <text>` followed by the echo of
the f statement; the caller formats that).

Side effects Csound also has: GEN15 stores its sine half as table number + 1
directly in `env.tables`; GEN21 draws from the engine-wide Mersenne Twister kept
in `env.globals["randmt"]` (see randoms.py).  Tables of deferred size made by
GEN01/02/28 carry `extra["deferred"] = True` (Csound's lenmask 0: oscillators
that need a power-of-two table refuse them).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..engine.tables import MAXLEN, FunctionTable
from ..errors import InitError
from . import files, named, polynomial, randoms, segments, sines, spectral, tableops, windows
from ._base import GenCall, c_lrint, finish

GENMAX = 60

GENS: dict[int, Callable[[GenCall], None]] = {
    1: files.gen01,
    2: segments.gen02,
    3: polynomial.gen03,
    4: tableops.gen04,
    5: segments.gen05,
    6: segments.gen06,
    7: segments.gen07,
    8: segments.gen08,
    9: sines.gen09,
    10: sines.gen10,
    11: sines.gen11,
    12: polynomial.gen12,
    13: polynomial.gen13,
    14: polynomial.gen14,
    15: polynomial.gen15,
    16: segments.gen16,
    17: segments.gen17,
    18: tableops.gen18,
    19: sines.gen19,
    20: windows.gen20,
    21: randoms.gen21,
    23: files.gen23,
    24: tableops.gen24,
    25: segments.gen25,
    27: segments.gen27,
    28: files.gen28,
    30: spectral.gen30,
    31: spectral.gen31,
    32: spectral.gen32,
    33: spectral.gen33,
    34: sines.gen34,
    40: randoms.gen40,
    41: randoms.gen41,
    42: randoms.gen42,
    51: tableops.gen51,
    52: tableops.gen52,
    53: spectral.gen53,
}

NAMED: dict[str, Callable[[GenCall], None]] = dict(named.NAMED)

# GENs that may decide the size themselves (size field 0).
DEFERRED = (1, 2, 23, 28, 44, 49)


def _is_pow2(n: int) -> bool:
    return n > 0 and (n & (n - 1)) == 0


def _length(number: int, size: float, gen: int) -> tuple[int, bool]:
    """(flen, guardreq) from the raw size field, as hfgens decides them."""
    flen = c_lrint(size)
    if flen == 0:
        if gen not in DEFERRED and gen <= GENMAX:
            raise InitError("deferred size for GENs 1, 2, 23, 28 or 49 only")
        return 0, True
    if flen < 0 or not _is_pow2(flen & ~1):
        guardreq = True
        flen = abs(flen)
    else:
        guardreq = bool(flen & 1)
        flen &= ~1
    if flen <= 0 or flen > MAXLEN:
        raise InitError("illegal table length")
    return flen, guardreq


def make_table(number: int, size: float, gen: float | str, args: list[float | str],
               env: Any) -> FunctionTable:
    """Build table `number` (already decided by the caller) of the given raw size field,
    GEN number (negative = no rescaling) or GEN name, and arguments after the GEN number.
    Returns csoundpy.engine.tables.FunctionTable with data of length size+1 (guard point
    rules of LANGUAGE.md section 10)."""
    if isinstance(gen, str):
        gen = gen.strip('"')
        try:
            gen = float(gen)  # a GEN number that arrived as text
        except ValueError:
            pass
    if isinstance(gen, str):
        fn = NAMED.get(gen)
        if fn is None:
            raise InitError(f'Named gen "{gen}" not defined')
        genum, name, rescale = GENMAX + 1, gen, True
    else:
        genum = abs(c_lrint(gen))
        if genum == 0 or genum > GENMAX:
            raise InitError("illegal gen number")
        fn, name, rescale = GENS.get(genum), str(genum), gen > 0
    if not args:
        raise InitError("insufficient gen arguments")
    flen, guardreq = _length(number, size, genum)
    if fn is None:
        raise InitError("unknown GEN number")
    if flen == 0 and isinstance(gen, str):
        raise InitError("Illegal zero table size")
    call = GenCall(number, flen, genum, name, args, env, guardreq, rescale, size_field=size)
    with np.errstate(all="ignore"):
        fn(call)
        if flen:
            # deferred sizes skip this pass; GEN01 and GEN23 run it themselves
            finish(call)
    return _table(call, gen, args)


def _table(call: GenCall, gen: float | str, args: list) -> FunctionTable:
    fields = dict(call.fields)
    extra = fields.pop("extra", {})
    extra.setdefault("flenfrms", call.flen)
    if fields.pop("deferred", False):
        extra["deferred"] = True  # Csound leaves lenmask 0: oscillators refuse it
    table = FunctionTable(
        number=call.number,
        data=call.data,
        gen=call.gen if not isinstance(gen, str) else 0,
        args=(gen, *args),
        sr=fields.pop("sr", call.sr),
        extra=extra,
        **fields,
    )
    if isinstance(gen, str):
        table.extra["name"] = gen
    return table


def gen_names() -> list[str]:
    """Named GENs this build provides."""
    return sorted(NAMED)


__all__ = ["make_table", "GENS", "NAMED", "gen_names"]
