"""Analysis, dynamics and control-signal opcodes against real Csound 6.18.

Each fixture in fixtures/analysis/ (made by tools/fixtures/make_analysis.py)
is one fresh Csound run of one or a few calls, with its input signals; the
calls are replayed here with render_opcode on the same inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import find_entry, render_opcode

from _opcode_cases import case_names, check, load

CASES = case_names("analysis")
ARRAY_CASES = {"changed2_array"}  # array inputs: replayed by their own test


@pytest.mark.parametrize("name", sorted(set(CASES) - ARRAY_CASES))
def test_matches_csound(name):
    check("analysis", name, rtol=1e-10, atol=1e-12)


def test_changed2_on_array():
    """karr_[] init 2, filled with k_i, k_c each block; changed2 karr_ (gab.c memcmp)."""
    from csoundpy.engine.context import ArrayVar, PerfContext

    spec, fx = load("analysis", "changed2_array")
    col = {v: fx["ch"][::spec["ksmps"], i] for i, v in enumerate(spec["chans"])}
    entry = find_entry("changed2", "k", ".[]")
    host = OpcodeHost(sr=spec["sr"], ksmps=spec["ksmps"])
    state = np.zeros(1, dtype=entry.state)[0]
    arr = ArrayVar("k", np.zeros(2))
    out = np.zeros(1)
    (memo,) = entry.init(state, InitContext(host), out, arr)
    got = []
    for b in range(spec["nblocks"]):
        arr.data = np.array([col["k_i"][b], col["k_c"][b]])
        entry.perf(state, PerfContext(host), memo, out, arr, 0, 1)
        got.append(out[0])
    np.testing.assert_array_equal(got, col["k_r0"])
    assert sum(got) >= 3


def test_fixtures_present():
    assert len(CASES) >= 30


def test_pitchamdf_bad_range():
    with pytest.raises(InitError, match="pitchamdf: maxcps must be > mincps !"):
        render_opcode("pitchamdf", "kk", "aiioppoo", [np.zeros(10), 500, 100])


def test_max_k_bad_flag_aborts():
    with pytest.raises(ValueError, match="max_k: invalid imaxflag value"):
        render_opcode("max_k", "k", "aki", [np.zeros(10), 1.0, 7])


def test_follow_zero_length_warns():
    host = OpcodeHost()
    render_opcode("follow", "a", "ai", [np.zeros(10), 0.0], host=host)
    assert host.warnings == ["follow - zero length!"]


def test_changed_on_strings():
    """str_ops.c: 0 at init and while equal, 1 on the block the string changes."""
    from csoundpy.engine.context import StrVar

    entry = find_entry("changed", "k", "S")
    host = OpcodeHost()
    state = np.zeros(1, dtype=entry.state)[0]
    out = np.zeros(1)
    (memo,) = entry.init(state, InitContext(host), out, "a")
    got = []
    for text in ["a", "b", "b", "c", "a"]:
        entry.perf(state, None, memo, out, StrVar(text), 0, 1)
        got.append(out[0])
    assert got == [0.0, 1.0, 0.0, 1.0, 1.0]
