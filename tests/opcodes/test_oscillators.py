"""Oscillator opcodes against renders of real Csound 6.18.

Every fixture in fixtures/oscillators/ (made by tools/fixtures/make_oscillators.py)
holds one opcode call: its spec, the tables it reads, Csound's output (channel 1)
and the non-constant inputs Csound fed it (the other channels).  Each test
rebuilds the call with render_opcode on the same inputs and tables.
"""

from __future__ import annotations

import json
import math
import pathlib
import re

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError
from csoundpy.testing import render_opcode

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "oscillators"
CASES = sorted(p.stem for p in FIXTURES.glob("*.npz"))


def _host(spec: dict, fixture) -> OpcodeHost:
    host = OpcodeHost(sr=spec["sr"], ksmps=spec["ksmps"], nchnls=1)
    for key in fixture.files:
        if key.startswith("ft"):
            data = fixture[key]
            # compat: every fixture table is periodic, so its guard point is point 0
            host.tables.set(FunctionTable(int(key[2:]), np.append(data, data[0])))
    for line in spec["header"].splitlines():
        m = re.match(r"\s*\w+\s+vco2init\s+(.*)", line)
        if m:
            args = [float(a) for a in m.group(1).split(",")]
            render_opcode("vco2init", "i", "ijjjjj", args, host=host)
    return host


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    fixture = np.load(FIXTURES / f"{name}.npz")
    spec = json.loads(str(fixture["spec"]))
    ch = fixture["ch"]
    ksmps = spec["ksmps"]
    nblocks = ch.shape[0] // ksmps
    chans = {sig: ch[:, i] for i, sig in enumerate(spec["chans"])}
    args = []
    for a in spec["args"]:
        if isinstance(a, str):
            args.append(chans[a] if a[0] == "a" else chans[a][::ksmps].copy())
        else:
            args.append(float(a))
    host = _host(spec, fixture)
    (out,) = render_opcode(spec["opcode"], spec["outs"], spec["ins"], args,
                           nblocks=nblocks, host=host)
    expected = chans[spec["chans"][0]]
    if spec["outs"] == "k":
        expected = expected[::ksmps]
    elif spec["outs"] == "i":
        expected = expected[:1]
    out = np.asarray(out, dtype=float).ravel()
    scale = max(1.0, float(np.max(np.abs(expected))))
    err = np.max(np.abs(out - expected))
    assert err <= 1e-9 * scale, f"{name}: max error {err}"


def test_builtin_sine_matches_csound_definition():
    from csoundpy.opcodes.oscillators import builtin_sine
    from csoundpy.engine.context import InitContext

    table = builtin_sine(InitContext(OpcodeHost()))
    assert table.size == 16384 and table.lobits == 14
    assert table.data[0] == table.data[16384] == 0.0
    assert table.data[4096] == math.sin(4096 * (2 * math.pi / 16384))


def test_oscil_rejects_missing_and_non_power_of_two_tables():
    host = OpcodeHost()
    host.tables.set(FunctionTable(3, np.zeros(101)))
    with pytest.raises(InitError, match="Invalid ftable no. 7.000000"):
        render_opcode("oscili", "a", "kkjo", [1, 440, 7], host=host)
    with pytest.raises(InitError, match="illegal table length"):
        render_opcode("oscili", "a", "kkjo", [1, 440, 3], host=host)
    with pytest.raises(InitError, match="table not found in poscil"):
        render_opcode("poscil", "a", "kkjo", [1, 440, 7], host=host)
    with pytest.raises(InitError, match="LFO: unknown oscilator type 6"):
        render_opcode("lfo", "k", "kko", [1, 4, 6], host=host)


def test_oscil_array_table_equals_ftable():
    """The i[] variants read the array as the table (render_opcode has no array inputs,
    so the overload is driven by hand)."""
    from csoundpy.engine.context import ArrayVar, InitContext
    from csoundpy.testing import find_entry

    host = OpcodeHost(ksmps=16)
    data = np.sin(2 * np.pi * np.arange(64) / 64) + 0.25 * np.cos(6 * np.pi * np.arange(64) / 64)
    host.tables.set(FunctionTable(1, np.append(data, data[0])))
    for name in ("oscil", "oscili", "oscil3"):
        ref, = render_opcode(name, "a", "kkjo", [0.5, 1234.5, 1, 0.1], nblocks=8, host=host)
        entry = find_entry(name, "a", "kki[]o")
        state = np.zeros(1, dtype=entry.state)[0]
        out = np.zeros(16)
        amp, cps, phs = np.array(0.5), np.array(1234.5), np.array(0.1)
        aux = entry.init(state, InitContext(host), out, 0.5, 1234.5, ArrayVar("i", data), 0.1)
        blocks = []
        for _ in range(8):
            entry.perf(state, host.consts, *aux, out, amp, cps, np.array(0.0), phs, 0, 16)
            blocks.append(out.copy())
        np.testing.assert_array_equal(np.concatenate(blocks), ref)


def test_phasor_warns_on_init_phase_truncation():
    host = OpcodeHost()
    (out,) = render_opcode("phasor", "a", "xo", [100.0, 2.25], host=host)
    assert out[0] == 0.25
    assert host.warnings == ["init phase truncation\n"]


def test_vco2_skipped_init_on_a_fresh_note_is_a_perf_error():
    from csoundpy.errors import PerfError

    with pytest.raises(PerfError, match="vco2: not initialised"):
        render_opcode("vco2", "a", "kkoOOo", [1, 440, 1])


def test_vco2init_defines_ftables_and_vco2ft_finds_them():
    host = OpcodeHost()
    (ift,) = render_opcode("vco2init", "i", "ijjjjj", [1, 50], host=host)
    numbers = host.tables.numbers()
    assert numbers[0] == 50 and ift[0] == numbers[-1] + 1
    assert host.tables.get(50).size == 16 and not host.tables.get(50).data.any()
    (low,) = render_opcode("vco2ift", "i", "iov", [20.0, 0], host=host)
    (high,) = render_opcode("vco2ift", "i", "iov", [15000.0, 0], host=host)
    assert numbers[0] < high[0] < low[0] <= numbers[-1]
    with pytest.raises(InitError, match="vco2ft: table array not found"):
        render_opcode("vco2ift", "i", "iov", [440.0, 3], host=host)
