"""Instruments and their instances (notes): storage, init pass, perf pass.

This is the reference execution path: each op's init function and perf
kernel are called one by one, with argument tuples bound once per note.

A note's Python path does per-note work only (fm_events starts 24 000 notes
a second): what does not change from one note to the next is made once per
instrument (`InstrDef.init_steps`: what each op's init needs, which inputs
are plain scalars; after a few notes, `_compile_init`'s straight-line init
function) or once per instance and kept while the instance is reused
(`Instance._caches`: each init function with its state view, init context
and outputs bound, the parts of each op's perf-argument tuple around its aux
arrays).  The instance-level objects are views of the instance's storage, so
they are rebuilt when a pool moves that storage (its `kv` changes).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from ..compile.ir import InstrIR, Op, Var
from ..errors import CsoundError, InitError, PerfError
from .context import (
    ST_SIZE,
    ST_XTRA_BLOCKS,
    ArrayVar,
    FSig,
    InitContext, local_consts,
    PerfContext,
    StrVar,
    const_values,
    state_view_dtype,
)

CALL, JUMP, BRANCH, UDO = 0, 1, 2, 3
# kinds of init-pass steps (InstrDef.init_steps)
I_SKIP, I_JUMP, I_UDO, I_INIT, I_BIND = 0, 1, 2, 3, 4
# Python errors of an init function reported as init errors of its opcode
INIT_ERRORS = (ValueError, ZeroDivisionError, OverflowError, IndexError, TypeError, KeyError)
# init passes of an instrument before its straight-line init function is made
FAST_INIT_AFTER = 8


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
        self.fallbacks = [op.entry.fallback if op.kind == "call" else None for op in ir.ops]
        self.views = [state_view_dtype(op.entry.state) if op.kind == "call" and op.udo is None
                      else None for op in ir.ops]
        self.init_steps = [self._init_step(op) for op in ir.ops]
        self.deinits = [i for i, op in enumerate(ir.ops)
                        if op.kind == "call" and op.entry.deinit is not None]
        self.maxalloc = 0
        self.instcnt = 0
        self.init_count = 0
        self.fast_init: Any = None  # _compile_init's function once made (False: none)
        self.template = np.zeros(ir.nscalar)
        for idx, value in ir.scalar_init:
            self.template[idx] = value
        self.muted = False
        self.pool = None  # engine.native.Pool when the perf pass can be fused

    @property
    def label(self) -> str:
        return self.name if self.name else str(self.number)

    @staticmethod
    def _init_step(op: Op) -> tuple:
        """What the init pass does at this op, decided once per instrument:
        (I_INIT, ins, scalar, nfixed, branch, has_perf) for an init function,
        where `ins` holds, per input, its kv slot (a local scalar: the value is
        `kv.item(slot)`) or its Var, `scalar` says they are all slots, and
        nfixed < 0 when there is no variadic part; (I_BIND, has_perf) for an
        opcode without init function; (I_UDO,), (I_JUMP,) or (I_SKIP,)."""
        if op.kind == "jump":
            return (I_JUMP,) if "i" in op.mode else (I_SKIP,)
        if op.kind != "call":
            return (I_SKIP,)
        if op.udo is not None:
            return (I_UDO,)
        if op.entry.init is None:
            return (I_BIND, op.has_perf)
        ins = tuple(v.index if v.scope == "local" and v.kind == "scalar" else v for v in op.ins)
        return (I_INIT, ins, all(type(x) is int for x in ins),
                op.nfixed if op.variadic else -1, "branch" in op.entry.flags, op.has_perf)

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
        self.const_values = const_values(self.consts, engine.consts)
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
        self.str_pfields = False  # some p-field is a string (init inputs take the slow path)
        self.seq = 0
        self.active = False
        self.releasing = False
        self._end_block: int | None = None
        self.xtra_blocks = 0
        self.release_left = -1
        self.stop_perf = False
        self.pending_reinit: int | None = None
        self.parent: Instance | None = None
        self.start_block = 0
        self.cur_op = -1
        self.pool = None  # engine.native.Pool holding this note's storage, if any
        self.slot = -1
        self._cache_kv: np.ndarray | None = None
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
        self.prev_aux = self.aux  # for InitContext.zeros
        self.aux = [()] * len(self.idef.ir.ops)
        self.perf_args = [None] * len(self.idef.ir.ops)
        self.inited = [False] * len(self.idef.ir.ops)
        self.status.fill(0.0)
        self.releasing = False
        self.xtra_blocks = 0
        self.release_left = -1
        self.stop_perf = False
        self.pending_reinit = None

    @property
    def end_block(self) -> int | None:
        """The block at which the note is turned off; None: held (or releasing)."""
        return self._end_block

    @end_block.setter
    def end_block(self, block: int | None) -> None:
        self._end_block = block
        if block is None:
            self.engine.maybe_held = True

    @property
    def insno(self) -> int:
        return self.idef.number

    def set_pfields(self, pfields: list) -> None:
        self.pfields = pfields = list(pfields)
        npf = self.idef.ir.npfields
        values = pfields[:npf - 1]
        strs = False
        for i, v in enumerate(values):
            if isinstance(v, str):
                values[i] = 0.0
                strs = True
        if len(values) < npf - 1:
            values += [0.0] * (npf - 1 - len(values))
        self.kv[1:npf] = values
        self.str_pfields = strs
        self.p1 = float(pfields[0]) if pfields and not isinstance(pfields[0], str) \
            else float(self.idef.number)

    # -------------------------------------------------------------- per-instance caches
    def _caches(self) -> None:
        """Start the per-instance caches afresh for the current storage."""
        n = len(self.idef.ir.ops)
        self._cache_kv = self.kv
        self._cache_av = self.av
        self._calls: list = [None] * n
        self._ics: list = [None] * n
        self._binds: list = [None] * n
        self._reinit_contexts = False  # some init context has reinit set

    def _moved(self) -> tuple:
        """After the pool moved this note's storage: fresh caches, and the
        objects an init pass holds in locals."""
        self._caches()
        kv = self.kv
        return kv, kv.item, self.aux, self.perf_args, self._calls, self._binds

    def _init_call(self, i: int, op: Op) -> partial:
        """Op i's init function with its state view, init context and outputs bound:
        the state is a view of the same memory (see `context.state_view_dtype`)."""
        ic = self._ics[i] = InitContext(self.engine, self, False, op.entry.name)
        ic.arg_texts = op.arg_texts
        ic.op_index = i
        ic.labels = op.labels
        view = self.states[i].view(self.idef.views[i])
        call = self._calls[i] = partial(op.entry.init, view, ic,
                                        *[self.out_obj(v) for v in op.outs])
        return call

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
        idef = self.idef
        ops = idef.ir.ops
        steps = idef.init_steps
        if self._cache_kv is not self.kv or self._cache_av is not self.av:
            self._caches()
        if self._reinit_contexts and not reinit:
            for ic in self._ics:
                if ic is not None:
                    ic.reinit = False
            self._reinit_contexts = False
        if start == 0 and not reinit and not self.str_pfields:
            fast = idef.fast_init
            if fast is None:
                idef.init_count += 1
                if idef.init_count >= FAST_INIT_AFTER:
                    fast = idef.fast_init = _compile_init(idef) or False
            if fast:
                fast(self, ops, steps)
                if self.pool is not None:
                    self.pool.mark(self)
                return
        kv = self.kv
        item = kv.item
        in_value = self.in_value
        plain = not self.str_pfields
        aux = self.aux
        inited = self.inited
        perf_args = self.perf_args
        calls, ics, binds = self._calls, self._ics, self._binds
        i = start
        n = len(ops)
        while i < n:
            step = steps[i]
            kind = step[0]
            self.cur_op = i
            if kind == I_INIT:
                _, spec, scalar, nfixed, branch, has_perf = step
                if reinit and ops[i].entry.name == "rireturn":
                    break
                call = calls[i] or self._init_call(i, ops[i])
                if reinit:
                    ics[i].reinit = self._reinit_contexts = True
                if scalar and plain:
                    ins = list(map(item, spec))
                elif plain:
                    ins = [item(x) if type(x) is int else in_value(x) for x in spec]
                else:
                    ins = [in_value(v) for v in ops[i].ins]
                if nfixed >= 0:
                    ins = ins[:nfixed] + [tuple(ins[nfixed:])]
                try:
                    result = call(*ins)
                except CsoundError:
                    raise
                except INIT_ERRORS as exc:
                    raise InitError(f"{ops[i].entry.name}: {exc}") from exc
                if self.kv is not kv:  # a new instance grew the pool: storage moved
                    kv, item, aux, perf_args, calls, binds = self._moved()
                    ics = self._ics
                if branch:
                    if result:
                        i = ops[i].labels[0]
                        inited[i] = True
                        continue
                else:
                    aux[i] = tuple(result) if result is not None else ()
                inited[i] = True
                if has_perf:
                    parts = binds[i]
                    if parts:
                        a = aux[i]
                        perf_args[i] = parts[0] + a + parts[1] if a else parts[0] + parts[1]
                    else:
                        perf_args[i] = self._bind_perf(i, ops[i])
            elif kind == I_BIND:
                if reinit and ops[i].entry.name == "rireturn":
                    break
                inited[i] = True
                if step[1]:
                    self.perf_args[i] = self._bind_perf(i, ops[i])
            elif kind == I_JUMP:
                if self._jump_taken(ops[i]):
                    i = ops[i].target
                    continue
            elif kind == I_UDO:
                self._udo_init(i, ops[i], reinit)
                inited[i] = True
                if ops[i].has_perf:
                    self.perf_args[i] = self._bind_perf(i, ops[i])
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

    def _bind_perf(self, i: int, op: Op) -> tuple:
        """Op i's perf-argument tuple: (state, ctx, *aux, *outs, *ins, n0, n1)."""
        if self._cache_kv is not self.kv or self._cache_av is not self.av:
            self._caches()
        parts = self._binds[i]
        if parts is None:
            parts = self._binds[i] = self._bind_parts(i, op)
        if parts:
            head, tail = parts
            aux = self.aux[i]
            return head + aux + tail if aux else head + tail
        return self._bind_args(i, op)

    def _bind_parts(self, i: int, op: Op) -> tuple | bool:
        """(head, tail) of op i's perf arguments around its aux arrays, when none
        of them changes between notes; False when one can (a native kernel gets
        a string's value, an array's data or an f-signal's buffer)."""
        if not op.entry.python_perf and any(v.kind in ("string", "array", "fsig")
                                            for v in (*op.outs, *op.ins)):
            return False
        args = self._bind_args(i, op)
        naux = len(self.aux[i])
        return args[:2], args[2 + naux:]

    def _bind_args(self, i: int, op: Op) -> tuple:
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
        sub.str_pfields = self.str_pfields
        sub.p1 = self.p1
        self._udo_copy_in(op, sub, init=True)
        sub.init_pass()
        self._udo_copy_out(op, sub)
        self.perf_args[i] = (sub, op)

    def _local_consts(self, local_ksmps: int):
        """Constants for a UDO body with `setksmps n` (n divides the caller's ksmps)."""
        return local_consts(self.consts, local_ksmps) or self.consts

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
            elif self.idef.perfs[i](*a) and self.idef.fallbacks[i] is not None:
                self.idef.fallbacks[i](self, *a)
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
            if not self.engine.native.run_udo(sub):
                sub.perf_pass()
            self._udo_copy_out(op, sub)
            return
        run_udo = self.engine.native.run_udo
        for part in range(self.ksmps // sub.ksmps):  # setksmps: the body runs in sub-blocks
            self._udo_copy_in(op, sub, init=False, part=part)
            if not run_udo(sub):
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


def _compile_init(idef: InstrDef) -> Any:
    """The init pass of an instrument without i-time jumps, branches or UDO calls
    as one straight-line Python function (None for other instruments): what
    `Instance.init_pass` does op by op, without its per-op dispatch.  It runs
    for a full pass (not a reinit) of a note without string p-fields."""
    lines = ["def init_pass(self, ops, steps):",
             "    kv = self.kv", "    item = kv.item", "    inv = self.in_value",
             "    gvars = self.engine.gvars", "    calls = self._calls", "    aux = self.aux",
             "    inited = self.inited", "    perf_args = self.perf_args",
             "    binds = self._binds"]
    for i, step in enumerate(idef.init_steps):
        kind = step[0]
        if kind == I_SKIP:
            continue
        if kind == I_BIND:
            lines += [f"    self.cur_op = {i}", f"    inited[{i}] = True"]
            if step[1]:
                lines.append(f"    perf_args[{i}] = self._bind_perf({i}, ops[{i}])")
            continue
        if kind != I_INIT or step[4]:
            return None
        _, spec, _scalar, nfixed, _branch, has_perf = step
        args = [_init_arg(x, f"steps[{i}][1][{k}]") for k, x in enumerate(spec)]
        if nfixed >= 0:
            args = args[:nfixed] + ["(" + "".join(a + ", " for a in args[nfixed:]) + ")"]
        lines += [
            f"    self.cur_op = {i}",
            f"    f = calls[{i}] or self._init_call({i}, ops[{i}])",
            "    try:",
            f"        r = f({', '.join(args)})",
            "    except CsoundError:",
            "        raise",
            "    except INIT_ERRORS as exc:",
            f"        raise InitError(f'{{ops[{i}].entry.name}}: {{exc}}') from exc",
            "    if self.kv is not kv:",
            "        kv, item, aux, perf_args, calls, binds = self._moved()",
            f"    aux[{i}] = tuple(r) if r is not None else ()",
            f"    inited[{i}] = True",
        ]
        if has_perf:
            lines += [f"    p = binds[{i}]",
                      (f"    perf_args[{i}] = p[0] + aux[{i}] + p[1] if p "
                       f"else self._bind_perf({i}, ops[{i}])")]
    if idef.init_steps:
        lines.append(f"    self.cur_op = {len(idef.init_steps) - 1}")
    namespace = {"CsoundError": CsoundError, "InitError": InitError,
                 "INIT_ERRORS": INIT_ERRORS}
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<init pass of instr {idef.label}>", "exec"), namespace)  # noqa: S102
    return namespace["init_pass"]


def _init_arg(x: Any, var_ref: str) -> str:
    """Source of one init-function argument (Instance.in_value's result): `x` is a
    kv slot or the Var found at `var_ref` in the generated function."""
    if type(x) is int:
        return f"item({x})"
    if x.scope == "global" and x.kind == "scalar":
        return f"float(gvars[{x.name!r}][0])"
    if x.scope == "local" and x.kind == "audio":
        return f"self.av[{x.index}]"
    return f"inv({var_ref})"
