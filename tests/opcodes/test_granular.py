"""Granular and looping opcodes against real Csound 6.18.

Each fixture in fixtures/granular/ (made by tools/fixtures/make_granular.py) is
one fresh Csound run; grain draws from randSeed1 (15937 at start), so every
sample must match.  Sound tables are rebuilt from the WAV samples stored in
the fixture, as Csound's deferred-size GEN01 lays them out.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError, PerfError
from csoundpy.testing import render_opcode

from _opcode_cases import case_names, load, table_data

CASES = case_names("granular")


def _replay(name: str):
    spec, fx = load("granular", name)
    ksmps, nblocks = spec["ksmps"], spec["nblocks"]
    host = OpcodeHost(sr=spec["sr"], ksmps=ksmps, nchnls=1)
    for fn, values in spec.get("tables", {}).items():
        host.tables.set(FunctionTable(int(fn), table_data(values)))
    for fn, nch in spec.get("gen01", {}).items():
        snd = fx[f"snd{fn}"].reshape(-1)
        host.tables.set(FunctionTable(int(fn), np.append(snd, snd[0]), gen=1,
                                      sr=float(spec["sr"]), nchnls=nch))
    col = {v: fx["ch"][:, i] for i, v in enumerate(spec["chans"])}

    def value(arg):
        if not isinstance(arg, str):
            return float(arg)
        return col[arg] if arg.startswith("a_") else col[arg][::ksmps]

    for c in spec["calls"]:
        outs = c.get("entry_outs", c["outs"])
        got = render_opcode(c["opcode"], outs, c["ins"], [value(a) for a in c["args"]],
                            nblocks=nblocks, host=host, nouts=len(c["outs"]))
        for rate, oname, g in zip(c["outs"], c["out"], got):
            exp = col[f"{rate}_{oname}"]
            yield f"{c['opcode']}:{oname}", exp if rate == "a" else exp[::ksmps], g


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    for label, exp, got in _replay(name):
        assert exp.shape == got.shape, label
        np.testing.assert_allclose(got, exp, rtol=1e-10, atol=1e-12, err_msg=label)


def test_fixtures_present():
    assert len(CASES) >= 12


def _grain_host():
    host = OpcodeHost()
    host.tables.set(FunctionTable(1, np.append(np.sin(np.arange(256) * np.pi / 128), 0.0)))
    host.tables.set(FunctionTable(2, np.ones(65)))
    return host


def test_grain_draws_from_the_shared_seed():
    args = [0.5, 440, 2000, 0.1, 30, 0.002, 1, 2, 0.01]
    host = _grain_host()
    (a,) = render_opcode("grain", "a", "xxxkkkiiio", args, nblocks=5, host=host)
    (b,) = render_opcode("grain", "a", "xxxkkkiiio", args, nblocks=5, host=host)
    assert not np.array_equal(a, b)
    (c,) = render_opcode("grain", "a", "xxxkkkiiio", args, nblocks=5, host=_grain_host())
    np.testing.assert_array_equal(a, c)


def test_grain_length_zero_is_a_perf_error():
    with pytest.raises(PerfError, match="grain length zero"):
        render_opcode("grain", "a", "xxxkkkiiio", [0.5, 440, 100, 0, 0, 0, 1, 2, 0.01],
                      host=_grain_host())


def test_flooper_checks_its_table():
    host = OpcodeHost()
    host.tables.set(FunctionTable(5, np.zeros(1001), sr=44100.0))
    with pytest.raises(InitError, match="not long enough"):
        render_opcode("flooper", "mm", "kkiiii", [1, 1, 0.01, 0.02, 0.001, 5], host=host,
                      nouts=1)
    with pytest.raises(InitError, match="channel count"):
        render_opcode("flooper", "mm", "kkiiii", [1, 1, 0, 0.01, 0.001, 5], host=host,
                      nouts=2)
