"""String opcodes: sprintf/sprintfk, strset/strget, strcpy, strcat, strcmp, strlen,
strtod, strtol, strsub, strchar, strupper/strlower, strindex/strrindex and `S`
(Csound's OOps/str_ops.c; the `strset` table is `engine.strsets`).

The C-printf core used by the whole printing family lives here too: `c_printf`
formats one printf segment exactly as glibc does, `to_int32` is Csound's
MYFLT2LRND (lrint: round half to even, wrapped to 32 bits), and `sprintf_text`
is str_ops.c's segment-by-segment sprintf.

Csound strings are byte strings: opcodes that count or cut characters work on
the UTF-8 bytes (decoded back with `surrogateescape`, so any byte round-trips).
Escape sequences in string literals are decoded by the orchestra lexer, not
here.  A string p-field reaching an `i` argument is expected as a Python str.
Deviation: str_ops.c never NUL-terminates the output of strupper/strlower, so
a shorter result reused over a longer old value keeps its tail; csoundpy
writes the plain result.
"""

from __future__ import annotations

import math
import re
import string

import numpy as np
from numba import types
from numba.extending import overload

from .._jit import helper, kernel
from ..engine.context import StrVar
from ..errors import InitError, PerfError
from ._native_text import TEXT_BYTES, text_length
from ._registry import NativeInit, defop

# ---------------------------------------------------------------------------
# values as opcodes see them


def value(x):
    """Plain value of an argument: str for S, float for i/k, the buffer for a."""
    if isinstance(x, StrVar):
        return x.value
    if isinstance(x, np.ndarray):
        return x if x.ndim == 1 else float(x[()])
    if isinstance(x, tuple):
        return tuple(value(v) for v in x)
    return x if isinstance(x, str) else float(x)


def number(v) -> float:
    """A numeric argument; a-rate gives its first sample, as a MYFLT* would."""
    if isinstance(v, np.ndarray):
        return float(v[0])
    # compat: a string where a number is expected reads the string's data
    # pointer as a double, a denormal: 0 for every practical purpose.
    return 0.0 if isinstance(v, str) else float(v)


def to_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def from_bytes(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def to_int32(x: float) -> int:
    """MYFLT2LRND: lrint (round half to even), 0 outside long range, wrapped to int32."""
    if not (-9.223372036854776e18 < x < 9.223372036854776e18):
        return 0
    r = round(x) & 0xFFFFFFFF
    return r - 0x100000000 if r >= 0x80000000 else r


def round_half_away(x: float) -> int:
    """(int)(x + (x >= 0 ? 0.5 : -0.5)), the strset-index rounding."""
    return int(x + (0.5 if x >= 0.0 else -0.5))


def round_pos(x: float) -> int:
    """(int)(x + 1.5) - 1: the position rounding of strsub/strchar."""
    return int(x + 1.5) - 1


# ---------------------------------------------------------------------------
# C printf (glibc behaviour) for one conversion

_SPEC = re.compile(r"%([-+ #0]*)(\d*)(?:\.(\d*))?([diouxXeEfFgGcs])")
_PREFIX = re.compile(r"%[-+ #0]*\d*(?:\.\d*)?")
_LENGTH_MODS = "hlLqjzt"
INT_CONVS = "diouxXc"
FLOAT_CONVS = "eEfFgG"


def _pad(body: str, width: int, left: bool) -> str:
    return body.ljust(width) if left else body.rjust(width)


def _format_int(flags: str, width: int, prec, conv: str, v: int) -> str:
    if conv in "di":
        sign = "-" if v < 0 else "+" if "+" in flags else " " if " " in flags else ""
        digits = str(abs(v))
        prefix = ""
    else:
        u = v & 0xFFFFFFFF
        sign = ""
        digits = {"o": "%o", "u": "%d", "x": "%x", "X": "%X"}[conv] % u
        prefix = "0" + conv if "#" in flags and conv in "xX" and u else ""
    if prec is not None:
        digits = "" if prec == 0 and v == 0 else digits.zfill(prec)
    if conv == "o" and "#" in flags and not digits.startswith("0"):
        digits = "0" + digits
    head = sign + prefix
    if "0" in flags and "-" not in flags and prec is None:
        return head + digits.zfill(width - len(head))
    return _pad(head + digits, width, "-" in flags)


def _format_float(flags: str, width: int, prec, conv: str, x: float) -> str:
    if math.isfinite(x):
        spec = "%" + flags + (str(width) if width else "")
        spec += "" if prec is None else "." + str(prec)
        return (spec + conv) % x
    # glibc: inf/nan ignore '0' and precision; nan keeps its sign bit
    body = "nan" if math.isnan(x) else "inf"
    if conv in "EFG":
        body = body.upper()
    neg = math.copysign(1.0, x) < 0.0
    sign = "-" if neg else "+" if "+" in flags else " " if " " in flags else ""
    return _pad(sign + body, width, "-" in flags)


def c_format(spec: str, arg) -> str:
    """One complete conversion spec (`%-08.3f`) applied to `arg` like glibc."""
    m = _SPEC.fullmatch(spec)
    flags, width, prec, conv = m.group(1), int(m.group(2) or 0), m.group(3), m.group(4)
    prec = None if prec is None else int(prec or 0)
    if conv in "diouxX":
        return _format_int(flags, width, prec, conv, int(arg))
    if conv in FLOAT_CONVS:
        return _format_float(flags, width, prec, conv, float(arg))
    if conv == "c":
        return _pad(from_bytes(bytes([int(arg) & 0xFF])), width, "-" in flags)
    text = str(arg)
    return _pad(text if prec is None else from_bytes(to_bytes(text)[:prec]), width, "-" in flags)


def c_printf(fmt: str, arg) -> str:
    """snprintf(fmt, arg) for a format holding one conversion (plus `%%`), as glibc.

    A spec glibc cannot parse is copied literally; a spec cut short by the end
    of the format makes glibc fail, and then nothing more is written.
    """
    out = []
    i, n, used = 0, len(fmt), False
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        if fmt.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        m = _SPEC.match(fmt, i)
        if m and not used:
            out.append(c_format(m.group(0), arg))
            used = True
            i = m.end()
            continue
        j = _PREFIX.match(fmt, i).end()
        if j >= n or fmt[j] in _LENGTH_MODS or fmt[j] in "n*":
            break
        out.append(fmt[i:j + 1])
        i = j + 1
    return "".join(out)


def is_alpha(c: str) -> bool:
    return c in string.ascii_letters


# ---------------------------------------------------------------------------
# sprintf (str_ops.c sprintf_opcode_): the format is cut into segments, each
# holding one conversion and the literal text up to the next one.


def sprintf_text(prefix: str, fmt: str, args, err=InitError, str_msg=None) -> str:
    """The string sprintf/printf/println build from `fmt` and argument values.

    `prefix` starts every error message ("sprintf: "); `str_msg` replaces the
    text of the %s-without-string error.
    """
    for a in args:
        if isinstance(a, np.ndarray):
            raise err(f"{prefix}a-rate argument not allowed")
    if len(args) + 2 > 31:
        raise err(f"{prefix}too many arguments")
    if not args:
        return fmt  # compat: without arguments the format is copied raw, %% included
    out: list[str] = []
    seg: list[str] = []
    conv = None
    nargs = 0
    i, n = 0, len(fmt)
    while True:
        if i < n and fmt[i] != "%":
            seg.append(fmt[i])
            i += 1
            continue
        if fmt.startswith("%%", i):
            seg.append("%%")
            i += 2
            continue
        if conv is not None:
            if nargs >= len(args):
                raise err(f"{prefix}insufficient arguments for format")
            arg = args[nargs]
            nargs += 1
            text = "".join(seg)
            if conv in INT_CONVS:
                out.append(c_printf(text, to_int32(number(arg))))
            elif conv in FLOAT_CONVS:
                out.append(c_printf(text, number(arg)))
            elif conv == "s":
                if not isinstance(arg, str):
                    # compat: str_ops.c passes this text through "%s", so %% stays doubled
                    raise err(prefix + (str_msg or "Not string type for %%s"))
                out.append(c_printf(text, arg))
            else:
                raise err(f"{prefix}invalid format string")
            seg = []
        if i >= n:
            break
        seg.append("%")
        i += 1
        j = i
        while j < n and not is_alpha(fmt[j]):
            j += 1
        conv = fmt[j] if j < n else ""
    if nargs < len(args):
        raise err(f"{prefix}too many arguments for format")
    return "".join(out).split("\0", 1)[0]


# ---------------------------------------------------------------------------
# registration helpers: one Python function serves init and perf


def _store(out, result) -> None:
    if isinstance(out, StrVar):
        out.value = result
    else:
        out[0] = result


def _defstr(name: str, outs: str, ins: str, fn, krate: bool = False,
            native_init: NativeInit | None = None) -> None:
    """Register `fn(err, ctx, *values) -> result` at init (and every block if krate)."""

    def init(s, ic, out, *args):
        _store(out, fn(InitError, ic, *[value(a) for a in args]))

    def perf(s, pc, out, *args):
        _store(out, fn(PerfError, pc, *[value(a) for a in args[:-2]]))

    init.__doc__ = perf.__doc__ = f"{name}: see {fn.__name__} (OOps/str_ops.c)."
    defop(name, outs, ins, init=init, perf=perf if krate else None, python_perf=krate,
          native_init=native_init)


def _defout(name: str, outs: str, ins: str, fn) -> None:
    """Register an opcode with no output, init only."""

    def init(s, ic, *args):
        fn(InitError, ic, *[value(a) for a in args])

    init.__doc__ = f"{name}: see {fn.__name__} (OOps/str_ops.c)."
    defop(name, outs, ins, init=init)


# ---------------------------------------------------------------------------
# strset table


def _strset(err, ic, indx, text):
    """strset: store a string at an index of the engine's strset table."""
    n = to_int32(indx)
    if n < 0:
        raise err("illegal strset index")
    strsets = ic.engine.strsets
    old = strsets.get(n)
    if old is not None and old != text:
        ic.warning(f"strset index conflict at {n}")
        ic.warning(f"previous value: '{old}', replaced with '{text}'")
    strsets[n] = text


def _lookup_strset(ic, indx: float, rounding) -> str | None:
    return ic.engine.strsets.get(rounding(indx))


def _strget(err, ic, indx):
    """strget: the strset string at an index, or the string p-field itself."""
    if isinstance(indx, str):
        return indx
    found = _lookup_strset(ic, indx, round_half_away)
    return found if found is not None else ""


def _strcpy_p(err, ic, indx):
    """strcpy from a number: string p-field, strset string, else soundin.N."""
    if isinstance(indx, str):
        return indx
    found = _lookup_strset(ic, indx, round_half_away)
    return found if found is not None else f"soundin.{round_half_away(indx)}"


def _strset_or_pfield(err, ic, name, indx) -> str:
    if isinstance(indx, str):
        s = indx
    else:
        s = _lookup_strset(ic, indx, to_int32)
        if s is None:
            raise err(f"{name}: empty string")
    return s


# ---------------------------------------------------------------------------
# the opcodes


def _s_of(err, ic, x):
    """S: a number as C's "%f"."""
    # compat: written into a 15-byte buffer, so long numbers lose their tail
    return c_format("%f", x)[:14]


def _strcpy(err, ic, text):
    """strcpy: copy a string."""
    return text


def _strcat(err, ic, a, b):
    """strcat: concatenate two strings."""
    return a + b


def _strcmp(err, ic, a, b):
    """strcmp: -1, 0 or 1 as C's strcmp on the bytes."""
    a, b = to_bytes(a), to_bytes(b)
    return float((a > b) - (a < b))


def _strlen(err, ic, text):
    """strlen: length in bytes."""
    return float(len(to_bytes(text)))


def _sprintf(name):
    def fn(err, ic, fmt, *args):
        """sprintf: C-style formatting of numbers and strings."""
        flat = args[:1] + tuple(args[1]) if args else ()
        return sprintf_text(name + ": ", fmt, flat, err)

    fn.__name__ = "sprintf_text"
    return fn


def _number_at(first, rest, k):
    """Argument k of a variadic call whose fixed last argument is `first`."""
    return first if k == 0 else rest[k - 1]


@overload(_number_at)
def _number_at_typed(first, rest, k):
    if isinstance(rest, types.BaseTuple) and len(rest.types) == 0:
        return lambda first, rest, k: first
    return lambda first, rest, k: first if k == 0 else rest[k - 1]


@helper
def _to_int32_native(x):
    """`to_int32` in compiled code."""
    if not (-9.223372036854776e18 < x < 9.223372036854776e18):
        return 0
    r = np.int64(np.rint(x)) & 0xFFFFFFFF
    return r - 0x100000000 if r >= 0x80000000 else r


@helper
def _put_int(out, o, v, width, left, zero):
    """Write `%d` of v (flags - and 0, a width) at out[o:]; the new end, or -1
    when the text row would overflow."""
    digits = np.zeros(24, dtype=np.uint8)
    a = -v if v < 0 else v
    nd = 0
    while True:
        digits[nd] = 48 + a % 10
        nd += 1
        a //= 10
        if a == 0:
            break
    body = nd + (1 if v < 0 else 0)
    pad = width - body if width > body else 0
    if o + body + pad >= TEXT_BYTES:
        return -1
    if pad and not left and not zero:
        for _ in range(pad):
            out[o] = 32
            o += 1
    if v < 0:
        out[o] = 45
        o += 1
    if pad and zero and not left:
        for _ in range(pad):
            out[o] = 48
            o += 1
    for d in range(nd - 1, -1, -1):
        out[o] = digits[d]
        o += 1
    if pad and left:
        for _ in range(pad):
            out[o] = 32
            o += 1
    return o


@kernel
def sprintf_init_native(s, ctx, tabs, out, fmt, first, rest):
    """sprintf of numbers through `%d`/`%i` conversions (flags - and 0, a
    width) and literal text, as `sprintf_text` builds it; 1 (Python's init)
    for any other conversion, an argument-count error or a result longer
    than a text row."""
    nargs = 1 + len(rest)
    if nargs + 2 > 31:
        return 1
    n = text_length(fmt)
    o = 0
    used = 0
    i = 0
    while i < n:
        c = fmt[i]
        if c != 37:
            if o >= TEXT_BYTES - 1:
                return 1
            out[o] = c
            o += 1
            i += 1
            continue
        if i + 1 < n and fmt[i + 1] == 37:
            if o >= TEXT_BYTES - 1:
                return 1
            out[o] = 37
            o += 1
            i += 2
            continue
        j = i + 1
        left = False
        zero = False
        while j < n and (fmt[j] == 45 or fmt[j] == 48):
            if fmt[j] == 45:
                left = True
            else:
                zero = True
            j += 1
        width = 0
        while j < n and 48 <= fmt[j] <= 57:
            width = width * 10 + (fmt[j] - 48)
            if width >= TEXT_BYTES:
                return 1
            j += 1
        if j >= n or (fmt[j] != 100 and fmt[j] != 105) or used >= nargs:
            return 1
        v = _to_int32_native(_number_at(first, rest, used))
        used += 1
        o = _put_int(out, o, v, width, left, zero)
        if o < 0:
            return 1
        i = j + 1
    if used != nargs:
        return 1
    out[o] = 0
    return 0


def _numbers_after_format(op) -> bool:
    return all(v.kind == "scalar" for v in op.ins[1:])


_FLOAT = re.compile(
    r"[ \t\n\v\f\r]*[+-]?(?:"
    r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    r"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?"
    r"|[nN][aA][nN](?:\([0-9A-Za-z_]*\))?)"
)


def c_strtod(text: str) -> tuple[float, int]:
    """C-locale strtod: the value and how many characters it used (0 if none)."""
    m = _FLOAT.match(text)
    if not m:
        return 0.0, 0
    tok = m.group(0).lstrip(" \t\n\v\f\r")
    body = tok.lstrip("+-")
    neg = tok.startswith("-")
    if body[:2] in ("0x", "0X"):
        hexpart = body if "p" in body.lower() else body + "p0"
        if hexpart.lower().startswith("0x."):
            hexpart = "0x0" + hexpart[2:]
        x = float.fromhex(hexpart)
    elif body[:1] in "nN":
        x = math.nan
    else:
        x = float(body.split("(")[0])
    return (-x if neg else x), m.end()


def _strtod_text(err, name, s):
    s = s.lstrip(" \t")
    if not s:
        raise err(f"{name}: empty string")
    x, used = c_strtod(s)
    if used == 0 or used != len(s):
        raise err(f"{name}: invalid format")
    return x


def _strtol_text(err, name, s):
    s = s.lstrip(" \t")
    if not s:
        raise err(f"{name}: empty string")
    neg = s[0] == "-"
    if s[0] in "+-":
        s = s[1:]
    radix = 10
    if s.startswith("0"):
        if s[1:2] in ("x", "X"):
            radix, s = 16, s[2:]
        elif len(s) > 1:
            radix, s = 8, s[1:]
        else:
            return 0.0
    if not s:
        raise err(f"{name}: invalid format")
    digits = {8: "01234567", 10: string.digits, 16: string.hexdigits}[radix]
    x = 0
    i = 0
    while i < len(s) and s[i] in digits:
        x = x * radix + int(s[i], 16)
        i += 1
    if i != len(s):
        raise err(f"{name}: invalid format")
    x &= 0xFFFFFFFF  # compat: accumulates in a 32-bit int
    x = x - 0x100000000 if x >= 0x80000000 else x
    return float(-x if neg else x)


def _strtod_s(name):
    def fn(err, ic, text):
        """strtod: parse a C floating-point number."""
        return _strtod_text(err, name, text)

    fn.__name__ = "strtod_text"
    return fn


def _strtod_p(err, ic, indx):
    """strtod of a string p-field or strset string."""
    return _strtod_text(err, "strtod", _strset_or_pfield(err, ic, "strtod", indx))


def _strtol_s(name):
    def fn(err, ic, text):
        """strtol: parse a decimal, 0octal or 0xhex integer."""
        return _strtol_text(err, name, text)

    fn.__name__ = "strtol_text"
    return fn


def _strtol_p(err, ic, indx):
    """strtol of a string p-field or strset string."""
    return _strtol_text(err, "strtol", _strset_or_pfield(err, ic, "strtol", indx))


def _strsub(err, ic, text, istart, iend):
    """strsub: bytes istart..iend; out-of-range ends mean the end; reversed if start > end."""
    src = to_bytes(text)
    n = len(src)
    strt, end = round_pos(istart), round_pos(iend)
    strt = n if strt < 0 or strt > n else strt
    end = n if end < 0 or end > n else end
    if strt <= end:
        return from_bytes(src[strt:end])
    return from_bytes(src[end:strt][::-1])


def _strchar(err, ic, text, ipos):
    """strchar: the byte value at a position, 0 out of range."""
    src = to_bytes(text)
    pos = round_pos(ipos)
    return float(src[pos]) if 0 <= pos < len(src) else 0.0


def _strupper(err, ic, text):
    """strupper: ASCII letters to upper case."""
    return from_bytes(to_bytes(text).upper())


def _strlower(err, ic, text):
    """strlower: ASCII letters to lower case."""
    return from_bytes(to_bytes(text).lower())


def _strindex(err, ic, s1, s2):
    """strindex: first match of s2 in s1, or -1."""
    a, b = to_bytes(s1) + b"\0", to_bytes(s2) + b"\0"
    i = j = 0
    # compat: the scan never backs up after a partial match ("aab" has no "ab")
    while b[j] != 0:
        if a[i] == 0:
            return -1.0
        j = 0 if a[i] != b[j] else j + 1
        i += 1
    return float(i - j)


def _strrindex(err, ic, s1, s2):
    """strrindex: last match of s2 in s1, or -1 (same single-pass scan as strindex)."""
    a, b = to_bytes(s1) + b"\0", to_bytes(s2) + b"\0"
    i = j = 0
    k = -1
    while True:
        if b[j] == 0:
            k = i - j
            j = 0
        if a[i] == 0:
            break
        j = 0 if a[i] != b[j] else j + 1
        i += 1
    return float(k)


_defstr("S", "S", "i", _s_of)
_defstr("S", "S", "k", _s_of, krate=True)
_defout("strset", "", "iS", _strset)
_defstr("strget", "S", "i", _strget)
_defstr("strcpy", "S", "S", _strcpy)
_defstr("strcpy", "S", "i", _strcpy_p)
_defstr("strcpyk", "S", "S", _strcpy, krate=True)
_defstr("strcpyk", "S", "k", _strcpy_p, krate=True)
_defstr("strcat", "S", "SS", _strcat)
_defstr("strcatk", "S", "SS", _strcat, krate=True)
_defstr("strcmp", "i", "SS", _strcmp)
_defstr("strcmpk", "k", "SS", _strcmp, krate=True)
_defstr("sprintf", "S", "STN", _sprintf("sprintf"),
        native_init=NativeInit(sprintf_init_native, strings=True, accepts=_numbers_after_format))
_defstr("sprintfk", "S", "SUN", _sprintf("sprintfk"), krate=True)
_defstr("strtod", "i", "S", _strtod_s("strtod"))
_defstr("strtod", "i", "i", _strtod_p)
_defstr("strtodk", "k", "S", _strtod_s("strtodk"), krate=True)
_defstr("strtol", "i", "S", _strtol_s("strtol"))
_defstr("strtol", "i", "i", _strtol_p)
_defstr("strtolk", "k", "S", _strtol_s("strtolk"), krate=True)
_defstr("strsub", "S", "Soj", _strsub)
_defstr("strsubk", "S", "Skk", _strsub, krate=True)
_defstr("strchar", "i", "So", _strchar)
_defstr("strchark", "k", "SO", _strchar, krate=True)
_defstr("strlen", "i", "S", _strlen)
_defstr("strlenk", "k", "S", _strlen, krate=True)
_defstr("strupper", "S", "S", _strupper)
_defstr("strupperk", "S", "S", _strupper, krate=True)
_defstr("strlower", "S", "S", _strlower)
_defstr("strlowerk", "S", "S", _strlower, krate=True)
_defstr("strindex", "i", "SS", _strindex)
_defstr("strindexk", "k", "SS", _strindex, krate=True)
_defstr("strrindex", "i", "SS", _strrindex)
_defstr("strrindexk", "k", "SS", _strrindex, krate=True)
