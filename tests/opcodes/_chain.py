"""Replay a fixture of tools/fixtures/make_delays.py: a few opcode calls run in
order, block by block, as one instrument would run them.

Unlike render_opcode, the calls share variables and one engine (OpcodeHost),
so delayr/deltap*/delayw pair up and engine-global generators carry over.
Variables are named as in the .csd (a..., k..., i...); inputs recorded from
Csound are loaded block by block from the fixture's channels.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

from csoundpy.engine.context import InitContext, OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.opcodes._registry import OPTIONAL_DEFAULTS, VARIADIC_IN
from csoundpy.testing import find_entry

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def case_names(module: str) -> list[str]:
    return sorted(p.stem for p in (FIXTURES / module).glob("*.npz"))


def load(module: str, name: str):
    fx = np.load(FIXTURES / module / f"{name}.npz")
    return json.loads(str(fx["spec"])), fx


def replay(module: str, name: str, host: OpcodeHost | None = None):
    """Run the case; return {variable: (expected, actual)} for the compared outputs."""
    spec, fx = load(module, name)
    ksmps = spec["ksmps"]
    ch = fx["ch"]
    nblocks = ch.shape[0] // ksmps
    host = host or OpcodeHost(sr=spec["sr"], ksmps=ksmps, nchnls=1)
    for key in fx.files:
        if key.startswith("ft"):
            data = fx[key]
            n = data.shape[0]
            guard = data[0] if n & (n - 1) == 0 else 0.0
            host.tables.set(FunctionTable(int(key[2:]), np.append(data, guard)))
    chan = {sig: ch[:, i] for i, sig in enumerate(spec["compare"] + spec["inputs"])}
    vars_: dict[str, np.ndarray] = {}

    def var(name: str) -> np.ndarray:
        if name not in vars_:
            vars_[name] = np.zeros(ksmps) if name[0] == "a" else np.zeros(1)
        return vars_[name]

    def load_inputs(block: int) -> None:
        for sig in spec["inputs"]:
            v = var(sig)
            seg = chan[sig][block * ksmps:(block + 1) * ksmps]
            v[:] = seg if sig[0] == "a" else seg[0]

    calls = []
    load_inputs(0)
    for o in spec["ops"]:
        entry = find_entry(o["opcode"], o["outs"], o["ins"])
        tokens = entry.in_types
        nfixed = next((i for i, t in enumerate(tokens) if t in VARIADIC_IN), len(tokens))
        args = list(o["args"])
        args += [OPTIONAL_DEFAULTS[t] for t in tokens[len(args):nfixed]]
        outs = [var(n) for n in o["out"]]

        def pack(values, nfixed=nfixed, variadic=nfixed < len(tokens)):
            return values[:nfixed] + ([tuple(values[nfixed:])] if variadic else [])

        def init_value(a):
            if isinstance(a, str):
                v = var(a)
                return v if a[0] == "a" else float(v[0])
            return float(a)

        def perf_value(a):
            if isinstance(a, str):
                v = var(a)
                return v if a[0] == "a" else v.reshape(())
            return np.array(float(a))

        state = np.zeros(1, dtype=entry.state)[0]
        ic = InitContext(host, None, opname=entry.name)
        aux = entry.init(state, ic, *outs, *pack([init_value(a) for a in args])) \
            if entry.init else None
        perf_args = (state, host.consts, *(aux or ()), *outs,
                     *pack([perf_value(a) for a in args]))
        calls.append((entry, perf_args))

    got = {name: [] for name in spec["compare"]}
    for block in range(nblocks):
        load_inputs(block)
        for entry, perf_args in calls:
            entry.perf(*perf_args, 0, ksmps)
        for name in spec["compare"]:
            got[name].append(var(name).copy())
    return {name: (chan[name], np.concatenate(got[name])) for name in spec["compare"]}


def check(module: str, name: str, tol: float = 1e-9) -> None:
    for var, (expected, actual) in replay(module, name).items():
        scale = max(1.0, float(np.max(np.abs(expected))))
        err = float(np.max(np.abs(actual - expected)))
        assert err <= tol * scale, f"{name}/{var}: max error {err}"
