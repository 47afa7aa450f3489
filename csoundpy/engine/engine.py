"""The engine: instruments, globals, tables, the event queue and the block loop.

One control block (`perform_block`) is, in Csound's order: turn off notes whose
time is up, activate the events that are due (each new note runs its init pass
at once), run the perf pass of every active note in chain order, then hand the
output block to the sink.
"""

from __future__ import annotations

import bisect
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..compile.expand import CompiledOrchestra, Compiler, layout
from ..compile.ir import InstrIR, Var
from ..errors import CsoundError, InitError
from .context import ArrayVar, FSig, StrVar, local_consts, make_consts
from .instance import Instance, InstrDef
from .native import NativeRunner
from .tables import TableDirectory

MSG_AMPS = 1
MSG_RANGE = 2
MSG_WARN = 4
MSG_BENCH = 128


@dataclass(order=True, slots=True)
class QueuedEvent:
    """An event waiting for its block: score events keep their sorted order."""

    block: int
    order: int
    opcode: str = field(compare=False)
    pfields: list = field(compare=False)
    realtime: bool = field(compare=False, default=False)
    time: float = field(compare=False, default=0.0)


def _event_key(ev: QueuedEvent) -> tuple[int, int]:
    return ev.block, ev.order


class Engine:
    """Runs compiled orchestras: Csound's engine without parsing."""

    def __init__(
        self, sr: float = 44100.0, ksmps: int = 10, nchnls: int = 1, nchnls_i: int | None = None,
        e0dbfs: float = 32768.0, a4: float = 440.0, msg_level: int = 135,
        write: Callable[[str], None] | None = None, search_dirs: list[str] | None = None,
    ) -> None:
        nchnls_i = nchnls if nchnls_i is None else nchnls_i
        self.consts = make_consts(sr, ksmps, e0dbfs, nchnls, nchnls_i, a4)
        self.sr, self.ksmps, self.nchnls, self.nchnls_i = sr, ksmps, nchnls, nchnls_i
        self.kr = sr / ksmps
        self.e0dbfs = e0dbfs
        self.msg_level = msg_level
        self._write = write or sys.stderr.write
        self.search_dirs = search_dirs or ["."]
        self.tables = TableDirectory()
        self.gvars: dict[str, Any] = {}
        self.gvars0: dict[str, np.ndarray] = {}
        self.global_table: dict[str, Var] = {}
        self.strsets: dict[int, str] = {}
        self.globals: dict[str, Any] = {}
        self.spout = np.zeros((nchnls, ksmps))
        self.spin = np.zeros((nchnls_i, ksmps))
        self.clock = np.zeros(4)
        self.counters = np.zeros(2, dtype=np.int64)  # compile.lifecycle SEQ, MAX_OFF
        self.instruments: dict[int, InstrDef] = {}
        self.names: dict[str, int] = {}
        self.udos: dict = {}
        self._udo_defs: dict[int, InstrDef] = {}
        self.chain: list[Instance] = []
        self._chain_keys: list[tuple] = []
        self.chain_version = 0  # bumped on every insert/remove (native.NativeRunner's plan)
        self.maybe_held = True  # a held note may be in the chain (see _find_held)
        self.native = NativeRunner(self)
        self.kcount = 0
        self.section_start_block = 0
        self.queue: list[QueuedEvent] = []
        self._order = 0
        self.perf_errors = 0
        self.ended = False
        self.sink: Callable[[np.ndarray], None] | None = None
        self.peaks = np.zeros(nchnls)
        self.section_peaks = np.zeros(nchnls)
        self.out_of_range = np.zeros(nchnls, dtype=np.int64)
        self.return_value: float | None = None
        self.global_instance: Instance | None = None
        self.stop_check: Callable[[], bool] | None = None
        self.time_offset = 0.0
        self._next_end = 1 << 62
        self.advance = 0
        self.in_perf = False
        self.skip_idle = False  # offline renders may jump over silent stretches
        self._outbuf = np.zeros((nchnls, ksmps))
        self._out_pos = 0
        self.midi_source: Any = None  # polled by sense() (engine/midi.py MidiFileSource)
        self._set_header_globals()

    @property
    def _seq(self) -> int:
        """The start number of the next note (chain order within an instrument)."""
        return int(self.counters[0])

    @_seq.setter
    def _seq(self, value: int) -> None:
        self.counters[0] = value

    @property
    def max_off_block(self) -> int:
        """The latest block at which a started note is due to end."""
        return int(self.counters[1])

    @max_off_block.setter
    def max_off_block(self, value: int) -> None:
        self.counters[1] = value

    @property
    def time_offset(self) -> float:
        """Seconds at the start of the current section (`clock[1]` for kernels)."""
        return float(self.clock[1])

    @time_offset.setter
    def time_offset(self, seconds: float) -> None:
        self.clock[1] = seconds

    # ------------------------------------------------------------------ messages
    def message(self, text: str) -> None:
        self._write(text if text.endswith("\n") else text + "\n")

    def print_orch(self, text: str) -> None:
        self._write(text)

    def warning(self, text: str) -> None:
        if self.msg_level & MSG_WARN:
            self._write(f"WARNING: {text}\n")

    def error(self, text: str) -> None:
        self._write(text if text.endswith("\n") else text + "\n")

    def find_file(self, name: str) -> str | None:
        if os.path.isabs(name):
            return name if os.path.exists(name) else None
        dirs = list(self.search_dirs)
        for env in ("SSDIR", "SFDIR", "SADIR"):
            if os.environ.get(env):
                dirs.extend(os.environ[env].split(os.pathsep))
        for d in dirs:
            path = os.path.join(d, name)
            if os.path.exists(path):
                return path
        return None

    # ------------------------------------------------------------------ globals
    def _set_header_globals(self) -> None:
        values = {"sr": self.sr, "kr": self.kr, "ksmps": float(self.ksmps),
                  "nchnls": float(self.nchnls), "nchnls_i": float(self.nchnls_i),
                  "0dbfs": self.e0dbfs, "A4": float(self.consts.a4)}
        for name, value in values.items():
            self.global_table[name] = Var(name, "i", "scalar", "global")
            self._alloc_global(self.global_table[name])
            self.gvars[name][0] = value

    def _alloc_global(self, var: Var) -> None:
        if var.name in self.gvars:
            return
        if var.kind == "scalar":
            storage = np.zeros(1)
            self.gvars0[var.name] = storage[0, ...] if storage.ndim == 2 else storage.reshape(())
        elif var.kind == "audio":
            storage = np.zeros(self.ksmps)
        elif var.kind == "string":
            storage = StrVar()
        elif var.kind == "fsig":
            storage = FSig()
        else:
            storage = ArrayVar(var.type[0])
        self.gvars[var.name] = storage

    # ------------------------------------------------------------------ compile
    def compile_orchestra(self, compiled: CompiledOrchestra) -> None:
        """Merge compiled instruments and UDOs, then run the global code's init pass."""
        for var in self.global_table.values():
            self._alloc_global(var)
        self.udos.update(compiled.udos)
        pending_names = []
        for ids, ir in compiled.instruments:
            layout(ir)
            for ident in ids:
                if isinstance(ident, int):
                    self._define(ident, None, ir)
                else:
                    pending_names.append((ident, ir))
        plain = [(n, ir) for n, ir in pending_names if not n.startswith("+")]
        plus = [(n[1:], ir) for n, ir in pending_names if n.startswith("+")]
        for name, ir in plain + plus:
            number = self.names.get(name)
            if number is None:
                number = 1
                while number in self.instruments:
                    number += 1
                if self.msg_level:
                    self.message(f"instr {name} uses instrument number {number}")
            self.names[name] = number
            self._define(number, name, ir)
        layout(compiled.global_ir)
        gdef = InstrDef(compiled.global_ir, 0, None, self)
        inst = Instance(gdef, self)
        self.global_instance = inst
        inst.active = True
        try:
            inst.init_pass()
        except InitError as exc:
            self.error(f"INIT ERROR in instr 0 (opcode {exc.message})")
            self.perf_errors += 1

    def _define(self, number: int, name: str | None, ir: InstrIR) -> None:
        idef = InstrDef(ir, number, name, self)
        idef.pool = self.native.pool_for(idef)
        self.instruments[number] = idef

    def udo_def(self, ir: InstrIR) -> InstrDef:
        """The runnable form of a UDO body (one per compiled definition)."""
        udef = self._udo_defs.get(id(ir))
        if udef is None:
            layout(ir)
            udef = InstrDef(ir, 0, ir.name, self)
            udef.pool = self.native.pool_for(udef, local_consts(self.consts, ir.local_ksmps))
            self._udo_defs[id(ir)] = udef
        return udef

    def compiler(self) -> Compiler:
        return Compiler(self.global_table, self.udos)

    def compile_text(self, text: str, filename: str = "orchestra") -> int:
        """Compile orchestra text while running (compilestr, compileorc, evalstr):
        0 on success, -1 (CSOUND_ERROR) after reporting the error."""
        from ..lang.parser import parse_orchestra, udo_names
        from ..lang.preprocess import preprocess
        from ..opcodes._registry import REGISTRY

        try:
            source = preprocess(text, filename, None, list(self.search_dirs))
            udos = udo_names(source.text) | set(self.udos)
            tree = parse_orchestra(source, lambda name: name in REGISTRY or name in udos)
            self.compile_orchestra(self.compiler().compile(tree))
        except CsoundError as exc:
            self.error(f"error:  {exc.message}")
            return -1
        return 0

    def instr_number(self, p1) -> float | None:
        """Instrument number (with fraction) for a p1 that may be a name."""
        if isinstance(p1, str):
            neg = p1.startswith("-")
            name = p1[1:] if neg else p1
            frac = 0.0
            if "." in name:
                name, f = name.split(".", 1)
                frac = float("0." + f) if f.isdigit() else 0.0
            number = self.names.get(name)
            if number is None:
                return None
            # compat: 6.18 plays `i "-name"` as a new note of `name` (it does not turn one off)
            return number + frac
        return float(p1)

    # ------------------------------------------------------------------ events
    def block_of(self, seconds: float) -> int:
        """The block at which something due at `seconds` happens (nearest boundary)."""
        return int(math.ceil(seconds * self.kr - 0.5 - 1e-9))

    def end_block_of(self, seconds: float) -> int:
        """The block at which a note ending at `seconds` is turned off (Csound rounds
        the off time to the nearest block boundary, halves up)."""
        return int(math.floor(seconds * self.kr + 0.5))

    def schedule(self, opcode: str, pfields: list, at_block: int, realtime: bool = False,
                 time: float = 0.0) -> None:
        self._order += 1
        ev = QueuedEvent(at_block, self._order, opcode, pfields, realtime, time)
        queue = self.queue
        if not queue or queue[-1].block <= at_block:  # the newest order sorts last
            queue.append(ev)
        else:
            bisect.insort(queue, ev, key=_event_key)

    def schedule_realtime(self, opcode: str, pfields: list, from_block_start: bool = False) -> None:
        """An event from an instrument or the API: p2 is relative to now.

        `from_block_start`: p2 counts from the start of the current block even at perf
        time (schedkwhen takes its time from the k-counter, not from the clock)."""
        p = list(pfields)
        delay = float(p[1]) if len(p) > 1 and not isinstance(p[1], str) else 0.0
        # Csound advances its clock by one block before the perf pass, so events made at
        # perf time count from the end of the current block, init-time ones from its start
        now = (self.kcount + (1 if self.in_perf and not from_block_start else 0)) / self.kr
        start = max(delay, 0.0) + now
        block = max(round(start * self.kr), self.kcount)  # halves to even, as np.rint
        if len(p) > 1:
            p[1] = start - self.time_offset
        self.schedule(opcode, p, block, realtime=True, time=start)

    def _activate_due(self) -> None:
        while self.queue and self.queue[0].block <= self.kcount:
            ev = self.queue.pop(0)
            self.dispatch(ev.opcode, ev.pfields, ev.realtime)
            if self.ended:
                return

    def dispatch(self, opcode: str, pfields: list, realtime: bool = False) -> None:
        if opcode == "i":
            self.start_note(pfields, realtime)
        elif opcode == "f":
            self.make_table_event(pfields)
        elif opcode == "e":
            self.ended = True
        elif opcode == "d":  # turn off a held note: `d 1 t` is `i -1 t`
            p1 = self.instr_number(pfields[0]) if pfields else None
            if p1 is not None:
                self._release_held(abs(p1))
        elif opcode == "a":
            blocks = int(self.kr * float(pfields[2]) + 0.5) if len(pfields) > 2 else 0
            if blocks > self.advance:
                self.advance = blocks
                self.message(f"time advanced {float(pfields[2]):5.3f} beats by score request")
        elif opcode == "q":
            p1 = self.instr_number(pfields[0]) if pfields else None
            if p1 is not None and int(p1) in self.instruments:
                idef = self.instruments[int(p1)]
                idef.muted = not (len(pfields) > 2 and float(pfields[2]) != 0)
                self.message(f"Setting instrument {idef.label} {'off' if idef.muted else 'on'}")

    def make_table_event(self, pfields: list) -> None:
        from ..gens import make_table

        number = int(float(pfields[0]))
        if len(pfields) < 4:
            if number < 0:
                self.tables.delete(-number)
            return
        if number < 0:
            self.tables.delete(-number)
            return
        gen = pfields[3]
        try:
            if number == 0:
                number = self.tables.next_number()
            table = make_table(number, float(pfields[2]), gen, list(pfields[4:]), self)
        except CsoundError as exc:
            self.error(f"ftable {number}: {exc.message}")  # compat: not counted as an error
            return
        self.tables.set(table)
        self.message(f"ftable {number}:")

    def start_note(self, pfields: list, realtime: bool = False) -> Instance | None:
        p1 = self.instr_number(pfields[0])
        when = "T" if realtime else "B"
        t = self.kcount / self.kr
        if p1 is None or int(abs(p1)) not in self.instruments:
            label = pfields[0] if p1 is None else int(abs(p1))
            self.error(f"\t  {when}{t:7.3f} - note deleted. instr {label} undefined")
            self.perf_errors += 1
            return None
        if p1 < 0:
            self._release_held(-p1)
            return None
        idef = self.instruments[int(p1)]
        if self.advance > 0:  # notes due while the score is advanced are skipped
            return None
        if idef.muted:
            self.warning(f"Instrument {idef.label} muted\n")
            return None
        if idef.maxalloc > 0 and idef.active >= idef.maxalloc:
            self.warning("cannot allocate last note because it exceeds instr maxalloc")
            return None
        pfields = list(pfields)
        pfields[0] = p1
        ir = idef.ir
        if ir.pset:
            for i, v in enumerate(ir.pset):
                if i >= len(pfields):
                    pfields.append(v)
        dur = float(pfields[2]) if len(pfields) > 2 and not isinstance(pfields[2], str) else 0.0
        tied = self._find_held(p1) if dur != 0 else None
        if tied is not None:
            inst = tied
        else:
            pool = self.native.starter(idef)
            if pool is not None and not any(isinstance(v, str) for v in pfields) \
                    and pool.start_native(pfields, self.kcount):
                return None
            inst = self._allocate(idef)
        inst.set_pfields(pfields)
        inst.status[2] = 1.0 if tied is not None else 0.0
        given = len(pfields)
        if not ir.dynamic_pfields and given != max(ir.max_pfield, 3) and given > 3 or (
                not ir.dynamic_pfields and given < ir.max_pfield):
            self.warning(f"instr {idef.label} uses {max(ir.max_pfield, 3)} p-fields but is "
                         f"given {given}")
        start = float(pfields[1]) if len(pfields) > 1 and not isinstance(pfields[1], str) else t
        if tied is None:
            inst.seq = self._seq
            self._seq += 1
            idef.instcnt += 1
        inst.start_block = self.kcount
        try:
            inst.init_pass()
        except CsoundError as exc:
            self._init_error(inst, exc)
            return None
        dur = float(inst.kv[3]) if ir.npfields > 3 else dur  # p3 as the init pass left it
        if dur < 0:
            inst.end_block = None
        elif dur == 0 and ir.npfields <= 3 and float(pfields[2] if len(pfields) > 2 else 0) == 0:
            inst.end_block = self.kcount
        else:
            inst.end_block = self.end_block_of(start + self.time_offset + dur)
        if dur == 0 or (inst.end_block is not None and inst.end_block <= self.kcount):
            self._finish(inst)
            return None
        if tied is None:
            self._insert(inst)
        self.note_end_changed(inst.end_block)
        if inst.end_block is not None and inst.end_block > self.max_off_block:
            # compat: Csound keeps a note's scheduled off time in its turnoff list even
            # when the note ends early (turnoff), so the score waits for it
            self.max_off_block = inst.end_block
        if idef.pool is not None and idef.pool.lifecycle and not idef.pool.booked \
                and self.skip_idle:
            self.native.prepare(idef.pool)
        return inst

    def _init_error(self, inst: Instance, exc: CsoundError) -> None:
        self.error(f"INIT ERROR in instr {inst.idef.label}{inst.where()}: {exc.message}")
        self.error(f"\t  B{self.kcount / self.kr:7.3f} - note deleted.  i{inst.idef.label} "
                   "had 1 init errors")
        self.perf_errors += 1
        inst.idef.free.append(inst)

    def _allocate(self, idef: InstrDef, what: str = "new alloc") -> Instance:
        if idef.free:
            inst = idef.free.pop()
            inst.reset()
        elif idef.pool is not None and idef.pool.lend_native_slot():
            inst = Instance(idef, self)  # on a compiled note's free slot: no new instance
        else:
            if self.msg_level & MSG_RANGE:
                self.message(f"{what} for instr {idef.label}:")
            inst = Instance(idef, self)
        inst.midi = None
        return inst

    def start_midi_note(self, number: int, pfields: list, midi: Any) -> Instance | None:
        """A MIDI note-on (Engine/insert.c insert_midi): a held note carrying `midi`
        in `inst.midi`; never a tie, no p-field count warning."""
        idef = self.instruments[number]
        inst = self._allocate(idef, "new MIDI alloc")
        inst.midi = midi
        inst.set_pfields(pfields)
        inst.seq = self._seq
        self._seq += 1
        inst.start_block = self.kcount
        try:
            inst.init_pass()
        except CsoundError as exc:
            self.error(f"INIT ERROR in instr {idef.label}{inst.where()}: {exc.message}")
            self.error(f"\t\t   T{self.kcount / self.kr:7.3f} - note deleted. "
                       f"instr {idef.label} had 1 init errors")
            self.perf_errors += 1
            inst.midi = None
            idef.free.append(inst)
            return None
        inst.end_block = None
        self._insert(inst)
        return inst

    def _insert(self, inst: Instance) -> None:
        key = (inst.idef.number, inst.seq)
        pos = bisect.bisect(self._chain_keys, key)
        self._chain_keys.insert(pos, key)
        self.chain.insert(pos, inst)
        self.chain_version += 1
        inst.active = True
        inst.idef.active += 1

    def _remove(self, inst: Instance) -> None:
        if not inst.active:
            return
        pos = bisect.bisect_left(self._chain_keys, (inst.idef.number, inst.seq))
        if pos >= len(self.chain) or self.chain[pos] is not inst:
            pos = self.chain.index(inst)
        del self.chain[pos]
        del self._chain_keys[pos]
        self.chain_version += 1
        inst.active = False
        inst.idef.active -= 1

    def _finish(self, inst: Instance) -> None:
        """Deactivate a note and return it to its instrument's pool."""
        self._remove(inst)
        idef = inst.idef
        for i in idef.deinits:
            if inst.inited[i]:
                idef.ir.ops[i].entry.deinit(inst.states[i], inst)
        idef.free.append(inst)

    def _find_held(self, p1: float) -> Instance | None:
        """The first held note (no end time, not releasing) with this p1.  The
        chain is only searched while one may exist: `maybe_held` is set whenever
        a note's end_block becomes None (Instance.end_block)."""
        if not self.maybe_held:
            return None
        held = False
        for inst in self.chain:
            if inst.end_block is None and not inst.releasing:
                if inst.p1 == p1:
                    return inst
                held = True
        self.maybe_held = held
        return None

    def _release_held(self, p1: float) -> None:
        inst = self._find_held(p1)
        if inst is None:
            self.message(f"could not find playing instr {p1:f}")
            return
        self.turnoff(inst, True)

    def turnoff(self, inst: Instance, allow_release: bool = True) -> None:
        """End a note: into its release phase if it has extra time, else off now."""
        if inst.releasing:
            return
        if allow_release and inst.xtra_blocks > 0:
            inst.releasing = True
            inst.status[0] = 1.0
            inst.release_left = inst.xtra_blocks
            inst.end_block = None
            return
        self._finish(inst)

    def turnoff_instr(self, number: float, mode: int, allow_release: bool) -> None:
        """turnoff2: mode 0 all, 1 oldest, 2 newest; +4 exact p1; +8 only held."""
        candidates: list[tuple[int, Any]] = []
        for inst in self.chain:
            if mode & 4:
                if inst.p1 != number:
                    continue
            elif inst.idef.number != int(number):
                continue
            if mode & 8 and inst.end_block is not None:
                continue
            if inst.releasing:
                continue
            candidates.append((inst.seq, inst))
        idef = self.instruments.get(int(number))
        pool = self.native.starter(idef) if idef is not None and not mode & 8 else None
        if pool is not None:  # notes started in compiled code: never held nor releasing
            candidates += [(seq, (pool, slot)) for seq, slot in self.native.native_notes(pool)
                           if not mode & 4 or float(pool.K[slot, 1]) == number]
        if not candidates:
            return
        base = mode & 3
        if base == 1:
            candidates = [min(candidates, key=lambda c: c[0])]
        elif base == 2:
            candidates = [max(candidates, key=lambda c: c[0])]
        for _seq, inst in candidates:
            if type(inst) is tuple:
                self.native.end_native(*inst)
                continue
            self.turnoff(inst, allow_release)
            inst.stop_perf = not inst.releasing

    # ------------------------------------------------------------------ the block
    def perform_block(self) -> bool:
        """Compute one control block; False (and nothing computed) when the score is over."""
        ready = self._begin_block()
        if ready:
            self.perf()
        return ready is not None

    def perform_blocks(self) -> int:
        """Like `perform_block`, but an offline render (`skip_idle`) computes a
        span of blocks in one native call when nothing needs Python between
        them (no event due, no note ending or releasing, no output hand-over).
        Returns the number of blocks computed, 0 when the score is over."""
        kcount = self.kcount
        ready = self._begin_block()
        if ready is None:
            return 0
        if ready:
            spans = self.skip_idle and self.native.enabled and self.midi_source is None
            if spans and self.native.books and self.queue:
                self.native.adopt_events(kcount + (self._outbuf.shape[1] - self._out_pos)
                                         // self.ksmps)
            limit = self._span_limit() if spans else 0
            if limit < 2 or not self.native.run_span(limit):
                self.perf()
        return self.kcount - kcount

    def _begin_block(self) -> bool | None:
        """Events and checks before a block: None when the score is over, False
        when the block was used up here (an `a` statement, skipped silence),
        True when its perf pass is due."""
        self.sense()
        if self.ended or (self.stop_check is not None and self.stop_check()):
            return None
        if self.advance > 0:  # an `a` statement: time passes, nothing is computed
            self.advance -= 1
            self.kcount += 1
            return False
        if self.skip_idle and not self.chain and self.queue and self.midi_source is None \
                and not self.native.live_notes():
            idle = self.queue[0].block - self.kcount
            if idle > 1:
                self._silence(idle)
                return False
        return True

    def _span_limit(self) -> int:
        """Blocks from now until the next one at which an event is due, a note
        ends or the section may end."""
        kcount = self.kcount
        bounds = [self._next_end, kcount + (1 << 20)]
        if self.queue:
            bounds.append(self.queue[0].block)
        if self.max_off_block > kcount and not any(inst.end_block is not None
                                                   for inst in self.chain):
            bounds.append(self.max_off_block)  # the section might end there
        return min(bounds) - kcount

    def _silence(self, nblocks: int) -> None:
        """Output `nblocks` silent blocks at once (nothing sounds, nothing is due)."""
        self.spout.fill(0.0)
        self.flush_output()
        frames = nblocks * self.ksmps
        step = max(self._outbuf.shape[1], 65536)
        zeros = np.zeros((self.nchnls, min(step, frames)))
        while frames > 0 and self.sink is not None:
            n = min(frames, zeros.shape[1])
            self.sink(zeros[:, :n])
            frames -= n
        self.kcount += nblocks

    def sense(self) -> None:
        """Csound's sensevents: expire notes whose time is up, then activate due events."""
        self.clock[0] = self.kcount
        if self.native.nevents[0]:
            self.native.drain_events()
        if self._next_end <= self.kcount:
            self._expire()
        if self.native.books:
            self.native.expire(self.kcount)
        if self.queue and self.queue[0].block <= self.kcount:
            self._activate_due()
        # MIDI comes after score and realtime events, as in musmon.c sensevents
        if self.midi_source is not None and self.midi_source.poll(self):
            self.ended = True

    def _expire(self) -> None:
        kcount = self.kcount
        for inst in list(self.chain):
            if inst.end_block is not None and inst.end_block <= kcount and not inst.releasing:
                self.turnoff(inst, True)
        ends = [inst.end_block for inst in self.chain if inst.end_block is not None]
        self._next_end = min(ends) if ends else 1 << 62

    def note_end_changed(self, end_block: int | None) -> None:
        """A note's end block was set: keep the earliest one for the expiry check."""
        if end_block is not None and end_block < self._next_end:
            self._next_end = end_block

    def perf(self, resume: tuple | None = None) -> None:
        """The perf pass over the chain, then the output block (`resume`: finish
        a block a native span left half done, see NativeRunner.perf)."""
        spout = self.spout
        if resume is None:
            spout.fill(0.0)
        self.in_perf = True
        try:
            if self.native.enabled:
                self.native.perf(resume)  # fused perf passes where ready, else _perf_note
            else:
                for inst in tuple(self.chain):
                    if inst.active:
                        self._perf_note(inst)
        finally:
            self.in_perf = False
        self.kcount += 1
        pos = self._out_pos
        ksmps = self.ksmps
        self._outbuf[:, pos:pos + ksmps] = spout
        self._out_pos = pos + ksmps
        if self._out_pos >= self._outbuf.shape[1]:
            self.flush_output()

    def _perf_note(self, inst: Instance) -> None:
        """One note's perf pass on the reference path, then its block bookkeeping."""
        inst.stop_perf = False
        try:
            inst.perf_pass()
        except CsoundError as exc:
            self._perf_error(inst, exc.message)
            return
        except (ZeroDivisionError, ValueError, IndexError, FloatingPointError) as exc:
            self._perf_error(inst, str(exc))
            return
        inst.status[1] += 1
        self._release_tick(inst)

    def _release_tick(self, inst: Instance) -> None:
        """A releasing note has one block less to go."""
        if inst.releasing and inst.active:
            inst.release_left -= 1
            if inst.release_left <= 0:
                self._finish(inst)

    def set_output_chunk(self, frames: int) -> None:
        """Hand output to the sink every `frames` frames (rounded up to whole blocks)."""
        self.flush_output()
        blocks = max(1, -(-int(frames) // self.ksmps))
        self._outbuf = np.zeros((self.nchnls, blocks * self.ksmps))
        self._out_pos = 0

    def flush_output(self) -> None:
        """Pass the buffered output frames to the sink and record their peaks."""
        if self._out_pos == 0:
            return
        chunk = self._outbuf[:, :self._out_pos]
        self._track_peaks(chunk)
        if self.sink is not None:
            self.sink(chunk)
        self._out_pos = 0

    def _perf_error(self, inst: Instance, message: str) -> None:
        self.error(f"PERF ERROR in instr {inst.idef.label}{inst.where()}: {message}")
        self.error("   note aborted")
        self.perf_errors += 1
        self._finish(inst)

    def _track_peaks(self, out: np.ndarray) -> None:
        peak = np.max(np.abs(out), axis=1)
        np.maximum(self.peaks, peak, out=self.peaks)
        np.maximum(self.section_peaks, peak, out=self.section_peaks)
        self.out_of_range += np.sum(np.abs(out) > self.e0dbfs, axis=1)

    def end_performance(self) -> None:
        """Deinitialise every note still active (files opened by opcodes get closed)."""
        for inst in list(self.chain):
            self._finish(inst)
        self.native.end_all()

    def purge(self) -> None:
        """Section end: free every instrument's pool of finished notes."""
        for idef in self.instruments.values():
            idef.free.clear()

    def format_amps(self, amps: np.ndarray) -> str:
        parts = []
        for a in amps:
            if self.e0dbfs > 3000:
                parts.append(f"{a:9.1f}")
            elif self.e0dbfs < 3:
                parts.append(f"{a:9.5f}")
            elif self.e0dbfs > 300:
                parts.append(f"{a:9.2f}")
            elif self.e0dbfs > 30:
                parts.append(f"{a:9.3f}")
            else:
                parts.append(f"{a:9.4f}")
        return "".join(parts)
