"""Vectorial and table-helper opcodes (csoundpy/opcodes/vectorial.py) against Csound 6.18.

fixtures/vectorial.json comes from tools/fixtures/make_vectorial.py: each case
ran the same calls in instr 1 (sr 1000, ksmps 10) and printed the listed
tables (guard point included) and k outputs after every block.  Here the calls
are replayed block by block; an argument given as a function gets kb = 1, 2, ...
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError
from csoundpy.opcodes._registry import OPTIONAL_DEFAULTS
from csoundpy.testing import find_entry

with open(os.path.join(os.path.dirname(__file__), "fixtures", "vectorial.json")) as _fh:
    FIX = json.load(_fh)
NBLOCKS = FIX["nblocks"]


def make_host() -> OpcodeHost:
    host = OpcodeHost(sr=1000, ksmps=10)
    for num, (size, values) in FIX["tables"].items():
        if size > 2 and (size - 1) & (size - 2) == 0:
            size -= 1  # 2**n + 1 points: 2**n long, the last one is the guard point
            data = np.zeros(size + 1)
        else:
            data = np.zeros(size + 1)
        data[:len(values)] = values
        if size & (size - 1) == 0 and len(values) <= size:
            data[size] = data[0]
        host.tables.set(FunctionTable(int(num), data))
    return host


C = dict  # one call: op, outs, ins, args (and out: the k output's label)
CASES = {
    "vadd": [C(op="vadd", ins="ikkOO", args=[1, lambda kb: kb * 0.5, 4, 2])],
    "vadd_neg": [C(op="vadd", ins="ikkOO", args=[3, 1.5, 6.5, -2.5])],
    "vadd_over": [C(op="vadd", ins="ikkOO", args=[1, 0.25, 20, 5.5])],
    "vmult": [C(op="vmult", ins="ikkOO", args=[1, 1.5, 5.7, 1.6])],
    "vpow": [C(op="vpow", ins="ikkOO", args=[2, 0.5, 3, 2])],
    "vexp": [C(op="vexp", ins="ikkOO", args=[2, 1.01, 2, 1])],
    "vadd_i": [C(op="vadd_i", ins="iiio", args=[1, 0.75, 3.5, 2.5])],
    "vmult_i": [C(op="vmult_i", ins="iiio", args=[3, -2, 20, -1.5])],
    "vpow_i": [C(op="vpow_i", ins="iiio", args=[2, 2, 3.9, 1.7])],
    "vexp_i": [C(op="vexp_i", ins="iiio", args=[2, 0.5, 4, -1])],
    "vcopy": [C(op="vcopy", ins="iikOOO", args=[4, 1, lambda kb: kb + 2, lambda kb: kb, 1])],
    "vcopy_negsrc": [C(op="vcopy", ins="iikOOO", args=[4, 3, 6, 1, -2])],
    "vcopy_negdst": [C(op="vcopy", ins="iikOOO", args=[4, 3, 6, -2, 1])],
    "vcopy_over": [C(op="vcopy", ins="iikOOO", args=[4, 2, 20, 12, 3])],
    "vcopy_same": [C(op="vcopy", ins="iikOOO", args=[3, 3, 5, 2, 0])],
    "vaddv": [C(op="vaddv", ins="iikOOO", args=[1, 2, 4, 1, lambda kb: kb])],
    "vaddv_negsrc": [C(op="vaddv", ins="iikOOO", args=[1, 2, 5, 0, -2])],
    "vsubv": [C(op="vsubv", ins="iikOOO", args=[3, 1, 9, 1, 0])],
    "vsubv_same": [C(op="vsubv", ins="iikOOO", args=[3, 3, 4, 3, 1])],
    "vmultv": [C(op="vmultv", ins="iikOOO", args=[2, 1, 6, 0, 2])],
    "vdivv": [C(op="vdivv", ins="iikOOO", args=[3, 2, 8, 2, 0])],
    "vpowv": [C(op="vpowv", ins="iikOOO", args=[2, 10, 8, 0, 0])],
    "vexpv": [C(op="vexpv", ins="iikOOO", args=[10, 2, 6, 1, 1])],
    "vcopy_i": [C(op="vcopy_i", ins="iiioo", args=[4, 1, 6, 3, -2])],
    "vcopy_i_same": [C(op="vcopy_i", ins="iiioo", args=[2, 2, 5, 2, 0])],
    "vaddv_i": [C(op="vaddv_i", ins="iiioo", args=[1, 2, 6, 1, -2])],
    "vaddv_i_same": [C(op="vaddv_i", ins="iiioo", args=[2, 2, 5, 2, 0])],
    "vsubv_i": [C(op="vsubv_i", ins="iiioo", args=[3, 2, 12, 0, 3])],
    "vmultv_i": [C(op="vmultv_i", ins="iiioo", args=[1, 3, 9, 0, 4])],
    "vdivv_i_same": [C(op="vdivv_i", ins="iiioo", args=[2, 2, 4, 3, 1])],
    "vpowv_i": [C(op="vpowv_i", ins="iiioo", args=[10, 2, 5, 0, 0])],
    "vexpv_i": [C(op="vexpv_i", ins="iiioo", args=[10, 1, 5, 2, 0])],
    "vmap": [C(op="vmap", ins="iiioo", args=[7, 1, 8, 0, 0])],
    "vmap_off": [C(op="vmap", ins="iiioo", args=[2, 1, 6, 1, -1])],
    "vlimit": [C(op="vlimit", ins="ikki", args=[1, lambda kb: -1 + kb * 0.1,
                                                lambda kb: 2 + kb, 8])],
    "vwrap": [C(op="vwrap", ins="ikki", args=[3, -0.5, lambda kb: 1 + kb * 0.25, 10])],
    "vwrap_flat": [C(op="vwrap", ins="ikki", args=[2, 3, 3, 5])],
    "vmirror": [C(op="vmirror", ins="ikki", args=[1, -1, 2.5, 8])],
    "vport": [C(op="vcopy", ins="iikOOO", args=[9, 2, 8, 0, 0, 0]),
              C(op="vport", ins="ikio", args=[9, 0.02, 8, 1])],
    "vport_noinit": [C(op="vport", ins="ikio", args=[2, lambda kb: 0.01 * kb, 6])],
    "vrandh": [C(op="vrandh", ins="ikkiovoo", args=[4, 2, 150, 6, 2])],
    "vrandh_wide": [C(op="vrandh", ins="ikkiovoo", args=[4, 1, 210, 5, 0, 0.3, 1, 0.5])],
    "vrandi": [C(op="vrandi", ins="ikkiovoo", args=[4, 1, 120, 4, 1, 0.7])],
    "vrandi_wide": [C(op="vrandi", ins="ikkiovoo", args=[4, 3, 260, 6, 3, 0.25, 1, -1])],
    "vecdelay": [C(op="vadd", ins="ikkOO", args=[2, 1, 8]),
                 C(op="vecdelay", ins="iiiiio", args=[9, 2, 5, 4, 0.05])],
    "vdelayk": [C(op="vdelayk", outs="k", ins="kkioo", args=[lambda kb: kb * kb, 0.015, 0.05],
                  out="kd")],
    "vdelayk_raw": [C(op="vdelayk", outs="k", ins="kkioo",
                      args=[lambda kb: kb * 3, 0.025, 0.03, 0, 1], out="kd")],
    "vlinseg": [C(op="vlinseg", ins="iim", args=[9, 8, 1, 0.02, 2, 0.01, 10])],
    "vexpseg": [C(op="vexpseg", ins="iim", args=[9, 6, 2, 0.03, 1])],
    "vcella": [C(op="vcella", ins="kkiiiiip", args=[1, 0, 9, 7, 6, 8, 4, 1])],
    "vcella_r2": [C(op="vcella", ins="kkiiiiip",
                    args=[lambda kb: kb % 2, lambda kb: 1 if kb == 3 else 0, 9, 7, 6, 8, 8, 2])],
    "tab_k": [C(op="tab", outs="k", ins="kio", args=[lambda kb: kb * 1.6, 1], out="k1"),
              C(op="tab", outs="k", ins="kio", args=[lambda kb: kb * 0.2, 3, 1], out="k2")],
    "tab_i": [C(op="tab_i", outs="i", ins="iio", args=[2.5, 1], out="k1"),
              C(op="tab_i", outs="i", ins="iio", args=[0.35, 3, 1], out="k2")],
    "tabw": [C(op="tabw", ins="kkio", args=[lambda kb: kb * 10, lambda kb: kb + 0.5, 2]),
             C(op="tabw", ins="kkio", args=[lambda kb: -kb, lambda kb: 0.125 * kb, 1, 1])],
    "tabw_i": [C(op="tabw_i", ins="iiio", args=[42, 3.5, 3]),
               C(op="tabw_i", ins="iiio", args=[43, 0.5, 1, 1])],
    "ftmorf": [C(op="ftmorf", ins="kii", args=[lambda kb: kb * 0.7, 8, 9])],
    "tab_a": [C(op="tab", outs="a", ins="xio", args=["line", 1], line=(0, 9.6), out="kA")],
    "tab_a_norm": [C(op="tab", outs="a", ins="xio", args=["line", 3, 1], line=(0, 0.95),
                     out="kA")],
    "tabw_a": [C(op="tabw", ins="aaio", args=["line2", "line", 4], line=(0, 8), line2=(1, 3)),
               C(op="tab", outs="a", ins="xio", args=["line", 4], line=(0, 8), out="kA")],
    "wterrain": [C(op="wterrain", outs="a", ins="kkkkkkii",
                   args=[0.8, lambda kb: 35 + kb, 0.2, 0.6, lambda kb: 0.3 + kb * 0.01, 0.45,
                         1, 3], out="kA")],
}


class Call:
    """One opcode call site: its state, aux arrays and argument buffers."""

    def __init__(self, host, spec):
        self.spec = spec
        self.entry = find_entry(spec["op"], spec.get("outs", ""), spec["ins"])
        self.state = np.zeros(1, dtype=self.entry.state)[0]
        self.outs = [np.zeros(10) if t == "a" else np.zeros(1) for t in self.entry.out_types]
        ksmps = 10
        tokens = self.entry.in_types
        self.variadic = tokens and tokens[-1] == "m"
        args = list(spec["args"])
        fixed = tokens[:-1] if self.variadic else tokens
        for tok in fixed[len(args):]:
            args.append(OPTIONAL_DEFAULTS[tok])
        self.args = args
        self.bufs = [np.zeros(ksmps) if isinstance(a, str) else np.zeros(()) for a in args]
        self.load(1)
        ins = [b if isinstance(a, str) else float(b[()]) for a, b in zip(args, self.bufs)]
        if self.variadic:
            ins = ins[:len(fixed)] + [tuple(ins[len(fixed):])]
        self.aux = self.entry.init(self.state, InitContext(host), *self.outs, *ins) or ()

    def load(self, kb):
        for a, b in zip(self.args, self.bufs):
            if isinstance(a, str):
                start, end = self.spec[a]
                t = np.arange((kb - 1) * 10, kb * 10)
                b[:] = start + (end - start) * t / (NBLOCKS * 10)
            else:
                b[()] = a(kb) if callable(a) else a

    def perf(self, host, kb):
        if self.entry.perf is None:
            return
        self.load(kb)
        ins = list(self.bufs)
        if self.variadic:
            nfix = len(self.entry.in_types) - 1
            ins = ins[:nfix] + [tuple(ins[nfix:])]
        audio = any(t == "a" for t in self.entry.out_types) or any(
            isinstance(a, str) for a in self.args)
        self.entry.perf(self.state, host.consts, *self.aux, *self.outs, *ins, 0,
                        10 if audio else 1)


def play(name):
    host = make_host()
    calls = [Call(host, spec) for spec in CASES[name]]
    want = FIX["cases"][name]
    got = {label: [] for label in want}
    for kb in range(1, len(next(iter(want.values()))) + 1):
        for call in calls:
            call.perf(host, kb)
        for label in got:
            if label.startswith("t"):
                got[label].append(host.tables.get(int(label[1:])).data.copy())
            else:
                call = next(c for c in calls if c.spec.get("out") == label)
                got[label].append(call.outs[0].copy())
    return got, want


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_csound(name):
    got, want = play(name)
    for label in want:
        assert len(got[label]) == len(want[label])
        for block, (g, w) in enumerate(zip(got[label], want[label])):
            np.testing.assert_allclose(g, np.array(w), rtol=1e-12, atol=1e-13, equal_nan=True,
                                       err_msg=f"{name} {label} block {block + 1}")


def test_fixtures_cover_every_case():
    assert set(FIX["cases"]) == set(CASES)


def test_tab_off_end_aborts():
    host = make_host()
    call = Call(host, CASES["tab_a"][0])
    for kb in (1, 2, 3):
        call.perf(host, kb)
    with pytest.raises(IndexError):
        call.perf(host, 4)  # Csound: PERF ERROR "tab off end 10", note aborted


def test_init_errors():
    host = make_host()
    with pytest.raises(InitError, match="vmap: Error: ifn1 and ifn2 can not be the same"):
        Call(host, C(op="vmap", ins="iiioo", args=[1, 1, 4, 0, 0]))
    with pytest.raises(InitError, match="vectorop: invalid num of elements"):
        Call(host, C(op="vlimit", ins="ikki", args=[1, 0, 1, 9]))
    with pytest.raises(InitError, match="vectorsop: ifn2 invalid table number 77"):
        Call(host, C(op="vcopy", ins="iikOOO", args=[1, 77, 4]))
    with pytest.raises(InitError, match="tab_i off end"):
        Call(host, C(op="tab_i", outs="i", ins="iio", args=[8, 1]))
