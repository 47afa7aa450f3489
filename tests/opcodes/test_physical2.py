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
