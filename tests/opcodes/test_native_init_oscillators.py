"""Native (compiled) init passes of oscillators, outputs and panning do what
their Python inits do: `native_init_mismatches` runs both on one note and
lists every difference; error, warning and message cases must ask for the
Python init."""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.testing import find_entry, native_init_mismatches

ASKS = "native init asks for the Python init"

TABLES = """
gi1 ftgen 1, 0, 4096, 10, 1
gi2 ftgen 2, 0, 256, 10, 1, 0.5
gi3 ftgen 3, 0, 1000, 10, 1
gi4 ftgen 4, 0, 16, 7, 0, 8, 1, 8, 0
gi5 ftgen 5, 0, 8, -2, 0, 1, 4, 0, -1, 2, 5, 7
"""


def _orc(body: str, nchnls: int = 2, extra: str = "") -> str:
    return (f"sr=48000\nksmps=64\nnchnls={nchnls}\nnchnls_i={nchnls}\n0dbfs=1\n{TABLES}{extra}"
            f"instr 1\n{body}\nendin\n")


def _check(body: str, pfields, nchnls: int = 2) -> list[str]:
    return native_init_mismatches(_orc(body, nchnls), [1, 0, 1, *pfields])


def _asks(problems: list[str]) -> bool:
    return bool(problems) and all(p.endswith(ASKS) for p in problems)


@pytest.fixture(scope="module")
def engine():
    """An engine holding TABLES (2 channels in and out), for direct kernel calls."""
    from csoundpy.api import Csound

    cs = Csound()
    cs.setOption("-n")
    cs.setOption("-m0")
    assert cs.compileOrc(_orc("")) == 0
    cs.start()
    return cs.engine


def _native_result(engine, name: str, outs: str, ins: str, *args) -> int:
    """What the native init of overload `name` outs:ins returns for inputs
    `args` (a-rate ones as arrays, the variadic part as a tuple) on a fresh
    state: non-zero asks for the Python init (cases where Python's raises)."""
    entry = find_entry(name, outs, ins)
    native = entry.native_init
    state = np.zeros(1, dtype=entry.state)[0]
    refs = []
    for kind in native.aux:
        if kind == "ref":
            refs += [np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)]
    out_arrays = [np.zeros(64) if t == "a" else np.zeros(1) for t in entry.out_types]
    return native.kernel(state, engine.consts, engine.tables.native(), *native.consts, *refs,
                         *out_arrays, *args)


def _a() -> np.ndarray:
    return np.zeros(64)


# ------------------------------------------------------------ oscil family

@pytest.mark.parametrize("name", ["oscil", "oscili", "oscil3"])
@pytest.mark.parametrize("amp, cps", [("0.5", "440"), ("0.5", "a(440)"), ("a(0.5)", "440"),
                                      ("a(0.5)", "a(440)")])
@pytest.mark.parametrize("ifn, iphs", [(1, 0), (2, 0.25), (4, 0.999), (5, -1), (1, 3.7),
                                       (2, 1e10), (4, -0.0)])
def test_oscil_a_rate_native_init_matches_python(name, amp, cps, ifn, iphs):
    assert _check(f"a1 {name} {amp}, {cps}, p4, p5", [ifn, iphs]) == []


@pytest.mark.parametrize("name", ["oscil", "oscili", "oscil3"])
@pytest.mark.parametrize("ifn, iphs", [(1, 0.5), (2, -1), (5, 2.25), (4.4, 0.1)])
def test_oscil_k_rate_native_init_matches_python(name, ifn, iphs):
    assert _check(f"k1 {name} 0.5, 3, p4, p5", [ifn, iphs]) == []


def test_oscil_without_table_leaves_the_builtin_sine_to_python():
    assert _asks(_check("a1 oscil 0.5, 440", []))
    assert _asks(_check("k1 oscili 0.5, 440, -1, 0.3", []))


@pytest.mark.parametrize("ifn", [3, 9, 0, -2, 1e30])
def test_oscil_bad_table_asks_for_python_init(engine, ifn):
    for name in ("oscil", "oscil3"):
        assert _native_result(engine, name, "a", "kkjo", 0.5, 440.0, float(ifn), 0.0) != 0
        assert _native_result(engine, name, "k", "kkjo", 0.5, 440.0, float(ifn), 0.0) != 0


# ---------------------------------------------------------- poscil family

@pytest.mark.parametrize("name", ["poscil", "poscil3"])
@pytest.mark.parametrize("amp, cps", [("0.5", "440"), ("0.5", "a(440)"), ("a(0.5)", "440"),
                                      ("a(0.5)", "a(440)")])
@pytest.mark.parametrize("ifn, iphs", [(1, 0), (3, 0.25), (3, 2.7), (5, -1), (4, 17.5)])
def test_poscil_a_rate_native_init_matches_python(name, amp, cps, ifn, iphs):
    assert _check(f"a1 {name} {amp}, {cps}, p4, p5", [ifn, iphs]) == []


@pytest.mark.parametrize("name", ["poscil", "poscil3"])
@pytest.mark.parametrize("ifn, iphs", [(3, 0.5), (2, -1), (5, 1.0), (3.4, 0.1)])
def test_poscil_k_rate_native_init_matches_python(name, ifn, iphs):
    assert _check(f"k1 {name} 0.5, 3, p4, p5", [ifn, iphs]) == []


def test_poscil_without_table_leaves_the_builtin_sine_to_python():
    assert _asks(_check("a1 poscil 0.5, 440", []))


@pytest.mark.parametrize("ifn", [9, 0, -3, 1e30])
def test_poscil_missing_table_asks_for_python_init(engine, ifn):
    assert _native_result(engine, "poscil", "a", "kkjo", 0.5, 440.0, float(ifn), 0.0) != 0
    assert _native_result(engine, "poscil3", "k", "kkjo", 0.5, 440.0, float(ifn), 0.0) != 0


# ---------------------------------------------------------- phasor, oscils, lfo

@pytest.mark.parametrize("body", ["a1 phasor 440, p4", "a1 phasor a(440), p4",
                                  "k1 phasor 3, p4"])
@pytest.mark.parametrize("iphs", [0, 0.3, 0.9999, -1, -0.0, -2.5])
def test_phasor_native_init_matches_python(body, iphs):
    assert _check(body, [iphs]) == []


@pytest.mark.parametrize("iphs", [1.0, 2.5, 1e12])
def test_phasor_truncated_phase_warning_asks_for_python_init(iphs):
    assert _asks(_check("a1 phasor 440, p4", [iphs]))
    assert _asks(_check("k1 phasor 3, p4", [iphs]))


@pytest.mark.parametrize("icps, iphs", [(440, 0), (440, 0.3), (1000.5, 0.77), (20, -0.25),
                                        (12000, 1.5)])
@pytest.mark.parametrize("iflg", [0, 0.4, 0.6, 2, 3])
def test_oscils_native_init_matches_python(icps, iphs, iflg):
    assert _check("a1 oscils 0.7, p4, p5, p6", [icps, iphs, iflg]) == []


@pytest.mark.parametrize("rate", ["k", "a"])
@pytest.mark.parametrize("itype", [0, 1, 2, 3, 4, 5, 5.9, -0.5])
def test_lfo_native_init_matches_python(rate, itype):
    assert _check(f"{rate}1 lfo 0.5, 3, p4", [itype]) == []


@pytest.mark.parametrize("itype", [6, -1, 1e20])
def test_lfo_unknown_type_asks_for_python_init(engine, itype):
    assert _native_result(engine, "lfo", "k", "kko", 0.5, 3.0, float(itype)) != 0
    assert _native_result(engine, "lfo", "a", "kko", 0.5, 3.0, float(itype)) != 0


# ---------------------------------------------------------- buzz, gbuzz

@pytest.mark.parametrize("xamp, xcps", [("0.5", "440"), ("a(0.5)", "a(440)")])
@pytest.mark.parametrize("ifn, iphs", [(1, 0), (2, 0.3), (4, -1), (1, 2.75)])
def test_buzz_native_init_matches_python(xamp, xcps, ifn, iphs):
    assert _check(f"a1 buzz {xamp}, {xcps}, 5, p4, p5", [ifn, iphs]) == []


@pytest.mark.parametrize("xamp, xcps", [("0.5", "440"), ("a(0.5)", "a(440)")])
@pytest.mark.parametrize("ifn, iphs", [(1, 0), (2, 0.3), (4, -1), (1, 2.75)])
def test_gbuzz_native_init_matches_python(xamp, xcps, ifn, iphs):
    assert _check(f"a1 gbuzz {xamp}, {xcps}, 5, 1, 0.7, p4, p5", [ifn, iphs]) == []


@pytest.mark.parametrize("ifn", [3, 9, 0])
def test_buzz_and_gbuzz_bad_table_asks_for_python_init(engine, ifn):
    assert _native_result(engine, "buzz", "a", "xxkio", 0.5, 440.0, 5.0, float(ifn), 0.0) != 0
    assert _native_result(engine, "gbuzz", "a", "xxkkkio", 0.5, 440.0, 5.0, 1.0, 0.5,
                          float(ifn), 0.0) != 0
    assert _asks(_check("a1 buzz 0.5, 440, 5, -1", []))


# ---------------------------------------------------------- outputs, inputs

def test_single_channel_outputs_native_init_matches_python():
    body = ("a1 oscil 0.5, 440, 1\nouts1 a1\nouts2 a1\noutq1 a1\noutq2 a1\noutq4 a1\n"
            "outall a1\noutch 1, a1, 2, a1\noutch p4, a1\noutrg 1, a1, a1\nout a1, a1")
    assert _check(body, [5]) == []


def test_four_channel_outputs_native_init_matches_python():
    assert _check("a1 oscil 0.5, 440, 1\noutq3 a1\noutq a1, a1, a1, a1", [], nchnls=4) == []


def test_output_channel_past_nchnls_asks_for_python_init(engine):
    assert _native_result(engine, "outq3", "", "a", _a()) != 0
    assert _native_result(engine, "outq2", "", "a", _a()) == 0


def test_inputs_native_init_matches_python():
    assert _check("a1 in\na2, a3 ins\na4 inch p4\na5, a6 inch 2, p4", [1.4]) == []


@pytest.mark.parametrize("kchan", [3, 0, -1, 2.6])
def test_inch_bad_channel_message_asks_for_python_init(kchan):
    assert _asks(_check("a4 inch p4", [kchan]))
    assert _asks(_check("a4, a5 inch 1, p4", [kchan]))


def test_inch_nan_channel_asks_for_python_init(engine):
    assert _native_result(engine, "inch", "a", "k", float("nan")) != 0


# ---------------------------------------------------------- panning

@pytest.mark.parametrize("xpan", ["0.3", "a1"])
@pytest.mark.parametrize("imode", [0, 1, 2, 3, -0.4, 3.4])
def test_pan2_native_init_matches_python(xpan, imode):
    assert _check(f"a1 oscil 0.5, 440, 1\naL, aR pan2 a1, {xpan}, p4", [imode]) == []


@pytest.mark.parametrize("imode", [4, -1, 3.6, float("nan"), 1e300])
def test_pan2_unknown_type_asks_for_python_init(engine, imode):
    assert _native_result(engine, "pan2", "aa", "axo", _a(), 0.5, imode) != 0
    assert _native_result(engine, "pan2", "aa", "axo", _a(), _a(), imode) != 0


@pytest.mark.parametrize("ifn, imode, ioffset", [(2, 0, 0), (3.7, 1, 1), (4, 1, 0), (5, 0, 1)])
def test_pan_native_init_matches_python(ifn, imode, ioffset):
    body = "a0 oscil 0.5, 440, 1\na1, a2, a3, a4 pan a0, 0.3, 0.5, p4, p5, p6"
    assert _check(body, [ifn, imode, ioffset]) == []


@pytest.mark.parametrize("ifn", [0.5, 9, -1, float("inf")])
def test_pan_missing_table_asks_for_python_init(engine, ifn):
    assert _native_result(engine, "pan", "aaaa", "akkioo", _a(), 0.3, 0.5, ifn, 0.0, 0.0) != 0


@pytest.mark.parametrize("ifn", [0, -3, 1, 2])
def test_spdist_native_init_matches_python(ifn):
    assert _check("k1 spdist p4, 0.5, 1, 1", [ifn]) == []


@pytest.mark.parametrize("ifn", [0.5, 9])
def test_spdist_missing_table_asks_for_python_init(engine, ifn):
    assert _native_result(engine, "spdist", "k", "ikkk", ifn, 0.5, 1.0, 1.0) != 0
