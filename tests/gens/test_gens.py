"""GEN routines against tables made by real Csound 6.18 (tools/fixtures/make_gens.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.gens import make_table

FIXDIR = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(FIXDIR, "gens_expected.json")) as _f:
    SPEC = json.load(_f)
CASES = SPEC["cases"]

# FFT-based GENs use numpy's FFT, which rounds differently from Csound's own.
FFT_GENS = {30, 31, 32, 33, 53}


def _host() -> OpcodeHost:
    host = OpcodeHost(sr=SPEC["sr"], ksmps=SPEC["ksmps"], e0dbfs=SPEC["e0dbfs"])
    host.search_dirs = [FIXDIR]
    return host


@pytest.fixture(scope="module")
def built():
    """All tables, built in score order on one host (GEN21 shares one generator)."""
    host = _host()
    tables = {}
    for case in CASES:
        table = make_table(case["number"], case["size"], case["gen"], case["args"], host)
        host.tables.set(table)
        tables[case["number"]] = table
    return host, tables


@pytest.fixture(scope="module")
def expected():
    return np.load(os.path.join(FIXDIR, "gens_expected.npz"))


def _label(case) -> str:
    return f"f{case['number']}-gen{case['gen']}-size{case['size']}"


@pytest.mark.parametrize("case", CASES, ids=_label)
def test_table_matches_csound(case, built, expected):
    host, tables = built
    table = tables[case["number"]]
    want = expected[f"t{case['number']}"]
    head = case["header"]
    assert table.size == int(head["flen"])
    gen = case["gen"]
    tol = 1e-12 if (not isinstance(gen, str) and abs(gen) in FFT_GENS) else 1e-13
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(table.data, want, rtol=0, atol=tol * scale)


@pytest.mark.parametrize("case", [c for c in CASES if c["gen"] in (1, -1)], ids=_label)
def test_gen01_header(case, built):
    _, tables = built
    table = tables[case["number"]]
    head = case["header"]
    assert table.nchnls == int(head["nchnls"])
    assert table.sr == head["gen01args.sample_rate"]
    assert table.sound_frames == int(head["soundend"])
    assert table.extra["flenfrms"] == int(head["flenfrms"])
    assert (table.loop_mode1, table.loop_mode2) == (int(head["loopmode1"]), int(head["loopmode2"]))
    assert (table.begin1, table.end1, table.begin2, table.end2) == (
        int(head["begin1"]), int(head["end1"]), int(head["begin2"]), int(head["end2"]))
    assert table.extra["cvtbas"] == pytest.approx(head["cvtbas"], abs=1e-6)
    assert table.extra["cpscvt"] == pytest.approx(head["cpscvt"], abs=1e-6)


def test_gen15_writes_pair(built, expected):
    """GEN15 also fills table number + 1 (the sine half) in the table directory."""
    host, _ = built
    pair = host.tables.get(37)
    assert pair is not None and pair.size == 256


@pytest.mark.parametrize("size, gen, args, text", [
    (0, 10, [1], "deferred size for GENs 1, 2, 23, 28 or 49 only"),
    (64, 41, [1, -0.5, 2, 0.5], "Gen41: negative probability not allowed"),
    (64, 99, [1], "illegal gen number"),
    (64, 22, [1], "unknown GEN number"),
    (64, 10, [], "insufficient gen arguments"),
    (64, "nosuch", [1], 'Named gen "nosuch" not defined'),
    (64, 7, [0, -3, 1], "gen call has negative segment size:"),
    (64, 20, [12], "No such window type!"),
    (64, 21, [12], "unknown distribution"),
    (64, 1, ["missing.wav", 0, 0, 0], "Failed to open file missing.wav"),
    (2**29, 10, [1], "illegal table length"),
])
def test_errors(size, gen, args, text):
    with pytest.raises(InitError) as err:
        make_table(1, size, gen, args, _host())
    assert err.value.message == text


def test_size_rules():
    host = _host()
    assert make_table(1, 1024, 10, [1], host).size == 1024
    assert make_table(1, 1025, 10, [1], host).size == 1024
    assert make_table(1, 1000, 10, [1], host).size == 1000
    assert make_table(1, -1024, 10, [1], host).size == 1024
    assert make_table(1, 1000.4, 10, [1], host).size == 1000
    pow2 = make_table(1, 16, -7, [0, 16, 1], host).data
    assert pow2[16] == pow2[0]  # wrap-around guard point
    extended = make_table(1, 17, -7, [0, 16, 1], host).data
    assert extended[16] == 1.0  # extended guard point
