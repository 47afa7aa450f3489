"""Array opcodes (csoundpy/opcodes/arrays.py) against real Csound 6.18.

fixtures/arrays.json is made by tools/fixtures/make_arrays.py: every label there
is one printarray of the same computation done here (i-time: one array; k-time:
one per block over 3 blocks, with timeinstk() = 1, 2, 3).
render_opcode has no array arguments, so `_run` plays the init and perf passes.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import ArrayVar, InitContext, OpcodeHost, PerfContext
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError
from csoundpy.testing import find_entry

with open(os.path.join(os.path.dirname(__file__), "fixtures", "arrays.json")) as _fh:
    FIX = json.load(_fh)
VALUES, TEXTS = FIX["values"], FIX["texts"]
X = [0.5, -1.25, 3, 7.5, -2, 0.125, 9, 4]
R = [-2.5, -1.5, -0.5, 0.25, 0.5, 1.5, 2.5, 7.75, -0.75, 0.9]
FUNCS = ("ceil floor round int frac powoftwo abs log2 log10 log exp sqrt cos sin tan cosinv "
         "sininv taninv cosh sinh tanh cbrt").split()


def arr(values, rate="k") -> ArrayVar:
    return ArrayVar(rate, np.array(values, dtype=float))


def make_host() -> OpcodeHost:
    host = OpcodeHost(sr=1000, ksmps=10)
    host.tables.set(FunctionTable(1, np.array(X + [0.0])))
    host.tables.set(FunctionTable(2, np.zeros(11)))
    return host


def _run(host, name, outs, ins, args, nouts=None, nblocks=3, update=None, outv=None):
    """Init then `nblocks` perf passes; returns per output the list of snapshots."""
    entry = find_entry(name, outs, ins)
    state = np.zeros(1, dtype=entry.state)[0]
    ntok = len(entry.out_types) if nouts is None else nouts
    outv = outv or [ArrayVar(t[0]) if t.endswith("[]") else np.zeros(1)
                    for t in entry.out_types[:ntok]]
    snaps = [[] for _ in outv]

    def snap():
        for i, o in enumerate(outv):
            snaps[i].append(o.data.copy() if isinstance(o, ArrayVar) else float(o[0]))

    if update:
        update(0, args)
    if entry.init:
        entry.init(state, InitContext(host), *outv, *args)
    if entry.perf is None:
        snap()
        return snaps
    for block in range(nblocks):
        if update:
            update(block + 1, args)
        entry.perf(state, PerfContext(host), *outv, *args, 0, 1)
        snap()
    return snaps


def check(label, got):
    want = VALUES[label]
    got = [np.atleast_1d(np.asarray(g, dtype=float)) for g in got]
    assert len(got) == len(want), label
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.array(w), rtol=1e-12, atol=1e-15, equal_nan=True,
                                   err_msg=label)


def test_genarray():
    h = make_host()
    check("genarray_i", _run(h, "genarray", "i[]", "iip", [1, 3.1, 0.4])[0])
    check("genarray_down", _run(h, "genarray", "i[]", "iip", [5, 1, -1.5])[0])
    check("genarray_ik", _run(h, "genarray_i", "k[]", "iip", [0, 1, 0.3])[0] * 3)

    def upd(block, args):
        args[1] = np.array(float(block))
    check("genarray_k", _run(h, "genarray", "k[]", "kkp", [0, None, 0.5], update=upd)[0])


def test_queries_i():
    h = make_host()
    x = arr(X, "i")
    (m, mi) = _run(h, "maxarray", "iI", "i[]", [x])
    (n, ni) = _run(h, "minarray", "iI", "i[]", [x])
    (s,) = _run(h, "sumarray", "i", "i[]", [x])
    (p,) = _run(h, "product", "i", "i[]", [x])
    (s2,) = _run(h, "sum", "i", "i[]", [x])
    check("queries_i", [[m[0], mi[0], n[0], ni[0], s[0], p[0], s2[0]]])
    two = arr(np.zeros((3, 4)), "i")
    two.data[1, 2], two.data[2, 3], two.data[2, 0] = 5, 9, -3
    (m, mi) = _run(h, "maxarray", "iI", "i[]", [two])
    (n, ni) = _run(h, "minarray", "iI", "i[]", [two])
    check("queries_2d", [[m[0], mi[0], n[0], ni[0]]])  # compat: only 3+4 items searched


def test_queries_k():
    h = make_host()

    def upd(block, args):
        args[0].data = np.array(X, dtype=float)
        args[0].data[2] = block * 4
    res = [_run(h, "maxarray", "kz", "k[]", [arr(X)], nouts=2, update=upd),
           _run(h, "minarray", "kz", "k[]", [arr(X)], nouts=2, update=upd),
           _run(h, "sumarray", "k", "k[]", [arr(X)], update=upd),
           _run(h, "product", "k", "k[]", [arr(X)], update=upd),
           _run(h, "sum", "k", "k[]", [arr(X)], update=upd)]
    flat = [r for group in res for r in group]
    check("queries_k", [[col[b] for col in flat] for b in range(3)])


def test_scalearray():
    h = make_host()
    y = arr(X, "i")
    _run(h, "scalearray", "", "i[]iiOJ", [y, -1, 1, 0, -1])
    check("scale_all", [y.data])
    y = arr(X, "i")
    _run(h, "scalearray", "", "i[]iiOJ", [y, 10, 20, 2, 6])
    check("scale_part", [y.data])
    got = []
    for block in (1, 2, 3):
        y = arr(X)
        _run(h, "scalearray", "", "k[]kkOJ", [y, 0, np.array(float(block)), 5, 1], nblocks=1)
        got.append(y.data)
    check("scale_k", got)


def test_slicearray():
    h = make_host()
    check("slice_step", _run(h, "slicearray", "i[]", "i[]iip", [arr(X, "i"), 1, 6, 2])[0])
    check("slice", _run(h, "slicearray", "i[]", "i[]iip", [arr(X, "i"), 3, 7, 1])[0])
    check("slice_k", _run(h, "slicearray", "k[]", "k[]iip", [arr(X), 0, 4, 3])[0])
    with pytest.raises(InitError, match="slice larger than original size"):
        _run(h, "slicearray", "i[]", "i[]iip", [arr(X, "i"), 0, 8, 1])


def test_table_copies():
    h = make_host()
    f = arr(np.zeros(5), "i")
    _run(h, "copyf2array", "", "i[]i", [f, 1])
    check("f2array_i", [f.data])
    f = arr(np.zeros(12))
    _run(h, "copyf2array", "", "k[]k", [f, np.array(1.0)], nblocks=1)
    check("f2array_k", [f.data] * 3)
    _run(h, "copya2ftab", "", "i[]io", [arr([11, 12, 13, 14], "i"), 2, 3])
    check("a2ftab_off", _run(h, "tab2array", "i[]", "ioop", [2, 0, 0, 1])[0])
    got = []
    for block in (1, 2, 3):
        w = arr([block, 22, 23])
        _run(h, "copya2ftab", "", "k[]k", [w, np.array(2.0)], nblocks=1)
        got.append(h.tables.get(2).data[:10].copy())
    check("a2ftab_k", got)
    check("tab2array_step", _run(h, "tab2array", "i[]", "ioop", [1, 1, 7, 2])[0])
    check("tab2array_end", _run(h, "tab2array", "i[]", "ioop", [1, 2, 0, 3])[0])
    check("tab2array_k", _run(h, "tab2array", "k[]", "iOOP",
                              [1, np.array(1.0), np.array(8.0), np.array(3.0)])[0])


def test_interleave_and_cmp():
    h = make_host()
    x = arr(X, "i")
    check("interleave", _run(h, "interleave", "i[]", "i[]i[]",
                             [arr([1, 2, 3], "i"), arr([10, 20, 30], "i")])[0])
    d1, d2 = _run(h, "deinterleave", "i[]i[]", "i[]", [x])
    check("deinterleave1", d1)
    check("deinterleave2", d2)
    check("cmp_ge", _run(h, "cmp", "i[]", "i[]Si", [x, ">=", 3])[0])
    check("cmp_ne", _run(h, "cmp", "i[]", "i[]Si", [x, "!=", 4])[0])
    y2 = arr(VALUES["scale_part"][0], "i")
    check("cmp_arrays", _run(h, "cmp", "i[]", "i[]Si[]", [x, "<", y2])[0])
    check("cmp_between", _run(h, "cmp", "i[]", "iSi[]Si", [0.125, "<=", x, "<", 7.5])[0])

    def upd(block, args):
        args[0].data[2] = block * 4
    kx = arr(X)
    check("cmp_k", _run(h, "cmp", "k[]", "k[]Sk", [kx, "==", np.array(4.0)], update=upd)[0])
    kx = arr(X)
    check("cmp_between_k", _run(h, "cmp", "k[]", "kSk[]Sk",
                                [np.array(-2.0), "<", kx, "<=", np.array(4.0)],
                                update=lambda b, a: upd(b, a[2:]))[0])
    with pytest.raises(InitError, match="cmp: unknown operator"):
        _run(h, "cmp", "i[]", "i[]Si", [x, "~", 3])


@pytest.mark.parametrize("fn", FUNCS)
def test_math_functions(fn):
    h = make_host()
    check(f"{fn}_i", _run(h, fn, "i[]", "i[]", [arr(R, "i")])[0])
    check(f"{fn}_k", (_run(h, fn, "k[]", "k[]", [arr(R)])[0] * 3)[:3])


def test_shiftin_shiftout():
    h = make_host()
    ramp = np.arange(30.0)
    sig = np.zeros(10)

    def feed(block, args):
        if block:
            sig[:] = ramp[(block - 1) * 10:block * 10]
    check("shiftin", _run(h, "shiftin", "k[]", "a", [sig], update=feed,
                          outv=[arr(np.zeros(25))])[0])
    src = arr(np.arange(30.0))
    entry = find_entry("shiftout", "a", "k[]o")
    state = np.zeros(1, dtype=entry.state)[0]
    aout = np.zeros(10)
    entry.init(state, InitContext(h), aout, src, 7.0)
    got = []
    for _ in range(3):
        entry.perf(state, PerfContext(h), aout, src, np.array(7.0), 0, 10)
        got.append(aout.copy())
    check("shiftout", got)


TEXT_CASES = {
    "default": ("i[]", [arr([1, 2.5, -3, 4.123456], "i")], 1),
    "fmt_d": ("i[]S", [arr([1, 2.5, 3.5, -4.5], "i"), "%d"], 1),
    "label": ("i[]SS", [arr([1, 2, 3], "i"), "%8.3f", "the label"], 1),
    "wrap": ("i[]S", [arr(np.arange(30.0), "i"), "%.6f"], 1),
    "long": ("i[]", [arr(np.arange(120.0), "i")], 1),
}


def _printed(host, name, ins, args, nblocks=3, update=None):
    host.printed.clear()
    _run(host, name, "", ins, args, nblocks=nblocks, update=update)
    return "".join(host.printed)


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_printarray_i(case):
    ins, args, _ = TEXT_CASES[case]
    assert _printed(make_host(), "printarray", ins, args) == TEXTS[case]


def test_printarray_other_shapes():
    h = make_host()
    two = arr(np.zeros((3, 4)), "i")
    two.data[1, 2] = 5
    assert _printed(h, "printarray", "i[]SS", [two, "%.1f", "2d"]) == TEXTS["twod"]
    two = arr(np.zeros((2, 20)), "i")
    two.data[1, 2] = 5
    assert _printed(h, "printarray", "i[]S", [two, "%.5f"]) == TEXTS["twod_wrap"]
    words = ArrayVar("S", np.array(["one", "two", "three"], dtype=object))
    assert _printed(h, "printarray", "S[]J", [words, np.array(-1.0)]) == TEXTS["strings"]


def test_printarray_k():
    h = make_host()
    ka = arr([1, 2])
    trig = np.array(1.0)

    def upd(block, args):
        args[0].data[0] = block
        trig[()] = 0.0 if block == 2 else 1.0
    assert _printed(h, "printarray", "k[]kSS", [ka, trig, "%.2f", "k"],
                    update=upd) == TEXTS["k_trig"]
    ka = arr([1, 2])
    assert _printed(h, "printarray", "k[]J", [ka, np.array(-1.0)],
                    update=lambda b, a: a[0].data.__setitem__(1, b)) == TEXTS["k_every"]
    assert _printed(h, "printarray", "k[]S", [arr([1, 2]), "[%g]"]) == TEXTS["k_fmt"]


def test_k_rate_array_arithmetic_and_copy_compute_at_perf_time_only(rig):
    """arrays.c: `karr = karr + 4` sizes its result at init (tabarithset,
    tabcopyk_init) and computes every k-cycle, so the first cycle sees 5..8."""
    r = rig("instr 1\nkarr[] fillarray 1, 2, 3, 4\nkarr = karr + 4\n"
            "kout[] = karr * 2\nprintk 0, kout[3]\nendin\n", ksmps=10)
    r.note(1, 0, 0.02)
    r.run(2)
    values = [line.split(":")[-1].strip() for line in r.printed.splitlines() if "time" in line]
    assert values == ["16.00000", "24.00000"]
