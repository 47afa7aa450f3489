"""Pitch/amplitude conversions and divz against real Csound 6.18.

Fixtures in fixtures/pitch/ are made by tools/fixtures/make_pitch.py.
"""

from __future__ import annotations

import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

from _opcode_cases import case_names, check

CASES = case_names("pitch")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("pitch", name)


def test_fixtures_present():
    assert len(CASES) >= 20


def test_cpsmidinn_range_error():
    with pytest.raises(InitError, match="MIDI note 500.000000 out of range"):
        render_opcode("cpsmidinn", "i", "i", [500.0])


def test_a4_changes_reference():
    host = OpcodeHost(a4=432.0)
    assert render_opcode("mtof", "i", "i", [69.0], host=host)[0][0] == 432.0
    assert abs(render_opcode("cpspch", "i", "i", [8.09], host=host)[0][0] - 432.0) < 1e-9


@pytest.mark.parametrize("midi, name", [(69.5, "4A+"), (60.0, "4C"), (61.25, "4C#+25"),
                                        (70.8, "4B-20"), (58.0, "3Bb")])
def test_mton(midi, name):
    assert render_opcode("mton", "S", "i", [midi])[0] == name


@pytest.mark.parametrize("name, midi", [("4A", 69.0), ("4C#+", 61.5), ("8A-31", 116.69),
                                        ("7Bb+30", 106.3)])
def test_ntom(name, midi):
    assert abs(render_opcode("ntom", "i", "S", [name])[0][0] - midi) < 1e-12
