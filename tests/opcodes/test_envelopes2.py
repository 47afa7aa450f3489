"""More envelopes (transeg, cosseg, envlpx families, breakpoint versions) against real
Csound 6.18 renders (tools/fixtures/make_envelopes2.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from test_envelopes import run_note

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "envelopes2", "envelopes2.npz")
DATA = np.load(FIXTURE)
SPEC = json.loads(str(DATA["_spec"]))
CASES = SPEC["cases"]


def with_rise(host: OpcodeHost) -> OpcodeHost:
    host.tables.set(FunctionTable(1, np.array(SPEC["rise"])))
    return host


@pytest.mark.parametrize("case", sorted(CASES))
def test_against_csound(case):
    c = CASES[case]
    expected = DATA[f"{case}.out"]
    ksmps, sr = c["ksmps"], c["sr"]
    args = [DATA[f"{case}.{a}"] if isinstance(a, str) else a for a in c["args"]]
    nblocks = (len(expected) if c["outs"] == "k" else len(expected) // ksmps)
    release = int(round(c["p3"] * sr / ksmps)) if c["tail"] else None
    got, note = run_note(c["op"], c["outs"], c["ins"], args, nblocks, c["p3"], release,
                         sr=sr, ksmps=ksmps, setup=with_rise)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)
    if release is not None:
        assert note.extra and round(max(note.extra) * sr / ksmps) == nblocks - release


def test_breakpoint_errors():
    with pytest.raises(InitError, match="Breakpoint time 0.050000 not valid"):
        run_note("expsegb", "k", "iim", [1.0, 0.1, 2.0, 0.05, 1.0], 1, 1.0)
    with pytest.raises(InitError, match="Breakpoint 2 not valid"):
        run_note("linsegb", "k", "iim", [0.0, 0.1, 1.0, 0.05, 0.0], 1, 1.0)
    with pytest.raises(InitError, match="Incorrect argument count in transeg"):
        run_note("transeg", "k", "iiim", [0.0, 0.1, 1.0, 0.5, 0.2], 1, 1.0)


def test_envlpx_errors():
    args = [1.0, 0.01, 0.1, 0.02, 1, 0.0, 0.01]
    with pytest.raises(InitError, match="iatss = 0"):
        run_note("envlpx", "k", "kiiiiiio", args, 1, 1.0, setup=with_rise)
    args[5] = 0.5
    with pytest.raises(InitError, match="Invalid ftable no. 2.000000"):
        run_note("envlpx", "k", "kiiiiiio", args[:4] + [2] + args[5:], 1, 1.0)
    with pytest.raises(InitError, match="ixmod out of range."):
        run_note("envlpx", "k", "kiiiiiio", args + [0.99], 1, 1.0, setup=with_rise)
