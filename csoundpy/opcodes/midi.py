"""MIDI input opcodes: channel assignment, note data, controllers, pitch bend,
aftertouch and the MIDI interop opcodes.

Follows OOps/midiops.c (massign pgmassign notnum veloc *midi *midib ampmidi
aftouch pchbend midictrl polyaft chanctrl ctrlinit midichn midiin cpstmid),
Opcodes/midiops2.c (ctrl7/14/21, midic7/14/21, initc7/14/21, midipgm),
OOps/midiinterop.c (midinoteon*, midicontrolchange, ... mididefault),
Opcodes/ampmidid.cpp (ampmidid, ampmidicurve) and InOut/midifile.c
(miditempo, midifilestatus).  Channel state and the note's MIDI data come from
`csoundpy.engine.midi`: a note started by MIDI has `inst.midi`; for a score
note the key and velocity read as 0 and channel values as Csound's MIDI_VALUE
gives them (0).  Kernels read a channel's numeric row (controllers, aftertouch,
bend...) as an aux array.  Deviation: the i-rate ctrl14/ctrl21/midic21 use the
table they just looked up for its length (Csound reads an unset pointer there).
MIDI output opcodes are not provided.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..engine.midi import (CH_AFTOUCH, CH_CTL, CH_PBENSENS, CH_PCHBEND, CH_PGMNO, CH_POLYAFT,
                           CH_SIZE, MIDIIN_SIZE, midi_state)
from ..errors import InitError
from ._registry import State, defop, f64, i64
from .pitch import OCTRES, _cpsoctl, _trunc_i32

DV127 = 1.0 / 127.0
ONE_7BIT = 1.0 / 127.0
ONE_14BIT = 1.0 / 16383.0
F21BIT = 2097151.0
ONE_21BIT = 1.0 / 2097151.0


# ---------------------------------------------------------------------- access
def _note(ic):
    """The MidiNote of the current note (None for a score note or instr 0)."""
    inst = ic.instance
    return getattr(inst.root(), "midi", None) if inst is not None else None


def _key_vel(ic) -> tuple[int, int]:
    note = _note(ic)
    return (note.key, note.vel) if note is not None else (0, 0)


def _note_row(ic) -> np.ndarray:
    """The note's channel row, or zeros (MIDI_VALUE of a note without a channel)."""
    note = _note(ic)
    return midi_state(ic.engine).data[note.chan] if note is not None else np.zeros(CH_SIZE)


def _chan_row(ic, ichan: float, message: str = "illegal midi channel") -> np.ndarray:
    chan = int(ichan) - 1
    if not 0 <= chan <= 15:
        raise InitError(message)
    return midi_state(ic.engine).data[chan]


def _ctlno(x: float) -> int:
    n = int(x)
    if not 0 <= n <= 127:
        raise InitError("illegal controller number")
    return n


def _pch(octave: float) -> float:
    frac, whole = math.modf(octave)
    return whole + frac * 0.12


# ---------------------------------------------------------------------- assignment
def _instr_arg(ic, insno) -> int:
    if isinstance(insno, str):
        number = ic.engine.names.get(insno) if hasattr(ic.engine, "names") else None
        if number is None:
            raise InitError(f"instr {insno} not found")
        return int(number)
    return int(insno)


def massign_init(s, ic, ichnl, insnum, ireset):
    state = midi_state(ic.engine)
    insno = _instr_arg(ic, insnum)
    if isinstance(insnum, str) and insno <= 0:
        raise InitError(f"instr {insnum} not found")
    chnl = int(ichnl + 0.5) - 1
    channels = [chnl] if chnl >= 0 else range(16)
    for c in channels:
        state.assign(c, insno, ireset != 0.0)


defop("massign", "", "iip", None, massign_init)
defop("massign", "", "iSp", None, massign_init)


def pgmassign_init(s, ic, ipgm, inst, ichn):
    state = midi_state(ic.engine)
    chn = int(ichn + 0.5)
    if not 0 <= chn <= 16:
        raise InitError("illegal channel number")
    ins = _instr_arg(ic, inst) if isinstance(inst, str) else int(inst + 0.5)
    channels = range(16) if chn == 0 else [chn - 1]
    if ipgm < 0.5:
        pgms = range(128)
    else:
        pgm = int(ipgm - 0.5)
        if pgm > 127:
            raise InitError("pgmassign: invalid program number")
        pgms = [pgm]
    for c in channels:
        for pgm in pgms:
            state.channels[c].pgm2ins[pgm] = ins


defop("pgmassign", "", "iio", None, pgmassign_init)
defop("pgmassign", "", "iSo", None, pgmassign_init)


def ctrlinit_init(s, ic, ichnl, pairs):
    if len(pairs) % 2:
        raise InitError("uneven ctrl pairs")
    row = midi_state(ic.engine).data[int(ichnl - 0.5)]
    for i in range(0, len(pairs), 2):
        ctlno = int(pairs[i])
        if not 0 <= ctlno <= 127:
            raise InitError("illegal ctrl no")
        val = pairs[i + 1]
        if val < 0.0 or val > 127.0:
            raise InitError("Value out of range [0,127]")
        row[CH_CTL + ctlno] = val


defop("ctrlinit", "", "im", None, ctrlinit_init)


def _initc(ic, ivalue, ichan, ctlnos, bits):
    if ivalue < 0.0 or ivalue > 1.0:
        raise InitError("value out of range")
    row = _chan_row(ic, ichan)
    if bits == 7:
        row[CH_CTL + int(ctlnos[0])] = ivalue * 127.0 + 0.5
        return
    value = int(np.rint(ivalue * ((1 << bits) - 1)))
    last = len(ctlnos) - 1
    for i, ctl in enumerate(ctlnos):
        part = value >> (7 * (last - i))  # most significant part first, unmasked
        row[CH_CTL + int(ctl)] = part & 0x7F if i else part


defop("initc7", "", "iii", None,
      lambda s, ic, ichan, ictlno, ivalue: _initc(ic, ivalue, ichan, (ictlno,), 7))
defop("initc14", "", "iiii", None,
      lambda s, ic, ichan, ic1, ic2, ivalue: _initc(ic, ivalue, ichan, (ic1, ic2), 14))
defop("initc21", "", "iiiii", None,
      lambda s, ic, ichan, ic1, ic2, ic3, ivalue: _initc(ic, ivalue, ichan, (ic1, ic2, ic3), 21))


# ---------------------------------------------------------------------- note data
def notnum_init(s, ic, r):
    r[0] = _key_vel(ic)[0]


def veloc_init(s, ic, r, ilo, ihi):
    r[0] = ilo + _key_vel(ic)[1] * (ihi - ilo) * DV127


def octmidi_init(s, ic, r):
    r[0] = _key_vel(ic)[0] / 12.0 + 3.0


def pchmidi_init(s, ic, r):
    r[0] = _pch(_key_vel(ic)[0] / 12.0 + 3.0)


def cpsmidi_init(s, ic, r):
    r[0] = _cpsoctl(int((_key_vel(ic)[0] / 12.0 + 3.0) * OCTRES), ic.consts.a4)


def midichn_init(s, ic, r):
    note = _note(ic)
    r[0] = note.chan + 1 if note is not None else 0.0


defop("notnum", "i", "", None, notnum_init)
defop("veloc", "i", "oh", None, veloc_init)
defop("octmidi", "i", "", None, octmidi_init)
defop("pchmidi", "i", "", None, pchmidi_init)
defop("cpsmidi", "i", "", None, cpsmidi_init)
defop("midichn", "i", "", None, midichn_init)


def ampmidi_init(s, ic, r, iscal, ifn):
    amp = _key_vel(ic)[1] / 128.0
    if int(ifn) > 0:
        ft = ic.table(ifn)
        amp = ft.data[int(amp * ft.size)]
    r[0] = amp * iscal


defop("ampmidi", "i", "io", None, ampmidi_init)


def cpstmid_init(s, ic, r, ifn):
    table = ic.engine.tables.get(int(ifn)) if ifn >= 1 else None
    if table is None:
        raise InitError("cpstabm: invalid modulator table")
    func = table.data
    numgrades, interval, basefreq, basekey = int(func[0]), func[1], func[2], int(func[3])
    key = _key_vel(ic)[0]
    if key < basekey:
        key = basekey - key
        grade = (numgrades - key % numgrades) % numgrades
        factor = -float((key + numgrades - 1) // numgrades)
    else:
        key -= basekey
        grade = key % numgrades
        factor = float(key // numgrades)
    r[0] = func[4 + grade] * interval ** factor * basefreq


defop("cpstmid", "i", "i", None, cpstmid_init)


# ---------------------------------------------------------------------- bent pitch
MIDIB = State(key=f64, scale=f64, mode=i64)
OCT, PCH, CPS = 0, 1, 2


@helper
def _bent(mode, key, bend, scale, a4):
    """octmidib / pchmidib / cpsmidib of a key bent by `bend` * `scale` semitones."""
    oct_ = (key + bend * scale) / 12.0 + 3.0
    if mode == OCT:
        return oct_
    if mode == PCH:
        whole = math.floor(oct_) if oct_ >= 0.0 else math.ceil(oct_)
        return whole + (oct_ - whole) * 0.12
    return _cpsoctl(_trunc_i32(oct_ * OCTRES), a4)


def _midib_setup(s, ic, iscal, mode):
    """midibset: the bend range from the argument, else the channel's (2 without one)."""
    row = _note_row(ic)
    s.key = _key_vel(ic)[0]
    s.mode = mode
    if iscal > 0.0:
        s.scale = iscal
    elif _note(ic) is not None:
        s.scale = row[CH_PBENSENS]
    else:
        s.scale = 2.0
    return row


@kernel
def midib_perf(s, ctx, row, r, iscal, n0, n1):
    """octmidib / pchmidib / cpsmidib (k): the note's pitch with the channel's bend."""
    r[0] = _bent(s.mode, s.key, row[CH_PCHBEND], s.scale, ctx.a4)


for _name, _mode in (("octmidib", OCT), ("pchmidib", PCH), ("cpsmidib", CPS)):
    def _midib_i(s, ic, r, iscal, _mode=_mode):
        row = _midib_setup(s, ic, iscal, _mode)
        r[0] = _bent(_mode, s.key, row[CH_PCHBEND], s.scale, float(ic.consts.a4))

    def _midib_k(s, ic, r, iscal, _mode=_mode):
        return (_midib_setup(s, ic, iscal, _mode),)

    defop(_name, "i", "o", MIDIB, _midib_i)
    defop(_name, "k", "o", MIDIB, _midib_k, midib_perf, arrays=("row",))


# ---------------------------------------------------------------------- scaled channel values
MAP = State(lo=f64, scale=f64, index=i64)


@kernel
def map_perf2(s, ctx, row, r, ilo, ihi, n0, n1):
    """aftouch / pchbend (k): lo + row[index] * scale."""
    r[0] = row[s.index] * s.scale + s.lo


@kernel
def map_perf3(s, ctx, row, r, ictlno, ilo, ihi, n0, n1):
    """midictrl / polyaft (k): lo + row[index] * scale."""
    r[0] = row[s.index] * s.scale + s.lo


@kernel
def map_perf4(s, ctx, row, r, ichano, ictlno, ilo, ihi, n0, n1):
    """chanctrl (k): lo + row[index] * scale."""
    r[0] = row[s.index] * s.scale + s.lo


def _map_setup(s, lo, scale, index):
    s.lo, s.scale, s.index = lo, scale, index


def aftouch_init(s, ic, r, ilo, ihi):
    _map_setup(s, ilo, (ihi - ilo) * DV127, CH_AFTOUCH)
    return (_note_row(ic),)


def pchbend_i(s, ic, r, ilo, ihi):
    r[0] = ilo + (ihi - ilo) * _note_row(ic)[CH_PCHBEND]


def pchbend_k(s, ic, r, ilo, ihi):
    _map_setup(s, ilo, ihi - ilo, CH_PCHBEND)
    return (_note_row(ic),)


def _ctl_i(base):
    def init(s, ic, r, ictlno, ilo, ihi):
        n = _ctlno(ictlno)
        r[0] = _note_row(ic)[base + n] * (ihi - ilo) * DV127 + ilo
    return init


def _ctl_k(base):
    def init(s, ic, r, ictlno, ilo, ihi):
        _map_setup(s, ilo, (ihi - ilo) * DV127, base + _ctlno(ictlno))
        return (_note_row(ic),)
    return init


def chanctrl_i(s, ic, r, ichano, ictlno, ilo, ihi):
    row = _chan_row(ic, ichano, "illegal channel number")
    r[0] = row[CH_CTL + _ctlno(ictlno)] * (ihi - ilo) * DV127 + ilo


def chanctrl_k(s, ic, r, ichano, ictlno, ilo, ihi):
    row = _chan_row(ic, ichano, "illegal channel number")
    _map_setup(s, ilo, (ihi - ilo) * DV127, CH_CTL + _ctlno(ictlno))
    return (row,)


defop("aftouch", "k", "oh", MAP, aftouch_init, map_perf2, arrays=("row",))
defop("pchbend", "i", "jp", MAP, pchbend_i)
defop("pchbend", "k", "jp", MAP, pchbend_k, map_perf2, arrays=("row",))
defop("midictrl", "i", "ioh", MAP, _ctl_i(CH_CTL))
defop("midictrl", "k", "ioh", MAP, _ctl_k(CH_CTL), map_perf3, arrays=("row",))
defop("polyaft", "i", "ioh", MAP, _ctl_i(CH_POLYAFT))
defop("polyaft", "k", "ioh", MAP, _ctl_k(CH_POLYAFT), map_perf3, arrays=("row",))
defop("chanctrl", "i", "iioh", MAP, chanctrl_i)
defop("chanctrl", "k", "iioh", MAP, chanctrl_k, map_perf4, arrays=("row",))


# ---------------------------------------------------------------------- 7/14/21-bit controllers
CTL = State(c1=i64, c2=i64, c3=i64, bits=i64, kdiv=i64, flag=i64, flen=f64, live=i64)


@helper
def _ctl_eval(s, row, ft, kmin, kmax):
    """ctrlN / midicN: the controllers as a value in [0, 1], table-mapped, then scaled."""
    if s.bits == 7:
        value = row[s.c1] * ONE_7BIT
    elif s.bits == 14:
        value = (row[s.c1] * 128 + row[s.c2]) * ONE_14BIT
    elif s.kdiv:  # compat: ctrl21's perf divides where every other variant multiplies
        value = (row[s.c1] * 16384 + row[s.c2] * 128 + row[s.c3]) / F21BIT
    else:
        value = (row[s.c1] * 16384 + row[s.c2] * 128 + row[s.c3]) * ONE_21BIT
    if s.flag:
        # 7-bit controllers truncate into the table, 14/21-bit ones interpolate
        value = min(max(value, 0.0), 1.0)
        phase = value * (s.flen - 1)
        i = int(phase)
        value = ft[i] if s.bits == 7 else ft[i] + (ft[i + 1] - ft[i]) * (phase - i)
    return value * (kmax - kmin) + kmin


@kernel
def ctrl7_perf(s, ctx, row, ft, r, ichan, ictlno, kmin, kmax, ifn, n0, n1):
    """ctrl7 (k): a 7-bit controller of a channel, scaled."""
    r[0] = _ctl_eval(s, row, ft, at(kmin, 0), at(kmax, 0))


@kernel
def ctrl14_perf(s, ctx, row, ft, r, ichan, ic1, ic2, kmin, kmax, ifn, n0, n1):
    """ctrl14 (k): a 14-bit controller pair of a channel, scaled."""
    r[0] = _ctl_eval(s, row, ft, at(kmin, 0), at(kmax, 0))


@kernel
def ctrl21_perf(s, ctx, row, ft, r, ichan, ic1, ic2, ic3, kmin, kmax, ifn, n0, n1):
    """ctrl21 (k): a 21-bit controller triple of a channel, scaled."""
    r[0] = _ctl_eval(s, row, ft, at(kmin, 0), at(kmax, 0))


@kernel
def midic7_perf(s, ctx, row, ft, r, ictlno, kmin, kmax, ifn, n0, n1):
    """midic7 (k): a 7-bit controller of the note's channel (MIDI notes only)."""
    if s.live:
        r[0] = _ctl_eval(s, row, ft, at(kmin, 0), at(kmax, 0))


@kernel
def midic14_perf(s, ctx, row, ft, r, ic1, ic2, kmin, kmax, ifn, n0, n1):
    """midic14 (k): a 14-bit controller pair of the note's channel."""
    if s.live:
        r[0] = _ctl_eval(s, row, ft, at(kmin, 0), at(kmax, 0))


@kernel
def midic21_perf(s, ctx, row, ft, r, ic1, ic2, ic3, kmin, kmax, ifn, n0, n1):
    """midic21 (k): a 21-bit controller triple of the note's channel."""
    if s.live:
        r[0] = _ctl_eval(s, row, ft, at(kmin, 0), at(kmax, 0))


def _def_ctl(name, bits, global_chan, perf):
    """The i and k rows of ctrlN (a given channel) or midicN (the note's channel)."""
    nctl = bits // 7

    def setup(s, ic, args, kperf):
        if global_chan:
            row, ctls, live = _chan_row(ic, args[0]), args[1:1 + nctl], True
        else:
            row, ctls, live = _note_row(ic), args[:nctl], _note(ic) is not None
        if not live:
            return row, np.zeros(2), False
        nums = [CH_CTL + _ctlno(c) for c in ctls] + [0, 0]
        s.c1, s.c2, s.c3 = nums[:3]
        s.bits, s.live, s.flag = bits, 1, 0
        s.kdiv = 1 if kperf and global_chan and bits == 21 else 0
        ft = np.zeros(2)
        if args[-1] > 0:
            table = ic.table(args[-1])
            ft, s.flen, s.flag = table.data, float(table.size), 1
        return row, ft, True

    def init_i(s, ic, r, *args):
        row, ft, live = setup(s, ic, args, False)
        if live:
            r[0] = _ctl_eval(s, row, ft, args[-3], args[-2])

    def init_k(s, ic, r, *args):
        return setup(s, ic, args, True)[:2]

    lead = "i" if global_chan else ""
    defop(name, "i", lead + "i" * nctl + "iio", CTL, init_i)
    defop(name, "k", lead + "i" * nctl + "kko", CTL, init_k, perf, arrays=("row", "ft"))


for _bits, _cperf, _mperf in ((7, ctrl7_perf, midic7_perf), (14, ctrl14_perf, midic14_perf),
                              (21, ctrl21_perf, midic21_perf)):
    _def_ctl(f"ctrl{_bits}", _bits, True, _cperf)
    _def_ctl(f"midic{_bits}", _bits, False, _mperf)


def midipgm_init(s, ic, r, ichn):
    r[0] = 0.0
    chan = int(np.rint(ichn))
    if chan > 16:
        raise InitError(f"invalid channel number: {chan}")
    if chan > 0:
        row = midi_state(ic.engine).data[chan - 1]
    elif _note(ic) is not None:
        row = _note_row(ic)
    else:
        return
    if row[CH_PGMNO] >= 0:
        r[0] = row[CH_PGMNO] + 1


defop("midipgm", "i", "o", None, midipgm_init)


# ---------------------------------------------------------------------- midiin
MIDIIN = State(local=i64)


def midiin_init(s, ic, *outs):
    state = midi_state(ic.engine)
    s.local = int(state.midiin_index[0]) & (MIDIIN_SIZE - 1)
    return state.midiin, state.midiin_index


@kernel
def midiin_perf(s, ctx, buf, index, kstatus, kchan, kdata1, kdata2, n0, n1):
    """midiin: the next message of the input buffer (status 0 when none)."""
    if s.local != index[0]:
        i = s.local
        kstatus[0] = buf[i, 0]
        kchan[0] = buf[i, 1]
        kdata1[0] = buf[i, 2]
        kdata2[0] = buf[i, 3]
        s.local = (i + 1) & (MIDIIN_SIZE - 1)
    else:
        kstatus[0] = 0.0


defop("midiin", "kkkk", "", MIDIIN, midiin_init, midiin_perf, arrays=("buf", "index"))


# ------------------------------------------------------------------ interop (writes its inputs)
def _write_arg(ic, pos, value):
    """At init: store `value` in the variable passed as input `pos`."""
    inst = ic.instance
    var = inst.idef.ir.ops[ic.op_index].ins[pos]
    if var.kind == "scalar":
        inst.write_scalar(var, value)
    elif var.kind == "audio":
        inst.out_obj(var)[0] = value


def _put(x, value):
    """At perf: store `value` in an input variable (0-d view or a-rate buffer)."""
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            x[()] = value
        else:
            x[0] = value


def _value(x):
    return float(x[()] if x.ndim == 0 else x[0]) if isinstance(x, np.ndarray) else float(x)


def _interop(name, ins, compute):
    """An interop opcode: `compute(note, row, args)` gives {input position: value}."""
    def init(s, ic, *args):
        note = _note(ic)
        if note is None:
            return
        for pos, value in compute(ic, note, _note_row(ic), [_value(a) for a in args]).items():
            _write_arg(ic, pos, value)

    def perf(s, pc, *args):
        note = _note(pc)
        if note is None:
            return
        args = args[:-2]
        for pos, value in compute(pc, note, _note_row(pc), [_value(a) for a in args]).items():
            _put(args[pos], value)

    defop(name, "", ins, None, init, perf, python_perf=True)


def _noteon(conv):
    return lambda ic, note, row, a: {0: conv(ic, note.key), 1: float(note.vel)}


_interop("midinoteoff", "xx", _noteon(lambda ic, k: float(k)))
_interop("midinoteonkey", "xx", _noteon(lambda ic, k: float(k)))
_interop("midinoteoncps", "xx", _noteon(
    lambda ic, k: _cpsoctl(int((k / 12.0 + 3.0) * OCTRES), float(ic.consts.a4))))
_interop("midinoteonoct", "xx", _noteon(lambda ic, k: k / 12.0 + 3.0))
_interop("midinoteonpch", "xx", _noteon(lambda ic, k: _pch(k / 12.0 + 3.0)))
_interop("midipolyaftertouch", "xxoh", lambda ic, note, row, a: {
    0: a[2] + row[CH_POLYAFT + int(a[1])] * ((a[3] - a[2]) * DV127)})
_interop("midicontrolchange", "xxoh", lambda ic, note, row, a: {
    0: a[2] + row[CH_CTL + int(a[1])] * ((a[3] - a[2]) * DV127)})
_interop("midiprogramchange", "x", lambda ic, note, row, a: {0: row[CH_PGMNO]})
_interop("midichannelaftertouch", "xoh", lambda ic, note, row, a: {
    0: a[1] + row[CH_AFTOUCH] * ((a[2] - a[1]) * DV127)})
# compat: midipitchbend scales the bend (-1..1) by (high - low) / 127 as Csound does
_interop("midipitchbend", "xoh", lambda ic, note, row, a: {
    0: a[1] + row[CH_PCHBEND] * ((a[2] - a[1]) * DV127)})
_interop("mididefault", "xx", lambda ic, note, row, a: {1: a[0]})


# ---------------------------------------------------------------------- velocity curves
AMPMIDID = State(im=f64, ib=f64, onedrms=f64, dbfs=f64)


def _ampmidid_setup(s, ic, irdb, iuse0dbfs):
    s.onedrms = 1.0 / 0.707
    ir = 10.0 ** (irdb / 20.0)
    s.ib = 127.0 / (126.0 * math.sqrt(ir)) - 1.0 / 126.0
    s.im = (1.0 - s.ib) / 127.0
    s.dbfs = ic.e0dbfs if iuse0dbfs == 0.0 else iuse0dbfs


@kernel
def ampmidid_perf(s, ctx, kamp, kvelocity, irdb, iuse0dbfs, n0, n1):
    """ampmidid (k): Dannenberg's velocity to amplitude map over a dB range."""
    kamp[0] = s.dbfs * (at(kvelocity, 0) * s.im + s.ib) ** 2.0 * s.onedrms


def ampmidid_i(s, ic, r, ivelocity, irdb, iuse0dbfs):
    _ampmidid_setup(s, ic, irdb, iuse0dbfs)
    r[0] = s.dbfs * (ivelocity * s.im + s.ib) ** 2.0 * s.onedrms


defop("ampmidid", "k", "kio", AMPMIDID,
      lambda s, ic, r, kvel, irdb, iuse: _ampmidid_setup(s, ic, irdb, iuse), ampmidid_perf)
defop("ampmidid", "i", "iio", AMPMIDID, ampmidid_i)


@helper
def _ampmidicurve(vel, krange, kexp):
    return krange * (vel / 127.0) ** kexp + 1.0 - krange


@kernel
def ampmidicurve_perf(s, ctx, kgain, kvel, krange, kexp, n0, n1):
    """ampmidicurve (k): gain from velocity with a dynamic range and a shaping exponent."""
    kgain[0] = _ampmidicurve(at(kvel, 0), at(krange, 0), at(kexp, 0))


def ampmidicurve_init(s, ic, r, vel, krange, kexp):
    r[0] = _ampmidicurve(vel, krange, kexp)


defop("ampmidicurve", "k", "kkk", None, ampmidicurve_init, ampmidicurve_perf)
defop("ampmidicurve", "i", "iii", None, ampmidicurve_init)


# ---------------------------------------------------------------------- MIDI file status
def _file_status_aux(s, ic, r):
    return (midi_state(ic.engine).status,)


@kernel
def midifilestatus_perf(s, ctx, status, r, n0, n1):
    """midifilestatus: 1 while a MIDI file is being played."""
    r[0] = status[1]


defop("midifilestatus", "k", "", None, _file_status_aux, midifilestatus_perf,
      arrays=("status",))
