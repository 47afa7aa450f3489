import pytest

from csoundpy.errors import ParseError
from csoundpy.lang import ast
from tests.conftest import parse


def body(text):
    orc = parse(f"instr 1\n{text}\nendin\n")
    return orc.statements[0].body


def test_classic_line_with_outputs_finds_the_opcode():
    (stmt,) = body("a1 oscili 0.5, 440")
    assert isinstance(stmt, ast.OpStmt)
    assert stmt.opcode == "oscili"
    assert [o.name for o in stmt.outs] == ["a1"]


def test_output_less_line_takes_first_name_as_opcode():
    (stmt,) = body("outs a1, a2")
    assert stmt.opcode == "outs" and stmt.outs == ()
    assert [a.name for a in stmt.args] == ["a1", "a2"]


def test_single_name_output_with_no_arguments():
    (stmt,) = body("k1 timek")
    assert stmt.opcode == "timek" and stmt.outs[0].name == "k1"


def test_several_outputs():
    (stmt,) = body("a1, a2 pan2 asig, 0.5")
    assert stmt.opcode == "pan2" and len(stmt.outs) == 2


def test_functional_call_with_rate_hint():
    (stmt,) = body("asig = linen:a(1, 0.1, p3, 0.1) * 2")
    assert isinstance(stmt, ast.Assign)
    call = stmt.expr.left
    assert call.name == "linen" and call.hint == "a"


def test_power_is_left_associative_and_unary_minus_binds_tighter():
    (stmt,) = body("ix = 2^3^2")
    e = stmt.expr
    assert e.op == "^" and e.left.op == "^"
    (stmt,) = body("ix = -2^2")
    assert stmt.expr.left.value == -2


def test_logical_and_or_share_one_level_left_to_right():
    (stmt,) = body("if k1 > 1 || k1 < 0 && k1 == 3 then\nendif")
    cond = stmt.branches[0][0]
    assert cond.op == "&&" and cond.left.op == "||"


def test_label_before_statement_and_ternary_colon():
    stmts = body("loop: kx = k1 > 2 ? 1 : 0")
    assert isinstance(stmts[0], ast.Label) and stmts[0].name == "loop"
    assert isinstance(stmts[1].expr, ast.Ternary)


def test_newlines_inside_brackets_and_after_commas_continue_the_statement():
    (stmt,) = body("ix = (1 +\n   2)")
    assert stmt.expr.op == "+"
    (stmt,) = body("prints \"%d %d\\n\",\n  1, 2")
    assert len(stmt.args) == 3


def test_udo_header_types_are_read_verbatim():
    orc = parse("opcode foo, ak[], iS\nxout a1, k1\nendop\n")
    udo = orc.statements[0]
    assert (udo.name, udo.outtypes, udo.intypes) == ("foo", "ak[]", "iS")


def test_missing_endin_is_a_syntax_error_with_location():
    with pytest.raises(ParseError) as info:
        parse("instr 1\na1 oscili 1, 2\n")
    assert "end of file" in info.value.message
    assert info.value.span is not None


def test_error_names_file_and_line():
    with pytest.raises(ParseError) as info:
        parse("instr 1\na1 oscili 1,, 2\nendin\n", "bad.orc")
    assert info.value.span.file == "bad.orc" and info.value.span.line == 2


def test_an_assignment_with_more_values_than_outputs_is_a_parse_error_with_location():
    with pytest.raises(ParseError) as info:
        parse("instr 1\na1, a2 = 1, 2, 3\nendin\n", "bad.orc")
    assert "number of values" in info.value.message
    assert info.value.span.file == "bad.orc" and info.value.span.line == 2
