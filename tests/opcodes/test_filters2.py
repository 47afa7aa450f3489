"""More filters (tonex/resonx, state-variable, biquad family, ladders, lowres...)
against real Csound 6.18 renders (tools/fixtures/make_filters2.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError, PerfError
from csoundpy.testing import render_opcode

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "filters2", "filters2.npz")
DATA = np.load(FIXTURE)
SPEC = json.loads(str(DATA["_spec"]))
SR, KSMPS = SPEC["sr"], SPEC["ksmps"]


def host() -> OpcodeHost:
    return OpcodeHost(sr=SR, ksmps=KSMPS)


@pytest.mark.parametrize("case", sorted(SPEC["cases"]))
def test_against_csound(case):
    c = SPEC["cases"][case]
    args = [DATA[a] if isinstance(a, str) else a for a in c["args"]]
    nblocks = len(DATA[f"{case}.0"]) // KSMPS
    got = render_opcode(c["op"], c["outs"], c["ins"], args, nblocks=nblocks, host=host())
    for i, out in enumerate(got):
        np.testing.assert_allclose(out, DATA[f"{case}.{i}"], rtol=1e-9, atol=1e-12)


def test_init_errors():
    sig = DATA["asig"]
    with pytest.raises(InitError, match="illegal reson iscl value, 4.000000"):
        render_opcode("resonz", "a", "axxoo", [sig, 500.0, 50.0, 4.0], host=host())
    with pytest.raises(InitError, match="illegal order num. \\(min 1, max 10\\)"):
        render_opcode("lowresx", "a", "akkoo", [sig, 500.0, 5.0, 11.0], host=host())


def test_lowres_rejects_non_positive_cutoff():
    with pytest.raises(PerfError, match="Cutoff parameter must be positive"):
        render_opcode("lowres", "a", "akko", [DATA["asig"], 0.0, 5.0], host=host())
