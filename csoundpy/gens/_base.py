"""What every GEN routine sees: the call record (Csound's FGDATA) and shared helpers.

A GEN function takes one `GenCall`, fills `call.data` (length flen + 1, zeros on
entry) and raises `InitError` through `call.error`.  Guard point and rescaling are
applied afterwards by `csoundpy.gens.make_table`, never by the GEN itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InitError

TWOPI = 2.0 * math.pi
TPD360 = 0.0174532925199433  # Csound's degrees-to-radians constant (not pi/180 exactly)


class GenCall:
    """One GEN invocation: table number, length, arguments and the engine.

    `args[0]` is Csound's p5 (the first argument after the GEN number).
    `guardreq` is True when the GEN's own value at index flen is kept as guard
    point; otherwise `make_table` copies point 0 there.  A GEN clears `rescale`
    to opt out of normalisation (Csound negates p4), and sets `deferred_done`
    when it allocated and finished a deferred-size table itself.
    """

    def __init__(self, number: int, flen: int, gen: int, name: str, args: list, env: Any,
                 guardreq: bool, rescale: bool, size_field: float = 0.0):
        self.number = number
        self.size_field = size_field  # the raw size as written (GEN16 reads it)
        self.flen = flen
        self.gen = gen
        self.name = name
        self.args = list(args)
        self.env = env
        self.guardreq = guardreq
        self.rescale = rescale
        self.data = np.zeros(flen + 1) if flen > 0 else None
        self.deferred_done = False
        self.fields: dict[str, Any] = {}

    @property
    def nargs(self) -> int:
        return len(self.args)

    def p(self, i: int) -> float:
        """Numeric argument i (0 = p5); missing arguments read as 0 as in Csound's event block."""
        if i < len(self.args):
            v = self.args[i]
            return np.float64("nan") if isinstance(v, str) else np.float64(v)
        return np.float64(0.0)

    def string(self, i: int) -> str | None:
        v = self.args[i] if i < len(self.args) else None
        return v if isinstance(v, str) else None

    def error(self, text: str) -> InitError:
        return InitError(text)

    def alloc(self, flen: int) -> np.ndarray:
        """Allocate a deferred-size table of flen points plus guard."""
        self.flen = flen
        self.data = np.zeros(flen + 1)
        return self.data

    # engine access -------------------------------------------------------
    @property
    def sr(self) -> float:
        return _const(self.env, "sr")

    @property
    def e0dbfs(self) -> float:
        return _const(self.env, "e0dbfs")

    @property
    def a4(self) -> float:
        return _const(self.env, "a4")

    def table(self, fno: float, message: str):
        """Existing table number fno, or InitError(message)."""
        table = self.env.tables.get(int(fno)) if int(fno) > 0 else None
        if table is None:
            raise InitError(message)
        return table

    def warning(self, text: str) -> None:
        warn = getattr(self.env, "warning", None)
        if warn is not None:
            warn(text)


def _const(env: Any, name: str) -> float:
    if hasattr(env, name):
        return float(getattr(env, name))
    return float(getattr(env.consts, name))


def libm(fn, x: np.ndarray) -> np.ndarray:
    """Apply a C math function elementwise with the platform libm (math module).

    # compat: numpy's own exp/log/pow/tanh differ from libm in the last bit for
    # some inputs; Csound calls libm, so tables built with them must too.
    """
    return np.fromiter(map(fn, np.asarray(x, dtype=np.float64).ravel()), dtype=np.float64,
                       count=np.size(x)).reshape(np.shape(x))


def _ieee(fn, npfn):
    """fn from libm, but returning inf/nan where Python's math raises."""
    def call(*xs):
        try:
            return fn(*xs)
        except (OverflowError, ValueError, ZeroDivisionError):
            with np.errstate(all="ignore"):
                return float(npfn(*(np.float64(x) for x in xs)))
    return call


cexp = _ieee(math.exp, np.exp)
clog = _ieee(math.log, np.log)
cpow = _ieee(math.pow, np.power)
csqrt = _ieee(math.sqrt, np.sqrt)


def ramp(start: float, step: float, count: int) -> np.ndarray:
    """start, start+step, (start+step)+step, ...: Csound's running `x += step`,
    summed in the same order (np.cumsum adds left to right)."""
    if count <= 0:
        return np.zeros(0)
    seq = np.full(count, step, dtype=np.float64)
    seq[0] = start
    return np.cumsum(seq)


def geometric(start: float, mult: float, count: int) -> np.ndarray:
    """start, start*mult, (start*mult)*mult, ... in Csound's order."""
    if count <= 0:
        return np.zeros(0)
    seq = np.full(count, mult, dtype=np.float64)
    seq[0] = start
    return np.cumprod(seq)


def c_int(x: float) -> int:
    """C's (int) cast: truncation toward zero (x86 gives INT_MIN for NaN/inf)."""
    if not math.isfinite(x) or abs(x) >= 2**31:
        return -(2**31)
    return int(math.trunc(x))


def c_lrint(x: float) -> int:
    """Csound's MYFLT2LRND: round half to even."""
    return int(np.rint(x))


def finish(call: GenCall) -> None:
    """Csound's ftresdisp: write the wrap-around guard point unless the GEN
    computed it, then divide by the largest absolute value when rescaling."""
    data = call.data
    if not call.guardreq:
        data[call.flen] = data[0]
    if call.rescale:
        # NaNs never win C's `abs > maxval` test; fmax skips them the same way
        peak = float(np.fmax.reduce(np.abs(data[: call.flen + 1]), initial=0.0))
        if peak != 0.0 and peak != 1.0:
            # compat: the source divides, but the Csound 6.18 binary multiplies
            # by the reciprocal (checked against its tables to the last bit)
            data[: call.flen + 1] *= 1.0 / peak
