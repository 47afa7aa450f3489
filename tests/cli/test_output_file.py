"""The rendered sound file appears complete, with the permissions a new file gets."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

CSD = """\
<CsoundSynthesizer>
<CsInstruments>
sr = 1000
ksmps = 10
nchnls = 1
instr 1
  out oscili(1000, 100)
endin
</CsInstruments>
<CsScore>
i 1 0 0.1
</CsScore>
</CsoundSynthesizer>
"""


def test_output_file_mode_is_0666_less_the_umask(tmp_path):
    (tmp_path / "t.csd").write_text(CSD)
    proc = subprocess.run([sys.executable, "-m", "csoundpy", "-d", "-W", "-o", "out.wav", "t.csd"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.umask(0o027))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE((tmp_path / "out.wav").stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
