"""Pitch and amplitude conversions, and `divz`.

Follows Csound 6.18: OOps/aops.c (`ampdb ampdbfs dbamp dbfsamp db cpsoct
octpch cpspch pchoct octcps cpsmidinn octmidinn pchmidinn octave semitone
cent cps2pch cpsxpch`, the `cpsocfrc` table of the CPSOCTL macro with
OCTRES = 8192 steps per octave, and its low-precision LOG10D20 constant),
Opcodes/emugens/emugens.c (`mtof ftom ntom mton`).  `divz` (division with a
substitute for a zero divisor, OOps/aops.c) lives here too, as the family's
arithmetic helper.  The conversions are written once as `_convert(kind, x,
ctx)`; each opcode row keeps its kind in its state.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError, PerfError
from ._registry import State, defop, i64

LOG10D20 = 0.11512925  # compat: csoundCore.h's 8-digit ln(10)/20
LOGTWO = 0.69314718055994530942
EIPT3 = 25.0 / 3.0
OCTRES = 8192
ONEPT_DIV = 430.5389646099018460319362438314060262605  # A4 / ONEPT
ONED12 = 0.08333333333333333333333
ONED1200 = 0.00083333333333333333333
LOG2_10D20 = 0.166096404744368117393515971474
MIDINOTE0 = 3.0

(AMPDB, AMPDBFS, DBAMP, DBFSAMP, CPSOCT, OCTPCH, CPSPCH, PCHOCT, OCTCPS, CPSMIDINN,
 OCTMIDINN, PCHMIDINN, OCTAVE, SEMITONE, CENT, CENT_A, DB, MTOF) = range(18)


@helper
def _cpsoctl(loct, a4):
    """Csound's CPSOCTL: 2**(loct/8192) * ONEPT from a power of two and a table step."""
    # compat: x86 masks the shift count, so negative octaves wrap as in Csound
    shift = (loct >> 13) & 31
    whole = ((1 << shift) + 2147483648) % 4294967296 - 2147483648
    frac = 2.0 ** ((loct & 8191) / OCTRES) * (a4 / ONEPT_DIV)
    return float(whole) * frac


@helper
def _trunc_i32(x):
    """C's (int32_t) cast of a double on x86: out of range gives INT_MIN."""
    if not (x > -2147483649.0 and x < 2147483648.0):
        return -2147483648
    return int(x)


@helper
def _convert(kind, x, ctx):
    """One conversion of this family (aops.c / emugens.c formulas)."""
    if kind == AMPDB:
        return math.exp(x * LOG10D20)
    if kind == AMPDBFS:
        return ctx.e0dbfs * math.exp(x * LOG10D20)
    if kind == DBAMP:
        return math.log(abs(x)) / LOG10D20
    if kind == DBFSAMP:
        return math.log(abs(x) / ctx.e0dbfs) / LOG10D20
    if kind == CPSOCT:
        return _cpsoctl(_trunc_i32(x * OCTRES), ctx.a4)
    if kind == OCTPCH or kind == CPSPCH or kind == PCHOCT:
        octv = math.trunc(x)
        fract = x - octv
        if kind == PCHOCT:
            return octv + fract * 0.12
        fract *= EIPT3
        if kind == OCTPCH:
            return octv + fract
        return _cpsoctl(_trunc_i32(np.rint((octv + fract) * OCTRES)), ctx.a4)
    if kind == OCTCPS:
        return math.log(x / (ctx.a4 / ONEPT_DIV)) / LOGTWO
    if kind == CPSMIDINN or kind == MTOF:
        return 2.0 ** ((x - 69.0) / 12.0) * ctx.a4
    if kind == OCTMIDINN:
        return x / 12.0 + MIDINOTE0
    if kind == PCHMIDINN:
        octdec = x / 12.0 + MIDINOTE0
        octv = math.trunc(octdec)
        return octv + (octdec - octv) * 0.12
    if kind == OCTAVE:
        return 2.0 ** x
    if kind == SEMITONE:
        return 2.0 ** (x * ONED12)
    if kind == CENT:
        return 2.0 ** (x / 1200.0)
    if kind == CENT_A:
        # compat: the a-rate cent multiplies by a rounded 1/1200
        return 2.0 ** (x * ONED1200)
    return 2.0 ** (x * LOG2_10D20)


CONV = State(kind=i64)


def _midi_range_ok(kind: int, x: float) -> None:
    if kind == CPSMIDINN and (x > 12 * 32 + 69 or x < 0):
        raise InitError(f"MIDI note {x:f} out of range")


def _conv_init_i(kind: int):
    def init(s, ic, out, x):
        _midi_range_ok(kind, x)
        out[0] = _convert(kind, x, ic.consts)
    return init


def _conv_init(kind: int, compute: bool):
    def init(s, ic, out, x):
        s.kind = kind
        if compute:  # mtof computes its first value at init, like emugens.c mtof_init
            out[0] = _convert(kind, x, ic.consts)
    return init


@kernel
def convert_perf_k(s, ctx, kr, kx, n0, n1):
    """ampdb dbamp cpspch octpch cpsoct ... (k): one conversion per block."""
    x = at(kx, 0)
    if s.kind == CPSMIDINN and (x > 12 * 32 + 69 or x < 0):
        raise PerfError("cpsmidinn: MIDI note out of range")
    kr[0] = _convert(s.kind, x, ctx)


@kernel
def convert_perf_a(s, ctx, ar, ax, n0, n1):
    """ampdb ampdbfs cpsoct octave semitone cent db (a): per-sample conversion."""
    kind = s.kind
    for n in range(n0, n1):
        ar[n] = _convert(kind, ax[n], ctx)


for _name, _kind, _rates in [
    ("ampdb", AMPDB, "aik"), ("ampdbfs", AMPDBFS, "aik"), ("dbamp", DBAMP, "ik"),
    ("dbfsamp", DBFSAMP, "ik"), ("cpsoct", CPSOCT, "ika"), ("octpch", OCTPCH, "ik"),
    ("cpspch", CPSPCH, "ik"), ("pchoct", PCHOCT, "ik"), ("octcps", OCTCPS, "ik"),
    ("cpsmidinn", CPSMIDINN, "ik"), ("octmidinn", OCTMIDINN, "ik"),
    ("pchmidinn", PCHMIDINN, "ik"), ("octave", OCTAVE, "ika"),
    ("semitone", SEMITONE, "ika"), ("cent", CENT, "ika"), ("db", DB, "ika"),
]:
    for _rate in _rates:
        if _rate == "i":
            defop(_name, "i", "i", CONV, _conv_init_i(_kind), None)
        elif _rate == "k":
            defop(_name, "k", "k", CONV, _conv_init(_kind, False), convert_perf_k)
        else:
            _akind = CENT_A if _kind == CENT else _kind
            defop(_name, "a", "a", CONV, _conv_init(_akind, False), convert_perf_a)

defop("mtof", "k", "k", CONV, _conv_init(MTOF, True), convert_perf_k)
defop("mtof", "i", "i", CONV, _conv_init_i(MTOF), None)

# ------------------------------------------------------------------ ftom

FTOM = State(rnd=i64)


@helper
def _ftom(x, a4, rnd):
    """emugens.c ftom: MIDI note of a frequency, optionally rounded (lrint)."""
    ans = 12.0 * math.log2(x / a4) + 69.0
    if rnd:
        ans = float(np.rint(ans))
    return ans


def ftom_init(s, ic, out, kfreq, irnd):
    s.rnd = _trunc_i32(irnd)
    out[0] = _ftom(kfreq, ic.consts.a4, s.rnd)


@kernel
def ftom_perf(s, ctx, kr, kfreq, irnd, n0, n1):
    """ftom (k): frequency to MIDI note number."""
    kr[0] = _ftom(at(kfreq, 0), ctx.a4, s.rnd)


defop("ftom", "k", "ko", FTOM, ftom_init, ftom_perf)
defop("ftom", "i", "io", FTOM, ftom_init, None)

# --------------------------------------------------------- cps2pch cpsxpch


def _tuned(ic, ipch: float, iequal: float, cycle: float, ref: float) -> float:
    """aops.c cps2pch/cpsxpch: equal divisions of `cycle`, or a tuning table -iequal."""
    loct = math.trunc(ipch)
    fract = ipch - loct
    if iequal > 0:
        return math.pow(cycle, loct + (100.0 * fract) / iequal) * ref
    table = ic.engine.tables.get(int(-iequal))
    if table is None:
        raise InitError(f"No tuning table {-_trunc_i32(iequal)}")
    frt = _trunc_i32(100.0 * fract + 0.5)
    while frt > table.size:
        frt -= table.size
        loct += 1
    return ref * table.data[frt] * math.pow(cycle, loct)


def cps2pch_init(s, ic, out, ipch, iequal):
    # compat: the base frequency is Csound's rounded 1.02197503906 (C0 at A4 = 440)
    out[0] = _tuned(ic, ipch, iequal, 2.0, 1.02197503906)


def cpsxpch_init(s, ic, out, ipch, iequal, irepeat, ibase):
    out[0] = _tuned(ic, ipch, iequal, irepeat, ibase)


defop("cps2pch", "i", "ii", State(), cps2pch_init, None)
defop("cpsxpch", "i", "iiii", State(), cpsxpch_init, None)

# ------------------------------------------------------------ ntom mton

_PCS = (9, 11, 0, 2, 4, 5, 7)
_PC2IDX = (2, 2, 3, 3, 4, 5, 5, 6, 6, 0, 1, 1)
_PC2ALT = (0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 2, 0)


def _ntom(ic, note: str) -> float | None:
    """emugens.c ntomfunc: '4A', '4C#+', '8A-31', '7Bb+30' to a MIDI note number."""
    if len(note) < 2 or not 0 <= ord(note[1]) - ord("A") < 7:
        ic.message(f"expecting a char between A and G, but got {note[1:2]}\n")
        return None
    octave = ord(note[0]) - ord("0")
    pc = _PCS[ord(note[1]) - ord("A")]
    cursor = 2
    if note[2:3] == "#":
        pc, cursor = pc + 1, 3
    elif note[2:3] == "b":
        pc, cursor = pc - 1, 3
    rest = len(note) - cursor
    cents = 0
    if rest > 0:
        sign = 1 if note[cursor] == "+" else -1
        if rest == 1:
            cents = 50
        elif rest == 2:
            cents = ord(note[cursor + 1]) - ord("0")
        elif rest == 3:
            cents = 10 * (ord(note[cursor + 1]) - ord("0")) + ord(note[cursor + 2]) - ord("0")
        else:
            ic.message(f"format not understood, note: {note}, notelen: {len(note)}\n")
            return None
        cents *= sign
    return ((octave + 1) * 12 + pc) + cents / 100.0


def _mton(m: float) -> str:
    """emugens.c mton: MIDI note number to a note name such as '4A+50'."""
    octave = math.trunc(m / 12 - 1)
    pc = int(math.fmod(_trunc_i32(m), 12))
    cents = int(math.floor((m - math.floor(m)) * 100.0 + 0.5))  # C round(), argument >= 0
    if cents == 0:
        sign = 0
    elif cents <= 50:
        sign = 1
    else:
        cents, sign, pc = 100 - cents, -1, pc + 1
        if pc == 12:
            pc, octave = 0, octave + 1
    text = str(octave) if octave >= 0 else "-" + chr(ord("0") - octave)
    text += chr(ord("A") + _PC2IDX[pc]) + " #b"[_PC2ALT[pc]].strip()
    if sign:
        text += "+" if sign > 0 else "-"
        if cents < 10:
            text += str(cents)
        elif cents != 50:
            text += f"{cents // 10}{cents % 10}"
    return text


def ntom_init(s, ic, out, Snote):
    midi = _ntom(ic, Snote)
    if midi is not None:
        out[0] = midi


def ntom_python(s, pc, out, Snote, n0, n1):
    """ntom (k): note name to MIDI note number."""
    midi = _ntom(pc, Snote.value)
    if midi is not None:
        out[0] = midi


def mton_init(s, ic, Sout, kmidi):
    Sout.value = _mton(kmidi)


def mton_python(s, pc, Sout, kmidi, n0, n1):
    """mton (k): MIDI note number to note name."""
    Sout.value = _mton(float(at(kmidi, 0)))


defop("ntom", "i", "S", State(), ntom_init, None)
defop("ntom", "k", "S", State(), ntom_init, ntom_python, python_perf=True)
defop("mton", "S", "i", State(), mton_init, None)
defop("mton", "S", "k", State(), mton_init, mton_python, python_perf=True)

# ------------------------------------------------------------------ divz


def divz_init_i(s, ic, out, ia, ib, isubst):
    out[0] = isubst if ib == 0.0 else ia / ib


@kernel
def divz_perf_k(s, ctx, kr, ka, kb, ksubst, n0, n1):
    """divz (k): ka / kb, or ksubst when kb is zero (aops.c divzkk)."""
    b = at(kb, 0)
    kr[0] = at(ksubst, 0) if b == 0.0 else at(ka, 0) / b


@kernel
def divz_perf(s, ctx, ar, xa, xb, ksubst, n0, n1):
    """divz (a): xa / xb per sample, ksubst where xb is zero (divzak/ka/aa)."""
    subst = at(ksubst, 0)
    for n in range(n0, n1):
        b = at(xb, n)
        ar[n] = subst if b == 0.0 else at(xa, n) / b


defop("divz", "i", "iii", State(), divz_init_i, None)
defop("divz", "k", "kkk", State(), None, divz_perf_k)
defop("divz", "a", "akk", State(), None, divz_perf)
defop("divz", "a", "kak", State(), None, divz_perf)
defop("divz", "a", "aak", State(), None, divz_perf)
