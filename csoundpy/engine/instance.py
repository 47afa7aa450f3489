"""Instruments and their instances (notes): storage, init pass, perf pass.

This is the reference execution path: each op's init function and perf
kernel are called one by one, with argument tuples bound once per note.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compile.ir import InstrIR, Op, Var
from ..errors import CsoundError, InitError, PerfError
from .context import (ST_SIZE, ST_XTRA_BLOCKS, ArrayVar, FSig,
                      InitContext, PerfContext, StrVar)

CALL, JUMP, BRANCH, UDO = 0, 1, 2, 3


class InstrDef:
    """A compiled instrument as the engine runs it."""

    def __init__(self, ir: InstrIR, number: int, name: str | None, engine: Any):
        self.ir = ir
        self.number = number
        self.name = name
        self.engine = engine
        self.free: list[Instance] = []
        self.active = 0
        self.program = self._perf_program(ir.ops)
        self.perfs = [op.entry.perf if op.kind == "call" else None for op in ir.ops]
        self.template = np.zeros(ir.nscalar)
        for idx, value in ir.scalar_init:
            self.template[idx] = value
        self.muted = False
        self.pool = None  # engine.native.Pool when the perf pass can be fused

    @property
    def label(self) -> str:
        return self.name if self.name else str(self.number)

    @staticmethod
    def _perf_program(ops: list[Op]) -> list[tuple]:
        """(kind, op_index, target) for the ops the perf pass visits."""
        entries = []
        index_of: dict[int, int] = {}
        for i, op in enumerate(ops):
            index_of[i] = len(entries)
            if op.kind == "call" and (op.has_perf or op.udo is not None):
                kind = UDO if op.udo is not None else BRANCH if "branch" in op.entry.flags \
                    else CALL
                entries.append([kind, i, op.labels[0] if op.labels else -1])
            elif op.kind == "jump" and "k" in op.mode:
                entries.append([JUMP, i, op.target])
        index_of[len(ops)] = len(entries)
        for e in entries:
            if e[2] >= 0:
                e[2] = index_of[e[2]]
        return [tuple(e) for e in entries]


class Instance:
    """One note of an instrument (or one activation of a UDO)."""

    def __init__(self, idef: InstrDef, engine: Any, consts: Any = None):
        ir = idef.ir
        self.idef = idef
        self.engine = engine
        self.consts = consts if consts is not None else engine.consts  # local ksmps in UDOs
        ksmps = int(self.consts.ksmps)
        self.ksmps = ksmps
        self.kv = idef.template.copy()
        self.av = np.zeros((max(ir.naudio, 1), ksmps))
        self.sv = [StrVar() for _ in range(ir.nstring)]
        self.arrv = [ArrayVar(t[0]) for t in ir.array_types]
        self.fv = [FSig() for _ in range(ir.nfsig)]
        self.kv0 = [self.kv[i, ...] for i in range(ir.nscalar)]
        self.kv1 = [self.kv[i:i + 1] for i in range(ir.nscalar)]
        self.states = [np.zeros(1, dtype=op.entry.state)[0] if op.kind == "call" and
                       op.udo is None else None for op in ir.ops]
        self.aux: list[tuple] = [()] * len(ir.ops)
        self.perf_args: list[tuple | None] = [None] * len(ir.ops)
        self.inited = [False] * len(ir.ops)
        self.status = np.zeros(ST_SIZE)
        self.subs: dict[int, Instance] = {}
        self.reset_strings()
        self.p1 = 0.0
        self.pfields: list = []
        self.seq = 0
        self.active = False
        self.releasing = False
        self.end_block: int | None = None
        self.xtra_blocks = 0
        self.release_left = -1
        self.stop_perf = False
        self.pending_reinit: int | None = None
        self.parent: Instance | None = None
        self.start_block = 0
        self.cur_op = -1
        self.pool = None  # engine.native.Pool holding this note's storage, if any
        self.slot = -1
        if idef.pool is not None:
            idef.pool.attach(self)

    # -------------------------------------------------------------- set-up
    def reset_strings(self) -> None:
        for idx, value in self.idef.ir.string_init:
            self.sv[idx].value = value

    def reset(self) -> None:
        """Prepare a reused instance for a new note.  As in Csound, variables and
        opcode state keep the values the previous note left (init functions
        reset what they need); only the note's bookkeeping starts afresh."""
        self.aux = [()] * len(self.idef.ir.ops)
        self.perf_args = [None] * len(self.idef.ir.ops)
        self.inited = [False] * len(self.idef.ir.ops)
        self.status[:] = 0.0
        self.releasing = False
        self.xtra_blocks = 0
        self.release_left = -1
        self.stop_perf = False
        self.pending_reinit = None

    @property
    def insno(self) -> int:
        return self.idef.number

    def set_pfields(self, pfields: list) -> None:
        self.pfields = list(pfields)
        npf = self.idef.ir.npfields
        for i in range(1, npf):
            v = pfields[i - 1] if i - 1 < len(pfields) else 0.0
            self.kv[i] = v if not isinstance(v, str) else 0.0
        self.p1 = float(pfields[0]) if pfields and not isinstance(pfields[0], str) \
            else float(self.idef.number)

    # -------------------------------------------------------------- API for opcodes
    def add_extra_time(self, seconds: float) -> None:
        """xtratim / *r envelopes: the note gets this much release time."""
        blocks = int(seconds * float(self.engine.consts.kr) + 0.5)
        root = self.root()
        if blocks > root.xtra_blocks:
            root.xtra_blocks = blocks
            root.status[ST_XTRA_BLOCKS] = blocks

    def root(self) -> Instance:
        inst = self
        while inst.parent is not None:
            inst = inst.parent
        return inst

    def turnoff(self, allow_release: bool = True) -> None:
        """End this note now (with its release phase if it has one)."""
        root = self.root()
        root.engine.turnoff(root, allow_release)
        root.stop_perf = not root.releasing

    def request_reinit(self, op_index: int) -> None:
        self.pending_reinit = op_index

    # -------------------------------------------------------------- variables
    def out_obj(self, v: Var):
        if v.scope == "global":
            return self.engine.gvars[v.name]
        if v.kind == "scalar":
            return self.kv1[v.index]
        if v.kind == "audio":
            return self.av[v.index]
        if v.kind == "string":
            return self.sv[v.index]
        if v.kind == "fsig":
            return self.fv[v.index]
        return self.arrv[v.index]

    def in_value(self, v: Var):
        """The value an init function receives."""
        if v.scope == "global":
            g = self.engine.gvars[v.name]
            if v.kind == "scalar":
                return float(g[0])
            if v.kind == "string":
                return g.value
            return g
        if v.kind == "scalar":
            if v.type == "p" and 0 < v.index <= len(self.pfields) \
                    and isinstance(self.pfields[v.index - 1], str):
                return self.pfields[v.index - 1]
            return float(self.kv[v.index])
        if v.kind == "audio":
            return self.av[v.index]
        if v.kind == "string":
            return self.sv[v.index].value
        if v.kind == "fsig":
            return self.fv[v.index]
        return self.arrv[v.index]

    def in_perf(self, v: Var, python: bool):
        """The object a perf function receives for an input."""
        if v.scope == "global":
            g = self.engine.gvars[v.name]
            if v.kind == "scalar":
                return self.engine.gvars0[v.name]
            if v.kind == "string":
                return g if python else g.value
            if v.kind == "array":
                return g if python else g.data
            if v.kind == "fsig":
                return g if python else g.buf
            return g
        if v.kind == "scalar":
            return self.kv0[v.index]
        if v.kind == "audio":
            return self.av[v.index]
        if v.kind == "string":
            return self.sv[v.index] if python else self.sv[v.index].value
        if v.kind == "fsig":
            return self.fv[v.index] if python else self.fv[v.index].buf
        return self.arrv[v.index] if python else self.arrv[v.index].data

    def write_scalar(self, v: Var, value: float) -> None:
        if v.scope == "global":
            self.engine.gvars[v.name][0] = value
        else:
            self.kv[v.index] = value

    def scalar(self, v: Var) -> float:
        if v.scope == "global":
            return float(self.engine.gvars[v.name][0])
        return float(self.kv[v.index])

    # -------------------------------------------------------------- init pass
    def init_pass(self, start: int = 0, reinit: bool = False) -> None:
        """Run the init pass from op `start` (a reinit stops at rireturn)."""
        ops = self.idef.ir.ops
        engine = self.engine
        i = start
        n = len(ops)
        while i < n:
            op = ops[i]
            self.cur_op = i
            if op.kind == "jump":
                if "i" in op.mode and self._jump_taken(op):
                    i = op.target
                    continue
            elif op.kind == "call":
                if reinit and op.entry.name == "rireturn":
                    break
                if op.udo is not None:
                    self._udo_init(i, op, reinit)
                elif op.entry.init is not None:
                    ic = InitContext(engine, self, reinit, op.entry.name)
                    ic.arg_texts = op.arg_texts
                    ic.op_index = i
                    ic.labels = op.labels
                    try:
                        result = op.entry.init(self.states[i], ic, *self._outs(op),
                                               *self._init_ins(op))
                    except CsoundError:
                        raise
                    except (ValueError, ZeroDivisionError, OverflowError, IndexError,
                            TypeError, KeyError) as exc:
                        raise InitError(f"{op.entry.name}: {exc}") from exc
                    if "branch" in op.entry.flags:
                        if result:
                            i = op.labels[0]
                            self.inited[i] = True
                            continue
                    else:
                        self.aux[i] = tuple(result) if result is not None else ()
                self.inited[i] = True
                if op.has_perf:
                    self.perf_args[i] = self._bind_perf(i, op)
            i += 1
        if self.pool is not None:
            self.pool.mark(self)

    def where(self) -> str:
        """'(opcode name.types) line N' for the op being run, as Csound reports it."""
        ops = self.idef.ir.ops
        if not 0 <= self.cur_op < len(ops) or ops[self.cur_op].kind != "call":
            return ""
        op = ops[self.cur_op]
        line = op.span.line if op.span is not None else 0
        return f" (opcode {op.entry.name}) line {line}"

    def _jump_taken(self, op: Op) -> bool:
        if op.cond is None:
            return True
        return (self.scalar(op.cond) != 0.0) != op.negate

    def _outs(self, op: Op) -> list:
        return [self.out_obj(v) for v in op.outs]

    def _init_ins(self, op: Op) -> list:
        values = [self.in_value(v) for v in op.ins]
        if op.variadic:
            return values[:op.nfixed] + [tuple(values[op.nfixed:])]
        return values

    def _bind_perf(self, i: int, op: Op) -> tuple:
        python = op.entry.python_perf
        ins = [self.in_perf(v, python) for v in op.ins]
        if op.variadic:
            ins = ins[:op.nfixed] + [tuple(ins[op.nfixed:])]
        ctx = PerfContext(self.engine, self, False, op.entry.name) if python \
            else self.consts
        if python:
            ctx.op_index = i
            ctx.labels = op.labels
            ctx.arg_texts = op.arg_texts
        n1 = self.ksmps if op.audio else 1
        outs = self._outs(op)
        if not python:  # native kernels get an f-signal's buffer, as for inputs
            outs = [o.buf if isinstance(o, FSig) else o for o in outs]
        return (self.states[i], ctx, *self.aux[i], *outs, *ins, 0, n1)

    # -------------------------------------------------------------- UDOs
    def _udo_init(self, i: int, op: Op, reinit: bool) -> None:
        engine = self.engine
        udef = engine.udo_def(op.udo)
        sub = self.subs.get(i)
        if sub is None:
            sub = Instance(udef, engine, self._local_consts(udef.ir.local_ksmps))
            sub.parent = self
            self.subs[i] = sub
        else:
            sub.reset()
        npf = min(self.idef.ir.npfields, udef.ir.npfields)
        sub.kv[1:npf] = self.kv[1:npf]
        sub.pfields = self.pfields
        sub.p1 = self.p1
        self._udo_copy_in(op, sub, init=True)
        sub.init_pass()
        self._udo_copy_out(op, sub)
        self.perf_args[i] = (sub, op)

    def _local_consts(self, local_ksmps: int):
        """Constants for a UDO body with `setksmps n` (n divides the caller's ksmps)."""
        if not local_ksmps or local_ksmps >= self.ksmps or self.ksmps % local_ksmps:
            return self.consts
        from .context import make_consts

        c = self.consts
        return make_consts(float(c.sr), int(local_ksmps), float(c.e0dbfs), int(c.nchnls),
                           int(c.nchnls_i), float(c.a4))

    def _udo_copy_in(self, op: Op, sub: Instance, init: bool, part: int = 0) -> None:
        n = sub.ksmps
        for src, dst in zip(op.ins, sub.idef.ir.xin_vars):
            if not init and src.rate == "i" and dst.rate == "i":
                continue
            if n != self.ksmps and src.kind == "audio" and dst.kind == "audio":
                sub.out_obj(dst)[:] = self.out_obj(src)[part * n:(part + 1) * n]
            else:
                _copy_var(self, src, sub, dst)

    def _udo_copy_out(self, op: Op, sub: Instance, part: int = 0) -> None:
        n = sub.ksmps
        for src, dst in zip(sub.idef.ir.xout_vars, op.outs):
            if n != self.ksmps and src.kind == "audio" and dst.kind == "audio":
                self.out_obj(dst)[part * n:(part + 1) * n] = sub.out_obj(src)
            else:
                _copy_var(sub, src, self, dst)

    # -------------------------------------------------------------- perf pass
    def perf_pass(self, start: int = 0) -> None:
        """One control block of this note, from program step `start`."""
        program = self.idef.program
        n = len(program)
        j = start
        while 0 <= j < n:
            kind, i, target = program[j]
            if kind == JUMP:
                op = self.idef.ir.ops[i]
                if op.cond is None or (self.scalar(op.cond) != 0.0) != op.negate:
                    j = target
                else:
                    j += 1
            else:
                j = self.perf_step(j)

    def perf_step(self, j: int) -> int:
        """Run program step j (not a jump); the next step, or -1 if the note stopped."""
        kind, i, target = self.idef.program[j]
        self.cur_op = i
        a = self.perf_args[i]
        if kind == BRANCH:
            nxt = target if a is not None and self.idef.ir.ops[i].entry.perf(*a) else j + 1
        else:
            nxt = j + 1
            if a is None:
                op = self.idef.ir.ops[i]
                if op.entry.init is None and kind == CALL:
                    # an opcode with no init work needs none: skipping it at i-time is fine
                    a = self.perf_args[i] = self._bind_perf(i, op)
                    self.inited[i] = True
                elif not self.inited[i]:
                    raise PerfError(f"{op.entry.name}: not initialised")
                else:
                    return nxt
            if kind == UDO:
                self._udo_perf(a[0], a[1])
            else:
                self.idef.perfs[i](*a)
        if self.stop_perf:
            return -1
        if self.pending_reinit is not None:
            self._do_reinit()
        return nxt

    def _do_reinit(self) -> None:
        start = self.pending_reinit
        self.pending_reinit = None
        self.init_pass(start, reinit=True)

    def _udo_perf(self, sub: Instance, op: Op) -> None:
        sub.status[:] = self.status
        if sub.ksmps == self.ksmps:
            self._udo_copy_in(op, sub, init=False)
            sub.perf_pass()
            self._udo_copy_out(op, sub)
            return
        for part in range(self.ksmps // sub.ksmps):  # setksmps: the body runs in sub-blocks
            self._udo_copy_in(op, sub, init=False, part=part)
            sub.perf_pass()
            self._udo_copy_out(op, sub, part=part)


def _copy_var(src_inst: Instance, src: Var, dst_inst: Instance, dst: Var) -> None:
    if dst.kind == "scalar":
        value = src_inst.scalar(src) if src.kind == "scalar" else 0.0
        if dst.scope == "global":
            dst_inst.engine.gvars[dst.name][0] = value
        else:
            dst_inst.kv[dst.index] = value
    elif dst.kind == "audio":
        target = dst_inst.out_obj(dst)
        if src.kind == "audio":
            target[:] = src_inst.out_obj(src)
        else:
            target[:] = src_inst.scalar(src)
    elif dst.kind == "string":
        dst_inst.out_obj(dst).value = src_inst.in_value(src) if src.kind == "string" else ""
    elif dst.kind == "fsig":
        dst_inst.out_obj(dst).buf = src_inst.in_value(src).buf
    else:
        dst_inst.out_obj(dst).data = src_inst.in_value(src).data
