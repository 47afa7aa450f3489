"""Exception hierarchy: every error a user can cause is a CsoundError subclass.

The CLI and the API turn these into Csound-style messages and return codes; no
Python traceback reaches a user for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A source position: file name, 1-based line and column, and the line's text."""

    file: str
    line: int
    column: int = 0
    text: str = ""

    def caret(self) -> str:
        """Return 'file:line:col' followed by the source line and a caret under the column."""
        head = f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"
        if not self.text:
            return head
        pad = " " * max(self.column - 1, 0)
        return f"{head}\n    {self.text}\n    {pad}^"


class CsoundError(Exception):
    """Base of all errors raised for bad input or failed operations."""

    def __init__(self, message: str, span: Span | None = None):
        super().__init__(message)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        if self.span is None:
            return self.message
        return f"{self.message}\n{self.span.caret()}"


class ParseError(CsoundError):
    """Syntax error in an orchestra, score or CSD file."""


class CompileError(CsoundError):
    """Semantic error found by the checker (types, rates, undefined names)."""


class InitError(CsoundError):
    """Raised by an opcode's init function; the note is deleted."""


class PerfError(CsoundError):
    """Raised during a perf pass; the note is aborted."""


class OptionError(CsoundError):
    """Bad command-line flag or option value."""


class FileError(CsoundError):
    """A file that is missing, unreadable or cannot be written."""
