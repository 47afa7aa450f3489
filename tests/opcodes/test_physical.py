"""Physical-model opcodes against renders of real Csound 6.18.

Fixtures in fixtures/physical/ come from tools/fixtures/make_physical.py and are
replayed by tests/opcodes/_chain.py (calls of one case share one engine, so
pluck's engine-wide generators carry over from note to note as in Csound).
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

from _chain import case_names, check

CASES = case_names("physical")


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    check("physical", name)


@pytest.mark.parametrize("args, message", [
    ([0.5, 200, 200, 0, 7], "unknown method code"),
    ([0.5, 200, 200, 0, 2, 0.5], "illegal stretch factor"),
    ([0.5, 200, 200, 0, 5, 0.7, 0.6], "coefficients too large"),
    ([0.5, 200, 200, 9, 1], "Invalid ftable no. 9.000000"),
])
def test_pluck_init_errors(args, message):
    with pytest.raises(InitError, match=message):
        render_opcode("pluck", "a", "kkiiioo", args)


def test_wguide2_mixed_rates():
    with pytest.raises(InitError, match="must be both a-rate"):
        render_opcode("wguide2", "a", "axxkkkk",
                      [np.zeros(10), np.full(10, 200.0), 300, 1000, 1000, 0.2, 0.2])
