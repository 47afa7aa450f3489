"""Arrays rebuilt from raw addresses inside fused functions.

A fused perf function receives, for each note, the aux arrays its kernels
need (tables, delay lines, buffers).  Read from a numba typed List, each
costs ~75 ns (a call into the list's C implementation plus reference
counting), more than many kernels.  An argument position whose arrays are
all contiguous with one dtype, number of dimensions and order is instead
passed as two plain arrays, the data addresses and the shapes, indexed by
slot, and the generated code rebuilds the array in place with `numba.carray`
(`farray` for Fortran order): no call, no reference count.  The pool keeps the arrays themselves alive (they are
the note's bound perf arguments).
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

VIEW_DTYPES = {np.dtype(np.float64): "float64", np.dtype(np.int64): "int64"}


@intrinsic
def address(typingctx, addr):
    """The int64 `addr` as a void pointer, for `numba.carray`."""
    if not isinstance(addr, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)

    return types.voidptr(addr), codegen


def view_kind(value: object) -> tuple | None:
    """(dtype name, ndim, "C" or "F") if `value` can travel as an address and
    shape: a C- or Fortran-contiguous array (the output bus is the transpose
    of an interleaved buffer); (dtype name, ndim, order, n) for a tuple of n
    such arrays of one kind (a variadic list of buffers)."""
    if isinstance(value, tuple) and value:
        kinds = {view_kind(v) for v in value}
        if len(kinds) == 1:
            kind = kinds.pop()
            if kind is not None and len(kind) == 3:
                return (*kind, len(value))
        return None
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        name = VIEW_DTYPES.get(value.dtype)
        if name is not None:
            if value.flags.c_contiguous:
                return name, value.ndim, "C"
            if value.flags.f_contiguous:
                return name, value.ndim, "F"
    return None
