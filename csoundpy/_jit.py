"""The only module that sets numba options.

`kernel` compiles an opcode's perf function, `helper` a function called from
kernels, and `at(x, n)` reads argument `x` at frame `n` whatever its rate:
an a-rate buffer (1-d array) gives `x[n]`, a k/i value (0-d array view or a
float) gives its scalar. Flags: nogil (perf passes release the GIL), on-disk
cache (set up on first compile, `_LazyFunctionCache`), numpy error model
(x/0 gives inf as in C), no fastmath (IEEE results must match Csound's).

numba's array-math module asks, when it is first imported, whether SciPy's
BLAS is there (`import scipy.linalg.cython_blas`, about 0.15 s of CPU, the
biggest single cost of a short render), only to pick how `np.convolve` and
`np.correlate` compute inner products in compiled code; no kernel uses them.
`_import_numba_arraymath` therefore imports that module here with the BLAS
hidden, unless SciPy's linalg is loaded already (and so costs nothing).
Everything else is unchanged: `np.dot` and `np.linalg` still load SciPy when
compiled code first uses them.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit, types
from numba.extending import overload


def _import_numba_arraymath() -> None:
    """Import numba.np.arraymath without its SciPy BLAS probe (see above)."""
    blas = "scipy.linalg.cython_blas"
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules or blas in sys.modules:
        return
    sys.modules[blas] = None  # type: ignore[assignment]  # makes the import fail at once
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[blas]


_import_numba_arraymath()

_FLAGS = dict(nogil=True, error_model="numpy")


class _LazyFunctionCache:
    """Stands for a dispatcher's numba on-disk cache until numba first uses it,
    then puts the real one in its place: setting one up (finding and probing its
    directory) costs ~40 µs, ~25 ms at import for the ~600 kernels and helpers,
    of which an orchestra calls a few."""

    def __init__(self, dispatcher):
        self._dispatcher = dispatcher

    def __getattr__(self, name: str):
        dispatcher = self.__dict__["_dispatcher"]
        dispatcher.enable_caching()
        return getattr(dispatcher._cache, name)


def _njit(fn):
    dispatcher = njit(**_FLAGS)(fn)
    dispatcher._cache = _LazyFunctionCache(dispatcher)
    return dispatcher


def kernel(fn):
    """Compile an opcode perf kernel."""
    return _njit(fn)


def helper(fn):
    """Compile a helper called from kernels (and usable from Python)."""
    return _njit(fn)


def at(x, n):
    """Value of argument `x` at frame `n` (pure-Python version)."""
    if isinstance(x, np.ndarray):
        return x[n] if x.ndim == 1 else x[()]
    return x


@overload(at, inline="always")
def _at_overload(x, n):
    if isinstance(x, types.Array):
        if x.ndim == 1:
            return lambda x, n: x[n]
        return lambda x, n: x[()]
    return lambda x, n: x


def is_audio(x) -> bool:
    """True if `x` is an a-rate buffer (pure-Python helper for init functions)."""
    return isinstance(x, np.ndarray) and x.ndim == 1
