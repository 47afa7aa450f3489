"""The only module that sets numba options.

`kernel` compiles an opcode's perf function, `helper` a function called from
kernels, and `at(x, n)` reads argument `x` at frame `n` whatever its rate:
an a-rate buffer (1-d array) gives `x[n]`, a k/i value (0-d array view or a
float) gives its scalar. Flags: nogil (perf passes release the GIL), on-disk
cache, numpy error model (x/0 gives inf as in C), no fastmath (IEEE results
must match Csound's).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

_FLAGS = dict(nogil=True, cache=True, error_model="numpy")


def kernel(fn):
    """Compile an opcode perf kernel."""
    return njit(**_FLAGS)(fn)


def helper(fn):
    """Compile a helper called from kernels (and usable from Python)."""
    return njit(**_FLAGS)(fn)


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
