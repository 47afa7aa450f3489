"""Spatialisation opcodes against real Csound 6.18.

Each fixture in fixtures/spatial/ (made by tools/fixtures/make_spatial.py) is
one Csound run of a few calls in one instrument.  The calls are run here the
way the engine runs a note: every init in order, then block after block every
perf in order, on one host and one (stand-in) note, so that locsend/spsend see
their locsig/space and vbap sees the layout of vbaplsinit.
"""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError
from csoundpy.opcodes._registry import OPTIONAL_DEFAULTS, VARIADIC_IN, split_types
from csoundpy.testing import find_entry, render_opcode

from _opcode_cases import case_names, load, table_data

CASES = case_names("spatial")


class Note:
    """Stands in for engine.instance.Instance: opcodes may keep attributes on it."""


def run_case(name):
    """Run the fixture's calls together; return [(label, expected, actual)]."""
    spec, fx = load("spatial", name)
    ksmps, nblocks = spec["ksmps"], spec["nblocks"]
    host = OpcodeHost(sr=spec["sr"], ksmps=ksmps)
    for fn, values in spec.get("tables", {}).items():
        host.tables.set(FunctionTable(int(fn), table_data(values)))
    col = {v: fx["ch"][:, i] for i, v in enumerate(spec["chans"])}
    note = Note()
    ops = []
    for c in spec["calls"]:
        entry = find_entry(c["opcode"], c.get("sig", c["outs"]), c["ins"])
        tokens = split_types(entry.ins)
        nfixed = next((i for i, t in enumerate(tokens) if t in VARIADIC_IN), len(tokens))
        args = list(c["args"])
        args += [OPTIONAL_DEFAULTS[t] for t in tokens[len(args):nfixed]]
        ins = [np.zeros(ksmps) if isinstance(a, str) and a.startswith("a_") else np.zeros(())
               for a in args]
        outs = [np.zeros(ksmps) if r == "a" else np.zeros(1) for r in c["outs"]]

        def pack(values, nfixed=nfixed, ntok=len(tokens)):
            return values[:nfixed] + ([tuple(values[nfixed:])] if nfixed < ntok else [])

        ops.append(dict(c=c, entry=entry, args=args, ins=ins, outs=outs, pack=pack,
                        state=np.zeros(1, dtype=entry.state)[0],
                        res=[[] for _ in outs]))

    def load_block(op, b):
        for a, buf in zip(op["args"], op["ins"]):
            if not isinstance(a, str):
                buf[()] = a
            elif a.startswith("a_"):
                buf[:] = col[a][b * ksmps:(b + 1) * ksmps]
            else:
                buf[()] = col[a][b * ksmps]

    for op in ops:
        load_block(op, 0)
        # k signals (outputs of line, ...) are still 0 during the init pass
        init_ins = [b if b.ndim == 1 else 0.0 if isinstance(a, str) else float(b)
                    for a, b in zip(op["args"], op["ins"])]
        ic = InitContext(host, note, opname=op["c"]["opcode"])
        op["aux"] = op["entry"].init(op["state"], ic, *op["outs"], *op["pack"](init_ins)) or ()
    for b in range(nblocks):
        for op in ops:
            if op["entry"].perf is None:
                continue
            load_block(op, b)
            n1 = ksmps if any(r == "a" for r in op["c"]["outs"]) or \
                any(i.ndim == 1 for i in op["ins"]) else 1
            op["entry"].perf(op["state"], host.consts, *op["aux"], *op["outs"],
                             *op["pack"](op["ins"]), 0, n1)
            for r, o in zip(op["res"], op["outs"]):
                r.append(o.copy())
        host.clock[0] += 1
    results = []
    for op in ops:
        c = op["c"]
        for rate, oname, r in zip(c["outs"], c["out"], op["res"]):
            exp = col[f"{rate}_{oname}"]
            exp = exp if rate == "a" else exp[::ksmps]
            results.append((f"{c['opcode']}:{oname}", exp, np.concatenate(r)))
    return results


@pytest.mark.parametrize("name", CASES)
def test_matches_csound(name):
    for label, exp, got in run_case(name):
        assert exp.shape == got.shape, label
        np.testing.assert_allclose(got, exp, rtol=1e-10, atol=1e-12, err_msg=label)


def test_fixtures_present():
    assert len(CASES) >= 20


def test_pan2_bad_mode():
    with pytest.raises(InitError, match="Unknown panning type"):
        render_opcode("pan2", "aa", "axo", [np.zeros(10), 0.5, 4])


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
def test_pan2_k_rate_position_equals_a_rate_position_held_per_block(mode):
    """The k-rate row computes its gains once per block; an a-rate position
    holding the same value for the block gives the same samples."""
    ksmps, nblocks = 16, 12
    rng = np.random.default_rng(mode)
    asig = rng.uniform(-1.0, 1.0, ksmps * nblocks)
    kpan = np.repeat(np.linspace(-0.25, 1.25, nblocks // 3), 3)  # changes every 3rd block
    host = OpcodeHost(ksmps=ksmps)
    k_l, k_r = render_opcode("pan2", "aa", "axo", [asig, kpan, mode], nblocks=nblocks, host=host)
    a_l, a_r = render_opcode("pan2", "aa", "axo", [asig, np.repeat(kpan, ksmps), mode],
                             nblocks=nblocks, host=OpcodeHost(ksmps=ksmps))
    np.testing.assert_array_equal(k_l, a_l)
    np.testing.assert_array_equal(k_r, a_r)


def test_pan2_k_rate_in_place_output():
    """aL, aR pan2 aR, k: the right output overwrites the input before the left one is computed."""
    entry = find_entry("pan2", "aa", "axo")
    state = np.zeros(1, dtype=entry.state)[0]
    sig = np.linspace(-1.0, 1.0, 8)
    left = np.zeros(8)
    entry.init(state, InitContext(OpcodeHost(ksmps=8)), left, sig, sig, 0.25, 2.0)
    entry.perf(state, OpcodeHost(ksmps=8).consts, left, sig, sig, np.array(0.25), 2.0, 0, 8)
    x = np.linspace(-1.0, 1.0, 8)
    np.testing.assert_array_equal(sig, x * 0.25)
    np.testing.assert_array_equal(left, (x * 0.25) * 0.75)


def test_locsig_needs_two_or_four_outputs():
    entry = find_entry("locsig", "mmmm", "akkk")
    state = np.zeros(1, dtype=entry.state)[0]
    outs = [np.zeros(10) for _ in range(3)]
    with pytest.raises(InitError, match="Wrong number of outputs in locsig; must be 2 or 4"):
        entry.init(state, InitContext(OpcodeHost(), Note()), *outs, np.zeros(10), 0, 1, 0)


def test_locsend_output_count_must_match():
    host, note = OpcodeHost(), Note()
    sig = find_entry("locsig", "mmmm", "akkk")
    sig.init(np.zeros(1, dtype=sig.state)[0], InitContext(host, note), np.zeros(10),
             np.zeros(10), np.zeros(10), 0, 1, 0)
    send = find_entry("locsend", "mmmm", "")
    with pytest.raises(InitError, match="Number of outputs must be the same"):
        send.init(np.zeros(1, dtype=send.state)[0], InitContext(host, note),
                  *[np.zeros(10) for _ in range(4)])


def test_vbap_without_layout():
    with pytest.raises(InitError, match="could not find layout table no.3"):
        render_opcode("vbapg", "z" * 128, "kOOo", [0.0, 0.0, 0.0, 3], nouts=2)


def test_vbaplsinit_bad_dimension():
    with pytest.raises(InitError, match="Error in loudspeaker dimension. 4 not permitted"):
        render_opcode("vbaplsinit", "", "ii" + "o" * 128, [4, 4])


def test_locsend_in_another_note_reads_latest_locsig():
    """As in Csound, a sender without its own locsig uses the latest one initialised."""
    host = OpcodeHost(ksmps=4)
    sig = find_entry("locsig", "mmmm", "akkk")
    st = np.zeros(1, dtype=sig.state)[0]
    outs = [np.zeros(4), np.zeros(4)]
    (rrev,) = sig.init(st, InitContext(host, Note()), *outs, np.ones(4), 45.0, 2.0, 0.5)
    sig.perf(st, host.consts, rrev, *outs, np.ones(4), np.array(45.0), np.array(2.0),
             np.array(0.5), 0, 4)
    send = find_entry("locsend", "mmmm", "")
    got = [np.zeros(4), np.zeros(4)]
    aux = send.init(np.zeros(1, dtype=send.state)[0], InitContext(host, Note()), *got)
    send.perf(np.zeros(1, dtype=send.state)[0], host.consts, *aux, *got, 0, 4)
    np.testing.assert_array_equal(np.array(got), rrev)
    assert rrev.any()
