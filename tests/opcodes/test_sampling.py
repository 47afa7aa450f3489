"""Sample playback against real Csound 6.18 renders (tools/fixtures/make_sampling.py)."""

import json
import os

import numpy as np
import pytest
import soundfile as sf

from csoundpy.engine.context import OpcodeHost
from csoundpy.engine.tables import FunctionTable
from csoundpy.errors import InitError
from csoundpy.testing import assert_audio_close, render_opcode

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "sampling")
SIGNATURES = {"soundin": "Soooo", "diskin": "SPooooooo", "diskin2": "SPooooooo",
              "loscil": "xkjojoojoo", "loscil3": "xkjojoojoo"}
M40 = "m" * 40


def _gen01(host, name):
    """The table `f1 0 0 -1 name 0 0 0` builds (deferred size, guard = first sample)."""
    data, filesr = sf.read(os.path.join(FIX, name + ".wav"), dtype="float64", always_2d=True)
    frames, nch = data.shape
    flat = data.reshape(-1)
    sr = float(host.consts.sr)
    cvtbas = 1024.0 * filesr * (1.0 / sr)
    host.tables.set(FunctionTable(
        1, np.append(flat, flat[0]), gen=1, sr=float(filesr), nchnls=nch, end1=frames,
        sound_frames=frames, extra={"cvtbas": cvtbas, "cpscvt": 0.0, "flenfrms": frames}))


def _load(case):
    with np.load(os.path.join(FIX, case + ".npz")) as z:
        return z["ch"], json.loads(str(z["spec"]))


@pytest.mark.parametrize("case", sorted(f[:-4] for f in os.listdir(FIX) if f.endswith(".npz")))
def test_matches_csound(case):
    ch, spec = _load(case)
    host = OpcodeHost(sr=spec["sr"], ksmps=spec["ksmps"])
    host.search_dirs = [FIX]
    args = [a.format(mono="mono.wav", stereo="stereo.wav") if isinstance(a, str) else float(a)
            for a in spec["args"]]
    if spec["table"]:
        _gen01(host, spec["table"])
    opcode = spec["opcode"]
    outs = "mm" if opcode.startswith("loscil") else M40
    nblocks = ch.shape[0] // spec["ksmps"]
    got = render_opcode(opcode, outs, SIGNATURES[opcode], args, nblocks=nblocks, host=host,
                        nouts=spec["nouts"])
    for i, g in enumerate(got):
        assert_audio_close(g, ch[:, i], tol=1e-9)


def test_numbered_soundin_and_errors(tmp_path):
    data = np.linspace(-0.5, 0.5, 40)
    sf.write(tmp_path / "soundin.3", data, 8000, format="WAV", subtype="DOUBLE")
    host = OpcodeHost(sr=8000, ksmps=10)
    host.search_dirs = [str(tmp_path)]
    out = render_opcode("soundin", M40, "ioooo", [3.0], nblocks=5, host=host, nouts=1)[0]
    assert_audio_close(out, np.concatenate([data, np.zeros(10)]))
    with pytest.raises(InitError, match="number of output args"):
        render_opcode("soundin", M40, "ioooo", [3.0], host=host, nouts=2)
    with pytest.raises(InitError, match="failed to open file"):
        render_opcode("soundin", M40, "Soooo", ["missing.wav"], host=host, nouts=1)


def test_loscil_channel_mismatch():
    host = OpcodeHost(sr=8000, ksmps=10)
    host.search_dirs = [FIX]
    _gen01(host, "stereo")
    with pytest.raises(InitError, match="mono loscil cannot read from stereo ftable"):
        render_opcode("loscil", "mm", "xkjojoojoo", [1.0, 1.0, 1, 1], host=host, nouts=1)
