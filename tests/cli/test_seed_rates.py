"""The seed article's example prints exactly what Csound 6.18 prints (kr = 100 and 50)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"


@pytest.mark.parametrize("kr", [100, 50])
def test_seed_example_prints_csounds_orchestra_lines(kr, tmp_path):
    csd = SEED / f"rates_kr{kr}.csd"
    proc = subprocess.run([sys.executable, "-m", "csoundpy", "-n", "-d", "-m0", str(csd)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines()
             if ln.startswith(("instr", "gkvar", "gavar"))]
    expected = (SEED / f"rates_kr{kr}.expected").read_text().splitlines()
    assert lines == expected
