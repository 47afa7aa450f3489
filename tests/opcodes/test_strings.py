"""String opcodes against real Csound 6.18 results for the same calls.

Fixture: tests/opcodes/fixtures/strings.json (tools/fixtures/make_strings.py).
Csound printed each output as `@@<n>:<value>@@` (numbers as %.17g).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import re

import pytest
from _text_cases import instr1, load_cases, run_case  # noqa: F401  (instr1 is a fixture)

from csoundpy.errors import InitError, PerfError
from csoundpy.opcodes.strings import c_format, c_strtod, to_int32

CASES = load_cases("strings")
_LINE = re.compile(r"@@(\w+):(.*?)@@\n", re.S)


def expected_values(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, val in _LINE.findall(text):
        found.setdefault(key, []).append(val)
    return found


def same(actual, expected: str, rate: str) -> bool:
    if rate == "S":
        return actual == expected
    x, y = float(actual), float(expected)
    return x == y or (math.isnan(x) and math.isnan(y)) or abs(x - y) <= 1e-15 * abs(y)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_strings_match_csound(case, instr1):  # noqa: F811
    host, outs, exc = run_case(case, instr1)
    expect = case["expect"]
    if "error" in expect:
        assert isinstance(exc, InitError if expect["error_kind"] == "INIT" else PerfError)
        assert exc.message == expect["error"]
        return
    assert exc is None
    values = expected_values(expect["text"])
    for j, rate in enumerate(case["outs"]):
        got = outs[j]
        got = [got] if isinstance(got, str) or getattr(got, "ndim", 1) == 0 else list(got)
        want = values[str(j)]
        assert len(got) == len(want)
        assert all(same(g, w, rate) for g, w in zip(got, want)), (got, want)
    for idx in case.get("show_strsets", []):
        assert host.strsets[idx] == values[f"strset{idx}"][0]


def test_lrint_conversion():
    assert [to_int32(x) for x in (0.5, 1.5, 2.5, -0.5, -1.5)] == [0, 2, 2, 0, -2]
    assert to_int32(3e9) == -1294967296
    assert to_int32(math.nan) == 0 and to_int32(math.inf) == 0


def test_strtod_like_c():
    assert c_strtod("0x.8p1") == (1.0, 6)
    assert c_strtod("nan(123)x")[1] == 8
    assert c_strtod("abc") == (0.0, 0)


_LIBC = ctypes.util.find_library("c")


@pytest.mark.skipif(_LIBC is None or "libc.so" not in _LIBC, reason="needs glibc")
def test_c_format_agrees_with_glibc():
    libc = ctypes.CDLL(_LIBC)
    buf = ctypes.create_string_buffer(256)
    mismatches = []
    for flags in ("", "-", "+", " ", "#", "0", "-0", "+0", "#0", " -"):
        for width in ("", "7"):
            for prec in ("", ".", ".0", ".3"):
                for conv in "diouxXeEfFgGs":
                    spec = "%" + flags + width + prec + conv
                    if conv in "diouxX":
                        vals = [0, 7, -7, 2147483647, -2147483648]
                        cargs = [ctypes.c_int(v) for v in vals]
                    elif conv == "s":
                        vals = ["", "abcd"]
                        cargs = [v.encode() for v in vals]
                    else:
                        vals = [0.0, -0.0, 2.5, -1234.5678, 1e-7, 1e21, math.inf, -math.nan]
                        cargs = [ctypes.c_double(v) for v in vals]
                    for v, c in zip(vals, cargs):
                        libc.snprintf(buf, 256, spec.encode(), c)
                        if c_format(spec, v) != buf.value.decode():
                            mismatches.append((spec, v))
    assert not mismatches
