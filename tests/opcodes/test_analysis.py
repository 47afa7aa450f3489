"""Analysis, dynamics and control-signal opcodes against real Csound 6.18.

Each fixture in fixtures/analysis/ (made by tools/fixtures/make_analysis.py)
is one fresh Csound run of one or a few calls, with its input signals; the
calls are replayed here with render_opcode on the same inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import find_entry, render_opcode

from _opcode_cases import case_names, check

CASES = case_names("analysis")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("analysis", name, rtol=1e-10, atol=1e-12)


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
    from csoundpy.engine.context import InitContext, StrVar

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
