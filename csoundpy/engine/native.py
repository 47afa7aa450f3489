"""Native perf passes: instrument pools and the chain runner (DESIGN §4).

An instrument (or UDO body) that has numba kernels in its perf program
(`compile.codegen.unfusable_reason`) gets a `Pool`: its notes' scalars, a-rate
variables, status arrays and op states live in per-instrument arrays indexed
by slot (structure of arrays), and each `Instance` holds views of its row, so
the init pass and the reference path work on the same memory as the fused
function.  Everything else a kernel receives is exactly what the reference
path binds, copied after each init pass (`Pool.sync`): contiguous arrays and
tuples of them (tables, delay lines, the output bus) as per-slot address and
shape tables (`compile.views`), anything else into one numba typed List per
argument position.  A note whose init left an op unbound, or whose objects
have other kinds than its position's, keeps running on the reference path.
The fused function gets all of a pool's arrays as one frame of addresses.

`NativeRunner.perf` replaces the engine's per-note loop: it walks the chain
in its order, and each run of consecutive ready notes of one instrument is
one call of the instrument's compiled function.  Steps that only Python can
run (Python perf functions, UDO calls, branching opcodes, factory kernels:
`codegen.escapes`) leave the function; `_run` performs them with
`Instance.perf_step` and resumes the function at the next step.  A UDO body
runs through its own pool's function (`run_udo`).  An offline render runs
whole spans of blocks between events in one call of a generated chain
function (`run_span`).

Compilation does not block a real-time engine: it runs on a background
thread and the function is used from the next block boundary after it is
ready; until then the notes run on the reference path.  numba compiles under
one process-wide lock, so the background compile starts only after the
instrument's notes have run one block on the reference path.  `CSOUNDPY_JIT`
selects: `off` (reference path only), `sync` (compile when the first note is
ready, before its block), `async`, or unset (`auto`): like sync for offline
renders (the API sets `engine.skip_idle`), else async, and a function not in
the cache yet is compiled only once its notes have run EAGER_AFTER
note-blocks.  `CSOUNDPY_JIT_DEBUG=1` reports which instruments are not fused
and why.

Pools grow by doubling.  Growing moves the arrays, so the runner rebinds every
live note's views, including those inside its bound perf arguments (found by
address: a view into the old arrays becomes the same view into the new ones).
Slots of instances that are garbage-collected (after `purge`) are reused.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from typing import Any

import numpy as np
from numba import typed

from .._jit import helper
from ..compile import codegen, jitcache
from ..compile.lifecycle import admit_note, event_ok, expire_notes
from ..compile.views import view_kind
from ..errors import CsoundError
from ..opcodes._native_text import TEXT_BYTES, text_row
from ..opcodes._registry import DIRECTORIES
from ..opcodes.events import EV_BLOCK, EV_NFIELDS, EV_P1, EV_TIME
from ..opcodes.strings import to_bytes
from .context import ST_KCOUNT, ST_SIZE

MODES = ("off", "sync", "async", "auto")
EVENT_ROWS, EVENT_COLS = 1024, 72  # the compiled-event queue: 4 columns, then p-fields
ADOPT_ROWS = EVENT_ROWS // 2  # queued events a span may take (`adopt_events`)
EAGER_AFTER = 64  # note-blocks (or span attempts) before compiling what is not cached


def jit_mode() -> str:
    mode = os.environ.get("CSOUNDPY_JIT", "auto").strip().lower() or "auto"
    return mode if mode in MODES else "auto"


def _debug(text: str) -> None:
    if os.environ.get("CSOUNDPY_JIT_DEBUG"):
        sys.stderr.write(f"csoundpy jit: {text}\n")


# The per-slot lists are made and written through these cached functions: the
# typed List's own Python methods are compiled afresh in every process (seconds).
# `typed.List`, not `List`: numba looks the class up when it compiles, so a run
# that loads these from its cache does not import numba's typed-list module.
@helper
def _list_new(proto, n):
    out = typed.List()
    for _ in range(n):
        out.append(proto)
    return out


@helper
def _list_set(lst, i, value):
    lst[i] = value


@helper
def _list_grow(lst, n):
    proto = lst[0]
    for _ in range(n):
        lst.append(proto)


class Pool:
    """Storage of every note of one fusable instrument, plus its fused function."""

    def __init__(self, idef: Any, engine: Any, plan: Any, consts: Any = None) -> None:
        ir = idef.ir
        self.idef = idef
        self.engine = engine
        self.plan = plan
        self.consts = consts if consts is not None else engine.consts
        self.ksmps = int(self.consts.ksmps)
        self.capacity = 0
        self.K = np.zeros((0, max(ir.nscalar, 1)))
        self.A = np.zeros((0, max(ir.naudio, 1), self.ksmps))
        self.ST = np.zeros((0, ST_SIZE))
        self.S = {i: np.zeros(0, dtype=op.entry.state) for i, op in enumerate(ir.ops)
                  if op.kind == "call" and op.udo is None}
        self.owners: list[weakref.ref | None] = []
        self.free_slots: list[int] = []
        self.ready = np.zeros(0, dtype=bool)
        self.lists: dict[tuple[int, int], Any] = {pos: None for pos in plan.opaque}
        # positions passed as address + shape (compile.views): their kind and arrays
        self.views: dict[tuple[int, int], tuple] = {}
        # per view position and slot: the array whose address the slot holds
        self._bound: dict[tuple[int, int], list] = {}
        self.addresses: dict[tuple[int, int], np.ndarray] = {}
        self.shapes: dict[tuple[int, int], np.ndarray] = {}
        python = codegen.escapes(ir, idef.program)
        # the natively run ops, with the length of their bound perf args (0: an
        # inline operator, any length)
        self._arity = [(i, plan.arity.get(i, 0)) for j, (kind, i, _) in enumerate(idef.program)
                       if kind == codegen.CALL and j not in python]
        self.pending: list[Any] = []
        self.prog = np.zeros(4, dtype=np.int64)  # note, op, escape step, releasing notes
        self.fn: Any = None
        self.state = "idle"  # idle, compiling, ready, failed
        self.warm = False  # a ready note has run one block on the reference path
        self.ref_blocks = 0  # note-blocks its notes ran on the reference path
        self._final: tuple | None = None  # (views, plan) of final_plan
        self._alive: list = []  # the arrays the frame points at
        self._single: dict[int, np.ndarray] = {}
        self._tail: tuple | None = None  # cached arguments after (ctx, slots, k0)
        # notes started in compiled code (compile.lifecycle): whether the
        # instrument can have them, its init function once compiled, the book
        self.lifecycle = codegen.lifecycle_reason(ir, idef.program) is None
        # per aux position a native init sets: ((op, position), kind, scratch
        # shape or None, whether the perf kernel reads it)
        self.native_aux = [
            ((i, pos), kind, tuple(kind[1](len(op.ins))) if isinstance(kind, tuple) else None,
             op.has_perf and pos not in codegen.unused_parameters(op.entry.perf))
            for i, op in enumerate(ir.ops)
            if op.kind == "call" and op.udo is None and op.entry.native_init is not None
            for pos, kind in enumerate(op.entry.native_init.aux, start=2)
        ] if self.lifecycle else []
        self.init_fn: Any = None
        self.book = tuple(np.zeros(0, dtype=np.int64) for _ in range(4)) + (
            np.zeros(3, dtype=np.int64),)
        self.Z: dict[tuple[int, int], np.ndarray] = {}  # scratch aux arrays by position
        self._W: np.ndarray | None = None  # S variables' text rows, see `W`
        self.native_slots: list[int] = []
        self.booked = False  # in NativeRunner.books: compiled starts in use
        self._donated: list = []  # free Python notes whose slots compiled notes use
        self._lent: set[int] = set()  # compiled notes' slots a Python note took over
        self.started_seen = 0  # book counts[STARTED] already added to idef.instcnt
        self._ev = np.zeros(EVENT_COLS)
        self._empty = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ slots
    def attach(self, inst: Any) -> None:
        """Give a new instance a slot; its storage becomes views of the pool."""
        if not self.free_slots:
            self._grow()
        slot = self.free_slots.pop()
        self.owners[slot] = weakref.ref(inst)
        weakref.finalize(inst, self._release, slot)
        self.ready[slot] = False
        inst.slot = slot
        inst.pool = self
        if slot in self._lent:  # a compiled note's slot: reused with what it holds
            self._lent.discard(slot)
        else:
            self.K[slot] = inst.kv
            self.A[slot] = 0.0
            self.ST[slot] = 0.0
            self.clear_states(slot)
        self._bind_views(inst)

    def _release(self, slot: int) -> None:
        self.owners[slot] = None
        self.ready[slot] = False
        self.free_slots.append(slot)

    def clear_states(self, slot: int) -> None:
        for arr in self.S.values():
            arr[slot:slot + 1] = np.zeros(1, dtype=arr.dtype)

    def _bind_views(self, inst: Any) -> None:
        slot = inst.slot
        inst.kv = self.K[slot]
        inst.kv0 = [inst.kv[i, ...] for i in range(inst.kv.shape[0])]
        inst.kv1 = [inst.kv[i:i + 1] for i in range(inst.kv.shape[0])]
        inst.av = self.A[slot]
        inst.status = self.ST[slot]
        for i, arr in self.S.items():
            inst.states[i] = arr[slot]

    def _grow(self) -> None:
        old = [self.K, self.A, self.ST, *self.S.values()]
        cap = self.capacity
        new_cap = max(16, 2 * cap)

        def grown(arr: np.ndarray) -> np.ndarray:
            out = np.zeros((new_cap, *arr.shape[1:]), dtype=arr.dtype)
            out[:cap] = arr
            return out

        self.K, self.A, self.ST = grown(self.K), grown(self.A), grown(self.ST)
        self.S = {i: grown(arr) for i, arr in self.S.items()}
        self.ready = np.concatenate([self.ready, np.zeros(new_cap - cap, dtype=bool)])
        self.owners += [None] * (new_cap - cap)
        self.free_slots = list(range(new_cap - 1, cap - 1, -1)) + self.free_slots
        for lst in self.lists.values():
            if lst is not None:
                _list_grow(lst, new_cap - cap)
        self.addresses = {key: grown(arr) for key, arr in self.addresses.items()}
        for bound in self._bound.values():
            bound += [None] * (new_cap - cap)
        self.shapes = {key: grown(arr) for key, arr in self.shapes.items()}
        self.Z = {key: grown(arr) for key, arr in self.Z.items()}
        if self._W is not None:
            self._W = self._text_rows(grown(self._W), cap)
        self.book = tuple(np.concatenate([a, np.zeros(new_cap - cap, dtype=np.int64)])
                          for a in self.book[:4]) + (self.book[4],)
        self.capacity = new_cap
        self._tail = None
        for slot in self.native_slots:
            self._point_native(slot)
        if cap:
            new = [self.K, self.A, self.ST, *self.S.values()]
            moves = [(a.__array_interface__["data"][0], a.nbytes, b) for a, b in zip(old, new)]
            for ref in self.owners[:cap]:
                inst = ref() if ref is not None else None
                if inst is not None:
                    self._rebind(inst, moves)

    def _rebind(self, inst: Any, moves: list) -> None:
        """After growth: point the note and its bound arguments at the new arrays."""
        self._bind_views(inst)

        def rebase(obj: Any) -> Any:
            if isinstance(obj, np.ndarray):
                addr = obj.__array_interface__["data"][0]
                for start, size, new in moves:
                    if start <= addr < start + size:
                        return np.ndarray(obj.shape, obj.dtype, buffer=new,
                                          offset=addr - start, strides=obj.strides)
                return obj
            if isinstance(obj, tuple):
                return tuple(rebase(o) for o in obj)
            return obj

        inst.aux = [rebase(a) for a in inst.aux]
        for i, args in enumerate(inst.perf_args):
            if args is not None and i in self.S and isinstance(args, tuple) \
                    and not inst.idef.ir.ops[i].entry.python_perf:
                inst.perf_args[i] = (inst.states[i], *rebase(args[1:]))
        self.mark(inst)

    # ------------------------------------------------------------------ notes
    def mark(self, inst: Any) -> None:
        """The note's perf arguments were (re)bound: copy them before it next runs."""
        self.pending.append(inst)
        self.engine.native.stale = True

    def sync(self) -> None:
        from numba import typeof

        pending, self.pending = self.pending, []
        for inst in pending:
            slot = inst.slot
            if self.owners[slot] is None or self.owners[slot]() is not inst:
                continue
            args = inst.perf_args
            values = []
            ok = True
            for i, n in self._arity:
                a = args[i]
                if a is None or (n and len(a) != n):
                    ok = False
                    break
            if ok:
                for key, lst in self.lists.items():
                    value = args[key[0]][key[1]]
                    bound = self._bound.get(key)
                    if bound is not None and bound[slot] is value:
                        continue  # the same array as this slot's last note: nothing to write
                    view = view_kind(value)
                    if key in self.views or (lst is None and view and self.state == "idle"):
                        if view is None or self.views.get(key, view) != view:
                            ok = False
                            break
                        values.append((key, view, value))
                        continue
                    try:
                        kind = typeof(value)
                    except (ValueError, TypeError):
                        ok = False
                        break
                    if lst is not None and lst._numba_type_.item_type != kind:
                        ok = False
                        break
                    values.append((key, None, value))
            if ok:
                for key, view, value in values:
                    if view is not None:
                        self._set_view(key, view, slot, value)
                        continue
                    lst = self.lists[key]
                    if lst is None:
                        self.lists[key] = _list_new(value, self.capacity)
                        self._tail = None
                    else:
                        _list_set(lst, slot, value)
            self.ready[slot] = ok

    def _set_view(self, key: tuple[int, int], view: tuple, slot: int, value: Any) -> None:
        if key not in self.views:
            self.views[key] = view
            many = view[3:]  # a tuple of arrays: one address and shape per item
            self.addresses[key] = np.zeros((self.capacity, *many), dtype=np.int64)
            self.shapes[key] = np.zeros((self.capacity, *many, view[1]), dtype=np.int64)
            self._bound[key] = [None] * self.capacity
            self._tail = None
        if len(view) == 4:
            for n, item in enumerate(value):
                self.addresses[key][slot, n] = item.__array_interface__["data"][0]
                self.shapes[key][slot, n] = item.shape
        else:
            self.addresses[key][slot] = value.__array_interface__["data"][0]
            self.shapes[key][slot] = value.shape
        self._bound[key][slot] = value

    def _frame(self) -> tuple[np.ndarray, list]:
        """The frame P of the plan's arrays (codegen's `unpack_frame`), and the
        arrays themselves, which must stay alive while P points at them."""
        gvars = self.engine.gvars
        arrays = []
        for key, _ndim in self.plan.frame:
            if isinstance(key, str):
                arrays.append(getattr(self, key))
            elif key[0] == "S":
                arrays.append(self.S[key[1]])
            elif key[0] == "Xa":
                arrays.append(self.addresses[key[1]])
            elif key[0] == "Xs":
                arrays.append(self.shapes[key[1]])
            elif key[0] == "Z":
                arrays.append(self.Z[key[1]])
            elif key[0] == "D":
                arrays.append(DIRECTORIES[key[1]](self.engine))
            else:
                arrays.append(gvars[key[1]])
        frame = []
        for arr, (_key, ndim) in zip(arrays, self.plan.frame):
            assert arr.ndim == ndim and arr.flags.c_contiguous
            frame += [arr.__array_interface__["data"][0], *arr.shape]
        return np.array(frame, dtype=np.int64), arrays

    # ------------------------------------------------------------------ the function
    def args(self, slots: np.ndarray, k0: int, pc0: int = 0) -> tuple:
        """The fused function's arguments for notes slots[k0:], the first from step pc0."""
        tail = self._tail
        if tail is None:
            frame, self._alive = self._frame()
            tail = self._tail = (self.prog, frame, *(
                self.lists[key] for key in self.plan.opaque if key not in self.views))
        return (self.consts, slots, k0, pc0, *tail)

    def single(self, slot: int) -> np.ndarray:
        """A one-note slots array for `slot` (kept: UDO bodies run one note at a time)."""
        arr = self._single.get(slot)
        if arr is None:
            arr = self._single[slot] = np.array([slot], dtype=np.int64)
        return arr

    def final_plan(self) -> Any:
        """The plan to compile: the first one with the view positions decided
        by the notes synced so far (`compile.views`)."""
        if not self.views:
            return self.plan
        key = tuple(sorted(self.views.items()))
        if self._final is None or self._final[0] != key:
            idef = self.idef
            self._final = (key, codegen.perf_plan(idef.ir, idef.program, self.ksmps,
                                                  idef.label, dict(self.views),
                                                  self._lifecycle_views()))
        return self._final[1]

    def _lifecycle_views(self) -> bool:
        """Whether the notes synced so far show every aux array a native init
        sets and the perf kernel reads travelling as an address
        (`compile.views`) of the kind the native init makes."""
        if not self.lifecycle or self.consts is not self.engine.consts:
            return False
        for key, kind, shape, read in self.native_aux:
            if not read:
                continue
            view = self.views.get(key)
            if view is None:
                return False
            if shape is not None:
                if view != ("float64", len(shape), "C"):
                    return False
            elif kind != "ref" and view != view_kind(self._engine_array(kind)):
                return False
        return True

    @property
    def W(self) -> np.ndarray:
        """Per slot, a text row per S variable (`opcodes._native_text`), where
        the init function of compiled note starts keeps the note's strings."""
        if self._W is None:
            rows = np.zeros((self.capacity, self.idef.ir.nstring, TEXT_BYTES), dtype=np.uint8)
            self._W = self._text_rows(rows, 0)
        return self._W

    def _text_rows(self, rows: np.ndarray, first: int) -> np.ndarray:
        """`rows` with the string constants written for slots first onwards."""
        for idx, text in self.idef.ir.string_init:
            rows[first:, idx] = text_row(to_bytes(text))
        return rows

    def _engine_array(self, name: str) -> np.ndarray:
        return {"spout": self.engine.spout, "spin": self.engine.spin}[name]

    # ------------------------------------------------------------------ compiled notes
    def _point_native(self, slot: int) -> None:
        """Aim a compiled-note slot's scratch and engine aux addresses (fixed
        per slot: the native inits fill the arrays, not the addresses)."""
        for key, kind, shape, _read in self.native_aux:
            if kind == "ref" or key not in self.views:
                continue
            arr = self.Z[key][slot] if shape is not None else self._engine_array(kind)
            self.addresses[key][slot] = arr.__array_interface__["data"][0]
            self.shapes[key][slot] = arr.shape
            self._bound[key][slot] = arr

    def _new_native_slot(self, slot: int = -1) -> None:
        """A slot never used by a note (or `slot`, a free Python note's, whose
        storage it keeps) goes onto the compiled notes' free stack."""
        if slot < 0:
            if not self.free_slots:
                self._grow()
            slot = self.free_slots.pop()
            self.K[slot] = self.idef.template
            self.A[slot] = 0.0
            self.ST[slot] = 0.0
            self.clear_states(slot)
        self.native_slots.append(slot)
        self._point_native(slot)
        free, counts = self.book[1], self.book[4]
        free[counts[1]] = slot
        counts[1] += 1

    def lend_native_slot(self) -> bool:
        """Before a new Python note of this instrument: hand it the top free
        slot of the compiled notes, if any (as reusing a free instance: no
        allocation message); True if one was lent (`attach` takes it next)."""
        free, counts = self.book[1], self.book[4]
        if not self.booked or counts[1] == 0:
            return False
        counts[1] -= 1
        slot = int(free[counts[1]])
        self.native_slots.remove(slot)
        self.free_slots.append(slot)
        self._lent.add(slot)
        return True

    def start_native(self, pfields: list, kcount: int) -> bool:
        """Start a note of this instrument in compiled code (the engine's
        `start_note` after its checks); False when Python must start it."""
        n = len(pfields)
        if EV_P1 + n > EVENT_COLS:
            return False
        ev = self._ev
        ev[EV_NFIELDS] = n
        ev[EV_P1:EV_P1 + n] = pfields
        engine = self.engine
        ir = self.idef.ir
        if not event_ok(ev, ir.dynamic_pfields, ir.max_pfield):
            return False
        if self.book[4][1] == 0:
            idef = self.idef
            if idef.free:  # a free Python note's slot becomes a compiled note's
                donor = idef.free.pop()
                self._donated.append(donor)  # kept alive: its finalizer would free the slot
                self.owners[donor.slot] = None
                self._new_native_slot(donor.slot)
            else:
                if engine.msg_level & 2:
                    engine.message(f"new alloc for instr {idef.label}:")
                self._new_native_slot()
        live, free, ends, seqs, counts = self.book
        slot = int(free[counts[1] - 1])
        frame = self.args(self._empty, 0)[5]
        if self.init_fn(self.consts, slot, ev, engine.tables.native(), frame):
            return False
        if admit_note(kcount, ev, live, free, ends, seqs, counts, engine.counters,
                      engine.kr, engine.time_offset, ir.npfields):
            self.idef.active += 1
            engine.native.stale = True
        self.idef.instcnt += int(counts[2]) - self.started_seen
        self.started_seen = int(counts[2])
        return True

    def start_compile(self, background: bool) -> None:
        if self.state != "idle" or any(lst is None and key not in self.views
                                       for key, lst in self.lists.items()):
            return
        self.state = "compiling"
        if self.views:
            self.plan = self.final_plan()
            self._tail = None
        for i, p, shape in self.plan.scratch:
            self.Z[(i, p)] = np.zeros((self.capacity, *shape))
        args = self.args(np.zeros(0, dtype=np.int64), 0)
        if background:
            threading.Thread(target=self._compile, args=(args,), daemon=True,
                             name=f"csoundpy-jit-{self.idef.label}").start()
        else:
            self._compile(args)

    def _compile(self, args: tuple) -> None:
        try:
            module = jitcache.load_module(self.plan.source)
            fn = jitcache.compile_function(getattr(module, self.plan.func_name), args)
        except Exception as exc:  # noqa: BLE001  (numba cannot type it: stay on the reference path)
            _debug(f"instr {self.idef.label}: {type(exc).__name__}: {exc}")
            self.state = "failed"
            return
        if self.plan.init_name:
            self._compile_init(module, args)
        self.fn = fn
        self.state = "ready"
        self.engine.native.stale = True

    def _compile_init(self, module: Any, args: tuple) -> None:
        """The init function for compiled note starts (compile.lifecycle)."""
        frame = args[5]
        try:
            self.init_fn = jitcache.compile_function(
                getattr(module, self.plan.init_name),
                (self.consts, 0, self._ev, self.engine.tables.native(), frame))
        except Exception as exc:  # noqa: BLE001  (notes keep starting in Python)
            _debug(f"instr {self.idef.label} init: {type(exc).__name__}: {exc}")
            self.Z.clear()


class NativeRunner:
    """The engine's perf pass over its chain, fusing what can be fused."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.mode = jit_mode()
        self.stale = True
        self._plan: list = []
        self._version = -1
        self._chains: dict[tuple, Any] = {}
        self._chain_tries: dict[tuple, int] = {}
        self._cprog = np.zeros(2, dtype=np.int64)
        # events compiled code queued (opcodes.events EV_* columns, then p-fields)
        self.events = np.zeros((EVENT_ROWS, EVENT_COLS))
        self.nevents = np.zeros(1, dtype=np.int64)
        self.books: list[Pool] = []  # pools with compiled note starts, by instrument number
        self._go = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ compiled notes
    def live_notes(self) -> int:
        """How many notes started in compiled code are active."""
        return sum(int(pool.book[4][0]) for pool in self.books)

    def starter(self, idef: Any) -> Pool | None:
        """The pool that can start notes of `idef` in compiled code, if any."""
        pool = idef.pool
        return pool if pool is not None and pool.booked else None

    def expire(self, kcount: int) -> None:
        """Turn off compiled notes whose end block has come (Engine.sense)."""
        for pool in self.books:
            live, free, ends, _seqs, counts = pool.book
            if counts[0]:
                ended = expire_notes(kcount, live, free, ends, counts)
                if ended:
                    pool.idef.active -= ended
                    self.stale = True

    def end_native(self, pool: Pool, slot: int) -> None:
        """Turn off one compiled note now (turnoff2, a perf error)."""
        live, free, _ends, _seqs, counts = pool.book
        n = int(counts[0])
        where = np.flatnonzero(live[:n] == slot)
        if not len(where):
            return
        k = int(where[0])
        live[k:n - 1] = live[k + 1:n]
        counts[0] = n - 1
        free[counts[1]] = slot
        counts[1] += 1
        pool.idef.active -= 1
        self.stale = True
        self.engine.chain_version += 1

    def native_notes(self, pool: Pool) -> list[tuple[int, int]]:
        """(start number, slot) of each active compiled note of `pool`, in chain order."""
        live, _free, _ends, seqs, counts = pool.book
        slots = live[:counts[0]].tolist()
        return [(int(seqs[slot]), slot) for slot in slots]

    def end_all(self) -> None:
        """Every compiled note ends (end of performance)."""
        for pool in self.books:
            for _seq, slot in self.native_notes(pool):
                self.end_native(pool, slot)

    def adopt_events(self, horizon: int) -> None:
        """Before a span that can reach block `horizon` at most: move the
        engine queue's next realtime "i" events due before it that
        compiled code can start (numbers only, an instrument whose notes start
        natively, nothing `start_note` treats specially) into the compiled
        queue, whole blocks at a time, so that the span need not stop at each.
        The compiled queue is empty then (`Engine.sense` drains it), and what
        the span leaves goes back with `drain_events` in the same order: rows
        of one block keep their queue order, and no event left in the engine's
        queue shares a block with an adopted one."""
        engine = self.engine
        queue = engine.queue
        if self.nevents[0] or engine.maybe_held or engine.advance:
            return
        take = 0
        most = min(len(queue), ADOPT_ROWS)
        while take < most and queue[take].block < horizon and self._adoptable(queue[take]):
            take += 1
        if take < len(queue):
            cut = queue[take].block
            while take and queue[take - 1].block == cut:
                take -= 1
        if not take:
            return
        rows = self.events
        for n, ev in enumerate(queue[:take]):
            p = ev.pfields
            rows[n, EV_BLOCK] = ev.block
            rows[n, EV_NFIELDS] = len(p)
            rows[n, EV_TIME] = ev.time
            rows[n, EV_P1:EV_P1 + len(p)] = p
        self.nevents[0] = take
        del queue[:take]

    def _adoptable(self, ev: Any) -> bool:
        p = ev.pfields
        if ev.opcode != "i" or not ev.realtime or EV_P1 + len(p) > EVENT_COLS \
                or not all(type(v) is float or type(v) is int for v in p):
            return False
        p1 = p[0]
        idef = self.engine.instruments.get(int(p1)) if 0 < p1 < 1e9 else None
        if idef is None or idef.muted or idef.maxalloc > 0:
            return False
        return self.starter(idef) is not None

    def drain_events(self) -> None:
        """Move the events compiled code queued into the engine's queue, in order."""
        engine = self.engine
        n = int(self.nevents[0])
        self.nevents[0] = 0
        for row in self.events[:n].tolist():
            nfields = int(row[EV_NFIELDS])
            engine.schedule("i", row[EV_P1:EV_P1 + nfields], int(row[EV_BLOCK]), realtime=True,
                            time=row[EV_TIME])

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def pool_for(self, idef: Any, consts: Any = None) -> Pool | None:
        """A pool for instrument (or UDO body) `idef` if its perf pass can be
        fused; `consts`: a UDO body's own constants under `setksmps`."""
        if not self.enabled:
            return None
        reason = codegen.unfusable_reason(idef.ir, idef.program, consts is not None)
        if reason is not None:
            _debug(f"instr {idef.label} stays on the reference path: {reason}")
            return None
        consts = consts if consts is not None else self.engine.consts
        plan = codegen.perf_plan(idef.ir, idef.program, int(consts.ksmps), idef.label)
        return Pool(idef, self.engine, plan, consts)

    def _worth_compiling(self, source: str, stem: str, blocks: int) -> bool:
        """In `auto` mode, a function not in the cache yet is compiled only once
        its notes have run EAGER_AFTER note-blocks: a short render never pays
        a compile that costs more than it saves.  `sync`/`async`: always."""
        return self.mode != "auto" or blocks >= EAGER_AFTER or jitcache.is_cached(source, stem)

    def _background(self) -> bool:
        if self.mode == "auto":
            return not self.engine.skip_idle
        return self.mode == "async"

    def _build(self, chain: tuple) -> list:
        """Chain order as steps: an Instance (reference path) or (pool, notes, slots)."""
        pools = {inst.pool for inst in chain if getattr(inst, "pool", None) is not None}
        background = self._background()
        for pool in pools:
            if pool.pending:
                pool.sync()
            # numba compiles under one global lock: a background compile started
            # before the reference path has loaded its kernels would block it
            if pool.state == "idle" and pool.ready.any() and (pool.warm or not background) \
                    and self._worth_compiling(pool.final_plan().source, "instr", pool.ref_blocks):
                pool.start_compile(background)
        for idef in self.engine.instruments.values():  # compiled while its notes played
            pool = idef.pool
            if pool is not None and pool.init_fn is not None and not pool.booked:
                self._book(pool)
        if self.books:
            chain = self._with_native(chain)
        plan: list = []
        run: list = []
        run_pool = None
        for inst in chain:
            if type(inst) is tuple:  # a compiled note (pool, slot); slot -1: none yet
                pool, slot = inst
                if pool is not run_pool and run_pool is not None:
                    plan.append(_native_step(run_pool, run))
                    run = []
                run_pool = pool
                if slot >= 0:
                    run.append((None, slot))
                continue
            pool = getattr(inst, "pool", None)
            if pool is not None and pool.fn is not None and pool.ready[inst.slot]:
                if pool is not run_pool and run_pool is not None:
                    plan.append(_native_step(run_pool, run))
                    run = []
                run_pool = pool
                run.append((inst, inst.slot))
                continue
            if run or run_pool is not None:
                plan.append(_native_step(run_pool, run))
                run, run_pool = [], None
            plan.append(inst)
        if run or run_pool is not None:
            plan.append(_native_step(run_pool, run))
        return plan

    def _book(self, pool: Pool) -> None:
        """From now on, notes of this pool may start in compiled code."""
        pool.booked = True
        self.books.append(pool)
        self.books.sort(key=lambda p: p.idef.number)
        self.stale = True

    def prepare(self, pool: Pool) -> None:
        """A Python note of a pool whose notes could start in compiled code has
        just started (an offline render): compile the pool now, as the next
        block's `_build` would, so that the next notes, maybe in this very
        block, start in compiled code."""
        if pool.pending:
            pool.sync()
        if pool.state == "idle" and pool.ready.any() and not self._background() \
                and self._worth_compiling(pool.final_plan().source, "instr", pool.ref_blocks):
            pool.start_compile(False)
        if pool.init_fn is not None and not pool.booked:
            self._book(pool)

    def _with_native(self, chain: tuple) -> list:
        """The chain with each booked pool's compiled notes as (pool, slot) at
        their place (instrument number, then start order); a pool without
        notes is there once as (pool, -1), so that spans can start some."""
        entries = [((inst.idef.number, inst.seq), inst) for inst in chain]
        for pool in self.books:
            number = pool.idef.number
            notes = self.native_notes(pool)
            if notes:
                entries += [((number, seq), (pool, slot)) for seq, slot in notes]
            else:
                entries.append(((number, -1), (pool, -1)))
        entries.sort(key=lambda e: e[0])
        return [e[1] for e in entries]

    def _refresh(self) -> None:
        engine = self.engine
        if self.stale or self._version != engine.chain_version:
            self.stale = False
            self._plan = self._build(tuple(engine.chain))
            self._version = engine.chain_version

    def perf(self, resume: tuple[int, str] | None = None) -> None:
        """Run every active note for one block, in chain order.

        `resume` = (plan step, outcome) finishes a block that `run_span` left
        at that step: its fused function escaped ("escape") or raised ("error",
        message), with the note and step in the pool's `prog`."""
        engine = self.engine
        if resume is None:
            self._refresh()
        version = engine.chain_version
        first, outcome = resume if resume is not None else (0, None)
        for step in self._plan[first:]:
            if type(step) is tuple:
                pool, notes, slots = step
                if engine.chain_version != version or pool.pending:
                    # a note ended (or a pool moved) earlier in this block
                    if pool.pending:
                        pool.sync()
                    notes, slots = _still_running(pool, notes, slots, 0)
                self._run(pool, notes, slots, outcome)
                outcome = None
            elif step.active:
                engine._perf_note(step)
                pool = step.pool
                if pool is not None and pool.state == "idle" and pool.ready[step.slot]:
                    pool.ref_blocks += 1
                    if not pool.warm or pool.ref_blocks == EAGER_AFTER:
                        pool.warm = True
                        self.stale = True

    def _run(self, pool: Pool, notes: list, slots: np.ndarray,
             outcome: tuple | str | None = None) -> None:
        """The notes of one plan step; `outcome`: how a span left it (see `perf`)."""
        engine = self.engine
        prog = pool.prog
        nsteps = len(pool.idef.program)
        k0 = pc0 = 0
        walk = outcome is not None  # some note is releasing: walk the notes for their release ticks
        while k0 < len(notes) or outcome is not None:
            if outcome is None:
                try:
                    outcome = "escape" if pool.fn(*pool.args(slots, k0, pc0)) else None
                except PERF_FAILURES as exc:
                    outcome = ("error", _failure(exc))
                else:
                    walk = walk or prog[3] > 0
                    if outcome is None:
                        break
            k = int(prog[0])
            if outcome != "escape":
                bad = notes[k]
                if bad is None:
                    self._native_error(pool, int(slots[k]), int(prog[1]), outcome[1])
                else:
                    bad.cur_op = int(prog[1])
                    engine._perf_error(bad, outcome[1])
                k0, pc0, outcome = k + 1, 0, None
                continue
            outcome = None
            version = engine.chain_version
            nxt = self._escape(pool, notes[k], int(prog[2]))
            if nxt < 0:  # the note's block ended in Python
                walk = True
                k, pc0 = k + 1, 0
            else:
                pc0 = nxt if nxt < nsteps else -1
            if version != engine.chain_version or pool.pending:
                if pool.pending:
                    pool.sync()
                notes, slots = _still_running(pool, notes, slots, k + (nxt >= 0))
            k0 = k
        if walk:
            self._releases(notes)

    # ------------------------------------------------------------------ UDO bodies
    def run_udo(self, sub: Any) -> bool:
        """One block of a UDO body's activation `sub` through its pool's fused
        function; False (nothing run) when that is not ready, and the caller
        runs the reference path.  As there, errors propagate to the caller's
        note, and a step only Python can run is run by `Instance.perf_step`."""
        pool = sub.pool
        if pool is None:
            return False
        if pool.pending:
            pool.sync()
        slot = sub.slot
        if pool.fn is None:
            if pool.state == "idle" and pool.ready[slot]:
                pool.ref_blocks += 1
                background = self._background()
                if (pool.ref_blocks > 1 or not background) and self._worth_compiling(
                        pool.final_plan().source, "instr", pool.ref_blocks):
                    pool.start_compile(background)
            if pool.fn is None:
                return False
        if not pool.ready[slot] or sub.ksmps != pool.ksmps:
            return False
        slots = pool.single(slot)
        nsteps = len(pool.idef.program)
        pc0 = 0
        while pool.fn(*pool.args(slots, 0, pc0)):
            pc0 = self._python_step(pool, sub, int(pool.prog[2]))
            if pc0 < 0 or pc0 >= nsteps:
                break
        return True

    # ------------------------------------------------------------------ spans
    def run_span(self, nblocks: int) -> int:
        """Compute up to `nblocks` whole blocks in one native call when every
        note of the chain runs natively and none is releasing (the caller
        guarantees no event, note end or output hand-over falls inside); notes
        of booked pools start and end inside (compile.lifecycle).  Returns the
        number of blocks finished (0: not possible now); a block that escaped
        to Python is finished here too, one whose events need Python is not
        begun."""
        engine = self.engine
        self._refresh()
        plan = self._plan
        if not plan or any(type(step) is not tuple or step[0].pending for step in plan):
            return 0
        # a booked pool with Python notes runs its plan step's notes as any pool:
        # no compiled starts, and the span ends before its compiled notes do
        booked = [step[0].booked and all(n is None for n in step[1]) for step in plan]
        for b, (pool, notes, slots) in zip(booked, plan):
            if pool.booked and not b:
                ends = [int(pool.book[2][slot]) for n, slot in zip(notes, slots) if n is None]
                if ends:
                    nblocks = min(nblocks, min(ends) - engine.kcount)
        releasing = [n for step in plan for n in step[1] if n is not None and n.releasing]
        if releasing:  # their release ends are Python's: the span stops a block before
            nblocks = min(nblocks, min(n.release_left for n in releasing) - 1)
        chain = self._chain_function(plan)
        if chain is None:
            return 0
        ksmps = engine.ksmps
        out = engine._outbuf
        pos = engine._out_pos
        nblocks = min(nblocks, (out.shape[1] - pos) // ksmps)
        if nblocks < 2:
            return 0
        kc0 = engine.kcount
        cprog = self._cprog
        cprog[1] = 0
        held = engine.maybe_held and any(inst.end_block is None and not inst.releasing
                                         for inst in engine.chain)
        go = np.array([int(b and not held and not step[0].idef.muted
                           and step[0].idef.maxalloc <= 0) for b, step in zip(booked, plan)],
                      dtype=np.int64)
        own = np.array(booked, dtype=np.int64)
        books = [step[0].book if b else () for b, step in zip(booked, plan)]
        before = [int(book[4][0]) if book else 0 for book in books]
        args = [step[0].args(step[2], 0, 0) for step in plan]
        passed = [step[0].book if step[0].booked else () for step in plan]
        engine.in_perf = True
        resume = None
        try:
            done = chain(nblocks, kc0, engine.clock, engine.spout, out, pos, cprog, self.events,
                         self.nevents, engine.counters, engine.tables.native(), go, own, *args,
                         *passed)
            if done < nblocks and not cprog[1]:
                resume = (int(cprog[0]), "escape")
        except PERF_FAILURES as exc:
            done, resume = int(engine.clock[0]) - kc0, (int(cprog[0]), ("error", _failure(exc)))
        finally:
            engine.in_perf = False
        engine.kcount += done
        engine._out_pos += done * ksmps
        engine.clock[0] = engine.kcount
        for n, (step, book) in enumerate(zip(plan, books)):
            if book:
                pool = step[0]
                live, counts = book[0], book[4]
                pool.idef.active += int(counts[0]) - before[n]
                pool.idef.instcnt += int(counts[2]) - pool.started_seen
                pool.started_seen = int(counts[2])
                nlive = int(counts[0])  # the step as `_build` would make it now
                plan[n] = (pool, [None] * nlive, live[:nlive].copy())
        for inst in releasing:
            inst.release_left -= done
        if resume is not None:  # the rest of this block runs on the Python side
            for step in plan[:resume[0]]:
                for inst in step[1]:
                    if inst is not None and inst.releasing:
                        inst.release_left -= 1
            engine.perf(resume)
            done += 1
        elif engine._out_pos >= out.shape[1]:
            engine.flush_output()
        return done

    def _chain_function(self, plan: list) -> Any:
        """The compiled block loop for this sequence of pools, the booked ones
        able to start and end their notes inside it (None: not yet)."""
        booked = [step[0].booked for step in plan]
        key = tuple((id(step[0]), b) for step, b in zip(plan, booked))
        fn = self._chains.get(key)
        if fn is not None or key in self._chains:
            return fn
        steps = []
        args = [step[0].args(step[2], 0, 0) for step in plan]
        for (pool, _notes, _slots), a, b in zip(plan, args, booked):
            module = jitcache.load_module(pool.plan.source)
            step = codegen.ChainStep(module.__name__, pool.plan.func_name, len(a) - 6)
            if b:
                ir = pool.idef.ir
                step = codegen.ChainStep(module.__name__, pool.plan.func_name, len(a) - 6,
                                         pool.plan.init_name, pool.idef.number, ir.npfields,
                                         ir.dynamic_pfields, ir.max_pfield)
            steps.append(step)
        func, source = codegen.chain_source(steps)
        tries = self._chain_tries[key] = self._chain_tries.get(key, 0) + 1
        if not self._worth_compiling(source, "chain", tries):
            return None
        engine = self.engine
        books = [step[0].book if b else () for step, b in zip(plan, booked)]
        try:
            module = jitcache.load_module(source, stem="chain")
            fn = jitcache.compile_function(
                getattr(module, func),
                (1, 0, engine.clock, engine.spout, engine._outbuf, 0, self._cprog, self.events,
                 self.nevents, engine.counters, engine.tables.native(),
                 np.zeros(len(plan), dtype=np.int64), np.zeros(len(plan), dtype=np.int64),
                 *args, *books))
        except Exception as exc:  # noqa: BLE001  (stay on block-by-block calls)
            _debug(f"chain {key}: {type(exc).__name__}: {exc}")
            fn = None
        self._chains[key] = fn
        return fn

    def _escape(self, pool: Pool, inst: Any, j: int) -> int:
        """`_python_step` for a note of the chain: a failure aborts the note,
        and a note whose block ended here gets the fused function's
        bookkeeping (-1)."""
        try:
            nxt = self._python_step(pool, inst, j)
        except PERF_FAILURES as exc:
            self.engine._perf_error(inst, _failure(exc))
            return -1
        if nxt < 0:
            inst.status[ST_KCOUNT] += 1
        return nxt

    @staticmethod
    def _python_step(pool: Pool, inst: Any, j: int) -> int:
        """Run step j of note `inst` in Python: the step to resume the fused
        function at, or -1 when the note's block ended here (it stopped, or a
        reinit rebound it so that it can only go on in Python)."""
        inst.stop_perf = False
        nxt = inst.perf_step(j)
        if nxt >= 0 and pool.pending:
            pool.sync()
            if not pool.ready[inst.slot]:
                inst.perf_pass(nxt)
                return -1
        return nxt

    def _releases(self, notes: list) -> None:
        for inst in notes:
            if inst is not None and inst.releasing:
                self.engine._release_tick(inst)

    def _native_error(self, pool: Pool, slot: int, op: int, message: str) -> None:
        """A compiled note's kernel failed: reported as Engine._perf_error does."""
        engine = self.engine
        ops = pool.idef.ir.ops
        where = ""
        if 0 <= op < len(ops) and ops[op].kind == "call":
            line = ops[op].span.line if ops[op].span is not None else 0
            where = f" (opcode {ops[op].entry.name}) line {line}"
        engine.error(f"PERF ERROR in instr {pool.idef.label}{where}: {message}")
        engine.error("   note aborted")
        engine.perf_errors += 1
        self.end_native(pool, slot)


PERF_FAILURES = (CsoundError, ZeroDivisionError, ValueError, IndexError, FloatingPointError)


def _failure(exc: Exception) -> str:
    """The message a perf failure is reported with (Engine._perf_note's)."""
    return exc.message if isinstance(exc, CsoundError) else str(exc)


def _native_step(pool: Pool, run: list) -> tuple:
    """A plan step from (note or None for a compiled note, slot) pairs."""
    return (pool, [n for n, _slot in run], np.array([slot for _n, slot in run], dtype=np.int64))


def _still_running(pool: Pool, notes: list, slots: np.ndarray, keep: int) -> tuple:
    """notes[keep:] (and their slots) less those that ended or left the fused path."""
    live, _free, _ends, _seqs, counts = pool.book
    alive = set(live[:counts[0]].tolist()) if pool.booked else set()
    run = [(n, int(s)) for n, s in zip(notes[:keep], slots[:keep])]
    run += [(n, int(s)) for n, s in zip(notes[keep:], slots[keep:])
            if (s in alive if n is None else n.active and pool.ready[n.slot])]
    return _native_step(pool, run)[1:]
