"""The compiler gives a call site an overload's native variant only where its
S inputs are fixed once the init pass has run (opcodes._registry `Native`)."""

import pytest

from csoundpy.compile.expand import Compiler
from csoundpy.opcodes._registry import REGISTRY, Native, defop, lookup
from tests.conftest import parse


def compile_orc(text):
    return Compiler({}).compile(parse(text))


def instr(compiled, number=1):
    return next(ir for ids, ir in compiled.instruments if ids[0] == number)


def chnget_sites(ir):
    """For each chnget call site, in order: True if it runs the native variant."""
    return [not op.entry.python_perf for op in ir.ops
            if op.kind == "call" and op.entry.name == "chnget" and op.entry.outs in "ka"]


def sites(body, header=""):
    return chnget_sites(instr(compile_orc(f"{header}\ninstr 1\n{body}\nendin\n")))


def test_native_variant_is_a_separate_kernel_entry_not_an_overload():
    (python_k,) = [e for e in lookup("chnget") if e.outs == "k"]
    variant = python_k.native
    assert python_k.python_perf and variant is not None
    assert not variant.python_perf and variant.native is None
    assert (variant.name, variant.outs, variant.ins) == ("chnget", "k", "S")
    assert all(variant is not e for e in REGISTRY["chnget"])


def test_only_a_python_perf_overload_may_declare_a_native_variant():
    with pytest.raises(ValueError, match="only a python_perf overload"):
        defop("##no_such_op", "k", "S", native=Native(None, lambda *a: None))
    assert "##no_such_op" not in REGISTRY


def test_constant_names_and_init_time_names_get_the_native_variant():
    body = """
  Sname sprintf "ch%d", p4
  Scopy = Sname
  k1 chnget "const"
  a1 chnget Sname
  k2 chnget Scopy
"""
    assert sites(body) == [True, True, True]


def test_perf_written_names_keep_the_python_variant():
    body = """
  Sk sprintfk "ch%d", timeinsts()
  Sa = "fixed"
  Sa strcpyk "other"
  Sb chnget "names"
  k1 chnget Sk
  k2 chnget Sa
  k3 chnget Sb
"""
    assert sites(body) == [False, False, False]


def test_global_names_keep_the_python_variant():
    assert sites("k1 chnget gSname", header='gSname init "g"') == [False]


def test_a_name_written_at_init_after_the_call_site_keeps_the_python_variant():
    # the Python perf reads the name as the whole init pass left it
    body = """
  Sname = "a"
  k1 chnget Sname
  Sname = "b"
  Sother = "c"
  k2 chnget Sother
"""
    assert sites(body) == [False, True]


def test_names_set_inside_an_i_time_loop_keep_the_python_variant():
    body = """
  ii = 0
  Sname = "x"
  while ii < 3 do
    Sname sprintf "ch%d", ii
    ii += 1
  od
  k1 chnget Sname
  Sfix = "y"
  k2 chnget Sfix
"""
    assert sites(body) == [False, True]


def test_an_instrument_with_reinit_keeps_the_python_variant_for_variables():
    body = """
  Sname = "x"
  k1 chnget Sname
  k2 chnget "const"
  reinit again
again:
  rireturn
"""
    assert sites(body) == [False, True]


def test_udo_inputs_and_udo_outputs_are_written_at_perf_time():
    compiled = compile_orc("""
opcode Get, k, S
  Sname xin
  k1 chnget Sname
  Slocal = "fixed"
  k2 chnget Slocal
  xout k1 + k2
endop
opcode Name, S, 0
  xout "n"
endop
instr 1
  Sname Name
  k1 chnget Sname
  k2 Get "x"
endin
""")
    assert chnget_sites(compiled.udos["Get"][0].ir) == [False, True]
    assert chnget_sites(instr(compiled)) == [False]


def test_instr_0_code_gets_variants_too():
    compiled = compile_orc('gkv init 1\nchnset gkv, "c"\n')
    (op,) = [op for op in compiled.global_ir.ops if op.kind == "call" and op.entry.name == "chnset"]
    assert op.entry.ins == "kS" and not op.entry.python_perf
