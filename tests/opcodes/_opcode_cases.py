"""Replay a fixture made by tools/fixtures/_opcode_cases.py with render_opcode.

A fixture holds one or more opcode calls rendered by real Csound 6.18: the
calls' spec, every output and non-constant input as a channel, and dumps of
the tables after the note.  `replay` runs the same calls on an OpcodeHost
(in order, on one host so engine-global generators carry over) and returns
(expected, actual) pairs.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.testing import render_opcode

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def case_names(module: str) -> list[str]:
    return sorted(p.stem for p in (FIXTURES / module).glob("*.npz"))


def load(module: str, name: str) -> tuple[dict, np.lib.npyio.NpzFile]:
    fx = np.load(FIXTURES / module / f"{name}.npz")
    return json.loads(str(fx["spec"])), fx


def table_data(values: list[float]) -> np.ndarray:
    """A GEN -2 table as Csound builds it: guard point = point 0 for power-of-2 sizes."""
    n = len(values)
    guard = values[0] if n & (n - 1) == 0 else 0.0
    return np.array(list(values) + [guard], dtype=float)


def replay(module: str, name: str, host: OpcodeHost | None = None):
    """Run the fixture's calls; yield (label, expected, actual) for each output and table."""
    spec, fx = load(module, name)
    ksmps, nblocks = spec["ksmps"], spec["nblocks"]
    host = host or OpcodeHost(sr=spec["sr"], ksmps=ksmps, nchnls=1)
    for fn, values in spec.get("tables", {}).items():
        host.tables.set(FunctionTable(int(fn), table_data(values)))
    ch = fx["ch"]
    col = {v: ch[:, i] for i, v in enumerate(spec["chans"])}

    def value(arg):
        if not isinstance(arg, str):
            return float(arg)
        sig = col[arg]
        if arg.startswith("a_"):
            return sig
        if arg.startswith("k_"):
            return sig[::ksmps]
        return float(sig[0])

    results = []
    for c in spec["calls"]:
        outs = render_opcode(c["opcode"], c["outs"], c["ins"], [value(a) for a in c["args"]],
                             nblocks=nblocks, host=host)
        for rate, oname, got in zip(c["outs"], c["out"], outs):
            exp = col[f"{rate}_{oname}"]
            exp = exp if rate == "a" else exp[::ksmps] if rate == "k" else exp[:1]
            results.append((f"{c['opcode']}:{oname}", exp, np.asarray(got, dtype=float)))
    for key in fx.files:
        if key.startswith("ft"):
            table = host.tables.get(int(key[2:]))
            results.append((key, fx[key], table.data[: table.size]))
    return results


def check(module: str, name: str, rtol: float = 1e-12, atol: float = 1e-12) -> None:
    for label, exp, got in replay(module, name):
        assert exp.shape == got.shape, f"{label}: shape {got.shape} != {exp.shape}"
        np.testing.assert_allclose(got, exp, rtol=rtol, atol=atol, err_msg=label)
