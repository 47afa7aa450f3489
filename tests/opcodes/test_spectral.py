"""pvs opcodes against real Csound 6.18 (fixtures: tools/fixtures/make_spectral.py).

Each fixture is a small orchestra (pvsanal -> processing -> pvsynth/pvsadsyn)
rendered by Csound; csoundpy's engine renders the same orchestra.  Frames are
float32 in both, so differences stay at double-precision rounding except where
an FFT rounding difference flips a float32 rounding (about 1e-9 at worst).
"""

from __future__ import annotations

import numpy as np
import pytest
from _orc_replay import load, render

from csoundpy.engine.context import FSig, InitContext, OpcodeHost
from csoundpy.errors import InitError
from csoundpy.opcodes import spectral

CASES, AUDIO = load("spectral")


@pytest.mark.parametrize("name", sorted(AUDIO))
def test_orchestra_matches_csound(name):
    expected = AUDIO[name]
    got = render(CASES[name], expected.shape[0])
    assert np.abs(expected).max() > 0.01  # the case makes sound
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-9)


def _ic(ksmps=16):
    return InitContext(OpcodeHost(sr=8000, ksmps=ksmps))


def test_pvsanal_errors():
    s = np.zeros(1, spectral.ANAL)[0]
    f = FSig()
    a = np.zeros(16)
    with pytest.raises(InitError, match="pvsanal: overlap too big for fft size"):
        spectral.pvsanal_init(s, _ic(), f, a, 256, 200, 256, 1, 0, 0)
    with pytest.raises(InitError, match="fftsize of 32 is too small"):
        spectral.pvsanal_init(s, _ic(), f, a, 32, 16, 32, 1, 0, 0)
    with pytest.raises(InitError, match="invalid window type"):
        spectral.pvsanal_init(s, _ic(), f, a, 256, 64, 256, 5, 0, 0)
    with pytest.raises(InitError, match="sliding"):
        spectral.pvsanal_init(s, _ic(ksmps=32), f, a, 256, 16, 256, 1, 0, 0)


def test_pvsanal_format_and_window_sum():
    s = np.zeros(1, spectral.ANAL)[0]
    f = FSig()
    aux = spectral.pvsanal_init(s, _ic(), f, np.zeros(16), 255, 64, 200, 1, 0, 0)
    # N made even, window raised to N, framecount starts at 1 as in Csound
    assert (f.N, f.overlap, f.winsize, f.framecount) == (256, 64, 256, 1)
    assert abs(aux[3].sum() - 2.0) < 1e-12


def test_fft_matches_numpy():
    x = np.random.default_rng(1).standard_normal(24)
    for n in (16, 24):
        buf = np.zeros(n + 2)
        buf[:n] = x[:n]
        spectral._rfft(buf, np.zeros(n, np.complex128), spectral._twiddles(n), n)
        ref = np.fft.rfft(x[:n])
        np.testing.assert_allclose(buf[0::2], ref.real, atol=1e-12)
        np.testing.assert_allclose(buf[1::2], ref.imag, atol=1e-12)
        spectral._irfft(buf, np.zeros(n, np.complex128), spectral._twiddles(n), n)
        np.testing.assert_allclose(buf[:n], x[:n], atol=1e-12)
