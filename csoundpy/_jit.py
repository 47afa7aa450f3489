"""The only module that sets numba options.

`kernel` compiles an opcode's perf function, `helper` a function called from
kernels, and `at(x, n)` reads argument `x` at frame `n` whatever its rate:
an a-rate buffer (1-d array) gives `x[n]`, a k/i value (0-d array view or a
float) gives its scalar. Flags: nogil (perf passes release the GIL), on-disk
cache, numpy error model (x/0 gives inf as in C), no fastmath (IEEE results
must match Csound's).

A short render is mostly start-up, so what only compiling needs is put off
until something compiles:

- each kernel's numba dispatcher is made on first use (`LazyDispatcher`);
- code loaded from numba's disk cache is loaded without first readying numba
  to compile (`_QuickLoadCache`);
- numba's array-math module, which numba imports when it first compiles, asks
  whether SciPy's BLAS is there (`import scipy.linalg.cython_blas`, about
  0.15 s of CPU), only to pick how `np.convolve` and `np.correlate` compute
  inner products in compiled code; no kernel uses them.  `_HiddenBlasFinder`
  has it imported with the BLAS hidden, unless SciPy's linalg is loaded
  already (and so costs nothing).  `np.dot` and `np.linalg` still load SciPy
  when compiled code first uses them.
"""

from __future__ import annotations

import sys
from importlib.machinery import PathFinder, SourceFileLoader

import numpy as np
from numba import __version__ as numba_version
from numba import njit, types
from numba.core.caching import FunctionCache
from numba.core.runtime import rtsys
from numba.extending import overload, typeof_impl

_FLAGS = dict(nogil=True, error_model="numpy")


class _HiddenBlasLoader(SourceFileLoader):
    """Runs numba.np.arraymath with SciPy's BLAS hidden (see the module doc)."""

    def exec_module(self, module) -> None:
        blas = "scipy.linalg.cython_blas"
        if "scipy.linalg" in sys.modules or blas in sys.modules:
            super().exec_module(module)
            return
        sys.modules[blas] = None  # type: ignore[assignment]  # makes the import fail at once
        try:
            super().exec_module(module)
        finally:
            del sys.modules[blas]


class _HiddenBlasFinder:
    """Finds numba.np.arraymath as the path finder does, with `_HiddenBlasLoader`."""

    name = "numba.np.arraymath"

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname != self.name:
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = _HiddenBlasLoader(spec.loader.name, spec.loader.path)
        return spec


if not any(isinstance(f, _HiddenBlasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _HiddenBlasFinder())


class _QuickLoadCache(FunctionCache):
    """numba's on-disk cache of a function, minus the context refresh on load.

    numba refreshes its typing and target contexts (imports its implementation
    modules and installs their registries, ~65 ms of CPU the first time) before it
    loads a function from the cache.  Loaded machine code needs none of that,
    only the runtime (NRT) whose C entry points it links to; and numba
    refreshes the contexts itself before it compiles anything."""

    def load_overload(self, sig, target_context):
        if not _QUICK_LOAD:
            return super().load_overload(sig, target_context)
        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)


# `_QuickLoadCache` replaces Cache.load_overload (refresh, then the two private
# methods below) on numba versions before 0.69, where it has that form (checked
# on 0.68); elsewhere numba's own method runs.
_QUICK_LOAD = (tuple(int(x) for x in numba_version.split(".")[:2]) < (0, 69)
               and hasattr(FunctionCache, "_load_overload")
               and hasattr(FunctionCache, "_guard_against_spurious_io_errors"))


class LazyDispatcher:
    """A kernel or helper whose numba dispatcher is made when first needed.

    Making a dispatcher costs ~0.07 ms (numba inspects the function's
    signature twice), ~50 ms at import for the ~700 kernels and helpers, while
    a render loads a few fused functions from numba's disk cache and never
    looks at the kernels linked into them.  The proxy keeps the Python
    function (`py_func`, name, module) at hand; calling it, or any other
    dispatcher attribute, makes the dispatcher.  numba types the proxy as that
    dispatcher (`_typeof_lazy`), so compiled code that names it as a global
    or closure variable calls the kernel as before.  Module globals keep the
    proxy itself, so `getattr(module, name) is kernel` still holds.
    """

    def __init__(self, fn) -> None:
        self.py_func = fn
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__doc__ = fn.__doc__
        self._dispatcher = None

    @property
    def dispatcher(self):
        """The numba dispatcher (made on first use)."""
        dispatcher = self._dispatcher
        if dispatcher is None:
            dispatcher = self._dispatcher = njit(**_FLAGS)(self.py_func)
            dispatcher._cache = _QuickLoadCache(self.py_func)
        return dispatcher

    def __call__(self, *args, **kwargs):
        dispatcher = self._dispatcher
        if dispatcher is None:
            dispatcher = self.dispatcher
        return dispatcher(*args, **kwargs)

    def __getattr__(self, name: str):
        if name in ("_dispatcher", "py_func"):
            raise AttributeError(name)  # not set up (an object made without __init__)
        return getattr(self.dispatcher, name)

    def __repr__(self) -> str:
        return f"<lazy numba kernel {self.__module__}.{self.__qualname__}>"


@typeof_impl.register(LazyDispatcher)
def _typeof_lazy(val: LazyDispatcher, c):
    return typeof_impl(val.dispatcher, c)


def kernel(fn) -> LazyDispatcher:
    """Compile an opcode perf kernel."""
    return LazyDispatcher(fn)


def helper(fn) -> LazyDispatcher:
    """Compile a helper called from kernels (and usable from Python)."""
    return LazyDispatcher(fn)


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
    """True if `x` is an a-rate buffer (in compiled code, a constant of its type)."""
    return isinstance(x, np.ndarray) and x.ndim == 1


@overload(is_audio, inline="always")
def _is_audio_overload(x):
    audio = isinstance(x, types.Array) and x.ndim == 1
    return lambda x: audio
