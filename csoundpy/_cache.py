"""csoundpy's on-disk cache directory, and a bytecode cache for its own modules.

Everything csoundpy caches lives under `cache_root()`: `$XDG_CACHE_HOME/csoundpy`,
else `~/.cache/csoundpy`: `jit/` generated and compiled functions (movable on its
own with `$CSOUNDPY_JIT_CACHE`, see compile/jitcache.py), `lark/` the parser's
tables, `ast/` parsed orchestras (lang/astcache.py), `pyc/` bytecode (below).

When Python is told not to write bytecode (`PYTHONDONTWRITEBYTECODE`, `-B`) and
csoundpy is not installed with ready-made `.pyc` files (an editable install),
every run would compile csoundpy's ~80 modules from source, about a quarter of a
second.  `install_bytecode_cache()` (called by the package's `__init__`) then
adds an import hook for `csoundpy.*` modules only, which keeps their compiled
code under `cache_root()/pyc/`, mirroring the source paths as
`sys.pycache_prefix` would, and never beside the sources.  Other packages'
imports are left alone.  A cached file is used only when the source's
modification time (in nanoseconds) and size still match the ones recorded in it.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys
from importlib.machinery import PathFinder, SourceFileLoader
from importlib.util import MAGIC_NUMBER, cache_from_source

_HEADER = struct.Struct("<qQ")


def cache_root() -> str:
    """The directory under which csoundpy keeps its caches."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "csoundpy")


def bytecode_path(source_path: str) -> str:
    """Where the compiled code of the module at `source_path` is cached."""
    directory, _ = os.path.split(os.path.abspath(source_path))
    name = os.path.basename(cache_from_source(source_path))
    return os.path.join(cache_root(), "pyc", directory.lstrip(os.sep), name)


def write_atomically(path: str, data: bytes) -> None:
    """Write `data` to `path` through a rename, so that a reader in another process
    sees the old file or the whole new one; failures are ignored (a cache is
    optional)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


class CachingLoader(SourceFileLoader):
    """A source loader that reads and writes compiled code under `cache_root()`."""

    def get_code(self, fullname: str):
        source_path = self.get_filename(fullname)
        try:
            st = os.stat(source_path)
            cached = bytecode_path(source_path)
        except (OSError, NotImplementedError):
            return super().get_code(fullname)
        header = MAGIC_NUMBER + _HEADER.pack(st.st_mtime_ns, st.st_size)
        try:
            with open(cached, "rb") as fh:
                data = fh.read()
            if data.startswith(header):
                return marshal.loads(memoryview(data)[len(header):])
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = self.source_to_code(self.get_data(source_path), source_path)
        write_atomically(cached, header + marshal.dumps(code))
        return code


class _CsoundpyFinder:
    """Finds `<package>.*` modules as the standard path finder does, with
    `CachingLoader` as the loader of those that are source files."""

    def __init__(self, package: str):
        self.prefix = package + "."

    def find_spec(self, fullname: str, path=None, target=None):
        if not fullname.startswith(self.prefix):
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = CachingLoader(spec.loader.name, spec.loader.path)
            spec.cached = bytecode_path(spec.loader.path)
        return spec


def install_bytecode_cache(package: str) -> None:
    """Cache the bytecode of `package`'s submodules under `cache_root()` when
    Python itself will not write any; a no-op otherwise or when already done."""
    if not sys.dont_write_bytecode or sys.implementation.cache_tag is None:
        return
    if any(isinstance(f, _CsoundpyFinder) and f.prefix == package + "." for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _CsoundpyFinder(package))
