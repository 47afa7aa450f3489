"""Printing opcodes against the text real Csound 6.18 printed for the same calls.

Fixture: tests/opcodes/fixtures/printing.json (tools/fixtures/make_printing.py),
one opcode call per case, replayed here with render_opcode on instr 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from _text_cases import instr1, load_cases, run_case  # noqa: F401  (instr1 is a fixture)

from csoundpy.engine.context import InitContext, OpcodeHost, PerfContext, StrVar
from csoundpy.errors import InitError, PerfError
from csoundpy.opcodes import printing
from csoundpy.testing import find_entry

PRINT_CASES = load_cases("printing")


@pytest.mark.parametrize("case", PRINT_CASES, ids=[c["name"] for c in PRINT_CASES])
def test_printing_matches_csound(case, instr1):  # noqa: F811
    host, _, exc = run_case(case, instr1)
    expect = case["expect"]
    if "error" in expect:
        assert exc is not None, "Csound reported an error"
        assert isinstance(exc, InitError if expect["error_kind"] == "INIT" else PerfError)
        assert exc.message == expect["error"]
    else:
        assert exc is None
    assert "".join(host.printed) == expect["text"]


def test_printks_text_rewrites():
    assert printing.printks_text("%%n") == "%\n"
    assert printing.printks_text("a\\") == "a"
    assert printing.printks_text("50%") == "50%"
    assert printing.printks_text("\\R\\N\\T\\A\\B") == "\r\n\t\a\b"


def test_sprints_quirks():
    assert printing.sprints("% d|%c|%5 ", [37.0]) == "%% d|%%|%5 "
    assert printing.sprints("%s %s", ["a", 1.0]) == "a ??"
    assert printing.sprints("%c.", [0.0]) == "."
    with pytest.raises(InitError, match="Insufficient arguments"):
        printing.sprints("%d", [])


def test_printks_format_change_skips_a_block():
    """A k-rate format that changes restarts the period; that block prints nothing."""
    host = OpcodeHost(sr=1000, ksmps=10)
    entry = find_entry("printks", "", "SiN")
    s = np.zeros(1, dtype=entry.state)[0]
    fmt = StrVar("a%d\n")
    entry.init(s, InitContext(host), fmt.value, 0.0, (1.0,))
    pc = PerfContext(host)
    for block, text in enumerate(["a%d\n", "a%d\n", "b%d\n", "b%d\n"]):
        fmt.value = text
        entry.perf(s, pc, fmt, np.zeros(()), (np.ones(()),), 0, 1)
        host.clock[0] += 1
    assert host.printed == ["a1\n", "a1\n", "b1\n"]


def test_printks_reinit_keeps_period():
    host = OpcodeHost(sr=1000, ksmps=10)
    entry = find_entry("printks", "", "SiN")
    s = np.zeros(1, dtype=entry.state)[0]
    entry.init(s, InitContext(host), "x", 1.0, ())
    host.clock[0] = 50
    entry.init(s, InitContext(host, reinit=True), "x", 1.0, ())
    assert s.printat == 0.0


def test_print_without_source_texts():
    host = OpcodeHost()
    find_entry("print", "", "m").init(None, InitContext(host), (1.0, 2.0))
    assert host.printed == ["instr 0:  #i0 = 1.000  #i1 = 2.000\n"]
