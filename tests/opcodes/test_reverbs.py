"""Reverbs against real Csound 6.18 renders (tools/fixtures/make_reverbs.py)."""

import json
import os

import numpy as np
import pytest

from csoundpy.engine.context import OpcodeHost
from csoundpy.errors import InitError
from csoundpy.testing import assert_audio_close, render_opcode

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "reverbs")

SIGNATURES = {
    "comb": ("a", "akioo"), "combinv": ("a", "akioo"), "alpass": ("a", "axioo"),
    "reverb": ("a", "ako"), "nreverb": ("a", "akkoojoj"), "reverbsc": ("aa", "aakkjpo"),
    "freeverb": ("aa", "aakkjo"), "babo": ("aa", "akkkiiijj"),
}
STEREO_IN = {"reverbsc", "freeverb"}


def _load(case):
    with np.load(os.path.join(FIX, case + ".npz")) as z:
        return z["ch"], json.loads(str(z["spec"]))


@pytest.mark.parametrize("case", sorted(f[:-4] for f in os.listdir(FIX) if f.endswith(".npz")))
def test_matches_csound(case):
    ch, spec = _load(case)
    opcode = next(name for name in SIGNATURES if f" {name} " in spec["line"])
    outs, ins = SIGNATURES[opcode]
    asig = ch[:, 0]
    host = OpcodeHost(sr=spec["sr"], ksmps=spec["ksmps"])
    sigs = [asig, asig * 0.5] if opcode in STEREO_IN else [asig]
    nblocks = len(asig) // spec["ksmps"]
    got = render_opcode(opcode, outs, ins, sigs + spec["args"], nblocks=nblocks, host=host)
    for i, g in enumerate(got):
        assert_audio_close(g, ch[:, 1 + i], tol=1e-9)


def test_reverb_aliases_share_kernel():
    x = np.zeros(200)
    x[0] = 1.0
    a = render_opcode("reverb2", "a", "akkoojoj", [x, 1.0, 0.5], nblocks=20)[0]
    b = render_opcode("nreverb", "a", "akkoojoj", [x, 1.0, 0.5], nblocks=20)[0]
    assert np.array_equal(a, b)


def test_init_errors():
    x = np.zeros(10)
    with pytest.raises(InitError, match="illegal loop time"):
        render_opcode("comb", "a", "akioo", [x, 1.0, 0.0])
    with pytest.raises(InitError, match="High frequency diffusion"):
        render_opcode("nreverb", "a", "akkoojoj", [x, 1.0, 1.5])
    with pytest.raises(InitError, match="sample rate is out of range"):
        render_opcode("reverbsc", "aa", "aakkjpo", [x, x, 0.8, 1000.0, 100.0],
                      host=OpcodeHost(sr=44100))
