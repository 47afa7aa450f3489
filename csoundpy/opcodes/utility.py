"""Instrument and engine utilities: the signal flow graph (connect, outlet*,
inlet*, alwayson: Opcodes/signalflowgraph.cpp), instance control (active,
maxalloc, prealloc, mute, remove, tival: Opcodes/pitch0.c, Engine/insert.c,
OOps/goto_ops.c), run-time compilation (compilestr, compileorc, compilecsd,
evalstr, readscore: OOps/compile_ops.c), a-rate variable helpers (clear,
vincr: Opcodes/fout.c; denorm: Opcodes/oscbnk.c; fold: Opcodes/uggab.c;
lphasor: OOps/oscils.c; monitor: OOps/aops.c), clock and exit (date, dates:
Opcodes/date.c; exitnow: Opcodes/gab/gab.c), the whole-table operations of
OOps/ugtabs.c (tablecopy, tablemix, tablegpw, tablera, tablewa and their
i-rate forms) and the ptable* names, which Csound maps to the table readers
and writers themselves.

Signal flow graph: an outlet registers a reference to its input variable at
init and withdraws it when its note ends; an inlet sums, at its own perf
time, the current values of the connected outlets of all active notes, so a
source instrument numbered below the sink is heard in the same block and one
numbered above it a block late.  Ids are "<name or number>:<port>".
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64, lookup

CSOUND_ERROR = -1.0


def _stop_chain(pc) -> None:
    """compat: a Csound perf function that returns NOTOK without reporting an
    error silently ends its note's perf pass for the current block."""
    inst = pc.instance
    if inst is not None and inst.parent is None:
        inst.stop_perf = True


def _insno(engine, insno) -> int:
    """Csound's strarg2insno: a name or a number; -1 when it does not exist."""
    if isinstance(insno, str):
        number = engine.instr_number(insno)
        if number is None or int(number) <= 0:
            engine.message(f"WARNING: instr {insno} not found")
            return -1
        return int(number)
    return int(insno)


# ====================================================================== signal flow graph
class _Graph:
    """Engine-wide ports and connections (signalflowgraph.cpp's SignalFlowGraphState)."""

    def __init__(self) -> None:
        self.connections: dict[str, list[str]] = {}
        self.outlets: dict[tuple[str, str], list] = {}  # (kind, id) -> [(instance, ref)]

    def ports(self, kind: str, port_id: str) -> list:
        return self.outlets.setdefault((kind, port_id), [])


def _graph(engine) -> _Graph:
    graph = engine.globals.get("utility.sfg")
    if graph is None:
        graph = engine.globals["utility.sfg"] = _Graph()
    return graph


def _port_id(ic, name: str) -> str:
    inst = ic.instance.root() if ic.instance is not None else None
    if inst is None:
        return f"0:{name}"
    idef = inst.idef
    return f"{idef.name}:{name}" if idef.name else f"{idef.number}:{name}"


def _var_ref(ic, arg_pos: int, value):
    """The live storage of the op's input `arg_pos` (so later writes are seen)."""
    inst, index = ic.instance, getattr(ic, "op_index", None)
    if inst is None or index is None:
        return np.array(value, dtype=float) if not isinstance(value, np.ndarray) else value
    op = inst.idef.ir.ops[index]
    return inst.in_perf(op.ins[arg_pos], True)


def _outlet(kind: str):
    def init(s, ic, sname, xsignal):
        ports = _graph(ic.engine).ports(kind, _port_id(ic, sname))
        ref = _var_ref(ic, 1, xsignal)
        inst = ic.instance.root() if ic.instance is not None else None
        if not any(entry[0] is inst and entry[1] is ref for entry in ports):
            ports.append((inst, ref))
    return init


def outlet_deinit(s, inst) -> None:
    """The note's outlets leave the graph when it ends (signalflowgraph.cpp noteoff)."""
    graph = inst.engine.globals.get("utility.sfg")
    if graph is None:
        return
    root = inst.root()
    for ports in graph.outlets.values():
        ports[:] = [entry for entry in ports if entry[0] is not root]


def outlet_perf(s, pc, sname, xsignal, n0, n1):
    """outleta, outletk, outletv: nothing to compute at perf time."""
    # compat: signalflowgraph.cpp gives outlets a perf function that returns NOTOK
    _stop_chain(pc)


def _inlet(kind: str):
    def init(s, ic, out, sname):
        graph = _graph(ic.engine)
        sources: list[list] = []
        for source_id in graph.connections.get(_port_id(ic, sname), []):
            ports = graph.ports(kind, source_id)
            if not any(p is ports for p in sources):
                sources.append(ports)
        return (sources,)
    return init


def _active(inst) -> bool:
    return inst is None or inst.active


def inleta_perf(s, pc, sources, ar, sname, n0, n1):
    """inleta: the sum of the connected a-rate outlets of active notes."""
    ar[:] = 0.0
    for ports in sources:
        for inst, ref in ports:
            if _active(inst):
                ar += ref


def inletk_perf(s, pc, sources, kr, sname, n0, n1):
    """inletk: the sum of the connected k-rate outlets of active notes."""
    total = 0.0
    for ports in sources:
        for inst, ref in ports:
            if _active(inst):
                total += float(ref[()])
    kr[0] = total


def inletv_perf(s, pc, sources, out, sname, n0, n1):
    """inletv: the element-wise sum of the connected array outlets of active notes."""
    data = out.data
    data[...] = 0.0
    for ports in sources:
        for inst, ref in ports:
            if _active(inst):
                src = ref.data
                flat = data.reshape(-1)
                flat += src.reshape(-1)[:flat.shape[0]]


defop("outleta", "", "Sa", None, _outlet("a"), outlet_perf, deinit=outlet_deinit,
      python_perf=True)
defop("inleta", "a", "S", None, _inlet("a"), inleta_perf, python_perf=True,
      arrays=("sources",))
defop("outletk", "", "Sk", None, _outlet("k"), outlet_perf, deinit=outlet_deinit,
      python_perf=True)
defop("inletk", "k", "S", None, _inlet("k"), inletk_perf, python_perf=True,
      arrays=("sources",))
defop("outletv", "", "Sa[]", None, _outlet("v"), outlet_perf, deinit=outlet_deinit,
      python_perf=True)
defop("inletv", "a[]", "S", None, _inlet("v"), inletv_perf, python_perf=True,
      arrays=("sources",))


def _port_owner(ic, instr) -> str:
    """connect's instrument argument as signalflowgraph.cpp names it (strarg2name)."""
    if isinstance(instr, str):
        return instr
    number = int(instr + (0.5 if instr >= 0 else -0.5))
    text = ic.engine.strsets.get(number)
    return text if text is not None else str(number)


def connect_init(s, ic, source, soutlet, sink, sinlet, gain):
    source_id = f"{_port_owner(ic, source)}:{soutlet}"
    sink_id = f"{_port_owner(ic, sink)}:{sinlet}"
    _graph(ic.engine).connections.setdefault(sink_id, []).append(source_id)


for _ins in ("iSiSp", "iSSSp", "SSiSp", "SSSSp"):
    defop("connect", "", _ins, None, connect_init)


def alwayson_init(s, ic, instr, args):
    engine = ic.engine
    if isinstance(instr, str):
        p1 = _insno(engine, instr)
        if p1 < 0:
            raise InitError(f"instr {instr} not found")
    else:
        p1 = instr
    # an event at absolute time 0 (plus the score offset): it starts at once
    engine.schedule("i", [float(p1), 0.0, -1.0, *[float(a) for a in args]],
                    max(engine.kcount, 0), realtime=True)


defop("alwayson", "", "im", None, alwayson_init)
defop("alwayson", "", "Sm", None, alwayson_init)


# ====================================================================== instances
def _active_notes(idef, instance) -> int:
    """Active notes of an instrument as Csound counts them during `instance`'s init."""
    count = idef.active
    # Csound counts a note as active from before its init pass; the engine
    # inserts it after, so the note being initialised is added here.
    me = instance.root() if instance is not None else None
    if me is not None and me.idef is idef and not me.active:
        count += 1
    return count


def _count(engine, instance, n: int, total: bool, norel: bool) -> float:
    """pitch0.c instcount: active (or, with iopt, ever started) notes of instr n."""
    instruments = engine.instruments

    def active(idef) -> int:
        return _active_notes(idef, instance)

    if n < 0 or (n > 0 and n not in instruments):
        return 0.0
    if n == 0:
        tot = 1
        for idef in instruments.values():
            tot += getattr(idef, "instcnt", 0) if total else active(idef)
        return float(tot)
    idef = instruments[n]
    cnt = float(getattr(idef, "instcnt", 0) if total else active(idef))
    if norel:
        cnt -= sum(1 for inst in engine.chain if inst.idef is idef and inst.releasing)
    return cnt


def _active_number(engine, insnum) -> int:
    if isinstance(insnum, str):
        return _insno(engine, insnum)
    return int(insnum)


def active_init(s, ic, out, insnum, iopt, inorel):
    out[0] = _count(ic.engine, ic.instance, _active_number(ic.engine, insnum), iopt != 0.0,
                    inorel != 0.0)


def active_perf(s, pc, out, kinsnum, kopt, knorel, n0, n1):
    """active (k): number of active notes of an instrument."""
    insnum = kinsnum.value if hasattr(kinsnum, "value") else float(kinsnum[()])
    out[0] = _count(pc.engine, None, _active_number(pc.engine, insnum), float(kopt[()]) != 0.0,
                    float(knorel[()]) != 0.0)


defop("active", "i", "Soo", None, active_init)
defop("active", "k", "Soo", None, None, active_perf, python_perf=True)
defop("active", "i", "ioo", None, active_init)
defop("active", "k", "koo", None, None, active_perf, python_perf=True)


def maxalloc_init(s, ic, insnum, icount):
    n = _active_number(ic.engine, insnum)
    idef = ic.engine.instruments.get(n)
    if n > 0 and idef is not None:
        idef.maxalloc = int(icount)


defop("maxalloc", "", "Si", None, maxalloc_init)
defop("maxalloc", "", "ii", None, maxalloc_init)


def prealloc_init(s, ic, insnum, icount, iopcode):
    from ..engine.instance import Instance

    engine = ic.engine
    if iopcode != 0.0:
        return  # UDO instances are made per call site here: nothing to reserve
    n = _active_number(engine, insnum)
    idef = engine.instruments.get(n)
    if idef is None:
        raise InitError("cannot find the specified instrument or opcode")
    for _ in range(int(icount) - idef.active):
        idef.free.append(Instance(idef, engine))


defop("prealloc", "", "iio", None, prealloc_init)
defop("prealloc", "", "Sio", None, prealloc_init)


def mute_init(s, ic, insnum, iswitch):
    n = _active_number(ic.engine, insnum)
    if n < 1:
        return
    on = iswitch != 0.0
    if on:
        ic.warning(f"Allowing instrument {n} to start\n")
    else:
        ic.warning(f"Muting new instances of instr {n}\n")
    idef = ic.engine.instruments.get(n)
    if idef is not None:
        idef.muted = not on


defop("mute", "", "So", None, mute_init)
defop("mute", "", "io", None, mute_init)


def remove_init(s, ic, insnum):
    engine = ic.engine
    n = _insno(engine, insnum) if isinstance(insnum, str) else int(insnum + 0.5)
    idef = engine.instruments.get(n)
    if idef is None:
        return
    if _active_notes(idef, ic.instance) > 0:
        raise InitError(f"Instrument {idef.label} is still active")
    idef.free.clear()
    del engine.instruments[n]


defop("remove", "", "T", None, remove_init)


def tival_init(s, ic, out):
    if not ic.reinit:
        inst = ic.instance
        out[0] = float(inst.root().status[2]) if inst is not None else 0.0


defop("tival", "i", "", None, tival_init)


def exitnow_init(s, ic, ireturn):
    engine = ic.engine
    engine.exit_code = int(math.floor(ireturn + 0.5))
    engine.ended = True


defop("exitnow", "", "o", None, exitnow_init)


# ====================================================================== run-time compilation
def compilestr_init(s, ic, out, sorch):
    out[0] = float(ic.engine.compile_text(sorch, "compilestr"))


def compileorc_init(s, ic, out, sfile):
    path = ic.engine.find_file(sfile) or sfile
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        ic.warning(f"compileorc: could not open {sfile}\n")
        out[0] = CSOUND_ERROR
        return
    if not text:
        out[0] = CSOUND_ERROR
        raise InitError(f"compileorc: could not read {sfile}\n")
    out[0] = float(ic.engine.compile_text(text, os.path.basename(path)))


def _read_score(engine, text: str) -> float:
    """Score text read while running: events relative to now (csoundReadScore)."""
    from ..errors import CsoundError
    from ..lang.score import parse_score

    try:
        score = parse_score(text, "score", None, list(engine.search_dirs), final_e=False)
    except CsoundError as exc:
        engine.error(f"error:  {exc.message}")
        return CSOUND_ERROR
    offset = 0.0
    for section in score.sections:
        for ev in section.events:
            if ev.opcode == "e":
                continue
            p = list(ev.pfields)
            if len(p) > 1 and not isinstance(p[1], str):
                p[1] = float(p[1]) + offset
            engine.schedule_realtime(ev.opcode, p)
        offset += section.end
    return 0.0


def compilecsd_init(s, ic, out, sfile):
    from ..errors import CsoundError
    from ..lang.csd import read_csd

    path = ic.engine.find_file(sfile) or sfile
    try:
        doc = read_csd(path)
    except (CsoundError, OSError):
        out[0] = CSOUND_ERROR
        return
    result = ic.engine.compile_text(doc.orchestra or "", os.path.basename(path))
    if result == 0 and doc.score:
        result = _read_score(ic.engine, doc.score)
    out[0] = float(result)


def readscore_init(s, ic, out, sscore):
    out[0] = _read_score(ic.engine, sscore)


def _evalstr(engine, code: str) -> float:
    engine.return_value = None
    if engine.compile_text(code, "evalstr") != 0:
        return math.nan
    value = engine.return_value
    return float(value) if value is not None else 0.0


def evalstr_init(s, ic, out, scode):
    out[0] = _evalstr(ic.engine, scode)


def evalstr_perf(s, pc, out, scode, ktrig, n0, n1):
    """evalstr (k): compile and run global code when ktrig is non-zero."""
    if float(ktrig[()]) != 0.0:
        out[0] = _evalstr(pc.engine, scode.value)


defop("compilestr", "i", "S", None, compilestr_init)
defop("compileorc", "i", "S", None, compileorc_init)
defop("compilecsd", "i", "S", None, compilecsd_init)
defop("readscore", "i", "S", None, readscore_init)
defop("evalstr", "i", "S", None, evalstr_init)
defop("evalstr", "k", "Sk", None, None, evalstr_perf, python_perf=True)


# ====================================================================== a-rate helpers
@kernel
def clear_perf(s, ctx, args, n0, n1):
    """clear: zero a-rate variables, the whole block (fout.c clear)."""
    for a in args:
        for n in range(a.shape[0]):
            a[n] = 0.0


@kernel
def clear_array_perf(s, ctx, tab, n0, n1):
    """clear: zero every element of an array (arrays.c tabclear)."""
    tab.fill(0.0)


def clear_array_init(s, ic, tab):
    if tab.data.size == 0:
        raise InitError("array-variable not initialised")


@kernel
def vincr_perf(s, ctx, avar, aincr, n0, n1):
    """vincr: add a signal to an a-rate variable in place (fout.c incr)."""
    for n in range(n0, n1):
        avar[n] += aincr[n]


def _denorm_seed(s, ic, *args):
    seed = ic.engine.globals.get("utility.denorm_seed")
    if seed is None:
        seed = ic.engine.globals["utility.denorm_seed"] = np.zeros(1, dtype=np.int64)
    return (seed,)


@kernel
def denorm_perf(s, ctx, seed, args, n0, n1):
    """denorm: add a tiny noise value to each signal (oscbnk.c denorms, 16-bit LCG)."""
    for a in args:
        seed[0] = (seed[0] * 15625 + 1) & 0xFFFF
        r = float(seed[0] - 0x8000) * 1.0e-60
        for n in range(n0):
            a[n] = 0.0
        for n in range(n1, a.shape[0]):
            a[n] = 0.0
        for n in range(n0, n1):
            a[n] += r


defop("clear", "", "y", None, None, clear_perf)
defop("clear", "", "a[]", None, clear_array_init, clear_array_perf)
defop("clear", "", "k[]", None, clear_array_init, clear_array_perf)
defop("vincr", "", "aa", None, None, vincr_perf)
defop("denorm", "", "y", None, _denorm_seed, denorm_perf, arrays=("seed",))

FOLD = State(index=f64, sample_index=i64, value=f64)


def fold_init(s, ic, ar, asig, kincr):
    s.index = 0.0
    s.sample_index = 0
    s.value = 0.0


@kernel
def fold_perf(s, ctx, ar, asig, kincr, n0, n1):
    """fold: sample-and-hold every kincr samples, a crude foldover (uggab.c fold)."""
    incr = at(kincr, 0)
    index, sample_index, value = s.index, s.sample_index, s.value
    for n in range(n0, n1):
        if index < float(sample_index):
            index += incr
            value = asig[n]
        ar[n] = value
        sample_index += 1
    s.index, s.sample_index, s.value = index, sample_index, value


defop("fold", "a", "ak", FOLD, fold_init, fold_perf)

LPHASOR = State(phs=f64, lps=f64, lpe=f64, loop_mode=i64, dir=i64)


def lphasor_init(s, ic, ar, xtrns, ilps, ilpe, imode, istrt, istor, *unused):
    if istor != 0.0:
        return
    s.phs = istrt
    s.lps = ilps
    s.lpe = ilpe
    s.loop_mode = int(imode + 0.5) & 3
    if s.lpe <= s.lps:
        s.loop_mode = 0
    s.dir = 1


@kernel
def lphasor_perf(s, ctx, ar, xtrns, ilps, ilpe, imode, istrt, istor, iextra1, iextra2, n0, n1):
    """lphasor: a sample-index phasor with forward, backward or bidirectional loops (oscils.c)."""
    phs, lps, lpe = s.phs, s.lps, s.lpe
    lpt = lpe - lps
    loop_mode = s.loop_mode
    direction = s.dir
    for n in range(n0, n1):
        trns = at(xtrns, n)
        ar[n] = phs
        phs += trns if direction else -trns
        if loop_mode:
            fwd = (not direction) if trns < 0.0 else direction
            if fwd and phs >= lpe:
                phs += lpt * float(int((lps - phs) / lpt))
                if loop_mode & 2:
                    phs = lps + lpe - phs
                    direction = 0 if direction else 1
            elif not fwd and phs <= lps:
                phs += lpt * float(int((lpe - phs) / lpt))
                if loop_mode & 1:
                    phs = lps + lpe - phs
                    direction = 0 if direction else 1
    s.phs = phs
    s.dir = direction


defop("lphasor", "a", "xooooooo", LPHASOR, lphasor_init, lphasor_perf)


def monitor_init(s, ic, *outs):
    if len(outs) != ic.nchnls:
        raise InitError("number of arguments != nchnls")
    return (ic.engine.spout,)


@kernel
def monitor_perf(s, ctx, spout, *args):
    """monitor: the output bus as summed so far in this block (aops.c monitor_opcode)."""
    outs = args[:-2]
    n0 = args[-2]
    n1 = args[-1]
    for j in range(len(outs)):
        out = outs[j]
        for n in range(n0, n1):
            out[n] = spout[j, n]


defop("monitor", "m" * 24, "", None, monitor_init, monitor_perf, arrays=("spout",))


# ====================================================================== clock
def _now() -> tuple[int, int]:
    ns = time.time_ns()
    return ns // 1_000_000_000, ns % 1_000_000_000


def date_init(s, ic, *outs):
    sec, nsec = _now()
    outs[0][0] = float(sec) + float(nsec) * 1.0e-9
    if len(outs) > 1:
        outs[1][0] = float(nsec)


def date_perf(s, pc, *args):
    """date (k): seconds since 1970 (double build) and the nanoseconds part."""
    date_init(s, pc, *args[:-2])


def dates_init(s, ic, out, itime):
    stamp = int(itime + 0.5)
    # C's ctime keeps its trailing newline and Csound passes it on
    out.value = time.ctime(stamp if stamp > 0 else time.time()) + "\n"


defop("date", "iI", "", None, date_init)
defop("date", "kz", "", None, date_init, date_perf, python_perf=True)
defop("dates", "S", "j", None, dates_init)


# ====================================================================== whole tables
def _find(engine, fn: float):
    """fgens.c csoundFTnp2Find: the table number rounded half away from zero."""
    return engine.tables.get(int(fn + (0.5 if fn >= 0 else -0.5)))


def _table_missing(ctx, text: str, perf: bool) -> None:
    ctx.warning(text)
    if perf:
        _stop_chain(ctx)


def _gpw(ctx, kfn, perf: bool) -> None:
    table = _find(ctx.engine, kfn)
    if table is None:
        _table_missing(ctx, f"table: could not find ftable {int(kfn)}", perf)
        return
    table.data[table.size] = table.data[0]


def tableigpw_init(s, ic, ifn):
    _gpw(ic, ifn, False)


def tablegpw_perf(s, pc, kfn, n0, n1):
    """tablegpw: copy a table's first point into its guard point."""
    _gpw(pc, float(kfn[()]), True)


def _copy(ctx, kdft, ksft, perf: bool) -> None:
    dest, src = _find(ctx.engine, kdft), _find(ctx.engine, ksft)
    if dest is None or src is None:
        _table_missing(ctx, f"table: could not find ftables {int(kdft)} and/or {int(ksft)}",
                       perf)
        return
    # compat: ugtabs.c table_copy reads the source guard point before wrapping
    idx = np.arange(dest.size) % (src.size + 1)
    dest.data[:dest.size] = src.data[idx]


def tableicopy_init(s, ic, idft, isft):
    _copy(ic, idft, isft, False)


def tablecopy_perf(s, pc, kdft, ksft, n0, n1):
    """tablecopy: copy one table into another, repeating the source as needed."""
    _copy(pc, float(kdft[()]), float(ksft[()]), True)


@helper
def _wrap_np2(p, length, limit):
    while p < 0:
        p += length
    while p >= limit:
        p -= length
    return p


@helper
def _mix(func, flen, np2, func1, len1, mask1, np21, g1, func2, len2, mask2, np22, g2,
         length, off, off1, off2):
    """ugtabs.c table_mix: func[i+off] = func1[i+off1]*g1 + func2[i+off2]*g2."""
    step = 1 if length > 0 else -1
    i = 0
    while (i < length) if length > 0 else (i > length):
        p0 = i + off
        p1 = i + off1
        p2 = i + off2
        # compat: the destination wraps against the first source's length
        p0 = _wrap_np2(p0, flen, len1) if np2 else p0 & (flen - 1)
        p1 = _wrap_np2(p1, len1, len1) if np21 else p1 & mask1
        p2 = _wrap_np2(p2, len2, len2) if np22 else p2 & mask2
        if 0 <= p0 < func.shape[0] and 0 <= p1 < func1.shape[0] and 0 <= p2 < func2.shape[0]:
            func[p0] = func1[p1] * g1 + func2[p2] * g2
        i += step


def _table_mix(ctx, kdft, kdoff, klen, ks1ft, ks1off, ks1g, ks2ft, ks2off, ks2g, perf):
    engine = ctx.engine
    tabs = []
    for fn in (kdft, ks1ft, ks2ft):
        table = _find(engine, fn)
        if table is None:
            _table_missing(ctx, f"table: could not find ftable {int(fn)}", perf)
            return
        tabs.append(table)
    dest, src1, src2 = tabs
    # compat: whether the first source wraps by mask is decided by the destination's length
    _mix(dest.data, dest.size, not dest.is_pow2, src1.data, src1.size, src1.lenmask,
         not dest.is_pow2, ks1g, src2.data, src2.size, src2.lenmask, not src2.is_pow2, ks2g,
         math.floor(klen), int(kdoff), int(ks1off), int(ks2off))


def tableimix_init(s, ic, *args):
    _table_mix(ic, *args, False)


def tablemix_perf(s, pc, *args):
    """tablemix: a weighted sum of two table sections written into a third."""
    _table_mix(pc, *[float(a[()]) for a in args[:-2]], True)


defop("tableigpw", "", "i", None, tableigpw_init)
defop("tablegpw", "", "k", None, None, tablegpw_perf, python_perf=True)
defop("tableicopy", "", "ii", None, tableicopy_init)
defop("tablecopy", "", "kk", None, None, tablecopy_perf, python_perf=True)
defop("tableimix", "", "iiiiiiiii", None, tableimix_init)
defop("tablemix", "", "kkkkkkkkk", None, None, tablemix_perf, python_perf=True)

TABLWA = State(pos=f64)


@helper
def _read_run(func, length, np2, sig, pos, n0, n1):
    for n in range(n0, n1):
        pos = pos % length if np2 else pos & (length - 1)
        sig[n] = func[pos]
        pos += 1


@helper
def _write_run(func, length, np2, sig, pos, n0, n1):
    for n in range(n0, n1):
        pos = pos % length if np2 else pos & (length - 1)
        func[pos] = sig[n]
        pos += 1
    return pos


def tablera_perf(s, pc, ar, kfn, kstart, koff, n0, n1):
    """tablera: read ksmps consecutive table points from kstart + koff."""
    fn = float(kfn[()])
    table = _find(pc.engine, fn)
    if table is None:
        raise PerfError(f"table: could not find ftable {int(fn)}")
    pos = int(float(kstart[()]) + float(koff[()]))
    if pos < 0:
        raise PerfError(f"table: could not read negative pos {pos}")
    _read_run(table.data, table.size, not table.is_pow2, ar, pos, n0, n1)


def tablewa_init(s, ic, kstart, kfn, asig, koff, iskipinit):
    if iskipinit == 0.0:
        s.pos = 0.0
    s.pos += koff


def tablewa_perf(s, pc, kstart, kfn, asig, koff, iskipinit, n0, n1):
    """tablewa: write ksmps samples into a table from a running position."""
    fn = float(kfn[()])
    table = _find(pc.engine, fn)
    if table is None:
        raise PerfError(f"table: could not find ftable {int(fn)}")
    pos = int(s.pos)
    if pos < 0:
        raise PerfError(f"table: could not read negative pos {pos}")
    pos = _write_run(table.data, table.size, not table.is_pow2, asig, pos, n0, n1)
    s.pos = pos
    kstart[0] = pos


defop("tablera", "a", "kkk", None, None, tablera_perf, python_perf=True,
      flags=("table_read",))
defop("tablewa", "k", "kakp", TABLWA, tablewa_init, tablewa_perf, python_perf=True,
      flags=("table_write",))

# Engine/entry1.c maps ptable*, ptablew and ptableiw to the table readers and writers.
for _name, _alias, _rows in (("table", "ptable", None), ("tablei", "ptablei", None),
                             ("table3", "ptable3", None), ("tableiw", "ptableiw", None),
                             ("tablew", "ptablew", ("kkiooo", "aaiooo"))):
    for _e in list(lookup(_name)):
        if _rows is None or _e.ins in _rows:
            defop(_alias, _e.outs, _e.ins, _e.state, _e.init, _e.perf, deinit=_e.deinit,
                  python_perf=_e.python_perf, arrays=_e.arrays, flags=tuple(_e.flags))
