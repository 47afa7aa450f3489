"""Miscellaneous control opcodes (misc_control.py) against real Csound 6.18.

Each fixture in fixtures/misc_control/ (made by tools/fixtures/make_misc_control.py)
is one fresh Csound run of one or a few calls, replayed here with render_opcode.
"""

from __future__ import annotations

import json

import pytest
from _opcode_cases import FIXTURES, case_names, check

from csoundpy.engine.context import ArrayVar, InitContext, OpcodeHost, PerfContext
from csoundpy.errors import InitError
from csoundpy.testing import find_entry

CASES = case_names("misc_control")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("misc_control", name)


def test_fixtures_present():
    assert len(CASES) >= 41


# ------------------------------------------------------------ array opcodes
TEXT = json.loads((FIXTURES / "misc_control_text.json").read_text())
A = [0.5, -1.25, 3, 7.5, 0.1]
B = [2, 0.3, -0.7, 1e-3, 9, 4]
S = [0.1, 0.4, 0.9, 0.3, 0.05, 0.2, 0.0, 0.7, 0.33]


def _call(name, outs, ins, *args):
    """Run the init (and, for k rows, one perf) of an overload with array inputs."""
    import numpy as np

    host = OpcodeHost(sr=44100, ksmps=10)
    entry = find_entry(name, outs, ins)
    out = np.zeros(1)
    arrays = [ArrayVar(ins[0], np.array(a, dtype=float)) for a in args]
    if entry.init is not None:
        entry.init(None, InitContext(host), out, *arrays)
    if entry.perf is not None:
        entry.perf(None, PerfContext(host), out, *arrays, 0, 1)
    return out[0]


def test_dot():
    assert _call("dot", "i", "i[]i[]", A, B) == TEXT["dot_i"]
    assert _call("dot", "k", "k[]k[]", A, B[:5]) == TEXT["dot_k"]
    with pytest.raises(InitError, match="second input array is too short"):
        _call("dot", "i", "i[]i[]", B, A)


def test_centroid():
    assert _call("centroid", "i", "i[]", S) == pytest.approx(TEXT["centroid_i"], rel=1e-14)
    assert _call("centroid", "k", "k[]", A) == pytest.approx(TEXT["centroid_k"], rel=1e-14)
    assert _call("centroid", "k", "k[]", [0, 0, 0]) == TEXT["centroid_zero"]
