"""Orchestra parser: preprocessed text -> AST (lang/ast.py).

The grammar (orchestra.lark) is LALR.  A classic Csound line such as
`a1 oscil 1, 440` or `out a1` is two names in a row, and which one is the
opcode cannot be told from syntax alone.  The postlexer below decides per
line, using a predicate `is_opcode(name)` that the caller passes in (the
compiler passes the registry and the UDO names), and retypes that token
OPNAME.  It also drops newlines inside brackets and after a trailing comma
or binary operator.  A basic (not contextual) lexer is used because the
postlexer looks a whole line ahead.  The LALR tables are built once and kept in
csoundpy's cache directory (`_table_cache`).

Lark is imported only when an orchestra is really parsed: a parse found in the
on-disk AST cache (astcache.py) costs neither the import nor the parse.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from typing import TYPE_CHECKING, Callable, Iterator

from .._cache import cache_root
from ..errors import CsoundError, ParseError, Span
from . import ast, astcache

if TYPE_CHECKING:
    from lark import Lark, Token, Tree

    from .preprocess import Source

_GRAMMAR = os.path.join(os.path.dirname(__file__), "orchestra.lark")

_CONTINUE_AFTER = {",", "ADDOP", "MULOP", "POW", "XOR", "LOGOP", "BOR", "BAND", "CMPOP",
                   "SHIFTOP", "ASSIGNOP"}
_KEYWORDS = {"INSTR", "ENDIN", "OPCODE", "ENDOP", "IF", "ELSEIF", "ELSE", "ENDIF", "THENKW",
             "GOTOKW", "WHILE", "UNTIL", "DO", "OD"}
_UDO_HEADER = re.compile(
    r"^(\s*)opcode\s+([A-Za-z_][A-Za-z0-9_]*)\s*,\s*([^,;\n]*?)\s*,\s*([^;\n]*?)\s*((;|//).*)?$",
    re.M,
)


def udo_names(text: str) -> set[str]:
    """Names defined with `opcode NAME, ...` in `text`."""
    return {m.group(2) for m in _UDO_HEADER.finditer(text)}


def _rewrite_udo_headers(text: str) -> str:
    """Quote the type lists of `opcode` lines so they lex as two strings."""
    return _UDO_HEADER.sub(lambda m: f'{m.group(1)}opcode {m.group(2)} "{m.group(3)}" "{m.group(4)}"',
                           text)


class _PostLexer:
    """Marks the opcode of each classic line and folds continuation newlines."""

    always_accept = ("_NL", "IDENT", "LABEL")

    def __init__(self, is_opcode: Callable[[str], bool]):
        self.is_opcode = is_opcode

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        from lark import Token

        depth = 0
        prev_type = "_NL"
        line: list[Token] = []
        for tok in stream:
            if tok.type in ("LPAR", "LSQB"):
                depth += 1
            elif tok.type in ("RPAR", "RSQB"):
                depth = max(depth - 1, 0)
            if tok.type == "_NL":
                if depth > 0 or prev_type in _CONTINUE_AFTER:
                    continue
                if not line:
                    continue
                yield from self._mark(line)
                line = []
                yield tok
                prev_type = "_NL"
                continue
            if tok.type == "LABEL" and line:
                yield from self._split_label(tok, line)
                prev_type = "COLON"
                continue
            line.append(tok)
            prev_type = tok.type if tok.type not in ("COMMA",) else ","
            if tok.type == "LABEL":
                yield from self._mark(line)
                line = []
        if line:
            yield from self._mark(line)
            yield Token("_NL", "\n", line[-1].end_pos, line[-1].line, line[-1].end_column)

    @staticmethod
    def _split_label(tok: Token, line: list[Token]) -> Iterator[Token]:
        """A LABEL token inside a line is really `name :` (ternary)."""
        from lark import Token

        name = tok.value[:-1]
        line.append(Token("IDENT", name, tok.start_pos, tok.line, tok.column,
                          tok.line, tok.column + len(name), tok.end_pos - 1))
        line.append(Token("COLON", ":", tok.end_pos - 1, tok.line, tok.column + len(name),
                          tok.line, tok.column + len(name) + 1, tok.end_pos))
        return iter(())

    def _mark(self, line: list[Token]) -> Iterator[Token]:
        idx = self._opcode_position(line)
        for i, tok in enumerate(line):
            if i == idx:
                adjacent_paren = (i + 1 < len(line) and line[i + 1].type == "LPAR"
                                  and line[i + 1].start_pos == tok.end_pos)
                tok = tok.update("FNOPNAME" if adjacent_paren else "OPNAME")
            yield tok

    def _opcode_position(self, line: list[Token]) -> int | None:
        """Index of the opcode token in a classic line, or None (assignment etc.)."""
        if line[0].type in _KEYWORDS or line[0].type == "LABEL":
            return None
        depth = 0
        for tok in line:
            if tok.type in ("LPAR", "LSQB"):
                depth += 1
            elif tok.type in ("RPAR", "RSQB"):
                depth -= 1
            elif tok.type == "ASSIGNOP" and depth == 0:
                return None
        i, n, outputs = 0, len(line), 0
        while i < n:
            tok = line[i]
            if tok.type != "IDENT":
                return None
            j = self._skip_subscripts(line, i + 1)
            nxt = line[j] if j < n else None
            if nxt is None:
                return i if outputs == 0 else None
            if nxt.type == "COMMA" and (outputs > 0 or j > i + 1 or not self._is_op(tok)):
                outputs += 1
                i = j + 1
                continue
            if nxt.type != "IDENT":
                return i if outputs == 0 and j == i + 1 else None
            if outputs > 0 or j > i + 1:
                return j
            follower = line[j + 1] if j + 1 < n else None
            nxt_called = (follower is not None and follower.type == "LPAR"
                          and follower.start_pos == nxt.end_pos)
            tok_op, nxt_op = self._is_op(tok), self._is_op(nxt)
            if tok_op and (not nxt_op or nxt_called):
                return i
            if nxt_op:
                return j
            return j if tok.value[:1] in "aikSfwgp" else i
        return None

    @staticmethod
    def _skip_subscripts(line: list[Token], j: int) -> int:
        """Skip `[expr]...` or `[]` after a name; return the next index."""
        n = len(line)
        while j < n and line[j].type in ("LSQB", "EMPTYDIMS"):
            if line[j].type == "EMPTYDIMS":
                j += 1
                continue
            depth = 0
            while j < n:
                if line[j].type == "LSQB":
                    depth += 1
                elif line[j].type == "RSQB":
                    depth -= 1
                    if depth == 0:
                        j += 1
                        break
                j += 1
        return j

    def _is_op(self, tok: Token) -> bool:
        return tok.value in _LANGUAGE_OPCODES or self.is_opcode(tok.value)


# Statements the compiler handles itself; they are opcodes as far as lines go.
_LANGUAGE_OPCODES = frozenset({"xin", "xout", "pset", "setksmps", "cigoto", "ckgoto",
                               "cggoto", "cingoto", "cnkgoto", "cngoto"})

_parsers: dict[int, Lark] = {}
# Building the LALR tables takes ~0.15 s: build them once per process and swap the
# postlexer's opcode predicate per parse (under a lock, as the postlexer is shared).
_PARSE_LOCK = threading.Lock()
_SHARED_POSTLEX: list = []


def _table_cache(grammar: str) -> str | bool:
    """Lark's `cache` argument: a file under csoundpy's cache directory named by
    the grammar's hash (Lark also checks its own version and the options), so
    later processes load the tables instead of building them; False if the
    directory cannot be made."""
    directory = os.path.join(cache_root(), "lark")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return False
    digest = hashlib.sha256(grammar.encode()).hexdigest()[:16]
    return os.path.join(directory, f"orchestra-{digest}.lark")


def _lark(postlex: _PostLexer) -> Lark:
    if not _SHARED_POSTLEX:
        from lark import Lark

        with open(_GRAMMAR, encoding="utf-8") as fh:
            grammar = fh.read()
        shared = _PostLexer(postlex.is_opcode)
        _parsers[0] = Lark(grammar, parser="lalr", lexer="basic", postlex=shared,
                           propagate_positions=True, maybe_placeholders=False,
                           cache=_table_cache(grammar))
        _SHARED_POSTLEX.append(shared)
    _SHARED_POSTLEX[0].is_opcode = postlex.is_opcode
    return _parsers[0]


class _ToAst:
    """Builds AST nodes: the method named after a rule (or its alias) gets the
    node's position and its children, already converted."""

    def __init__(self, source: Source):
        self.source = source

    def transform(self, tree: Tree):
        """Convert `tree` bottom-up, as lark's Transformer with
        `v_args(meta=True, inline=True)` would (an error in a method is raised
        as lark's VisitError likewise, but a CsoundError as itself)."""
        from lark import Tree
        from lark.exceptions import VisitError

        def convert(node: Tree):
            children = [convert(c) if isinstance(c, Tree) else c for c in node.children]
            method = getattr(self, node.data)
            try:
                return method(node.meta, *children)
            except CsoundError:
                raise  # already says what is wrong and where
            except Exception as exc:
                raise VisitError(node.data, node, exc) from exc

        return convert(tree)

    def _span(self, meta) -> Span:
        line = getattr(meta, "line", 0)
        col = getattr(meta, "column", 0)
        return self.source.span(line, col)

    def _tspan(self, tok: Token) -> Span:
        return self.source.span(tok.line, tok.column)

    # expressions
    def number(self, meta, tok):
        text = str(tok)
        value = float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        return ast.Number(value, text, self._tspan(tok))

    def string(self, meta, tok):
        return ast.String(decode_escapes(tok.value[1:-1]), self._tspan(tok))

    def bigstring(self, meta, tok):
        return ast.String(tok.value[2:-2], self._tspan(tok))

    def name(self, meta, tok):
        return ast.Name(str(tok), self._tspan(tok))

    def index(self, meta, tok, *indices):
        return ast.Index(str(tok), tuple(indices), self._tspan(tok))

    def call(self, meta, tok, args=None):
        text = str(tok)
        hint = None
        if ":" in text:
            text, hint = text.split(":", 1)
        return ast.Call(text, tuple(args or ()), hint, self._tspan(tok))

    def arraylit(self, meta, args):
        return ast.ArrayLit(tuple(args), self._span(meta))

    def arglist(self, meta, *items):
        return list(items)

    def binop(self, meta, left, op, right):
        return ast.BinOp(str(op), left, right, self._tspan(op))

    def unop(self, meta, op, operand):
        if str(op) in ("-", "+") and isinstance(operand, ast.Number):
            value = -operand.value if str(op) == "-" else operand.value
            return ast.Number(value, str(op) + operand.text, self._tspan(op))
        return ast.UnaryOp(str(op), operand, self._tspan(op))

    def ternary(self, meta, cond, a, b):
        return ast.Ternary(cond, a, b, self._span(meta))

    def cond_eq(self, meta, left, op, right):
        return ast.BinOp("==", left, right, self._tspan(op))

    # statements
    def out_name(self, meta, tok):
        return ast.Name(str(tok), self._tspan(tok))

    def out_index(self, meta, tok, *indices):
        return ast.Index(str(tok), tuple(indices), self._tspan(tok))

    def out_decl(self, meta, tok, dims):
        return ast.ArrayDecl(str(tok), len(str(dims)) // 2, self._tspan(tok))

    def outlist(self, meta, *outs):
        return tuple(outs)

    def _opname(self, tok):
        text = str(tok)
        if ":" in text:
            return text.split(":", 1)
        return text, None

    def classic_out(self, meta, outs, op, args=None):
        name, hint = self._opname(op)
        return ast.OpStmt(outs, name, tuple(args or ()), hint, self._tspan(op))

    def classic(self, meta, op, args=None):
        name, hint = self._opname(op)
        return ast.OpStmt((), name, tuple(args or ()), hint, self._tspan(op))

    def fn_stmt(self, meta, op, args=None):
        return self.classic(meta, op, args)

    def fn_stmt_out(self, meta, outs, op, args=None):
        return self.classic_out(meta, outs, op, args)

    def assign(self, meta, outs, op, exprs):
        span = self._span(meta)
        if len(exprs) == 1:
            return ast.Assign(outs, str(op), exprs[0], span)
        if len(exprs) != len(outs):
            raise ParseError("number of values does not match number of outputs", span)
        return [ast.Assign((o,), str(op), e, span) for o, e in zip(outs, exprs)]

    def label(self, meta, tok):
        return ast.Label(str(tok)[:-1], self._tspan(tok))

    def gotostmt(self, meta, kw, label):
        return ast.Goto(str(kw), str(label), None, self._tspan(kw))

    def ifgoto(self, meta, kw_if, cond, kw, label):
        return ast.Goto(str(kw), str(label), cond, self._tspan(kw_if))

    def elseif(self, meta, kw, cond, then, *body):
        return (cond, str(then), tuple(body))

    def elseblock(self, meta, kw, *body):
        return ("else", tuple(body))

    def ifblock(self, meta, kw_if, cond, then, *rest):
        branches = [(cond, str(then), [])]
        else_body = None
        for item in rest[:-1]:  # last is ENDIF
            if isinstance(item, tuple) and len(item) == 3:
                branches.append(item)
            elif isinstance(item, tuple) and item and item[0] == "else":
                else_body = item[1]
            else:
                branches[0][2].append(item)
        branches = tuple((c, t, tuple(b)) for c, t, b in branches)
        return ast.If(branches, else_body, self._tspan(kw_if))

    def whileloop(self, meta, kw, cond, do, *rest):
        return ast.While(cond, tuple(rest[:-1]), False, self._tspan(kw))

    def untilloop(self, meta, kw, cond, do, *rest):
        return ast.While(cond, tuple(rest[:-1]), True, self._tspan(kw))

    def instr_num(self, meta, tok):
        return int(float(tok))

    def instr_name(self, meta, tok):
        return str(tok)

    def instr_plus(self, meta, _plus, tok):
        return "+" + str(tok)

    def instr(self, meta, kw, *rest):
        from lark import Token

        ids = [r for r in rest if isinstance(r, (int, str)) and not isinstance(r, Token)]
        body = tuple(r for r in rest if not isinstance(r, (int, str)) or isinstance(r, Token))
        body = tuple(b for b in body if not isinstance(b, Token))
        end = rest[-1]
        end_span = self._tspan(end) if isinstance(end, Token) else self._span(meta)
        return ast.Instr(tuple(ids), body, self._tspan(kw), end_span)

    def udo(self, meta, kw, name, outs, ins, *rest):
        from lark import Token

        body = tuple(b for b in rest if not isinstance(b, Token))
        return ast.UDODef(str(name), outs.value[1:-1].strip(), ins.value[1:-1].strip(), body,
                          self._tspan(kw))

    def start(self, meta, *items):
        return list(items)


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
                   "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def decode_escapes(text: str) -> str:
    """Decode a string literal's escapes as Csound's lexer does: `\\n \\t \\\\ \\"`,
    octal `\\NNN`; an unknown escape keeps just the character; `\\0` ends the string."""
    if "\\" not in text:
        return text
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in "01234567":
            j = i + 1
            while j < n and j < i + 4 and text[j] in "01234567":
                j += 1
            code = int(text[i + 1:j], 8)
            if code == 0:
                break
            out.append(chr(code & 0xFF))
            i = j
            continue
        out.append(_SIMPLE_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


def _describe(tok: Token) -> str:
    if tok.type == "$END":
        return 'end of file  (token "")'
    names = {"ENDIN": "ENDIN_TOKEN", "IDENT": "T_IDENT", "OPNAME": "T_OPCODE",
             "FNOPNAME": "T_OPCODE", "NUMBER": "NUMBER_TOKEN", "_NL": "NEWLINE"}
    value = "\\n" if tok.type == "_NL" else tok.value
    return f'{names.get(tok.type, tok.type)}  (token "{value}")'


def parse_orchestra(source: Source, is_opcode: Callable[[str], bool]) -> ast.Orchestra:
    """Parse preprocessed orchestra text into an Orchestra AST.

    `is_opcode(name)` tells the postlexer which names are opcodes or UDOs.
    The statements of an earlier identical parse are taken from the AST cache.
    Raises ParseError naming file:line with Csound's wording.
    """
    path = astcache.entry_path(source)
    statements = astcache.load(path, is_opcode)
    if statements is None:
        recorder = astcache.Recorder(is_opcode)
        statements = _parse(source, recorder)
        astcache.store(path, statements, recorder.answers)
    return ast.Orchestra(statements, source)


def _parse(source: Source, is_opcode: Callable[[str], bool]) -> tuple:
    """The statements of `source`, parsed with lark."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    text = _rewrite_udo_headers(source.text)
    if not text.endswith("\n"):
        text += "\n"
    try:
        with _PARSE_LOCK:
            tree = _lark(_PostLexer(is_opcode)).parse(text)
    except UnexpectedToken as exc:
        tok = exc.token
        line = tok.line if tok.type != "$END" else max(len(text.splitlines()), 1)
        span = source.span(line or 1, tok.column if tok.type != "$END" else 0)
        raise ParseError(f"syntax error, unexpected {_describe(tok)}", span) from None
    except UnexpectedCharacters as exc:
        span = source.span(exc.line, exc.column)
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if char == '"':
            raise ParseError(f"unterminated string found on line {span.line} >>{span.text}<<",
                             span) from None
        raise ParseError(f"syntax error, unexpected character '{char}'", span) from None
    except UnexpectedInput as exc:
        span = source.span(getattr(exc, "line", 1), getattr(exc, "column", 0))
        raise ParseError("syntax error", span) from None
    return tuple(_ToAst(source).transform(tree))
