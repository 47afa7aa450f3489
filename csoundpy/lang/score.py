"""Score language: preprocessing, statements, carry, tempo warp, sorting, ramps.

Follows Csound 6.18's own pipeline, stage by stage, so that scores give the same
events in the same order:

1. ``_Preprocessor``  - Engine/csound_prs.lex: comments, line continuation, macros
   (with arguments), ``#include``/``#includestr``, ``#ifdef`` family, ``#exit``,
   ``{ }`` loops and ``r`` section repeats. Output: one expanded text.
2. ``_SectionReader`` - Engine/sread.c: statements and p-field tokens, carry (``.``,
   ``+``, ``^+``, ``!``, missing p-fields, ``C``), ``[ ]`` expressions, ``b B v``,
   ``m n x y``; one list of blocks per section.
3. ``_smoothsort``    - Engine/sort.c: Dijkstra's smoothsort with Csound's ordering.
   The order of fully tied blocks (carried p-fields inherit the line number they
   were carried from) depends on this exact algorithm, so it is kept.
4. ``_warp``          - Engine/twarp.c: ``t`` maps beats to seconds, seconds per beat
   varying linearly in beats between tempo points.
5. ``_Writer``        - Engine/swritestr.c + Engine/rdscor.c: ``np``/``pp``, ramps
   ``< > ( ) ~``, number checks and string escapes; ``s t``/``e t`` become ``f 0 t``.

Deviations: the random source of ``~`` and ``[~]`` is Csound's own (Rand31 with its
start seed 15937, shared in Csound with a few opcodes; here it starts afresh for each
parse); ``y`` without a seed uses the clock as Csound does. The old pre-warped ``w``
statement is not supported. Named instruments sort by the numbers given in
``instr_numbers`` (the engine's name table); without it they sort after numbered ones,
in order of first appearance.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import time
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..errors import ParseError, Span

__all__ = ["ScoreEvent", "ScoreSection", "Score", "parse_score", "parse_line_events"]

Z_VALUE = 800000000000.0  # `z`: Csound's "infinity" (about 25367 years)


@dataclass
class ScoreEvent:
    opcode: str
    pfields: list[float | str]
    beat: float = 0.0
    beat_dur: float = 0.0
    line: int = 0
    file: str = ""


@dataclass
class ScoreSection:
    events: list[ScoreEvent]
    end: float
    end_beat: float
    ends_with: str


@dataclass
class Score:
    sections: list[ScoreSection]
    has_s: bool
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# numbers and the random source


_DEC = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_HEX = r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
_SPECIAL = r"[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])"
_STRTOD = re.compile(f"{_HEX}|{_DEC}|{_SPECIAL}")


def _strtod(s: str, pos: int = 0) -> tuple[float, int]:
    """C strtod on s[pos:]: (value, end); end == pos when nothing converts."""
    m = _STRTOD.match(s, pos)
    if m is None:
        return 0.0, pos
    t = m.group()
    if "x" in t or "X" in t:
        return float.fromhex(t), m.end()
    return float(t), m.end()


def _c_div(a: float, b: float) -> float:
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _c_pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except (ValueError, ZeroDivisionError):
        return math.inf if a == 0.0 else math.nan
    except OverflowError:
        return math.inf


def _lrint(x: float) -> int:
    """(int32) lrint(x): round half to even, wrapped to 32 bits."""
    if math.isnan(x) or math.isinf(x):
        return 0
    return ((round(x) + 2**31) % 2**32) - 2**31


class _Rand31:
    """Csound's csoundRand31 (OOps/random.c): x = 742938285 x mod (2^31 - 1)."""

    def __init__(self, seed: int = 15937):
        self.seed = seed

    def next_unit(self) -> float:
        """Next value in [0, 1] as Csound scales it: (x - 1) / 2147483645."""
        tmp1 = (self.seed * 742938285) & 0xFFFFFFFFFFFFFFFF
        tmp2 = ((tmp1 & 0x7FFFFFFF) + (tmp1 >> 31)) & 0xFFFFFFFF
        tmp2 = ((tmp2 & 0x7FFFFFFF) + (tmp2 >> 31)) & 0xFFFFFFFF
        self.seed = tmp2 - 2**32 if tmp2 >= 2**31 else tmp2
        return (self.seed - 1) / 2147483645.0


# ---------------------------------------------------------------------------------------
# stage 1: the preprocessor (Engine/csound_prs.lex)


@dataclass
class _Macro:
    body: str
    args: list[str] | None = None  # None: plain macro
    inhibited: bool = False        # loop counters while their body is recorded


@dataclass
class _Frame:
    text: str
    file: str
    line: int
    is_file: bool = False
    args: dict[str, str] | None = None  # arguments visible in a macro body
    loop: "_Loop | None" = None          # a `{ }` body being replayed
    dir: str = "."
    pos: int = 0


@dataclass
class _Loop:
    name: str
    count: int
    index: int = 0
    body: str = ""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MACRO_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(\.?)(\(?)")
_PLAIN = re.compile(r"[^\\\n;/c\"$#{}]+")
_CONT = re.compile(r"\\[ \t]*(?:;[^\n]*)?\n")
_DIRECTIVE = re.compile(
    r"#(?:(includestr)|(include)|[ \t]*(define)|(undef)|(ifn?def)|(else)[ \t]*(?:;[^\n]*)?(?=\n|$)"
    r"|(end)(?:if)?[ \t]*(?:;[^\n]*)?(?:\n|$)|(exit))"
)
_SKIPPED_DIRECTIVE = re.compile(r"[ \t]*#([a-z]{0,7})")
_SEND = re.compile(r"[ \t]*([es])")
_ROP = re.compile(r"[ \t]*r")
_MAX_DEPTH = 1024


class _Preprocessor:
    """Expands a score text as Csound's score preprocessor does."""

    def __init__(self, macros: Mapping[str, str], include_dirs: Sequence[str]):
        self.macros: dict[str, _Macro] = {k: _Macro(v) for k, v in macros.items()}
        self.include_dirs = list(include_dirs)
        self.frames: list[_Frame] = []
        self.outs: list[list[str]] = [[]]
        self.lines: list[tuple[str, int]] = []
        self.in_string = False
        self.ifdefs: list[list[bool]] = []      # [is_else] per open #ifdef
        self.loops: list[_Loop] = []
        self.repeat: dict | None = None          # state of an `r` section repeat
        self.include_str_at: int | None = None

    # -- plumbing
    def run(self, text: str, filename: str, line: int) -> tuple[str, list[tuple[str, int]]]:
        self.lines.append((filename, line))
        self.frames.append(_Frame(text, filename, line, True, dir=os.path.dirname(filename) or "."))
        while self.frames:
            if not self._step():
                break
        return "".join(self.outs[0]), self.lines

    def _src(self) -> tuple[str, int]:
        for f in reversed(self.frames):
            if f.is_file:
                return f.file, f.line
        return "", 0

    def _error(self, message: str) -> ParseError:
        file, line = self._src()
        return ParseError(message, Span(file, line))

    def _emit(self, s: str) -> None:
        self.outs[-1].append(s)
        if len(self.outs) == 1 and "\n" in s:
            src = self._src()
            self.lines.extend([src] * s.count("\n"))

    def _newline(self, frame: _Frame) -> None:
        if frame.is_file:
            frame.line += 1
        self._emit("\n")

    def _push(self, frame: _Frame) -> None:
        if len(self.frames) >= _MAX_DEPTH:
            raise self._error("macros/include nested too deep: ")
        self.frames.append(frame)

    def _pop(self) -> None:
        frame = self.frames.pop()
        loop = frame.loop
        if loop is not None:
            loop.index += 1
            if loop.index < loop.count:
                self.macros[loop.name] = _Macro(str(loop.index))
                self._push(_Frame(loop.body, frame.file, frame.line, loop=loop))
            else:
                self.loops.remove(loop)

    def _skip_line(self, f: _Frame) -> None:
        """Consume the rest of the line, its newline included (not emitted)."""
        end = f.text.find("\n", f.pos)
        if end < 0:
            f.pos = len(f.text)
        else:
            f.pos = end + 1
            if f.is_file:
                f.line += 1

    # -- one scanner step
    def _step(self) -> bool:
        f = self.frames[-1]
        text, pos = f.text, f.pos
        if pos >= len(text):
            self._pop()
            return True
        at_bol = pos == 0 or text[pos - 1] == "\n"
        if at_bol and not self.in_string:
            m = _ROP.match(text, pos)
            if m:
                self._repeat_start(f, m)
                return True
            m = _SEND.match(text, pos)
            if m:
                self._section_end(f, m)
                return True
        c = text[pos]
        if c == "\n":
            f.pos += 1
            self._newline(f)
        elif c == "\\":
            m = _CONT.match(text, pos)
            if m:
                f.pos = m.end()
                if f.is_file:
                    f.line += 1
            else:
                f.pos += 2 if pos + 1 < len(text) and text[pos + 1] != "\n" else 1
                self._emit(text[pos:f.pos])
        elif c == '"':
            f.pos += 1
            self.in_string = not self.in_string
            self._emit('"')
            if not self.in_string and self.include_str_at is not None:
                self._include_str(f)
        elif self.in_string and c in ";/c#":
            f.pos += 1
            self._emit(c)
        elif c == ";" or c == "c" or text.startswith("//", pos):
            # compat: Csound 6.18 takes any `c` outside a string as a comment start
            end = text.find("\n", pos)
            f.pos = len(text) if end < 0 else end + 1
            self._newline(f)
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            end = len(text) if end < 0 else end + 2
            if f.is_file:
                f.line += text.count("\n", pos, end)
            f.pos = end
        elif c == "$":
            self._macro_use(f)
        elif c == "#":
            self._directive(f)
        elif c == "{":
            self._loop_start(f)
        elif c == "}":
            self._loop_end(f)
        else:
            m = _PLAIN.match(text, pos)
            if m:
                f.pos = m.end()
                self._emit(m.group())
            else:
                f.pos += 1
                self._emit(c)
        return True

    # -- macros
    def _lookup(self, name: str) -> tuple[str | None, _Macro | None]:
        """An argument of the macro whose body is being read, else a macro."""
        args = self.frames[-1].args if self.frames else None
        if args is not None and name in args:
            return args[name], None
        return None, self.macros.get(name)

    def _macro_use(self, f: _Frame) -> None:
        m = _MACRO_USE.match(f.text, f.pos)
        if m is None:
            f.pos += 1
            self._emit("$")
            return
        name, call = m.group(1), m.group(3) == "("
        arg_text, macro = self._lookup(name)
        if arg_text is not None:
            f.pos = m.end()
            self._push(_Frame(arg_text, f.file, f.line))
            return
        if macro is None:
            raise self._error(f"Undefined macro: '{m.group()[:-1] if call else m.group()}'")
        if macro.inhibited:
            f.pos = m.end()
            self._emit(m.group())
            return
        f.pos = m.end()
        args = None
        if call:
            args = {}
            names = macro.args or []
            for j, arg in enumerate(names):
                args[arg] = self._read_macro_arg(f, j == len(names) - 1)
        self._push(_Frame(macro.body, f.file, f.line, args=args))

    def _read_macro_arg(self, f: _Frame, last: bool) -> str:
        terms = ")" if last else "'#"
        depth, out = 0, []
        text = f.text
        while True:
            if f.pos >= len(text):
                raise self._error("Missing argument terminator")
            c = text[f.pos]
            f.pos += 1
            if depth == 0 and c in terms:
                return "".join(out)
            if depth == 0 and c == ")":
                raise self._error("Too few arguments to macro")
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "\\" and f.pos < len(text):
                nxt = text[f.pos]
                f.pos += 1
                if nxt != ")":
                    out.append(c)
                c = nxt
            out.append(c)

    def _define(self, f: _Frame) -> None:
        text = f.text
        while f.pos < len(text) and text[f.pos] in " \t":
            f.pos += 1
        m = _NAME.match(text, f.pos)
        if m is None:
            c = text[f.pos] if f.pos < len(text) else ""
            raise self._error(f"Unexpected character {c}({ord(c) if c else 0:02x}) line {f.line}")
        name = m.group()
        f.pos = m.end()
        args = None
        if f.pos < len(text) and text[f.pos] == "(":
            f.pos += 1
            args = []
            while True:
                while f.pos < len(text) and text[f.pos].isspace():
                    f.pos += 1
                a = _NAME.match(text, f.pos)
                args.append(a.group() if a else "")
                f.pos = a.end() if a else f.pos
                while f.pos < len(text) and text[f.pos].isspace():
                    f.pos += 1
                c = text[f.pos] if f.pos < len(text) else ""
                f.pos += 1
                if c not in ("'", "#"):
                    break
        self._skip_to_body(f)
        out = []
        while True:
            if f.pos >= len(text):
                raise self._error("define macro: unexpected EOF")
            c = text[f.pos]
            f.pos += 1
            if c == "#":
                break
            out.append(c)
            if c == "\\" and f.pos < len(text):
                c = text[f.pos]
                f.pos += 1
                out.append(c)
            if c == "\n":
                self._newline(f)
        self.macros[name] = _Macro("".join(out), args)

    def _skip_to_body(self, f: _Frame) -> None:
        """Skip blanks and comments up to the `#` that opens a macro body."""
        text = f.text
        while True:
            if f.pos >= len(text):
                raise self._error("define macro runaway")
            c = text[f.pos]
            f.pos += 1
            if c == "#":
                return
            if c == ";" or text.startswith("//", f.pos - 1):
                end = text.find("\n", f.pos)
                if end < 0:
                    raise self._error("define macro runaway")
                f.pos = end
            elif text.startswith("/*", f.pos - 1):
                end = text.find("*/", f.pos + 1)
                if end < 0:
                    raise self._error("define macro runaway")
                f.pos = end + 2
            elif not c.isspace():
                raise self._error(f"define macro unexpected character {c}(0x{ord(c):02x}) awaiting #")
            elif c == "\n" and f.is_file:
                f.line += 1

    # -- directives
    def _directive(self, f: _Frame) -> None:
        m = _DIRECTIVE.match(f.text, f.pos)
        if m is None:
            f.pos += 1
            self._emit("#")
            return
        f.pos = m.end()
        incstr, inc, define, undef, ifdef, els, end, exit_ = m.groups()
        if incstr:
            self.include_str_at = sum(len(s) for s in self.outs[-1])
        elif inc:
            self._include(f)
        elif define:
            self._define(f)
        elif undef:
            while f.pos < len(f.text) and f.text[f.pos] in " \t":
                f.pos += 1
            n = _NAME.match(f.text, f.pos)
            name = n.group() if n else ""
            if name not in self.macros:
                raise self._error("Undefining undefined macro")
            del self.macros[name]
            self._skip_line(f)
            self._emit("\n")
        elif ifdef:
            while f.pos < len(f.text) and f.text[f.pos] in " \t":
                f.pos += 1
            n = _NAME.match(f.text, f.pos)
            name = n.group() if n else ""
            f.pos = n.end() if n else f.pos
            defined = name in self.macros
            self.ifdefs.append([False])
            self._skip_line(f)
            self._emit("\n")
            if defined == (ifdef == "ifndef"):
                self._skip_code(f)
        elif els:
            if not self.ifdefs:
                raise self._error("#else without #if")
            if self.ifdefs[-1][0]:
                raise self._error("#else after #else")
            self.ifdefs[-1][0] = True
            self._skip_line(f)
            self._emit("\n")
            self._skip_code(f)
        elif end:
            if not self.ifdefs:
                raise self._error("Unmatched #end")
            self.ifdefs.pop()
            if f.text[f.pos - 1 : f.pos] == "\n" and f.is_file:
                f.line += 1
            self._emit("\n")
        elif exit_:
            self.frames.clear()

    def _skip_code(self, f: _Frame) -> None:
        """From a line start, skip lines up to the matching #else or #end
        (csound_prs.lex do_ifdef_skip_code); stops before that line's newline."""
        text, nested = f.text, 0
        while True:
            m = _SKIPPED_DIRECTIVE.match(text, f.pos)
            if m is not None:
                word = m.group(1)
                if word in ("end", "endif"):
                    if nested == 0:
                        self.ifdefs.pop()
                        f.pos = m.end()
                        break
                    nested -= 1
                elif word in ("ifdef", "ifndef"):
                    nested += 1
                elif word == "else" and nested == 0:
                    if self.ifdefs[-1][0]:
                        raise self._error("#else after #else")
                    self.ifdefs[-1][0] = True
                    f.pos = m.end()
                    break
            nl = text.find("\n", f.pos)
            if nl < 0:
                raise self._error("Unmatched #ifdef")
            f.pos = nl + 1
            if f.is_file:
                f.line += 1
            self._emit("\n")
        nl = text.find("\n", f.pos)
        f.pos = len(text) if nl < 0 else nl

    def _include(self, f: _Frame) -> None:
        text = f.text
        while f.pos < len(text) and text[f.pos] in " \t":
            f.pos += 1
        if f.pos >= len(text):
            return
        delim = text[f.pos]
        end = f.pos + 1
        while end < len(text) and text[end] != delim:
            if text[end] == "\n":
                f.pos = end   # compat: Csound only warns "Ill formed #include ignored"
                return
            end += 1
        name = text[f.pos + 1 : end]
        f.pos = end + 1
        self._skip_line(f)
        self._open_include(f, name)

    def _include_str(self, f: _Frame) -> None:
        out = "".join(self.outs[-1])
        start = self.include_str_at or 0
        name = out[start:].strip()
        self.outs[-1][:] = [out[:start]]
        self.include_str_at = None
        if name.startswith('"') and name.endswith('"'):
            name = name[1:-1]
        self._skip_line(f)
        self._open_include(f, name)

    def _open_include(self, f: _Frame, name: str) -> None:
        here = next((fr.dir for fr in reversed(self.frames) if fr.is_file), ".")
        candidates = [name] if os.path.isabs(name) else [os.path.join(here, name), name]
        candidates += [os.path.join(d, name) for d in self.include_dirs]
        for path in candidates:
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                    body = _normalise_newlines(fh.read())
                self._emit("\n")
                self._push(_Frame(body, name, 1, True, dir=os.path.dirname(path) or "."))
                return
        raise self._error(f"Cannot open #include'd file {name}")

    # -- loops and section repeats
    def _read_count(self, f: _Frame) -> int:
        text = f.text
        while f.pos < len(text) and text[f.pos] in " \t":
            f.pos += 1
        if text.startswith("$", f.pos):
            m = _NAME.match(text, f.pos + 1)
            name = m.group() if m else ""
            f.pos = m.end() if m else f.pos + 1
            if text.startswith(".", f.pos):
                f.pos += 1
            _, macro = self._lookup(name)
            if macro is None:
                raise self._error(f"Undefined macro: '{name}'")
            return _atoi(macro.body)
        if text.startswith("[", f.pos):
            f.pos += 1
            return self._int_expression(f)
        m = re.compile(r"\d*").match(text, f.pos)
        f.pos = m.end()
        return int(m.group() or 0)

    def _int_expression(self, f: _Frame) -> int:
        """Integer `[...]` of a loop count (csound_prs.lex bodmas), after the `[`."""
        rd = _CharSource(f.text, f.pos)
        value = _evaluate(rd, self._error, integer=True, rand=None)
        f.pos = rd.pos
        return int(value)

    def _loop_start(self, f: _Frame) -> None:
        f.pos += 1
        count = self._read_count(f)
        if count <= 0:
            raise self._error("{: invalid repeat count")
        if len(self.loops) >= 39:
            raise self._error("Loops are nested too deeply")
        text = f.text
        while f.pos < len(text) and text[f.pos] in " \t":
            f.pos += 1
        m = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,38}").match(text, f.pos)
        name = m.group() if m else ""
        f.pos = m.end() if m else f.pos
        self._skip_line(f)
        self.macros[name] = _Macro("0", inhibited=True)
        self.loops.append(_Loop(name, count))
        self.outs.append([])

    def _loop_end(self, f: _Frame) -> None:
        f.pos += 1
        if not self.loops or len(self.outs) < 2:
            raise self._error("unmatched } in score")
        loop = self.loops[-1]
        loop.body = "".join(self.outs.pop())
        self.macros[loop.name] = _Macro("0")
        self._push(_Frame(loop.body, f.file, f.line, loop=loop))

    def _repeat_start(self, f: _Frame, m: re.Match) -> None:
        if self.repeat is not None and self.repeat["state"] == 1:
            # compat: a new `r` ends the section being recorded, as if `s` came first
            f.text = f.text[: m.start()] + "\ns\n" + f.text[m.start():]
            return
        text = f.text
        pos = m.end()
        while pos < len(text) and text[pos] in " \t\0":
            pos += 1
        d = re.compile(r"\d*").match(text, pos)
        count = int(d.group() or 0)
        pos = d.end()
        if count <= 0 or pos >= len(text) or not text[pos].isspace():
            raise self._error(f"r: invalid repeat count {count}")
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        name = None
        if pos < len(text) and text[pos].isalpha():
            n = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,38}").match(text, pos)
            name, pos = n.group(), n.end()
            self.macros[name] = _Macro("0", inhibited=True)
        f.pos = pos
        self.repeat = {"state": 1, "count": count, "index": 0, "name": name, "body": ""}
        self.outs.append([])

    def _section_end(self, f: _Frame, m: re.Match) -> None:
        op, text = m.group(1), f.text
        f.pos = m.end()
        rep = self.repeat
        if rep is not None and rep["state"] == 1:
            tail = re.compile(r"[ \t0-9.e+\-]*").match(text, f.pos)
            f.pos = tail.end()
            if f.pos < len(text) and text[f.pos] == "\n":
                f.pos += 1
                if f.is_file:
                    f.line += 1
            # compat: the recorded `s` keeps its time on a line of its own, never read
            self.outs[-1].append("s\n" + tail.group() + "\n")
            rep["body"] = "".join(self.outs.pop())
            rep["state"] = 2
            if rep["name"]:
                self.macros[rep["name"]] = _Macro("0")
            self._push(_Frame(rep["body"], f.file, f.line))
        elif rep is not None and rep["state"] == 2:
            nl = text.find("\n", f.pos)
            f.pos = len(text) if nl < 0 else nl + 1
            self._emit("s" + text[m.end():f.pos] + "\n")
            self.frames.pop()
            rep["index"] += 1
            if rep["index"] < rep["count"]:
                if rep["name"]:
                    self.macros[rep["name"]] = _Macro(str(rep["index"]))
                top = self.frames[-1] if self.frames else f
                self._push(_Frame(rep["body"], top.file, top.line))
            else:
                self.repeat = None
        else:
            self._emit(op)
            if f.pos < len(text) and text[f.pos] in " \t":
                nl = text.find("\n", f.pos)
                end = len(text) if nl < 0 else nl + 1
                self._emit(text[f.pos:end] if nl >= 0 else text[f.pos:end] + "\n")
                f.pos = end
                if nl >= 0 and f.is_file:
                    f.line += 1
            elif f.pos < len(text):
                # compat: the character after the letter is dropped
                if text[f.pos] == "\n" and f.is_file:
                    f.line += 1
                f.pos += 1
            self._emit("\n")


def _atoi(s: str) -> int:
    m = re.compile(r"\s*([+-]?\d+)").match(s)
    return int(m.group(1)) if m else 0


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------
# `[ ]` expressions (sread.c read_expression; the loop-count variant in csound_prs.lex)


class _CharSource:
    """A cursor over text; getc() returns '' at the end."""

    def __init__(self, text: str, pos: int = 0):
        self.text, self.pos = text, pos

    def getc(self) -> str:
        if self.pos >= len(self.text):
            self.pos += 1
            return ""
        c = self.text[self.pos]
        self.pos += 1
        return c


_PRECEDENCE_GROUPS = {"*": "*/%", "/": "*/%", "%": "*/%", "&": "|&#", "|": "|&#", "#": "|&#"}


def _operate(a: float, b: float, op: str, integer: bool) -> float:
    if integer:
        a, b = int(a), int(b)
        if op in "/%" and b == 0:
            return 0
        if op == "/":
            return int(a / b)
        if op == "%":
            return int(math.fmod(a, b))
        if op == "^":
            return 0 if b < 0 else a**b
        if op == "&":
            return a & b
        if op == "|":
            return a | b
        if op == "#":
            return a ^ b
        return a + b if op == "+" else a - b if op == "-" else a * b
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return _c_div(a, b)
    if op == "%":
        return 0.0 if b == 0.0 else math.fmod(a, abs(b))
    if op == "^":
        return _c_pow(a, b)
    x, y = _lrint(a), _lrint(b)
    return float(x & y if op == "&" else x | y if op == "|" else x ^ y)


def _evaluate(rd: _CharSource, error, integer: bool, rand: _Rand31 | None,
              warn=None) -> float:
    """Evaluate after an opening `[`, up to and including its `]`.

    Csound's operator-stack evaluator: a `+`/`-` reduces only the one operator below
    it, `*`/`/`/`%` and `&`/`|`/`#` reduce one of their own group, `^` never reduces
    (right-associative), and `]` or `)` reduce everything back to their opener.
    """
    ops, vals = ["["], []
    expect_op = False

    def reduce_one():
        b, a = vals.pop(), vals.pop()
        vals.append(_operate(a, b, ops.pop(), integer))

    c = rd.getc()
    while True:
        if not c:
            raise error("illegal character EOF(00) in [] expression")
        if c in " \t":
            c = rd.getc()
            continue
        if integer and c in "+-" and not expect_op:
            c = rd.getc()       # compat: csound_prs.lex drops a unary sign in loop counts
            continue
        if c.isdigit() or (not integer and (c == "." or (c in "+-" and not expect_op))):
            if expect_op:
                raise error("illegal placement of number in [] expression")
            buf = [c]
            c = rd.getc()
            while c.isdigit() or (c == "." and not integer):
                buf.append(c)
                c = rd.getc()
            if c in ("e", "E") and not integer:
                buf.append(c)
                c = rd.getc()
                if c and c in "+-":
                    buf.append(c)
                    c = rd.getc()
                while c.isdigit():
                    buf.append(c)
                    c = rd.getc()
            vals.append(_atoi("".join(buf)) if integer else _stof("".join(buf), warn))
            expect_op = True
        elif c == "~" and rand is not None:
            if expect_op:
                raise error("illegal placement of operator ~ in [] expression")
            vals.append(rand.next_unit())
            expect_op = True
            c = rd.getc()
        elif c == "@" and not integer:
            if expect_op:
                raise error("illegal placement of operator @ or @@ in [] expression")
            c = rd.getc()
            k = 0
            if c == "@":
                k, c = 1, rd.getc()
            n = 0
            while c.isdigit():
                n = 10 * n + int(c)
                c = rd.getc()
            i = 1
            while i <= n - k and i < 0x4000000:
                i <<= 1
            vals.append(float(i + k))
            expect_op = True
        elif c in "+-":
            if ops[-1] not in "[(":
                reduce_one()
            ops.append(c)
            expect_op = False
            c = rd.getc()
        elif c in _PRECEDENCE_GROUPS:
            if not expect_op:
                raise error(f"illegal placement of operator {c} in [] expression")
            if ops[-1] in _PRECEDENCE_GROUPS[c]:
                reduce_one()
            ops.append(c)
            expect_op = False
            c = rd.getc()
        elif c == "^":
            ops.append(c)
            expect_op = False
            c = rd.getc()
        elif c == "(":
            if expect_op:
                raise error("illegal placement of '(' in [] expression")
            ops.append(c)
            c = rd.getc()
        elif c == ")":
            if not expect_op:
                raise error("missing operand before ')' in [] expression")
            while ops[-1] != "(":
                if ops[-1] == "[":
                    raise error("missing '(' in [] expression")
                reduce_one()
            ops.pop()
            c = rd.getc()
        elif c == "[":
            if expect_op:
                raise error("illegal placement of '[' in [] expression")
            vals.append(_evaluate(rd, error, integer, rand, warn))
            expect_op = True
            c = rd.getc()
        elif c == "]":
            if not expect_op:
                raise error("missing operand before closing bracket in []")
            while ops[-1] != "[":
                if ops[-1] == "(":
                    raise error("missing ')' in [] expression")
                reduce_one()
            return vals[-1]
        else:
            raise error(f"illegal character {c}({ord(c):02x}) in [] expression")


def _stof(s: str, warn=None) -> float:
    """sread.c stof: a number, `z` suffix = Z_VALUE, else a warning and zero."""
    value, end = _strtod(s)
    if end < len(s) and s[end] == "z":
        return Z_VALUE
    if end == 0 or end < len(s):
        if warn is not None:
            warn(f"sread: illegal number format:  {s}   zero substituted.")
        return 0.0
    return value


# ---------------------------------------------------------------------------------------
# stage 2: statements (Engine/sread.c)


@dataclass
class _Block:
    op: str
    fields: list[str]
    lineno: int
    file: str = ""
    line: int = 0
    p1val: float = 0.0
    p2val: float = 0.0
    p3val: float = 0.0
    newp2: float = 0.0
    newp3: float = 0.0
    insno: int = 0
    preced: str = "\0"


def _raw_text(bp: _Block) -> str:
    return bp.op + " " + " ".join(bp.fields)


def _token_at(raw: str, pos: int) -> tuple[str, int]:
    """The p-field token starting at raw[pos] (a string runs to its closing quote)."""
    if raw.startswith('"', pos):
        end = pos + 1
        while end < len(raw) and raw[end] != '"':
            end += 2 if raw[end] == "\\" else 1
        end = min(end + 1, len(raw))
    else:
        end = raw.find(" ", pos)
        end = len(raw) if end < 0 else end
    return raw[pos:end], end + 1


def _naive_fields(bp: _Block, n: int, count: int) -> list[str]:
    """`count` p-fields of bp from the n-th blank on: Csound locates a p-field by
    counting blanks in the statement text, strings included (sread.c pcopy,
    swritestr.c nextp and ramp), and only then reads it quote-aware."""
    raw = _raw_text(bp)
    pos = 0
    for _ in range(n):
        pos = raw.find(" ", pos) + 1
        if pos == 0:
            return []
    out = []
    while count > 0 and pos < len(raw):
        tok, pos = _token_at(raw, pos)
        out.append(tok)
        count -= 1
    return out


_SCORE_OPS = set("abBdCefimnqrstvwxy{}")
_PFIELD_START = set("0123456789.+-^np<>()\"~!z")
_PFIELD_RUN = re.compile(r"[0-9.+\-eEnp<>()~z]*")
_T_RUN = re.compile(r"[0-9.+\-eEnp<>()~z]*")


class _SectionReader:
    """Reads the expanded text one section at a time (sread.c)."""

    def __init__(self, text: str, lines: list[tuple[str, int]], line_offset: int,
                 instr_numbers: Mapping[str, int] | None, rand: _Rand31, warnings: list[str]):
        self.text, self.pos = text, 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines, self.line_offset = lines, line_offset
        self.instr_numbers = instr_numbers
        self.named_order: dict[str, int] = {}
        self.rand, self.warnings = rand, warnings
        self.clock_base, self.warp_factor, self.prvp2 = 0.0, 1.0, 0.0
        self.nocarry = False
        self.marks: dict[str, int] = {}
        self.returns: list[int] = []      # positions to resume at after an `n` replay
        self.counter = 0
        self.after_e = False
        self.linpos = 0
        self.last_of: dict[int, _Block] = {}

    # -- character level
    def _getc(self) -> str:
        if self.pos >= len(self.text):
            return ""
        c = self.text[self.pos]
        self.pos += 1
        return c

    def _skip_white(self) -> str:
        """First character that is not a blank or newline (sread.c sget1)."""
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos] in " \t\n":
            if text[self.pos] == "\n":
                self.linpos = 0
            self.pos += 1
        return self._getc()

    def _flush_line(self) -> None:
        nl = self.text.find("\n", self.pos)
        self.pos = len(self.text) if nl < 0 else nl + 1
        self.linpos = 0

    def _where(self, pos: int | None = None) -> tuple[str, int]:
        pos = self.pos if pos is None else pos
        index = bisect.bisect_left(self.newlines, pos)
        file, line = self.lines[min(index, len(self.lines) - 1)] if self.lines else ("", 0)
        return file, line + self.line_offset

    def _error(self, message: str) -> ParseError:
        file, line = self._where()
        start = self.text.rfind("\n", 0, max(self.pos - 1, 0)) + 1
        end = self.text.find("\n", start)
        src = self.text[start:] if end < 0 else self.text[start:end]
        return ParseError(message, Span(file, line, max(self.pos - start, 1), src.strip("\n")))

    def _warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- statements
    def _get_op(self) -> str:
        c = self._skip_white()
        while c and c not in _SCORE_OPS and self.after_e:
            # text after `e` is read but never played: a stray character is only a warning
            self._warn(f"sread: illegal opcode {c}")
            self._flush_line()
            c = self._skip_white()
        if c and c not in _SCORE_OPS:
            self.pos -= 1
            raise self._error(f"sread: illegal opcode {c}")
        self.linpos += 1
        return c

    def _get_pfield(self, op: str, pcnt: int, numeric_only: bool = False) -> str | None:
        """Next p-field token of this statement, or None (sread.c getpfld)."""
        c = self._skip_white()
        if not c:
            return None
        if c == "[":
            value = _evaluate(_CharSourceView(self), self._error, False, self.rand, self._warn)
            self.linpos += 1
            return float.hex(value)
        if not c.isdigit() and (numeric_only or c not in _PFIELD_START):
            self.pos -= 1
            if self.linpos:
                raise self._error(f"sread: unexpected char {c}")
            return None
        self.linpos += 1
        start = self.pos - 1
        if c == '"':
            if pcnt < 3 and not (op in "idq" and pcnt == 0):
                raise self._error("sread: illegally placed string")
            while True:
                ch = self._getc()
                if ch == "" or ch == "\n":
                    raise self._error("sread: unmatched quote")
                if ch == "\\":
                    self._getc()
                elif ch == '"':
                    return self.text[start:self.pos]
        m = _PFIELD_RUN.match(self.text, self.pos)
        self.pos = m.end()
        return self.text[start:self.pos]

    def read_section(self) -> list[_Block] | None:
        """The blocks of the next section; None at the end of the text."""
        blocks: list[_Block] = []
        self.last_of = {}       # latest block of each instrument number, for carries
        pending: str | None = None
        any_op = False
        while True:
            op = pending if pending is not None else self._get_op()
            pending = None
            if not op:
                return blocks if any_op else None
            any_op = True
            stmt_pos = self.pos
            if op in "bBCvmn":
                pending = self._modifier(op)
                continue
            self.counter += 1
            file, line = self._where(stmt_pos)
            block = _Block(op, [], self.counter, file, line)
            if op in "idfaq":
                self._statement(block, blocks)
            elif op == "t":
                self._tempo_fields(block)
            elif op == "y":
                self._seed()
            elif op in "se":
                self._section_end(block)
                self._append(blocks, block)
                if self.returns:
                    self.pos = self.returns.pop()
                    return blocks
                if op == "s":
                    self.clock_base, self.warp_factor, self.prvp2 = 0.0, 1.0, -1.0
                else:
                    self.after_e = not self.returns
                return blocks
            elif op == "x":
                pending = self._skip_section()
                continue
            elif op == "w":
                raise self._error("the w statement (pre-warped score) is not supported")
            else:
                raise self._error(f"sread is confused on legal opcodes {op}")
            self._append(blocks, block)

    def _append(self, blocks: list[_Block], block: _Block) -> None:
        blocks.append(block)
        self.last_of[block.insno] = block

    def _modifier(self, op: str) -> str:
        """`b B C v m n`: change the reader's state; returns the next op."""
        if op in "bBCv":
            tok = self._get_pfield(op, 0) or "0"
            value = _stof(tok, self._warn)
            if op == "b":
                self.clock_base = value
            elif op == "B":
                self.clock_base += value
            elif op == "C":
                self.nocarry = value == 0.0
            else:
                self.warp_factor = value
            self._flush_line()
        else:
            while self.pos < len(self.text) and self.text[self.pos] in " \t":
                self.pos += 1
            m = re.compile(r"[A-Za-z][A-Za-z0-9_]*").match(self.text, self.pos)
            name = m.group() if m else ""
            self.pos = m.end() if m else self.pos
            self._flush_line()
            if op == "m":
                self.marks[name] = self.pos
            elif name in self.marks:
                self.returns.append(self.pos)
                self.pos = self.marks[name]
            else:
                self._warn(f"sread: Name {name} not found")
        return self._get_op()

    def _skip_section(self) -> str:
        """`x`: skip statements up to the next s, r, m or e."""
        self._flush_line()
        while True:
            op = self._get_op()
            if op in ("s", "r", "m", "e", ""):
                return op
            self._flush_line()

    def _seed(self) -> None:
        nl = self.text.find("\n", self.pos)
        rest = self.text[self.pos:] if nl < 0 else self.text[self.pos:nl]
        self.pos = len(self.text) if nl < 0 else nl + 1
        rest = rest.lstrip(" \t")
        if rest[:1] and (rest[0].isdigit() or rest[0] in "+-."):
            value, _ = _strtod(rest)
            self.rand.seed = int(value)
        else:
            tmp = int(time.time() * 1e6) & 0xFFFFFFFF
            while tmp >= 0x7FFFFFFE:
                tmp -= 0x7FFFFFFE
            self.rand.seed = tmp + 1

    def _tempo_fields(self, block: _Block) -> None:
        while (tok := self._get_pfield("t", len(block.fields), numeric_only=True)) is not None:
            block.fields.append(tok)

    def _section_end(self, block: _Block) -> None:
        nl = self.text.find("\n", self.pos)
        rest = self.text[self.pos:] if nl < 0 else self.text[self.pos:nl]
        self.pos = len(self.text) if nl < 0 else nl + 1
        self.linpos = 0
        rest = rest.lstrip(" \t")
        if rest[:1] and (rest[0].isdigit() or rest[0] in "+-."):
            value, end = _strtod(rest)
            if end and (end == len(rest) or rest[end].isspace()):
                block.fields = [rest[:end]]
                block.p1val = block.p2val = block.newp2 = value

    # -- i f a q d statements with carry (sread.c ifa, setprv, pcopy)
    def _statement(self, bp: _Block, blocks: list[_Block]) -> None:
        op = bp.op
        prvblk = blocks[-1] if blocks else None
        prvibp: _Block | None = None
        bang = False
        while (tok := self._get_pfield(op, len(bp.fields))) is not None:
            bp.fields.append(tok)
            pcnt = len(bp.fields)
            if tok[0] == "^" and op == "i" and pcnt == 2:
                self._caret(bp, tok)
            elif tok in (".", "+"):
                src = None
                if op == "i" and (tok == "." or pcnt == 2):
                    if pcnt >= 2 and prvibp is not None and pcnt <= len(prvibp.fields):
                        src = prvibp
                    elif pcnt == 1 and prvblk is not None and prvblk.op == "i":
                        src = prvblk
                if src is None:
                    self._warn("sread: illegal use of carry,   0 substituted\n"
                               + " ".join([op, *bp.fields]) + "<=")
                    bp.fields[-1] = "0"
                elif tok == ".":
                    bp.fields.pop()
                    prvibp = self._copy(bp, pcnt, 1, src, blocks) or prvibp
                    if pcnt >= 2:
                        self.prvp2 = bp.p2val
                else:
                    self.prvp2 = bp.p2val = src.p2val + abs(src.p3val)
            elif tok[0] == "!":
                bp.fields.pop()
                if op != "i":
                    self._warn(f"sread: ignoring '{tok}' in '{op}' event")
                    continue
                if pcnt < 4:
                    self._warn("sread: ! invalid in p1, p2, or p3")
                elif len(tok) != 1:
                    self._warn(f"sread: illegal character after !: '{tok[1]}'")
                else:
                    bang = True
                self._flush_line()
                break
            elif pcnt == 1:
                bp.p1val = math.nan if (op in "idq" and tok[0] == '"') else _stof(tok, self._warn)
                if op in "id":
                    prvibp = self._set_insno(bp, tok, blocks)
                else:
                    prvibp = None
            elif pcnt == 2:
                self.prvp2 = bp.p2val = self.warp_factor * _stof(tok, self._warn) + self.clock_base
            elif pcnt == 3:
                scale = self.warp_factor if op == "i" else 1.0
                bp.p3val = scale * _stof(tok, self._warn)
            if pcnt == 2:
                bp.newp2 = bp.p2val
            elif pcnt == 3:
                bp.newp3 = bp.p3val
        pcnt = len(bp.fields)
        if op != "i":
            return
        src = prvibp
        if src is None and pcnt == 0 and prvblk is not None and prvblk.op == "i":
            src = prvblk
        if self.nocarry and pcnt < 3 and src is not None:
            prvibp = self._copy(bp, pcnt + 1, 3 - pcnt, src, blocks) or prvibp
        src = prvibp
        if src is None and len(bp.fields) == 0 and prvblk is not None and prvblk.op == "i":
            src = prvblk
        if not bang and not self.nocarry and src is not None and len(src.fields) > len(bp.fields):
            self._copy(bp, len(bp.fields) + 1, len(src.fields) - len(bp.fields), src, blocks)

    def _caret(self, bp: _Block, tok: str) -> None:
        rest = tok[2:] if tok.startswith("^+") else tok[1:]
        if self.prvp2 < 0:
            self._warn("sread: No previous event for ^")
            self.prvp2 = bp.p2val = self.warp_factor * _stof(rest, self._warn)
        elif rest == "":
            self._warn(f"sread: illegal space following {'^+' if tok.startswith('^+') else '^'}, "
                       "zero substituted")
            bp.p2val = self.prvp2
        else:
            self.prvp2 = bp.p2val = self.prvp2 + self.warp_factor * _stof(rest, self._warn)

    def _copy(self, bp: _Block, pfno: int, ncopy: int, src: _Block,
              blocks: list[_Block]) -> _Block | None:
        """Carry p-fields pfno.. from an earlier block (sread.c pcopy); returns the new
        previous-same-instrument block when p1 was carried."""
        prvibp = None
        for k, tok in enumerate(_naive_fields(src, pfno, ncopy), start=pfno):
            bp.fields.append(tok)
            if k == 1:
                bp.p1val = src.p1val
                prvibp = self._set_insno(bp, tok, blocks)
            elif k == 2:
                # a carried `+` means "after the previous note" again
                bp.p2val = src.p2val + abs(src.p3val) if tok.endswith("+") else src.p2val
                self.prvp2 = bp.newp2 = bp.p2val
            elif k == 3:
                bp.newp3 = bp.p3val = src.p3val
            bp.lineno = src.lineno
        return prvibp

    def _set_insno(self, bp: _Block, tok: str, blocks: list[_Block]) -> _Block | None:
        """Integer instrument number of p1; returns the previous block of that number."""
        if tok.startswith('"'):
            name = _decode_string(tok[1:-1])
            sign = -1 if name.startswith("-") else 1
            base = name[1:] if sign < 0 else name
            base = base.split(".")[0] if base.split(".")[0] else base
            if self.instr_numbers is not None:
                n = self.instr_numbers.get(base)
                if n is None:
                    self._warn(f"WARNING: instr {name} not found, assuming insno = -1")
                    n = -1
            else:
                n = self.named_order.setdefault(base, 30000 + len(self.named_order))
            bp.insno = sign * n
        else:
            v = bp.p1val
            bp.insno = 0 if math.isnan(v) or math.isinf(v) else ((int(v) + 2**15) % 2**16) - 2**15
        return self.last_of.get(bp.insno)


class _CharSourceView(_CharSource):
    """Lets the expression evaluator read the section reader's text in place."""

    def __init__(self, reader: _SectionReader):
        self.reader = reader

    @property
    def text(self):  # type: ignore[override]
        return self.reader.text

    @property
    def pos(self):  # type: ignore[override]
        return self.reader.pos

    @pos.setter
    def pos(self, value):
        self.reader.pos = value


# ---------------------------------------------------------------------------------------
# stage 3: sorting (Engine/sort.c)


_PRECED = {"i": "d", "d": "d", "f": "c", "a": "e", "e": "a", "q": "a", "w": "a", "t": "a", "s": "a"}


def _in_order(a: _Block, b: _Block) -> bool:
    """True when a may stay before b (sort.c ordering)."""
    if a.op == "w":
        return True
    if b.op == "w" or b.op == "t":
        return False
    diff = b.newp2 - a.newp2
    if diff != 0.0 and diff == diff:
        return diff > 0.0
    if b.preced != a.preced:
        return b.preced > a.preced
    if a.op == "i" and b.op == "i":
        if b.insno != a.insno:
            return b.insno > a.insno
        diff = b.newp3 - a.newp3
        if diff != 0.0 and diff == diff:
            return diff > 0.0
    return b.lineno > a.lineno


class _Smoothsort:
    """Dijkstra's smoothsort, in the variant Csound uses: fully tied blocks end up in
    an order that depends on the algorithm itself, so this one is kept."""

    def __init__(self, a: list[_Block]):
        self.a = a
        self.q, self.r, self.p, self.b, self.c = 1, 0, 1, 1, 1
        self.r1 = self.b1 = self.c1 = 0

    @staticmethod
    def _up(x: int, y: int) -> tuple[int, int]:
        return x + y + 1, x

    @staticmethod
    def _down(x: int, y: int) -> tuple[int, int]:
        return y, x - y - 1

    def _sift(self) -> None:
        a = self.a
        r0 = self.r1
        t = a[r0]
        while self.b1 >= 3:
            r2 = self.r1 - self.b1 + self.c1
            if not _in_order(a[self.r1 - 1], a[r2]):
                r2 = self.r1 - 1
                self.b1, self.c1 = self._down(self.b1, self.c1)
            if _in_order(a[r2], t):
                self.b1 = 1
            else:
                a[self.r1] = a[r2]
                self.r1 = r2
                self.b1, self.c1 = self._down(self.b1, self.c1)
        if self.r1 != r0:
            a[self.r1] = t

    def _trinkle(self) -> None:
        a = self.a
        p1, self.b1, self.c1 = self.p, self.b, self.c
        r0 = self.r1
        t = a[r0]
        while p1 > 0:
            while p1 & 1 == 0:
                p1 >>= 1
                self.b1, self.c1 = self._up(self.b1, self.c1)
            r3 = self.r1 - self.b1
            if p1 == 1 or _in_order(a[r3], t):
                p1 = 0
            else:
                p1 -= 1
                if self.b1 == 1:
                    a[self.r1] = a[r3]
                    self.r1 = r3
                elif self.b1 >= 3:
                    r2 = self.r1 - self.b1 + self.c1
                    if not _in_order(a[self.r1 - 1], a[r2]):
                        r2 = self.r1 - 1
                        self.b1, self.c1 = self._down(self.b1, self.c1)
                        p1 <<= 1
                    if _in_order(a[r2], a[r3]):
                        a[self.r1] = a[r3]
                        self.r1 = r3
                    else:
                        a[self.r1] = a[r2]
                        self.r1 = r2
                        self.b1, self.c1 = self._down(self.b1, self.c1)
                        p1 = 0
        if r0 != self.r1:
            a[self.r1] = t
        self._sift()

    def _semitrinkle(self) -> None:
        a = self.a
        self.r1 = self.r - self.c
        if not _in_order(a[self.r1], a[self.r]):
            a[self.r], a[self.r1] = a[self.r1], a[self.r]
            self._trinkle()

    def sort(self, n: int) -> None:
        while self.q < n:
            self.r1 = self.r
            if self.p & 7 == 3:
                self.b1, self.c1 = self.b, self.c
                self._sift()
                self.p = (self.p + 1) >> 2
                self.b, self.c = self._up(self.b, self.c)
                self.b, self.c = self._up(self.b, self.c)
            elif self.p & 3 == 1:
                if self.q + self.c < n:
                    self.b1, self.c1 = self.b, self.c
                    self._sift()
                else:
                    self._trinkle()
                self.b, self.c = self._down(self.b, self.c)
                self.p <<= 1
                while self.b > 1:
                    self.b, self.c = self._down(self.b, self.c)
                    self.p <<= 1
                self.p += 1
            self.q += 1
            self.r += 1
        self.r1 = self.r
        self._trinkle()
        while self.q > 1:
            self.q -= 1
            if self.b == 1:
                self.r -= 1
                self.p -= 1
                while self.p & 1 == 0:
                    self.p >>= 1
                    self.b, self.c = self._up(self.b, self.c)
            elif self.b >= 3:
                self.p -= 1
                self.r = self.r - self.b + self.c
                if self.p > 0:
                    self._semitrinkle()
                self.b, self.c = self._down(self.b, self.c)
                self.p = (self.p << 1) + 1
                self.r = self.r + self.c
                self._semitrinkle()
                self.b, self.c = self._down(self.b, self.c)
                self.p = (self.p << 1) + 1


def _sort(blocks: list[_Block]) -> list[_Block]:
    """Csound's section sort: a final s or e stays last."""
    for bp in blocks:
        if bp.op in "id":
            bp.preced = "b" if bp.insno < 0 else "d"
        elif bp.op in _PRECED:
            bp.preced = _PRECED[bp.op]
    a = [bp for bp in blocks if bp.op != "x"]
    n = len(a)
    if n > 1:
        _Smoothsort(a).sort(n - 1 if a[-1].op in "es" else n)
    return a


# ---------------------------------------------------------------------------------------
# stage 4: tempo (Engine/twarp.c)


class _TempoMap:
    """Beats to seconds: seconds per beat vary linearly in beats between `t` points."""

    def __init__(self, betbas: list[float], durbas: list[float], durslp: list[float],
                 timbas: list[float]):
        self.betbas, self.durbas, self.durslp, self.timbas = betbas, durbas, durslp, timbas

    @classmethod
    def from_fields(cls, fields: list[str], warn) -> "_TempoMap | None":
        vals = [_stof(t, warn) for t in fields]
        if len(vals) < 2 or vals[0] != 0.0:
            warn("twarp: t has extra or disordered beat value")
            return None
        if vals[1] <= 0:
            warn("twarp: t has non-positive tempo")
            return None
        if len(vals) == 2 and vals[1] == 60.0:
            return None
        betbas, durbas, durslp, timbas = [0.0], [60.0 / vals[1]], [0.0], [0.0]
        for k in range(2, len(vals), 2):
            if k + 1 >= len(vals):
                warn("twarp: t has extra or disordered beat value")
                return None
            beat, tempo = vals[k], vals[k + 1]
            if tempo <= 0:
                warn("twarp: t has non-positive tempo")
                return None
            span = beat - betbas[-1]
            if span < 0:
                warn("twarp: t has extra or disordered beat value")
                return None
            if span == 0:
                durbas[-1] = 60.0 / tempo
                continue
            dur = 60.0 / tempo
            avg = (dur + durbas[-1]) * 0.5
            durslp[-1] = (avg - durbas[-1]) / span
            betbas.append(beat)
            durbas.append(dur)
            durslp.append(0.0)
            timbas.append(avg * span + timbas[-1])
        durslp[-1] = 0.0
        return cls(betbas, durbas, durslp, timbas)

    def seconds(self, beat: float) -> float:
        k = 0
        while k + 1 < len(self.betbas) and beat >= self.betbas[k + 1]:
            k += 1
        diff = beat - self.betbas[k]
        return (self.durslp[k] * diff + self.durbas[k]) * diff + self.timbas[k]


def _warp(blocks: list[_Block], warn) -> None:
    """Apply the section's first `t` to every block (twarp.c)."""
    tblock = next((bp for bp in blocks if bp.op == "t"), None)
    if tblock is None:
        return
    tmap = _TempoMap.from_fields(tblock.fields, warn)
    tblock.op = "w"
    if tmap is None:
        return
    realt = tmap.seconds
    for bp in blocks:
        if bp.op in "ia":
            dur = abs(bp.newp3) if bp.op == "i" else bp.newp3
            start = realt(bp.newp2)
            length = realt(bp.newp2 + dur) - start
            bp.newp2 = start
            bp.newp3 = -length if (bp.op == "i" and bp.newp3 < 0) else length
        elif bp.op in "fq":
            bp.newp2 = realt(bp.newp2)
        elif bp.op in "se":
            if bp.fields:
                bp.newp2 = realt(bp.p2val)
        elif bp.op not in "tw":
            warn("twarp: illegal opcode")


# ---------------------------------------------------------------------------------------
# stage 5: writing the events (Engine/swritestr.c; values as Engine/rdscor.c reads them)


_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "n": "\n",
            "r": "\r", "t": "\t", "v": "\v"}
_FPNUM = re.compile(r"(\d*)(\.?)(\d*)(?:([eE])([+-]?)(\d*))?")


def _decode_string(s: str) -> str:
    """String p-field escapes as rdscor.c decodes them (`\\q` is `q`)."""
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            i += 1
            c = _ESCAPES.get(s[i], s[i])
        out.append(c)
        i += 1
    return "".join(out)


class _Writer:
    """Turns one sorted, warped section into events (swritestr.c)."""

    def __init__(self, blocks: list[_Block], sectno: int, rand: _Rand31, warnings: list[str]):
        self.blocks, self.sectno = blocks, sectno
        self.rand, self.warnings = rand, warnings
        self.index = {id(bp): k for k, bp in enumerate(blocks)}
        self.lincnt = 0
        self.pcnt = 0

    def _warn(self, text: str) -> None:
        self.warnings.append(text)

    def _where(self) -> str:
        return f"swrite: output, sect{self.sectno} line{self.lincnt} p{self.pcnt}"

    def events(self) -> list[ScoreEvent]:
        out: list[ScoreEvent] = []
        blocks = self.blocks
        if blocks and blocks[0].op not in "wse":
            self.lincnt = 1
        for bp in blocks:
            self.lincnt += 1
            if bp.op in "iqdaf":
                out.append(self._event(bp))
            elif bp.op in "se" and bp.fields:
                # compat: written with %f, so the time keeps six decimals; in a section
                # with nothing else Csound reads the line unwarped, as `f 0 beats secs`
                beat, secs = float(f"{bp.p2val:f}"), float(f"{bp.newp2:f}")
                p = [0.0, secs] if self.lincnt > 1 else [0.0, beat, secs]
                out.append(ScoreEvent("f", p, beat, 0.0, bp.line, bp.file))
        return out

    def _event(self, bp: _Block) -> ScoreEvent:
        f = bp.fields
        p: list[float | str] = []
        if f:
            p.append(_decode_string(f[0][1:-1]) if f[0].startswith('"') else _strtod(f[0])[0])
        if len(f) > 1:
            p.append(bp.newp2)
        if len(f) > 2:
            if bp.op == "f":
                p.append(float(_trunc32(bp.p3val)))
            else:
                p.append(bp.newp3)
        self.pcnt = 3
        blanks = 1 + sum(t.count(" ") + 1 for t in f[:3])
        for k in range(3, len(f)):
            self.pcnt = k + 1
            p.append(self._pfield(bp, f[k], blanks))
            blanks += f[k].count(" ") + 1
        beat_dur = float(_trunc32(bp.p3val)) if bp.op == "f" else bp.p3val
        return ScoreEvent(bp.op, p, bp.p2val, beat_dur, bp.line, bp.file)

    def _pfield(self, bp: _Block, tok: str, blanks: int) -> float | str:
        """One p-field from p4 on; `blanks` counts the blanks before it in the text."""
        c = tok[0]
        if c in "np":
            return self._reference(bp, tok, c == "n")
        if c in "<>":
            return self._ramp(bp, tok, blanks, "<>", "ramp")
        if c in "()":
            return self._ramp(bp, tok, blanks, "(){}", "expramp")
        if c == "~":
            return self._ramp(bp, tok, blanks, "~", "randramp")
        if c == '"':
            return _decode_string(tok[1:-1])
        return self._fpnum(tok)

    def _neighbour(self, bp: _Block, forward: bool) -> _Block | None:
        """Next/previous `i` block with the same p1 value (NaN never matches)."""
        k = self.index[id(bp)]
        rng = range(k + 1, len(self.blocks)) if forward else range(k - 1, -1, -1)
        for j in rng:
            other = self.blocks[j]
            if other.op == "i" and other.p1val == bp.p1val:
                return other
        return None

    def _reference(self, bp: _Block, tok: str, forward: bool) -> float | str:
        m = re.fullmatch(r"[np]p(\d{0,2})", tok)
        if m and tok[1] == "p":
            n = int(m.group(1)) if m.group(1) else 999
            other = self._neighbour(bp, forward)
            if other is not None and 1 <= n <= len(other.fields):
                found = _naive_fields(other, n, 1)
                if found:
                    return self._pfield(other, found[0], n)
        self._warn(f"{self._where()} makes illegal reference to {tok}   Zero substituted")
        return 0.0

    def _ramp(self, bp: _Block, tok: str, k: int, skip: str, kind: str) -> float:
        label = "ramp" if kind == "ramp" else "expramp"
        if len(tok) != 1:
            self._warn(f"{self._where()} has illegal {label} symbol")
            return 0.0
        prv = self._anchor(bp, k, skip, False)
        nxt = self._anchor(bp, k, skip, True)
        if prv is None or nxt is None:
            self._warn(f"{self._where()} {label} has illegal forward or backward ref")
            return 0.0
        warn = self.warnings.append
        pval = _stof(_naive_fields(prv, k, 1)[0], warn)
        qval = _stof(_naive_fields(nxt, k, 1)[0], warn)
        span = nxt.newp2 - prv.newp2
        if kind == "ramp":
            if span <= 0:
                self._warn(f"{self._where()} ramp has illegal forward or backward ref")
                return 0.0
            return (qval - pval) * (bp.newp2 - prv.newp2) / span + pval
        if kind == "expramp":
            return pval * _c_pow(_c_div(qval, pval), _c_div(bp.newp2 - prv.newp2, span))
        return self.rand.next_unit() * (qval - pval) + pval

    def _anchor(self, bp: _Block, k: int, skip: str, forward: bool) -> _Block | None:
        other = bp
        while True:
            other = self._neighbour(other, forward)
            found = _naive_fields(other, k, 1) if other is not None else []
            if not found:
                return None
            if found[0][:1] not in skip or not found[0]:
                return other

    def _fpnum(self, tok: str) -> float:
        """A numeric p-field as swritestr.c checks and copies it."""
        i = 1 if tok.startswith("+") else 0
        sign = ""
        if tok.startswith("-", i):
            sign, i = "-", i + 1
        if tok.startswith("0x", i):
            return _strtod(sign + tok[i:])[0]
        m = _FPNUM.match(tok, i)
        d1, dot, d2, e, esign, d3 = (g or "" for g in m.groups())
        digits = len(d1) + len(d2) + len(e) + len(esign) + len(d3)
        copied = sign + m.group()
        if m.end() != len(tok) or digits == 0:
            self._warn(f"{self._where()} has illegal number  {tok}    String truncated")
            if digits == 0:
                copied += "0"
        return _strtod(copied)[0]


def _trunc32(x: float) -> int:
    if math.isnan(x) or math.isinf(x):
        return -(2**31)
    return ((int(x) + 2**31) % 2**32) - 2**31


# ---------------------------------------------------------------------------------------
# sections and the public entry points


def _section_of(events: list[ScoreEvent], ends_with: str) -> ScoreSection:
    end = end_beat = 0.0
    for ev in events:
        p = ev.pfields
        t = float(p[1]) if len(p) > 1 and not isinstance(p[1], str) else 0.0
        end, end_beat = max(end, t), max(end_beat, ev.beat)
        if ev.opcode == "i" and len(p) > 2 and not isinstance(p[2], str) and p[2] > 0:
            positive = (not p[0].startswith("-")) if isinstance(p[0], str) else p[0] > 0
            if positive:
                end, end_beat = max(end, t + p[2]), max(end_beat, ev.beat + ev.beat_dur)
    return ScoreSection(events, end, end_beat, ends_with)


def _apply_tempo_override(events: list[ScoreEvent], tempo: float) -> None:
    """`-t N`: Csound's beat mode times events from their beats at N beats a minute."""
    scale = 60.0 / tempo
    for ev in events:
        p = ev.pfields
        if len(p) > 1:
            p[1] = ev.beat * scale
        if ev.opcode == "i" and len(p) > 2 and ev.beat_dur > 0:
            p[2] = ev.beat_dur * scale


def parse_score(text: str, filename: str = "score", macros: dict[str, str] | None = None,
                include_dirs: Sequence[str] = (), line_offset: int = 0,
                tempo_override: float | None = None, *,
                instr_numbers: Mapping[str, int] | None = None,
                final_e: bool = True) -> Score:
    """Read a whole score as Csound does before performance.

    ``final_e`` appends the `e` Csound adds to every score file and CSD score (an
    otherwise empty score then lasts "forever", as Csound's ``f0 800000000000``);
    ``instr_numbers`` maps instrument names to their numbers for sorting.
    """
    warnings: list[str] = []
    body = _normalise_newlines(text) + ("\ne\n" if final_e else "")
    expanded, lines = _Preprocessor(macros or {}, include_dirs).run(body, filename, 1)
    rand = _Rand31()
    reader = _SectionReader(expanded, lines, line_offset, instr_numbers, rand, warnings)
    sections: list[ScoreSection] = []
    written: list[list[_Block]] = []
    sectno = 0
    ended = False
    while (blocks := reader.read_section()) is not None:
        sectno += 1
        if blocks and blocks[0].op == "s":
            continue        # Csound drops a section that is only an `s`
        blocks = _sort(blocks)
        _warp(blocks, warnings.append)
        events = _Writer(blocks, sectno, rand, warnings).events()
        written.append(blocks)
        if ended:
            continue        # read (and warned about) like Csound, but never performed
        last = blocks[-1].op if blocks else ""
        ends_with = last if last in "se" else ""
        if tempo_override:
            _apply_tempo_override(events, tempo_override)
        sections.append(_section_of(events, ends_with))
        ended = ends_with == "e"
    if final_e and sections:
        if not ended:
            sections[-1].ends_with = "e"
        first = written[0]
        only_e = len(first) == 1 and first[0].op == "e" and not first[0].fields
        nxt = written[1] if len(written) > 1 else []
        next_is_e = bool(nxt) and nxt[0].op == "e" and not nxt[0].fields
        if only_e and not next_is_e:
            # compat: Csound plays a score that is just `e` "forever" (scsort.c)
            forever = ScoreEvent("f", [0.0, Z_VALUE], Z_VALUE, 0.0, first[0].line, first[0].file)
            sections = [ScoreSection([forever], Z_VALUE, Z_VALUE, "e")]
    elif final_e:
        sections = [ScoreSection([], 0.0, 0.0, "e")]    # `#exit` before anything
    has_s = any(s.ends_with == "s" for s in sections)
    return Score(sections, has_s, warnings)


_LINE_OPS = set("eiqfad")


def parse_line_events(text: str, filename: str = "line") -> list[ScoreEvent]:
    """Real-time score lines (Engine/linevent.c): one event per line, no sorting or
    tempo, p2 as given. A lone `.` carries from the previous `i` line of the text; a
    lone `+` in p2 (not in Csound's line reader) means previous p2 + |previous p3|."""
    events: list[ScoreEvent] = []
    prev: list[float | str] | None = None
    text = _normalise_newlines(text)
    pos, n, line = 0, len(text), 0
    while pos < n:
        line += 1
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        start = pos
        while pos < end and text[pos] in " \t":
            pos += 1
        if pos >= end:
            pos = end + 1
            continue
        op = text[pos]
        src = text[start:end]

        def fail(message: str, at: int) -> ParseError:
            return ParseError(message, Span(filename, line, at - start + 1, src))

        if op not in _LINE_OPS:
            raise fail(f"unknown opcode {op}", pos)
        pos += 1
        p: list[float | str] = []
        while True:
            while pos < n and text[pos] in " \t":
                pos += 1
            if pos >= n or text[pos] == "\n":
                break
            c = text[pos]
            if c == '"':
                close = pos + 1
                chars = []
                while close < n and text[close] != '"':
                    if text[close] == "\\" and close + 1 < n and text[close + 1] == '"':
                        close += 1
                    chars.append(text[close])
                    close += 1
                if close >= n:
                    raise fail("unmatched quotes", pos)
                line += text.count("\n", pos, close)
                p.append("".join(chars))
                pos = close + 1
                continue
            if not (c.isdigit() or c in "+-."):
                raise fail(f"illegal RT scoreline: unexpected character {c}", pos)
            lone = pos + 1 >= n or text[pos + 1] in " \t\n"
            if lone and c in ".+":
                k = len(p) + 1
                if op != "i" or prev is None or (c == "." and k > len(prev)) or \
                        (c == "+" and (k != 2 or len(prev) < 3)):
                    raise fail("dot carry has no reference", pos)
                if c == ".":
                    value = prev[k - 1]
                    if isinstance(value, str):
                        raise fail("cannot carry string p-field", pos)
                else:
                    value = float(prev[1]) + abs(float(prev[2]))
                p.append(value)
                pos += 1
                continue
            value, stop = _strtod(text, pos)
            if stop == pos:
                raise fail(f"illegal RT scoreline: bad number", pos)
            p.append(value)
            pos = stop
        if not (op == "f" and p and not isinstance(p[0], str) and p[0] < 0):
            if len(p) < 2 and op != "e":
                raise fail(f"too few pfields ({len(p) + 1})", start)
        if len(p) > 1 and not isinstance(p[1], str) and p[1] < 0:
            raise fail("-L with negative p2 illegal", start)
        if op == "i":
            prev = p
        beat = float(p[1]) if len(p) > 1 and not isinstance(p[1], str) else 0.0
        dur = float(p[2]) if len(p) > 2 and not isinstance(p[2], str) else 0.0
        events.append(ScoreEvent(op, p, beat, dur, line, filename))
        pos += 1
    return events
