"""Utility opcodes against real Csound 6.18 (fixtures: tools/fixtures/make_utility.py):
signal flow graph, instance counts and control, run-time compilation, a-rate
helpers, whole-table operations, exitnow."""

from __future__ import annotations

import time

import numpy as np
import pytest
from _orc_replay import load, play, render
from tests.conftest import Rig

from csoundpy.engine.context import OpcodeHost
from csoundpy.testing import render_opcode

CASES, AUDIO = load("utility")


@pytest.mark.parametrize("name", sorted(AUDIO))
def test_orchestra_matches_csound(name):
    expected = AUDIO[name]
    got = render(CASES[name], expected.shape[0])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_instance_counts_and_mute_print_as_csound():
    c = CASES["instances"]
    rig = play(c, 150)
    assert rig.printed == c["printed"]


def test_exitnow_ends_the_performance():
    c = CASES["exitnow"]
    rig = play(c, 10)
    assert rig.out.shape[1] == AUDIO["exitnow"].shape[0]
    assert rig.engine.exit_code == 0


def test_remove_refuses_an_active_instrument():
    rig = Rig("instr 1\nremove 2\nendin\ninstr 2\nendin\n")
    rig.note(2, 0, 0.05)
    rig.note(1, 0.02, 0.01)
    rig.run(3)
    assert "Instrument 2 is still active" in rig.printed
    assert 2 in rig.engine.instruments
    rig.note(1, 0.1, 0.01)
    rig.run(9)
    assert 2 not in rig.engine.instruments


def test_date_and_dates():
    before = time.time()
    (now, nano) = render_opcode("date", "iI", "", [], host=OpcodeHost(), nouts=2)
    assert before - 1 <= now[0] <= time.time() + 1 and 0 <= nano[0] < 1e9
    (text,) = render_opcode("dates", "S", "j", [86400.0], host=OpcodeHost())
    assert text == time.ctime(86400) + "\n"
