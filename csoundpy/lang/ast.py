"""Orchestra AST: frozen dataclasses, each carrying the Span it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Span

NOSPAN = Span("", 0)


@dataclass(frozen=True)
class Number:
    value: float
    text: str
    span: Span = NOSPAN


@dataclass(frozen=True)
class String:
    value: str
    span: Span = NOSPAN


@dataclass(frozen=True)
class Name:
    """A variable, p-field or header constant."""

    name: str
    span: Span = NOSPAN


@dataclass(frozen=True)
class Index:
    """Array element `name[i][j]`."""

    name: str
    indices: tuple
    span: Span = NOSPAN


@dataclass(frozen=True)
class ArrayDecl:
    """Array variable on the left of a declaration: `kArr[]`."""

    name: str
    dims: int
    span: Span = NOSPAN


@dataclass(frozen=True)
class Call:
    """Function-style opcode call `name:hint(args)`."""

    name: str
    args: tuple
    hint: str | None = None
    span: Span = NOSPAN


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object
    span: Span = NOSPAN


@dataclass(frozen=True)
class UnaryOp:
    op: str
    operand: object
    span: Span = NOSPAN


@dataclass(frozen=True)
class Ternary:
    cond: object
    if_true: object
    if_false: object
    span: Span = NOSPAN


@dataclass(frozen=True)
class ArrayLit:
    items: tuple
    span: Span = NOSPAN


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class OpStmt:
    """Classic opcode line: `outs opcode args` (also `opcode(args)` as a statement)."""

    outs: tuple
    opcode: str
    args: tuple
    hint: str | None = None
    span: Span = NOSPAN


@dataclass(frozen=True)
class Assign:
    """`outs = expr` or compound `x += expr` (op is '=', '+=', ...)."""

    outs: tuple
    op: str
    expr: object
    span: Span = NOSPAN


@dataclass(frozen=True)
class Label:
    name: str
    span: Span = NOSPAN


@dataclass(frozen=True)
class Goto:
    """`goto L`, `igoto L`, `kgoto L`, or with a condition `if c goto L`."""

    kind: str
    label: str
    cond: object = None
    span: Span = NOSPAN


@dataclass(frozen=True)
class If:
    """if/elseif/else chain: branches is a tuple of (cond, then_kind, body)."""

    branches: tuple
    else_body: tuple | None
    span: Span = NOSPAN


@dataclass(frozen=True)
class While:
    cond: object
    body: tuple
    until: bool = False
    span: Span = NOSPAN


@dataclass(frozen=True)
class Instr:
    ids: tuple  # ints and names ('+name' kept with the plus)
    body: tuple
    span: Span = NOSPAN
    end_span: Span = NOSPAN


@dataclass(frozen=True)
class UDODef:
    name: str
    outtypes: str
    intypes: str
    body: tuple
    span: Span = NOSPAN


@dataclass(frozen=True)
class Orchestra:
    statements: tuple  # global statements, Instr and UDODef in source order
    source: object = field(default=None, compare=False)
