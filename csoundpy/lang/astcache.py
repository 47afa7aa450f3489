"""On-disk cache of parsed orchestras, so that a warm run neither imports lark
nor parses.

`parser.parse_orchestra` looks an orchestra up here before parsing it and
stores the statements it built after a successful parse (a parse error is
never stored).  The key is a hash of everything the statements depend on:

- the preprocessed text and the origin of each of its lines (file names,
  line numbers and source lines end up in every node's Span);
- the code that makes them: parser.py, orchestra.lark, ast.py, preprocess.py
  (`Source.span`), errors.py (`Span`), this module, lark's `__init__.py` (its
  version), csoundpy's version and Python's.

The opcode predicate the parser is given is a function and cannot be hashed.
Instead an entry records every name the parser asked it about, with the
answer, and is used only while the caller's predicate still gives those
answers: the parse is deterministic, so it would ask the same questions and
build the same statements.

Entries live in `cache_root()/ast/` (`$XDG_CACHE_HOME/csoundpy/ast`, else
`~/.cache/csoundpy/ast`), one pickle per key, written through a rename.  At
most `MAX_ENTRIES` files are kept: a hit refreshes the file's modification
time and a write removes the least recently used ones beyond that.  A missing,
damaged or unreadable entry is a miss, and a directory that cannot be written
only means nothing is stored.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from importlib.util import find_spec
from typing import TYPE_CHECKING

from .. import __version__
from .._cache import cache_root, write_atomically

if TYPE_CHECKING:
    from .preprocess import Source

MAX_ENTRIES = 256

_HERE = os.path.dirname(os.path.abspath(__file__))
_CODE_FILES = tuple(os.path.join(_HERE, name) for name in
                    ("parser.py", "orchestra.lark", "ast.py", "preprocess.py", "astcache.py")
                    ) + (os.path.join(os.path.dirname(_HERE), "errors.py"),)


class Recorder:
    """An opcode predicate that notes each name it is asked about and its answer."""

    def __init__(self, is_opcode: Callable[[str], bool]):
        self.is_opcode = is_opcode
        self.answers: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        answer = bool(self.is_opcode(name))
        self.answers[name] = answer
        return answer


@functools.cache
def _code_digest() -> bytes:
    """Hash of the code and versions that shape a parse (read once per process)."""
    h = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    lark = find_spec("lark")  # finds lark's __init__.py without importing it
    paths = [*_CODE_FILES, *([lark.origin] if lark is not None and lark.origin else [])]
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            data = b""
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def entry_path(source: Source) -> str:
    """The cache file of the parse of `source`."""
    h = hashlib.sha256(_code_digest())
    h.update(repr((source.text, source.origins, source.file_lines)).encode())
    return os.path.join(cache_root(), "ast", h.hexdigest()[:32] + ".pickle")


def load(path: str, is_opcode: Callable[[str], bool]) -> tuple | None:
    """The statements stored at `path`, or None when there are none, they cannot
    be read, or `is_opcode` now answers differently from when they were parsed."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    try:
        answers, statements = pickle.loads(data)
        if not isinstance(statements, tuple):
            return None
        if any(bool(is_opcode(name)) != answer for name, answer in answers):
            return None
    except Exception:  # noqa: BLE001 -- a damaged pickle can raise almost anything
        return None
    try:
        os.utime(path)
    except OSError:
        pass
    return statements


def store(path: str, statements: tuple, answers: dict[str, bool]) -> None:
    """Keep `statements` (parsed while the predicate gave `answers`) at `path`,
    then trim the directory to `MAX_ENTRIES` files; failures are ignored."""
    try:
        data = pickle.dumps((tuple(answers.items()), statements), pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, RecursionError):
        return
    write_atomically(path, data)
    _prune(os.path.dirname(path))


def _prune(directory: str) -> None:
    """Remove the least recently used files beyond `MAX_ENTRIES`."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    if len(entries) <= MAX_ENTRIES:
        return

    def mtime(entry: os.DirEntry) -> float:
        try:
            return entry.stat().st_mtime
        except OSError:
            return 0.0

    entries.sort(key=mtime)
    for entry in entries[:len(entries) - MAX_ENTRIES]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass
