"""Instrument IR -> Python source of one fused perf pass.

`perf_plan` turns an instrument's perf program (the CALL/JUMP steps of
`engine.instance.InstrDef.program`) into the source of

    instr_<label>_perf(ctx, slots, k0, pc0, prog, P, X<i>_<p>...)

which runs one control block of the notes `slots[k0:]` of that instrument,
in that order, each calling the opcode kernels exactly as the reference path
does (`Instance._bind_perf`): `(state, ctx, *aux, *outs, *ins, n0, n1)`.

Steps that only Python can run (`escapes`: Python perf functions such as
printing, events, turnoff or reinit, UDO calls, branching opcodes, kernels made
by factories, a-rate ops that read their own k output) leave the function:
it stores the note (prog[0]) and the step (prog[2]) and returns 1; the runner
performs that step on the reference path and calls the function again with
k0 = that note and pc0 = the step to resume at (-1: the note's ops are done).
A printk in a branch that is never taken thus costs nothing.
Storage comes from the instrument's pool (`engine.native.Pool`):

    K[slot, j]      scalar slot j (p-fields, i/k variables): k outputs get the
                    1-element view `K[slot, j:j+1]`, inputs the float itself
                    (kernels read inputs with `at()`, which takes floats)
    A[slot, r]      a-rate variable r (ksmps samples)
    ST[slot]        the note's status array (context.ST_*)
    S<i>[slot]      op i's state record (by reference)
    X<i>_<p>        whatever the reference path passes at position p of op i's
                    argument tuple and that is not a number or a signal (aux
                    arrays, strings, array and f-signal buffers): contiguous
                    arrays and tuples of them as per-slot tables of addresses
                    and shapes (X<i>_<p>a/s, rebuilt in place: `compile.views`),
                    anything else as a numba typed List indexed by slot; a
                    parameter the kernel never reads gets 0.0
                    (`unused_parameters`)
    g<n>            a global variable's storage (1-element array for scalars)

All of these arrays (but the typed Lists) arrive in one int64 array, the
frame P (each array's address, then its dimensions; `PerfPlan.frame`), and
the function rebuilds them with `numba.carray` before its loop: a call from
Python then unboxes six arguments instead of a hundred, each of which cost a
reference count taken and dropped under the GIL.  The pool keeps the arrays
alive.

Straight-line instruments whose ops are all `note_local` (plus at most one
`bus_out`) and that have an op with a `pair` kernel run their notes two at a
time, op by op (`pairable`, see `opcodes._registry`).  `chain_source` makes
the function that runs spans of whole blocks over several instruments.

Numeric constants are written into the source as literals (exact: `repr` of
a float round-trips).  Jumps become a small state machine over basic blocks.
`prog` records the note (prog[0]) and op (prog[1]) being run, so that an
exception raised by a kernel can be reported against the right note, and
the rest of the notes can go on.  prog[3] receives how many of the notes it
ran are in their release phase, so the engine only walks the notes when one
is.  The function returns 0 when every note has run, 1 at an escape.
"""

from __future__ import annotations

import dis
import functools
import importlib
import inspect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.context import ST_KCOUNT, ST_RELEASING
from ..opcodes._native_text import TEXT_BYTES
from ..opcodes.events import EV_P1
from ..opcodes.strings import to_bytes
from .ir import InstrIR, Op, Var
from .jitcache import file_hash, source_hash

CALL, JUMP, BRANCH, UDO = 0, 1, 2, 3  # engine.instance's program kinds


@dataclass
class PerfPlan:
    """The generated perf pass of one instrument and how to call it."""

    func_name: str
    source: str
    opaque: list[tuple[int, int]]  # (op index, position in the perf-args tuple)
    arity: dict[int, int] = field(default_factory=dict)  # op -> length of its perf-args tuple
    # the frame P: for each array, its address then its dimensions; keys "K",
    # "A", "ST", ("S", op), ("Xa"|"Xs", opaque position), ("Z", scratch
    # position), ("g", global name), "W" (text rows of S variables), ("D",
    # name) (an engine directory, `opcodes._registry.DIRECTORIES`)
    frame: list[tuple[Any, int]] = field(default_factory=list)
    init_name: str | None = None  # the init function, for notes started natively
    scratch: list[tuple[int, int, tuple]] = field(default_factory=list)


def kernel_ref(fn: Any) -> tuple[str, str] | None:
    """(module, name) under which perf kernel `fn` can be imported, if any."""
    py = getattr(fn, "py_func", None)
    if py is None:
        return None
    try:
        module = importlib.import_module(py.__module__)
    except ImportError:
        return None
    if getattr(module, py.__qualname__, None) is not fn:
        return None  # a closure made by a factory: not reachable by name
    return py.__module__, py.__qualname__


def escapes(ir: InstrIR, program: list[tuple]) -> set[int]:
    """Program steps the fused function hands back to Python (see module doc)."""
    out = set()
    for j, (kind, i, _target) in enumerate(program):
        if kind == JUMP:
            continue
        op = ir.ops[i]
        if kind != CALL or op.entry.python_perf or kernel_ref(op.entry.perf) is None \
                or (op.audio and _aliased(op)):
            out.add(j)
    return out


def may_escape(ir: InstrIR, program: list[tuple]) -> set[int]:
    """Native steps whose kernel may hand the step to Python (`OpEntry.fallback`)."""
    return {j for j, (kind, i, _target) in enumerate(program)
            if kind == CALL and ir.ops[i].entry.fallback is not None}


def unfusable_reason(ir: InstrIR, program: list[tuple], local_ok: bool = False) -> str | None:
    """Why this instrument's perf pass cannot be fused (None if it can);
    `local_ok`: a UDO body compiled for its own `setksmps` block size."""
    if ir.local_ksmps and not local_ok:
        return "local ksmps"
    for kind, i, _target in program:
        op = ir.ops[i]
        if kind == JUMP and op.cond is not None and op.cond.kind != "scalar":
            return "jump on a non-scalar condition"
    python = escapes(ir, program)
    if all(kind != CALL or j in python for j, (kind, _i, _t) in enumerate(program)):
        return "no opcode that runs natively"
    return None


def lifecycle_reason(ir: InstrIR, program: list[tuple]) -> str | None:
    """Why notes of this (fusable) instrument cannot be started in compiled
    code (None if they can): every init-time op needs a native init
    (`opcodes._registry.NativeInit`) over scalar and audio variables, the
    init pass must be straight-line and must leave the p-fields and globals
    alone, and the perf pass may not hand steps to Python."""
    if ir.local_ksmps or ir.pset:
        return "local ksmps or pset"
    if escapes(ir, program) or may_escape(ir, program):
        return "perf steps that Python runs"
    for op in ir.ops:
        if op.kind == "jump" and "i" in op.mode:
            return "an i-time jump"
        if op.kind != "call":
            continue
        if op.udo is not None or op.entry.deinit is not None:
            return f"{op.entry.name}: a UDO call or a deinit"
        if op.entry.init is None:
            continue
        native = op.entry.native_init
        if native is None:
            return f"{op.entry.name} has no native init"
        if native.accepts is not None and not native.accepts(op):
            return f"{op.entry.name}: arguments its native init does not take"
        for v in (*op.outs, *op.ins):
            if v.kind == "string" and native.strings and v.scope == "local":
                continue
            if v.kind not in ("scalar", "audio"):
                return f"{op.entry.name}: a {v.kind} argument"
        for v in op.outs:
            if v.scope == "global" or (v.kind == "scalar" and v.index < ir.npfields):
                return f"{op.entry.name} writes a global or a p-field at init"
    return _text_reason(ir)


def _text_reason(ir: InstrIR) -> str | None:
    """Why the S variables of natively started notes could not live in text
    rows (`opcodes._native_text`): each read at init must see a constant or a
    value an earlier op of the same pass wrote, and no perf kernel may read
    one (kernels get 0.0 for parameters they ignore, `unused_parameters`)."""
    written_any = {v.index for op in ir.ops if op.kind == "call"
                   for v in op.outs if v.kind == "string"}
    constants = {idx for idx, _text in ir.string_init} - written_any
    if any(len(to_bytes(text)) >= TEXT_BYTES for _idx, text in ir.string_init):
        return "a string constant longer than a text row"
    written: set[int] = set()
    for op in ir.ops:
        if op.kind != "call":
            continue
        if op.entry.init is not None:
            for v in op.ins:
                if v.kind == "string" and v.index not in written and v.index not in constants:
                    return f"{op.entry.name} reads a string no earlier op wrote"
        if op.has_perf and any(v.kind == "string" for v in (*op.outs, *op.ins)):
            unused = unused_parameters(op.entry.perf)
            for pos in _text_positions(op):
                if pos not in unused:
                    return f"{op.entry.name}: its perf reads a string"
        written.update(v.index for v in op.outs if v.kind == "string")
    return None


def _text_positions(op: Op) -> list[int]:
    """Positions in op's perf-argument tuple that hold strings (the variadic
    part is one position)."""
    pos = 2 + len(op.entry.arrays)
    found = []
    for v in op.outs:
        if v.kind == "string":
            found.append(pos)
        pos += 1
    fixed = op.ins[:op.nfixed] if op.variadic else op.ins
    for v in fixed:
        if v.kind == "string":
            found.append(pos)
        pos += 1
    if op.variadic and any(v.kind == "string" for v in op.ins[op.nfixed:]):
        found.append(pos)
    return found


def unused_parameters(fn: Any) -> frozenset[int]:
    """Positions of the parameters a kernel never reads (its `py_func`'s bytecode
    has no load of them): the fused code passes 0.0 there instead of fetching
    a note's object (a channel name, say) it would not look at."""
    py = getattr(fn, "py_func", None)
    if py is None:
        return frozenset()
    return _unused_in(py.__code__)


@functools.cache
def _unused_in(code: Any) -> frozenset[int]:
    loaded = {ins.argval for ins in dis.get_instructions(code)
              if ins.opname in ("LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR",
                                "LOAD_DEREF", "LOAD_CLOSURE")}
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return frozenset()
    names = code.co_varnames[:code.co_argcount]
    return frozenset(i for i, name in enumerate(names) if name not in loaded)


def _key(v: Var) -> tuple:
    return ("g", v.name) if v.scope == "global" else ("l", v.index)


def _aliased(op: Op) -> set:
    """Scalar variables that op both writes and reads."""
    outs = {_key(v) for v in op.outs if v.kind == "scalar"}
    return {_key(v) for v in op.ins if v.kind == "scalar" and _key(v) in outs}


def _literal(v: Var) -> str | None:
    if v.type == "c" and v.scope == "local" and isinstance(v.value, (int, float)):
        value = float(v.value)
        if math.isfinite(value):
            return repr(value)
    return None


class _Gen:
    def __init__(self, ir: InstrIR, program: list[tuple], ksmps: int, label: str,
                 views: dict | None = None, lifecycle: bool = False):
        self.ir = ir
        self.lifecycle = lifecycle
        self.scratch: list[tuple[int, int, tuple]] = []  # (op, aux position, shape)
        self.views = views or {}
        self.program = program
        self.escapes = escapes(ir, program)
        self.maybe = may_escape(ir, program) - self.escapes
        self.ksmps = ksmps
        self.label = label
        self.globals: dict[str, str] = {}
        self.frame: list[tuple[Any, int]] = []
        self.opaque: list[tuple[int, int]] = []
        self.imports: dict[tuple[str, str], str] = {}
        self.state_ops: list[int] = []
        self.arity: dict[int, int] = {}
        self.texts = False  # the init function uses S variables' text rows
        self.dirs: list[str] = []  # ... and these engine directories

    def glob(self, v: Var) -> str:
        name = self.globals.get(v.name)
        if name is None:
            name = self.globals[v.name] = f"g{len(self.globals)}"
        return name

    def kernel(self, fn: Any) -> str:
        ref = kernel_ref(fn)
        assert ref is not None
        return self.kernel_alias(*ref)

    def kernel_alias(self, module: str, name: str) -> str:
        """The local name under which `module.name` is imported by the source."""
        ref = (module, name)
        alias = self.imports.get(ref)
        if alias is None:
            taken = set(self.imports.values())
            alias = ref[1]
            while alias in taken:
                alias += "_"
            self.imports[ref] = alias
        return alias

    def out_expr(self, v: Var) -> str | None:
        if v.scope == "global" and v.kind in ("scalar", "audio"):
            return self.glob(v)
        if v.kind == "scalar":
            return f"K[slot, {v.index}:{v.index + 1}]"
        if v.kind == "audio":
            return f"A[slot, {v.index}]"
        return None

    def in_expr(self, v: Var, live: bool) -> str | None:
        """`live`: the op writes this scalar too, so it must read it from memory."""
        if v.kind == "scalar":
            if v.scope == "global":
                return self.glob(v) if live else f"{self.glob(v)}[0]"
            if live:
                return f"K[slot, {v.index}:{v.index + 1}]"
            return _literal(v) or f"K[slot, {v.index}]"
        if v.kind == "audio":
            return self.glob(v) if v.scope == "global" else f"A[slot, {v.index}]"
        return None

    def opaque_expr(self, i: int, pos: int) -> str:
        if pos in unused_parameters(self.ir.ops[i].entry.perf):
            return "0.0"
        if (i, pos) not in self.opaque:
            self.opaque.append((i, pos))
        kind = self.views.get((i, pos))
        if kind is None:
            return f"X{i}_{pos}[slot]"
        dtype, ndim, order = kind[:3]
        build = "carray" if order == "C" else "farray"
        self.imports[("numba", build)] = build
        self.imports[("csoundpy.compile.views", "address")] = "address"
        self.imports[("numpy", dtype)] = dtype

        def array(at: str) -> str:
            shape = "".join(f"X{i}_{pos}s[{at}, {d}], " for d in range(ndim)).rstrip(" ")
            return f"{build}(address(X{i}_{pos}a[{at}]), ({shape}), {dtype})"

        if len(kind) == 3:
            return array("slot")
        return "(" + "".join(f"{array(f'slot, {n}')}, " for n in range(kind[3])) + ")"

    def inline(self, i: int) -> str | None:
        """`out = expression` for a pure k-rate operator (arith.INLINE_K), else None."""
        op = self.ir.ops[i]
        ref = kernel_ref(op.entry.perf)
        if ref is None or ref[0] != "csoundpy.opcodes.arith" or len(op.outs) != 1:
            return None
        from ..opcodes.arith import INLINE_K

        form = INLINE_K.get(ref[1])
        out = op.outs[0]
        ins = [self.in_expr(v, False) for v in op.ins]
        if form is None or out.kind != "scalar" or op.variadic or None in ins:
            return None
        target = f"{self.glob(out)}[0]" if out.scope == "global" else f"K[slot, {out.index}]"
        helper_name, codes = form
        if helper_name is None:
            return f"{target} = {ins[0]}"
        alias = self.kernel_alias(ref[0], helper_name)
        return f"{target} = {alias}({codes[op.entry.name]}, {', '.join(ins)})"

    def call(self, i: int) -> str:
        kernel, args, n1 = self.call_args(i)
        return f"{kernel}({', '.join(args)}, 0, {n1})"

    def pair_call(self, i: int) -> str:
        """Op i for notes `slot` and `slot2` through its pair kernel."""
        _kernel, args, n1 = self.call_args(i)
        other = [_second_note(a) for a in args]
        pair = self.kernel(self.ir.ops[i].entry.pair)
        both = [args[0], other[0], "ctx", *args[2:], *other[2:]]
        return f"{pair}({', '.join(both)}, 0, {n1})"

    def call_args(self, i: int) -> tuple[str, list[str], int]:
        """(kernel alias, arguments before n0 and n1, n1) of op i's call."""
        op = self.ir.ops[i]
        entry = op.entry
        if i not in self.state_ops:
            self.state_ops.append(i)
        args = [f"S{i}[slot]", "ctx"]
        pos = 2
        for _ in entry.arrays:
            args.append(self.opaque_expr(i, pos))
            pos += 1
        for v in op.outs:
            args.append(self.out_expr(v) or self.opaque_expr(i, pos))
            pos += 1
        live = _aliased(op)
        fixed = op.ins[:op.nfixed] if op.variadic else op.ins
        for v in fixed:
            args.append(self.in_expr(v, _key(v) in live) or self.opaque_expr(i, pos))
            pos += 1
        if op.variadic:
            parts = [self.in_expr(v, _key(v) in live) for v in op.ins[op.nfixed:]]
            if all(p is not None for p in parts):
                args.append("(" + "".join(f"{p}, " for p in parts).rstrip(" ") + ")")
            else:
                args.append(self.opaque_expr(i, pos))
        n1 = self.ksmps if op.audio else 1
        self.arity[i] = len(args) + 2
        return self.kernel(entry.perf), args, n1

    def cond(self, op: Op) -> str:
        v = op.cond
        value = f"{self.glob(v)}[0]" if v.scope == "global" else f"K[slot, {v.index}]"
        return f"{value} {'==' if op.negate else '!='} 0.0"

    def step(self, j: int, indent: str) -> list[str]:
        """Source lines of program step j (a jump or an escape ends its basic block)."""
        kind, i, target = self.program[j]
        op = self.ir.ops[i]
        line = op.span.line if op.span is not None else 0
        text = op.describe().replace("\n", " ")
        lines = [f"{indent}# orc:{line} {text}"]
        if j in self.escapes:
            lines += [f"{indent}prog[0] = k", f"{indent}prog[2] = {j}",
                      f"{indent}prog[3] = nrel", f"{indent}return 1"]
            return lines
        if kind == CALL:
            expression = self.inline(i)
            if expression is not None:
                lines.append(f"{indent}{expression}")
                return lines
            lines.append(f"{indent}prog[1] = {i}")
            if j in self.maybe:
                return lines + [f"{indent}if {self.call(i)}:", f"{indent}    prog[0] = k",
                                f"{indent}    prog[2] = {j}", f"{indent}    prog[3] = nrel",
                                f"{indent}    return 1"]
            lines.append(f"{indent}{self.call(i)}")
            return lines
        dest = target if target < len(self.program) else -1
        if op.cond is None:
            lines.append(f"{indent}pc = {dest}")
        else:
            nxt = j + 1 if j + 1 < len(self.program) else -1
            lines.append(f"{indent}pc = {dest} if {self.cond(op)} else {nxt}")
        return lines

    def body(self) -> list[str]:
        """The ops of one note: straight-line, or a state machine over basic blocks."""
        program = self.program
        if not self.escapes and not self.maybe and all(kind == CALL for kind, _, _ in program):
            out = []
            for j in range(len(program)):
                out += self.step(j, " " * 8)
            return out
        leaders = {0}
        for j, (kind, _i, target) in enumerate(program):
            if j in self.maybe:
                leaders.add(j + 1)
            if kind == JUMP or j in self.escapes:
                leaders.add(j + 1)
                leaders.add(target if kind in (JUMP, BRANCH) else j)
                leaders.add(j)
        leaders = sorted(b for b in leaders if 0 <= b < len(program))
        out = ["        pc = pc0 if k == k0 else 0", "        while pc >= 0:"]
        for n, start in enumerate(leaders):
            end = leaders[n + 1] if n + 1 < len(leaders) else len(program)
            out.append(f"            {'if' if n == 0 else 'elif'} pc == {start}:")
            for j in range(start, end):
                out += self.step(j, " " * 16)
            if program[end - 1][0] != JUMP and end - 1 not in self.escapes:
                out.append(f"                pc = {end if end < len(program) else -1}")
        return out

    def init_call(self, i: int) -> list[str]:
        """Op i's native init (`NativeInit`) in the init function, leaving with
        1 when it asks for Python's."""
        op = self.ir.ops[i]
        native = op.entry.native_init
        if i not in self.state_ops:
            self.state_ops.append(i)
        args = [f"S{i}[slot]", "ctx", "tabs"]
        for name in native.dirs:
            args.append(f"D_{name}")
            if name not in self.dirs:
                self.dirs.append(name)
        args += [repr(c) for c in native.consts]
        for p, kind in enumerate(native.aux, start=2):
            if kind == "ref":
                if (i, p) in self.views and (i, p) in self.opaque:
                    one = len(self.views[(i, p)]) == 3
                    args += [f"X{i}_{p}a[slot:slot + 1]" if one else f"X{i}_{p}a[slot]",
                             f"X{i}_{p}s[slot]"]
                else:  # the perf kernel never reads it
                    args += ["np.zeros(1, np.int64)", "np.zeros(4, np.int64)"]
            elif isinstance(kind, tuple):
                shape = tuple(kind[1](len(op.ins)))
                self.scratch.append((i, p, shape))
                args.append(f"Z{i}_{p}[slot]")
        args += [self.text_expr(v) or self.out_expr(v) for v in op.outs]
        live = _aliased(op)
        fixed = op.ins[:op.nfixed] if op.variadic else op.ins
        args += [self.text_expr(v) or self.in_expr(v, _key(v) in live) for v in fixed]
        if op.variadic:
            parts = [self.text_expr(v) or self.in_expr(v, _key(v) in live)
                     for v in op.ins[op.nfixed:]]
            args.append("(" + "".join(f"{p}, " for p in parts).rstrip(" ") + ")")
        kernel = self.kernel(native.kernel)
        line = op.span.line if op.span is not None else 0
        text = op.describe().replace("\n", " ")
        return [f"    # orc:{line} {text}", f"    if {kernel}({', '.join(args)}) != 0:",
                "        return 1"]

    def text_expr(self, v: Var) -> str | None:
        """An S variable's text row in the init function (`_native_text`)."""
        if v.kind != "string":
            return None
        self.texts = True
        return f"W[slot, {v.index}]"

    def init_body(self) -> list[str]:
        """The init function's body: p-fields from the event row, a fresh
        status, then each op's native init in order."""
        npf = self.ir.npfields
        lines = ["    nfields = int(ev[1])",
                 f"    for j in range(1, {npf}):",
                 f"        K[slot, j] = ev[{EV_P1 - 1} + j] if j <= nfields else 0.0",
                 "    ST[slot, :] = 0.0"]
        for i, op in enumerate(self.ir.ops):
            if op.kind == "call" and op.entry.init is not None:
                lines += self.init_call(i)
        return lines + ["    return 0"]

    def unpack_frame(self) -> tuple[list[str], list[str]]:
        """Lines rebuilding the pool's arrays from the frame P, and the record
        dtypes they need; sets self.frame (see `PerfPlan.frame`)."""
        items = [("K", "K", 2, "float64"), ("A", "A", 3, "float64"), ("ST", "ST", 2, "float64")]
        dtypes = []
        for i in self.state_ops:
            descr = self.ir.ops[i].entry.state.descr
            dtypes.append(f"_S{i} = np.dtype((np.record, {descr!r}))")
            items.append((("S", i), f"S{i}", 1, f"_S{i}"))
        for i, p in self.opaque:
            kind = self.views.get((i, p))
            if kind is not None:
                many = len(kind) - 3  # 1 for a tuple of arrays
                items.append((("Xa", (i, p)), f"X{i}_{p}a", 1 + many, "int64"))
                items.append((("Xs", (i, p)), f"X{i}_{p}s", 2 + many, "int64"))
        for i, p, shape in self.scratch:
            items.append((("Z", (i, p)), f"Z{i}_{p}", 1 + len(shape), "float64"))
        for name, g in self.globals.items():
            items.append((("g", name), g, 1, "float64"))
        if self.texts:
            items.append(("W", "W", 3, "uint8"))
        for name in self.dirs:
            items.append((("D", name), f"D_{name}", 2, "int64"))
        lines, at = [], 0
        for _key, var, ndim, dtype in items:
            shape = "".join(f"P[{at + 1 + d}], " for d in range(ndim)).rstrip(" ")
            lines.append(f"    {var} = carray(address(P[{at}]), ({shape}), {dtype})")
            at += 1 + ndim
        self.frame = [(key, ndim) for key, _var, ndim, _dtype in items]
        return lines, dtypes

    def pairable(self) -> bool:
        """Can notes run two at a time, op by op, without changing a sample?

        Straight-line code; no op writes a global; every op is an inline
        operator or flagged "note_local" (see opcodes._registry), except at
        most one "bus_out" op; and some op has a pair kernel to gain from."""
        ops = [self.ir.ops[i] for _kind, i, _t in self.program]
        if self.escapes or self.maybe or any(kind != CALL for kind, _i, _t in self.program):
            return False
        if any(v.scope == "global" for op in ops for v in op.outs):
            return False
        bus = 0
        for (_kind, i, _t), op in zip(self.program, ops):
            if "bus_out" in op.entry.flags:
                bus += 1
            elif "note_local" not in op.entry.flags and self.inline(i) is None:
                return False
        return bus <= 1 and any(op.entry.pair is not None for op in ops)

    def pair_loop(self, paired: list[str]) -> list[str]:
        """Lines that run notes two by two (from k0), leaving k0 at the odd one."""
        if not paired:
            return []
        tail = []
        for name in ("slot", "slot2"):
            tail += [f"            ST[{name}, {ST_KCOUNT}] += 1.0",
                     f"            if ST[{name}, {ST_RELEASING}] != 0.0:",
                     "                nrel += 1"]
        return ["    while k0 + 1 < slots.shape[0]:",
                "        slot = slots[k0]",
                "        slot2 = slots[k0 + 1]",
                "        if True:",
                "            prog[0] = k0",
                *paired, *tail,
                "        k0 += 2"]

    def pair_body(self) -> list[str]:
        """The ops of notes `slot` and `slot2`, op by op."""
        out = []
        indent = " " * 12
        for j, (_kind, i, _t) in enumerate(self.program):
            op = self.ir.ops[i]
            if op.entry.pair is not None:
                out.append(self.step(j, indent)[0])
                out.append(f"{indent}{self.pair_call(i)}")
                continue
            lines = self.step(j, indent)
            out += lines + [_second_note(line) for line in lines[1:]]
        return out

    def source(self, fingerprint: str) -> tuple[str, str]:
        body = self.body()
        paired = self.pair_body() if self.pairable() else []
        init = self.init_body() if self.lifecycle else []
        func = f"instr_{_ident(self.label)}_perf"
        params = ["ctx", "slots", "k0", "pc0", "prog", "P"]
        params += [f"X{i}_{p}" for i, p in self.opaque if (i, p) not in self.views]
        self.imports[("numba", "carray")] = "carray"
        self.imports[("csoundpy.compile.views", "address")] = "address"
        self.imports[("numpy", "float64")] = "float64"
        self.imports[("numpy", "int64")] = "int64"
        if self.texts:
            self.imports[("numpy", "uint8")] = "uint8"
        prologue, dtypes = self.unpack_frame()
        lines = [
            f'"""Perf pass of instr {self.label}, generated by csoundpy.compile.codegen."""',
            f"# {fingerprint}",
            "import numpy as np",
            "from csoundpy._jit import kernel",
        ]
        for (module, name), alias in sorted(self.imports.items()):
            lines.append(f"from {module} import {name}" + (f" as {alias}" if alias != name else ""))
        lines += ["", *dtypes]
        gnames = ", ".join(f"{g}={name}" for name, g in self.globals.items())
        lines += [
            "",
            "",
            "@kernel",
            f"def {func}({', '.join(params)}):",
            f'    """One block of instr {self.label} for notes slots[k0:]'
            + (f" (globals: {gnames})" if gnames else "") + '."""',
            *prologue,
            "    nrel = 0",
            *self.pair_loop(paired),
            "    for k in range(k0, slots.shape[0]):",
            "        slot = slots[k]",
            "        prog[0] = k",
            *body,
            f"        ST[slot, {ST_KCOUNT}] += 1.0",
            f"        if ST[slot, {ST_RELEASING}] != 0.0:",
            "            nrel += 1",
            "    prog[3] = nrel",
            "    return 0",
            "",
        ]
        if init:
            lines += [
                "",
                "@kernel",
                f"def instr_{_ident(self.label)}_init(ctx, slot, ev, tabs, P):",
                (f'    """The init pass of a note of instr {self.label} started from event row'
                 ' `ev` in slot `slot`: 0, or 1 when Python must start it."""'),
                *prologue,
                *init,
                "",
            ]
        return func, "\n".join(lines)


def _second_note(line: str) -> str:
    """The same source line for the pair's second note (`slot2`)."""
    return re.sub(r"\[slot([,\]])", r"[slot2\1", line)


def _ident(label: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in str(label))


def fingerprint() -> str:
    """Hash of everything a generated function links in: the opcode modules and
    csoundpy._jit (numba's cache does not track callees), and numba's version."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import numba

        from .. import _jit, opcodes

        files = sorted(Path(opcodes.__file__).parent.glob("*.py")) + [
            Path(_jit.__file__), Path(__file__).with_name("views.py"),
            Path(__file__).with_name("lifecycle.py")]
        parts = [numba.__version__] + [f"{f.name}={file_hash(str(f))}" for f in files]
        _FINGERPRINT = source_hash(" ".join(parts))
    return _FINGERPRINT


_FINGERPRINT: str | None = None


def perf_plan(ir: InstrIR, program: list[tuple], ksmps: int, label: str,
              views: dict | None = None, lifecycle: bool = False) -> PerfPlan:
    """Generate the fused perf pass (call `unfusable_reason` first).  `views`:
    the opaque positions passed as address and shape (`compile.views`), with
    their (dtype name, ndim); the others are typed Lists.  `lifecycle`: also
    the init function for natively started notes (see `lifecycle_reason`)."""
    gen = _Gen(ir, program, ksmps, label, views, lifecycle)
    func, source = gen.source(f"kernels and numba: {fingerprint()}")
    init = f"instr_{_ident(label)}_init" if lifecycle else None
    return PerfPlan(func, source, gen.opaque, gen.arity, gen.frame, init, gen.scratch)


@dataclass(frozen=True)
class ChainStep:
    """One instrument of a chain function: its module and perf function, and
    for an instrument whose notes start in compiled code (`lifecycle_reason`)
    what starting them needs."""

    module: str
    perf: str
    nextra: int = 0  # typed-List arguments after the frame
    init: str | None = None
    number: int = 0  # instrument number (p1 of its events)
    npfields: int = 4
    dynamic: bool = False  # no p-field count warning
    max_pfield: int = 3


def chain_source(steps: list[ChainStep]) -> tuple[str, str]:
    """Source of a function that runs whole blocks of a chain of fused instruments.

        chain_<hash>(nblocks, kc0, clock, spout, outbuf, pos, cprog, events,
                     nevents, counters, tabs, go, own, a0, a1, ..., n0, n1, ...)

    a<i> is the argument tuple of step i (`Pool.args` for all its notes);
    n<i> the book of step i's compiled notes (`compile.lifecycle`; an empty
    tuple for steps without `init`); own[i] whether the step's notes are
    exactly the book's (else it runs a<i>'s notes, its book untouched), go[i]
    whether its notes may start here (implies own[i]).  Each
    block: the clock, compiled notes whose time is up turned off, due events
    of the compiled queue started (their instrument's init function, then
    `admit_note`), the output bus cleared, every step, the bus copied to
    `outbuf[:, pos + b * ksmps:]`.  cprog[0] holds the step being run.
    Returns nblocks, or the block at which a step escaped to Python (see the
    module docstring), or at which an event needs Python to start it
    (cprog[1] = 1; that block is not begun); a kernel's exception leaves the
    block in clock[0] - kc0.
    """
    names = [f"f{n}" for n in range(len(steps))]
    digest = source_hash(repr(steps))
    func = f"chain_{digest}"
    imports = [f"from {st.module} import {st.perf} as {alias}"
               for st, alias in zip(steps, names)]
    imports += [f"from {st.module} import {st.init} as i{n}"
                for n, st in enumerate(steps) if st.init]
    native = [n for n, st in enumerate(steps) if st.init]
    lines = [
        '"""Block loop over fused instruments, generated by csoundpy.compile.codegen."""',
        "from csoundpy._jit import kernel",
        "from csoundpy.compile.lifecycle import admit_note, event_slot, expire_notes",
        *imports,
        "",
        "",
        "@kernel",
        f"def {func}(nblocks, kc0, clock, spout, outbuf, pos, cprog, events, nevents, counters, "
        "tabs, go, own, " + ", ".join(f"a{n}" for n in range(len(steps))) + ", "
        + ", ".join(f"n{n}" for n in range(len(steps))) + "):",
        '    """Blocks of a chain whose notes all run natively."""',
        "    ksmps = spout.shape[1]",
        "    for b in range(nblocks):",
        "        kc = kc0 + b",
        "        clock[0] = kc",
    ]
    for n in native:
        lines += [f"        if own[{n}]:",
                  f"            expire_notes(kc, n{n}[0], n{n}[1], n{n}[2], n{n}[4])"]
    lines += [
        "        if nevents[0] > 0:",
        "            keep = 0",
        "            stop = False",
        "            for e in range(nevents[0]):",
        "                ok = stop or events[e, 0] > kc",
        "                if not ok:",
        f"                    p1 = events[e, {EV_P1}]",
    ]
    for n in native:
        st = steps[n]
        lines += [
            f"                    if p1 == {float(st.number)!r} and go[{n}]:",
            (f"                        slot = event_slot(events[e], n{n}[1], n{n}[4], "
             f"{st.dynamic}, {st.max_pfield})"),
            (f"                        if slot >= 0 and i{n}(a{n}[0], slot, events[e], tabs, "
             f"a{n}[5]) == 0:"),
            (f"                            admit_note(kc, events[e], n{n}[0], n{n}[1], n{n}[2], "
             f"n{n}[3], n{n}[4], counters, a{n}[0].kr, clock[1], {st.npfields})"),
            "                            continue",
        ]
    lines += [
        "                    stop = True",
        "                if keep != e:",
        "                    events[keep, :] = events[e, :]",
        "                keep += 1",
        "            nevents[0] = keep",
        "            if stop:",
        "                cprog[1] = 1",
        "                return b",
        "        spout[:, :] = 0.0",
    ]
    for n, (st, alias) in enumerate(zip(steps, names)):
        lines.append(f"        cprog[0] = {n}")
        if st.init:
            extra = "".join(f", a{n}[{6 + x}]" for x in range(st.nextra))
            lines += [f"        if own[{n}]:",
                      (f"            if {alias}(a{n}[0], n{n}[0][:n{n}[4][0]], 0, 0, a{n}[4], "
                       f"a{n}[5]{extra}):"), "                return b",
                      f"        elif {alias}(*a{n}):", "            return b"]
        else:
            lines += [f"        if {alias}(*a{n}):", "            return b"]
    lines += [
        "        p = pos + b * ksmps",
        "        outbuf[:, p:p + ksmps] = spout",
        "    return nblocks",
        "",
    ]
    return func, "\n".join(lines)
