"""Filter opcodes against real Csound 6.18 renders (tools/fixtures/make_filters.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "filters", "filters.npz")
DATA = np.load(FIXTURE)
SPEC = json.loads(str(DATA["_spec"]))
SR, KSMPS = SPEC["sr"], SPEC["ksmps"]


def run(c, nblocks):
    args = [DATA[a] if isinstance(a, str) else a for a in c["args"]]
    host = OpcodeHost(sr=SR, ksmps=KSMPS)
    return render_opcode(c["op"], c["outs"], c["ins"], args, nblocks=nblocks, host=host)[0]


@pytest.mark.parametrize("case", sorted(SPEC["cases"]))
def test_against_csound(case):
    c = SPEC["cases"][case]
    expected = DATA[case]
    nblocks = len(expected) if c["outs"] == "k" else len(expected) // KSMPS
    got = run(c, nblocks)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_state_carries_across_blocks():
    """Same result whether the signal is cut in 16- or 1-sample blocks (k inputs constant)."""
    sig = DATA["asig"]
    a = render_opcode("butterlp", "a", "ako", [sig, 700.0], nblocks=len(sig) // 16,
                      host=OpcodeHost(sr=SR, ksmps=16))[0]
    b = render_opcode("butterlp", "a", "ako", [sig, 700.0], nblocks=len(sig),
                      host=OpcodeHost(sr=SR, ksmps=1))[0]
    np.testing.assert_array_equal(a, b)


def test_reson_bad_scale():
    with pytest.raises(InitError, match="illegal reson iscl value, 3.000000"):
        render_opcode("reson", "a", "axxoo", [DATA["asig"], 500.0, 50.0, 3.0], nblocks=1,
                      host=OpcodeHost(sr=SR, ksmps=KSMPS))
