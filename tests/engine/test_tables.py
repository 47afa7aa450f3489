"""FunctionTable's fixed-point fields (lobits, lomask, lodiv) follow its size.

They are looked up by the table's current size, so they must agree with
Csound's own loop for every size and stay right when the size changes.
"""

from __future__ import annotations

import numpy as np

from csoundpy.engine.tables import MAXLEN, FunctionTable, _lobits


def _table(size: int) -> FunctionTable:
    """A table of `size` points (a zero-stride view: huge sizes cost nothing)."""
    return FunctionTable(1, np.broadcast_to(0.0, (size + 1,)))


def _expected(size: int) -> tuple[int, int, float]:
    bits = _lobits(size)
    return bits, (1 << bits) - 1, 1.0 / (1 << bits)


def test_fields_match_csounds_loop_for_every_kind_of_size():
    sizes = list(range(2050))
    for k in range(40):
        sizes += [1 << k, (1 << k) + 1, max((1 << k) - 1, 0)]
    for size in sizes:
        t = _table(size)
        assert (t.lobits, t.lomask, t.lodiv) == _expected(size), size


def test_power_of_two_sizes_give_the_28_bit_phase_split():
    t = _table(4096)
    assert (t.lobits, t.lomask, t.lodiv) == (16, 0xFFFF, 1.0 / 65536)
    assert _table(MAXLEN).lobits == 0 and _table(2 * MAXLEN).lobits == 0
    assert (_table(1000).lobits, _table(1000).lomask, _table(1000).lodiv) == (0, 0, 1.0)


def test_fields_follow_a_table_whose_data_is_replaced():
    t = FunctionTable(1, np.zeros(4097))
    assert t.lobits == 16
    t.data = np.zeros(1025)
    assert (t.lobits, t.lomask, t.lodiv) == (18, (1 << 18) - 1, 1.0 / (1 << 18))
    t.data = np.zeros(1001)
    assert (t.lobits, t.lomask, t.lodiv) == (0, 0, 1.0)


def test_ftgen_over_an_existing_number_gets_the_new_sizes_fields(rig):
    r = rig("""
gi1 ftgen 1, 0, 4096, 10, 1
instr 1
  i2 ftgen 1, 0, 1024, 10, 1
endin
""")
    assert r.engine.tables.get(1).lobits == 16
    r.note(1, 0, 0.01)
    r.run(2)
    table = r.engine.tables.get(1)
    assert table.size == 1024
    assert (table.lobits, table.lomask, table.lodiv) == _expected(1024)
