"""reverbsc's line-by-line block path against its sample-by-sample one.

The kernel runs a block line by line when the block is shorter than every
line's delay (`min_delay`); otherwise it keeps the per-sample loop.  Both must
give the same bits: each case runs two copies of one note, the reference with
`min_delay` set to 0 (always per sample), on random input with the feedback
level and cutoff changing every block, and compares outputs and all state
after every block.
"""

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost
from csoundpy.opcodes import reverbs

CUTOFFS = (500.0, 2500.0, 10000.0, 16000.0)


def _note(sr, ksmps, pitchmod, israte):
    host = OpcodeHost(sr=sr, ksmps=ksmps)
    state = np.zeros(1, dtype=reverbs.REVERBSC)[0]
    bufs = [np.zeros(ksmps) for _ in range(4)]
    aux = reverbs.reverbsc_init(state, InitContext(host, None, opname="reverbsc"), *bufs,
                                0.8, 10000.0, israte, pitchmod, 0.0)
    return host, state, aux


def _run_both(sr, ksmps, pitchmod, israte, nsamples, *, partial=False, in_place=False, seed=0):
    """Run the dispatching kernel and the per-sample reference side by side;
    returns the block path's min_delay."""
    host, fast, fast_aux = _note(sr, ksmps, pitchmod, israte)
    _, ref, ref_aux = _note(sr, ksmps, pitchmod, israte)
    ref.min_delay = 0
    rng = np.random.default_rng(seed)
    fb, fco = np.zeros(()), np.zeros(())
    ins = {name: (np.zeros(ksmps), np.zeros(ksmps)) for name in ("fast", "ref")}
    outs = {name: (np.zeros(ksmps), np.zeros(ksmps)) for name in ("fast", "ref")}
    if in_place:
        outs = ins
    for block in range(nsamples // ksmps):
        n0, n1 = 0, ksmps
        if partial:
            n0 = int(rng.integers(0, ksmps // 2))
            n1 = int(rng.integers(n0 + 1, ksmps + 1))
        fb[()] = rng.uniform(0.2, 0.99)
        fco[()] = CUTOFFS[block % len(CUTOFFS)] if block % 3 else rng.uniform(100.0, 15000.0)
        left, right = rng.standard_normal(ksmps), rng.standard_normal(ksmps)
        for name, s, aux in (("fast", fast, fast_aux), ("ref", ref, ref_aux)):
            ins[name][0][:] = left
            ins[name][1][:] = right
            reverbs.reverbsc_perf(s, host.consts, *aux, *outs[name], *ins[name], fb, fco,
                                  israte, pitchmod, 0.0, n0, n1)
        for a, b in zip(outs["fast"], outs["ref"]):
            assert np.array_equal(a[n0:n1].view(np.int64), b[n0:n1].view(np.int64)), block
        for a, b in zip(fast_aux[:3], ref_aux[:3]):  # delay lines, line state, filters
            assert np.array_equal(a.view(np.int64), b.view(np.int64)), block
        for field in ("damp", "prv_lpfreq"):
            assert fast[field] == ref[field]
    return fast.min_delay


@pytest.mark.parametrize("sr, ksmps, pitchmod, israte, nsamples", [
    (44100, 10, 0.0, 0.0, 60000),
    (48000, 64, 1.0, 0.0, 120000),
    (48000, 64, 10.0, 0.0, 120000),
    (48000, 32, 20.0, 0.0, 120000),
    (44100, 16, 1.0, 96000.0, 80000),
    (44100, 1000, 1.0, 0.0, 60000),
])
def test_line_by_line_blocks_give_the_per_sample_bits(sr, ksmps, pitchmod, israte, nsamples):
    min_delay = _run_both(sr, ksmps, pitchmod, israte, nsamples)
    assert ksmps + 4 <= min_delay  # the block path ran


def test_blocks_one_frame_short_of_the_minimum_delay_give_the_per_sample_bits():
    min_delay = reverbs._sc_min_delay(20.0, 8000.0)
    assert _run_both(8000, min_delay - 4, 20.0, 0.0, 60000) == min_delay


def test_blocks_longer_than_a_delay_keep_the_per_sample_loop():
    # israte 5000 with pitch modulation 20: line 6's delay can fall to ~73 samples
    min_delay = _run_both(44100, 100, 20.0, 5000.0, 30000)
    assert min_delay < 100 + 4


def test_partial_blocks_give_the_per_sample_bits():
    _run_both(48000, 64, 1.0, 0.0, 60000, partial=True, seed=1)


def test_outputs_written_over_inputs_give_the_per_sample_bits():
    _run_both(48000, 64, 10.0, 0.0, 40000, in_place=True, seed=2)


@pytest.mark.parametrize("pitchmod", [0.0, 1.0, 10.0, 20.0])
@pytest.mark.parametrize("sr", [5000.0, 44100.0, 192000.0])
def test_min_delay_is_below_every_delay_target(pitchmod, sr):
    low = min(reverbs.SC_PARAMS[n, 0] - reverbs.SC_PARAMS[n, 1] * pitchmod for n in range(8))
    assert 0 < reverbs._sc_min_delay(pitchmod, sr) < low * sr
