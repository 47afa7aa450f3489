"""Orchestra preprocessor: macros, #include, #ifdef, with a map back to source lines.

Follows Csound 6.18's Engine/csound_pre.lex and LANGUAGE.md §8: `#define NAME #body#`
(bodies may span lines, `\\#` escapes), macros with arguments separated by `'` or `#`,
`$NAME` / `$NAME.`, expansion at the point of use (nested, recursive until depth 1000),
`#undef`, `#ifdef/#ifndef/#else/#end` (nestable), `#include` with any delimiter,
`#includestr`, `#exit`, the predefined `$M_…` constants and `--omacro` values.
As in Csound, macros expand inside strings but not inside comments or `{{ }}`, and no
directive is recognised inside a string. Comments are copied through for the parser.

Every output line carries the (file, line) it came from: a macro body expanded on one
line maps all its lines to that line. Differences from 6.18: no `#source`/`#line`
markers are emitted (the origins list replaces them), and line numbers stay exact
after `#ifdef`, `#else`, `#undef` and multi-line `#define` where 6.18 drifts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Sequence

from csoundpy.errors import ParseError, Span

# Engine/csound_pre.lex cs_init_math_constants_macros(): 20-digit literals.
MATH_MACROS = {
    "M_E": "2.71828182845904523536", "M_LOG2E": "1.44269504088896340736",
    "M_LOG10E": "0.43429448190325182765", "M_LN2": "0.69314718055994530942",
    "M_LN10": "2.30258509299404568402", "M_PI": "3.14159265358979323846",
    "M_PI_2": "1.57079632679489661923", "M_PI_4": "0.78539816339744830962",
    "M_1_PI": "0.31830988618379067154", "M_2_PI": "0.63661977236758134308",
    "M_2_SQRTPI": "1.12837916709551257390", "M_SQRT2": "1.41421356237309504880",
    "M_SQRT1_2": "0.70710678118654752440", "M_INF": "800000000000.0",
}
MAX_INCLUDE_DEPTH = 20
MAX_MACRO_DEPTH = 1000
_MAX_ARG_LEN = 98   # compat: Csound's fixed argument buffer

# Built-in functions whose `name (` the preprocessor closes up to `name(`.
_FUNCTIONS = ("int frac round floor ceil rnd birnd abs exp log sqrt sin cos tan sininv "
              "cosinv taninv log10 log2 sinh cosh tanh ampdb ampdbfs dbamp dbfsamp ftcps "
              "ftlen ftsr ftlptim ftchnls i k cpsoct octpch cpspch pchoct octcps nsamp "
              "powoftwo logbtwo a tb0 tb1 tb2 tb3 tb4 tb5 tb6 tb7 tb8 tb9 tb10 tb11 tb12 "
              "tb13 tb14 tb15 urd not cent octave semitone cpsmidinn octmidinn pchmidinn "
              "db p qinf qnan").split()
_SPECIAL = re.compile(r'[\n"\\;/$#{]|\b(?:' + "|".join(_FUNCTIONS) + r")[ \t]+\(")
_MACRO_USE = re.compile(r"\$(`?[A-Za-z_][A-Za-z0-9_`]*)(\.)?(\()?")
_CONT = re.compile(r"\\[ \t]*(;[^\n]*)?(?=\n)")
_XSTR = re.compile(r"\{\{([^}]|\}[^}])*\}\}", re.S)
_DEFINE = re.compile(r"#[ \t]*define[ \t]*")
_ELSE = re.compile(r"#else[ \t]*(;[^\n]*)?(?=\n|$)")
_END = re.compile(r"#end(if)?[ \t]*(;[^\n]*)?")
_IFDEF = re.compile(r"#if(n?)def[ \t]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Source:
    """Preprocessed orchestra text with the origin of every output line."""

    text: str
    origins: list[tuple[str, int]]
    file_lines: dict[str, list[str]]
    warnings: list[str] = field(default_factory=list)

    def span(self, line: int, column: int = 0) -> Span:
        """The source position of output line `line` (1-based), for error messages."""
        if not self.origins:
            return Span("<orc>", line, column)
        file, src_line = self.origins[min(max(line, 1), len(self.origins)) - 1]
        lines = self.file_lines.get(file, [])
        text = lines[src_line - 1] if 0 < src_line <= len(lines) else ""
        return Span(file, src_line, column, text)


@dataclass
class _Macro:
    name: str
    body: str
    args: list[str] | None = None   # None: defined without parentheses
    scope: dict[str, _Macro] | None = None   # for argument values: the caller's scope


@dataclass
class _Frame:
    """One input being read: a file, a macro body or a macro argument."""

    text: str
    file: str
    line: int                        # current source line (files only)
    site: tuple[str, int] | None     # where a macro was used; None for files
    scope: dict[str, _Macro] | None  # argument values visible to `$name` here
    directory: str = ""
    pos: int = 0
    is_include: bool = False


@dataclass
class _IfState:
    is_else: bool = False


class _Preprocessor:
    def __init__(self, macros: dict[str, str] | None, include_dirs: Sequence[str],
                 line_offset: int):
        self.macros: dict[str, _Macro] = {k: _Macro(k, v) for k, v in MATH_MACROS.items()}
        for name, body in (macros or {}).items():
            self.macros[name] = _Macro(name, body)
        self.include_dirs = list(include_dirs)
        self.line_offset = line_offset
        self.frames: list[_Frame] = []
        self.lines: list[str] = []
        self.origins: list[tuple[str, int]] = []
        self.cur: list[str] = []
        self.cur_origin: tuple[str, int] | None = None
        self.file_lines: dict[str, list[str]] = {}
        self.warnings: list[str] = []
        self.in_string = False
        self.include_pending = False
        self.ifs: list[_IfState] = []
        self.last_if_n = False
        self.include_depth = 0

    # ---- output ---------------------------------------------------------------

    def origin(self) -> tuple[str, int]:
        f = self.frames[-1]
        return f.site if f.site is not None else (f.file, f.line)

    def emit(self, s: str) -> None:
        if self.cur_origin is None:
            self.cur_origin = self.origin()
        self.cur.append(s)

    def newline(self) -> None:
        """End the current output line (the frame's newline has been consumed)."""
        self.lines.append("".join(self.cur))
        self.origins.append(self.cur_origin or self.origin())
        self.cur, self.cur_origin = [], None
        f = self.frames[-1]
        if f.site is None:
            f.line += 1

    def error(self, message: str, column: int | None = None) -> ParseError:
        file, line = self.origin()
        lines = self.file_lines.get(file, [])
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if column is None:
            f = self.frames[-1]
            column = f.pos - (f.text.rfind("\n", 0, f.pos) + 1) + 1 if f.site is None else 0
        return ParseError(message, Span(file, line, column, text))

    # ---- driver ---------------------------------------------------------------

    def push_file(self, text: str, file: str, directory: str, first_line: int,
                  include: bool) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if file not in self.file_lines:
            self.file_lines[file] = [""] * (first_line - 1) + text.split("\n")
        self.frames.append(_Frame(text, file, first_line, None, None, directory,
                                  is_include=include))

    def push_macro(self, body: str, scope: dict[str, _Macro] | None) -> None:
        if len(self.frames) > MAX_MACRO_DEPTH:
            raise self.error("macros/include nested too deep: ")
        self.frames.append(_Frame(body, "", 0, self.origin(), scope))

    def run(self) -> None:
        while self.frames:
            f = self.frames[-1]
            if f.pos >= len(f.text):
                self.frames.pop()
                if f.site is None:
                    if self.cur and f.is_include:
                        self.newline_after_pop(f)
                    if f.is_include:
                        self.include_depth -= 1
                continue
            if not self.step(f):
                break
        if self.cur:
            self.lines.append("".join(self.cur))
            self.origins.append(self.cur_origin or ("", 0))

    def newline_after_pop(self, f: _Frame) -> None:
        # an included file without a final newline still ends its own output line
        self.lines.append("".join(self.cur))
        self.origins.append(self.cur_origin or (f.file, f.line))
        self.cur, self.cur_origin = [], None

    def step(self, f: _Frame) -> bool:
        """Process text from the current frame up to and including one special token."""
        text, pos = f.text, f.pos
        m = _SPECIAL.search(text, pos)
        if m is None:
            self.emit(text[pos:])
            f.pos = len(text)
            return True
        if m.start() > pos:
            self.emit(text[pos:m.start()])
        pos = m.start()
        tok = m.group()
        c = tok[0]
        f.pos = pos + 1
        if c == "\n":
            self.newline()
        elif len(tok) > 1 and tok[-1] == "(":
            self.emit(re.sub(r"[ \t]+", "", tok))
            f.pos = m.end()
        elif c == '"':
            self.emit('"')
            self.in_string = not self.in_string
            if not self.in_string and self.include_pending:
                self.include_pending = False
                self.include_from_string(f)
        elif c == "\\":
            cont = _CONT.match(text, pos)
            if cont:
                self.emit(cont.group())
                f.pos = cont.end()
            elif pos + 1 < len(text) and text[pos + 1] != "\n":
                self.emit(text[pos:pos + 2])
                f.pos = pos + 2
            else:
                self.emit("\\")
        elif c == ";" and not self.in_string:
            self.copy_to_eol(f, pos)
        elif c == "/" and not self.in_string and text.startswith("//", pos):
            self.copy_to_eol(f, pos)
        elif c == "/" and not self.in_string and text.startswith("/*", pos):
            self.copy_block_comment(f, pos)
        elif c == "{" and text.startswith("{{", pos):
            x = _XSTR.match(text, pos) if not self.in_string else None
            if x:
                self.copy_multiline(f, x.group())
                f.pos = x.end()
            elif self.in_string:
                self.emit("{{")
                f.pos = pos + 2
            else:
                self.emit("{")
        elif c == "$":
            self.macro_use(f, pos)
        elif c == "#":
            return self.directive(f, pos)
        else:
            self.emit(c)
        return True

    # ---- copying --------------------------------------------------------------

    def copy_to_eol(self, f: _Frame, pos: int) -> None:
        end = f.text.find("\n", pos)
        end = len(f.text) if end < 0 else end
        self.emit(f.text[pos:end])
        f.pos = end

    def copy_multiline(self, f: _Frame, s: str) -> None:
        parts = s.split("\n")
        for k, part in enumerate(parts):
            if k:
                self.newline()
            if part:
                self.emit(part)

    def copy_block_comment(self, f: _Frame, pos: int) -> None:
        end = f.text.find("*/", pos + 2)
        end = len(f.text) if end < 0 else end + 2
        self.copy_multiline(f, f.text[pos:end])
        f.pos = end

    # ---- macros ---------------------------------------------------------------

    def lookup(self, name: str, f: _Frame) -> _Macro | None:
        if f.scope is not None and name in f.scope:
            return f.scope[name]
        return self.macros.get(name)

    def macro_use(self, f: _Frame, pos: int) -> None:
        m = _MACRO_USE.match(f.text, pos)
        if m is None:
            self.emit("$")
            return
        name, dot, paren = m.groups()
        macro = self.lookup(name, f)
        if macro is None:
            shown = m.group()[:-1] if paren else m.group()
            raise self.error(f"Undefined macro: '{shown}'", self.column(f, pos))
        f.pos = m.end()
        if macro.args is None:
            scope = macro.scope
        elif paren:
            # argument values are caller text, read later through the caller's scope
            scope = {arg: _Macro(arg, self.read_argument(f, j == len(macro.args) - 1, pos),
                                 None, f.scope)
                     for j, arg in enumerate(macro.args)}
        else:
            scope = {}
        self.push_macro(macro.body, scope)

    def column(self, f: _Frame, pos: int) -> int:
        if f.site is not None:
            return 0
        return pos - (f.text.rfind("\n", 0, pos) + 1) + 1

    def read_argument(self, f: _Frame, last: bool, pos: int) -> str:
        """One actual argument of `$NAME(…)`: up to `'`/`#` (or `)` for the last one)."""
        terms = ")" if last else "'#"
        depth = 0
        out: list[str] = []
        text = f.text
        while True:
            if f.pos >= len(text):
                raise self.error("Missing argument terminator\n" + "".join(out)[:98],
                                 self.column(f, pos))
            c = text[f.pos]
            f.pos += 1
            if depth == 0 and c in terms:
                break
            if depth == 0 and c == ")":
                raise self.error("Too few arguments to macro", self.column(f, pos))
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "\\" and f.pos < len(text):
                c = text[f.pos]
                f.pos += 1
                if c == ")":
                    out.append("\\")
            elif c == "\n" and f.site is None:
                f.line += 1
            if len(out) > _MAX_ARG_LEN:
                raise self.error("Missing argument terminator\n" + "".join(out)[:98],
                                 self.column(f, pos))
            out.append(c)
        return "".join(out)

    # ---- directives -----------------------------------------------------------

    def directive(self, f: _Frame, pos: int) -> bool:
        text = f.text
        if text.startswith("#exit", pos):
            return False
        if self.in_string:
            self.emit("#")
            return True
        if text.startswith("#includestr", pos):
            self.include_pending = True
            f.pos = pos + len("#includestr")
        elif text.startswith("#include", pos):
            f.pos = pos + len("#include")
            self.include_directive(f)
        elif m := _DEFINE.match(text, pos):
            f.pos = m.end()
            self.define(f)
        elif text.startswith("#undef", pos):
            f.pos = pos + len("#undef")
            self.undef(f)
        elif m := _IFDEF.match(text, pos):
            self.last_if_n = bool(m.group(1))
            f.pos = m.end()
            name = _IDENT.match(text, f.pos)
            if name is None:
                raise self.error(f"#if{m.group(1)}def needs a macro name")
            defined = name.group() in self.macros
            self.ifs.append(_IfState())
            f.pos = self.eol(f, name.end())
            if defined == self.last_if_n:
                self.skip(f)
        elif m := _ELSE.match(text, pos):
            if not self.ifs:
                raise self.error("#else without #if")
            if self.ifs[-1].is_else:
                raise self.error("#else after #else")
            self.ifs[-1].is_else = True
            f.pos = m.end()
            self.skip(f)
        elif m := _END.match(text, pos):
            if not self.ifs:
                raise self.error("Unmatched #end")
            self.ifs.pop()
            f.pos = m.end()
        else:
            self.emit("#")
        return True

    def eol(self, f: _Frame, pos: int) -> int:
        end = f.text.find("\n", pos)
        return len(f.text) if end < 0 else end

    def skip(self, f: _Frame) -> None:
        """Skip lines of a false #ifdef branch up to its #else or #end (nesting counted)."""
        text = f.text
        nested = 0
        f.pos = self.eol(f, f.pos)
        while True:
            if f.pos >= len(text):
                raise self.error(f"Unmatched #if{'n' if self.last_if_n else ''}def")
            f.pos += 1
            self.newline()
            p = f.pos
            while p < len(text) and text[p] in " \t":
                p += 1
            if p < len(text) and text[p] == "#":
                word = re.match(r"[a-z]{0,7}", text[p + 1:p + 8]).group()
                after = p + 1 + len(word)
                if word in ("end", "endif"):
                    if nested == 0:
                        self.ifs.pop()
                        f.pos = after
                        return
                    nested -= 1
                elif word in ("ifdef", "ifndef"):
                    nested += 1
                elif word == "else" and nested == 0:
                    if self.ifs[-1].is_else:
                        raise self.error("#else after #else")
                    self.ifs[-1].is_else = True
                    f.pos = after
                    return
            f.pos = self.eol(f, p)

    def skip_blank_and_comments(self, f: _Frame, runaway: str) -> None:
        """Skip blanks, newlines and comments before a macro body's opening `#`."""
        text = f.text
        while True:
            if f.pos >= len(text):
                raise self.error(runaway)
            c = text[f.pos]
            if c == "#":
                f.pos += 1
                return
            if c == "\n":
                f.pos += 1
                self.newline()
            elif c in " \t\r\f\v":
                f.pos += 1
            elif c == ";" or text.startswith("//", f.pos):
                f.pos = self.eol(f, f.pos)
                if f.pos >= len(text):
                    raise self.error(runaway)
            elif text.startswith("/*", f.pos):
                end = text.find("*/", f.pos + 2)
                if end < 0:
                    raise self.error(runaway)
                for _ in range(text.count("\n", f.pos, end)):
                    self.newline()
                f.pos = end + 2
            else:
                raise self.error(f"define macro unexpected character {c}(0x{ord(c):02x}) "
                                 "awaiting #")

    def read_body(self, f: _Frame, eof_message: str) -> str:
        """A macro body up to the closing `#`; `\\x` is kept as is; newlines are passed on."""
        text = f.text
        out: list[str] = []
        while True:
            if f.pos >= len(text):
                raise self.error(eof_message)
            c = text[f.pos]
            f.pos += 1
            if c == "#":
                return "".join(out)
            out.append(c)
            if c == "\\" and f.pos < len(text):
                c = text[f.pos]
                f.pos += 1
                out.append(c)
            if c == "\n":
                self.newline()

    def define(self, f: _Frame) -> None:
        text = f.text
        m = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\()?").match(text, f.pos)
        if m is None:
            c = text[f.pos] if f.pos < len(text) else "\n"
            raise self.error(f"Unexpected character {c}({ord(c):02x}) line "
                             f"{self.origin()[1]}")
        name = m.group(1)
        f.pos = m.end()
        if m.group(2) is None:
            self.skip_blank_and_comments(f, "define macro runaway")
            self.macros[name] = _Macro(name, self.read_body(f, "define macro: unexpected EOF"))
            return
        args = []
        while True:
            while f.pos < len(text) and text[f.pos].isspace():
                if text[f.pos] == "\n":
                    self.newline()
                f.pos += 1
            a = re.compile(r"[A-Za-z0-9_]*").match(text, f.pos)
            args.append(a.group())
            f.pos = a.end()
            while f.pos < len(text) and text[f.pos].isspace():
                if text[f.pos] == "\n":
                    self.newline()
                f.pos += 1
            if f.pos < len(text) and text[f.pos] in "'#":
                f.pos += 1
                continue
            break
        if f.pos >= len(text) or text[f.pos] != ")":
            self.warnings.append("macro error")
        f.pos += 1
        self.skip_blank_and_comments(f, "define macro runaway")
        body = self.read_body(f, "define macro with args: unexpected EOF")
        self.macros[name] = _Macro(name, body, args)

    def undef(self, f: _Frame) -> None:
        text = f.text
        while f.pos < len(text) and text[f.pos] in " \t":
            f.pos += 1
        m = _IDENT.match(text, f.pos)
        if m is not None:
            if m.group() not in self.macros:
                raise self.error("Undefining undefined macro")
            del self.macros[m.group()]
        f.pos = self.eol(f, f.pos)

    # ---- includes -------------------------------------------------------------

    def include_directive(self, f: _Frame) -> None:
        text = f.text
        while f.pos < len(text) and text[f.pos] in " \t":
            f.pos += 1
        if f.pos >= len(text) or text[f.pos] == "\n":
            self.warnings.append("WARNING: Ill formed #include ignored")
            return
        delim = text[f.pos]
        end = f.pos + 1
        while end < len(text) and text[end] not in (delim, "\n"):
            end += 1
        if end >= len(text) or text[end] == "\n":
            self.warnings.append("WARNING: Ill formed #include ignored")
            f.pos = end
            return
        name = text[f.pos + 1:end]
        f.pos = end + 1
        self.include_file(f, name)

    def include_from_string(self, f: _Frame) -> None:
        line = "".join(self.cur)
        start = line.rfind('"', 0, len(line) - 1)
        name = line[start + 1:-1]
        self.cur = [line[:start]] if line[:start].strip() else []
        if not self.cur:
            self.cur_origin = None
        # the rest of the line is dropped, including what is left of a macro body
        while self.frames[-1].site is not None:
            self.frames.pop()
        self.include_file(self.frames[-1], name)

    def include_file(self, f: _Frame, name: str) -> None:
        if self.include_depth >= MAX_INCLUDE_DEPTH:
            raise self.error("Includes nested too deeply")
        path = self.find_include(name, f)
        content = None
        if path is not None:
            try:
                with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                    content = fh.read()
            except OSError:
                pass
        if content is None:
            raise self.error(f"Cannot open #include'd file {name}")
        f.pos = self.eol(f, f.pos)
        if f.pos < len(f.text):
            f.pos += 1
            self.newline()
        elif self.cur:
            self.newline()
        self.include_depth += 1
        self.push_file(content, path, os.path.dirname(path), 1, include=True)

    def find_include(self, name: str, f: _Frame) -> str | None:
        if os.path.isabs(name):
            return name if os.path.isfile(name) else None
        here = next((fr.directory for fr in reversed(self.frames) if fr.site is None), "")
        for d in (here, *self.include_dirs, "."):
            candidate = os.path.join(d, name) if d else name
            if os.path.isfile(candidate):
                return candidate
        return None


def preprocess(text: str, filename: str, macros: dict[str, str] | None = None,
               include_dirs: Sequence[str] = (), line_offset: int = 0) -> Source:
    """Expand directives and macros in orchestra `text` read from `filename`.

    `macros` predefines names (`--omacro`); `include_dirs` are searched after the
    including file's directory (INCDIR); `line_offset` is added to the line numbers
    of `text` (an orchestra starting on line 5 of a CSD has offset 4).
    """
    pre = _Preprocessor(macros, include_dirs, line_offset)
    directory = os.path.dirname(filename) if filename and not filename.startswith("<") else ""
    pre.push_file(text, filename, directory, line_offset + 1, include=False)
    pre.run()
    if pre.ifs:
        raise ParseError("Unmatched #ifdef or #ifndef",
                         Span(filename, line_offset + text.count("\n") + 1))
    return Source("\n".join(pre.lines) + ("\n" if pre.lines else ""), pre.origins,
                  pre.file_lines, pre.warnings)
