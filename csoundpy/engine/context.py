"""What opcodes see of the engine: constants, the init and perf contexts,
string and array variables, and the layout of a note's status array."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..errors import InitError

CONSTS = np.dtype(
    (
        np.record,
        [
            ("sr", np.float64),
            ("kr", np.float64),
            ("ksmps", np.int64),
            ("onedsr", np.float64),
            ("onedkr", np.float64),
            ("tpidsr", np.float64),
            ("pidsr", np.float64),
            ("mtpdsr", np.float64),
            ("sicvt", np.float64),
            ("e0dbfs", np.float64),
            ("dbfs_to_float", np.float64),
            ("a4", np.float64),
            ("nchnls", np.int64),
            ("nchnls_i", np.int64),
        ],
    )
)

# Csound's MAXLEN / sr: phase increment scale of the fixed-point oscillators
# (2**28 on 64-bit builds, include/csoundCore.h with B64BIT).
MAXLEN = 0x10000000

# Layout of Instance.status (a float64 array shared with kernels).
ST_RELEASING = 0  # 1.0 while the note is in its release phase
ST_KCOUNT = 1  # control blocks performed since the note started
ST_TIED = 2  # 1.0 when the init pass was for a tied note
ST_XTRA_BLOCKS = 3  # extra (release) time in control blocks
ST_OFFSET = 4  # sample offset of the first block (sample-accurate starts)
ST_SIZE = 8


def make_consts(
    sr: float, ksmps: int, e0dbfs: float = 32768.0, nchnls: int = 1, nchnls_i: int = 1,
    a4: float = 440.0,
) -> np.record:
    """The engine-constant record passed to every kernel as `ctx`."""
    rec = np.zeros(1, dtype=CONSTS)[0]
    rec.sr = sr
    rec.ksmps = ksmps
    rec.kr = sr / ksmps
    rec.onedsr = 1.0 / sr
    rec.onedkr = 1.0 / rec.kr  # as Csound: 1/ekr, not ksmps/sr
    rec.tpidsr = 2.0 * np.pi / sr
    rec.pidsr = np.pi / sr
    rec.mtpdsr = -2.0 * np.pi / sr
    rec.sicvt = MAXLEN / sr
    rec.e0dbfs = e0dbfs
    rec.dbfs_to_float = 1.0 / e0dbfs
    rec.a4 = a4
    rec.nchnls = nchnls
    rec.nchnls_i = nchnls_i
    return rec


class StrVar:
    """A string variable (S): opcodes read and write `.value`."""

    __slots__ = ("value",)

    def __init__(self, value: str = "") -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"StrVar({self.value!r})"


class ArrayVar:
    """An array variable (k[], i[], a[], S[]): opcodes read and write `.data`."""

    __slots__ = ("data", "rate")

    def __init__(self, rate: str = "k", data: np.ndarray | None = None) -> None:
        self.rate = rate
        self.data = data if data is not None else np.zeros(0)

    def __repr__(self) -> str:
        return f"ArrayVar({self.rate}, {self.data!r})"


FSIG_HEADER = 8  # framecount, N, overlap, winsize, wintype, format, sliding, spare
FS_COUNT, FS_N, FS_OVERLAP, FS_WINSIZE, FS_WINTYPE, FS_FORMAT, FS_SLIDING = range(7)


class FSig:
    """A streaming spectral (f) variable: one float64 buffer holding an 8-value
    header (framecount, N, overlap, winsize, wintype, format, sliding) followed
    by the current frame (N + 2 values: amp/freq or re/im pairs).  Init
    functions get the FSig and call `allocate`; native perf kernels get `buf`,
    python_perf functions the FSig itself."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = np.zeros(FSIG_HEADER)

    def allocate(self, n: int, overlap: int, winsize: int, wintype: int, fmt: int = 0,
                 sliding: int = 0) -> None:
        """Set the format; a new frame buffer only when the size changes."""
        size = FSIG_HEADER + int(n) + 2
        if self.buf.shape[0] != size:
            self.buf = np.zeros(size)
        self.buf[FS_COUNT] = 0.0
        self.buf[FS_N] = n
        self.buf[FS_OVERLAP] = overlap
        self.buf[FS_WINSIZE] = winsize
        self.buf[FS_WINTYPE] = wintype
        self.buf[FS_FORMAT] = fmt
        self.buf[FS_SLIDING] = sliding

    @property
    def frame(self) -> np.ndarray:
        return self.buf[FSIG_HEADER:]

    @property
    def N(self) -> int:
        return int(self.buf[FS_N])

    @property
    def overlap(self) -> int:
        return int(self.buf[FS_OVERLAP])

    @property
    def winsize(self) -> int:
        return int(self.buf[FS_WINSIZE])

    @property
    def wintype(self) -> int:
        return int(self.buf[FS_WINTYPE])

    @property
    def format(self) -> int:
        return int(self.buf[FS_FORMAT])

    @property
    def framecount(self) -> int:
        return int(self.buf[FS_COUNT])


_VOID_ATTRS = frozenset(dir(np.record))
_void_get = np.void.__getitem__
_void_set = np.void.__setitem__
_record_get = np.record.__getattribute__
_record_set = np.record.__setattr__
_STATE_VIEWS: dict[np.dtype, np.dtype] = {}


def state_view_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype of the view of an opcode state record that init functions get.

    `record.view(state_view_dtype(record.dtype))` is the same memory as the
    record, but reads and writes its fields through numpy's C item access: an
    np.record attribute goes through Python code in numpy (about 2 µs), and a
    note runs dozens of them.  Values, conversions and errors are np.record's;
    a field named like an np.record attribute (`shape`) behaves as np.record's
    (reads give the attribute).  Kernels keep getting the np.record itself,
    which numba dispatches on faster."""
    view = _STATE_VIEWS.get(dtype)
    if view is None:
        names = frozenset(n for n in dtype.names or () if n not in _VOID_ATTRS)

        class StateView(np.record):
            __slots__ = ()

            def __getattribute__(self, attr: str) -> Any:
                if attr in names:
                    return _void_get(self, attr)
                return _record_get(self, attr)

            def __setattr__(self, attr: str, value: Any) -> None:
                if attr in names:
                    _void_set(self, attr, value)
                else:
                    _record_set(self, attr, value)

        view = _STATE_VIEWS[dtype] = np.dtype((StateView, dtype))
    return view


def const_values(consts: np.record, engine_consts: np.record) -> tuple:
    """(sr, kr, ksmps, e0dbfs, nchnls) as Python numbers, for InitContext."""
    return (float(consts.sr), float(consts.kr), int(consts.ksmps),
            float(engine_consts.e0dbfs), int(engine_consts.nchnls))


def local_consts(consts: np.record, local_ksmps: int) -> np.record | None:
    """The constants of a UDO body with `setksmps n` run from a caller with
    `consts`; None when the body runs with the caller's (n is 0, not smaller
    than the caller's ksmps, or does not divide it)."""
    ksmps = int(consts.ksmps)
    if not local_ksmps or local_ksmps >= ksmps or ksmps % local_ksmps:
        return None
    return make_consts(float(consts.sr), int(local_ksmps), float(consts.e0dbfs),
                       int(consts.nchnls), int(consts.nchnls_i), float(consts.a4))


class InitContext:
    """The `ic` argument of init functions."""

    def __init__(self, engine: Any, instance: Any = None, reinit: bool = False, opname: str = ""):
        self.engine = engine
        self.instance = instance
        self.reinit = reinit
        self.opname = opname

    @property
    def consts(self) -> np.record:
        inst = self.instance
        local = getattr(inst, "consts", None) if inst is not None else None
        return local if local is not None else self.engine.consts

    def _values(self) -> tuple:
        """The instance's cached constants (see `const_values`)."""
        values = getattr(self.instance, "const_values", None)
        return values if values is not None else \
            const_values(self.consts, self.engine.consts)

    @property
    def sr(self) -> float:
        return self._values()[0]

    @property
    def kr(self) -> float:
        return self._values()[1]

    @property
    def ksmps(self) -> int:
        return self._values()[2]

    @property
    def e0dbfs(self) -> float:
        return self._values()[3]

    @property
    def nchnls(self) -> int:
        return self._values()[4]

    def zeros(self, shape: tuple, position: int = 0) -> np.ndarray:
        """A zeroed float64 aux array for this op (its `position` among the aux
        arrays init returns): the array this instance's previous note had there
        when the shape is the same, as Csound's AuxAlloc reuses and clears an
        instance's memory, else a new one.  Reusing it lets the fused path keep
        the address it already holds."""
        prev = getattr(self.instance, "prev_aux", None)
        index = getattr(self, "op_index", -1)
        if prev is not None and not self.reinit and 0 <= index < len(prev):
            old = prev[index]
            if position < len(old):
                arr = old[position]
                if type(arr) is np.ndarray and arr.shape == shape and arr.dtype == np.float64:
                    arr.fill(0.0)
                    return arr
        return np.zeros(shape)

    def table(self, number: float):
        """The table `number`, or InitError as Csound reports it."""
        table = self.engine.tables.get(int(number)) if number >= 1 else None
        if table is None:
            raise InitError(f"Invalid ftable no. {number:f}")
        return table

    def print(self, text: str) -> None:
        """Orchestra output (print, prints, ...): shown whatever -m says."""
        self.engine.print_orch(text)

    def warning(self, text: str) -> None:
        self.engine.warning(text)

    def message(self, text: str) -> None:
        self.engine.message(text)


class PerfContext(InitContext):
    """The `pc` argument of python_perf functions."""


class OpcodeHost:
    """A minimal engine for running opcodes without the parser or the scheduler
    (used by `csoundpy.testing`); it has the attributes opcodes may touch."""

    def __init__(
        self, sr: float = 44100.0, ksmps: int = 10, e0dbfs: float = 1.0, nchnls: int = 1,
        nchnls_i: int | None = None, a4: float = 440.0,
    ) -> None:
        from .tables import TableDirectory

        nchnls_i = nchnls if nchnls_i is None else nchnls_i
        self.consts = make_consts(sr, ksmps, e0dbfs, nchnls, nchnls_i, a4)
        self.tables = TableDirectory()
        self.spout = np.zeros((nchnls, ksmps))
        self.spin = np.zeros((nchnls_i, ksmps))
        self.clock = np.zeros(4)
        self.strsets: dict[int, str] = {}
        self.globals: dict[str, Any] = {}
        self.printed: list[str] = []
        self.warnings: list[str] = []
        self.search_dirs: list[str] = ["."]

    def print_orch(self, text: str) -> None:
        self.printed.append(text)
        sys.stderr.write(text)

    def warning(self, text: str) -> None:
        self.warnings.append(text)

    def message(self, text: str) -> None:
        self.printed.append(text)

    def find_file(self, name: str) -> str | None:
        import os

        if os.path.isabs(name):
            return name if os.path.exists(name) else None
        for d in self.search_dirs:
            path = os.path.join(d, name)
            if os.path.exists(path):
                return path
        return None
