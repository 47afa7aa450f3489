"""Printing opcodes: print, printk, printk2, printks, printks2, prints, printf,
printf_i, puts, println, printsk (Csound's OOps/disprep.c printv, OOps/ugrw1.c,
OOps/str_ops.c printf/puts, Opcodes/emugens/emugens.c println/printsk).

Everything goes to `ic.print` / `pc.print`; perf-time printers are
python_perf opcodes.  Timing follows ugrw1.c: a printer remembers the global
control-block count (`engine.clock[0]`, blocks already performed; Csound's
kcounter is that plus one during a perf pass) at which it may print next, so
blocks skipped by kgoto only delay it.  prints/printks first rewrite their
format (ugrw1.c printksset: backslash escapes, %n %t %r %!, ^ and ~ for ANSI
escapes) and then format with ugrw1.c's own sprintf (`sprints`); printf,
println and printsk use str_ops.c's sprintf (strings.sprintf_text).
Strings that printk/printks.i need at perf time travel as aux arrays of byte
codes, since a state record holds numbers only.
"""

from __future__ import annotations

import numpy as np

from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64
from .strings import c_format, c_printf, from_bytes, is_alpha, number, sprintf_text, to_bytes
from .strings import to_int32, value

ESC = "\x1b"
_BACKSLASH = {"r": "\r", "n": "\n", "t": "\t", "a": "\a", "b": "\b", "\\": "\\"}
_PERCENT = {"r": "\r", "n": "\n", "t": "\t", "!": ";"}
_C_SPACE = " \t\n\v\f\r"
_FIRST_VALUE = -1.12123e35  # ugrw1.c's "no previous value" marker for printk2/printks2


# ---------------------------------------------------------------------------
# shared helpers


def _pack(text: str) -> np.ndarray:
    """A string as an aux array of byte codes."""
    return np.frombuffer(to_bytes(text), dtype=np.uint8).astype(np.float64)


def _unpack(arr: np.ndarray) -> str:
    return from_bytes(arr.astype(np.uint8).tobytes())


def _kcount(ctx) -> int:
    """Control blocks already performed (Csound's kcounter at init time)."""
    return int(ctx.engine.clock[0])


def _insno(ctx) -> int:
    inst = ctx.instance
    return int(getattr(inst, "insno", 0)) if inst is not None else 0


def _arg_text(ic, index: int, rate: str) -> str:
    texts = getattr(ic, "arg_texts", None)
    if texts and index < len(texts):
        return texts[index]
    return f"#{rate}{index}"


def printks_text(fmt: str) -> str:
    """printksset's rewrite of a format: escapes, %n %t %r %!, ^ -> ESC, ~ -> ESC[."""
    out = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        nxt = fmt[i + 1] if i + 1 < n else ""
        if c in "^~":
            if nxt == c:
                out.append(c)
                i += 2
                continue
            out.append(ESC if c == "^" else ESC + "[")
        elif c == "\\":
            if not nxt:
                break
            out.append(_BACKSLASH.get(nxt.lower(), nxt))
            i += 2
            continue
        elif c == "%" and nxt and nxt.lower() in _PERCENT:
            out.append(_PERCENT[nxt.lower()])
            i += 2
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def sprints(fmt: str, vals, err=InitError) -> str:
    """ugrw1.c's formatter: each %-spec takes the next value, the last one repeats."""
    out = []
    i, n, j = 0, len(fmt), 0
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        nxt = fmt[i + 1] if i + 1 < n else ""
        if nxt == "%":
            out.append("%")
            i += 2
            continue
        if nxt and nxt in _C_SPACE:
            out.append("%%" + nxt)  # compat: "% " comes out as "%% "
            i += 2
            continue
        k = i + 1
        check = "%"
        while k < n and fmt[k] not in " \t":
            if is_alpha(fmt[k]):
                check = fmt[k]
                break
            k += 1
        spec = fmt[i:k + 1]
        i = k + 1
        if j >= len(vals):
            raise err("Insufficient arguments in formatted printing")
        v = vals[j]
        if check in "dioxXu":
            piece = c_printf(spec, to_int32(number(v)))
        elif check == "c":
            code = to_int32(number(v)) & 0xFF
            piece = ("%" if code == 0x25 else "") + c_printf(spec, code)
        elif check == "s":
            piece = c_printf(spec, v if isinstance(v, str) else "??")
        else:
            piece = c_printf(spec, number(v))
        out.append(piece.split("\0", 1)[0])
        if j < len(vals) - 1:
            j += 1
    return "".join(out)


# ---------------------------------------------------------------------------
# print (OOps/disprep.c printv)


def print_init(s, ic, ivals):
    """print: instr number, then each argument's source text and value."""
    parts = [f"instr {_insno(ic)}:"]
    for idx, v in enumerate(ivals):
        parts.append(f"  {_arg_text(ic, idx, 'i')} = {c_format('%5.3f', v)}")
    ic.print("".join(parts) + "\n")


defop("print", "", "m", init=print_init)


# ---------------------------------------------------------------------------
# printk, printk2 (OOps/ugrw1.c)

PRINTK = State(printat=f64, ctime=f64, pspace=i64)


def _spaces(ispace: float) -> int:
    return min(max(int(ispace), 0), 120)


def printk_init(s, ic, itime, kval, ispace, inamed, _unused1, _unused2):
    """printk: print period in blocks and the label of a named value."""
    s.ctime = 0.0 if itime < 1.0 / ic.kr else itime * ic.kr
    s.pspace = _spaces(ispace)
    s.printat = _kcount(ic)
    return (_pack(_arg_text(ic, 1, "k") if inamed != 0.0 else ""),)


def printk_perf(s, pc, label, itime, kval, ispace, inamed, _unused1, _unused2, n0, n1):
    """printk: ' i   1 time     0.01000:     1.00000' every itime seconds."""
    kcnt = _kcount(pc) + 1
    if s.printat <= kcnt - 1:
        consts = pc.consts
        now = kcnt * float(consts.ksmps) / float(consts.sr) - 1.0 / float(consts.kr)
        name = _unpack(label)
        pc.print(f" i{_insno(pc):4d} time {c_format('%11.5f', now)}: " + " " * int(s.pspace)
                 + (f"{name} = " if name else "") + c_format("%11.5f", float(kval[()])) + "\n")
        s.printat = kcnt + s.ctime - 1


defop("printk", "", "ikoooo", PRINTK, printk_init, printk_perf, python_perf=True,
      arrays=("label",))

PRINTK2 = State(oldvalue=f64, pspace=i64)


def printk2_init(s, ic, kval, ispace, inamed):
    """printk2: set up; the first value always prints."""
    s.pspace = _spaces(ispace)
    s.oldvalue = _FIRST_VALUE
    return (_pack(_arg_text(ic, 0, "k") if inamed != 0.0 else ""),)


def printk2_perf(s, pc, label, kval, ispace, inamed, n0, n1):
    """printk2: ' i1     1.00000' whenever the value changes."""
    v = float(kval[()])
    if s.oldvalue != v:
        name = _unpack(label)
        pc.print(f" i{_insno(pc)} " + " " * int(s.pspace) + (f"{name} = " if name else "")
                 + c_format("%11.5f", v) + "\n")
        s.oldvalue = v


defop("printk2", "", "koo", PRINTK2, printk2_init, printk2_perf, python_perf=True,
      arrays=("label",))


# ---------------------------------------------------------------------------
# printks, printks2, prints (OOps/ugrw1.c)

PRINTKS = State(printat=f64, ctime=f64, fmthash=i64)


def _printks_setup(s, ic, itime, reset: bool) -> None:
    onedkr = 1.0 / ic.kr
    s.ctime = onedkr if itime < onedkr else itime * ic.kr
    if reset:
        s.printat = _kcount(ic)


def _printks_due(s, pc, fmt: str, vals) -> None:
    kcnt = _kcount(pc) + 1
    if s.printat <= kcnt - 1:
        pc.print(sprints(printks_text(fmt), [value(v) for v in vals], PerfError))
        s.printat = kcnt + s.ctime - 1


def printks_init(s, ic, sfmt, itime, kvals):
    """printks: period in blocks; the format is checked when it changes."""
    _printks_setup(s, ic, itime, not ic.reinit)
    s.fmthash = hash(sfmt)


def printks_perf(s, pc, sfmt, itime, kvals, n0, n1):
    """printks: formatted print every itime seconds (ugrw1.c printks)."""
    fmt = sfmt.value
    if hash(fmt) != s.fmthash:
        # compat: a new format restarts the period from this block, which then
        # does not print (printksset run at perf time)
        s.fmthash = hash(fmt)
        s.printat = _kcount(pc) + 1
    _printks_due(s, pc, fmt, kvals)


def _pfield_string(x) -> str:
    if not isinstance(x, str):
        raise InitError("null string\n")
    return x


def printks_i_init(s, ic, ifmt, itime, kvals):
    """printks with the format in a string p-field."""
    fmt = _pfield_string(value(ifmt))
    _printks_setup(s, ic, itime, not ic.reinit)
    return (_pack(fmt),)


def printks_i_perf(s, pc, fmt, ifmt, itime, kvals, n0, n1):
    """printks.i: as printks, format fixed at init."""
    _printks_due(s, pc, _unpack(fmt), kvals)


defop("printks", "", "SiN", PRINTKS, printks_init, printks_perf, python_perf=True)
defop("printks", "", "iiN", PRINTKS, printks_i_init, printks_i_perf, python_perf=True,
      arrays=("fmt",))

PRINTKS2 = State(oldvalue=f64)


def printks2_init(s, ic, sfmt, kval):
    """printks2: the first value always prints."""
    s.oldvalue = _FIRST_VALUE


def printks2_perf(s, pc, sfmt, kval, n0, n1):
    """printks2: formatted print of one value whenever it changes (raw format)."""
    v = float(kval[()])
    if s.oldvalue != v:
        pc.print(sprints(sfmt.value, [v], PerfError))
        s.oldvalue = v


defop("printks2", "", "Sk", PRINTKS2, printks2_init, printks2_perf, python_perf=True)


def prints_init(s, ic, sfmt, ivals):
    """prints: printks's formatting, once at init."""
    text = printks_text(sfmt)
    if len(to_bytes(text)) >= 8191:
        ic.warning(f"Formatting string too long: {text}")
        return
    ic.print(sprints(text, [value(v) for v in ivals]))


def prints_i_init(s, ic, ifmt, ivals):
    """prints with the format in a string p-field."""
    _pfield_string(value(ifmt))
    # compat: ugrw1.c printsset clears the rewritten format before formatting,
    # so this overload prints nothing


defop("prints", "", "SN", init=prints_init)
defop("prints", "", "iN", init=prints_i_init)


# ---------------------------------------------------------------------------
# printf, printf_i, puts (OOps/str_ops.c)

PRINTF = State(prv_ktrig=f64)


def printf_i_init(s, ic, sfmt, itrig, ivals):
    """printf_i: sprintf-formatted print at init if itrig > 0."""
    if itrig > 0.0:
        ic.print(sprintf_text("printf_i: ", sfmt, value(ivals)))


def printf_init(s, ic, sfmt, ktrig, kvals):
    """printf: nothing at init."""
    s.prv_ktrig = 0.0


def printf_perf(s, pc, sfmt, ktrig, kvals, n0, n1):
    """printf: print when ktrig changes to a positive value."""
    trig = float(ktrig[()])
    if trig == s.prv_ktrig:
        return
    s.prv_ktrig = trig
    if trig > 0.0:
        pc.print(sprintf_text("printf: ", sfmt.value, value(kvals), PerfError))


defop("printf_i", "", "SiN", init=printf_i_init)
defop("printf", "", "SkN", PRINTF, printf_init, printf_perf, python_perf=True)

PUTS = State(prv_ktrig=f64, nonl=i64)


def _puts(ctx, s, text: str) -> None:
    ctx.print(text if s.nonl else text + "\n")


def puts_init(s, ic, sstr, ktrig, inonl):
    """puts: print the string at init if ktrig > 0."""
    s.nonl = inonl != 0.0
    if ktrig > 0.0:
        _puts(ic, s, sstr)
    s.prv_ktrig = ktrig


def puts_perf(s, pc, sstr, ktrig, inonl, n0, n1):
    """puts: print when ktrig is positive and differs from the last printing trigger."""
    trig = float(ktrig[()])
    if trig != s.prv_ktrig and trig > 0.0:
        s.prv_ktrig = trig
        _puts(pc, s, sstr.value)


defop("puts", "", "Sko", PUTS, puts_init, puts_perf, python_perf=True)


# ---------------------------------------------------------------------------
# println, printsk (Opcodes/emugens/emugens.c)


def _println_text(sfmt, kvals) -> str:
    # emugens reports these errors without the opcode name; the type of a
    # non-string argument is reported as k
    return sprintf_text("", sfmt.value, value(kvals), PerfError,
                        str_msg="String argument expected, but type is k")


def println_perf(s, pc, sfmt, kvals, n0, n1):
    """println: sprintf-formatted line every block."""
    pc.print(_println_text(sfmt, kvals) + "\n")


def printsk_perf(s, pc, sfmt, kvals, n0, n1):
    """printsk: sprintf-formatted text every block."""
    pc.print(_println_text(sfmt, kvals))


defop("println", "", "SN", perf=println_perf, python_perf=True)
defop("printsk", "", "SN", perf=printsk_perf, python_perf=True)
