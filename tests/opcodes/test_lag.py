"""lag (k and a rate, with and without an initial value) against Csound 6.18."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

FIX = Path(__file__).parent / "fixtures" / "lag"


def test_lag_matches_csound(tmp_path):
    out = tmp_path / "out.wav"
    proc = subprocess.run([sys.executable, "-m", "csoundpy", "-d", "-m0", "-W", "-f", "-o",
                           str(out), str(FIX / "lag.csd")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = sf.read(out)[0]
    ref = np.load(FIX / "lag_ref.npy")
    assert got.shape == ref.shape
    assert np.max(np.abs(got - ref)) < 1e-6
