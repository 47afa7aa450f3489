"""Bad input gets a clear message and a non-zero exit status, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def run(args, cwd):
    proc = subprocess.run([sys.executable, "-m", "csoundpy", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def csd(orc: str, sco: str = "i 1 0 0.01", options: str = "") -> str:
    return textwrap.dedent(f"""\
        <CsoundSynthesizer>
        <CsOptions>
        {options}
        </CsOptions>
        <CsInstruments>
        sr = 1000
        ksmps = 10
        {orc}
        </CsInstruments>
        <CsScore>
        {sco}
        </CsScore>
        </CsoundSynthesizer>
        """)


CASES = {
    "syntax": (csd("instr 1\na1 oscili 1,, 2\nendin"), "line 9"),
    "unknown_opcode": (csd("instr 1\na1 foobar 1\nendin"), "foobar"),
    "undefined_variable": (csd("instr 1\na1 oscili kamp, 440\nendin"), "kamp"),
    "rate_mismatch": (csd("instr 1\nk1 = 1\ni1 = k1\nendin"), "Unable to find opcode entry"),
    "missing_endin": (csd("instr 1\na1 oscili 1, 2"), "end of file"),
    "unterminated_string": (csd('instr 1\nprints "abc\nendin'), "line 9"),
    "inconsistent_header": (csd("kr = 7\ninstr 1\nendin"), "inconsistent"),
    "bad_score": (csd("instr 1\nendin", sco="i 1 0 [1 +"), "line"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_orchestra_or_score_is_reported_without_traceback(tmp_path: Path, name):
    text, expected = CASES[name]
    (tmp_path / "x.csd").write_text(text)
    status, out = run(["-n", "x.csd"], tmp_path)
    assert status != 0
    assert "Traceback" not in out
    assert expected in out


def test_unknown_flag(tmp_path: Path):
    status, out = run(["-Y", "x.csd"], tmp_path)
    assert status == 1 and "unknown flag -Y" in out and "Traceback" not in out


def test_missing_flag_value(tmp_path: Path):
    status, out = run(["-o"], tmp_path)
    assert status == 1 and "no outfilename" in out and "Traceback" not in out


def test_missing_input_file(tmp_path: Path):
    status, out = run(["nothere.csd"], tmp_path)
    assert status == 1 and "Traceback" not in out
    assert "nothere" in out or "No such file" in out


def test_init_error_deletes_the_note_and_counts_as_an_error(tmp_path: Path):
    (tmp_path / "x.csd").write_text(csd("instr 1\na1 oscili 1, 440, 99\nout a1\nendin"))
    status, out = run(["-n", "x.csd"], tmp_path)
    assert status == 1 and "INIT ERROR" in out and "Traceback" not in out


def test_failed_render_leaves_no_output_file(tmp_path: Path):
    (tmp_path / "x.csd").write_text(csd("instr 1\na1 oscili kamp, 440\nendin"))
    status, _ = run(["-o", "out.wav", "x.csd"], tmp_path)
    assert status != 0
    assert not (tmp_path / "out.wav").exists()
    assert not list(tmp_path.glob("*.part"))


def test_help_and_version_exit_zero(tmp_path: Path):
    assert run(["--help"], tmp_path)[0] == 0
    status, out = run(["--version"], tmp_path)
    assert status == 0 and "csoundpy" in out
