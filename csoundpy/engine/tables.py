"""Function tables: the engine's table directory and one table's data.

A table holds `size` points plus one guard point (`data` has size+1 items),
as Csound's FUNC does.  The fixed-point fields `lobits`, `lomask`, `lodiv`
(MAXLEN = 2**28 phase accumulator on 64-bit builds) are kept because Csound's truncating
oscillators index with them, and matching Csound sample for sample needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# 64-bit Csound builds (B64BIT in include/sysdep.h) use a 28-bit phase.
MAXLEN = 0x10000000
PHMASK = 0x0FFFFFFF


def _lobits(size: int) -> int:
    bits = 0
    length = size
    if length <= 0 or length & (length - 1):
        return 0
    while length < MAXLEN:
        length <<= 1
        bits += 1
    return bits


def _lo_fields(size: int) -> tuple[int, int, float]:
    """(lobits, lomask, lodiv) of a table of `size` points, as Csound derives them."""
    bits = _lobits(size)
    return bits, (1 << bits) - 1, 1.0 / (1 << bits)


# (lobits, lomask, lodiv) by size: only power-of-two sizes have lobits > 0, so a
# table's fields are one lookup of its current size (no cache to invalidate
# when GEN redefinition, ftgen or a deferred-size load changes the size).
_LO_FIELDS = {1 << k: _lo_fields(1 << k) for k in range(MAXLEN.bit_length())}
_NO_LO = _lo_fields(0)

# columns of the directory array compiled init passes read (TableDirectory.native)
TAB_ADDR, TAB_NPTS, TAB_FLEN, TAB_LOBITS, TAB_LOMASK, TAB_COLS = 0, 1, 2, 3, 4, 5
_version = [0]  # bumped whenever a table appears, goes, or gets new data


@dataclass
class FunctionTable:
    """One function table (Csound's FUNC)."""

    number: int
    data: np.ndarray  # float64, size + 1 (guard point included)
    gen: int = 0
    args: tuple = ()
    sr: float = 0.0  # GEN01: file sample rate (gen01 'gen01args.sample_rate')
    nchnls: int = 1
    base_freq: float = 0.0  # GEN01: cvtbas/cpscvt source (loscil)
    loop_mode1: int = 0
    loop_mode2: int = 0
    begin1: int = 0
    end1: int = 0
    begin2: int = 0
    end2: int = 0
    sound_frames: int = 0  # GEN01 'soundend' / flenfrms
    extra: dict = field(default_factory=dict)

    def __setattr__(self, name: str, value) -> None:
        if name == "data":
            _version[0] += 1
        object.__setattr__(self, name, value)

    @property
    def size(self) -> int:
        """Length without the guard point (Csound's flen)."""
        return self.data.shape[0] - 1

    @property
    def is_pow2(self) -> bool:
        n = self.size
        return n > 0 and (n & (n - 1)) == 0

    @property
    def lenmask(self) -> int:
        return self.size - 1 if self.is_pow2 else -1

    @property
    def lobits(self) -> int:
        return _LO_FIELDS.get(self.data.shape[0] - 1, _NO_LO)[0]

    @property
    def lomask(self) -> int:
        return _LO_FIELDS.get(self.data.shape[0] - 1, _NO_LO)[1]

    @property
    def lodiv(self) -> float:
        return _LO_FIELDS.get(self.data.shape[0] - 1, _NO_LO)[2]


class TableDirectory:
    """The engine's tables by number; ftgen 0 numbers start at 101."""

    def __init__(self) -> None:
        self._tables: dict[int, FunctionTable] = {}
        self._next_auto = 101
        self._native: np.ndarray = np.zeros((1, TAB_COLS), dtype=np.int64)
        self._native_version = -1
        self._kept: dict[int, np.ndarray] = {}  # data whose address a compiled note may hold

    def get(self, number: int) -> FunctionTable | None:
        return self._tables.get(int(number))

    def __contains__(self, number: int) -> bool:
        return int(number) in self._tables

    def set(self, table: FunctionTable) -> None:
        self._tables[table.number] = table
        _version[0] += 1

    def delete(self, number: int) -> None:
        if self._tables.pop(int(number), None) is not None:
            _version[0] += 1

    def native(self) -> np.ndarray:
        """The directory as an int64 array for compiled init passes: row n holds
        table n's data address, its number of points with the guard point, its
        size and its lobits/lomask (TAB_* columns); a zero address: no table.
        The data of every table listed once stays alive with the directory,
        since a note started in compiled code holds only its address."""
        if self._native_version != _version[0]:
            top = max(self._tables, default=0)
            arr = np.zeros((max(top + 1, 1), TAB_COLS), dtype=np.int64)
            for number, table in self._tables.items():
                if number < 0:
                    continue
                data = table.data
                if data.dtype != np.float64 or data.ndim != 1 or not data.flags.c_contiguous:
                    continue
                self._kept.setdefault(id(data), data)
                size = data.shape[0] - 1
                lobits, lomask, _ = _LO_FIELDS.get(size, _NO_LO)
                arr[number] = (data.__array_interface__["data"][0], data.shape[0], size,
                               lobits, lomask)
            self._native = arr
            self._native_version = _version[0]
        return self._native

    def next_number(self) -> int:
        """Next free automatic table number (101, 102, ...)."""
        while self._next_auto in self._tables:
            self._next_auto += 1
        number = self._next_auto
        self._next_auto += 1
        return number

    def numbers(self) -> list[int]:
        return sorted(self._tables)
