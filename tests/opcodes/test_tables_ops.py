"""Table readers, writers and queries against real Csound 6.18.

Fixtures in fixtures/tables_ops/ are made by tools/fixtures/make_tables_ops.py;
tables written by a case are compared with Csound's dump after the note.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError, PerfError
from csoundpy.testing import render_opcode

from _opcode_cases import case_names, check

CASES = case_names("tables_ops")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("tables_ops", name)


def test_fixtures_present():
    assert len(CASES) >= 10


def test_missing_table_is_an_init_error():
    with pytest.raises(InitError, match="table: could not find ftable 7"):
        render_opcode("table", "k", "xiooo", [0.0, 7.0])


def test_inconsistent_index_rate():
    with pytest.raises(InitError, match="index type inconsistent with output"):
        render_opcode("table", "k", "xiooo", [np.zeros(10), 1.0], rates="aiiii")


def test_tablekt_missing_table_is_a_perf_error():
    host = OpcodeHost()
    host.tables.set(FunctionTable(1, np.arange(9.0)))
    with pytest.raises(PerfError, match="could not find ftable 5"):
        render_opcode("tablekt", "k", "xkooo", [1.0, np.array([1.0, 5.0])], nblocks=2,
                      host=host)
