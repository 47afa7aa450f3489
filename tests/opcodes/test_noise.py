"""Noise and random opcodes against real Csound 6.18.

Each fixture in fixtures/noise/ (made by tools/fixtures/make_noise.py) is one
fresh Csound run of one or a few calls; the engine generators start from
Csound's defaults, so every value must match exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.testing import render_opcode

from _opcode_cases import case_names, check

CASES = case_names("noise")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("noise", name)


def test_fixtures_present():
    assert len(CASES) > 40


def test_clock_seeds_warn_and_stay_in_range():
    host = OpcodeHost()
    (out,) = render_opcode("rand", "a", "xvoo", [1.0, 2.0, 1], nblocks=4, host=host)
    assert host.warnings and host.warnings[0].startswith("Seeding from current time")
    assert np.all(np.abs(out) <= 1.0)


def test_engine_generator_is_shared_between_calls():
    host = OpcodeHost()
    (a,) = render_opcode("unirand", "k", "k", [1.0], nblocks=3, host=host)
    (b,) = render_opcode("unirand", "k", "k", [1.0], nblocks=3, host=host)
    assert not np.array_equal(a, b)
    (c,) = render_opcode("unirand", "k", "k", [1.0], nblocks=6, host=OpcodeHost())
    np.testing.assert_array_equal(np.concatenate([a, b]), c)
