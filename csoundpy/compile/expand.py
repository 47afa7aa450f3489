"""AST -> IR: expressions become three-address calls with temporaries,
names are resolved to variables, opcodes or UDOs, control flow becomes
labels and jumps.  Errors use Csound's texts and carry the statement's Span.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ..errors import CompileError, Span
from ..lang import ast
from ..opcodes._registry import OpEntry, lookup
from . import types as T
from .ir import InstrIR, Op, Var

HEADER_NAMES = ("sr", "kr", "ksmps", "nchnls", "nchnls_i", "0dbfs", "A4")
_PFIELD = re.compile(r"^p(\d+)$")

BINOPS = {
    "+": "##add", "-": "##sub", "*": "##mul", "/": "##div", "%": "##mod", "^": "##pow",
    "<": "##lt", ">": "##gt", "<=": "##le", ">=": "##ge", "==": "##eq", "!=": "##ne",
    "&&": "##and", "||": "##or", "&": "##bitand", "|": "##bitor", "#": "##bitxor",
    "<<": "##shl", ">>": "##shr",
}
# the conditional-goto primitives: name -> (passes, jump when the condition is false)
_COND_GOTOS = {"cigoto": ("i", False), "ckgoto": ("k", False), "cggoto": ("ik", False),
               "cingoto": ("i", True), "cnkgoto": ("k", True), "cngoto": ("ik", True)}

UNOPS = {"-": "##neg", "!": "##not", "~": "##bitnot", "¬": "##bitnot", "+": None}


def var_type_of(name: str) -> str | None:
    """Type letter from a variable name's prefix (after 'g' for globals)."""
    base = name[1:] if name.startswith("g") and len(name) > 1 else name
    c = base[:1]
    if c in ("a", "k", "i", "S", "f", "w"):
        return c
    if c == "b":
        return "b"
    if c == "B":
        return "B"
    if c == "t":  # Csound's old t-variables are k-rate arrays
        return "k[]"
    return None


@dataclass
class UDOInfo:
    name: str
    outtypes: str
    intypes: str
    ir: InstrIR | None
    entry: OpEntry


@dataclass
class CompiledOrchestra:
    header: dict[str, float]
    header_spans: dict[str, Span]
    global_ir: InstrIR
    instruments: list[tuple[tuple, InstrIR]]
    udos: dict[str, UDOInfo]


def _udo_type_string(types: str) -> str:
    return "" if types in ("0", "") else types


class _Unit:
    """Compilation state of one instrument / UDO / global block."""

    def __init__(self, ir: InstrIR, is_global: bool, is_udo: bool = False):
        self.ir = ir
        self.is_global = is_global
        self.is_udo = is_udo
        self.locals: dict[str, Var] = {}
        self.consts: dict[float, Var] = {}
        self.sconsts: dict[str, Var] = {}
        self.labels: dict[str, int] = {}
        self.temp_count = itertools.count()
        self.label_count = itertools.count()
        self.xout_vars: list[Var] | None = None


class Compiler:
    """Compiles an Orchestra AST against a table of engine globals and UDOs."""

    def __init__(self, globals_table: dict[str, Var], udos: dict[str, UDOInfo] | None = None):
        self.globals = globals_table
        # name -> overloads (Csound allows one UDO name with several signatures)
        self.udos: dict[str, list[UDOInfo]] = {k: list(v) for k, v in (udos or {}).items()}

    # ------------------------------------------------------------ entry point
    def compile(self, orc: ast.Orchestra) -> CompiledOrchestra:
        header: dict[str, float] = {}
        header_spans: dict[str, Span] = {}
        for name in HEADER_NAMES:
            if name not in self.globals:
                self.globals[name] = Var(name, "i", "scalar", "global")
        # UDO signatures first so bodies and instruments can call them (recursion too)
        for item in orc.statements:
            if isinstance(item, ast.UDODef):
                outs, ins = _udo_type_string(item.outtypes), _udo_type_string(item.intypes)
                try:
                    T.split_types(outs), T.split_types(ins)
                except ValueError:
                    raise CompileError(f"invalid type string in opcode {item.name}", item.span)
                entry = OpEntry(name=item.name, outs=outs, ins=ins)
                info = UDOInfo(item.name, outs, ins, None, entry)
                info.source = item  # type: ignore[attr-defined]
                overloads = [u for u in self.udos.get(item.name, [])
                             if (u.outtypes, u.intypes) != (outs, ins)
                             and getattr(u, "source", None) is not None
                             and getattr(u, "source") in orc.statements]
                self.udos[item.name] = overloads + [info]
        for item in orc.statements:
            if isinstance(item, ast.UDODef):
                for info in self.udos[item.name]:
                    if getattr(info, "source", None) is item:
                        self._compile_udo(item, info)
        gunit = _Unit(InstrIR("instr 0"), is_global=True)
        instruments = []
        for item in orc.statements:
            if isinstance(item, ast.Instr):
                unit = _Unit(InstrIR(str(item.ids[0])), is_global=False)
                self._block(unit, item.body)
                self._finish(unit)
                instruments.append((item.ids, unit.ir))
            elif isinstance(item, ast.UDODef):
                continue
            elif self._is_header(item):
                name = item.outs[0].name
                header[name] = float(item.expr.value)
                header_spans[name] = item.span
            else:
                self._stmt(gunit, item)
        self._finish(gunit)
        return CompiledOrchestra(header, header_spans, gunit.ir, instruments, self.udos)

    @staticmethod
    def _is_header(item) -> bool:
        return (isinstance(item, ast.Assign) and item.op == "=" and len(item.outs) == 1
                and isinstance(item.outs[0], ast.Name) and item.outs[0].name in HEADER_NAMES
                and isinstance(item.expr, ast.Number))

    def _compile_udo(self, item: ast.UDODef, info: UDOInfo) -> InstrIR:
        unit = _Unit(InstrIR(item.name), is_global=False, is_udo=True)
        info.ir = unit.ir  # set before the body is compiled, so recursive calls find it
        unit.ir.udo_outtypes = _udo_type_string(item.outtypes)
        unit.ir.udo_intypes = _udo_type_string(item.intypes)
        self._block(unit, item.body)
        if unit.ir.udo_intypes and not unit.ir.xin_vars:
            raise CompileError(f"invalid xin statement for UDO: defined '{item.intypes}', "
                               "found '(null)'", item.span)
        self._finish(unit)
        if unit.xout_vars is not None:
            unit.ir.xout_vars = unit.xout_vars  # type: ignore[attr-defined]
        else:
            unit.ir.xout_vars = []  # type: ignore[attr-defined]
        return unit.ir

    def _finish(self, unit: _Unit) -> None:
        for op in unit.ir.ops:
            if op.kind == "jump":
                if op.target_label not in unit.labels:
                    raise CompileError(f"Variable '{op.target_label}' used before defined",
                                       op.span)
                op.target = unit.labels[op.target_label]
        for op in unit.ir.ops:
            if op.kind == "call" and getattr(op, "_label_names", None):
                targets = []
                for name in op._label_names:  # type: ignore[attr-defined]
                    if name not in unit.labels:
                        raise CompileError(f"Variable '{name}' used before defined", op.span)
                    targets.append(unit.labels[name])
                op.labels = targets
        select_native_variants(unit.ir)

    # ------------------------------------------------------------ statements
    def _block(self, unit: _Unit, stmts) -> None:
        for s in stmts:
            self._stmt(unit, s)

    def _stmt(self, unit: _Unit, s) -> None:
        if isinstance(s, list):  # `a, b = x, y` is several assignments
            for item in s:
                self._stmt(unit, item)
        elif isinstance(s, ast.Label):
            self._place_label(unit, s.name, s.span)
        elif isinstance(s, ast.Assign):
            self._assign(unit, s)
        elif isinstance(s, ast.OpStmt):
            self._opstmt(unit, s)
        elif isinstance(s, ast.Goto):
            self._goto(unit, s)
        elif isinstance(s, ast.If):
            self._if(unit, s)
        elif isinstance(s, ast.While):
            self._while(unit, s)
        elif isinstance(s, ast.Instr):
            raise CompileError("instr inside another instr", s.span)
        else:
            raise CompileError(f"unsupported statement {type(s).__name__}", getattr(s, "span", None))

    def _place_label(self, unit: _Unit, name: str, span: Span | None) -> None:
        unit.labels[name] = len(unit.ir.ops)
        unit.ir.ops.append(Op("label", span, label=name))

    def _new_label(self, unit: _Unit) -> str:
        return f"__L{next(unit.label_count)}"

    def _jump(self, unit: _Unit, mode: str, label: str, span, cond: Var | None = None,
              negate: bool = False) -> None:
        unit.ir.ops.append(Op("jump", span, mode=mode, target_label=label, cond=cond,
                              negate=negate))

    def _cond(self, unit: _Unit, expr, span) -> Var:
        v = self._expr(unit, expr, None, span)
        if v.type not in ("b", "B"):
            if v.type == "c":
                return v
            raise CompileError("condition of if/while must be a comparison (b or B type)", span)
        return v

    @staticmethod
    def _cond_mode(cond: Var, kind: str = "then") -> str:
        if kind == "ithen":
            return "i"
        if kind == "kthen":
            return "k"
        return "k" if cond.type == "B" else "ik"

    def _goto(self, unit: _Unit, s: ast.Goto) -> None:
        mode = {"goto": "ik", "igoto": "i", "kgoto": "k"}[s.kind]
        if s.cond is None:
            self._jump(unit, mode, s.label, s.span)
            return
        cond = self._cond(unit, s.cond, s.span)
        if s.kind == "goto":
            mode = self._cond_mode(cond)
        self._jump(unit, mode, s.label, s.span, cond)

    def _if(self, unit: _Unit, s: ast.If) -> None:
        end = self._new_label(unit)
        for cond_ast, kind, body in s.branches:
            nxt = self._new_label(unit)
            cond = self._cond(unit, cond_ast, s.span)
            mode = self._cond_mode(cond, kind)
            self._jump(unit, mode, nxt, s.span, cond, negate=True)
            self._block(unit, body)
            self._jump(unit, mode, end, s.span)
            self._place_label(unit, nxt, s.span)
        if s.else_body:
            self._block(unit, s.else_body)
        self._place_label(unit, end, s.span)

    def _while(self, unit: _Unit, s: ast.While) -> None:
        start, end = self._new_label(unit), self._new_label(unit)
        self._place_label(unit, start, s.span)
        cond = self._cond(unit, s.cond, s.span)
        mode = self._cond_mode(cond)
        self._jump(unit, mode, end, s.span, cond, negate=not s.until)
        self._block(unit, s.body)
        self._jump(unit, mode, start, s.span)
        self._place_label(unit, end, s.span)

    def _assign(self, unit: _Unit, s: ast.Assign) -> None:
        if len(s.outs) != 1:
            raise CompileError("only one output allowed in an assignment", s.span)
        target = s.outs[0]
        expr = s.expr
        if s.op != "=":
            read = ast.Index(target.name, target.indices, target.span) \
                if isinstance(target, ast.Index) else ast.Name(target.name, target.span)
            expr = ast.BinOp(s.op[0], read, expr, s.span)
        if isinstance(target, ast.Index):
            arr = self._lookup(unit, target.name, target.span)
            idx = [self._expr(unit, i, None, s.span) for i in target.indices]
            val = self._expr(unit, expr, "k" if arr.type == "a" else arr.type[0], s.span)
            self._emit(unit, "##array_set", [], [arr, *idx, val], s.span, None)
            return
        if isinstance(target, ast.ArrayDecl):
            outvar = self._declare(unit, target.name, target.span, dims=target.dims)
            value = self._expr(unit, expr, None, s.span)
            self._emit(unit, "=", [outvar], [value], s.span, None)
            return
        ttype = var_type_of(target.name)
        if _PFIELD.match(target.name):
            ttype = "i"
        if ttype is None:
            raise CompileError(f"Variable type for {target.name} could not be determined.",
                               target.span)
        existing = self._find(unit, target.name)
        if existing is not None and T.is_array(existing.type):
            value = self._expr(unit, expr, None, s.span)
            self._emit(unit, "=", [existing], [value], s.span, None)
            return
        n_before = len(unit.ir.ops)
        value = self._expr(unit, expr, ttype if ttype in "aki" else None, s.span)
        outvar = existing or self._declare(unit, target.name, target.span)
        if outvar.type == "p":
            self._emit(unit, "=", [outvar], [value], s.span, None)
            return
        last = unit.ir.ops[-1] if len(unit.ir.ops) > n_before else None
        if (last is not None and last.kind == "call" and len(last.outs) == 1
                and last.outs[0] is value and value.name.startswith("#")
                and value.type == outvar.type and value.kind == outvar.kind):
            last.outs[0] = outvar
            return
        self._emit(unit, "=", [outvar], [value], s.span, None)

    def _opstmt(self, unit: _Unit, s: ast.OpStmt) -> None:
        name = s.opcode
        if name == "xin" and unit.is_udo:
            outs = [self._out_var(unit, o) for o in s.outs]
            self._check_udo_io("xin", unit.ir.udo_intypes, [v.type for v in outs], s.span)
            unit.ir.xin_vars = outs
            return
        if name == "xout" and unit.is_udo:
            unit.xout_vars = [self._expr(unit, a, None, s.span) for a in s.args]
            self._check_udo_io("xout", unit.ir.udo_outtypes,
                               [v.type for v in unit.xout_vars], s.span)
            return
        if name in _COND_GOTOS and len(s.args) == 2 and isinstance(s.args[1], ast.Name):
            mode, negate = _COND_GOTOS[name]
            cond = self._cond(unit, s.args[0], s.span)
            self._jump(unit, mode, s.args[1].name, s.span, cond, negate=negate)
            return
        if name == "pset":
            unit.ir.pset = [self._const_value(a, s.span) for a in s.args]
            unit.ir.dynamic_pfields = True
            return
        if name == "setksmps" and unit.is_udo:
            unit.ir.local_ksmps = int(self._const_value(s.args[0], s.span))
            return
        outs_types = [self._out_type(unit, o) for o in s.outs]
        self._call(unit, name, s.hint, list(s.args), s.outs, outs_types, s.span, None)

    @staticmethod
    def _check_udo_io(kind: str, declared: str, found: list[str], span) -> None:
        """xin outputs / xout inputs must match the UDO's declared types."""
        want = [t for t in T.split_types(declared)]
        letters = {"o": "i", "p": "i", "j": "i", "O": "k", "P": "k", "V": "k", "J": "k",
                   "K": "k"}
        want = [letters.get(t, t) for t in want]
        ok = len(want) == len(found) and all(
            w == f or (w == "i" and f in ("c", "p")) or (w == "k" and f in ("i", "c", "p")
                                                         and kind == "xout")
            for w, f in zip(want, found))
        if not ok:
            shown = "".join(found) or "(null)"
            raise CompileError(f"invalid {kind} statement for UDO: defined '{declared}', "
                               f"found '{shown}'", span)

    def _const_value(self, a, span) -> float:
        if isinstance(a, ast.Number):
            return a.value
        v = self._fold(a)
        if v is None:
            raise CompileError("constant expected", span)
        return v

    # ------------------------------------------------------------ variables
    def _find(self, unit: _Unit, name: str) -> Var | None:
        if name in unit.locals:
            return unit.locals[name]
        if name in self.globals:
            return self.globals[name]
        return None

    def _lookup(self, unit: _Unit, name: str, span) -> Var:
        m = _PFIELD.match(name)
        if m:
            n = int(m.group(1))
            return self._pfield(unit, n)
        v = self._find(unit, name)
        if v is None:
            raise CompileError(f"Variable '{name}' used before defined", span)
        return v

    def _pfield(self, unit: _Unit, n: int) -> Var:
        key = f"p{n}"
        if key not in unit.locals:
            unit.locals[key] = Var(key, "p", "scalar", "local", n)
        unit.ir.max_pfield = max(unit.ir.max_pfield, n)
        unit.ir.npfields = max(unit.ir.npfields, n + 1)
        return unit.locals[key]

    def _declare(self, unit: _Unit, name: str, span, dims: int = 0) -> Var:
        existing = self._find(unit, name)
        if existing is not None:
            return existing
        if _PFIELD.match(name):
            return self._lookup(unit, name, span)
        t = var_type_of(name)
        if t is None:
            raise CompileError(f"Variable type for {name} could not be determined.", span)
        if dims:
            t = t + "[]" * dims
        is_global = name.startswith("g")
        kind = self._kind_of(t)
        var = Var(name, t, kind, "global" if is_global else "local")
        if is_global:
            self.globals[name] = var
        else:
            self._alloc(unit, var)
            unit.locals[name] = var
        return var

    @staticmethod
    def _kind_of(t: str) -> str:
        if T.is_array(t):
            return "array"
        if t == "a":
            return "audio"
        if t == "S":
            return "string"
        if t in ("f", "w"):
            return "fsig"
        return "scalar"

    def _alloc(self, unit: _Unit, var: Var) -> None:
        ir = unit.ir
        if var.kind == "scalar":
            var.index = ir.nscalar + 1000000  # provisional; renumbered in _layout
            ir.nscalar += 1
        elif var.kind == "audio":
            var.index = ir.naudio
            ir.naudio += 1
        elif var.kind == "string":
            var.index = ir.nstring
            ir.nstring += 1
        elif var.kind == "fsig":
            var.index = ir.nfsig
            ir.nfsig += 1
        else:
            var.index = ir.narray
            ir.narray += 1
            ir.array_types.append(var.type)

    def _temp(self, unit: _Unit, t: str) -> Var:
        rate = {"c": "i", "p": "i"}.get(t, t)
        var = Var(f"#{rate.rstrip('[]')}{next(unit.temp_count)}", rate, self._kind_of(rate))
        self._alloc(unit, var)
        return var

    def _const(self, unit: _Unit, value: float) -> Var:
        key = float(value)
        if key != key:  # NaN
            key = "nan"  # type: ignore[assignment]
        if key not in unit.consts:
            var = Var(repr(value), "c", "scalar", "local", value=float(value))
            self._alloc(unit, var)
            unit.consts[key] = var
        return unit.consts[key]

    def _sconst(self, unit: _Unit, value: str) -> Var:
        if value not in unit.sconsts:
            var = Var(f'"{value}"', "S", "string", "local", value=value)
            self._alloc(unit, var)
            unit.sconsts[value] = var
        return unit.sconsts[value]

    def _out_type(self, unit: _Unit, o) -> str:
        if isinstance(o, ast.ArrayDecl):
            t = var_type_of(o.name)
            if t is None:
                raise CompileError(f"Variable type for {o.name} could not be determined.", o.span)
            return t + "[]" * o.dims
        if isinstance(o, ast.Index):
            v = self._lookup(unit, o.name, o.span)
            return v.type.rstrip("[]")
        existing = self._find(unit, o.name)
        if existing is not None:
            return existing.type if existing.type != "p" else "i"
        if _PFIELD.match(o.name):
            return "i"
        t = var_type_of(o.name)
        if t is None:
            raise CompileError(f"Variable type for {o.name} could not be determined.", o.span)
        return t

    def _out_var(self, unit: _Unit, o) -> Var:
        if isinstance(o, ast.ArrayDecl):
            return self._declare(unit, o.name, o.span, dims=o.dims)
        if isinstance(o, ast.Index):
            raise CompileError("array element output must use '='", o.span)
        return self._declare(unit, o.name, o.span)

    # ------------------------------------------------------------ expressions
    def _fold(self, e) -> float | None:
        """Value of a constant expression, or None."""
        import math

        if isinstance(e, ast.Number):
            return e.value
        if isinstance(e, ast.UnaryOp) and e.op == "-":
            v = self._fold(e.operand)
            return None if v is None else -v
        if isinstance(e, ast.BinOp) and e.op in ("+", "-", "*", "/", "%", "^"):
            a, b = self._fold(e.left), self._fold(e.right)
            if a is None or b is None:
                return None
            try:
                if e.op == "+":
                    return a + b
                if e.op == "-":
                    return a - b
                if e.op == "*":
                    return a * b
                if e.op == "/":
                    return a / b if b != 0 else None
                if e.op == "%":
                    return math.fmod(a, b) if b != 0 else None
                if e.op == "^":
                    r = a ** b
                    return r if isinstance(r, float) else None
            except (OverflowError, ZeroDivisionError, ValueError):
                return None
        return None

    def _possible_types(self, unit: _Unit, e) -> list[str]:
        """Types an expression may take, best first (without emitting anything)."""
        if isinstance(e, ast.Number):
            return ["c"]
        if isinstance(e, ast.String):
            return ["S"]
        if isinstance(e, ast.Name):
            if e.name in unit.labels:
                pass
            v = self._find(unit, e.name)
            if v is None:
                if _PFIELD.match(e.name):
                    return ["p"]
                return ["l"]
            return [v.type]
        if isinstance(e, ast.Index):
            v = self._find(unit, e.name)
            if v is None:
                return ["i"]
            if v.type == "a":
                return ["k"]
            return [v.type.rstrip("[]")]
        if self._fold(e) is not None:
            return ["c"]
        if isinstance(e, ast.BinOp):
            lt = self._possible_types(unit, e.left)
            rt = self._possible_types(unit, e.right)
            out = []
            for a in lt:
                for b in rt:
                    r = T.max_rate([a, b])
                    if e.op in ("<", ">", "<=", ">=", "==", "!=", "&&", "||"):
                        r = "B" if r in ("k", "a") else "b"
                    if r not in out:
                        out.append(r)
            return out
        if isinstance(e, ast.UnaryOp):
            t = self._possible_types(unit, e.operand)
            if e.op == "!":
                return t
            return [T.max_rate([x]) for x in t]
        if isinstance(e, ast.Ternary):
            return self._possible_types(unit, e.if_true)
        if isinstance(e, ast.ArrayLit):
            return ["i[]"]
        if isinstance(e, ast.Call):
            if e.name in ("i", "k", "a"):
                return [e.name]
            entries = self._entries(e.name)
            argtypes = [self._possible_types(unit, a) for a in e.args]
            rates = []
            for ent in entries:
                if ent.out_types and self._match_in(ent, argtypes):
                    r = T.out_rate(ent)
                    if e.hint and r != e.hint:
                        continue
                    if r not in rates:
                        rates.append(r)
            return rates or ["i"]
        return ["i"]

    def _entries(self, name: str) -> list[OpEntry]:
        if name in self.udos:
            return [u.entry for u in self.udos[name]]
        return lookup(name)

    @staticmethod
    def _match_in(entry: OpEntry, argtypes: list[list[str]]) -> bool:
        """Does some choice of argument types match the entry's inputs?"""
        chosen = []
        for options in argtypes:
            chosen.append(options[0])
        if T.match_inputs(entry, chosen):
            return True
        for combo in itertools.islice(itertools.product(*argtypes), 64):
            if T.match_inputs(entry, list(combo)):
                return True
        return False

    @staticmethod
    def _pick_combo(entry: OpEntry, argtypes: list[list[str]]) -> list[str]:
        for combo in itertools.islice(itertools.product(*argtypes), 64):
            if T.match_inputs(entry, list(combo)):
                return list(combo)
        return [o[0] for o in argtypes]

    def _expr(self, unit: _Unit, e, want: str | None, span) -> Var:
        folded = self._fold(e)
        if folded is not None and not isinstance(e, ast.Number):
            return self._const(unit, folded)
        if isinstance(e, ast.Number):
            return self._const(unit, e.value)
        if isinstance(e, ast.String):
            return self._sconst(unit, e.value)
        if isinstance(e, ast.Name):
            return self._lookup(unit, e.name, e.span)
        if isinstance(e, ast.Index):
            arr = self._lookup(unit, e.name, e.span)
            idx = [self._expr(unit, i, None, span) for i in e.indices]
            elem = "k" if arr.type == "a" else arr.type[0]
            return self._emit_expr(unit, "##array_get", None, [arr, *idx], span, elem)
        if isinstance(e, ast.BinOp):
            name = BINOPS[e.op]
            sub_want = want if e.op in "+-*/%^" else None
            if e.op in ("<", ">", "<=", ">=", "==", "!="):
                sub_want = None
            left = self._expr(unit, e.left, sub_want, span)
            right = self._expr(unit, e.right, sub_want, span)
            return self._emit_expr(unit, name, None, [left, right], span, None)
        if isinstance(e, ast.UnaryOp):
            name = UNOPS.get(e.op)
            operand = self._expr(unit, e.operand, want, span)
            if name is None:
                return operand
            return self._emit_expr(unit, name, None, [operand], span, None)
        if isinstance(e, ast.Ternary):
            cond = self._cond(unit, e.cond, span)
            a = self._expr(unit, e.if_true, want, span)
            b = self._expr(unit, e.if_false, want, span)
            return self._emit_expr(unit, "##cond", None, [cond, a, b], span, want)
        if isinstance(e, ast.ArrayLit):
            items = [self._expr(unit, i, None, span) for i in e.items]
            return self._emit_expr(unit, "fillarray", None, items, span, "i[]")
        if isinstance(e, ast.Call):
            return self._call_expr(unit, e, want, span)
        raise CompileError(f"unsupported expression {type(e).__name__}", span)

    def _call_expr(self, unit: _Unit, e: ast.Call, want: str | None, span) -> Var:
        if e.name in ("i", "k", "a") and len(e.args) >= 1:
            return self._convert(unit, e, span)
        if e.name == "p" and len(e.args) == 1:
            unit.ir.dynamic_pfields = True
        outs = self._call(unit, e.name, e.hint, list(e.args), None, None, span, want)
        if not outs:
            raise CompileError(f"opcode {e.name} has no output and cannot be used in an "
                               "expression", e.span)
        return outs[0]

    def _convert(self, unit: _Unit, e: ast.Call, span) -> Var:
        arg = self._expr(unit, e.args[0], None, span)
        target = e.name
        if e.name == "i" and len(e.args) == 2:
            idx = self._expr(unit, e.args[1], None, span)
            return self._emit_expr(unit, "##array_get_i", None, [arg, idx], span, "i")
        rate = arg.rate
        if target == rate or (target == "i" and arg.type == "c"):
            return arg
        if target == "k" and rate == "i":
            return self._emit_expr(unit, "##k", None, [arg], span, "k")
        return self._emit_expr(unit, f"##{target}", None, [arg], span, target)

    def _emit_expr(self, unit, name, hint, args: list[Var], span, want) -> Var:
        outs = self._emit(unit, name, None, args, span, want)
        return outs[0]

    def _call(self, unit: _Unit, name: str, hint, args: list, outs_ast, outs_types,
              span, want) -> list[Var]:
        """Resolve and emit an opcode call; returns its output variables."""
        entries = self._entries(name)
        if not entries:
            if outs_ast is None:
                raise CompileError(f"Unable to find opcode with name: {name}", span)
            raise CompileError(f"syntax error, unexpected T_IDENT  (token \"{name}\")\n"
                               f"Unknown opcode '{name}'", span)
        label_pos = self._label_positions(entries, len(args))
        for i, a in enumerate(args):
            if i not in label_pos and isinstance(a, ast.Name):
                self._lookup(unit, a.name, a.span)
        argtypes = []
        for i, a in enumerate(args):
            if i in label_pos and isinstance(a, ast.Name):
                argtypes.append(["l"])
            else:
                argtypes.append(self._possible_types(unit, a))
        cands = [e for e in entries if self._match_in(e, argtypes)]
        if outs_types is not None:
            cands = [e for e in cands if T.match_outputs(e, outs_types)]
        else:
            cands = [e for e in cands if e.out_types]
            if hint:
                cands = [e for e in cands if T.out_rate(e) == hint]
            elif want:
                # Csound: a function's rate follows its arguments when such an overload
                # exists (`kx = birnd(1)` is i-rate); else the requested rate decides
                natural = T.max_rate([t[0] for t in argtypes]) if argtypes else "i"
                pref = [e for e in cands if T.out_rate(e) == natural]
                if not pref:
                    pref = [e for e in cands if T.out_rate(e) == want]
                cands = pref or cands
            else:
                natural = T.max_rate([t[0] for t in argtypes]) if argtypes else "i"
                pref = [e for e in cands if T.out_rate(e) == natural]
                cands = pref or cands
        if outs_types is not None and hint:
            cands = [e for e in cands if T.out_rate(e) == hint] or cands
        if not cands:
            found = " ".join(self._type_letter(t[0]) for t in argtypes)
            outs_txt = ",".join(outs_types or [])
            raise CompileError(
                f"Unable to find opcode entry for '{name}' with matching argument types:\n"
                f"Found: {outs_txt} {name} {found}".replace("  ", " "), span)
        entry = cands[0]
        combo = self._pick_combo(entry, argtypes)
        in_tokens = entry.in_types
        nfixed = T.nfixed_inputs(entry)
        arg_vars: list[Var] = []
        label_names: list[str] = []
        arg_texts: list[str] = []
        for i, a in enumerate(args):
            tok = in_tokens[i] if i < nfixed else (in_tokens[nfixed] if nfixed < len(in_tokens)
                                                   else "*")
            if combo[i] == "l":
                label_names.append(a.name)
                continue
            sub_want = self._want_for(tok, combo[i])
            v = self._expr(unit, a, sub_want, span)
            arg_vars.append(v)
            arg_texts.append(self._arg_text(a, v))
        for tok, default in T.optional_defaults(entry, len(args)):
            arg_vars.append(self._const(unit, default))
        if outs_ast is not None:
            out_vars = [self._out_var(unit, o) if not isinstance(o, ast.Index)
                        else None for o in outs_ast]
            element_writes = []
            for k, o in enumerate(outs_ast):
                if isinstance(o, ast.Index):
                    tmp = self._temp(unit, outs_types[k])
                    out_vars[k] = tmp
                    element_writes.append((o, tmp))
        else:
            out_vars = [self._temp(unit, self._out_temp_type(entry, want))]
            element_writes = []
        op = self._make_op(unit, entry, out_vars, arg_vars, span, arg_texts)
        op._label_names = label_names  # type: ignore[attr-defined]
        for o, tmp in element_writes:
            arr = self._lookup(unit, o.name, o.span)
            idx = [self._expr(unit, i, None, span) for i in o.indices]
            self._emit(unit, "##array_set", [], [arr, *idx, tmp], span, None)
        return out_vars

    @staticmethod
    def _type_letter(t: str) -> str:
        return {"p": "i"}.get(t, t)

    @staticmethod
    def _arg_text(a, v: Var) -> str:
        if isinstance(a, ast.Name):
            return a.name
        if isinstance(a, ast.Number):
            return a.text
        if isinstance(a, ast.String):
            return f'"{a.value}"'
        if v.type == "c":
            return "%.20g" % v.value
        return v.name

    @staticmethod
    def _want_for(token: str, chosen: str) -> str | None:
        if token in ("a", "y"):
            return "a"
        if token in ("k", "O", "P", "V", "J", "z"):
            return "k"
        if token in ("i", "o", "p", "j", "h", "q", "v", "m", "n"):
            return "i"
        if chosen in ("a", "k", "i"):
            return chosen
        return None

    @staticmethod
    def _out_temp_type(entry: OpEntry, want: str | None) -> str:
        tok = entry.out_types[0]
        if tok in ("m",):
            return "a"
        if tok in ("z",):
            return "k"
        if tok in ("I",):
            return "i"
        if tok in ("X", "N", "*", "s"):
            return want or "k"
        return tok

    @staticmethod
    def _label_positions(entries: list[OpEntry], nargs: int) -> set[int]:
        pos = set()
        for e in entries:
            for i, t in enumerate(e.in_types):
                if t == "l":
                    pos.add(i)
        return pos

    def _emit(self, unit: _Unit, name: str, outs: list[Var] | None, args: list[Var], span,
              want) -> list[Var]:
        """Resolve `name` for already-computed argument variables and emit it."""
        entries = self._entries(name)
        argtypes = [v.type for v in args]
        cands = [e for e in entries if T.match_inputs(e, argtypes)]
        if outs is not None:
            cands = [e for e in cands if T.match_outputs(e, [v.type if v.type != "p" else "i"
                                                              for v in outs])]
        elif want:
            cands = [e for e in cands if T.out_rate(e) == want] or cands
        if not cands:
            shown = " ".join(self._type_letter(t) for t in argtypes)
            outs_txt = ",".join(v.type for v in outs) if outs else ""
            opname = {"##add": "+", "##sub": "-", "##mul": "*", "##div": "/"}.get(name, name)
            msg = (f"Unable to find opcode entry for '{opname}' with matching argument types:\n"
                   f"Found: {outs_txt} {opname} {shown}").replace("  ", " ")
            raise CompileError(msg, span)
        entry = cands[0]
        for tok, default in T.optional_defaults(entry, len(args)):
            args = [*args, self._const(unit, default)]
        if outs is None:
            outs = [self._temp(unit, self._out_temp_type(entry, want))] if entry.out_types else []
        self._make_op(unit, entry, outs, args, span, [v.name for v in args])
        return outs

    def _make_op(self, unit: _Unit, entry: OpEntry, outs: list[Var], ins: list[Var], span,
                 arg_texts: list[str]) -> Op:
        udo = next((u.ir for u in self.udos.get(entry.name, []) if u.entry is entry), None)
        nfixed = T.nfixed_inputs(entry)
        audio = any(v.type == "a" for v in outs) or any(v.type == "a" for v in ins)
        op = Op("call", span, entry=entry, outs=outs, ins=ins, nfixed=nfixed,
                variadic=T.has_variadic_inputs(entry), audio=audio, arg_texts=arg_texts,
                udo=udo)
        if udo is not None:
            op.udo_name = entry.name  # type: ignore[attr-defined]
        unit.ir.ops.append(op)
        return op


def select_native_variants(ir: InstrIR) -> None:
    """Give each call site whose S inputs are fixed after the init pass its
    overload's native variant (`OpEntry.native`, see opcodes._registry).

    An S input is fixed when it is a string constant, or a local S variable
    that (1) no op writes at perf time: an op with a perf function or a UDO
    call among whose outputs it is, or a UDO body's xin; (2) no init-time op
    writes after the call site, so the value the variant's init binds is the
    one a Python perf would read: every writer comes earlier in the op list
    and neither the writer nor the call site lies inside an i-time loop (a
    backward i-time jump); and (3) the instrument has no `reinit`, which
    could rewrite it without running the call site's init.  Global S
    variables are never fixed: any instrument may write them at perf time.
    """
    candidates = [i for i, op in enumerate(ir.ops) if op.kind == "call"
                  and op.udo is None and op.entry.native is not None]
    if not candidates:
        return
    reinit = any(op.kind == "call" and op.entry.name == "reinit" for op in ir.ops)
    perf_written = {v.name for v in ir.xin_vars if v.kind == "string"}
    writers: dict[str, list[int]] = {}
    loops: list[tuple[int, int]] = []
    for i, op in enumerate(ir.ops):
        if op.kind == "jump" and "i" in op.mode and 0 <= op.target <= i:
            loops.append((op.target, i))
        if op.kind != "call":
            continue
        if "branch" in op.entry.flags:
            loops += [(t, i) for t in op.labels if t <= i]
        for v in op.outs:
            if v.kind == "string" and v.scope == "local":
                writers.setdefault(v.name, []).append(i)
                if op.has_perf or op.udo is not None:
                    perf_written.add(v.name)

    def in_loop(i: int) -> bool:
        return any(start <= i <= end for start, end in loops)

    def fixed(v: Var, at: int) -> bool:
        if v.kind != "string":
            return True
        if v.scope != "local":
            return False
        if v.type == "S" and v.value is not None:
            return True  # a string constant
        if reinit or v.name in perf_written or in_loop(at):
            return False
        return all(w < at and not in_loop(w) for w in writers.get(v.name, []))

    for i in candidates:
        op = ir.ops[i]
        if all(fixed(v, i) for v in op.ins):
            op.entry = op.entry.native


def layout(ir: InstrIR) -> None:
    """Give scalar variables their final slots: p-fields first, then the rest."""
    seen: dict[int, Var] = {}
    for op in ir.ops:
        for v in [*op.outs, *op.ins, *([op.cond] if op.cond is not None else [])]:
            if v is not None and v.kind == "scalar" and v.scope == "local":
                seen[id(v)] = v
    for v in ir.xin_vars + list(getattr(ir, "xout_vars", [])):
        if v.kind == "scalar" and v.scope == "local":
            seen[id(v)] = v
    slot = ir.npfields
    ir.scalar_init = []
    for v in seen.values():
        if v.type == "p":
            continue
        v.index = slot
        slot += 1
        if v.type == "c":
            ir.scalar_init.append((v.index, v.value))
    ir.nscalar = slot
    strings = {}
    for op in ir.ops:
        for v in [*op.outs, *op.ins]:
            if v.kind == "string" and v.scope == "local" and v.type == "S" and v.value is not None:
                strings[v.index] = v.value
    ir.string_init = list(strings.items())
