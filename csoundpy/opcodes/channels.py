"""Channels: the named software bus shared by the orchestra and the host API.

Follows Csound 6.18 OOps/bus.c (csoundGetChannelPtr, chnget/chnset/chnmix/
chnclear, chn_k/chn_a/chn_S, chnexport, chnparams, invalue/outvalue) and
Engine/entry1.c for the overloads.  A channel's data is a numpy array (control:
1 value, audio: ksmps values) or a StrVar (string), shared by reference with
the API's `channelPtr`, so a host write is seen by the next block and vice
versa.  The bus lives in `engine.globals["channels"]`.

A channel name is a string that may change at k-rate, and Csound re-resolves
the channel when it does: chnget k/a and chnset k therefore have Python perf
functions, plus native variants (`_registry.Native`) that the compiler picks
where the name is fixed after the init pass, binding the channel's data at
init.  chnset a, chnmix and chnclear use the channel bound at init whatever
the name does later, so their perf functions are kernels outright.  The other
opcodes move strings or call the host, and stay in Python.
"""

from __future__ import annotations

import itertools
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from numba import objmode
from numba.core.errors import NumbaWarning

from .._jit import at, helper, kernel
from ..engine.context import StrVar
from ..errors import InitError, PerfError
from . import _native_text as nt
from ._native_text import bind_channel
from ._registry import DIRECTORIES, Native, NativeInit, State, defop, i64
from .strings import to_bytes

CSOUND_ERROR = -1
CSOUND_MEMORY = -4
CONTROL, AUDIO, STRING, PVS, VAR, ARRAY = 1, 2, 3, 4, 5, 6
TYPE_MASK = 15
INPUT, OUTPUT = 16, 32
NO_HINTS, HINT_INT, HINT_LIN, HINT_EXP = 0, 1, 2, 3

KIND_NAMES = {CONTROL: "control", AUDIO: "audio", STRING: "string", PVS: "pvs", ARRAY: "array"}


@dataclass
class ChannelHints:
    """Csound's controlChannelHints_t."""

    behav: int = NO_HINTS
    dflt: float = 0.0
    min: float = 0.0
    max: float = 0.0
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0
    attributes: str | None = None


class Channel:
    """One named channel: type bits (kind | 16 input | 32 output), data, hints."""

    __slots__ = ("name", "_type", "data", "hints", "_input_seen")

    def __init__(self, name: str, type: int, data: Any) -> None:
        self.name = name
        self._type = type
        self.data = data
        self.hints = ChannelHints()
        self._input_seen: np.ndarray | None = None

    @property
    def type(self) -> int:
        seen = self._input_seen
        if seen is not None and seen[0] != 0.0:
            self._type |= INPUT
            self._input_seen = None
        return self._type

    @type.setter
    def type(self, value: int) -> None:
        self._type = value

    @property
    def kind(self) -> int:
        return self.type & TYPE_MASK

    def input_on_perf(self) -> np.ndarray:
        """A flag that a native chnset:k kernel sets when it runs: from then on
        the channel has the input bit, as after the Python perf's first call
        (its re-lookup as an input channel)."""
        if self._input_seen is None:
            self._input_seen = np.zeros(1)
        return self._input_seen


class ChannelBus:
    """The engine's channel database (Csound's chn_db).

    Creating channels takes a lock, so the API may create them from any thread
    while the engine runs; reading and writing channel data needs none (one
    float64 store is atomic, and the GIL serialises block copies).
    """

    def __init__(self, ksmps: int | None = None) -> None:
        self.ksmps = ksmps
        self.channels: dict[str, Channel] = {}
        self.lock = threading.Lock()
        self.host: Any = None  # the Csound object handed to invalue/outvalue callbacks
        self.input_callback: Callable | None = None
        self.output_callback: Callable | None = None
        self._directory: np.ndarray | None = None  # see `native`
        self._rows: dict[str, int] = {}
        self._listed: list = []  # data the directory points or pointed at: kept alive

    def native(self) -> np.ndarray:
        """The channel directory for native inits (`_native_text`): made on
        first use, then kept up to date as channels appear or change."""
        if self._directory is None:
            self._directory = np.zeros((nt.CH_ROWS, nt.CH_COLS), dtype=np.int64)
            for chan in list(self.channels.values()):
                self._list(chan)
        return self._directory

    def _list(self, chan: Channel) -> None:
        """Write a channel's directory row (its type last: 0 means no row yet)."""
        directory = self._directory
        if directory is None:
            return
        name = to_bytes(chan.name)
        row = self._rows.get(chan.name)
        if row is None:
            if not 0 < len(name) < nt.CH_NAME_BYTES or len(self._rows) >= nt.CH_ROWS:
                return
            row = self._rows[chan.name] = len(self._rows)
        data = chan.data
        if not self._listed or self._listed[-1] is not data:
            self._listed.append(data)  # compiled notes may still point at replaced data
        directory[row, nt.CH_TYPE] = 0
        if isinstance(data, np.ndarray) and data.ndim == 1 and data.dtype == np.float64 \
                and data.flags.c_contiguous:
            directory[row, nt.CH_ADDR] = data.__array_interface__["data"][0]
            directory[row, nt.CH_LEN] = data.shape[0]
        else:
            directory[row, nt.CH_ADDR] = directory[row, nt.CH_LEN] = 0
        directory[row, nt.CH_NAMELEN] = len(name)
        directory[row, nt.CH_NAME:] = nt.pack_name(name)
        directory[row, nt.CH_TYPE] = chan.type

    def find(self, name: str) -> Channel | None:
        return self.channels.get(name) if name else None

    def _new_data(self, kind: int) -> Any:
        if kind == CONTROL:
            return np.zeros(1)
        if kind == AUDIO:
            if self.ksmps is None:
                return None
            return np.zeros(self.ksmps)
        if kind == STRING:
            return StrVar("")
        return None

    def get(self, name: str | None, type: int) -> tuple[int, Channel | None]:
        """csoundGetChannelPtr: (0, channel), (existing type, None) on a kind
        mismatch, or (CSOUND_ERROR | CSOUND_MEMORY, None)."""
        if name is None:
            return CSOUND_ERROR, None
        with self.lock:
            chan = self.find(name)
            if chan is None:
                # compat: an invalid type or an empty name fails without a channel.
                if not type & (INPUT | OUTPUT) or not name:
                    return CSOUND_ERROR, None
                data = self._new_data(type & TYPE_MASK)
                if data is None:
                    return CSOUND_MEMORY, None
                chan = Channel(name, type, data)
                self.channels[name] = chan
            if (chan.type ^ type) & TYPE_MASK:
                return chan.type, None
            bits = chan.type | type & (INPUT | OUTPUT)
            if bits != chan.type or name not in self._rows:
                chan.type = bits
                self._list(chan)
            return 0, chan

    def export(self, name: str, type: int, data: Any) -> int:
        """Create a channel whose storage is an existing variable (chnexport)."""
        with self.lock:
            if not name or not type & (INPUT | OUTPUT):
                return CSOUND_ERROR
            chan = self.channels[name] = Channel(name, type, data)
            self._list(chan)
            return 0

    def set_hints(self, name: str, hints: ChannelHints) -> int:
        """csoundSetControlChannelHints."""
        chan = self.find(name)
        if chan is None or chan.kind != CONTROL:
            return CSOUND_ERROR
        if hints.behav == NO_HINTS:
            chan.hints.behav = NO_HINTS
            return 0
        if hints.behav == HINT_INT:
            hints.dflt, hints.min, hints.max = (float(round(v))
                                                for v in (hints.dflt, hints.min, hints.max))
        if (hints.min > hints.max or hints.dflt < hints.min or hints.dflt > hints.max
                or (hints.behav == HINT_EXP and hints.min * hints.max <= 0.0)):
            return CSOUND_ERROR
        chan.hints = hints
        return 0

    def sorted_channels(self) -> list[Channel]:
        with self.lock:
            return [self.channels[k] for k in sorted(self.channels)]

    def clear(self) -> None:
        with self.lock:
            self.channels.clear()
            self._rows.clear()
            if self._directory is not None:
                self._directory[:] = 0


def bus_of(engine: Any) -> ChannelBus:
    """The engine's bus, created on first use."""
    bus = engine.globals.get("channels")
    if bus is None:
        bus = ChannelBus(int(engine.consts.ksmps))
        engine.globals["channels"] = bus
    elif bus.ksmps is None:
        bus.ksmps = int(engine.consts.ksmps)
    return bus


DIRECTORIES["channels"] = lambda engine: bus_of(engine).native()


def _chn_err_text(err: int) -> str:
    if err == CSOUND_MEMORY:
        return "memory allocation failure"
    if err < 0:
        return "invalid channel name"
    return "channel already exists with incompatible type"


def _get_or_init_error(ic, name: str, type: int) -> Channel:
    err, chan = bus_of(ic.engine).get(name, type)
    if err:
        raise InitError(_chn_err_text(err))
    return chan


def _mode_bits(imode: float) -> int:
    mode = int(round(imode))
    if mode < 1 or mode > 3:
        raise InitError("invalid mode parameter")
    return (INPUT if mode & 1 else 0) | (OUTPUT if mode & 2 else 0)


class _Binding:
    """Per call site: the channel a k/a-rate opcode resolved, and under which name."""

    __slots__ = ("name", "chan", "broken")

    def __init__(self) -> None:
        self.name: str | None = None
        self.chan: Channel | None = None
        self.broken = False

    def resolve(self, pc, opname: str, name: str, type: int) -> bool:
        """Re-resolve after a name change; on failure Csound warns and the
        opcode turns into its 'not initialised' stub."""
        err, chan = bus_of(pc.engine).get(name, type)
        if err:
            pc.warning(_chn_err_text(err))
            self.broken = True
            return False
        self.chan, self.name = chan, name
        return True


def _check_broken(b: _Binding, opname: str) -> None:
    if b.broken:
        raise PerfError(f"{opname}: not initialised")


# A native kernel cannot print: a warning it owes is kept here, under a key in
# its state, and printed by `_emit_deferred` from an object-mode block.
_DEFERRED: dict[int, tuple[Callable[[str], None], str]] = {}
_deferred_keys = itertools.count(1)

# numba notes that an object-mode block in a nogil kernel takes the GIL: it
# runs once, on an error path.
warnings.filterwarnings("ignore", message=r".*Code running in object mode won't allow parallel",
                        category=NumbaWarning)


def _defer_warning(ic, text: str) -> int:
    key = next(_deferred_keys)
    _DEFERRED[key] = (ic.engine.warning, text)
    return key


def _emit_deferred(key: int) -> None:
    warn, text = _DEFERRED.pop(key, (None, ""))
    if warn is not None:
        warn(text)


# ---------------------------------------------------------------- chnget


def chnget_i_init(s, ic, ir, Sname):
    ir[0] = _get_or_init_error(ic, Sname, CONTROL | INPUT).data[0]


def _chnget_init(kind: int):
    def init(s, ic, out, Sname):
        b = _Binding()
        err, chan = bus_of(ic.engine).get(Sname, kind | INPUT)
        if not err:
            b.chan, b.name = chan, Sname
        return (b,)
    return init


def chnget_k_perf(s, pc, b, kr, Sname, n0, n1):
    _check_broken(b, "chnget")
    name = Sname.value
    if name != b.name or not name:
        if not b.resolve(pc, "chnget", name, CONTROL | INPUT):
            return
    kr[0] = b.chan.data[0]


def chnget_a_perf(s, pc, b, ar, Sname, n0, n1):
    _check_broken(b, "chnget")
    name = Sname.value
    if name != b.name or not name:
        if not b.resolve(pc, "chnget", name, AUDIO | INPUT):
            return
    ar[n0:n1] = b.chan.data[n0:n1]


# Native variants (fixed name).  An init that finds no channel leaves the
# kernel unbound: as the Python perf's re-lookup of the same name fails again,
# its first call prints the lookup's warning and later calls are errors.
CHNGET = State(unbound=i64, key=i64)


def chnget_native_deinit(s, inst) -> None:
    """Forget the warning of a note that ends before its first perf."""
    if s.unbound == 1:
        _DEFERRED.pop(s.key, None)


def _chnget_native_init(kind: int):
    def init(s, ic, out, Sname):
        chnget_native_deinit(s, ic.instance)  # a reinit drops a warning still owed
        err, chan = bus_of(ic.engine).get(Sname, kind | INPUT)
        if not err:
            s.unbound = 0
            return (chan.data,)
        s.unbound = 1
        s.key = _defer_warning(ic, _chn_err_text(err))
        return (np.zeros(out.shape[0]),)
    return init


@helper
def _chnget_unbound(s):
    if s.unbound == 1:
        s.unbound = 2
        key = s.key
        with objmode():
            _emit_deferred(key)
    else:
        raise PerfError("chnget: not initialised")


@kernel
def chnget_k_native(s, ctx, fp, kr, Sname, n0, n1):
    if s.unbound != 0:
        _chnget_unbound(s)
        return
    kr[0] = fp[0]


@kernel
def chnget_a_native(s, ctx, fp, ar, Sname, n0, n1):
    if s.unbound != 0:
        _chnget_unbound(s)
        return
    for n in range(n0, n1):
        ar[n] = fp[n]


def chnget_S_init(s, ic, Sout, Sname):
    err, chan = bus_of(ic.engine).get(Sname, STRING | INPUT)
    if not err:
        Sout.value = chan.data.value


def chnget_S_perf(s, pc, Sout, Sname, n0, n1):
    err, chan = bus_of(pc.engine).get(Sname.value, STRING | INPUT)
    if err:
        # compat: Csound reports this as an init error even at perf time.
        raise PerfError(_chn_err_text(err))
    Sout.value = chan.data.value


defop("chnget", "i", "S", None, chnget_i_init)
defop("chnget", "k", "S", None, _chnget_init(CONTROL), chnget_k_perf, python_perf=True,
      arrays=("binding",),
      native=Native(_chnget_native_init(CONTROL), chnget_k_native, ("fp",), CHNGET,
                    chnget_native_deinit))
defop("chnget", "a", "S", None, _chnget_init(AUDIO), chnget_a_perf, python_perf=True,
      arrays=("binding",),
      native=Native(_chnget_native_init(AUDIO), chnget_a_native, ("fp",), CHNGET,
                    chnget_native_deinit))
defop("chnget", "S", "S", None, chnget_S_init, chnget_S_perf, python_perf=True)
defop("chngetks", "S", "S", None, None, chnget_S_perf, python_perf=True)


# ---------------------------------------------------------------- chnset


def chnset_i_init(s, ic, ivalue, Sname):
    _get_or_init_error(ic, Sname, CONTROL | OUTPUT).data[0] = ivalue


def chnset_k_init(s, ic, kvalue, Sname):
    _get_or_init_error(ic, Sname, CONTROL | OUTPUT)
    # compat: Csound's init never records the name, so the first perf call
    # looks the channel up again, as an *input* channel (adding the input bit).
    return (_Binding(),)


def chnset_k_perf(s, pc, b, kvalue, Sname, n0, n1):
    _check_broken(b, "chnset")
    name = Sname.value
    if name != b.name:
        if not b.resolve(pc, "chnset", name, CONTROL | INPUT):
            return
    b.chan.data[0] = kvalue[()]


def chnset_k_native_init(s, ic, kvalue, Sname):
    chan = _get_or_init_error(ic, Sname, CONTROL | OUTPUT)
    return (chan.data, chan.input_on_perf())


@kernel
def chnset_k_native(s, ctx, fp, seen, kvalue, Sname, n0, n1):
    seen[0] = 1.0
    fp[0] = at(kvalue, 0)


def chnset_a_init(s, ic, asig, Sname):
    return (_get_or_init_error(ic, Sname, AUDIO | OUTPUT).data,)


@kernel
def chnset_a_perf(s, ctx, fp, asig, Sname, n0, n1):
    ksmps = fp.shape[0]
    for n in range(n0):
        fp[n] = 0.0
    for n in range(n0, n1):
        fp[n] = asig[n]
    if n1 < ksmps:
        # compat: Csound clears from index `early` (not ksmps - early) to the end.
        for n in range(ksmps - n1, ksmps):
            fp[n] = 0.0


def _set_string(chan: Channel, value: str) -> None:
    chan.data.value = value


def chnset_S_init(s, ic, Svalue, Sname):
    _set_string(_get_or_init_error(ic, Sname, STRING | OUTPUT), Svalue)


def chnset_S_perf(s, pc, Svalue, Sname, n0, n1):
    err, chan = bus_of(pc.engine).get(Sname.value, STRING | OUTPUT)
    if err:
        return  # compat: Csound returns the error code without a message
    if chan.data.value != Svalue.value:
        _set_string(chan, Svalue.value)


defop("chnset", "", "iS", None, chnset_i_init)
defop("chnset", "", "kS", None, chnset_k_init, chnset_k_perf, python_perf=True,
      arrays=("binding",),
      native=Native(chnset_k_native_init, chnset_k_native, ("fp", "input_seen")))
defop("chnset", "", "aS", None, chnset_a_init, chnset_a_perf, arrays=("fp",))
defop("chnset", "", "SS", None, chnset_S_init, chnset_S_perf, python_perf=True)
defop("chnsetks", "", "SS", None, None, chnset_S_perf, python_perf=True)


# ---------------------------------------------------------------- chnmix, chnclear


def chnmix_init(s, ic, asig, Sname):
    return (_get_or_init_error(ic, Sname, AUDIO | OUTPUT).data,)


@kernel
def chnmix_perf(s, ctx, fp, asig, Sname, n0, n1):
    for n in range(n0, n1):
        fp[n] += asig[n]


def chnclear_init(s, ic, names):
    bufs = tuple(_get_or_init_error(ic, name, AUDIO | OUTPUT).data for name in names)
    # numba cannot iterate an empty tuple: with no names, clear a scratch block
    return (bufs or (np.zeros(1),),)


@kernel
def chnclear_perf(s, ctx, bufs, names, n0, n1):
    for fp in bufs:
        fp[:] = 0.0


@kernel
def chnmix_init_native(s, ctx, tabs, chans, fp_addr, fp_shape, asig, Sname):
    """`chnmix_init` for compiled note starts: binds a listed audio channel
    that is already an output."""
    return 0 if bind_channel(chans, Sname, AUDIO | OUTPUT, fp_addr, fp_shape) else 1


@kernel
def chnclear_init_native(s, ctx, tabs, chans, fps_addr, fps_shape, names):
    """`chnclear_init` for compiled note starts (at least one name)."""
    for n in range(len(names)):
        if not bind_channel(chans, names[n], AUDIO | OUTPUT, fps_addr[n:n + 1],
                            fps_shape[n]):
            return 1
    return 0


def _some_names(op) -> bool:
    return len(op.ins) > 0


defop("chnmix", "", "aS", None, chnmix_init, chnmix_perf, arrays=("fp",),
      native_init=NativeInit(chnmix_init_native, aux=("ref",), strings=True, dirs=("channels",)))
defop("chnclear", "", "W", None, chnclear_init, chnclear_perf, arrays=("fps",),
      native_init=NativeInit(chnclear_init_native, aux=("ref",), strings=True, dirs=("channels",),
                             accepts=_some_names))


# ---------------------------------------------------------------- declarations


def _chn_k(ic, Sname: str, mode_bits: int, itype, idflt, imin, imax, ix, iy, iwidth, iheight,
           attributes) -> None:
    _get_or_init_error(ic, Sname, CONTROL | mode_bits)
    kind = int(round(itype))
    hints = ChannelHints()
    if kind in (HINT_INT, HINT_LIN, HINT_EXP):
        hints.behav = kind
    if kind != 0:
        hints.attributes = attributes[0] if attributes else None
        hints.dflt, hints.min, hints.max = idflt, imin, imax
        hints.x, hints.y, hints.width, hints.height = ix, iy, iwidth, iheight
    if bus_of(ic.engine).set_hints(Sname, hints):
        raise InitError("invalid channel parameters")


def chn_k_init(s, ic, Sname, imode, itype, idflt, imin, imax, ix, iy, iwidth, iheight, rest):
    _chn_k(ic, Sname, _mode_bits(imode), itype, idflt, imin, imax, ix, iy, iwidth, iheight,
           rest)


def chn_k_init_S(s, ic, Sname, Smode, itype, idflt, imin, imax, ix, iy, iwidth, iheight, rest):
    modes = {"rw": INPUT | OUTPUT, "r": INPUT, "w": OUTPUT}
    if Smode not in modes:
        raise InitError("invalid mode, should be r, w, rw")
    _chn_k(ic, Sname, modes[Smode], itype, idflt, imin, imax, ix, iy, iwidth, iheight, rest)


def _declare(kind: int):
    def init(s, ic, Sname, imode):
        _get_or_init_error(ic, Sname, kind | _mode_bits(imode))
    return init


defop("chn_k", "", "SiooooooooN", None, chn_k_init)
defop("chn_k", "", "SSooooooooN", None, chn_k_init_S)
defop("chn_a", "", "Si", None, _declare(AUDIO))
defop("chn_S", "", "Si", None, _declare(STRING))


def _export_target(ic) -> str | None:
    """Name of the output variable of this chnexport call (must be global)."""
    inst = ic.instance
    op_index = getattr(ic, "op_index", None)
    if inst is None or op_index is None:
        return None
    outs = inst.idef.ir.ops[op_index].outs
    if len(outs) != 1 or outs[0].scope != "global":
        return None
    return outs[0].name


def chnexport_init(s, ic, out, Sname, imode, idflt=0.0, imin=0.0, imax=0.0, *_unused):
    name = _export_target(ic)
    if name is None or len(name) < 2 or name[0] != "g" or name[1] not in "ikaS":
        raise InitError("invalid export variable")
    kind = {"a": AUDIO, "S": STRING}.get(name[1], CONTROL)
    type = kind | _mode_bits(imode)
    bus = bus_of(ic.engine)
    if bus.find(Sname) is not None:
        raise InitError("channel already exists")
    err = bus.export(Sname, type, out)
    if err:
        raise InitError(_chn_err_text(err))
    if kind != CONTROL:
        return
    hints = ChannelHints(HINT_LIN, idflt, imin, imax)
    if bus.set_hints(Sname, hints):
        raise InitError("invalid channel parameters")


def chnexport_ik_init(s, ic, out, Sname, imode, itype, idflt, imin, imax):
    chnexport_init(s, ic, out, Sname, imode, idflt, imin, imax)


defop("chnexport", "i", "Sioooo", None, chnexport_ik_init)
defop("chnexport", "k", "Sioooo", None, chnexport_ik_init)
defop("chnexport", "a", "Si", None, chnexport_init)
defop("chnexport", "S", "Si", None, chnexport_init)


def chnparams_init(s, ic, itype, imode, ictltype, idflt, imin, imax, Sname):
    for out in (itype, imode, ictltype, idflt, imin, imax):
        out[0] = 0.0
    chan = bus_of(ic.engine).find(Sname)
    if chan is None:
        return
    itype[0] = chan.type & TYPE_MASK
    imode[0] = (chan.type & 48) >> 4
    if chan.kind == CONTROL:
        h = chan.hints
        ictltype[0], idflt[0], imin[0], imax[0] = h.behav, h.dflt, h.min, h.max


defop("chnparams", "iiiiii", "S", None, chnparams_init)


# ---------------------------------------------------------------- invalue, outvalue
# The host callbacks get (csound, channel name, value, type letter): for a
# number, `value` is a 1-element float64 array (invalue: write value[0]); for
# a string, invalue passes a StrVar (set `.value`) and outvalue the str.


class _Valued:
    """Per call site of invalue/outvalue: channel name, type letter, channel."""

    __slots__ = ("name", "letter", "chan")

    def __init__(self, name: str, letter: str, chan: Channel) -> None:
        self.name, self.letter, self.chan = name, letter, chan


def _channel_name(valid) -> str:
    return valid if isinstance(valid, str) else "%d" % int(round(valid))


def _inval(pc, v: _Valued, out) -> None:
    bus = bus_of(pc.engine)
    if bus.input_callback is not None:
        bus.input_callback(bus.host, v.name, out, v.letter)
    elif isinstance(out, StrVar):
        out.value = ""
    else:
        out[0] = 0.0


def _invalue_init(letter: str, again: bool):
    def init(s, ic, out, valid):
        name = _channel_name(valid)
        kind = STRING if letter == "S" else CONTROL
        v = _Valued(name, letter, _get_or_init_error(ic, name, kind | INPUT))
        _inval(ic, v, out)
        if bus_of(ic.engine).input_callback is None:
            ic.warning("InputChannelCallback not set.")
        if again:
            # compat: invalue at i-rate asks the host twice (invalsetgo).
            _inval(ic, v, out)
        return (v,)
    return init


def invalue_perf(s, pc, v, out, valid, n0, n1):
    _inval(pc, v, out)


def _outval(pc, v: _Valued, value) -> None:
    bus = bus_of(pc.engine)
    if bus.output_callback is None:
        return
    if v.letter == "S":
        bus.output_callback(bus.host, v.name, value, "S")
        return
    bus.output_callback(bus.host, v.name, np.array([value]), "k")
    v.chan.data[0] = value


def _outvalue_init(letter: str):
    def init(s, ic, valid, value):
        name = _channel_name(valid)
        kind = STRING if letter == "S" else CONTROL
        v = _Valued(name, letter, _get_or_init_error(ic, name, kind | OUTPUT))
        _outval(ic, v, value)
        if bus_of(ic.engine).output_callback is None:
            ic.warning("OutputChannelCallback not set.")
        return (v,)
    return init


def outvalue_perf(s, pc, v, valid, value, n0, n1):
    _outval(pc, v, value.value if isinstance(value, StrVar) else float(value[()]))


defop("invalue", "k", "i", None, _invalue_init("k", False), invalue_perf, python_perf=True,
      arrays=("chan",))
defop("invalue", "i", "i", None, _invalue_init("k", True))
defop("invalue", "i", "S", None, _invalue_init("k", True))
defop("invalue", "k", "S", None, _invalue_init("k", False), invalue_perf, python_perf=True,
      arrays=("chan",))
defop("invalue", "S", "i", None, _invalue_init("S", False), invalue_perf, python_perf=True,
      arrays=("chan",))
defop("invalue", "S", "S", None, _invalue_init("S", False), invalue_perf, python_perf=True,
      arrays=("chan",))
defop("outvalue", "", "ik", None, _outvalue_init("k"), outvalue_perf, python_perf=True,
      arrays=("chan",))
defop("outvalue", "", "ii", None, _outvalue_init("k"))
defop("outvalue", "", "Si", None, _outvalue_init("k"))
defop("outvalue", "", "Sk", None, _outvalue_init("k"), outvalue_perf, python_perf=True,
      arrays=("chan",))
defop("outvalue", "", "iS", None, _outvalue_init("S"), outvalue_perf, python_perf=True,
      arrays=("chan",))
defop("outvalue", "", "SS", None, _outvalue_init("S"), outvalue_perf, python_perf=True,
      arrays=("chan",))
