import pytest

from csoundpy.compile.expand import Compiler
from csoundpy.errors import CompileError
from tests.conftest import parse


def compile_instr(text):
    compiled = Compiler({}).compile(parse(f"instr 1\n{text}\nendin\n"))
    return compiled.instruments[0][1]


def names(ir):
    return [op.entry.name for op in ir.ops if op.kind == "call"]


def test_expression_becomes_three_address_calls_with_rates():
    ir = compile_instr("k1 = 3\na1 = k1 * 2 + 1")
    ops = [op for op in ir.ops if op.kind == "call"]
    assert [(op.entry.name, op.entry.outs) for op in ops] == [
        ("=", "k"), ("##mul", "k"), ("##add", "k"), ("=", "a")]


def test_constant_subexpressions_are_folded():
    ir = compile_instr("i1 = 7 % 3 + 1")
    (op,) = [op for op in ir.ops if op.kind == "call"]
    assert op.entry.name == "=" and op.ins[0].value == 2.0


def test_assignment_target_selects_the_overload_rate():
    ir = compile_instr("k1 = oscili(1, 10) * 2")
    assert ("oscili", "k") in [(op.entry.name, op.entry.outs) for op in ir.ops if op.kind == "call"]


def test_k_value_into_i_variable_is_a_type_error():
    with pytest.raises(CompileError) as info:
        compile_instr("k1 = 1\ni1 = k1")
    assert "Unable to find opcode entry for '='" in info.value.message
    assert "i = k" in info.value.message.replace("  ", " ")


def test_undefined_variable_is_reported_with_csounds_text():
    with pytest.raises(CompileError) as info:
        compile_instr("a1 = kamp * 2")
    assert info.value.message == "Variable 'kamp' used before defined"
    assert info.value.span.line == 2


def test_unknown_label_is_an_error():
    with pytest.raises(CompileError) as info:
        compile_instr("kgoto nowhere")
    assert "nowhere" in info.value.message


def test_k_rate_if_jumps_only_at_perf_time_and_i_rate_if_at_both():
    ir = compile_instr("k1 = 1\nif k1 > 0 then\nk2 = 1\nendif\nif p4 > 0 then\ni2 = 1\nendif")
    jumps = [op for op in ir.ops if op.kind == "jump"]
    assert jumps[0].mode == "k" and jumps[2].mode == "ik"


def test_optional_arguments_get_their_defaults():
    ir = compile_instr("a1 oscili 1, 440")
    op = [op for op in ir.ops if op.kind == "call"][0]
    assert [v.value for v in op.ins[2:]] == [-1.0, 0.0]
