"""The opcode registry: one `defop` call per Csound table row.

Conventions every opcode follows (the engine and the tests rely on them)
------------------------------------------------------------------------
Type strings are Csound's own (Engine/entry1.c): outputs `a k i S f w` (and
`m`=several a, `z`=several k, `I`=several i, `X`=several a/k/i, `N`=several
any, `*`=any); inputs `a k i S f w`, `x` (a or k), `T` (S or i), `U` (S, k or
i), optional i-rate `o`=0 `p`=1 `j`=-1 `h`=127 `q`=10 `v`=.5, optional k-rate
`O`=0 `P`=1 `V`=.5 `J`=-1, variadic `m` (i…), `M` (any…), `N` (any incl. S…),
`n` (odd number of i), `y` (a…), `z` (k…), `Z` (k,a pairs…), `*` (any…).
A type letter followed by `[]` is an array of that type (`k[]`, `i[]`).

State: `State(phs=f64, inc=f64, ...)` builds a numpy *record* dtype. Each
call site of each instance owns one record; kernels read and write it by
attribute (`s.phs`), by reference.

init(s, ic, *outs, *ins) -> tuple of aux arrays | None
    Plain Python, runs in the init pass.  Arguments:
      outs: a -> 1-d float64 array (ksmps); k/i -> 1-element float64 array
            (write `out[0] = v`); S -> StrVar (set `.value`); arrays -> ArrayVar
            (set `.data`, a numpy array).
      ins:  a -> 1-d array; k/i/constants -> float (the value now);
            S -> str; arrays -> ArrayVar; the variadic part of the signature
            (m M N n y z Z *) -> ONE tuple of such values.
    `ic` is the init context: ic.consts (the engine-constant record: sr kr
    ksmps onedsr onedkr tpidsr pidsr e0dbfs a4 nchnls nchnls_i), ic.sr, ic.kr,
    ic.ksmps, ic.e0dbfs, ic.nchnls; ic.table(fn) -> FunctionTable (raises
    InitError 'Invalid ftable no. %f' when missing); ic.engine (spout, spin,
    clock, tables, channels, strsets, rng...); ic.instance (the note, None in
    instr 0); ic.print(text) for orchestra output (print, prints...);
    ic.warning(text); ic.reinit (True during a reinit pass).
    May raise InitError(message).  Returns the aux arrays the perf kernel
    needs (delay lines, the table's data, the engine's output buffer...),
    in the order declared by `arrays=`.

perf(s, ctx, *aux, *outs, *ins, n0, n1)
    A numba kernel (`@kernel`), called once per control block.  `ctx` is the
    engine-constant record.  outs: a -> 1-d array, k -> 1-element array.
    ins: a -> 1-d array; k/i -> 0-d array view: read every input with
    `at(x, n)` (works for a-rate arrays, 0-d views and floats).  Variadic
    part: one tuple.  Compute frames [n0, n1) only; k-rate opcodes compute
    their one value (n0, n1 are then 0, 1 unless the block is cut short).
    The engine zeroes a-rate outputs outside [n0, n1).

python_perf=True: `perf` is plain Python, same arguments, except that `ctx`
is replaced by the perf context `pc` (pc.engine, pc.instance, pc.consts),
S arguments are StrVar (read `.value`) and array arguments ArrayVar.  For
opcodes that print, schedule events, turn notes off or touch strings.

native=Native(init, perf, arrays, state, deinit): a python_perf overload whose perf
work is plain array work once its S inputs are known (a channel bound by
name, say) may also declare a native variant: an init and a `@kernel` perf
with the same outs/ins signature, its own aux arrays and state.  The
compiler (`compile.expand.select_native_variants`) gives a call site the
variant, `OpEntry.native`, when each of its S inputs is fixed once the init
pass has run: a string constant, or a local S variable that no perf-time op
of the instrument writes.  The variant must then do exactly what the Python
perf would do for that fixed string, messages included; its kernel receives
the S inputs as str and may ignore them.

Flags for the fused code generator (`compile.codegen`), which may run the
notes of a straight-line instrument two at a time, op by op (note A's op,
then note B's, or one `pair` kernel for both), when reordering the notes'
ops cannot change a sample:
  "note_local": the kernel touches only its note's state, outputs and inputs
      and reads tables; it never raises once its init has succeeded.
  "bus_out": the kernel adds its inputs into the output bus and nothing else
      (outs, outch...); one such op per instrument keeps the bus's order.
native_init=NativeInit(kernel, consts, aux): the init pass in numba, for notes
started without a Python object (`engine.native` note lifecycle: an event
whose instrument's ops all have one is initialised inside compiled code):

    kernel(s, ctx, tabs, *consts, *aux_refs, *outs, *ins) -> int

s, ctx, outs and ins as for perf (i/k inputs are floats, a-rate ones
arrays, the variadic part one tuple); `tabs` is the table directory
(`engine.tables.TAB_*` columns, one row per table number); `consts` are
the declared constants (what a Python init closes over).  `aux` has one
entry per name in `arrays=`: "ref" (the kernel receives two int64 arrays,
the address slot and the shape row, and writes the array's address and
shape into them: a table's data from `tabs`), ("scratch", shape) (a
per-note array of shape `shape(number of inputs)`, passed as the array,
which the kernel fills: linseg's segments), or the name of an engine array
passed unchanged ("spout", "spin").  It returns 0 after doing exactly what
the Python init does (state, outputs, aux), or non-zero to have the Python
init run instead for this note (errors, warnings, messages, any case it
does not handle); it must not write outside its note before deciding.

With `strings=True` the kernel also takes S outputs and inputs (local
variables and constants): each arrives as a row of bytes (`_native_text`),
which it reads up to the NUL or fills.  `dirs` names engine directories
the kernel receives right after `tabs`, in that order: int64 arrays that
`DIRECTORIES[name](engine)` makes once per engine and keeps up to date in
place (never reallocated: compiled code keeps their address), such as the
channel directory (`channels.ChannelBus.native`, to bind a channel by name
with `_native_text.bind_channel`).  `accepts(op)`, if given,
says whether a call site's argument kinds suit the kernel (sprintf: only
numbers after the format).

A native variant may also give `fallback`: its kernel then returns non-zero
when a case needs Python (a full queue, say) and has done nothing; the fused
code leaves to Python there, and the reference path calls
fallback(instance, *the kernel's arguments), which does the work.

pair=kernel: a kernel computing two notes at once, bit for bit what two calls
of `perf` compute: pair(s_a, s_b, ctx, *args_a, *args_b, n0, n1), args_x being
one note's arguments after (s, ctx).  Worth it where one note's sample loop
is a chain of dependent slow steps (moogladder's tanh): the CPU overlaps two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

f64 = np.float64
i64 = np.int64

OPTIONAL_DEFAULTS = {
    "o": 0.0, "p": 1.0, "j": -1.0, "h": 127.0, "q": 10.0, "v": 0.5,
    "O": 0.0, "P": 1.0, "V": 0.5, "J": -1.0,
}
VARIADIC_IN = set("mMNnyzZ*W")
VARIADIC_OUT = set("mzIXNF*")


def State(**fields: Any) -> np.dtype:
    """Record dtype for an opcode's state: State(phs=f64, ndx=i64)."""
    if not fields:
        fields = {"_unused": f64}
    return np.dtype((np.record, [(name, np.dtype(t)) for name, t in fields.items()]))


EMPTY_STATE = State()

_TYPE_TOKEN = re.compile(r"([A-Za-z.*])((?:\[\])*)")


def split_types(types: str) -> list[str]:
    """Split a Csound type string into tokens: 'ak[]o' -> ['a', 'k[]', 'o']."""
    if types in ("", "0"):
        return []
    tokens = []
    pos = 0
    while pos < len(types):
        m = _TYPE_TOKEN.match(types, pos)
        if not m:
            raise ValueError(f"bad type string {types!r}")
        tokens.append(m.group(0))
        pos = m.end()
    return tokens


@dataclass(frozen=True)
class Native:
    """The native variant of a python_perf overload (see the module doc)."""

    init: Callable | None
    perf: Callable
    arrays: tuple[str, ...] = ()
    state: np.dtype | None = None
    deinit: Callable | None = None
    native_init: NativeInit | None = None
    fallback: Callable | None = None


# name -> function(engine) giving that engine's directory (see NativeInit.dirs)
DIRECTORIES: dict[str, Callable[[Any], np.ndarray]] = {}


@dataclass(frozen=True)
class NativeInit:
    """An opcode's init pass as a numba kernel (see the module doc)."""

    kernel: Callable
    consts: tuple = ()
    aux: tuple = ()
    strings: bool = False  # S arguments arrive as text rows (`_native_text`)
    dirs: tuple[str, ...] = ()  # engine directories (`DIRECTORIES`) passed after `tabs`
    accepts: Callable | None = None  # accepts(op): whether this call site can use it


@dataclass(frozen=True)
class OpEntry:
    """One overload of one opcode (a row of Csound's opcode table)."""

    name: str
    outs: str
    ins: str
    state: np.dtype = EMPTY_STATE
    init: Callable | None = None
    perf: Callable | None = None
    deinit: Callable | None = None
    python_perf: bool = False
    arrays: tuple[str, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)
    native: OpEntry | None = None  # variant for call sites whose S inputs are fixed
    pair: Callable | None = None  # kernel running two notes at once (see module doc)
    native_init: NativeInit | None = None  # numba init for natively started notes
    fallback: Callable | None = None  # Python work of a kernel that returned non-zero

    @property
    def out_types(self) -> list[str]:
        return split_types(self.outs)

    @property
    def in_types(self) -> list[str]:
        return split_types(self.ins)

    def __repr__(self) -> str:
        return f"OpEntry({self.name} {self.outs or '(null)'} {self.ins})"


REGISTRY: dict[str, list[OpEntry]] = {}


def defop(
    name: str,
    outs: str,
    ins: str,
    state: np.dtype | None = None,
    init: Callable | None = None,
    perf: Callable | None = None,
    *,
    deinit: Callable | None = None,
    python_perf: bool = False,
    arrays: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    native: Native | None = None,
    pair: Callable | None = None,
    native_init: NativeInit | None = None,
) -> OpEntry:
    """Register one overload of opcode `name` (Csound's OENTRY columns)."""
    split_types(outs)
    split_types(ins)
    if native is not None and not python_perf:
        raise ValueError(f"{name}: only a python_perf overload has a native variant")
    variant = None
    if native is not None:
        variant = OpEntry(
            name=name,
            outs=outs,
            ins=ins,
            state=native.state if native.state is not None else EMPTY_STATE,
            init=native.init,
            perf=native.perf,
            deinit=native.deinit,
            arrays=tuple(native.arrays),
            flags=frozenset(flags),
            native_init=native.native_init,
            fallback=native.fallback,
        )
    if native_init is not None and len(native_init.aux) != len(arrays):
        raise ValueError(f"{name}: native_init needs one aux entry per array")
    entry = OpEntry(
        name=name,
        outs=outs,
        ins=ins,
        state=state if state is not None else EMPTY_STATE,
        init=init,
        perf=perf,
        deinit=deinit,
        python_perf=python_perf,
        arrays=tuple(arrays),
        flags=frozenset(flags),
        native=variant,
        pair=pair,
        native_init=native_init,
    )
    REGISTRY.setdefault(name, []).append(entry)
    return entry


def lookup(name: str) -> list[OpEntry]:
    """All overloads of `name`, in declaration order (empty if unknown)."""
    return REGISTRY.get(name, [])


def all_entries() -> list[OpEntry]:
    return [e for entries in REGISTRY.values() for e in entries]
