"""Delay opcodes against renders of real Csound 6.18.

Each fixture in fixtures/delays/ (made by tools/fixtures/make_delays.py) holds
a few calls run in order in one instrument, the inputs Csound fed them and
Csound's outputs; tests/opcodes/_chain.py replays them block by block.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import find_entry, render_opcode

from _chain import case_names, check

CASES = case_names("delays")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("delays", name)


def _init(name, outs, ins, host, *args):
    entry = find_entry(name, outs, ins)
    state = np.zeros(1, dtype=entry.state)[0]
    return entry.init(state, InitContext(host), *args)


def test_delayw_without_delayr():
    with pytest.raises(InitError, match="delayw: associated delayr not found"):
        _init("delayw", "", "a", OpcodeHost(), np.zeros(10))


def test_deltap_index_out_of_range():
    host = OpcodeHost()
    _init("delayr", "a", "io", host, np.zeros(10), 0.1, 0.0)
    _init("delayr", "a", "io", host, np.zeros(10), 0.1, 0.0)
    with pytest.raises(InitError, match="deltap: delayr index 2 is out of range"):
        _init("deltap", "a", "ko", host, np.zeros(10), 0.01, 2.0)


def test_delayr_index_output_and_short_line():
    host = OpcodeHost(ksmps=10)
    indx = np.zeros(1)
    _init("delayr", "ai", "io", host, np.zeros(10), indx, 0.1, 0.0)
    _init("delayr", "ai", "io", host, np.zeros(10), indx, 0.1, 0.0)
    assert indx[0] == -2.0
    with pytest.raises(InitError, match="illegal delay time"):
        _init("delayr", "a", "io", host, np.zeros(10), 5 / 44100, 0.0)


def test_multitap_odd_arguments():
    with pytest.raises(InitError, match="Wrong input count in multitap"):
        render_opcode("multitap", "a", "am", [np.zeros(10), 0.1, 0.5, 0.2])


def test_delay_is_a_pure_delay():
    x = np.random.default_rng(1).standard_normal(400)
    (out,) = render_opcode("delay", "a", "aio", [x, 37 / 44100], nblocks=40)
    assert np.array_equal(out[37:], x[:-37]) and not out[:37].any()
