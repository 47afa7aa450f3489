"""PhISEM shakers, shaker, dam and the STK instrument models against real Csound 6.18.

Fixtures in fixtures/physical2/ come from tools/fixtures/make_physical2.py and
are replayed by tests/opcodes/_chain.py inside a stand-in note of duration P3,
because the shakers count their "stop shaking" blocks from the note's p3.
"""

from __future__ import annotations

import numpy as np
import pytest

import _chain
from _chain import case_names, check
from csoundpy.engine.context import ST_SIZE, InitContext
from csoundpy.testing import render_opcode

P3 = 0.05  # make_physical2.DUR
CASES = case_names("physical2")


class _Note:
    """Just what the opcodes read of a note: its p-fields and status array."""

    def __init__(self, p3: float):
        self.pfields = [1.0, 0.0, p3]
        self.status = np.zeros(ST_SIZE)


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name, monkeypatch):
    note = _Note(P3)
    monkeypatch.setattr(_chain, "InitContext",
                        lambda host, inst, opname="": InitContext(host, note, opname=opname))
    check("physical2", name)


def test_silent_without_grains():
    # sandpaper's grain count starts at 128, so the default 0 switches every grain off
    (out,) = render_opcode("sandpaper", "a", "iiooo", [0.8, 0.01], nblocks=20)
    assert not out.any()


def test_release_stops_shaking():
    # a note in its release phase stops shaking at once: with no energy the shaker is silent
    note = _Note(1.0)
    note.status[0] = 1.0  # ST_RELEASING
    (quiet,) = render_opcode("cabasa", "a", "iiooo", [0.8, 0.01], nblocks=5, instance=note)
    (loud,) = render_opcode("cabasa", "a", "iiooo", [0.8, 0.01], nblocks=5, instance=_Note(1.0))
    assert not quiet.any() and loud.any()


def test_modal_bar_needs_tables():
    from csoundpy.errors import InitError

    with pytest.raises(InitError, match="Invalid ftable no. 7.000000"):
        render_opcode("vibes", "a", "kkiiikkii", [0.8, 440, 0.5, 0.5, 7, 6, 0.05, 8, 0.1])
