"""Arrays: fillarray, element access (any number of dimensions, also the
samples of an a-rate variable), copies and element-wise arithmetic, lenarray,
genarray, maxarray/minarray/sumarray, scalearray, slicearray, copyf2array,
copya2ftab, shiftin/shiftout, interleave/deinterleave (Csound 6.18's
Opcodes/arrays.c); product, sum and the math functions on arrays (abs, sqrt,
sin, ... from Opcodes/arrayops.cpp); tab2array, cmp and printarray
(Opcodes/emugens/emugens.c).  Perf-time array opcodes are python_perf: arrays
can be resized at init, so they are reached through their ArrayVar every block.
Csound's oddities are kept and tagged `# compat:` (queries measure an array by
the sum of its dimension sizes, `log2` on arrays is log10, `int` on a k-array
runs at init only, interleave/deinterleave run at init only)."""

from __future__ import annotations

import numpy as np

from ..engine.context import StrVar
from ..errors import InitError, PerfError
from ._registry import State, defop
from .strings import c_printf, to_int32


def _fillarray(rate: str):
    def init(s, ic, out, values):
        if rate == "S":
            data = np.array(list(values), dtype=object)
        else:
            data = np.array([float(v) for v in values], dtype=np.float64)
        old = out.data
        if old is not None and old.ndim > 1 and old.size == data.size:
            data = data.reshape(old.shape)  # fills a declared N-d array row by row
        out.data = data

    return init


defop("fillarray", "i[]", "m", None, _fillarray("i"))
defop("array", "i[]", "m", None, _fillarray("i"))
defop("array", "k[]", "m", None, _fillarray("k"))
defop("fillarray", "k[]", "m", None, _fillarray("k"))
defop("fillarray", "S[]", "N", None, _fillarray("S"))


def _index(data: np.ndarray, indices, error=PerfError) -> tuple:
    idx = tuple(int(float(i)) for i in indices)
    if len(idx) > data.ndim:
        raise error(f"Array dimension {len(idx)} out of range for dimensions {data.ndim}")
    for d, i in enumerate(idx):
        if i < 0 or i >= data.shape[d]:
            raise error(f"Array index {i} out of range (0,{data.shape[d] - 1}) for dimension "
                        f"{d + 1}")
    return idx


def _scalar(x) -> float:
    return float(x[()]) if isinstance(x, np.ndarray) else float(x)


def _get_i(s, ic, out, arr, indices):
    value = arr.data[_index(arr.data, indices, InitError)]
    if hasattr(out, "value"):
        out.value = str(value)
    else:
        out[0] = float(value)


def _get_k(s, pc, out, arr, indices, n0, n1):
    data = arr.data if hasattr(arr, "data") else arr
    out[0] = float(data[_index(data, [_scalar(i) for i in indices])])


def _set_i(s, ic, arr, args):
    *indices, value = args
    arr.data[_index(arr.data, indices, InitError)] = value


def _set_k(s, pc, arr, args, n0, n1):
    *indices, value = args
    data = arr.data if hasattr(arr, "data") else arr
    data[_index(data, [_scalar(i) for i in indices])] = \
        value.value if hasattr(value, "value") else _scalar(value)


def _get_sample(s, pc, out, asig, kidx, n0, n1):
    i = int(kidx[()])
    if i < 0 or i >= asig.shape[0]:
        raise PerfError(f"Array index {i} out of range (0,{asig.shape[0] - 1})")
    out[0] = asig[i]


def _set_sample(s, pc, asig, kidx, kval, n0, n1):
    i = int(kidx[()])
    if i < 0 or i >= asig.shape[0]:
        raise PerfError(f"Array index {i} out of range (0,{asig.shape[0] - 1})")
    asig[i] = kval[()]


defop("##array_get", "i", "i[]m", None, _get_i)
defop("##array_get", "i", "k[]m", None, _get_i)
defop("##array_get", "S", "S[]m", None, _get_i)
defop("##array_get", "k", "k[]z", None, None, _get_k, python_perf=True)


def _get_s_k(s, pc, out, arr, indices, n0, n1):
    out.value = str(arr.data[_index(arr.data, [_scalar(i) for i in indices])])


defop("##array_get", "S", "S[]z", None, _get_i, _get_s_k, python_perf=True)
defop("##array_get", "k", "i[]z", None, None, _get_k, python_perf=True)
defop("##array_get", "k", "ak", None, None, _get_sample, python_perf=True)
defop("##array_get_i", "i", "k[]i", None, _get_i)
defop("##array_get_i", "i", "i[]i", None, _get_i)
defop("##array_set", "", "i[]m", None, _set_i)
defop("##array_set", "", "S[]N", None, _set_i)
defop("##array_set", "", "k[]z", None, None, _set_k, python_perf=True)
defop("##array_set", "", "akk", None, None, _set_sample, python_perf=True)


def _get_audio(s, pc, out, arr, indices, n0, n1):
    out[:] = arr.data[_index(arr.data, [_scalar(i) for i in indices])]


def _set_audio(s, pc, arr, args, n0, n1):
    *indices, value = args
    arr.data[_index(arr.data, [_scalar(i) for i in indices])] = value


defop("##array_get", "a", "a[]z", None, None, _get_audio, python_perf=True)
defop("##array_set", "", "a[]M", None, None, _set_audio, python_perf=True)


def _fill_i(s, ic, out, value):
    out.data[...] = value


def _fill_k(s, pc, out, value, n0, n1):
    out.data[...] = value[()]


defop("=", "i[]", "i", None, _fill_i)
defop("=", "k[]", "k", None, _fill_i, _fill_k, python_perf=True)


def _copy_into(out, src) -> None:
    data = src.data
    if out.data.shape == data.shape and out.data.dtype == data.dtype:
        out.data[...] = data
    else:
        out.data = np.array(data, copy=True)


def _size_like(out, arr) -> None:
    """Csound's tabinit_like: `out` takes `arr`'s shape, keeping the values it
    holds (new elements are 0); nothing is computed."""
    if out is arr or out.data is arr.data or out.data.shape == arr.data.shape:
        return
    new = np.zeros(arr.data.shape)
    old, flat = out.data.reshape(-1), new.reshape(-1)
    n = min(old.size, flat.size)
    flat[:n] = old[:n]
    out.data = new


def _copy_init(s, ic, out, src):
    _copy_into(out, src)


def _copy_k_init(s, ic, out, src):
    """k[] = k[] at init (arrays.c tabcopyk_init): sized, copied at perf time."""
    _size_like(out, src)


def _copy_perf(s, pc, out, src, n0, n1):
    _copy_into(out, src)


for _t in "iS":
    defop("=", f"{_t}[]", f"{_t}[]", None, _copy_init)
defop("=", "i[]", "k[]", None, _copy_init)
defop("=", "k[]", "k[]", None, _copy_k_init, _copy_perf, python_perf=True)
defop("=", "k[]", "i[]", None, _copy_init, _copy_perf, python_perf=True)

_ARRAY_OPS = {
    "##add": np.add, "##sub": np.subtract, "##mul": np.multiply, "##div": np.divide,
    "##mod": np.fmod, "##pow": np.power,
}


def _operand(x):
    if hasattr(x, "data"):
        return x.data
    return _scalar(x)


def _arith(fn):
    def compute(out, a, b):
        with np.errstate(all="ignore"):
            result = fn(_operand(a), _operand(b))
        if out.data.shape == np.shape(result):
            out.data[...] = result
        else:
            out.data = np.array(result, dtype=np.float64)

    def init(s, ic, out, a, b):
        compute(out, a, b)

    def perf(s, pc, out, a, b, n0, n1):
        compute(out, a, b)

    return init, perf


def _arith_k_init(s, ic, out, a, b):
    """k-rate array arithmetic at init (arrays.c tabarithset*): the result is
    only sized like the array operand; the first value comes at perf time."""
    arrays = [x for x in (a, b) if hasattr(x, "data")]
    if len(arrays) == 2 and arrays[0].data.shape != arrays[1].data.shape:
        raise InitError("Dimensions do not match in array arithmetic")
    _size_like(out, arrays[0])


for _name, _fn in _ARRAY_OPS.items():
    _init, _perf = _arith(_fn)
    for _ins in ("i[]i[]", "i[]i", "ii[]"):
        defop(_name, "i[]", _ins, None, _init)
    for _ins in ("k[]k[]", "k[]k", "kk[]", "k[]i[]", "i[]k[]"):
        defop(_name, "k[]", _ins, None, _arith_k_init, _perf, python_perf=True)


def _lenarray(s, ic, out, arr, idim):
    data = arr.data
    dim = int(idim)
    if dim <= 0:
        out[0] = float(data.shape[0]) if data.ndim else 0.0
    else:
        out[0] = float(data.shape[dim - 1]) if dim <= data.ndim else -1.0


def _lenarray_k(s, pc, out, arr, idim, n0, n1):
    _lenarray(s, pc, out, arr, _scalar(idim))


defop("lenarray", "i", "i[]p", None, _lenarray)
defop("lenarray", "i", "S[]p", None, _lenarray)
defop("lenarray", "k", "k[]p", None, _lenarray, _lenarray_k, python_perf=True)


# ---------------------------------------------------------------------------
# Generators, queries and table copies (Opcodes/arrays.c, emugens.c tab2array)


def _resize(arr, size: int) -> np.ndarray:
    """Csound's tabinit: make `arr` a vector of `size` items, keeping what it held."""
    size = max(int(size), 0)
    data = arr.data
    if data.ndim == 1 and data.shape[0] == size and data.dtype == np.float64:
        return data
    new = np.zeros(size)
    flat = np.asarray(data, dtype=np.float64).reshape(-1) if data.dtype != object else new[:0]
    keep = min(size, flat.shape[0])
    new[:keep] = flat[:keep]
    arr.data = new
    return new


def _span(arr) -> np.ndarray:
    # compat: arrays.c measures an array by summing its dimension sizes, so a
    # 3x4 array is searched over its first 7 items.
    data = arr.data
    return data.reshape(-1)[:sum(data.shape)] if data.ndim > 1 else data


def _need_data(arr, err) -> None:
    if arr.data.size == 0:
        raise err("array-variable not initialised")


def _genarray(s, ic, out, istart, iend, inc):
    start, inc = float(istart), float(inc)
    with np.errstate(all="ignore"):
        count = (float(iend) - start) / inc + 1.0
    size = int(count) if np.isfinite(count) else -1
    if size < 0:
        raise InitError("inconsistent start, end and increment parameters")
    data = _resize(out, size)
    for i in range(size):  # accumulated, as Csound adds the step each time
        data[i] = start
        start += inc


def _genarray_k(s, pc, out, kstart, kend, kinc, n0, n1):
    try:
        _genarray(s, pc, out, _scalar(kstart), _scalar(kend), _scalar(kinc))
    except InitError as exc:
        raise PerfError(str(exc)) from None


defop("genarray", "i[]", "iip", None, _genarray)
defop("genarray_i", "k[]", "iip", None, _genarray)
defop("genarray", "k[]", "kkp", None, None, _genarray_k, python_perf=True)


def _extreme(pick):
    def compute(outs, arr, err):
        _need_data(arr, err)
        data = _span(arr)
        pos = 0
        best = data[0]
        for i in range(1, data.shape[0]):
            if pick(data[i], best):
                best, pos = data[i], i
        outs[0][0] = best
        if len(outs) > 1:
            outs[1][0] = float(pos)

    def init_k(s, ic, *args):
        _need_data(args[-1], InitError)

    def init_i(s, ic, *args):
        compute(args[:-1], args[-1], InitError)

    def perf(s, pc, *args):
        compute(args[:-3], args[-3], PerfError)

    return init_i, init_k, perf


for _name, _pick in (("maxarray", lambda a, b: a > b), ("minarray", lambda a, b: a < b)):
    _init_i, _init_k, _perf = _extreme(_pick)
    defop(_name, "kz", "k[]", None, _init_k, _perf, python_perf=True)
    defop(_name, "iI", "i[]", None, _init_i)


def _sum_into(out, arr, err) -> None:
    _need_data(arr, err)
    if arr.data.ndim != 1:
        raise err("array-variable not a vector")
    total = arr.data[0]
    for v in arr.data[1:]:
        total += v
    out[0] = total


def _sumarray_init(s, ic, out, arr):
    _need_data(arr, InitError)


def _sumarray_perf(s, pc, out, arr, n0, n1):
    _sum_into(out, arr, PerfError)


def _sumarray_i(s, ic, out, arr):
    _sum_into(out, arr, InitError)


defop("sumarray", "k", "k[]", None, _sumarray_init, _sumarray_perf, python_perf=True)
defop("sumarray", "i", "i[]", None, _sumarray_i)


def _accumulate(first: float, step):
    def compute(out, arr):
        total = first
        for v in arr.data.reshape(-1):
            total = step(total, v)
        out[0] = total

    def init(s, ic, out, arr):
        compute(out, arr)

    def perf(s, pc, out, arr, n0, n1):
        compute(out, arr)

    return init, perf


for _name, _first, _step in (("product", 1.0, lambda a, b: a * b),
                             ("sum", 0.0, lambda a, b: a + b)):
    _init, _perf = _accumulate(_first, _step)
    defop(_name, "k", "k[]", None, None, _perf, python_perf=True)
    defop(_name, "i", "i[]", None, _init)


def _scale(arr, kmin, kmax, kstart, kend, err) -> None:
    if arr.data.size == 0 or arr.data.ndim != 1:
        raise err("array-variable not initialised")
    data = arr.data
    size = data.shape[0]
    strt, end = to_int32(kstart), to_int32(kend)
    tmin = tmax = data[strt]
    if end < 0 or end > size:
        end = size
    strt = min(max(strt, 0), size)
    if end < strt:
        strt, end = end, strt
    for i in range(strt + 1, end):
        tmin = min(tmin, data[i])
        tmax = max(tmax, data[i])
    with np.errstate(all="ignore"):
        scale = (kmax - kmin) / (tmax - tmin)
        for i in range(strt, end):
            data[i] = (data[i] - tmin) * scale + kmin


def _scalearray_init(s, ic, arr, kmin, kmax, kstart, kend):
    if arr.data.size == 0 or arr.data.ndim != 1:
        raise InitError("array-variable not initialised")


def _scalearray_perf(s, pc, arr, kmin, kmax, kstart, kend, n0, n1):
    _scale(arr, _scalar(kmin), _scalar(kmax), _scalar(kstart), _scalar(kend), PerfError)


def _scalearray_i(s, ic, arr, imin, imax, istart, iend):
    _scale(arr, imin, imax, istart, iend, InitError)


defop("scalearray", "", "k[]kkOJ", None, _scalearray_init, _scalearray_perf, python_perf=True)
defop("scalearray", "", "i[]iiOJ", None, _scalearray_i)


def _slice(s, ic, out, arr, istart, iend, inc):
    start, end, step = int(istart), int(iend), int(inc)
    size = int((end - start) / step) if step else -1  # C integer division truncates
    if size + 1 < 0:
        raise InitError("inconsistent start, end parameters")
    src = arr.data
    if src.ndim != 1 or end >= src.shape[0]:
        raise InitError("slice larger than original size")
    if step <= 0:
        raise InitError("slice increment must be positive")
    picked = src[start:end + 1:step]
    if src.dtype == object:
        out.data = np.array(list(picked), dtype=object)
    else:
        _resize(out, size + 1)[:picked.shape[0]] = picked


def _slice_k(s, pc, out, arr, istart, iend, inc, n0, n1):
    _slice(s, pc, out, arr, _scalar(istart), _scalar(iend), _scalar(inc))


defop("slicearray", "i[]", "i[]iip", None, _slice)
for _t in "kS":
    defop("slicearray", f"{_t}[]", f"{_t}[]iip", None, _slice, _slice_k, python_perf=True)
for _t in "ikS":
    defop("slicearray_i", f"{_t}[]", f"{_t}[]iip", None, _slice)


def _find_table(host, kfn, err):
    table = host.engine.tables.get(int(kfn)) if kfn >= 1 else None
    if table is None:
        raise err("No table for copy2ftab")
    return table


def _f2array(arr, table) -> None:
    if arr.data.size == 0:
        _resize(arr, table.size)
    n = min(arr.data.size, table.size)
    arr.data.reshape(-1)[:n] = table.data[:n]


def _copyf2array_i(s, ic, arr, kfn, *_):
    _f2array(arr, _find_table(ic, kfn, InitError))


def _copyf2array_k(s, pc, arr, kfn, *args):
    _f2array(arr, _find_table(pc, _scalar(kfn), PerfError))


defop("copyf2array", "", "k[]k", None, _copyf2array_i, _copyf2array_k, python_perf=True)
defop("copyf2array", "", "k[]kk", None, _copyf2array_i, _copyf2array_k, python_perf=True)
defop("copyf2array", "", "i[]i", None, _copyf2array_i)


def _a2ftab(arr, table, offset: int, err) -> None:
    if arr.data.size == 0:
        raise err("array-var not initialised")
    if offset >= table.size or offset < 0:
        raise err("Offset is out of bounds")
    n = min(sum(arr.data.shape), table.size - offset)
    table.data[offset:offset + n] = arr.data.reshape(-1)[:n]


def _copya2ftab_i(s, ic, arr, kfn, ioffset=0.0):
    _a2ftab(arr, _find_table(ic, kfn, InitError), int(ioffset), InitError)


def _copya2ftab_k(s, pc, arr, kfn, *args):
    offset = int(_scalar(args[0])) if len(args) > 2 else 0
    _a2ftab(arr, _find_table(pc, _scalar(kfn), PerfError), offset, PerfError)


def _copya2ftab_init(s, ic, arr, kfn):
    _a2ftab(arr, _find_table(ic, kfn, InitError), 0, InitError)


defop("copya2ftab", "", "k[]k", None, _copya2ftab_init, _copya2ftab_k, python_perf=True)
defop("copya2ftab", "", "i[]io", None, _copya2ftab_i)
defop("copya2ftab", "", "k[]kO", None, None, _copya2ftab_k, python_perf=True)


def _tab2array_count(table, kstart, kend, kstep, err, single: bool) -> tuple:
    start, end, step = int(kstart), int(kend), int(kstep)
    if end < 1:
        end = table.size
    # compat: the init pass divides in single precision, the perf pass in double
    ratio = np.float32(end - start) / np.float32(step) if single else (end - start) / step
    count = int(np.ceil(ratio))
    if count < 0:
        raise err("tab2array: cannot copy a negative number of items")
    return start, end, step, count


def _tab2array_init(s, ic, out, ifn, kstart, kend, kstep):
    table = ic.table(ifn)
    count = _tab2array_count(table, kstart, kend, kstep, InitError, True)[3]
    _resize(out, count)
    s.fn = ifn


def _tab2array_perf(s, pc, out, ifn, kstart, kend, kstep, n0, n1):
    table = pc.engine.tables.get(int(s.fn))
    start, end, step, count = _tab2array_count(table, _scalar(kstart), _scalar(kend),
                                               _scalar(kstep), PerfError, False)
    data = _resize(out, max(count, out.data.size))
    picked = table.data[start:end:step]
    data[:picked.shape[0]] = picked


def _tab2array_i(s, ic, out, ifn, istart, iend, istep):
    _tab2array_init(s, ic, out, ifn, istart, iend, istep)
    _tab2array_perf(s, ic, out, ifn, istart, iend, istep, 0, 1)


_TAB2ARRAY = State(fn=np.float64)
defop("tab2array", "k[]", "iOOP", _TAB2ARRAY, _tab2array_init, _tab2array_perf, python_perf=True)
defop("tab2array", "i[]", "ioop", _TAB2ARRAY, _tab2array_i)


# ---------------------------------------------------------------------------
# shiftin / shiftout: a-rate signal through a circular k-array (arrays.c)

_SHIFT = State(n=np.int64)


def _shiftin_init(s, ic, out, asig):
    if out.data.size < ic.ksmps:
        _resize(out, ic.ksmps)
    s.n = 0


def _shiftin_perf(s, pc, out, asig, n0, n1):
    data = out.data
    size, ksmps, n = data.shape[0], asig.shape[0], int(s.n)
    if n + ksmps < size:
        data[n:n + ksmps] = asig
    else:
        num = size - n
        data[n:] = asig[:num]
        data[:ksmps - num] = asig[num:]
    s.n = (n + ksmps) % size


def _shiftout_init(s, ic, aout, arr, ioff):
    size = arr.data.shape[0]
    if size < ic.ksmps:
        raise InitError("input array too small\n")
    s.n = int(ioff) % size


def _shiftout_perf(s, pc, aout, arr, ioff, n0, n1):
    data = arr.data
    size, ksmps, n = data.shape[0], aout.shape[0], int(s.n)
    if n + ksmps < size:
        aout[:] = data[n:n + ksmps]
    else:
        num = size - n
        aout[:num] = data[n:]
        aout[num:] = data[:ksmps - num]
    s.n = (n + ksmps) % size


defop("shiftin", "k[]", "a", _SHIFT, _shiftin_init, _shiftin_perf, python_perf=True)
defop("shiftout", "a", "k[]o", _SHIFT, _shiftout_init, _shiftout_perf, python_perf=True)


# ---------------------------------------------------------------------------
# interleave / deinterleave (arrays.c): init-time only, k[] rows included


def _interleave(s, ic, out, a, b):
    if a.data.ndim != 1 or b.data.ndim != 1 or a.data.shape != b.data.shape:
        raise InitError("array inputs not in correct format\n")
    data = _resize(out, 2 * a.data.shape[0])
    data[0::2] = a.data
    data[1::2] = b.data


def _deinterleave(s, ic, out1, out2, src):
    if src.data.ndim != 1:
        raise InitError("array inputs not in correct format\n")
    half = src.data.shape[0] // 2
    _resize(out1, half)[:] = src.data[0:2 * half:2]
    _resize(out2, half)[:] = src.data[1:2 * half:2]


for _t in "ik":  # compat: the k[] rows are init-only in arrays.c too
    defop("interleave", f"{_t}[]", f"{_t}[]{_t}[]", None, _interleave)
    defop("deinterleave", f"{_t}[]{_t}[]", f"{_t}[]", None, _deinterleave)


# ---------------------------------------------------------------------------
# Element-wise math functions on arrays (Opcodes/arrayops.cpp)


def _frac(x):
    return np.modf(x)[0]


_ARRAY_FUNCS = {
    "ceil": np.ceil, "floor": np.floor, "round": np.round, "int": np.trunc, "frac": _frac,
    "powoftwo": np.exp2, "abs": np.fabs,
    "log2": np.log10,  # compat: arrayops.cpp binds log2 on arrays to log10
    "log10": np.log10, "log": np.log, "exp": np.exp, "sqrt": np.sqrt, "cos": np.cos,
    "sin": np.sin, "tan": np.tan, "cosinv": np.arccos, "sininv": np.arcsin,
    "taninv": np.arctan, "cosh": np.cosh, "sinh": np.sinh, "tanh": np.tanh, "cbrt": np.cbrt,
}


def _c_round(x):
    # std::round: halves away from zero (numpy rounds them to even)
    return np.copysign(np.floor(np.abs(x) + 0.5), x)


def _array_func(fn):
    def apply(out, arr):
        with np.errstate(all="ignore"):
            result = fn(np.asarray(arr.data, dtype=np.float64))
        if out.data.shape == result.shape and out.data.dtype == np.float64:
            out.data[...] = result
        else:
            out.data = result

    def init_i(s, ic, out, arr):
        apply(out, arr)

    def init_k(s, ic, out, arr):
        _resize(out, arr.data.size)

    def perf(s, pc, out, arr, n0, n1):
        apply(out, arr)

    return init_i, init_k, perf


for _name, _fn in _ARRAY_FUNCS.items():
    _init_i, _init_k, _perf = _array_func(_c_round if _name == "round" else _fn)
    defop(_name, "i[]", "i[]", None, _init_i)
    if _name == "int":  # compat: registered init-only for k arrays in arrayops.cpp
        defop(_name, "k[]", "k[]", None, _init_i)
    else:
        defop(_name, "k[]", "k[]", None, _init_k, _perf, python_perf=True)


# ---------------------------------------------------------------------------
# cmp on arrays (Opcodes/emugens/emugens.c)

_CMP_OPS = {0: np.greater, 1: np.greater_equal, 2: np.less, 3: np.less_equal,
            4: np.equal, 5: np.not_equal}
_CMP = State(mode=np.int64)


def _cmp_mode(op: str) -> int:
    if op[:1] == ">":
        return 0 if len(op) == 1 else 1
    if op[:1] == "<":
        return 2 if len(op) == 1 else 3
    if op[:1] == "=":
        return 4
    if op[:2] == "!=":
        return 5
    raise InitError("cmp: unknown operator. Expecting <, <=, >, >=, ==, !=")


def _cmp_store(out, result) -> None:
    data = out.data
    n = result.shape[0]
    if data.ndim != 1 or data.shape[0] < n or data.dtype != np.float64:
        data = _resize(out, n)
    data[:n] = result


def _cmp1_init(s, ic, out, arr, op, k1):
    _resize(out, arr.data.shape[0])
    s.mode = _cmp_mode(op)


def _cmp1_perf(s, pc, out, arr, op, k1, n0, n1):
    _cmp_store(out, _CMP_OPS[int(s.mode)](arr.data, _scalar(k1)).astype(np.float64))


def _cmp1_i(s, ic, out, arr, op, k1):
    _cmp1_init(s, ic, out, arr, op, k1)
    _cmp1_perf(s, ic, out, arr, op, k1, 0, 1)


def _cmp2_init(s, ic, out, a1, op, a2):
    _resize(out, min(a1.data.shape[0], a2.data.shape[0]))
    s.mode = _cmp_mode(op)


def _cmp2_perf(s, pc, out, a1, op, a2, n0, n1):
    n = a1.data.shape[0]
    _cmp_store(out, _CMP_OPS[int(s.mode)](a1.data, a2.data[:n]).astype(np.float64))


def _cmp2_i(s, ic, out, a1, op, a2):
    _cmp2_init(s, ic, out, a1, op, a2)
    _cmp2_perf(s, ic, out, a1, op, a2, 0, 1)


def _between_init(s, ic, out, ka, op1, arr, op2, kb):
    _resize(out, arr.data.shape[0])
    if op1[:1] != "<":
        raise InitError("cmp (ternary comparator): operator 1 expected <")
    if op2[:1] != "<":
        raise InitError("cmp (ternary comparator): operator 2 expected <")
    s.mode = (0 if len(op1) == 1 else 1) + 2 * (0 if len(op2) == 1 else 1)


def _between_perf(s, pc, out, ka, op1, arr, op2, kb, n0, n1):
    x, a, b, mode = arr.data, _scalar(ka), _scalar(kb), int(s.mode)
    low = a <= x if mode & 1 else a < x
    high = x <= b if mode & 2 else x < b
    _cmp_store(out, (low & high).astype(np.float64))


def _between_i(s, ic, out, ka, op1, arr, op2, kb):
    _between_init(s, ic, out, ka, op1, arr, op2, kb)
    _between_perf(s, ic, out, ka, op1, arr, op2, kb, 0, 1)


defop("cmp", "k[]", "k[]Sk", _CMP, _cmp1_init, _cmp1_perf, python_perf=True)
defop("cmp", "i[]", "i[]Si", _CMP, _cmp1_i)
defop("cmp", "k[]", "k[]Sk[]", _CMP, _cmp2_init, _cmp2_perf, python_perf=True)
defop("cmp", "i[]", "i[]Si[]", _CMP, _cmp2_i)
defop("cmp", "k[]", "kSk[]Sk", _CMP, _between_init, _between_perf, python_perf=True)
defop("cmp", "i[]", "iSi[]Si", _CMP, _between_i)


# ---------------------------------------------------------------------------
# printarray (Opcodes/emugens/emugens.c arrprint)

_LINE = 80
_PRINT = State(lasttrig=np.int64)


def _print_format(fmt: str | None, strings: bool) -> str:
    if fmt is None or len(fmt) < 2:
        return '"%s"' if strings else "%.4f"
    return fmt.replace("%d", "%.0f")


def _array_lines(data: np.ndarray, fmt: str, label: str | None) -> str:
    """The text arrprint/arrprint_str write: 80-column lines of formatted items."""
    lines = [] if label is None else [label]
    if data.dtype == object:
        line = ""
        for item in data:
            if line:
                line += ", "
            line += c_printf(fmt, str(item))
            if len(line) >= _LINE:
                lines.append(" " + line)
                line = ""
        if line:
            lines.append(" " + line)
        return "".join(l + "\n" for l in lines)
    if data.ndim == 1:
        showidx = data.shape[0] > 100
        line, first = "", 0
        for i, v in enumerate(data):
            line += c_printf(fmt, float(v))
            if len(line) < _LINE:
                line += " "
            else:
                lines.append(f" {first:3d}: {line}" if showidx else f" {line}")
                line, first = "", i + 1
        if line:
            lines.append(f" {first:3d}: {line}" if showidx else f" {line}")
    elif data.ndim == 2:
        for i, row in enumerate(data):
            line = f" {i:3d}: "
            for v in row:
                line += c_printf(fmt, float(v))
                if len(line) < _LINE:
                    line += " "
                else:
                    lines.append(line)
                    line = ""
            if line:
                lines.append(line)
    return "".join(l + "\n" for l in lines)


def _printarray_check(arr) -> None:
    if arr.data.dtype == object and arr.data.ndim > 1:
        raise InitError("cannot print multidimensional string arrays")
    if arr.data.ndim > 2:
        raise InitError(f"only 1-D and 2-D arrays supported, got {arr.data.ndim} dimensions")


def _printarray_k(triggered: bool):
    def init(s, ic, arr, *args):
        _printarray_check(arr)
        s.lasttrig = 0

    def perf(s, pc, arr, *args):
        args = [a.value if isinstance(a, StrVar) else a for a in args[:-2]]
        trig = int(_scalar(args.pop(0))) if triggered else -1
        fmt = _print_format(args[0] if args else None, arr.data.dtype == object)
        label = args[1] if len(args) > 1 else None
        if trig < 0 or (trig > 0 and s.lasttrig <= 0):
            pc.print(_array_lines(arr.data, fmt, label))
        s.lasttrig = trig

    return init, perf


def _printarray_i(s, ic, arr, sfmt=None, slabel=None):
    fmt = "%.4f" if not sfmt else sfmt.replace("%d", "%.0f")
    ic.print(_array_lines(arr.data, fmt, slabel))


_pa_trig = _printarray_k(True)
_pa_plain = _printarray_k(False)
for _t in "kS":
    defop("printarray", "", f"{_t}[]J", _PRINT, *_pa_trig, python_perf=True)
    defop("printarray", "", f"{_t}[]kS", _PRINT, *_pa_trig, python_perf=True)
    defop("printarray", "", f"{_t}[]kSS", _PRINT, *_pa_trig, python_perf=True)
    defop("printarray", "", f"{_t}[]S", _PRINT, *_pa_plain, python_perf=True)
    defop("printarray", "", f"{_t}[]SS", _PRINT, *_pa_plain, python_perf=True)
defop("printarray", "", "i[]", None, _printarray_i)
defop("printarray", "", "i[]S", None, _printarray_i)
defop("printarray", "", "i[]SS", None, _printarray_i)
