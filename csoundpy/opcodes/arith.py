"""Operators, assignment, init, rate conversions and math functions
(OOps/aops.c, Engine/csound_orc_expressions.c).

Operators are the opcodes the compiler emits for expressions (`##add` ...),
declared once per rate variant.  One kernel serves each arity; the operator
is a small integer code stored in the state record at init.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import NativeInit, State, defop, f64

OPSTATE = State(code=f64, prev=f64)

# ------------------------------------------------------------------ binary ops
BIN_CODES = {
    "##add": 0, "##sub": 1, "##mul": 2, "##div": 3, "##mod": 4, "##pow": 5,
    "##lt": 6, "##gt": 7, "##le": 8, "##ge": 9, "##eq": 10, "##ne": 11,
    "##and": 12, "##or": 13, "##bitand": 14, "##bitor": 15, "##bitxor": 16,
    "##shl": 17, "##shr": 18,
}


@helper
def _lround(x):
    """Nearest integer, halves to even (C's lrint in the default rounding mode)."""
    return np.int64(np.rint(x))


@helper
def _binop(code, a, b):
    if code == 0:
        return a + b
    if code == 1:
        return a - b
    if code == 2:
        return a * b
    if code == 3:
        return a / b
    if code == 4:
        return np.fmod(a, b)
    if code == 5:
        return np.power(a, b)
    if code == 6:
        return 1.0 if a < b else 0.0
    if code == 7:
        return 1.0 if a > b else 0.0
    if code == 8:
        return 1.0 if a <= b else 0.0
    if code == 9:
        return 1.0 if a >= b else 0.0
    if code == 10:
        return 1.0 if a == b else 0.0
    if code == 11:
        return 1.0 if a != b else 0.0
    if code == 12:
        return 1.0 if (a != 0.0 and b != 0.0) else 0.0
    if code == 13:
        return 1.0 if (a != 0.0 or b != 0.0) else 0.0
    ia, ib = _lround(a), _lround(b)
    if code == 14:
        return float(ia & ib)
    if code == 15:
        return float(ia | ib)
    if code == 16:
        return float(ia ^ ib)
    if code == 17:
        return float(ia << ib)
    return float(ia >> ib)


def _binop_py(code: int, a: float, b: float) -> float | None:
    """`_binop` on Python floats where Python's arithmetic is the same IEEE (or
    libm) operation; None where only the compiled helper has C's behaviour
    (x/0, errors Python raises, integer wrap-around)."""
    if code == 0:
        return a + b
    if code == 1:
        return a - b
    if code == 2:
        return a * b
    if b == 0.0 and code in (3, 4):
        return None
    if code == 3:
        return a / b
    if code <= 5:
        try:
            return math.fmod(a, b) if code == 4 else math.pow(a, b)  # C's fmod and pow
        except (ValueError, OverflowError):
            return None
    if code <= 11:
        return float((a < b, a > b, a <= b, a >= b, a == b, a != b)[code - 6])
    return None


def _bin_init(code: int, warn_div: bool):
    def init(s, ic, out, a, b):
        s.code = code
        if warn_div and b == 0.0 and code in (3, 4):
            ic.warning("Division by zero")
        if type(a) is float and type(b) is float:
            value = _binop_py(code, a, b)
            if value is not None:
                out[0] = value
                return
        out[0] = _binop(code, a, b)

    return init


def _bin_setcode(code: int):
    def init(s, ic, out, a, b):
        s.code = code

    return init


@kernel
def bin_init_native(s, ctx, tabs, code, warn_div, out, a, b):
    """`_bin_init` for compiled note starts (a division by zero warns: Python's)."""
    s.code = code
    if warn_div and b == 0.0 and (code == 3 or code == 4):
        return 1
    out[0] = _binop(code, a, b)
    return 0


@kernel
def setcode_native(s, ctx, tabs, code, out, a, b):
    """`_bin_setcode` for compiled note starts."""
    s.code = code
    return 0


@kernel
def binop_k(s, ctx, out, a, b, n0, n1):
    """k-rate binary operator."""
    out[0] = _binop(int(s.code), at(a, 0), at(b, 0))


@kernel
def binop_a(s, ctx, out, a, b, n0, n1):
    """a-rate binary operator (either operand a-rate)."""
    code = int(s.code)
    if code == 0:
        for n in range(n0, n1):
            out[n] = at(a, n) + at(b, n)
    elif code == 1:
        for n in range(n0, n1):
            out[n] = at(a, n) - at(b, n)
    elif code == 2:
        for n in range(n0, n1):
            out[n] = at(a, n) * at(b, n)
    elif code == 3:
        for n in range(n0, n1):
            out[n] = at(a, n) / at(b, n)
    else:
        for n in range(n0, n1):
            out[n] = _binop(code, at(a, n), at(b, n))


for _name, _code in BIN_CODES.items():
    _set = NativeInit(setcode_native, (_code,))
    if _code <= 5 or _code >= 14:
        defop(_name, "i", "ii", OPSTATE, _bin_init(_code, True),
              native_init=NativeInit(bin_init_native, (_code, True)))
        defop(_name, "k", "kk", OPSTATE, _bin_setcode(_code), binop_k, native_init=_set)
        for _ins in ("ak", "ka", "aa"):
            defop(_name, "a", _ins, OPSTATE, _bin_setcode(_code), binop_a, flags=("note_local",),
                  native_init=_set)
    elif _code <= 11:
        defop(_name, "b", "ii", OPSTATE, _bin_init(_code, False),
              native_init=NativeInit(bin_init_native, (_code, False)))
        defop(_name, "B", "kk", OPSTATE, _bin_setcode(_code), binop_k, native_init=_set)
    else:
        defop(_name, "b", "bb", OPSTATE, _bin_init(_code, False),
              native_init=NativeInit(bin_init_native, (_code, False)))
        defop(_name, "B", "BB", OPSTATE, _bin_setcode(_code), binop_k, native_init=_set)

# ------------------------------------------------------------------ unary ops
UN_CODES = {
    "##neg": 0, "##not": 1, "##bitnot": 2,
    "int": 3, "frac": 4, "round": 5, "floor": 6, "ceil": 7, "abs": 8, "exp": 9, "log": 10,
    "log10": 11, "log2": 12, "sqrt": 13, "sin": 14, "cos": 15, "tan": 16, "sininv": 17,
    "cosinv": 18, "taninv": 19, "sinh": 20, "cosh": 21, "tanh": 22, "logbtwo": 23,
    "powoftwo": 24, "signum": 25, "##identity": 26, "qinf": 27, "qnan": 28,
}


@helper
def _unop(code, x):
    if code == 0:
        return -x
    if code == 1:
        return 1.0 if x == 0.0 else 0.0
    if code == 2:
        return float(~_lround(x))
    if code == 3:
        return float(np.trunc(x))
    if code == 4:
        return x - np.trunc(x)
    if code == 5:
        return float(_lround(x))
    if code == 6:
        return math.floor(x)
    if code == 7:
        return math.ceil(x)
    if code == 8:
        return abs(x)
    if code == 9:
        return math.exp(x)
    if code == 10:
        return np.log(x)
    if code == 11:
        return np.log10(x)
    if code == 12:
        return np.log2(x)
    if code == 13:
        return np.sqrt(x)
    if code == 14:
        return math.sin(x)
    if code == 15:
        return math.cos(x)
    if code == 16:
        return math.tan(x)
    if code == 17:
        return np.arcsin(x)
    if code == 18:
        return np.arccos(x)
    if code == 19:
        return math.atan(x)
    if code == 20:
        return math.sinh(x)
    if code == 21:
        return math.cosh(x)
    if code == 22:
        return math.tanh(x)
    if code == 23:
        return np.log2(x)
    if code == 24:
        return np.power(2.0, x)
    if code == 25:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
    if code == 26:
        return x
    if code == 27:
        return 1.0 if math.isinf(x) else 0.0
    return 1.0 if math.isnan(x) else 0.0


def _un_init(code: int):
    def init(s, ic, out, x):
        s.code = code
        out[0] = _unop(code, x)

    return init


def _un_setcode(code: int):
    def init(s, ic, out, x):
        s.code = code

    return init


@kernel
def un_init_native(s, ctx, tabs, code, out, x):
    """`_un_init` for compiled note starts."""
    s.code = code
    out[0] = _unop(code, x)
    return 0


@kernel
def un_setcode_native(s, ctx, tabs, code, out, x):
    """`_un_setcode` for compiled note starts."""
    s.code = code
    return 0


@kernel
def unop_k(s, ctx, out, x, n0, n1):
    """k-rate unary operator or math function."""
    out[0] = _unop(int(s.code), at(x, 0))


@kernel
def unop_a(s, ctx, out, x, n0, n1):
    """a-rate unary operator or math function."""
    code = int(s.code)
    if code == 0:
        for n in range(n0, n1):
            out[n] = -x[n]
    else:
        for n in range(n0, n1):
            out[n] = _unop(code, x[n])


for _name, _code in UN_CODES.items():
    _ni = NativeInit(un_init_native, (_code,))
    _set = NativeInit(un_setcode_native, (_code,))
    if _code == 1:
        defop(_name, "b", "b", OPSTATE, _un_init(_code), native_init=_ni)
        defop(_name, "B", "B", OPSTATE, _un_setcode(_code), unop_k, native_init=_set)
        continue
    defop(_name, "i", "i", OPSTATE, _un_init(_code), native_init=_ni)
    defop(_name, "k", "k", OPSTATE, _un_setcode(_code), unop_k, native_init=_set)
    defop(_name, "a", "a", OPSTATE, _un_setcode(_code), unop_a, flags=("note_local",),
          native_init=_set)

# ------------------------------------------------------------------ two-argument functions


@kernel
def pow_k(s, ctx, out, x, y, inorm, n0, n1):
    """pow: x^y / inorm (OOps/aops.c ipow/apow)."""
    out[0] = np.power(at(x, 0), at(y, 0)) / at(inorm, 0)


@kernel
def pow_a(s, ctx, out, x, y, inorm, n0, n1):
    """a-rate pow."""
    yv = at(y, 0)
    norm = at(inorm, 0)
    for n in range(n0, n1):
        out[n] = np.power(x[n], yv) / norm


def _pow_init(s, ic, out, x, y, inorm):
    out[0] = np.power(x, y) / inorm


defop("pow", "i", "iip", None, _pow_init)
defop("pow", "k", "kkp", None, None, pow_k)
defop("pow", "a", "akp", None, None, pow_a)


@kernel
def taninv2_k(s, ctx, out, y, x, n0, n1):
    """taninv2: atan2(y, x)."""
    out[0] = math.atan2(at(y, 0), at(x, 0))


@kernel
def taninv2_a(s, ctx, out, y, x, n0, n1):
    """a-rate taninv2."""
    for n in range(n0, n1):
        out[n] = math.atan2(y[n], x[n])


defop("taninv2", "i", "ii", None, lambda s, ic, out, y, x: out.__setitem__(0, math.atan2(y, x)))
defop("taninv2", "k", "kk", None, None, taninv2_k)
defop("taninv2", "a", "aa", None, None, taninv2_a)

# ------------------------------------------------------------------ min / max / limit


@kernel
def minmax_k(s, ctx, out, first, rest, n0, n1):
    """min/max over k arguments (code 0 = min, 1 = max)."""
    best = at(first, 0)
    for x in rest:
        v = at(x, 0)
        if (s.code == 0.0 and v < best) or (s.code == 1.0 and v > best):
            best = v
    out[0] = best


@kernel
def minmax_a(s, ctx, out, first, rest, n0, n1):
    """min/max over a arguments."""
    for n in range(n0, n1):
        best = first[n]
        for x in rest:
            v = x[n]
            if (s.code == 0.0 and v < best) or (s.code == 1.0 and v > best):
                best = v
        out[n] = best


def _minmax_init(code: float, compute: bool):
    def init(s, ic, out, first, rest):
        s.code = code
        if compute:
            values = (first, *rest)
            out[0] = min(values) if code == 0.0 else max(values)

    return init


for _name, _code in (("min", 0.0), ("max", 1.0)):
    defop(_name, "i", "im", OPSTATE, _minmax_init(_code, True))
    defop(_name, "k", "kz", OPSTATE, _minmax_init(_code, False), minmax_k)
    defop(_name, "a", "ay", OPSTATE, _minmax_init(_code, False), minmax_a)


@helper
def _limit(x, lo, hi):
    if lo > hi:
        return (lo + hi) * 0.5
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


@kernel
def limit_k(s, ctx, out, x, lo, hi, n0, n1):
    """limit: clamp to [lo, hi]; the midpoint when lo > hi (OOps/... limit)."""
    out[0] = _limit(at(x, 0), at(lo, 0), at(hi, 0))


@kernel
def limit_a(s, ctx, out, x, lo, hi, n0, n1):
    """a-rate limit."""
    for n in range(n0, n1):
        out[n] = _limit(x[n], at(lo, n), at(hi, n))


defop("limit", "i", "iii", None, lambda s, ic, out, x, lo, hi: out.__setitem__(0, _limit(x, lo, hi)))
defop("limit", "k", "kkk", None, None, limit_k)
defop("limit", "a", "akk", None, None, limit_a)

# ------------------------------------------------------------------ ternary


@kernel
def cond_k(s, ctx, out, c, a, b, n0, n1):
    """c ? a : b at k-rate."""
    out[0] = at(a, 0) if at(c, 0) != 0.0 else at(b, 0)


@kernel
def cond_a(s, ctx, out, c, a, b, n0, n1):
    """c ? a : b at a-rate."""
    if at(c, 0) != 0.0:
        for n in range(n0, n1):
            out[n] = at(a, n)
    else:
        for n in range(n0, n1):
            out[n] = at(b, n)


defop("##cond", "i", "bii", None, lambda s, ic, out, c, a, b: out.__setitem__(0, a if c else b))
defop("##cond", "k", "Bkk", None, None, cond_k)
defop("##cond", "a", "Bxx", None, None, cond_a)


def _cond_s(s, ic, out, c, a, b):
    out.value = a if c else b


defop("##cond", "S", "bSS", None, _cond_s)

# ------------------------------------------------------------------ assignment, init, conversions


@kernel
def copy_k(s, ctx, out, x, n0, n1):
    """k-rate assignment."""
    out[0] = at(x, 0)


@kernel
def copy_a(s, ctx, out, x, n0, n1):
    """a-rate assignment (a k value fills the block)."""
    for n in range(n0, n1):
        out[n] = at(x, n)


def _set_i(s, ic, out, x):
    out[0] = x


@kernel
def set_i_native(s, ctx, tabs, out, x):
    """`_set_i` for compiled note starts."""
    out[0] = x
    return 0


@kernel
def set_a_native(s, ctx, tabs, out, x):
    """`_set_a` for compiled note starts."""
    out[:] = x
    return 0


_SET_I = NativeInit(set_i_native)


def _set_a(s, ic, out, x):
    out[:] = x


def _set_s(s, ic, out, x):
    out.value = x


defop("=", "i", "i", None, _set_i, native_init=_SET_I)
defop("=", "k", "k", None, None, copy_k)
defop("=", "a", "a", None, None, copy_a, flags=("note_local",))
defop("=", "a", "k", None, None, copy_a, flags=("note_local",))
defop("=", "S", "S", None, _set_s)


def _set_s_from_p(s, ic, out, x):
    # compat: a string p-field reaches `S = p4` as text; a number is written with %f-like repr
    out.value = x if isinstance(x, str) else f"{x:f}"


defop("=", "S", "i", None, _set_s_from_p)
defop("=", "b", "b", None, _set_i, native_init=_SET_I)
defop("=", "B", "B", None, None, copy_k)

defop("init", "i", "i", None, _set_i, native_init=_SET_I)
defop("init", "k", "i", None, _set_i, native_init=_SET_I)
defop("init", "a", "i", None, _set_a, native_init=NativeInit(set_a_native))
defop("init", "S", "S", None, _set_s)


def _array_init(rate: str):
    def init(s, ic, out, sizes):
        if not sizes:
            raise InitError("init: array size missing")
        dims = [int(v) for v in sizes]
        if rate == "a":
            dims = dims + [ic.ksmps]
        if rate == "S":
            out.data = np.array([""] * int(np.prod(dims)), dtype=object).reshape(dims)
        else:
            out.data = np.zeros(dims)

    return init


for _t in "ikaS":
    defop("init", f"{_t}[]", "m", None, _array_init(_t))


def _i_of_k(s, ic, out, x):
    out[0] = x


defop("##i", "i", "k", None, _i_of_k)
defop("##k", "k", "i", None, None, copy_k)

# ------------------------------------------------------------------ inline forms

# k-rate operators the code generator (compile/codegen.py) writes as one
# expression instead of a kernel call: kernel name -> (helper, opcode codes).
# The expression is the kernel's own computation with its code known.
INLINE_K = {
    "binop_k": ("_binop", BIN_CODES),
    "unop_k": ("_unop", UN_CODES),
    "copy_k": (None, None),
}
