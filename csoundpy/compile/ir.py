"""Instrument IR: variables with storage slots and an ordered list of ops."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Span
from ..opcodes._registry import OpEntry


@dataclass
class Var:
    """A variable or constant with its storage.

    kind: 'scalar' (i k b B p and numeric constants, a slot in the instance's
    scalar vector), 'audio' (a row of the a-rate matrix), 'string', 'array'.
    scope: 'local' (per instance), 'global' (engine-wide, by name).
    """

    name: str
    type: str  # i k a S b B p c f w, or 'k[]' ...
    kind: str
    scope: str = "local"
    index: int = -1
    value: Any = None  # constants

    @property
    def rate(self) -> str:
        if self.type in ("c", "p", "b"):
            return "i"
        if self.type == "B":
            return "k"
        return self.type


@dataclass
class Op:
    """One IR line: an opcode call, a jump, or a label marker."""

    kind: str  # 'call', 'jump', 'label'
    span: Span | None = None
    entry: OpEntry | None = None
    outs: list[Var] = field(default_factory=list)
    ins: list[Var] = field(default_factory=list)
    nfixed: int = 0  # inputs from here on form the variadic tuple
    variadic: bool = False
    audio: bool = False
    arg_texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)  # op indices of label arguments
    # jumps
    mode: str = ""  # 'i', 'k' or 'ik'
    target: int = -1
    target_label: str = ""
    cond: Var | None = None
    negate: bool = False
    # labels
    label: str = ""
    udo: Any = None  # UDODef IR for UDO calls

    @property
    def has_init(self) -> bool:
        return self.kind == "call" and (self.entry.init is not None or self.udo is not None)

    @property
    def has_perf(self) -> bool:
        return self.kind == "call" and (self.entry.perf is not None)

    def describe(self) -> str:
        if self.kind == "label":
            return f"{self.label}:"
        if self.kind == "jump":
            cond = "" if self.cond is None else f" if {'not ' if self.negate else ''}{self.cond.name}"
            return f"jump.{self.mode} -> {self.target}{cond}"
        outs = ", ".join(v.name for v in self.outs)
        ins = ", ".join(v.name if v.type != "c" else repr(v.value) for v in self.ins)
        return f"{outs} {self.entry.name}.{self.entry.outs}:{self.entry.ins} {ins}".strip()


@dataclass
class InstrIR:
    """A compiled instrument, UDO body or the global (instr 0) code."""

    name: str
    ops: list[Op] = field(default_factory=list)
    nscalar: int = 0
    naudio: int = 0
    nstring: int = 0
    narray: int = 0
    nfsig: int = 0
    scalar_init: list[tuple[int, float]] = field(default_factory=list)  # constants
    string_init: list[tuple[int, str]] = field(default_factory=list)
    array_types: list[str] = field(default_factory=list)
    npfields: int = 4  # scalar slots 0..npfields-1 hold p0..p(n-1)
    max_pfield: int = 3  # highest literal pN in the body (for the p-field warning)
    dynamic_pfields: bool = False  # uses p(expr) or pset: no warning
    pset: list[float] | None = None
    udo_outtypes: str = ""
    udo_intypes: str = ""
    xin_vars: list[Var] = field(default_factory=list)
    local_ksmps: int = 0

    def dump(self) -> str:
        return "\n".join(f"{i:3d}  {op.describe()}" for i, op in enumerate(self.ops))
