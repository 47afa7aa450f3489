"""min/max (i, k and a rate; first argument plus a variadic rest) print what Csound 6.18 prints.
Expected text: `csound -n -d -m0 -+msg_color=0 minmax.csd`, lines starting with instr or a digit."""

import subprocess
import sys
from pathlib import Path

FIX = Path(__file__).parent / "fixtures" / "minmax"


def test_min_max_match_csound(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "csoundpy", "-n", "-d", "-m0",
                           str(FIX / "minmax.csd")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = [ln for ln in proc.stderr.splitlines()
           if ln.startswith("instr") or (ln[:1].isdigit() and "errors in" not in ln)]
    assert got == (FIX / "minmax.expected").read_text().splitlines()
