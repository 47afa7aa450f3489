"""Envelope opcodes against real Csound 6.18 renders (tools/fixtures/make_envelopes.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import ST_RELEASING, ST_SIZE, InitContext, OpcodeHost
from csoundpy.errors import InitError
from csoundpy.opcodes._registry import OPTIONAL_DEFAULTS, VARIADIC_IN, split_types
from csoundpy.testing import find_entry, render_opcode

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "envelopes", "envelopes.npz")
DATA = np.load(FIXTURE)
SPEC = json.loads(str(DATA["_spec"]))


class FakeNote:
    """The parts of an engine instance the envelopes touch."""

    def __init__(self, p3: float):
        self.pfields = [1.0, 0.0, p3]
        self.status = np.zeros(ST_SIZE)
        self.extra: list[float] = []

    def add_extra_time(self, seconds: float) -> None:
        self.extra.append(seconds)


def run_note(name, outs, ins, args, nblocks, p3, release_block=None, sr=4000, ksmps=10,
             setup=None):
    """Init and perform one overload inside a fake note; release starts at release_block.
    `setup(host)` may add tables to the host."""
    host = OpcodeHost(sr=sr, ksmps=ksmps)
    if setup is not None:
        setup(host)
    entry = find_entry(name, outs, ins)
    tokens = split_types(ins)
    nfixed = next((i for i, t in enumerate(tokens) if t in VARIADIC_IN), len(tokens))
    note = FakeNote(p3)
    args = list(args) + [OPTIONAL_DEFAULTS[t] for t in tokens[len(args):nfixed]]
    arate = [isinstance(a, np.ndarray) for a in args]
    live = [np.zeros(ksmps) if a else np.array(float(v)) for a, v in zip(arate, args)]

    def load(block):
        for a, v, buf in zip(arate, args, live):
            if a:
                buf[:] = v[block * ksmps:(block + 1) * ksmps]

    def pack(vals):
        return vals[:nfixed] + ([tuple(vals[nfixed:])] if nfixed < len(tokens) else [])

    out = np.zeros(ksmps if outs == "a" else 1)
    state = np.zeros(1, dtype=entry.state)[0]
    load(0)
    init_args = [buf if a else float(buf) for a, buf in zip(arate, live)]
    aux = entry.init(state, InitContext(host, note, opname=name), out, *pack(init_args)) or ()
    n1 = ksmps if outs == "a" else 1
    result = []
    for block in range(nblocks):
        load(block)
        if release_block is not None and block >= release_block:
            note.status[ST_RELEASING] = 1.0
        entry.perf(state, host.consts, *aux, out, *pack(live), 0, n1)
        result.append(out.copy())
    return np.concatenate(result), note


@pytest.mark.parametrize("case", sorted(SPEC))
def test_against_csound(case):
    c = SPEC[case]
    expected = DATA[f"{case}.out"]
    ksmps, sr = c["ksmps"], c["sr"]
    args = [DATA[f"{case}.{a}"] if isinstance(a, str) else a for a in c["args"]]
    nblocks = (len(expected) if c["outs"] == "k" else len(expected) // ksmps)
    release = int(round(c["p3"] * sr / ksmps)) if c["tail"] else None
    got, note = run_note(c["op"], c["outs"], c["ins"], args, nblocks, c["p3"], release,
                         sr=sr, ksmps=ksmps)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)
    if release is not None:
        # the note lived p3 plus the release time the opcode asked for
        assert note.extra and round(max(note.extra) * sr / ksmps) == nblocks - release


def test_render_opcode_line_matches_fixture():
    got = render_opcode("line", "a", "iii", [0.1, 0.13, 0.9], nblocks=80,
                        host=OpcodeHost(sr=4000, ksmps=10))[0]
    np.testing.assert_allclose(got, DATA["line_a.out"][:800], rtol=1e-12)


def test_linseg_holds_last_value():
    got, _ = run_note("linseg", "k", "iim", [0.0, 0.01, 1.0, 0.01, 0.25], 30, 1.0)
    assert got[-1] == 0.25 and got[-10] == 0.25


def test_expon_errors():
    with pytest.raises(InitError, match="arg1 is zero"):
        run_note("expon", "k", "iii", [0.0, 1.0, 1.0], 1, 1.0)
    with pytest.raises(InitError, match="unlike signs"):
        run_note("expon", "k", "iii", [1.0, 1.0, -1.0], 1, 1.0)


def test_expseg_errors():
    with pytest.raises(InitError, match="ival2 sign conflict"):
        run_note("expseg", "k", "iim", [1.0, 0.1, -1.0], 1, 1.0)
    with pytest.raises(InitError, match="incomplete number of input arguments"):
        run_note("linseg", "k", "iim", [0.0, 0.1, 1.0, 0.2], 1, 1.0)
