"""Replay the text fixtures of tools/fixtures/make_printing.py and make_strings.py.

A case is one opcode call that real Csound 6.18 ran in instr 1; `run_case`
replays it with render_opcode on an OpcodeHost whose contexts look like
instr 1 (insno 1, the call's source texts as `arg_texts`).
"""

from __future__ import annotations

import json
import pathlib
import types

import numpy as np
import pytest

import csoundpy.testing as testing
from csoundpy.engine.context import InitContext, OpcodeHost, PerfContext
from csoundpy.errors import InitError, PerfError
from csoundpy.testing import render_opcode

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def load_cases(module: str) -> list[dict]:
    return json.loads((FIXTURES / f"{module}.json").read_text())


def case_args(case: dict) -> list:
    """Arguments as render_opcode takes them: lists become k-rate inputs."""
    out = []
    for a in case["args"]:
        if isinstance(a, list):
            out.append(np.array(a, dtype=float))
        elif isinstance(a, dict):
            out.append(a["p"])
        else:
            out.append(a)
    return out


@pytest.fixture
def instr1(monkeypatch):
    """Make render_opcode's contexts look like instr 1 with the call's source texts."""
    texts: list[str] = []
    note = types.SimpleNamespace(insno=1)

    class Init(InitContext):
        def __init__(self, engine, instance=None, reinit=False, opname=""):
            super().__init__(engine, note, reinit, opname)
            self.arg_texts = texts

    class Perf(PerfContext):
        def __init__(self, engine, instance=None, reinit=False, opname=""):
            super().__init__(engine, note, reinit, opname)
            self.arg_texts = texts

    monkeypatch.setattr(testing, "InitContext", Init)
    monkeypatch.setattr(testing, "PerfContext", Perf)
    return texts


def run_case(case: dict, texts: list[str]):
    """Replay a fixture case; return (host, raised exception or None)."""
    texts[:] = case["texts"]
    host = OpcodeHost(sr=case.get("sr", 1000), ksmps=case.get("ksmps", 10))
    host.clock[0] = case.get("start", 0)
    host.strsets.update({int(k): v for k, v in case.get("strsets", {}).items()})
    try:
        outs = render_opcode(case["opcode"], case["outs"], case["ins"], case_args(case),
                             nblocks=case["nblocks"], host=host)
    except (InitError, PerfError) as exc:
        return host, None, exc
    return host, outs, None
