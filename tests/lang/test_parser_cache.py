"""The orchestra parser's LALR tables are built once and then loaded from
csoundpy's cache directory; a cached parser parses exactly as a new one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

PARSE = textwrap.dedent("""
    from csoundpy.lang.preprocess import preprocess
    from csoundpy.lang.parser import parse_orchestra
    orc = "instr 1\\n a1 oscili 0.1, 440\\n if p4 > 1 then\\n  out a1\\n endif\\nendin\\n"
    names = {"oscili", "out"}
    print(parse_orchestra(preprocess(orc, "t.orc"), names.__contains__))
    """)


def parse_in_new_process(cache: Path) -> str:
    shutil.rmtree(cache / "csoundpy" / "ast", ignore_errors=True)  # really parse, not load the AST
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    proc = subprocess.run([sys.executable, "-c", PARSE], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_tables_are_cached_by_grammar_hash_and_parse_the_same(tmp_path):
    first = parse_in_new_process(tmp_path)
    tables = list((tmp_path / "csoundpy" / "lark").glob("orchestra-*.lark"))
    assert len(tables) == 1
    assert parse_in_new_process(tmp_path) == first


def test_a_damaged_table_cache_is_rebuilt(tmp_path):
    first = parse_in_new_process(tmp_path)
    (table,) = (tmp_path / "csoundpy" / "lark").glob("orchestra-*.lark")
    table.write_bytes(table.read_bytes()[:100])
    assert parse_in_new_process(tmp_path) == first
    assert table.stat().st_size > 100


def test_an_unwritable_cache_directory_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    reference = parse_in_new_process(tmp_path / "ok")
    assert parse_in_new_process(blocker) == reference
