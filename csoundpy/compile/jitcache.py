"""Generated source -> importable module -> compiled numba function.

numba can only cache a function whose source it can find again on disk: code
that is merely `exec`'d has no locator ("no locator available"). So every
generated module is written to the cache directory under the hash of its
text, registered in `sys.modules` under a name derived from that hash, and
imported from there; numba's own on-disk cache (`__pycache__` beside the
file) then makes a second run of the same orchestra compile nothing.

The directory is `$CSOUNDPY_JIT_CACHE`, else `$XDG_CACHE_HOME/csoundpy/jit`,
else `~/.cache/csoundpy/jit`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from pathlib import Path
from types import ModuleType

_lock = threading.Lock()
_file_hashes: dict[str, str] = {}


def cache_dir() -> Path:
    """Where generated modules (and numba's cache of them) live."""
    explicit = os.environ.get("CSOUNDPY_JIT_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "csoundpy" / "jit"


def file_hash(path: str) -> str:
    """Short content hash of a source file (memoised for the process)."""
    digest = _file_hashes.get(path)
    if digest is None:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        _file_hashes[path] = digest
    return digest


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:24]


def is_cached(source: str, stem: str = "instr") -> bool:
    """Whether `source` was written to the cache by an earlier run (numba's
    compiled code for it is then most likely there too)."""
    return (cache_dir() / f"{stem}_{source_hash(source)}.py").exists()


def load_module(source: str, stem: str = "instr") -> ModuleType:
    """Write `source` to `<cache>/<stem>_<hash>.py` (once) and import it.

    The same text always gives the same module object within a process.
    """
    name = f"{stem}_{source_hash(source)}"
    modname = f"_csoundpy_jit_{name}"
    with _lock:
        module = sys.modules.get(modname)
        if module is not None:
            return module
        directory = cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.py"
        if not path.exists() or path.read_text() != source:
            # written under a temporary name and renamed: another process importing
            # the same module never sees half a file
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                f.write(source)
            os.replace(tmp, path)
        spec = importlib.util.spec_from_file_location(modname, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[modname] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[modname]
            raise
        return module


def compile_function(fn, args: tuple):
    """Compile numba dispatcher `fn` for the types of `args` (loaded from numba's
    disk cache when it is there); returns the compiled entry point.

    The caller always passes arguments of these types, so it calls the entry
    point itself: the dispatcher would work out the type of every argument on
    each call, which for record arrays (opcode states) costs tens of µs."""
    from numba import typeof

    return fn.compile(tuple(typeof(a) for a in args))
