"""Native inits (NativeInit) of the envelopes and filters against their Python
inits: one note per case through `native_init_mismatches`, plus the error
cases, where the Python init refuses the note and the native one must ask for
it (a non-zero return)."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from csoundpy.engine.context import make_consts
from csoundpy.engine.tables import TAB_COLS
from csoundpy.opcodes._registry import lookup
from csoundpy.opcodes.envelopes import _cpow
from csoundpy.testing import find_entry, native_init_mismatches

HEADER = "sr=48000\nksmps=64\nnchnls=2\n0dbfs=1\n"
# a-rate and k-rate inputs with values at init time (a0 is 300 everywhere)
PRELUDE = "a0 init 300\nk0 init 1000\n"
ASKS = "native init asks for the Python init"

WITH_NATIVE = [
    "line", "linseg", "linsegb", "transeg", "transegb", "cosseg", "cossegb",
    "expon", "expseg", "expsega", "expsegb", "expsegba",
    "tone", "atone", "reson", "areson", "butterlp", "butterhp", "butterbp", "butterbr",
    "butlp", "buthp", "butbp", "butbr", "lowpass2", "dcblock", "moogvcf", "moogvcf2",
    "moogladder", "moogladder2", "port", "portk", "statevar", "resonr", "resonz",
    "biquad", "biquada", "rezzy", "bqrez", "fofilter", "mode", "tbvcf", "pareq",
    "lpf18", "lowres", "lag",
]
# release envelopes (the note's extra time is Python's), inits reading p3,
# aux sizes set by an input's value
WITHOUT_NATIVE = [
    "linsegr", "expsegr", "transegr", "cossegr", "madsr", "mxadsr", "linenr", "envlpxr",
    "adsr", "xadsr", "linen", "envlpx", "dcblock2", "tonex", "atonex", "resonx", "lowresx",
]


def _mismatches(body: str, pfields: list[float]) -> list[str]:
    orc = f"{HEADER}instr 1\n{PRELUDE}{body}\nendin\n"
    return native_init_mismatches(orc, [1.0, 0.0, 1.0, *pfields])


def _native_result(name: str, outs: str, ins: str, *args) -> int:
    """What the native init of one overload returns for `args` (the variadic
    part as one tuple) on a fresh state."""
    entry = find_entry(name, outs, ins)
    native = entry.native_init
    nins = sum(len(a) if isinstance(a, tuple) else 1 for a in args)
    aux = [np.full(kind[1](nins), 7.0) for kind in native.aux]
    out_arrays = [np.zeros(64) if t == "a" else np.zeros(1) for t in entry.outs]
    state = np.zeros(1, dtype=entry.state)[0]
    consts = make_consts(48000.0, 64, 1.0, 2, 2)
    tabs = np.zeros((1, TAB_COLS), dtype=np.int64)
    return native.kernel(state, consts, tabs, *native.consts, *aux, *out_arrays, *args)


def test_every_overload_of_the_covered_opcodes_has_a_native_init():
    missing = [repr(e) for name in WITH_NATIVE for e in lookup(name) if e.native_init is None]
    assert missing == []


def test_release_envelopes_and_p3_readers_have_no_native_init():
    present = [repr(e) for name in WITHOUT_NATIVE for e in lookup(name)
               if e.native_init is not None]
    assert present == []


ENVELOPE_NOTES = [
    # line: positive, zero and negative durations
    ("k1 line 0, p4, 1\na1 line p5, p4, -1", [0.5, 0.2]),
    ("k1 line 0, p4, 1\na1 line p5, p4, -1", [0.0, 0.2]),
    ("k1 line 0, p4, 1\na1 line p5, p4, -1", [-1.0, 0.2]),
    # linseg, linsegb: one or several segments, zero first duration, zero-length segments
    ("k1 linseg 0, p4, 1\na1 linseg 1, p4, 0, 0, 1, 0.25, 0.5", [0.3]),
    ("k1 linseg 0, p4, 1\na1 linseg 1, p4, 0, 0, 1, 0.25, 0.5", [0.0]),
    ("k1 linsegb 0, p4, 1, 0.8, 0.5\na1 linsegb 1, p4, 0, 2, 1, 2, 0", [0.5]),
    ("k1 linsegb 0, p4, 1, 0.8, 0.5\na1 linsegb 1, p4, 0, 2, 1", [0.0]),
    ("k1 linsegb 0, p4, 1\na1 linsegb 1, p4, 0", [-0.5]),
    # transeg, transegb: linear and curved segments, a steep curve, zero/negative durations
    ("k1 transeg 0, p4, p5, 1, 0.3, 0, 0.5\na1 transeg 1, p4, -2, 0", [0.5, 2.0]),
    ("k1 transeg 0, p4, p5, 1, 0.3, 0, 0.5\na1 transeg 1, p4, -2, 0", [0.0, 0.0]),
    ("k1 transeg 0, p4, p5, 1\na1 transeg 1, p4, 700, 0, 0, -3, 2", [0.5, -700.0]),
    ("k1 transeg 0, p4, p5, 1, -0.2, 1, 3", [0.5, 1.0]),
    ("k1 transegb 0, p4, p5, 1, 0.9, 0, 0.5\na1 transegb 1, p4, -2, 0", [0.5, 3.0]),
    ("k1 transegb 0, p4, p5, 1, 0.2, 0, 0.5\na1 transegb 1, p4, -2, 0", [0.5, 0.0]),
    ("k1 transegb 0, p4, p5, 1\na1 transegb 1, p4, 1, 0", [-1.0, 1.0]),
    # cosseg, cossegb: equal and different end points, zero durations
    ("k1 cosseg 0, p4, 1, 0.3, 0.5\na1 cosseg 1, p4, 0", [0.5]),
    ("k1 cosseg 0, p4, 0, 0.3, 0.5\na1 cosseg 1, p4, 1, 0, 0", [0.5]),
    ("k1 cosseg 0, p4, 1, 0.3, 0.5\na1 cosseg 1, p4, 0", [0.0]),
    ("k1 cossegb 0, p4, 1, 0.8, 0.5\na1 cossegb 1, p4, 0, 2, 1", [0.5]),
    ("k1 cossegb 0, p4, 1, 0.8, 0.5\na1 cossegb 1, p4, 0, 2, 1", [-0.5]),
    ("k1 cossegb 0, p4, 1, 0.7, 0, 0.7, 1", [0.25]),
    # expon: rising, falling and negative curves, zero and negative durations
    ("k1 expon 1, p4, p5\na1 expon p5, p4, 0.001", [0.5, 2.0]),
    ("k1 expon -1, p4, p5\na1 expon p5, p4, -0.001", [0.3, -7.0]),
    ("k1 expon 1, p4, p5\na1 expon p5, p4, 1", [0.0, 0.0]),
    ("k1 expon 0, p4, p5\na1 expon p5, p4, 1", [-1.0, -2.0]),
    # expon: a ratio to a power past the largest float (C's pow gives inf), a nan time
    ("k1 expon 1, p4, 1e10\na1 expon 1e-10, p4, 1", [1e-12]),
    ("k1 expon 1, p4, 2\na1 expon 3, p4, 1", [math.nan]),
    # expseg: one or several segments, zero and negative segment durations
    ("k1 expseg 1, p4, 2\na1 expseg 0.001, p4, 1, 0, 0.5, 0.25, 0.001", [0.3]),
    ("k1 expseg -1, p4, -2, 0.1, -0.5\na1 expseg 2, p4, 1, -0.1, 3", [0.5]),
    ("k1 expseg 1, p4, 0\na1 expseg 0, p4, 1, 1, -1", [0.0]),
    ("k1 expseg 1, p4, 2\na1 expseg 3, p4, 1", [-0.5]),
    # expseg: ratios past the float range (pow of inf, and of 0 to a negative power),
    # counts past 2**63, a nan duration
    ("k1 expseg 1, 0.5, 1e-300, p4, 1e300\na1 expseg 1, 0.5, 1e300, p4, 1e-300", [-0.5]),
    ("k1 expseg 1, p4, 2, 1, 3\na1 expseg 1, p4, 2", [1e16]),
    ("k1 expseg 1, p4, 2, 1, 3\na1 expseg 1, 1, 2, p4, 3", [math.nan]),
    # expsega: counted in samples
    ("a1 expsega 0.001, p4, 1, 0.2, 0.5, 0, 0.25\na2 expsega -1, p4, -2", [0.5]),
    ("a1 expsega 0.001, p4, 1, 0.2, 0.5, 0, 0.25\na2 expsega -1, p4, 0", [0.0]),
    # expsegb, expsegba: breakpoint times, repeated times, a zero first time
    ("k1 expsegb 1, p4, 2, 0.8, 0.5\na1 expsegb 1, p4, 2, p4, 4, 1, 0.5", [0.5]),
    ("a1 expsegba 1, p4, 2, 0.8, 0.5\na2 expsegba -1, p4, -2, 2, -3", [0.25]),
    ("k1 expsegb 1, p4, 2, 0.8, 0.5\na1 expsegba 1, p4, 0, 0.1, 1", [0.0]),
    ("k1 expsegb 1, p4, 2, 0.8, 0.5\na1 expsegba 1, p4, 2, 0.1, 1", [-0.5]),
]


@pytest.mark.parametrize("body,pfields", ENVELOPE_NOTES)
def test_envelope_native_inits_match_the_python_inits(body, pfields):
    assert _mismatches(body, pfields) == []


FILTER_NOTES = [
    # tone, atone: k and a cutoffs, istor given or not
    ("a1 tone a0, 1000\na2 tone a0, a0, p4\na3 atone a0, k0, p4", [0.0]),
    ("a1 tone a0, 1000\na2 tone a0, a0, p4\na3 atone a0, k0, p4", [1.0]),
    # reson, areson: every scale, a- and k-rate parameters
    (("a1 reson a0, 1000, 100, p4, p5\na2 reson a0, a0, k0\n"
      "a3 areson a0, a0, k0, p4\na4 areson a0, k0, a0, p4"), [1.0, 0.0]),
    ("a1 reson a0, 1000, 100, p4, p5\na2 areson a0, a0, a0, p4\na3 areson a0, 10, 20, p4",
     [2.9, 1.0]),
    ("a1 reson a0, 1000, 100, p4, p5\na2 areson a0, a0, a0, p4", [-0.5, 0.0]),
    # Butterworth filters
    (("a1 butterlp a0, 1000\na2 butterhp a0, a0, p4\na3 butterbp a0, k0, a0, p4\n"
      "a4 butbr a0, 100, 10, p4\na5 butlp a0, a0\na6 buthp a0, 10"), [0.0]),
    (("a1 butterlp a0, 1000, p4\na2 butterhp a0, a0, p4\na3 butterbr a0, k0, a0, p4\n"
      "a4 butbp a0, 100, 10, p4"), [1.0]),
    # lowpass2, dcblock: gains in and out of range, default gain
    (("a1 lowpass2 a0, 1000, 2, p4\na2 lowpass2 a0, a0, a0\na3 dcblock a0, p5\n"
      "a4 dcblock a0\na5 lowpass2 a0, k0, a0"), [0.0, 0.5]),
    ("a1 lowpass2 a0, 1000, 2, p4\na3 dcblock a0, p5", [1.0, 1.5]),
    ("a1 lowpass2 a0, 1000, 2, p4\na3 dcblock a0, p5", [1.0, -1.0]),
    # moogvcf (iscale 0: 0dbfs), moogladder
    (("a1 moogvcf a0, 1000, 0.5, p4, p5\na2 moogvcf2 a0, a0, a0\n"
      "a3 moogladder a0, a0, k0, p5\na4 moogladder2 a0, 1000, a0"), [0.0, 0.0]),
    (("a1 moogvcf a0, 1000, 0.5, p4, p5\na2 moogvcf2 a0, a0, a0, p4\n"
      "a3 moogladder a0, k0, 0.5, p5\na4 moogladder2 a0, a0, 0.5, p5"), [0.3, 1.0]),
    # port, portk: positive, negative and zero half-times, isig < 0 keeps the state
    ("k1 port k0, p4, p5\nk2 portk k0, k0*0.001, p5\nk3 port k0, 0", [0.1, 5.0]),
    ("k1 port k0, p4, p5\nk2 portk k0, k0*0.001\nk3 port k0, 0", [-0.1, -1.0]),
    ("k1 port k0, p4", [1e-300]),
    # statevar: default, fractional and large oversampling
    ("a1,a2,a3,a4 statevar a0, 1000, 2, p4, p5", [0.0, 0.0]),
    ("a1,a2,a3,a4 statevar a0, a0, 2, p4, p5", [5.7, 1.0]),
    ("a1,a2,a3,a4 statevar a0, a0, 2, p4", [-3.0]),
    # resonr, resonz: the three scales
    ("a1 resonz a0, 1000, 100, p4, p5\na2 resonr a0, a0, k0, p4", [0.0, 0.0]),
    ("a1 resonz a0, 1000, 100, p4, p5\na2 resonr a0, a0, k0, p4", [2.5, 1.0]),
    ("a1 resonz a0, 1000, 100, p4, p5\na2 resonr a0, a0, k0, p4", [1.0, 0.0]),
    # biquad, rezzy, bqrez
    ("a1 biquad a0, 1, 0, 0, 1, 0, 0, p4\na2 biquada a0, a0, a0, a0, a0, a0, a0", [0.0]),
    ("a1 biquad a0, 1, 0, 0, 1, 0, 0, p4\na2 biquada a0, a0, a0, a0, a0, a0, a0, p4", [1.0]),
    (("a1 rezzy a0, 1000, 10, 0, p4\na2 bqrez a0, a0, a0, 1\na3 rezzy a0, k0, a0\n"
      "a4 bqrez a0, 1000, a0, 2, p4"), [0.0]),
    ("a1 rezzy a0, 1000, 10, 0, p4\na2 bqrez a0, a0, k0, 1, p4", [1.0]),
    # fofilter, mode, tbvcf, pareq, lpf18
    (("a1 fofilter a0, 1000, 0.01, 0.1, p4\na2 mode a0, a0, 10, p4\n"
      "a3 tbvcf a0, 1000, 0.5, 1, 0.5, p4"), [0.0]),
    (("a1 fofilter a0, a0, 0.01, 0.1, p4\na2 mode a0, 440, k0, p4\n"
      "a3 tbvcf a0, a0, 0.5, 1, 0.5"), [1.0]),
    ("a1 pareq a0, 1000, 2, 0.7, p4, p5\na2 lpf18 a0, 1000, 0.5, 0.2, p5", [1.5, 0.0]),
    ("a1 pareq a0, 1000, 2, 0.7, p4, p5\na2 lpf18 a0, a0, 0.5, 0.2, p5", [2.5, 1.0]),
    ("a1 pareq a0, 1000, 2, 0.7\na2 pareq a0, 1000, 2, 0.7, p4", [-1.5]),
    # lowres, lag: with and without lag's initial value
    (("a1 lowres a0, 1000, 2, p4\na2 lowres a0, a0, a0\na3 lowres a0, k0, a0\n"
      "a4 lowres a0, a0, 3\nk1 lag k0, 0.1\nk2 lag k0, 0.1, p5\na5 lag a0, 0.1, p5\n"
      "a6 lag a0, 0.1"), [0.0, 3.0]),
    ("a1 lowres a0, 1000, 2, p4", [1.0]),
]


@pytest.mark.parametrize("body,pfields", FILTER_NOTES)
def test_filter_native_inits_match_the_python_inits(body, pfields):
    assert _mismatches(body, pfields) == []


@pytest.mark.parametrize("body,pfields,call", [
    ("k1 linseg 0, 1", [], ("linseg", "k", "iim", 0.0, 1.0, ())),
    ("a1 linseg 0, 1, 1, 2", [], ("linseg", "a", "iim", 0.0, 1.0, (1.0, 2.0))),
    ("k1 linsegb 0, 1", [], ("linsegb", "k", "iim", 0.0, 1.0, ())),
    ("k1 linsegb 0, 1, 1, 0.5, 0", [], ("linsegb", "k", "iim", 0.0, 1.0, (1.0, 0.5, 0.0))),
    ("k1 transeg 0, 1, 0", [], ("transeg", "k", "iiim", 0.0, 1.0, 0.0, ())),
    ("k1 transeg 0, 1, 0, 1, 2", [], ("transeg", "k", "iiim", 0.0, 1.0, 0.0, (1.0, 2.0))),
    ("a1 transeg 1, 1, 800, 0", [], ("transeg", "a", "iiim", 1.0, 1.0, 800.0, (0.0,))),
    ("a1 transegb 1, 1, 0, 0, 2", [], ("transegb", "a", "iiim", 1.0, 1.0, 0.0, (0.0, 2.0))),
    ("k1 cosseg 0, 1", [], ("cosseg", "k", "iim", 0.0, 1.0, ())),
    ("a1 cosseg 0, 1, 1, 2", [], ("cosseg", "a", "iim", 0.0, 1.0, (1.0, 2.0))),
    ("k1 cossegb 0, 1, 1, 0.5, 0", [], ("cossegb", "k", "iim", 0.0, 1.0, (1.0, 0.5, 0.0))),
    ("a1 cossegb 0, 1, 1, 0.5, 0", [], ("cossegb", "a", "iim", 0.0, 1.0, (1.0, 0.5, 0.0))),
    # compat: a single segment compares its count with the zero row after it
    ("a1 cossegb 1, 0.25, 0", [], ("cossegb", "a", "iim", 1.0, 0.25, (0.0,))),
    ("k1 expon 0, 1, 1", [], ("expon", "k", "iii", 0.0, 1.0, 1.0)),
    ("a1 expon 1, 1, 0", [], ("expon", "a", "iii", 1.0, 1.0, 0.0)),
    ("k1 expon 1, 1, -1", [], ("expon", "k", "iii", 1.0, 1.0, -1.0)),
    ("k1 expseg 1, 1", [], ("expseg", "k", "iim", 1.0, 1.0, ())),
    ("a1 expseg 1, 1, 2, 3", [], ("expseg", "a", "iim", 1.0, 1.0, (2.0, 3.0))),
    ("k1 expseg 0, 1, 1", [], ("expseg", "k", "iim", 0.0, 1.0, (1.0,))),
    ("a1 expseg 1, 1, 2, 1, -1", [], ("expseg", "a", "iim", 1.0, 1.0, (2.0, 1.0, -1.0))),
    ("a1 expsega 1, 1, 2, 1, 0", [], ("expsega", "a", "iim", 1.0, 1.0, (2.0, 1.0, 0.0))),
    ("k1 expsegb 1, 1, 2, 0.5, 3", [], ("expsegb", "k", "iim", 1.0, 1.0, (2.0, 0.5, 3.0))),
    ("a1 expsegb 1, 1, -2", [], ("expsegb", "a", "iim", 1.0, 1.0, (-2.0,))),
    ("a1 expsegba 1, 1, 2, 0.5, 3", [],
     ("expsegba", "a", "iim", 1.0, 1.0, (2.0, 0.5, 3.0))),
    ("a1 reson a0, 1000, 100, 3", [],
     ("reson", "a", "axxoo", np.zeros(64), 1000.0, 100.0, 3.0, 0.0)),
    ("a1 areson a0, k0, 100, -1", [],
     ("areson", "a", "akkoo", np.zeros(64), 1000.0, 100.0, -1.0, 0.0)),
    ("a1 resonz a0, 1000, 100, 3", [],
     ("resonz", "a", "axxoo", np.zeros(64), 1000.0, 100.0, 3.0, 0.0)),
    ("a1 resonr a0, 1000, 100, -1", [],
     ("resonr", "a", "axxoo", np.zeros(64), 1000.0, 100.0, -1.0, 0.0)),
    ("k1 port k0, p4", [-1e-300], ("port", "k", "kio", 1000.0, -1e-300, 0.0)),
    ("a1,a2,a3,a4 statevar a0, 1000, 2, p4", [1e19],
     ("statevar", "aaaa", "axxoo", np.zeros(64), 1000.0, 2.0, 1e19, 0.0)),
    ("a1 pareq a0, 1000, 2, 0.7, p4", [1e19],
     ("pareq", "a", "akkkoo", np.zeros(64), 1000.0, 2.0, 0.7, 1e19, 0.0)),
])
def test_native_inits_ask_for_the_python_init_where_it_refuses_the_note(body, pfields, call):
    with pytest.raises(ValueError, match="did not start"):
        _mismatches(body, pfields)
    assert _native_result(*call) != 0


@pytest.mark.parametrize("args", [(math.nan,), (math.inf,), (-math.inf,)])
def test_pareq_native_init_asks_for_python_on_a_non_finite_mode(args):
    assert _native_result("pareq", "a", "akkkoo", np.zeros(64), 1000.0, 2.0, 0.7,
                          *args, 0.0) != 0


def test_reson_native_init_asks_for_python_on_a_nan_scale():
    assert _native_result("reson", "a", "axxoo", np.zeros(64), 1000.0, 100.0,
                          math.nan, 0.0) != 0


def test_resonz_native_init_takes_a_non_finite_scale_as_zero():
    assert _native_result("resonz", "a", "axxoo", np.zeros(64), 1000.0, 100.0,
                          math.inf, 0.0) == 0


@pytest.mark.parametrize("body,pfields", [
    ("a1 cosseg 0, p4, 1", [1e11]),  # a sample count past 2**52
    ("a1,a2,a3,a4 statevar a0, 1000, 2, p4", [5e18]),  # an oversampling past INT_SAFE
])
def test_native_inits_leave_inexact_integer_cases_to_python(body, pfields):
    problems = _mismatches(body, pfields)
    assert len(problems) == 1 and problems[0].endswith(ASKS)


@numba.njit
def _numba_pow(x, y):
    return math.pow(x, y)


@pytest.mark.parametrize("x,y", [
    (2.0, 0.5), (1.7, 1e-3), (0.3, -2.5),  # ordinary powers
    (10.0, 400.0), (-10.0, 401.0), (-10.0, 400.0),  # overflow, both signs
    (0.0, -1.0), (-0.0, -3.0), (-0.0, -2.0), (-0.0, -0.5),  # zero to a negative power
    (-2.0, 0.5), (-8.0, 1.0 / 3.0),  # a negative base to a non-integer power
    (math.inf, -1.0), (-math.inf, 3.0), (1e-300, 2.0), (math.nan, 0.0), (1.0, math.nan),
])
def test_cpow_is_the_c_library_pow_that_compiled_inits_call(x, y):
    got, want = _cpow(x, y), _numba_pow(x, y)
    assert got == want or (math.isnan(got) and math.isnan(want))
    assert math.copysign(1.0, got) == math.copysign(1.0, want) or math.isnan(got)


def test_cpow_matches_the_compiled_pow_bit_for_bit_on_random_ratios():
    # numpy's pow differs from the C library's in the last bit for some of these
    rng = np.random.default_rng(0)
    xs = np.exp(rng.uniform(-5.0, 5.0, 4000)).tolist()
    ys = rng.uniform(-1.0, 1.0, 4000).tolist()
    assert [_cpow(x, y) for x, y in zip(xs, ys)] == [_numba_pow(x, y) for x, y in zip(xs, ys)]
