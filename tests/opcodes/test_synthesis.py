"""Synthesis opcodes against real Csound 6.18.

Each fixture in fixtures/synthesis/ (made by tools/fixtures/make_synthesis.py)
is one fresh Csound run; the engine generators (holdrand, randSeed1) start
from Csound's defaults, so every sample must match.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

from _opcode_cases import case_names, check

CASES = case_names("synthesis")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("synthesis", name, rtol=1e-10, atol=1e-12)


def test_fixtures_present():
    assert len(CASES) >= 30


def test_pinkish_filter_needs_audio_input():
    with pytest.raises(InitError, match="a-rate"):
        render_opcode("pinkish", "a", "xoooo", [0.5, 1])
    with pytest.raises(InitError, match="Invalid method"):
        render_opcode("pinkish", "a", "xoooo", [np.zeros(10), 3])


def test_randseed1_is_shared_with_seed_and_getseed():
    host = OpcodeHost()
    render_opcode("seed", "", "i", [1234], host=host)
    (a,) = render_opcode("dust", "a", "kk", [1.0, 4000], nblocks=2, host=host)
    (g,) = render_opcode("getseed", "i", "", [], host=host)
    assert g[0] != 1234.0  # dust's init advanced randSeed1
    host2 = OpcodeHost()
    render_opcode("seed", "", "i", [1234], host=host2)
    (b,) = render_opcode("dust", "a", "kk", [1.0, 4000], nblocks=2, host=host2)
    np.testing.assert_array_equal(a, b)
