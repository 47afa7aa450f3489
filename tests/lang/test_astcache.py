"""The on-disk cache of parsed orchestras: a warm parse gives the same AST
without importing lark, anything that could change the AST misses, and the
cache can never make a parse fail or change an error."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from csoundpy.compile.jitcache import cache_dir
from csoundpy.errors import ParseError
from csoundpy.lang import astcache, parser
from csoundpy.lang.preprocess import preprocess

ORC = """\
giTab ftgen 0, 0, 1024, 10, 1
opcode Twice, k, k
  kx xin
  xout kx * 2
endop
instr 1, +named
  a1 oscili 0.1 * p4, 440, giTab
  kA[] fillarray 1, 2, 3
  k1, k2 = 1, 2
  if p4 > 1 then
    out a1
  elseif p4 < 0 then
    out -a1
  else
    out a1 * (p4 == 0 ? 0.5 : 1)
  endif
skip:
  kc Twice k1
  prints "done\\n"
endin
"""
OPCODES = {"ftgen", "oscili", "fillarray", "out", "prints"}


def is_opcode(name: str) -> bool:
    return name in OPCODES or name == "Twice"


def parse(text: str = ORC, predicate=is_opcode):
    return parser.parse_orchestra(preprocess(text, "t.orc"), predicate)


def entries(root: Path) -> list[Path]:
    return sorted((root / "csoundpy" / "ast").glob("*.pickle"))


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def forbid_parsing(monkeypatch) -> None:
    """Make any real parse fail, so that a result must come from the cache."""
    monkeypatch.setattr(parser, "_parse", lambda *args: pytest.fail("parsed again"))


def test_a_cached_parse_gives_an_equal_ast_without_parsing(cache, monkeypatch):
    fresh = parse()
    assert len(entries(cache)) == 1
    forbid_parsing(monkeypatch)
    cached = parse()
    assert cached.statements == fresh.statements  # spans (file, line, text) included
    assert repr(cached.statements) == repr(fresh.statements)
    assert cached.source.text == fresh.source.text


PARSE_AND_REPORT = textwrap.dedent(f"""
    import sys
    from csoundpy.lang.parser import parse_orchestra
    from csoundpy.lang.preprocess import preprocess
    orc = {ORC!r}
    names = {sorted(OPCODES | {"Twice"})!r}
    print(repr(parse_orchestra(preprocess(orc, "t.orc"), names.__contains__).statements))
    print("lark" in sys.modules)
    """)


def test_a_warm_process_does_not_import_lark(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", PARSE_AND_REPORT], env=env, capture_output=True,
                           text=True, timeout=300, check=False) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    (cold_ast, cold_lark), (warm_ast, warm_lark) = (r.stdout.splitlines() for r in runs)
    assert warm_ast == cold_ast
    assert (cold_lark, warm_lark) == ("True", "False")


STARTUP_CSD = """\
<CsoundSynthesizer>
<CsInstruments>
sr = 1000
ksmps = 10
nchnls = 1
0dbfs = 1
instr 1
  out oscili(0.1, 100)
endin
</CsInstruments>
<CsScore>
i 1 0 0.01
</CsScore>
</CsoundSynthesizer>
"""


def test_a_warm_render_imports_no_lark(tmp_path):
    (tmp_path / "t.csd").write_text(STARTUP_CSD)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "CSOUNDPY_JIT_CACHE": str(cache_dir())}
    command = [sys.executable, "-X", "importtime", "-m", "csoundpy", "-n", "-d", "-m0", "t.csd"]
    runs = [subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=600, check=False) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[1].stderr[-2000:]
    assert "| lark" in runs[0].stderr
    assert "lark" not in runs[1].stderr


def test_changed_text_misses(cache):
    parse()
    changed = parse(ORC.replace("440", "441"))
    assert len(entries(cache)) == 2
    assert "441" in repr(changed.statements)


def test_same_text_from_another_file_misses(cache):
    parse()
    other = parser.parse_orchestra(preprocess(ORC, "other.orc"), is_opcode)
    assert len(entries(cache)) == 2
    assert other.statements[0].span.file == "other.orc"


def test_changed_parser_source_misses(cache, monkeypatch, tmp_path):
    code_files = set(astcache._CODE_FILES)
    assert {parser.__file__, parser._GRAMMAR} <= code_files
    copy = tmp_path / "parser_copy.py"
    copy.write_text(Path(parser.__file__).read_text())
    monkeypatch.setattr(astcache, "_CODE_FILES", (str(copy),))
    astcache._code_digest.cache_clear()
    try:
        parse()
        parse()
        assert len(entries(cache)) == 1
        copy.write_text(copy.read_text() + "\n# changed\n")
        astcache._code_digest.cache_clear()
        parse()
        assert len(entries(cache)) == 2
    finally:
        astcache._code_digest.cache_clear()


def test_different_opcode_answers_miss(cache):
    text = "instr 1\n  foo bar\nendin\n"
    as_foo = parse(text, lambda name: name == "foo")
    as_bar = parse(text, lambda name: name == "bar")
    assert as_foo.statements[0].body[0].opcode == "foo"
    assert as_bar.statements[0].body[0].opcode == "bar"
    assert parse(text, lambda name: name == "foo").statements == as_foo.statements


def test_names_never_asked_about_do_not_matter(cache, monkeypatch):
    fresh = parse()
    forbid_parsing(monkeypatch)
    assert parse(ORC, lambda n: is_opcode(n) or n == "unused_name").statements == fresh.statements


@pytest.mark.parametrize("damage", [
    lambda data: data[:len(data) // 2],
    lambda data: b"not a pickle",
    lambda data: b"",
    lambda data: pickle.dumps("a string, not an entry"),
    lambda data: pickle.dumps(((("x", True),), ["statements", "as", "a", "list"])),
])
def test_a_damaged_entry_is_parsed_again_and_replaced(cache, damage):
    fresh = parse()
    (entry,) = entries(cache)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    assert parse().statements == fresh.statements
    assert entry.read_bytes() == good


def test_an_unwritable_cache_directory_only_costs_time(monkeypatch, tmp_path):
    reference = parse().statements
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert parse().statements == reference
    assert parse().statements == reference


BAD = "instr 1\n  a1 oscili 0.1, 440\n  a2 = a1 +\n\n  out a1 )\nendin\n"


def test_errors_are_not_cached_and_are_reported_the_same_each_time(cache):
    messages = []
    for _ in range(2):
        with pytest.raises(ParseError) as info:
            parse(BAD)
        messages.append((str(info.value), info.value.span))
    assert not entries(cache)
    assert messages[0] == messages[1]
    assert messages[0][1].file == "t.orc" and messages[0][1].line == 5
    assert "out a1 )" in messages[0][0]


def test_the_cache_keeps_the_most_recently_used_entries(cache, monkeypatch):
    monkeypatch.setattr(astcache, "MAX_ENTRIES", 5)
    texts = [ORC.replace("440", str(440 + i)) for i in range(7)]
    paths = [Path(astcache.entry_path(preprocess(text, "t.orc"))) for text in texts]
    for age, text in enumerate(texts[:5]):
        parse(text)
        os.utime(paths[age], (1_000_000 + age, 1_000_000 + age))
    parse(texts[0])  # hits make the two oldest entries the newest
    parse(texts[1])
    parse(texts[5])
    parse(texts[6])
    assert entries(cache) == sorted(paths[i] for i in (0, 1, 4, 5, 6))
