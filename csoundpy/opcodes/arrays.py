"""Arrays: fillarray, element access (any number of dimensions, also the
samples of an a-rate variable), copies and element-wise arithmetic, lenarray
(OOps/arrays.c).  Perf-time array opcodes are python_perf: arrays can be
resized at init, so they are reached through their ArrayVar every block."""

from __future__ import annotations

import numpy as np

from ..errors import InitError, PerfError
from ._registry import defop


def _fillarray(rate: str):
    def init(s, ic, out, values):
        if rate == "S":
            out.data = np.array(list(values), dtype=object)
        else:
            out.data = np.array([float(v) for v in values], dtype=np.float64)

    return init


defop("fillarray", "i[]", "m", None, _fillarray("i"))
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
defop("##array_get", "k", "i[]z", None, None, _get_k, python_perf=True)
defop("##array_get", "k", "ak", None, None, _get_sample, python_perf=True)
defop("##array_get_i", "i", "k[]i", None, _get_i)
defop("##array_get_i", "i", "i[]i", None, _get_i)
defop("##array_set", "", "i[]m", None, _set_i)
defop("##array_set", "", "S[]N", None, _set_i)
defop("##array_set", "", "k[]z", None, None, _set_k, python_perf=True)
defop("##array_set", "", "akk", None, None, _set_sample, python_perf=True)


def _copy_into(out, src) -> None:
    data = src.data
    if out.data.shape == data.shape and out.data.dtype == data.dtype:
        out.data[...] = data
    else:
        out.data = np.array(data, copy=True)


def _copy_init(s, ic, out, src):
    _copy_into(out, src)


def _copy_perf(s, pc, out, src, n0, n1):
    _copy_into(out, src)


for _t in "iS":
    defop("=", f"{_t}[]", f"{_t}[]", None, _copy_init)
defop("=", "i[]", "k[]", None, _copy_init)
defop("=", "k[]", "k[]", None, _copy_init, _copy_perf, python_perf=True)
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


for _name, _fn in _ARRAY_OPS.items():
    _init, _perf = _arith(_fn)
    for _ins in ("i[]i[]", "i[]i", "ii[]"):
        defop(_name, "i[]", _ins, None, _init)
    for _ins in ("k[]k[]", "k[]k", "kk[]", "k[]i[]", "i[]k[]"):
        defop(_name, "k[]", _ins, None, _init, _perf, python_perf=True)


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
