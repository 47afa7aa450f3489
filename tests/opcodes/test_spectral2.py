"""PVOC-EX files and pvs buffers against real Csound 6.18
(fixtures: tools/fixtures/make_spectral2.py).

tone.pvx was written by Csound's pvsfwrite: csoundpy must write the same bytes from the
same orchestra, and reading it back (pvsfread, pvsdiskin, pvsinfo, filelen) must give
Csound's audio.  pvsbuffer/pvsbufread/pvsbufread2 cases replay whole orchestras.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from _orc_replay import FIXTURES, load, play, render

from csoundpy.opcodes import spectral

CASES, AUDIO = load("spectral2")
FOLDER = os.path.join(FIXTURES, "spectral2")
PVX = os.path.join(FOLDER, "tone.pvx")


@pytest.fixture(autouse=True)
def _files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SADIR", FOLDER)


@pytest.mark.parametrize("name", sorted(AUDIO))
def test_orchestra_matches_csound(name):
    expected = AUDIO[name]
    got = render(CASES[name], expected.shape[0])
    assert np.abs(expected).max() > 0.01
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-9)


def test_pvsfwrite_writes_csounds_bytes(tmp_path):
    c = CASES["fwrite"]
    play(c, int(0.3 * c["sr"]) // c["ksmps"] + 1)
    with open(tmp_path / "tone.pvx", "rb") as fh:
        ours = fh.read()
    with open(PVX, "rb") as fh:
        ref = fh.read()
    assert len(ours) == len(ref)
    assert ours[:108] == ref[:108]  # header, sizes included
    a = np.frombuffer(ours[108:], "<f4")
    b = np.frombuffer(ref[108:], "<f4")
    # frames are float32 in both; the FFTs differ in rounding only
    np.testing.assert_allclose(a, b, rtol=0, atol=2e-6 * np.abs(b).max())


def test_pvx_read_header():
    hdr, data = spectral.pvx_read(PVX)
    assert (hdr["chans"], hdr["srate"], hdr["bins"], hdr["overlap"], hdr["winlen"]) == \
        (1, 8000, 129, 64, 256)
    assert hdr["wintype"] == 1 and hdr["format"] == 0
    assert data.shape[0] == hdr["nframes"] * 2 * 129
    assert spectral.pvx_info(PVX) == (hdr["nframes"] * 64, 8000, 1)


def test_pvx_read_rejects_other_files(tmp_path):
    path = tmp_path / "x.wav"
    path.write_bytes(b"RIFF" + b"\0" * 200)
    with pytest.raises(spectral.PvxError):
        spectral.pvx_read(str(path))
    assert spectral.pvx_info(str(path)) is None
