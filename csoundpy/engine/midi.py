"""MIDI input: Standard MIDI File reading, per-channel state and MIDI-started notes.

Follows Csound's InOut/midifile.c (file parsing, tempo map, event times in
control periods), InOut/midirecv.c (channel blocks, controller reset, channel
messages, massign) and Engine/musmon.c / Engine/insert.c (note on/off
dispatch, `insert_midi`, `xturnoff`).  The file is parsed here rather than with
`mido` so that event times, running status and the odd corners (sysex, meta
events, muted channels) round exactly as Csound's reader does.

The state lives in `engine.globals["midi"]` (a `MidiState`, created on first
use with Csound's default channel -> instrument map).  Each channel's numeric
state is one float64 row of `MidiState.data` (controllers, poly aftertouch,
channel aftertouch, pitch bend, bend range, program), so kernels read it as an
aux array.  A MIDI-started note carries a `MidiNote` in `inst.midi`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import CsoundError, InitError

NOTEOFF, NOTEON, POLYAFT, CONTROL, PROGRAM, AFTOUCH, PCHBEND, SYSTEM = (
    0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0)
DATENTRY, SUSTAIN_SW, NRPNLSB, NRPNMSB, RPNLSB, RPNMSB = 6, 64, 98, 99, 100, 101
NCHAN = 16

# Layout of one channel's row in MidiState.data.
CH_CTL = 0          # ctl_val[0..135] (128..135: Roland extended controllers)
CH_POLYAFT = 136    # polyaft[0..127]
CH_AFTOUCH = 264
CH_PCHBEND = 265
CH_PBENSENS = 266
CH_PGMNO = 267      # last program change (-1: none)
CH_SIZE = 268

MIDIIN_SIZE = 1024  # Csound's MIDIINBUFMAX: ring buffer read by midiin
DEFAULT_TEMPO = 120.0
_DATA_BYTES = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}


# ---------------------------------------------------------------------- files
def _msg_data_bytes(st: int) -> int:
    """Data bytes of a message with status `st`; -1 for sysex, meta and unknown."""
    if st < 0xF0:
        return _DATA_BYTES.get(st & 0xF0, -1)
    if st == 0xF2:
        return 2
    if st in (0xF1, 0xF3):
        return 1
    if st in (0xF0, 0xF7, 0xFF, 0xF4, 0xF5, 0xF9, 0xFD):
        return -1
    return 0


class _Reader:
    """Byte reader with Csound's end-of-file and end-of-track checks."""

    def __init__(self, data: bytes, say: Callable[[str], None]) -> None:
        self.data, self.pos, self.say = data, 0, say
        self.left: int | None = None  # bytes left in the current track

    def byte(self, in_track: bool = True) -> int:
        if self.pos >= len(self.data):
            raise self.fail(" *** unexpected end of MIDI file")
        if in_track and self.left is not None:
            self.left -= 1
            if self.left < 0:
                raise self.fail(" *** unexpected end of MIDI track")
        c = self.data[self.pos]
        self.pos += 1
        return c

    def vlen(self) -> int:
        n = 0
        for _ in range(4):
            c = self.byte()
            n = (n << 7) | (c & 0x7F)
            if not c & 0x80:
                return n
        raise self.fail(" *** invalid dynamic length data in MIDI file")

    def fail(self, text: str) -> CsoundError:
        self.say(text)
        return CsoundError("Failed to load MIDI file.")


@dataclass
class MidiFile:
    """A parsed MIDI file: events and tempo changes with times in control periods."""

    events: list[tuple[int, int, int, int]] = field(default_factory=list)  # kcnt st d1 d2
    tempos: list[tuple[int, float]] = field(default_factory=list)  # kcnt, bpm
    total_kcnt: int = 0


def read_midi_file(data: bytes, kr: float, say: Callable[[str], None],
                   verbose: int = 0, start_kcnt: int = 0) -> MidiFile:
    """Parse a Standard MIDI File (formats 0 and 1) as csoundMIDIFileOpen does.

    `say` receives Csound's messages; `verbose` is the -m level (track names
    and text events are printed as Csound prints them).  Raises CsoundError
    ('Failed to load MIDI file.') after printing the reason.
    """
    r = _Reader(data, say)

    def word(n: int) -> int:
        v = 0
        for _ in range(n):
            v = (v << 8) | r.byte(False)
        return v

    if bytes(r.byte(False) for _ in range(4)) != b"MThd" or word(4) != 6:
        raise r.fail(" *** invalid MIDI file header")
    fmt = word(2)
    if fmt not in (0, 1):
        raise r.fail(f" *** MIDI file format {fmt} is not supported")
    ntracks = word(2)
    if ntracks < 1:
        raise r.fail(" *** invalid number of tracks")
    if ntracks > 1 and fmt == 0:
        say("WARNING: format 0 MIDI file with multiple tracks")
    code = word(2)
    if code < 1 or (code >= 0x8000 and code & 0xFF == 0):
        raise r.fail(f" *** invalid time code: {code}")
    if code < 0x8000:
        time_code = float(code)
    elif code & 0xFF00 in (0xE800, 0xE700, 0xE200):
        time_code = float((code >> 8) - 256) * (code & 0xFF)
    elif code & 0xFF00 == 0xE300:
        time_code = -29.97 * (code & 0xFF)
    else:
        raise r.fail(f" *** invalid time code: {code}")
    mf = MidiFile(total_kcnt=start_kcnt)
    events: list[tuple[int, int, int, int]] = []
    tempos: list[tuple[int, float]] = []
    for track in range(ntracks):
        say(f" Track {track:2d}")
        _read_track(r, events, tempos, mf, verbose)
    # Python's sort is stable, like Csound's merge sort: same-tick order is kept.
    events.sort(key=lambda e: e[0])
    tempos.sort(key=lambda t: t[0])
    _ticks_to_kcnt(mf, events, tempos, time_code, kr)
    say("done.")
    return mf


def _read_track(r: _Reader, events: list, tempos: list, mf: MidiFile, verbose: int) -> None:
    if bytes(r.byte(False) for _ in range(4)) != b"MTrk":
        raise r.fail(" *** invalid MIDI track header")
    length = 0
    for _ in range(4):
        length = (length << 8) | r.byte(False)
    r.left = length
    ticks = 0
    saved = -1
    while r.left > 0:
        ticks += r.vlen()
        st = r.byte()
        saved = _read_event(r, ticks, st, saved, events, tempos, mf, verbose)
    r.left = None


def _realtime_byte(r: _Reader, d: int, ticks: int, saved: int, events: list, tempos: list,
                   mf: MidiFile, verbose: int) -> bool:
    """A status byte inside a message: real-time messages are taken, anything else fails."""
    if d & 0x80:
        if d < 0xF8 or d > 0xFE:
            raise r.fail(f" *** unexpected event 0x{d:02X}")
        _read_event(r, ticks, d, saved, events, tempos, mf, verbose)
        return True
    return False


def _read_event(r: _Reader, ticks: int, st: int, saved: int, events: list, tempos: list,
                mf: MidiFile, verbose: int) -> int:
    """One event (readEvent in midifile.c); returns the running status."""
    data = []
    if st < 0x80:
        data.append(st)
        st = saved
        if st < 0x80:
            raise r.fail(" *** invalid MIDI file data")
    nbytes = _msg_data_bytes(st)
    if nbytes >= 0:
        if nbytes > 0:
            saved = st
        while len(data) < nbytes:
            d = r.byte()
            if _realtime_byte(r, d, ticks, saved, events, tempos, mf, verbose):
                continue
            data.append(d)
        data += [0] * (2 - len(data))
        events.append((ticks, st, data[0], data[1]))
        return saved
    if st == 0xF0:
        n = r.vlen()
        while n > 0:
            n -= 1
            d = r.byte()
            if d == 0xF7:
                if n == 0:
                    return saved
                raise r.fail(" *** unexpected end of system exclusive message")
            if _realtime_byte(r, d, ticks, saved, events, tempos, mf, verbose):
                n += 1
        raise r.fail(" *** invalid system exclusive message in MIDI file")
    if st == 0xF7:
        for _ in range(r.vlen()):
            r.byte()
        return saved
    if st == 0xFF:
        kind = r.byte()
        n = r.vlen()
        if n > 0 and ((1 <= kind <= 5 and verbose & 7 == 7) or (kind == 3 and verbose)):
            label = {1: "  Message: ", 2: "  Copyright info: ", 3: "  Track name: ",
                     4: "  Instrument name: ", 5: "  Song lyric: "}[kind]
            text = bytes(r.byte() for _ in range(n)).decode("latin-1")
            r.say(label + text)
            return saved
        if kind == 0x51:
            d = 0
            for _ in range(n):
                d = (d << 8) | r.byte()
            if d < 1:
                raise r.fail(" *** invalid tempo")
            tempos.append((ticks, 60000000.0 / d))
        elif kind == 0x2F:
            if n:
                raise r.fail(" *** invalid end of track event")
            if r.left > 0:
                raise r.fail(" *** trailing garbage at end of MIDI track")
            mf.total_kcnt = max(mf.total_kcnt, ticks)
        else:
            for _ in range(n):
                r.byte()
        return saved
    raise r.fail(f" *** unknown MIDI message: 0x{st:02X}")


def _ticks_to_kcnt(mf: MidiFile, events: list, tempos: list, time_code: float,
                   kr: float) -> None:
    """Tick times -> control periods through the tempo map (sortEventLists)."""
    if time_code > 0.0:
        per_tick = kr / (DEFAULT_TEMPO * time_code / 60.0)
        t = 0.0
        cur = 0
        i = j = 0
        while i < len(events) or j < len(tempos):
            prev = cur
            te = events[i][0] if i < len(events) else math.inf
            tt = tempos[j][0] if j < len(tempos) else math.inf
            if te < tt:
                cur = te
                t += (cur - prev) * per_tick
                mf.events.append((int(t + 0.5),) + events[i][1:])
                i += 1
            else:
                cur = tt
                t += (cur - prev) * per_tick
                bpm = tempos[j][1]
                per_tick = kr / (bpm * time_code / 60.0)
                mf.tempos.append((int(t + 0.5), bpm))
                j += 1
        t += (mf.total_kcnt - cur) * per_tick
        mf.total_kcnt = int(t + 0.5)
    else:
        per_tick = kr / -time_code
        mf.events = [(int(e[0] * per_tick + 0.5),) + e[1:] for e in events]
        mf.tempos = [(int(tk * per_tick + 0.5), bpm) for tk, bpm in tempos]
        mf.total_kcnt = int(mf.total_kcnt * per_tick + 0.5)


# ---------------------------------------------------------------------- channels
@dataclass
class MidiNote:
    """The MIDI data of a note started by a note-on (`inst.midi`)."""

    chan: int          # 0..15
    key: int
    vel: int
    inst: Any = None
    sustained: bool = False  # released while the sustain pedal was down

    def live(self) -> bool:
        inst = self.inst
        return (inst is not None and getattr(inst, "midi", None) is self and inst.active
                and not inst.releasing)


class MidiChannel:
    """One channel block (MCHNBLK) beyond its numeric row."""

    def __init__(self, row: np.ndarray) -> None:
        self.row = row
        self.insno = -1
        self.pgm2ins = [n + 1 for n in range(128)]
        self.sustaining = False
        self.suscount = 0
        self.datenabl = False
        self.dpmsb = 0
        self.dplsb = 0
        self.mono = False
        self.keys: dict[int, list[MidiNote]] = {}

    @property
    def pgmno(self) -> int:
        return int(self.row[CH_PGMNO])

    def notes(self, key: int) -> list[MidiNote]:
        """The live notes of `key`, oldest first (dead entries are dropped)."""
        lst = [n for n in self.keys.get(key, ()) if n.live()]
        if lst:
            self.keys[key] = lst
        else:
            self.keys.pop(key, None)
        return lst


class MidiState:
    """MIDI channels, the midiin buffer and the counters of one engine."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.data = np.zeros((NCHAN, CH_SIZE))
        self.channels = [MidiChannel(self.data[c]) for c in range(NCHAN)]
        self.aftouch = float(engine.globals.get("midi.aftouch", 127.0))
        self.midiin = np.zeros((MIDIIN_SIZE, 4))
        self.midiin_index = np.zeros(1, dtype=np.int64)
        self.extra_offs = 0
        self.forced_decays = 0
        self.status = np.zeros(2)  # MIDI file tempo, 1.0 while a file plays (midifilestatus)
        instruments = getattr(engine, "instruments", {})
        numbers = sorted(n for n in instruments if n > 0)
        default = numbers[0] if numbers else -1
        for c, chn in enumerate(self.channels):
            chn.insno = c + 1 if (c + 1) in instruments else default
            chn.row[CH_PGMNO] = -1.0
            self.reset_controllers(c)

    def message(self, text: str) -> None:
        self.engine.message(text)

    # ---------------------------------------------------------------- controllers
    def reset_controllers(self, c: int) -> None:
        """midi_ctl_reset: controllers to their defaults; releases sustained notes."""
        chn = self.channels[c]
        row = chn.row
        row[CH_CTL + 1:CH_CTL + 136] = 0.0
        row[CH_CTL + 7] = 127.0
        row[CH_CTL + 8] = 64.0
        row[CH_CTL + 10] = 64.0
        row[CH_CTL + 11] = 127.0
        row[CH_PBENSENS] = 2.0
        chn.datenabl = False
        row[CH_AFTOUCH] = self.aftouch
        row[CH_POLYAFT:CH_POLYAFT + 128] = self.aftouch
        if chn.suscount:
            self._sustain_off(chn)
        chn.sustaining = False
        row[CH_PCHBEND] = 0.0

    def _sustain_off(self, chn: MidiChannel) -> None:
        """Release every note held by the sustain pedal (sustsoff)."""
        if chn.suscount <= 0:
            chn.suscount = 0
            return
        for key in list(chn.keys):
            for note in chn.notes(key):
                if note.sustained:
                    self.note_turnoff(note)
        if chn.suscount:
            self.message(f"sustain count still {chn.suscount}")
        chn.suscount = 0

    def assign(self, c: int, insno: int, reset: bool) -> None:
        """massign for one channel (m_chinsno)."""
        if not 0 <= c <= 15:
            raise InitError("illegal channel number")
        chn = self.channels[c]
        if insno <= 0:
            chn.insno = -1
            self.message(f"MIDI channel {c + 1} muted")
        else:
            if insno not in getattr(self.engine, "instruments", {}):
                self.message(f"Insno = {insno}")
                raise InitError("unknown instr")
            chn.insno = insno
            self.message(f"chnl {c + 1} using instr {insno}")
            if chn.pgmno >= 0:
                self.channel_message(PROGRAM, c, chn.pgmno, 0)
        if reset:
            self.reset_controllers(c)

    def channel_message(self, kind: int, c: int, d1: int, d2: int) -> None:
        """A channel message other than note on/off (m_chanmsg)."""
        chn = self.channels[c]
        row = chn.row
        if kind == PROGRAM:
            row[CH_PGMNO] = d1
            if chn.insno <= 0:
                return
            n = chn.pgm2ins[d1]
            if n > 0 and n in self.engine.instruments:
                chn.insno = n
                self.message(f"midi channel {c + 1} now using instr {n}")
        elif kind == POLYAFT:
            row[CH_POLYAFT + d1] = d2
        elif kind == CONTROL:
            self._control(c, chn, d1, d2)
        elif kind == AFTOUCH:
            row[CH_AFTOUCH] = d1
        elif kind == PCHBEND:
            row[CH_PCHBEND] = (((d2 - 64) << 7) + d1) / 8192.0

    def _control(self, c: int, chn: MidiChannel, n: int, value: int) -> None:
        row = chn.row
        if n >= 111:
            if n == 121:
                self.reset_controllers(c)
            elif n == 123:
                self.all_notes_off()
            elif n == 126:
                chn.mono = True
            elif n == 127:
                chn.mono = False
            elif n < 121:
                if getattr(self.engine, "msg_level", 0) & 7 == 7:
                    self.message(f"ctrl {n} has no exclus list")
            elif n != 122:
                self.message(f"chnl mode msg {n} not implemented")
            return
        if n in (NRPNMSB, RPNMSB):
            chn.dpmsb = value
        elif n in (NRPNLSB, RPNLSB):
            chn.dplsb = value
            chn.datenabl = not (chn.dplsb == 127 and chn.dpmsb == 127)
        elif n == DATENTRY and chn.datenabl:
            self._data_entry(c, chn, value)
        else:
            row[CH_CTL + n] = value
        if n == SUSTAIN_SW:
            if value > 0:
                chn.sustaining = True
            elif chn.sustaining:
                chn.sustaining = False
                self._sustain_off(chn)

    def _data_entry(self, c: int, chn: MidiChannel, value: int) -> None:
        """Data entry after (N)RPN: bend range, GS part parameters, drum parameters."""
        msb, lsb = chn.dpmsb, chn.dplsb
        if msb == 0 and lsb == 0:
            chn.row[CH_PBENSENS] = value
        elif msb == 1:
            ctl = {8: 128, 9: 129, 10: 130, 32: 131, 33: 132, 99: 133, 100: 134,
                   102: 135}.get(lsb)
            if ctl is None:
                self.message(f"unknown NPRN lsb {lsb}")
            else:
                chn.row[CH_CTL + ctl] = value - 64
        elif msb < 24 or msb in (25, 27) or msb > 31 or lsb < 25 or lsb > 87:
            self.message(f"unknown drum param nos, msb {msb} lsb {lsb}")
        else:
            parnum = (0, 0, 1, 1, 2, 3, 4, 5)[msb - 24]
            fval = float(value - 64) if parnum == 0 else float(value)
            # compat: midirecv.c stores drum parameters in controllers 0..5 and still
            # reports them as not updated
            chn.row[CH_CTL + parnum] = fval
            self.message(f"CHAN {c + 1} DRUMKEY {lsb} not in keylst, PARAM {msb} NOT UPDATED")

    # ---------------------------------------------------------------- notes
    def note_turnoff(self, note: MidiNote) -> None:
        """xturnoff: drop the note from its key list, then release or end it."""
        chn = self.channels[note.chan]
        lst = chn.keys.get(note.key)
        if lst and note in lst:
            lst.remove(note)
        if note.sustained and chn.suscount:
            chn.suscount -= 1
        note.sustained = False
        if note.inst is not None and note.inst.active:
            self.engine.turnoff(note.inst, True)

    def all_notes_off(self) -> None:
        for chn in self.channels:
            for key in list(chn.keys):
                for note in chn.notes(key):
                    self.note_turnoff(note)

    def note_on(self, c: int, key: int, vel: int, opts: MidiOptions) -> None:
        """insert_midi: a held note of the channel's instrument."""
        engine = self.engine
        chn = self.channels[c]
        insno = chn.insno
        if insno <= 0 or insno not in engine.instruments or engine.instruments[insno].muted:
            return
        if chn.notes(key):
            engine.warning(f"MIDI note overlaps with key {key} on same channel")
        idef = engine.instruments[insno]
        pfields: list = [float(insno), engine.kcount / engine.kr - engine.time_offset, -1.0]
        pset = idef.ir.pset
        if pset:
            # compat: insert_midi copies pset values from p3 on, over the -1 of p3
            pfields[2:] = [float(v) for v in pset[2:]] or [-1.0]
        for index, value, label in opts.pfield_values(key, vel, engine):
            while len(pfields) < index:
                pfields.append(0.0)
            pfields[index - 1] = value
            if engine.msg_level & 4:
                shown = f"{value:.3f}" if label == "midiVelocityAmp" else f"{int(value):3d}"
                engine.message(f"  {label + ':':<17}pfield: {index:3d}  value: {shown}")
        note = MidiNote(c, key, vel)
        inst = engine.start_midi_note(insno, pfields, note)
        if inst is None:
            return
        note.inst = inst
        chn.keys.setdefault(key, []).append(note)

    def note_off(self, c: int, key: int) -> None:
        chn = self.channels[c]
        notes = chn.notes(key)
        if not notes:
            self.extra_offs += 1
        elif chn.sustaining:
            free = [n for n in notes if not n.sustained]
            if free:
                free[0].sustained = True
                chn.suscount += 1
            else:
                self.extra_offs += 1
        else:
            self.note_turnoff(notes[0])

    def dispatch(self, st: int, d1: int, d2: int, opts: MidiOptions) -> None:
        """One complete MIDI message (sensMidi + process_midi_event)."""
        kind = st & 0xF0
        if kind == SYSTEM:
            return
        c = st & 0x0F
        nbytes = _DATA_BYTES[kind]
        i = int(self.midiin_index[0])
        self.midiin[i] = (kind, c + 1, d1, d2 if nbytes == 2 else 0)
        self.midiin_index[0] = (i + 1) % MIDIIN_SIZE
        if kind == NOTEON and d2:
            self.note_on(c, d1, d2, opts)
        elif kind in (NOTEON, NOTEOFF):
            self.note_off(c, d1)
        else:
            self.channel_message(kind, c, d1, d2)


def midi_state(engine: Any) -> MidiState:
    """The engine's MIDI state, created on first use (m_chn_init_all)."""
    state = engine.globals.get("midi")
    if state is None:
        state = MidiState(engine)
        engine.globals["midi"] = state
    return state


# ---------------------------------------------------------------------- sources
@dataclass
class MidiOptions:
    """--midi-key* / --midi-velocity* p-field numbers (0: unused) and -T."""

    key: int = 0
    key_cps: int = 0
    key_oct: int = 0
    key_pch: int = 0
    velocity: int = 0
    velocity_amp: int = 0
    terminate: bool = False

    @classmethod
    def from_options(cls, opts: Any) -> MidiOptions:
        return cls(opts.midi_key, opts.midi_key_cps, opts.midi_key_oct, opts.midi_key_pch,
                   opts.midi_velocity, opts.midi_velocity_amp, bool(opts.terminate_on_midi))

    def pfield_values(self, key: int, vel: int, engine: Any) -> list[tuple[int, float, str]]:
        """(p-field, value, label) written into a MIDI note, in insert_midi's order."""
        from ..opcodes.pitch import OCTRES, _cpsoctl

        out = []
        if self.key:
            out.append((self.key, float(key), "midiKey"))
        elif self.key_cps:
            loct = int((key / 12.0 + 3.0) * OCTRES)
            out.append((self.key_cps, _cpsoctl(loct, float(engine.consts.a4)), "midiKeyCps"))
        elif self.key_oct:
            out.append((self.key_oct, key / 12.0 + 3.0, "midiKeyOct"))
        elif self.key_pch:
            octave = key / 12.0 + 3.0
            whole = math.floor(octave)
            out.append((self.key_pch, whole + (octave - whole) * 0.12, "midiKeyPch"))
        if self.velocity:
            out.append((self.velocity, float(vel), "midiVelocity"))
        elif self.velocity_amp:
            out.append((self.velocity_amp, vel * vel / 16239.0 * engine.e0dbfs,
                        "midiVelocityAmp"))
        return out


class MidiFileSource:
    """Feeds a MIDI file's events to the engine (csoundMIDIFileRead, polled by sense)."""

    def __init__(self, engine: Any, data: bytes, name: str, opts: MidiOptions) -> None:
        self.name = name
        self.opts = opts
        engine.message(f"Reading MIDI file '{name}'...")
        self.file = read_midi_file(data, engine.kr, engine.message, engine.msg_level,
                                   engine.kcount)
        self.ev = 0
        self.tp = 0
        self.track_end = False
        state = midi_state(engine)
        state.status[:] = (DEFAULT_TEMPO, 1.0)

    @classmethod
    def open(cls, engine: Any, path: str, opts: MidiOptions,
             name: str | None = None) -> MidiFileSource:
        """Open `path` (searched like Csound's SFDIR;SSDIR;MFDIR and the CSD folder);
        messages show `name` (the name as the user gave it)."""
        found = path
        if not os.path.exists(path):
            for env in ("SFDIR", "SSDIR", "MFDIR"):
                for d in os.environ.get(env, "").split(os.pathsep):
                    if d and os.path.exists(os.path.join(d, path)):
                        found = os.path.join(d, path)
            found = engine.find_file(path) or found
        try:
            with open(found, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CsoundError(f" *** error opening MIDI file '{path}': {exc.strerror}") from exc
        return cls(engine, data, name or path, opts)

    def poll(self, engine: Any) -> bool:
        """Deliver the events due at this block; True when the performance must end (-T)."""
        state = midi_state(engine)
        if self.track_end:
            if self.opts.terminate:
                engine.error("terminating.")
                return True
            return False
        f = self.file
        now = engine.kcount
        while self.tp < len(f.tempos) and now >= f.tempos[self.tp][0]:
            state.status[0] = f.tempos[self.tp][1]
            self.tp += 1
        while self.ev < len(f.events) and now >= f.events[self.ev][0]:
            _, st, d1, d2 = f.events[self.ev]
            self.ev += 1
            state.dispatch(st, d1, d2, self.opts)
        if self.ev >= len(f.events) and self.tp >= len(f.tempos) and now >= f.total_kcnt:
            engine.message(f"end of midi track in '{self.name}'")
            engine.message(f"{state.forced_decays} forced decays, "
                           f"{state.extra_offs} extra noteoffs")
            self.track_end = True
            state.status[1] = 0.0
        return False
