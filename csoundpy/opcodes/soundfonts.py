"""SoundFont 2 players: `sfload`, `sfplist`, `sfilist`, `sfpassign`, `sfpreset`,
`sfplay`, `sfplaym`, `sfplay3`, `sfplay3m`, `sfinstr`, `sfinstrm`, `sfinstr3`,
`sfinstr3m` (Opcodes/sfont.c, sfont.h, sf.h, sftype.h, sfenum.h).

The SF2 file is parsed as sfont.c parses it: the RIFF walk of fill_SfPointers
over the main chunk, then fill_SfStruct, which keeps only the generators it
knows (key/velocity ranges, sample modes, root key, coarse/fine/scale tuning,
pan, attenuation, address offsets and, for presets only, the volume-envelope
times) with the C field widths they are stored in (`# compat:` below).  The
sample data stays raw 16-bit integers read in place from the file image, so
reads just outside a sample (the cubic interpolator's first point, the
unlooped tail) see what Csound sees.  Output is in raw sample units scaled by
Csound's fixed 0.3 global attenuation, as in Csound.

The reference Csound 6.18 binary was compiled with unsafe floating-point
optimisations, so sample-exact output needs the operation order of its machine
code rather than of sfont.c: pow(2, x) is exp2(x), the two tuning powers are
one exp2 of the summed exponents, divisions by constants are products, and the
level*envelope products are regrouped (read from its disassembly, tagged
`# compat:`).

Loaded banks and the preset-handle table live in `engine.globals["soundfonts"]`.
Deviations, only where Csound's behaviour is undefined: more than MAXSPLT (10)
matching zones are all played (Csound overruns its arrays); the envelope
times of `sfinstr*` zones are 0 (Csound leaves them uninitialised); root keys
outside 0..127 get their equal-tempered pitch (Csound reads past its table).
Not registered: `sflooper`.
"""

from __future__ import annotations

import math
import os
import struct

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import defop

MAX_SFONT = 10
MAX_SFPRESET = 16384
GLOBAL_ATTENUATION = 0.3
ONETWELTH = 0.08333333333333333333333333333
ONETWELTH_CENT = ONETWELTH * 0.01  # folded by the compiler from ONETWELTH * (x * 0.01)
UNUSE = 0x7FFFFFFF
_GLOBALS = "soundfonts"

# SF2 generator numbers (sfenum.h)
(START_OFS, END_OFS, STARTLOOP_OFS, ENDLOOP_OFS, START_COARSE) = 0, 1, 2, 3, 4
END_COARSE, PAN = 12, 17
ATTACK_VOL, DECAY_VOL, SUSTAIN_VOL, RELEASE_VOL = 34, 36, 37, 38
INSTRUMENT, KEY_RANGE, VEL_RANGE, STARTLOOP_COARSE = 41, 43, 44, 45
ATTENUATION, ENDLOOP_COARSE, COARSE_TUNE, FINE_TUNE = 48, 50, 51, 52
SAMPLE_ID, SAMPLE_MODES, SCALE_TUNING, ROOT_KEY = 53, 54, 56, 58


def _s8(v: int) -> int:
    """C `char` (signed 8-bit) of an integer."""
    v &= 0xFF
    return v - 256 if v > 127 else v


def _s16(v: int) -> int:
    v &= 0xFFFF
    return v - 65536 if v > 32767 else v


def _ieee(fn, *args) -> float:
    """A float64 expression with C's inf/nan results instead of Python exceptions."""
    with np.errstate(all="ignore"):
        return float(fn(*(np.float64(a) for a in args)))


# ---------------------------------------------------------------- SF2 parsing


class _Memory:
    """The main RIFF chunk's bytes as Csound holds them; reads past the end give 0."""

    def __init__(self, data: bytes) -> None:
        self.data = data + bytes(64)

    def _read(self, fmt: str, off: int, size: int) -> int:
        return struct.unpack_from(fmt, self.data, off)[0] if 0 <= off <= len(self.data) - size \
            else 0

    def u8(self, off: int) -> int:
        return self._read("<B", off, 1)

    def u16(self, off: int) -> int:
        return self._read("<H", off, 2)

    def u32(self, off: int) -> int:
        return self._read("<I", off, 4)

    def tag(self, off: int) -> bytes:
        return self.data[off:off + 4]

    def cstr(self, off: int) -> bytes:
        end = self.data.find(b"\0", off)
        return self.data[off:end if end >= 0 else len(self.data)]


class _Split:
    """One instrument zone with a sample (sf.h splitType)."""

    def __init__(self) -> None:
        self.sample = None  # (start, end, startloop, endloop, rate, origkey)
        self.sampleModes = 0
        self.minNoteRange, self.maxNoteRange = 0, 127
        self.minVelRange, self.maxVelRange = 0, 127
        self.startOffset = self.endOffset = 0
        self.startLoopOffset = self.endLoopOffset = 0
        self.overridingRootKey = -1
        self.coarseTune = self.fineTune = 0
        self.scaleTuning = 100
        self.initialAttenuation = self.pan = 0
        self.attack = self.decay = self.sustain = self.release = 0.0


class _Layer:
    """One preset zone naming an instrument (sf.h layerType)."""

    def __init__(self) -> None:
        self.splits: list[_Split] = []
        self.minNoteRange, self.maxNoteRange = 0, 127
        self.minVelRange, self.maxVelRange = 0, 127
        self.coarseTune = self.fineTune = 0
        self.scaleTuning = self.initialAttenuation = self.pan = 0


class _Preset:
    def __init__(self, name: bytes, prog: int, bank: int) -> None:
        self.name, self.prog, self.bank = name, prog, bank
        self.layers: list[_Layer] = []


class _Bank:
    """One loaded SoundFont (sf.h SFBANK)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.presets: list[_Preset] = []
        self.instrs: list[tuple[bytes, list[_Split]]] = []
        self.memory = np.zeros(8, dtype=np.int16)  # 16-bit view of the file image
        self.origin = 0  # index in `memory` of the first sample of the smpl chunk


def _walk_chunks(mem: _Memory, size: int) -> dict:
    """fill_SfPointers: offsets of the smpl data and of each pdta sub-chunk."""
    found: dict = {}
    pos = j = 4
    while j < size and pos < len(mem.data):
        if mem.tag(pos) == b"LIST":
            lsize = mem.u32(pos + 4)
            pos += 8
            j += 8
            kind = mem.tag(pos)
            if kind == b"INFO":
                pos += lsize
                j += lsize
            elif kind == b"sdta":
                found["smpl"] = pos + 4 + 8
                pos += lsize
                j += lsize
            elif kind == b"pdta":
                pos += 4
                j += 4
                while True:
                    ck = mem.tag(pos)
                    cksize = mem.u32(pos + 4)
                    if ck in (b"phdr", b"pbag", b"pmod", b"pgen", b"inst", b"ibag", b"imod",
                              b"igen", b"shdr"):
                        found[ck.decode()] = (pos + 8, cksize)
                    pos += cksize + 8
                    j += cksize + 8
                    if not (j < size and pos < len(mem.data)):
                        break
            else:  # compat: skips by a size read inside the list body, as sfont.c does
                step = mem.u32(pos + 4) + 8
                pos += step
                j += step
        else:
            step = mem.u32(pos + 4) + 8
            pos += step
            j += step
    return found


def _gens(mem: _Memory, base: int, first: int, last: int):
    """(operator, amount) of generator records first..last-1 (pgen/igen)."""
    for m in range(first, last):
        yield mem.u16(base + 4 * m), mem.u16(base + 4 * m + 2)


def _instrument_splits(mem: _Memory, ck: dict, fname: str, num: int, preset: bool):
    """The zones of instrument `num` as fill_SfStruct builds them.

    `preset`: the copy made for a preset layer, which also reads the volume
    envelope generators (the instrument list does not)."""
    inst, ibag, igen, shdr = ck["inst"][0], ck["ibag"][0], ck["igen"][0], ck["shdr"][0]
    first_ibag = mem.u16(inst + 22 * num + 20)
    nbags = mem.u16(inst + 22 * (num + 1) + 20) - first_ibag
    g = dict.fromkeys(("keyroot", "coarse", "fine", "scale", "pan", "modes", "atten"), UNUSE)
    splits = []
    for bag in range(first_ibag, first_ibag + max(nbags, 0)):
        m0, m1 = mem.u16(ibag + 4 * bag), mem.u16(ibag + 4 * bag + 4)
        gens = list(_gens(mem, igen, m0, m1))
        if all(op != SAMPLE_ID for op, _ in gens):
            for op, amt in gens:  # a zone without a sample is a global zone
                key = {ROOT_KEY: "keyroot", COARSE_TUNE: "coarse", FINE_TUNE: "fine",
                       SCALE_TUNING: "scale", PAN: "pan", SAMPLE_MODES: "modes",
                       ATTENUATION: "atten"}.get(op)
                if key is not None:
                    g[key] = amt if key in ("keyroot", "modes") else _s16(amt)
            continue
        sp = _Split()
        # compat: global-zone values pass through a (BYTE) cast on their way in
        if g["keyroot"] != UNUSE:
            sp.overridingRootKey = _s8(g["keyroot"])
        if g["coarse"] != UNUSE:
            sp.coarseTune = _s8(g["coarse"])
        if g["fine"] != UNUSE:
            sp.fineTune = _s8(g["fine"])
        if g["scale"] != UNUSE:
            sp.scaleTuning = g["scale"] & 0xFF
        if g["pan"] != UNUSE:
            sp.pan = g["pan"] & 0xFF
        if g["modes"] != UNUSE:
            sp.sampleModes = g["modes"] & 0xFF
        if g["atten"] != UNUSE:
            sp.initialAttenuation = g["atten"] & 0xFF
        for op, amt in gens:
            sh = _s16(amt)
            if op == SAMPLE_ID:
                rec = shdr + 46 * amt
                if mem.u16(rec + 44) & 0x8000:
                    raise InitError(f'SoundFont file "{fname}" contains ROM samples !\n'
                                    "At present time only RAM samples are allowed by sfload.\n"
                                    "Session aborted !")
                sp.sample = tuple(mem.u32(rec + 20 + 4 * i) for i in range(5)) + (
                    mem.u8(rec + 40),)
                splits.append(sp)
            elif op == ROOT_KEY:
                sp.overridingRootKey = _s8(amt)
            elif op == COARSE_TUNE:
                sp.coarseTune = _s8(amt)
            elif op == FINE_TUNE:
                sp.fineTune = _s8(amt)
            elif op == SCALE_TUNING:
                sp.scaleTuning = sh
            elif op == PAN:
                sp.pan = sh
            elif op == SAMPLE_MODES:
                sp.sampleModes = amt & 0xFF
            elif op == ATTENUATION:
                sp.initialAttenuation = sh
            elif op == KEY_RANGE:
                sp.minNoteRange, sp.maxNoteRange = amt & 0xFF, amt >> 8
            elif op == VEL_RANGE:
                sp.minVelRange, sp.maxVelRange = amt & 0xFF, amt >> 8
            elif op == START_OFS:
                sp.startOffset += sh
            elif op == END_OFS:
                sp.endOffset += sh
            elif op == STARTLOOP_OFS:
                sp.startLoopOffset += sh
            elif op == ENDLOOP_OFS:
                sp.endLoopOffset += sh
            elif op == START_COARSE:
                sp.startOffset += sh * 32768
            elif op == END_COARSE:
                sp.endOffset += sh * 32768
            elif op == STARTLOOP_COARSE:
                sp.startLoopOffset += sh * 32768
            elif op == ENDLOOP_COARSE:
                sp.endLoopOffset += sh * 32768
            elif preset and op in (ATTACK_VOL, DECAY_VOL, RELEASE_VOL):
                # compat: timecents read as seconds = 2**(tc/1200), default 0 s
                value = math.exp2(sh * (1.0 / 1200.0))
                if op == ATTACK_VOL:
                    sp.attack = value
                elif op == DECAY_VOL:
                    sp.decay = value
                else:
                    sp.release = value
            elif preset and op == SUSTAIN_VOL:
                # compat: centibels taken as dB; 10**x compiled as exp(x*ln 10)
                sp.sustain = math.exp(-sh * 0.05 * 2.302585092994046)
    return splits


def _parse(raw: bytes, name: str) -> _Bank:
    """A bank from a whole .sf2 file image (chunk_read + fill_SfPointers + fill_SfStruct)."""
    size = struct.unpack_from("<I", raw, 4)[0] if len(raw) >= 8 else 0
    body = raw[8:8 + size]
    body += bytes(size - len(body))
    mem = _Memory(body)
    ck = _walk_chunks(mem, size)
    needed = ("phdr", "pbag", "pgen", "inst", "ibag", "igen", "shdr")
    if "smpl" not in ck or any(k not in ck for k in needed):
        raise InitError("Sfont format not compatible")
    bank = _Bank(name)
    smpl = ck["smpl"]
    lead = smpl % 2
    bank.memory = np.frombuffer(mem.data[lead:len(mem.data) - (len(mem.data) - lead) % 2],
                                dtype="<i2").astype(np.int16)
    bank.origin = (smpl - lead) // 2
    phdr, phdr_size = ck["phdr"]
    pbag, pgen = ck["pbag"][0], ck["pgen"][0]
    inst = ck["inst"][0]
    for j in range(phdr_size // 38):
        rec = phdr + 38 * j
        pname = mem.cstr(rec)
        if pname == b"EOP":
            break
        preset = _Preset(pname, mem.u16(rec + 20), mem.u16(rec + 22))
        first_pbag = mem.u16(rec + 24)
        nbags = mem.u16(rec + 38 + 24) - first_pbag
        bags = [list(_gens(mem, pgen, mem.u16(pbag + 4 * b), mem.u16(pbag + 4 * b + 4)))
                for b in range(first_pbag, first_pbag + max(nbags, 0))]
        nlayers = sum(op == INSTRUMENT for gens in bags for op, _ in gens)
        layers = [_Layer() for _ in range(nlayers)]
        kk = 0
        for gens in bags:
            for op, amt in gens:
                # compat: generators always go to the layer the next `instrument`
                # will fill, so a global preset zone affects the first layer only
                if kk >= nlayers:
                    break
                layer = layers[kk]
                if op == INSTRUMENT:
                    layer.name = mem.cstr(inst + 22 * amt)
                    layer.splits = _instrument_splits(mem, ck, name, amt, True)
                    kk += 1
                elif op == COARSE_TUNE:
                    layer.coarseTune = _s8(amt)
                elif op == FINE_TUNE:
                    layer.fineTune = _s8(amt)
                elif op == SCALE_TUNING:
                    layer.scaleTuning = _s16(amt)
                elif op == ATTENUATION:
                    layer.initialAttenuation = _s16(amt)
                elif op == PAN:
                    layer.pan = _s16(amt)
                elif op == KEY_RANGE:
                    layer.minNoteRange, layer.maxNoteRange = amt & 0xFF, amt >> 8
                elif op == VEL_RANGE:
                    layer.minVelRange, layer.maxVelRange = amt & 0xFF, amt >> 8
        preset.layers = layers
        bank.presets.append(preset)
    for j in range(ck["inst"][1] // 22):
        iname = mem.cstr(inst + 22 * j)
        if iname == b"EOI":
            break
        bank.instrs.append((iname, _instrument_splits(mem, ck, name, j, False)))
    # compat: sfload's qsort by bank*128+prog (glibc's merge sort keeps ties in order)
    bank.presets.sort(key=lambda p: p.bank * 128 + p.prog)
    return bank


class _SoundFonts:
    """Engine-wide state of sfont.c (its `sfontg`): loaded banks, preset handles."""

    def __init__(self, a4: float) -> None:
        self.banks: list[_Bank] = []
        self.max_banks = MAX_SFONT
        self.presetp: dict[int, tuple[_Preset, _Bank]] = {}
        # compat: the compiled loop of sfont_ModuleCreate, key 0 constant-folded
        self.pitches = [a4 * 0.018581361171917516] + \
            [math.exp2((j - 69) * ONETWELTH) * a4 for j in range(1, 128)]

    def pitch(self, key: int) -> float:
        if 0 <= key < 128:
            return self.pitches[key]
        return math.exp2((key - 69) * ONETWELTH) * self.pitches[69]

    def bank(self, handle: float) -> _Bank:
        if handle < 0 or handle >= len(self.banks):
            raise InitError("invalid soundfont")
        return self.banks[int(handle)]


def _globals(ic) -> _SoundFonts:
    g = ic.engine.globals.get(_GLOBALS)
    if g is None:
        g = ic.engine.globals[_GLOBALS] = _SoundFonts(float(ic.consts.a4))
    return g


# ---------------------------------------------------------------- init-time opcodes


def _file_name(ic, x) -> str:
    """strarg2name(..., "sfont."): a string, a strset string or sfont.N."""
    if isinstance(x, str):
        return x
    n = int(x + (0.5 if x >= 0 else -0.5))
    text = ic.engine.strsets.get(n)
    return text if text is not None else f"sfont.{n}"


def sfload_init(s, ic, ihandle, fname):
    g = _globals(ic)
    fname = _file_name(ic, fname)
    path = fname if os.path.isfile(fname) else ic.engine.find_file(fname)
    bank = None
    if path is None:
        # compat: Csound reports the error and still hands out an empty bank
        ic.print(f'sfload: cannot open SoundFont file "{fname}" '
                 "(error No such file or directory)")
        bank = _Bank("")
    else:
        for i, loaded in enumerate(g.banks):
            if loaded.name == fname:
                ic.warning(f"{fname} already loaded")
                ihandle[0] = float(i)
                return
        with open(path, "rb") as fh:
            bank = _parse(fh.read(), path)
    ihandle[0] = float(len(g.banks))
    g.banks.append(bank)
    if len(g.banks) >= g.max_banks:
        g.max_banks += 5
        ic.warning("Extending soundfonts")


def _filter_name(name: bytes) -> str:
    """filter_string: a preset name made printable, at most 22 columns."""
    out = []
    j = 0
    while len(out) < 22 and j < len(name):
        c = _s8(name[j])
        j += 1
        if 32 <= c < 127:
            out.append(chr(c))
        elif c < 32:
            out.append("^")
            out.append(chr((64 + c) & 0xFF))
        else:
            out.append("?")
    return "".join(out)


def sfplist_init(s, ic, ihandle):
    bank = _globals(ic).bank(ihandle)
    lines = [f'\nPreset list of "{bank.name}"\n']
    for j, p in enumerate(bank.presets):
        lines.append(f"{j:3d}) {_filter_name(p.name):<20}\tprog:{p.prog:<3d} bank:{p.bank}\n")
    ic.print("".join(lines) + "\n")


def sfilist_init(s, ic, ihandle, sprefix=None):
    bank = _globals(ic).bank(ihandle)
    lines = [f'\nInstrument list of "{bank.name}"\n']
    for j, (name, _) in enumerate(bank.instrs):
        name = name.decode("latin-1")
        lines.append(f"{j:3d}) {name:<20}\n" if sprefix is None
                     else f"{sprefix}{j:03d}: {name:<20}\n")
    ic.print("".join(lines) + "\n")


def sfpassign_init(s, ic, istartindex, ifilhandle, imsgs):
    g = _globals(ic)
    bank = g.bank(ifilhandle)
    start = int(istartindex)
    verbose = imsgs == 0.0
    text = []
    if verbose:
        text.append(f'\nAssigning all Presets of "{bank.name}" starting from {start}'
                    " (preset handle number)\n")
    for j, p in enumerate(bank.presets):
        if verbose:
            text.append(f"{j:3d}<--{p.name.decode('latin-1'):<20}\t(prog:{p.prog:<3d} "
                        f"bank:{p.bank})\n")
        g.presetp[start + j] = (p, bank)
    if verbose:
        text.append(f"\nAll presets have been assigned to preset handles from {start} to "
                    f"{start + len(bank.presets) - 1}\n\n")
        ic.print("".join(text))


def sfpreset_init(s, ic, ipresethandle, iprog, ibank, ifilhandle, ipreindex):
    g = _globals(ic)
    bank = g.bank(ifilhandle)
    handle = int(ipreindex)
    if handle >= MAX_SFPRESET or handle < 0:
        raise InitError(f"sfpreset: preset handle too big ({handle}), max: {MAX_SFPRESET - 1}")
    prog, bnum = int(iprog) & 0xFFFF, int(ibank) & 0xFFFF
    for p in bank.presets:
        if p.prog == prog and p.bank == bnum:
            g.presetp[handle] = (p, bank)
            break
    ipresethandle[0] = float(handle)
    if handle not in g.presetp:
        ic.warning(f"sfpreset: cannot find any preset having prog number {int(iprog)} and "
                   f'bank number {int(ibank)} in SoundFont file "{bank.name}"')


# ---------------------------------------------------------------- players

# columns of the per-zone table handed to the kernels
(C_BASE, C_PHS, C_SI, C_END, C_LSTART, C_LEND, C_LLEN, C_LEFT, C_RIGHT, C_MODE, C_ATTACK,
 C_DECAY, C_SUSTAIN, C_ATTR, C_DECR, C_ENV, C_TI, NCOLS) = range(18)


def _zone_row(ic, g, bank, layer, sp, notnum, flag, ioffset, ienv, mono):
    """One row of the zone table: SfPlay_set & co. for one matching zone.

    `layer`: the preset zone it is played through, None for sfinstr*.  Mono
    players keep the bare attenuation in C_LEFT."""
    start, end, lstart, lend, rate, origkey = sp.sample
    row = np.zeros(NCOLS)
    # compat: Csound 6.18 is built with unsafe math: x/100 and x/1000 become
    # products, rate*onedsr is formed first and pow(2,a)*pow(2,b) is exp2(a+b)
    preset = layer is not None
    layer = layer if preset else _Layer()
    tune = (sp.fineTune + layer.fineTune) * 0.01 + (sp.coarseTune + layer.coarseTune)
    key = sp.overridingRootKey if sp.overridingRootKey != -1 else origkey
    orgfreq = g.pitch(key)
    step = rate * float(ic.consts.onedsr)
    if flag:
        row[C_SI] = math.exp2(ONETWELTH * tune) * orgfreq / (orgfreq * orgfreq) * step
    else:
        expo = ONETWELTH * tune + sp.scaleTuning * ONETWELTH_CENT * (notnum - key)
        row[C_SI] = math.exp2(expo) * orgfreq / orgfreq * step
    row[C_BASE] = bank.origin + start
    row[C_PHS] = float(sp.startOffset) + ioffset
    row[C_END] = (end + sp.endOffset - start) & 0xFFFFFFFF
    row[C_LSTART] = (lstart + sp.startLoopOffset - start) & 0xFFFFFFFF
    row[C_LEND] = (lend + sp.endLoopOffset - start) & 0xFFFFFFFF
    row[C_LLEN] = (int(row[C_LEND]) - int(row[C_LSTART])) & 0xFFFFFFFF
    atten = sp.initialAttenuation + layer.initialAttenuation
    atten = math.exp2(atten * (-1.0 / 60.0)) * GLOBAL_ATTENUATION
    if preset:
        pan = min(max((sp.pan + layer.pan) * 0.001 + 0.5, 0.0), 1.0)
        row[C_LEFT], row[C_RIGHT] = math.sqrt(1.0 - pan) * atten, math.sqrt(pan) * atten
    else:
        pan = min(max(sp.pan * 0.001 + 0.5, 0.0), 1.0)
        row[C_LEFT], row[C_RIGHT] = (1.0 - pan) * atten, pan * atten
    if mono:
        row[C_LEFT] = atten
    row[C_MODE] = sp.sampleModes
    ekr = float(ic.consts.kr)
    row[C_ATTACK] = sp.attack * ekr
    row[C_DECAY] = sp.decay * ekr
    row[C_SUSTAIN] = sp.sustain
    row[C_ENV] = 1.0
    if ienv > 0:
        row[C_ATTR] = _ieee(lambda a, b: 1.0 / (a * b), ekr, sp.attack)
        if ienv > 1:
            row[C_DECR] = _ieee(lambda s_, d, k: np.power(s_ + 0.0001, 1.0 / (k * d + 0.0001)),
                                sp.sustain, sp.decay, ekr)
        else:
            row[C_DECR] = _ieee(lambda s_, d, k: (s_ - 1.0) / (k * d), sp.sustain, sp.decay, ekr)
        row[C_ENV] = 0.0 if sp.attack != 0.0 else 1.0
    return row


def _table(rows) -> np.ndarray:
    return np.array(rows).reshape(len(rows), NCOLS) if rows else np.zeros((0, NCOLS))


def _preset_zones(ic, opname, mono, ivel, inotnum, ipreindex, iflag, ioffset, ienv):
    """SfPlay_set / SfPlayMono_set: the zones of a preset that answer the note."""
    g = _globals(ic)
    index = int(ipreindex) & 0xFFFFFFFF
    if index >= MAX_SFPRESET:
        raise InitError("invalid soundfont")
    if index not in g.presetp:
        raise InitError(f"{opname}: invalid or out-of-range preset number")
    preset, bank = g.presetp[index]
    vel, note = int(ivel), int(inotnum)
    rows = []
    for layer in preset.layers:
        if not (layer.minNoteRange <= note <= layer.maxNoteRange
                and layer.minVelRange <= vel <= layer.maxVelRange):
            continue
        for sp in layer.splits:
            if sp.minNoteRange <= note <= sp.maxNoteRange and \
                    sp.minVelRange <= vel <= sp.maxVelRange:
                rows.append(_zone_row(ic, g, bank, layer, sp, note, int(iflag), ioffset, ienv,
                                      mono))
    return bank.memory, _table(rows)


def _instr_zones(ic, mono, ivel, inotnum, instrnum, ifilhandle, iflag, ioffset, ienv):
    """SfInstrPlay_set / SfInstrPlayMono_set: the zones of one instrument."""
    g = _globals(ic)
    index = int(ifilhandle)
    if index >= MAX_SFPRESET or (mono and index < 0) or (mono and index >= len(g.banks)):
        raise InitError("invalid soundfont")
    bank = g.banks[index] if 0 <= index < len(g.banks) else _Bank("")
    if instrnum > len(bank.instrs) or (not bank.instrs and not mono):
        raise InitError("sfinstr: instrument out of range")
    num = int(instrnum)
    splits = bank.instrs[num][1] if 0 <= num < len(bank.instrs) else []
    vel, note = int(ivel), int(inotnum)
    rows = [_zone_row(ic, g, bank, None, sp, note, int(iflag), ioffset, ienv, mono)
            for sp in splits
            if sp.minNoteRange <= note <= sp.maxNoteRange
            and sp.minVelRange <= vel <= sp.maxVelRange]
    return bank.memory, _table(rows)


def sfplay_init(s, ic, a1, a2, ivel, inotnum, xamp, xfreq, ipreindex, iflag, ioffset, ienv):
    return _preset_zones(ic, "sfplay", False, ivel, inotnum, ipreindex, iflag, ioffset, ienv)


def sfplaym_init(s, ic, a1, ivel, inotnum, xamp, xfreq, ipreindex, iflag, ioffset, ienv):
    return _preset_zones(ic, "sfplaym", True, ivel, inotnum, ipreindex, iflag, ioffset, ienv)


def sfinstr_init(s, ic, a1, a2, ivel, inotnum, xamp, xfreq, instrnum, ifilhandle, iflag,
                 ioffset, ienv):
    return _instr_zones(ic, False, ivel, inotnum, instrnum, ifilhandle, iflag, ioffset, ienv)


def sfinstrm_init(s, ic, a1, ivel, inotnum, xamp, xfreq, instrnum, ifilhandle, iflag,
                  ioffset, ienv):
    return _instr_zones(ic, True, ivel, inotnum, instrnum, ifilhandle, iflag, ioffset, ienv)


@helper
def _smp(mem, i):
    """A 16-bit word of the file image; outside it, 0."""
    if i < 0 or i >= mem.shape[0]:
        return 0.0
    return float(mem[i])


@helper
def _cubic(ym1, y0, y1, y2, fract):
    """sfont.c Cubic_interpolation, in the operation order Csound 6.18's
    unsafe-math build evaluates it (divisions by 3 and 6 become products)."""
    frsq = fract * fract
    frcu = ym1 * frsq
    t1 = y2 + 3.0 * y0
    a = (y1 - ym1 * (1.0 / 3.0)) - (frcu * (1.0 / 6.0) + t1 * (1.0 / 6.0))
    b = (t1 * (1.0 / 6.0) - 0.5 * y1) * fract + (0.5 * y1 - y0)
    return (a * fract + b * frsq) + (0.5 * frcu + y0)


@helper
def _env_step(z, ienv, env, ti):
    """sfont.c ExpEnvelope / LinEnvelope: one step of the zone's envelope."""
    if ienv > 1:
        if ti < z[C_ATTACK]:
            env += z[C_ATTR]
        elif ti < z[C_DECAY] + z[C_ATTACK]:
            env *= z[C_DECR]
        else:
            env = z[C_SUSTAIN]
        ti += 1.0
    elif ienv > 0:
        if ti < z[C_ATTACK]:
            env += z[C_ATTR]
        elif ti < z[C_DECAY] + z[C_ATTACK]:
            env += z[C_DECR]
        else:
            env = z[C_SUSTAIN]
        ti += 1.0
    return env, ti


@helper
def _sf_block(mem, zones, out1, out2, stereo, cubic, env_per_sample, xamp, xfreq, ienv, n0, n1):
    """Sum every zone's voice into the outputs, then scale by the amplitude."""
    for n in range(n0, n1):
        out1[n] = 0.0
        if stereo:
            out2[n] = 0.0
    ienv = at(ienv, 0)
    for j in range(zones.shape[0]):
        z = zones[j]
        looped = z[C_MODE] == 1.0 or z[C_MODE] == 3.0
        phs = z[C_PHS]
        if not looped and not phs < z[C_END]:
            continue
        base = int(z[C_BASE])
        env = z[C_ENV]
        ti = z[C_TI]
        if not env_per_sample:
            env, ti = _env_step(z, ienv, env, ti)
        left = z[C_LEFT]
        right = z[C_RIGHT]
        lstart = z[C_LSTART]
        lend = z[C_LEND]
        llen = z[C_LLEN]
        reached = False
        for n in range(n0, n1):
            si = z[C_SI] * at(xfreq, n)
            if env_per_sample:
                env, ti = _env_step(z, ienv, env, ti)
            if cubic:
                phs1 = phs - 1.0
                x0 = int(phs1)
                out = _cubic(_smp(mem, base + x0), _smp(mem, base + x0 + 1),
                             _smp(mem, base + x0 + 2), _smp(mem, base + x0 + 3), phs1 - x0)
            else:
                i = int(phs)
                fract = phs - i
                s0 = _smp(mem, base + i)
                out = s0 + (_smp(mem, base + i + 1) - s0) * fract
            # compat: operation order of Csound's compiled loops (SfPlayMono's
            # looping branch alone keeps the source's order)
            if env_per_sample and looped:
                out1[n] += out * left * env
            else:
                out1[n] += out * (left * env)
            if stereo:
                out2[n] += out * (right * env)
            phs += si
            if looped:
                # the loop only engages, each block anew, once the phase reaches it
                if phs >= lstart:
                    reached = True
                # compat: Csound never returns from a zero-length loop; skip it
                if reached and llen > 0.0:
                    while phs >= lend:
                        phs -= llen
                    while phs < lstart:
                        phs += llen
            else:
                if phs > z[C_END]:
                    break
                if phs < 0.0:
                    phs = 0.0
        z[C_PHS] = phs
        z[C_ENV] = env
        z[C_TI] = ti
    for n in range(n0, n1):
        amp = at(xamp, n)
        out1[n] *= amp
        if stereo:
            out2[n] *= amp


@kernel
def sfplay_perf(s, ctx, mem, zones, a1, a2, ivel, inotnum, xamp, xfreq, ipreindex, iflag,
                ioffset, ienv, n0, n1):
    """sfplay: stereo preset player, linear interpolation (sfont.c SfPlay)."""
    _sf_block(mem, zones, a1, a2, True, False, False, xamp, xfreq, ienv, n0, n1)


@kernel
def sfplay3_perf(s, ctx, mem, zones, a1, a2, ivel, inotnum, xamp, xfreq, ipreindex, iflag,
                 ioffset, ienv, n0, n1):
    """sfplay3: stereo preset player, cubic interpolation (sfont.c SfPlay3)."""
    _sf_block(mem, zones, a1, a2, True, True, False, xamp, xfreq, ienv, n0, n1)


@kernel
def sfplaym_perf(s, ctx, mem, zones, a1, ivel, inotnum, xamp, xfreq, ipreindex, iflag,
                 ioffset, ienv, n0, n1):
    """sfplaym: mono preset player, linear (sfont.c SfPlayMono)."""
    # compat: SfPlayMono steps its envelope every sample, the others every block
    _sf_block(mem, zones, a1, a1, False, False, True, xamp, xfreq, ienv, n0, n1)


@kernel
def sfplay3m_perf(s, ctx, mem, zones, a1, ivel, inotnum, xamp, xfreq, ipreindex, iflag,
                  ioffset, ienv, n0, n1):
    """sfplay3m: mono preset player, cubic (sfont.c SfPlayMono3)."""
    _sf_block(mem, zones, a1, a1, False, True, False, xamp, xfreq, ienv, n0, n1)


@kernel
def sfinstr_perf(s, ctx, mem, zones, a1, a2, ivel, inotnum, xamp, xfreq, instrnum, ifilhandle,
                 iflag, ioffset, ienv, n0, n1):
    """sfinstr: stereo instrument player, linear (sfont.c SfInstrPlay)."""
    _sf_block(mem, zones, a1, a2, True, False, False, xamp, xfreq, ienv, n0, n1)


@kernel
def sfinstr3_perf(s, ctx, mem, zones, a1, a2, ivel, inotnum, xamp, xfreq, instrnum,
                  ifilhandle, iflag, ioffset, ienv, n0, n1):
    """sfinstr3: stereo instrument player, cubic (sfont.c SfInstrPlay3)."""
    _sf_block(mem, zones, a1, a2, True, True, False, xamp, xfreq, ienv, n0, n1)


@kernel
def sfinstrm_perf(s, ctx, mem, zones, a1, ivel, inotnum, xamp, xfreq, instrnum, ifilhandle,
                  iflag, ioffset, ienv, n0, n1):
    """sfinstrm: mono instrument player, linear (sfont.c SfInstrPlayMono)."""
    _sf_block(mem, zones, a1, a1, False, False, False, xamp, xfreq, ienv, n0, n1)


@kernel
def sfinstr3m_perf(s, ctx, mem, zones, a1, ivel, inotnum, xamp, xfreq, instrnum, ifilhandle,
                   iflag, ioffset, ienv, n0, n1):
    """sfinstr3m: mono instrument player, cubic (sfont.c SfInstrPlayMono3)."""
    _sf_block(mem, zones, a1, a1, False, True, False, xamp, xfreq, ienv, n0, n1)


defop("sfload", "i", "S", None, sfload_init)
defop("sfload", "i", "i", None, sfload_init)
defop("sfpreset", "i", "iiii", None, sfpreset_init)
defop("sfplist", "", "i", None, sfplist_init)
defop("sfilist", "", "i", None, sfilist_init)
defop("sfilist", "", "iS", None, sfilist_init)
defop("sfpassign", "", "iip", None, sfpassign_init)
_ZONES = ("mem", "zones")
defop("sfplay", "aa", "iixxiooo", None, sfplay_init, sfplay_perf, arrays=_ZONES)
defop("sfplaym", "a", "iixxiooo", None, sfplaym_init, sfplaym_perf, arrays=_ZONES)
defop("sfplay3", "aa", "iixxiooo", None, sfplay_init, sfplay3_perf, arrays=_ZONES)
defop("sfplay3m", "a", "iixxiooo", None, sfplaym_init, sfplay3m_perf, arrays=_ZONES)
defop("sfinstr", "aa", "iixxiiooo", None, sfinstr_init, sfinstr_perf, arrays=_ZONES)
defop("sfinstrm", "a", "iixxiiooo", None, sfinstrm_init, sfinstrm_perf, arrays=_ZONES)
defop("sfinstr3", "aa", "iixxiiooo", None, sfinstr_init, sfinstr3_perf, arrays=_ZONES)
defop("sfinstr3m", "a", "iixxiiooo", None, sfinstrm_init, sfinstr3m_perf, arrays=_ZONES)
