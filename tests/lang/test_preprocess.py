"""Orchestra preprocessor: expansion checked against Csound 6.18's printed values."""

import json
import os
import re

import pytest

from csoundpy.errors import ParseError
from csoundpy.lang.preprocess import preprocess

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures",
                                      "preprocess_csound.json")))


def test_expansion_matches_csound():
    src = preprocess(FIXTURE["orc"], "p.orc")
    values = dict(re.findall(r"(i\d) = ([-\d.]+)", FIXTURE["print"]))
    assigned = {}
    for line in src.text.replace("+\n", "+ ").splitlines():
        m = re.match(r"(i\d) = ([^;]*)", line)
        if m:
            expr = m.group(2)
            assigned[m.group(1)] = eval(expr, {"int": int})   # the expansions are plain sums
    assert {k: float(v) for k, v in values.items()} == {k: float(v) for k, v in assigned.items()}
    assert '"7 in a string\\n"' in src.text and FIXTURE["prints"] == "7 in a string"


def test_line_origins():
    text = "#define ML #1 +\n2#\ninstr 1\ni4 = $ML + 1\n#include \"missing\"\n"
    with pytest.raises(ParseError) as e:
        preprocess(text, "x.csd", line_offset=10)
    assert e.value.message == "Cannot open #include'd file missing"
    assert (e.value.span.file, e.value.span.line) == ("x.csd", 15)
    src = preprocess(text.replace('#include "missing"\n', "endin\n"), "x.csd", line_offset=10)
    assert src.text.splitlines() == ["", "", "instr 1", "i4 = 1 +", "2 + 1", "endin"]
    assert [ln for _, ln in src.origins] == [11, 12, 13, 14, 14, 15]
    assert src.span(5).text == "i4 = $ML + 1"


def test_strings_comments_and_predefined():
    text = ('prints "$M_PI # $X."; $NOPE #define\n/* $NOPE\n */ S = {{ $NOPE }}\n'
            'k = $M_INF + $X\n')
    src = preprocess(text, "a.orc", macros={"X": "5"})
    assert src.text == ('prints "3.14159265358979323846 # 5"; $NOPE #define\n/* $NOPE\n'
                        ' */ S = {{ $NOPE }}\nk = 800000000000.0 + 5\n')
    assert [ln for _, ln in src.origins] == [1, 2, 3, 4]


def test_include_relative_to_including_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.orc").write_text("gi_b = 2\n")
    (tmp_path / "sub" / "a.orc").write_text('#include |b.orc|\ngi_a = 1')
    (tmp_path / "main.orc").write_text('#include "sub/a.orc"\n#define F #"sub/b.orc"#\n'
                                       "#includestr $F\nx = 1\n")
    path = str(tmp_path / "main.orc")
    src = preprocess(open(path).read(), path)
    lines = src.text.splitlines()
    assert [ln for ln in lines if ln] == ["gi_b = 2", "gi_a = 1", "gi_b = 2", "x = 1"]
    origin = src.origins[lines.index("gi_a = 1")]
    assert origin == (str(tmp_path / "sub" / "a.orc"), 2)
    assert src.origins[lines.index("x = 1")] == (path, 4)


@pytest.mark.parametrize("text,message", [
    ("i1 = $FOO + 1\n", "Undefined macro: '$FOO'"),
    ("i1 = $FOO.\n", "Undefined macro: '$FOO.'"),
    ("#ifdef M_PI\ni1 = 1\n", "Unmatched #ifdef or #ifndef"),
    ("#ifdef X\ni1 = 1\n", "Unmatched #ifdef"),
    ("#ifndef M_PI\ni1 = 1\n", "Unmatched #ifndef"),
    ("#end\n", "Unmatched #end"),
    ("#else\n", "#else without #if"),
    ("#undef NOPE\n", "Undefining undefined macro"),
    ("#define X 1\n", "define macro unexpected character 1(0x31) awaiting #"),
    ("#define X #1\n", "define macro: unexpected EOF"),
    ("#define A(x'y) #$x$y#\ni = $A(1)\n", "Too few arguments to macro"),
    ('#include "a.orc"\n', "Cannot open #include'd file a.orc"),
])
def test_errors(text, message):
    with pytest.raises(ParseError) as e:
        preprocess(text, "e.orc")
    assert e.value.message == message


def test_undef_ifdef_else_and_exit():
    text = ("#define A #1#\n#undef A\n#ifdef A\nno\n#else\nyes\n#end\n"
            "#ifndef B\n#ifdef C\nno\n#endif\nyes2\n#end\nkept\n#exit\ndropped\n")
    src = preprocess(text, "x.orc")
    assert [ln for ln in src.text.splitlines() if ln] == ["yes", "yes2", "kept"]
