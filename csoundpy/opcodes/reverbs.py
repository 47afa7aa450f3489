"""Reverberators and their building blocks: `comb`, `combinv`, `alpass`,
`reverb` (OOps/ugens6.c), `nreverb`/`reverb2` (OOps/vdelay.c reverbx),
`reverbsc` (Opcodes/reverbsc.c), `freeverb` (Opcodes/freeverb.c) and `babo`
(Opcodes/babo.c).

Delay lines live in aux arrays allocated at init.  Deviations: `istor`/
`iskip` (keep the previous note's delay lines) is not honoured because the
engine gives every init pass fresh aux arrays; nreverb's perf-time warnings
about out-of-range diffusion or reverb time are not printed (the values are
clamped as Csound does).
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..errors import InitError
from ._registry import State, defop, f64, i64

LOG001 = -6.9077552789821370521  # log(0.001), vdelay.c (nreverb)
LOG001_UGENS6 = -6.9078  # compat: ugens6.c (comb, alpass, reverb) rounds log(0.001)


def _lrnd(x: float) -> int:
    """Csound's MYFLT2LRND (lrint: round half to even)."""
    return int(np.rint(x))


# ------------------------------------------------------------ comb, alpass

COMB = State(coef=f64, prvt=f64, pntr=i64, ilpt=f64)


def comb_init(s, ic, ar, asig, krvt, ilpt, istor, insmps):
    lpsiz = _lrnd(ilpt) if insmps != 0.0 else _lrnd(ilpt * ic.sr)
    if lpsiz <= 0:
        raise InitError("illegal loop time")
    s.pntr = 0
    s.prvt = 0.0
    s.coef = 0.0
    s.ilpt = ilpt
    return (np.zeros(lpsiz),)


@helper
def _comb_coef(s, krvt, guard):
    """Feedback gain for a 60 dB decay over krvt seconds; cached while krvt stays."""
    if s.prvt != krvt:
        s.prvt = krvt
        # compat: ilpt enters the formula as given, even when it counts samples.
        arg = LOG001_UGENS6 * s.ilpt / krvt
        if guard and arg < -36.8413615:
            s.coef = 0.0
        else:
            s.coef = math.exp(arg)
    return s.coef


@kernel
def comb_perf(s, ctx, buf, ar, asig, krvt, ilpt, istor, insmps, n0, n1):
    """comb: recirculating delay with decay time krvt (ugens6.c comb)."""
    coef = _comb_coef(s, at(krvt, 0), True)
    xp = s.pntr
    size = buf.shape[0]
    for n in range(n0, n1):
        out = buf[xp]
        buf[xp] = out * coef + asig[n]
        ar[n] = out
        xp += 1
        if xp >= size:
            xp = 0
    s.pntr = xp


@kernel
def combinv_perf(s, ctx, buf, ar, asig, krvt, ilpt, istor, insmps, n0, n1):
    """combinv: inverse (feed-forward) comb (ugens6.c invcomb)."""
    coef = _comb_coef(s, at(krvt, 0), True)
    xp = s.pntr
    size = buf.shape[0]
    # compat: Csound runs combinv over the whole block, ignoring a late start.
    for n in range(ar.shape[0]):
        out = buf[xp]
        buf[xp] = asig[n]
        ar[n] = asig[n] - coef * out
        xp += 1
        if xp >= size:
            xp = 0
    s.pntr = xp


@kernel
def alpass_perf(s, ctx, buf, ar, asig, xrvt, ilpt, istor, insmps, n0, n1):
    """alpass: Schroeder allpass with decay time xrvt (ugens6.c alpass)."""
    # compat: an a-rate xrvt is read once per block (its first sample).
    coef = _comb_coef(s, at(xrvt, 0), False)
    xp = s.pntr
    size = buf.shape[0]
    for n in range(n0, n1):
        y = buf[xp]
        z = coef * y + asig[n]
        buf[xp] = z
        ar[n] = y - coef * z
        xp += 1
        if xp >= size:
            xp = 0
    s.pntr = xp


defop("comb", "a", "akioo", COMB, comb_init, comb_perf, arrays=("buf",))
defop("combinv", "a", "akioo", COMB, comb_init, combinv_perf, arrays=("buf",))
defop("alpass", "a", "axioo", COMB, comb_init, alpass_perf, arrays=("buf",))


# ------------------------------------------------------------------ reverb

REVLPTIMES = (0.0297, 0.0371, 0.0411, 0.0437, 0.0050, 0.0017)
REVERB = State(prvt=f64)


def reverb_init(s, ic, ar, asig, krvt, istor):
    sizes = [_lrnd(t * ic.sr) for t in REVLPTIMES]
    # rows: [start, end, current] of the four combs and two allpasses
    idx = np.zeros((6, 3), dtype=np.int64)
    start = 0
    for i, size in enumerate(sizes):
        idx[i] = (start, start + size, start)
        start += size
    s.prvt = 0.0
    return np.zeros(start), idx, np.zeros(6)


@kernel
def reverb_perf(s, ctx, buf, idx, c, ar, asig, krvt, istor, n0, n1):
    """reverb: four parallel combs into two series allpasses (ugens6.c reverb)."""
    rvt = at(krvt, 0)
    if s.prvt != rvt:
        logdrvt = LOG001_UGENS6 / rvt
        for i in range(6):
            c[i] = math.exp(logdrvt * REVLPTIMES[i])
        s.prvt = rvt
    c1, c2, c3, c4, c5, c6 = c[0], c[1], c[2], c[3], c[4], c[5]
    p1, p2, p3 = idx[0, 2], idx[1, 2], idx[2, 2]
    p4, p5, p6 = idx[3, 2], idx[4, 2], idx[5, 2]
    for n in range(n0, n1):
        sig = asig[n]
        cmbsum = buf[p1] + buf[p2] + buf[p3] + buf[p4]
        buf[p1] = c1 * buf[p1] + sig
        buf[p2] = c2 * buf[p2] + sig
        buf[p3] = c3 * buf[p3] + sig
        buf[p4] = c4 * buf[p4] + sig
        y1 = buf[p5]
        z = c5 * y1 + cmbsum
        buf[p5] = z
        y1 -= c5 * z
        y2 = buf[p6]
        z = c6 * y2 + y1
        buf[p6] = z
        ar[n] = y2 - c6 * z
        p1 = p1 + 1 if p1 + 1 < idx[0, 1] else idx[0, 0]
        p2 = p2 + 1 if p2 + 1 < idx[1, 1] else idx[1, 0]
        p3 = p3 + 1 if p3 + 1 < idx[2, 1] else idx[2, 0]
        p4 = p4 + 1 if p4 + 1 < idx[3, 1] else idx[3, 0]
        p5 = p5 + 1 if p5 + 1 < idx[4, 1] else idx[4, 0]
        p6 = p6 + 1 if p6 + 1 < idx[5, 1] else idx[5, 0]
    idx[0, 2], idx[1, 2], idx[2, 2] = p1, p2, p3
    idx[3, 2], idx[4, 2], idx[5, 2] = p4, p5, p6


defop("reverb", "a", "ako", REVERB, reverb_init, reverb_perf, arrays=("buf", "idx", "c"))


# ----------------------------------------------------------------- nreverb

# nreverb's original constants: samples at 25641 Hz, turned into seconds.
NREV_COMB_TIMES = (0.055887056, 0.062439062, 0.072813073, 0.080067080, 0.087789088, 0.093561094)
NREV_COMB_GAINS = (0.822, 0.802, 0.773, 0.753, 0.753, 0.753)
NREV_ALPAS_TIMES = (0.013533014, 0.0044070044, 0.0014430014, 0.0023010023, 0.0016770017)
NREV_ALPAS_GAINS = (0.7, 0.7, 0.7, 0.7, 0.7)


def _small_primes() -> list[int]:
    sieve = np.ones(3572, dtype=bool)
    sieve[:2] = False
    for i in range(2, 60):
        if sieve[i]:
            sieve[i * i::i] = False
    return [int(p) for p in np.nonzero(sieve)[0]]


_SMALLPRIME = _small_primes()  # 2 .. 3571, the table in vdelay.c


def _nrev_prime(val: int) -> bool:
    """vdelay.c prime(), quirks included."""
    if val < 3572:
        return val in _SMALLPRIME
    last = int(math.sqrt(val))
    # compat: divisors are tried only strictly below int(sqrt(val)), so the
    # square of a prime passes as prime.
    bound = min(last, 3572)
    for p in _SMALLPRIME:
        if p >= bound:
            break
        if val % p == 0:
            return False
    for d in range(3573, last + 1, 2):
        if val % d == 0:
            return False
    return True


def _nrev_samples(ftime: float, sr: float) -> int:
    """A delay time in seconds made a prime number of samples (negative: samples as given)."""
    if ftime < 0.0:
        return int(-ftime)
    n = int(ftime * sr)
    if n % 2 == 0:
        n += 1
    while not _nrev_prime(n):
        n += 2
    return n


NREV2 = State(prev_time=f64, prev_hdif=f64)


def _nrev_constants(ic, num, ifn, times, gains, what):
    if num < 1.0:
        return list(times), list(gains)
    n = int(num)
    ft = ic.table(ifn)
    if ft.size < n * 2:
        raise InitError(f"reverbx; {what} ftable must have {n} time and {n} gain values")
    data = ft.data
    return [float(x) for x in data[:n]], [float(x) for x in data[n:2 * n]]


def nreverb_init(s, ic, out, asig, ktime, khdif, iskip, inumCombs, ifnCombs, inumAlpas,
                 ifnAlpas):
    if khdif > 1.0 or khdif < 0.0:
        raise InitError("High frequency diffusion not in (0, 1)")
    sr, onedsr = ic.sr, float(ic.consts.onedsr)
    ctimes, cgains = _nrev_constants(ic, inumCombs, ifnCombs, NREV_COMB_TIMES,
                                     NREV_COMB_GAINS, "Combs")
    atimes, againsl = _nrev_constants(ic, inumAlpas, ifnAlpas, NREV_ALPAS_TIMES,
                                      NREV_ALPAS_GAINS, "Alpas")
    nc, na = len(ctimes), len(atimes)
    # comb rows: [time (s), gain, z, g, original gain]; allpass rows: [time, gain, original]
    ctab = np.zeros((nc, 5))
    cidx = np.zeros((nc, 3), dtype=np.int64)
    start = 0
    for i in range(nc):
        n = _nrev_samples(ctimes[i], sr)
        gain = math.exp(LOG001 * (float(n) * onedsr) / (cgains[i] * ktime))
        ctab[i] = (float(n) * onedsr, gain * (1.0 - khdif), 0.0, khdif, cgains[i])
        cidx[i] = (start, start + n, start)
        start += n
    cbuf = np.zeros(start)
    atab = np.zeros((na, 3))
    aidx = np.zeros((na, 3), dtype=np.int64)
    start = 0
    for i in range(na):
        n = _nrev_samples(atimes[i], sr)
        gain = math.exp(LOG001 * (float(n) * onedsr) / (againsl[i] * ktime))
        atab[i] = (float(n) * onedsr, gain, againsl[i])
        aidx[i] = (start, start + n, start)
        start += n
    s.prev_time = ktime
    s.prev_hdif = khdif
    return cbuf, ctab, cidx, np.zeros(start), atab, aidx, np.zeros(ic.ksmps)


@kernel
def nreverb_perf(s, ctx, cbuf, ctab, cidx, abuf, atab, aidx, temp, out, asig, ktime, khdif,
                 iskip, inumCombs, ifnCombs, inumAlpas, ifnAlpas, n0, n1):
    """nreverb, reverb2: prime-length combs with damping, then allpasses (vdelay.c reverbx)."""
    hdif = at(khdif, 0)
    time = at(ktime, 0)
    nsmps = out.shape[0]
    for n in range(nsmps):
        temp[n] = asig[n]
        out[n] = 0.0
    if time != s.prev_time or hdif != s.prev_hdif:
        hdif = min(max(hdif, 0.0), 1.0)
        if time <= 0.0:
            time = 0.001
        for i in range(ctab.shape[0]):
            gain = math.exp(LOG001 * ctab[i, 0] / (ctab[i, 4] * time))
            ctab[i, 3] = hdif
            ctab[i, 1] = gain * (1.0 - hdif)
            ctab[i, 2] = 0.0
        for i in range(atab.shape[0]):
            atab[i, 1] = math.exp(LOG001 * atab[i, 0] / (atab[i, 2] * time))
        s.prev_time = time
        s.prev_hdif = hdif
    for i in range(ctab.shape[0]):
        b, e, p = cidx[i, 0], cidx[i, 1], cidx[i, 2]
        gain, z, g = ctab[i, 1], ctab[i, 2], ctab[i, 3]
        for n in range(n0, n1):
            out[n] += cbuf[p]
            v = cbuf[p] + z * g
            z = v
            cbuf[p] = v * gain + temp[n]
            p += 1
            if p >= e:
                p = b
        cidx[i, 2] = p
        ctab[i, 2] = z
    for i in range(atab.shape[0]):
        for n in range(n0, n1):
            temp[n] = out[n]
        b, e, p = aidx[i, 0], aidx[i, 1], aidx[i, 2]
        gain = atab[i, 1]
        for n in range(n0, n1):
            z = abuf[p]
            abuf[p] = gain * z + temp[n]
            out[n] = z - gain * abuf[p]
            p += 1
            if p >= e:
                p = b
        aidx[i, 2] = p


for _name in ("reverb2", "nreverb"):
    defop(_name, "a", "akkoojoj", NREV2, nreverb_init, nreverb_perf,
          arrays=("cbuf", "ctab", "cidx", "abuf", "atab", "aidx", "temp"))


# ---------------------------------------------------------------- reverbsc

SC_PARAMS = np.array([
    [2473.0 / 44100.0, 0.0010, 3.100, 1966.0],
    [2767.0 / 44100.0, 0.0011, 3.500, 29491.0],
    [3217.0 / 44100.0, 0.0017, 1.110, 22937.0],
    [3557.0 / 44100.0, 0.0006, 3.973, 9830.0],
    [3907.0 / 44100.0, 0.0010, 2.341, 20643.0],
    [4127.0 / 44100.0, 0.0011, 1.897, 22937.0],
    [2143.0 / 44100.0, 0.0017, 0.891, 29491.0],
    [1933.0 / 44100.0, 0.0006, 3.221, 14417.0],
])
SC_SCALE = 0x10000000  # fixed-point read position: 28 fractional bits
# per-line integer state columns
L_START, L_SIZE, L_WRITE, L_READ, L_FRAC, L_INC, L_SEED, L_CNT = range(8)
# scratch rows, one column per frame of the block: rows 0-7 hold line n's scaled
# read, then the value written into it; then the read fractions and the 4 points
# of each interpolation
SC_FRAC = 8
SC_TAPS = 9
REVERBSC = State(sample_rate=f64, pitchmod=f64, damp=f64, prv_lpfreq=f64, min_delay=i64)


@helper
def _sc_next_segment(lines, line, n, sr, pitchmod):
    """Pick the next random delay target and the read-rate ramp to reach it."""
    seed = lines[line, L_SEED]
    if seed < 0:
        seed += 0x10000
    seed = (seed * 15625 + 1) & 0xFFFF
    if seed >= 0x8000:
        seed -= 0x10000
    lines[line, L_SEED] = seed
    cnt = int(sr / SC_PARAMS[n, 2] + 0.5)
    lines[line, L_CNT] = cnt
    prv = float(lines[line, L_WRITE])
    prv -= float(lines[line, L_READ]) + float(lines[line, L_FRAC]) / SC_SCALE
    while prv < 0.0:
        prv += float(lines[line, L_SIZE])
    prv = prv / sr
    nxt = float(seed) * SC_PARAMS[n, 1] / 32768.0
    nxt = SC_PARAMS[n, 0] + nxt * pitchmod
    inc = (prv - nxt) / float(cnt)
    inc = inc * sr + 1.0
    lines[line, L_INC] = int(inc * SC_SCALE + 0.5)


@helper
def _sc_cubic(frac, vm1, v0, v1, v2):
    """reverbsc's 4-point cubic interpolation at `frac` past v0."""
    a2 = frac * frac
    a2 -= 1.0
    a2 *= 1.0 / 6.0
    a1 = frac
    a1 += 1.0
    a1 *= 0.5
    am1 = a1 - 1.0
    a0 = 3.0 * a2
    a1 -= a0
    am1 -= a2
    a0 -= frac
    return (am1 * vm1 + a0 * v0 + a1 * v1 + a2 * v2) * frac + v0


def _sc_max_samples(n, pitchmod, sr):
    maxdel = SC_PARAMS[n, 0] + SC_PARAMS[n, 1] * pitchmod * 1.125
    return int(maxdel * sr + 16.5)


def _sc_min_delay(pitchmod: float, sr: float) -> int:
    """A lower bound, in samples, on how far any line's read point trails its write point.

    Every delay target lies in [p0 - p1 * pitchmod, p0 + p1 * pitchmod] seconds
    and the read point moves linearly between targets, so the delay never drops
    below the smallest lower end; one sample is taken off for the fixed-point
    rounding of the read increment.
    """
    low = min(SC_PARAMS[n, 0] - SC_PARAMS[n, 1] * pitchmod for n in range(8))
    return math.floor(low * sr) - 1


def reverbsc_init(s, ic, aoutL, aoutR, ainL, ainR, kfblvl, kfco, israte, ipitchm, iskip):
    sr = ic.sr if israte <= 0.0 else israte
    if sr < 5000.0 or sr > 1000000.0:
        raise InitError("reverbsc: sample rate is out of range")
    if ipitchm < 0.0 or ipitchm > 20.0:
        raise InitError("reverbsc: invalid pitch modulation factor")
    lines = np.zeros((8, 8), dtype=np.int64)
    start = 0
    for n in range(8):
        size = _sc_max_samples(n, ipitchm, sr)
        lines[n, L_START] = start
        lines[n, L_SIZE] = size
        seed = int(SC_PARAMS[n, 3] + 0.5)
        lines[n, L_SEED] = seed
        pos = float(seed) * SC_PARAMS[n, 1] / 32768
        pos = SC_PARAMS[n, 0] + pos * ipitchm
        pos = float(size) - pos * sr
        lines[n, L_READ] = int(pos)
        lines[n, L_FRAC] = int((pos - float(int(pos))) * SC_SCALE + 0.5)
        # its Python form: the same IEEE operations, without loading the compiled helper
        _sc_next_segment.py_func(lines, n, n, sr, ipitchm)
        start += size
    s.sample_rate = sr
    s.pitchmod = ipitchm
    s.damp = 1.0
    s.prv_lpfreq = 0.0
    s.min_delay = _sc_min_delay(ipitchm, sr)
    return np.zeros(start), lines, np.zeros(8), np.zeros((SC_TAPS + 4, int(ic.ksmps)))


@helper
def _sc_run_samples(s, buf, lines, fstate, aoutL, aoutR, ainL, ainR, fb, damp, n0, n1):
    """Frames [n0, n1) one sample at a time, all 8 lines per sample: right for any
    block length, even when a read reaches samples written in the same block."""
    sr = s.sample_rate
    for i in range(n0, n1):
        jp = 0.0
        for n in range(8):
            jp += fstate[n]
        jp *= 0.25
        inR = jp + ainR[i]
        inL = jp + ainL[i]
        outL = 0.0
        outR = 0.0
        for n in range(8):
            base = lines[n, L_START]
            size = lines[n, L_SIZE]
            w = lines[n, L_WRITE]
            buf[base + w] = (inR if n & 1 else inL) - fstate[n]
            w += 1
            if w >= size:
                w -= size
            lines[n, L_WRITE] = w
            rp = lines[n, L_READ]
            frac_i = lines[n, L_FRAC]
            if frac_i >= SC_SCALE:
                rp += frac_i >> 28
                frac_i &= SC_SCALE - 1
            if rp >= size:
                rp -= size
            lines[n, L_READ] = rp
            frac = float(frac_i) * (1.0 / SC_SCALE)
            if rp > 0 and rp < size - 2:
                vm1 = buf[base + rp - 1]
                v0 = buf[base + rp]
                v1 = buf[base + rp + 1]
                v2 = buf[base + rp + 2]
            else:
                r = rp - 1
                if r < 0:
                    r += size
                vm1 = buf[base + r]
                r += 1
                if r >= size:
                    r -= size
                v0 = buf[base + r]
                r += 1
                if r >= size:
                    r -= size
                v1 = buf[base + r]
                r += 1
                if r >= size:
                    r -= size
                v2 = buf[base + r]
            v0 = _sc_cubic(frac, vm1, v0, v1, v2)
            lines[n, L_FRAC] = frac_i + lines[n, L_INC]
            v0 *= fb
            v0 = (fstate[n] - v0) * damp + v0
            fstate[n] = v0
            if n & 1:
                outR += v0
            else:
                outL += v0
            lines[n, L_CNT] -= 1
            if lines[n, L_CNT] <= 0:
                _sc_next_segment(lines, n, n, sr, s.pitchmod)
        aoutL[i] = outL * 0.35
        aoutR[i] = outR * 0.35


@helper
def _sc_gather_wrapping(buf, lines, n, scratch, nsmps, sr, pitchmod):
    """Line n's read fractions and 4-point windows for the block -> scratch rows
    SC_FRAC, SC_TAPS..SC_TAPS+3, advancing its read point, in the general case:
    windows that wrap around the line's end, a new delay segment in the block."""
    base = lines[n, L_START]
    size = lines[n, L_SIZE]
    w0 = lines[n, L_WRITE]
    rp = lines[n, L_READ]
    frac_i = lines[n, L_FRAC]
    inc = lines[n, L_INC]
    cnt = lines[n, L_CNT]
    for k in range(nsmps):
        if frac_i >= SC_SCALE:
            rp += frac_i >> 28
            frac_i &= SC_SCALE - 1
        if rp >= size:
            rp -= size
        scratch[SC_FRAC, k] = float(frac_i) * (1.0 / SC_SCALE)
        r = rp - 1
        for j in range(4):
            if r < 0:
                r += size
            elif r >= size:
                r -= size
            scratch[SC_TAPS + j, k] = buf[base + r]
            r += 1
        frac_i += inc
        cnt -= 1
        if cnt <= 0:
            # the new segment starts from the write point after frame k
            w = w0 + k + 1
            if w >= size:
                w -= size
            lines[n, L_WRITE] = w
            lines[n, L_READ] = rp
            lines[n, L_FRAC] = frac_i
            _sc_next_segment(lines, n, n, sr, pitchmod)
            inc = lines[n, L_INC]
            cnt = lines[n, L_CNT]
    lines[n, L_WRITE] = w0
    lines[n, L_READ] = rp
    lines[n, L_FRAC] = frac_i
    lines[n, L_CNT] = cnt


@helper
def _sc_run_lines(s, buf, lines, fstate, scratch, aoutL, aoutR, ainL, ainR, fb, damp, n0, n1):
    """Frames [n0, n1) line by line, for blocks shorter than every line's delay
    (s.min_delay >= n1 - n0 + 4): no read of the block then reaches a sample
    written in it, so all reads can come first, then the damping filters and
    the feedback sample by sample, then the writes.  Same operations in the same
    order per sample as `_sc_run_samples`, hence the same bits.  The hot loops
    stay in this one function: array views made in a called helper cost
    reference-count updates on every call."""
    sr = s.sample_rate
    nsmps = n1 - n0
    fr = scratch[SC_FRAC]
    tm1 = scratch[SC_TAPS]
    t0 = scratch[SC_TAPS + 1]
    t1 = scratch[SC_TAPS + 2]
    t2 = scratch[SC_TAPS + 3]
    for n in range(8):
        # 1. line n's read fractions and 4-point windows, advancing its read point
        base = lines[n, L_START]
        size = lines[n, L_SIZE]
        line = buf[base:base + size]
        rp = lines[n, L_READ]
        frac_i = lines[n, L_FRAC]
        inc = lines[n, L_INC]
        cnt = lines[n, L_CNT]
        last = frac_i + (nsmps - 1) * inc
        if (cnt > nsmps and frac_i >= 0 and inc >= 0 and rp + (frac_i >> 28) > 0
                and rp + (last >> 28) < size - 2):
            # no new segment and no wrap in the block (frac_i and inc are never
            # negative; checked as the closed form needs it): frame k reads at
            # rp + (frac_i + k * inc) / SC_SCALE; two loops without a carried state
            for k in range(nsmps):
                fr[k] = float((frac_i + k * inc) & (SC_SCALE - 1)) * (1.0 / SC_SCALE)
            for k in range(nsmps):
                # unsigned (r >= 0 here): numba then skips its negative-index wraparound
                r = np.uint64(rp - 1 + ((frac_i + k * inc) >> 28))
                tm1[k] = line[r]
                t0[k] = line[r + np.uint64(1)]
                t1[k] = line[r + np.uint64(2)]
                t2[k] = line[r + np.uint64(3)]
            lines[n, L_READ] = rp + (last >> 28)
            lines[n, L_FRAC] = (last & (SC_SCALE - 1)) + inc
            lines[n, L_CNT] = cnt - nsmps
        else:
            _sc_gather_wrapping(buf, lines, n, scratch, nsmps, sr, s.pitchmod)
        # 2. its interpolated reads times fb -> scratch row n
        xs = scratch[n]
        for k in range(nsmps):
            xs[k] = _sc_cubic(fr[k], tm1[k], t0[k], t1[k], t2[k]) * fb
    # 3. damping filters and feedback, frame by frame; scratch row n becomes
    #    line n's input.  The filter states stay in registers, one per line.
    x0, x1, x2, x3 = scratch[0], scratch[1], scratch[2], scratch[3]
    x4, x5, x6, x7 = scratch[4], scratch[5], scratch[6], scratch[7]
    f0, f1, f2, f3 = fstate[0], fstate[1], fstate[2], fstate[3]
    f4, f5, f6, f7 = fstate[4], fstate[5], fstate[6], fstate[7]
    for k in range(nsmps):
        jp = (0.0 + f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7) * 0.25
        inR = jp + ainR[n0 + k]
        inL = jp + ainL[n0 + k]
        x = x0[k]
        x0[k] = inL - f0
        f0 = (f0 - x) * damp + x
        x = x1[k]
        x1[k] = inR - f1
        f1 = (f1 - x) * damp + x
        x = x2[k]
        x2[k] = inL - f2
        f2 = (f2 - x) * damp + x
        x = x3[k]
        x3[k] = inR - f3
        f3 = (f3 - x) * damp + x
        x = x4[k]
        x4[k] = inL - f4
        f4 = (f4 - x) * damp + x
        x = x5[k]
        x5[k] = inR - f5
        f5 = (f5 - x) * damp + x
        x = x6[k]
        x6[k] = inL - f6
        f6 = (f6 - x) * damp + x
        x = x7[k]
        x7[k] = inR - f7
        f7 = (f7 - x) * damp + x
        aoutL[n0 + k] = (0.0 + f0 + f2 + f4 + f6) * 0.35
        aoutR[n0 + k] = (0.0 + f1 + f3 + f5 + f7) * 0.35
    fstate[0], fstate[1], fstate[2], fstate[3] = f0, f1, f2, f3
    fstate[4], fstate[5], fstate[6], fstate[7] = f4, f5, f6, f7
    # 4. the inputs into the lines, from each line's write point on
    for n in range(8):
        base = lines[n, L_START]
        size = lines[n, L_SIZE]
        w = lines[n, L_WRITE]
        src = scratch[n]
        first = min(nsmps, size - w)
        dst = buf[base + w:base + w + first]
        for k in range(first):
            dst[k] = src[k]
        dst = buf[base:base + nsmps - first]
        for k in range(first, nsmps):
            dst[k - first] = src[k]
        w += nsmps
        if w >= size:
            w -= size
        lines[n, L_WRITE] = w


@kernel
def reverbsc_perf(s, ctx, buf, lines, fstate, scratch, aoutL, aoutR, ainL, ainR, kfblvl, kfco,
                  israte, ipitchm, iskip, n0, n1):
    """reverbsc: 8-line feedback delay network with random delay modulation (reverbsc.c)."""
    lpfreq = at(kfco, 0)
    if lpfreq != s.prv_lpfreq:
        s.prv_lpfreq = lpfreq
        d = 2.0 - math.cos(lpfreq * (2.0 * math.pi) / s.sample_rate)
        s.damp = d - math.sqrt(d * d - 1.0)
    fb = at(kfblvl, 0)
    if n1 - n0 + 4 <= s.min_delay and n1 - n0 <= scratch.shape[1]:
        _sc_run_lines(s, buf, lines, fstate, scratch, aoutL, aoutR, ainL, ainR, fb, s.damp,
                      n0, n1)
    else:
        _sc_run_samples(s, buf, lines, fstate, aoutL, aoutR, ainL, ainR, fb, s.damp, n0, n1)


defop("reverbsc", "aa", "aakkjpo", REVERBSC, reverbsc_init, reverbsc_perf,
      arrays=("buf", "lines", "fstate", "scratch"))


# ---------------------------------------------------------------- freeverb

FV_COMBS = (1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617)
FV_ALLPASSES = (556, 441, 341, 225)
FREEVERB = State(prv_damp=f64, damp_value=f64, sr_fact=f64, israte=f64)


def freeverb_init(s, ic, aoutL, aoutR, ainL, ainR, kroomsize, khfdamp, israte, iskip):
    sr = israte if israte >= 1000.0 else 44100.0

    def nsamples(spl):
        return int(spl / 44100.0 * sr + 0.5)

    # rows: [start, length, position]; combs L0 R0 L1 R1 ..., then allpasses likewise
    delays = [d + spread for d in FV_COMBS for spread in (0.0, 23.0)]
    delays += [d + spread for d in FV_ALLPASSES for spread in (0.0, 23.0)]
    idx = np.zeros((len(delays), 3), dtype=np.int64)
    start = 0
    for i, d in enumerate(delays):
        n = nsamples(d)
        idx[i] = (start, n, 0)
        start += n
    s.prv_damp = -1.0
    s.sr_fact = (44100.0 / israte) ** 0.8 if israte >= 1000.0 else 1.0
    s.israte = israte
    return np.zeros(start), idx, np.zeros(16), np.zeros(ic.ksmps)


@helper
def _fv_channel(buf, idx, fstate, tmp, ain, side, feedback, damp1, damp2):
    """Eight damped combs summed, then four allpasses, for one channel (in tmp)."""
    nsmps = tmp.shape[0]
    for n in range(nsmps):
        tmp[n] = 0.0
    for i in range(8):
        row = 2 * i + side
        base, size, pos = idx[row, 0], idx[row, 1], idx[row, 2]
        fs = fstate[row]
        for n in range(nsmps):
            x = buf[base + pos]
            tmp[n] += x
            fs = fs * damp1 + x * damp2
            buf[base + pos] = fs * feedback + ain[n]
            pos += 1
            if pos >= size:
                pos = 0
        fstate[row] = fs
        idx[row, 2] = pos
    for i in range(4):
        row = 16 + 2 * i + side
        base, size, pos = idx[row, 0], idx[row, 1], idx[row, 2]
        for n in range(nsmps):
            x = buf[base + pos] - tmp[n]
            buf[base + pos] *= 0.5
            buf[base + pos] += tmp[n]
            pos += 1
            if pos >= size:
                pos = 0
            tmp[n] = x
        idx[row, 2] = pos


@kernel
def freeverb_perf(s, ctx, buf, idx, fstate, tmp, aoutL, aoutR, ainL, ainR, kroomsize,
                  khfdamp, israte, iskip, n0, n1):
    """freeverb: Jezar's Freeverb, 8 combs and 4 allpasses per channel (freeverb.c)."""
    feedback = at(kroomsize, 0) * 0.28 + 0.7
    kdamp = at(khfdamp, 0)
    if kdamp != s.prv_damp:
        s.prv_damp = kdamp
        damp1 = kdamp * 0.4
        if s.israte >= 1000.0:
            damp1 = damp1 ** s.sr_fact
        s.damp_value = damp1
    damp1 = s.damp_value
    damp2 = 1.0 - damp1
    _fv_channel(buf, idx, fstate, tmp, ainL, 0, feedback, damp1, damp2)
    for n in range(n0, n1):
        aoutL[n] = tmp[n] * 0.015
    _fv_channel(buf, idx, fstate, tmp, ainR, 1, feedback, damp1, damp2)
    for n in range(n0, n1):
        aoutR[n] = tmp[n] * 0.015


defop("freeverb", "aa", "aakkjo", FREEVERB, freeverb_init, freeverb_perf,
      arrays=("buf", "idx", "fstate", "tmp"))


# -------------------------------------------------------------------- babo

BABO_NODES = 15
SOUND_SPEED = 330.0
BABO_EIGEN = (3.142592, -1.7370, -2.1559, -1.2566, -2.9936, 1.0472, -2.5133, -1.6140,
              1.6140, 2.5133, -1.0472, 2.9936, 1.2566, 2.1559, 1.7370)
BABO_MODES = ((1, 0, 0), (2, 1, 0), (1, 1, 0), (1, 2, 0), (0, 1, 0), (0, 2, 1), (0, 1, 1),
              (0, 1, 2), (0, 0, 1), (1, 0, 2), (1, 0, 1), (1, 1, 1), (1, 2, 1), (2, 1, 1),
              (2, 0, 1))
# expert table entries and their defaults
BABO_EXPERT = (0.99, 0.1, 0.0, 0.0, 0.0, 0.3, 0.5, 0.8)
BABO = State(tap_w=i64, mdel_w=i64, early_diffuse=f64, diffusion=f64, compl_early=f64,
             recv_x=f64, recv_y=f64, recv_z=f64, half_dist=f64)


def _babo_delay_len(max_time: float, sr: float) -> int:
    return _lrnd(math.ceil(max_time * sr))


def _babo_fdn(diffusion: float) -> np.ndarray:
    step = (2.0 * math.pi) / BABO_NODES
    re = [math.cos(e * diffusion) for e in BABO_EIGEN]
    im = [math.sin(e * diffusion) for e in BABO_EIGEN]
    row = [0.0] * BABO_NODES
    for i in range(BABO_NODES):
        for j in range(BABO_NODES):
            # compat: babo.c indexes the eigenvalues by j, not i, in its inverse DFT.
            row[j] += (re[j] * math.cos(step * i * j) - im[j] * math.sin(step * i * j)) \
                / BABO_NODES
    fdn = np.zeros((BABO_NODES, BABO_NODES))
    for i in range(BABO_NODES):
        for j in range(BABO_NODES):
            fdn[i, j] = row[(j - i + 15) % BABO_NODES]
    return fdn


def babo_init(s, ic, outL, outR, asig, ksrcx, ksrcy, ksrcz, irx, iry, irz, idiff, iexpert):
    sr = ic.sr
    diffusion = 1.0 if idiff < 0 else idiff
    ft = ic.table(iexpert) if iexpert > 0 else None
    vals = [float(ft.data[i]) if ft is not None and i < ft.size else d
            for i, d in enumerate(BABO_EXPERT)]
    decay, hidecay, recv_x, recv_y, recv_z, dist, _direct, early = vals
    if irx <= 0.0 or iry <= 0.0 or irz <= 0.0:
        ic.warning(f"Babo: resonator dimensions are incorrect ({irx:.1f}, {iry:.1f}, {irz:.1f})")
    tap_len = _babo_delay_len(2.0 * math.sqrt(irx * irx + iry * iry + irz * irz)
                              / SOUND_SPEED, sr)
    mdel_len = _babo_delay_len(float(tap_len) * float(ic.consts.onedsr), sr)
    delays = []
    for mx, my, mz in BABO_MODES:
        delays.append(2.0 / (SOUND_SPEED * math.sqrt((mx / irx) * (mx / irx)
                                                     + (my / iry) * (my / iry)
                                                     + (mz / irz) * (mz / irz))))
    min_delay = 3.4028234663852886e38
    for d in delays:
        min_delay = d if min_delay > d else min_delay
    # node rows: [start, length, write index]; filters: [a0, a1, z1, z2, input]
    nidx = np.zeros((BABO_NODES, 3), dtype=np.int64)
    filt = np.zeros((BABO_NODES, 5))
    start = 0
    for i, d in enumerate(delays):
        n = _babo_delay_len(d, sr)
        nidx[i] = (start, n, 0)
        start += n
        norm = d / min_delay
        real_decay = math.exp(norm * math.log(decay))
        real_hidecay = math.exp(norm * math.log(hidecay))
        filt[i, 0] = (real_decay + real_hidecay) * 0.25
        filt[i, 1] = (real_decay - real_hidecay) * 0.5
    s.tap_w = 0
    s.mdel_w = 0
    s.early_diffuse = early
    s.diffusion = diffusion
    s.compl_early = 1.0 - early
    s.recv_x, s.recv_y, s.recv_z = recv_x, recv_y, recv_z
    s.half_dist = dist * 0.5
    return (np.zeros(tap_len), np.zeros(mdel_len), np.zeros(start), nidx, filt,
            _babo_fdn(diffusion), np.zeros((2, 7, 2)), np.zeros(BABO_NODES))


@helper
def _babo_tap_params(par, r_x, r_y, r_z, s_x, s_y, s_z, l_x, l_y, l_z, sr):
    """Direct path and six first-order image sources: [delay in samples, attenuation]."""
    dx = (r_x - s_x) * (r_x - s_x)
    dy = (r_y - s_y) * (r_y - s_y)
    dz = (r_z - s_z) * (r_z - s_z)
    yz = dy + dz
    xz = dx + dz
    xy = dx + dy
    dist = (math.sqrt(dx + yz),
            math.sqrt((l_x + r_x + s_x) * (l_x + r_x + s_x) + yz),
            math.sqrt((l_x - r_x - s_x) * (l_x - r_x - s_x) + yz),
            math.sqrt(xz + (l_y - r_y - s_y) * (l_y - r_y - s_y)),
            math.sqrt(xz + (l_y + r_y + s_y) * (l_y + r_y + s_y)),
            math.sqrt(xy + (l_z - r_z - s_z) * (l_z - r_z - s_z)),
            math.sqrt(xy + (l_z + r_z + s_z) * (l_z + r_z + s_z)))
    for i in range(7):
        par[i, 0] = (dist[i] / SOUND_SPEED) * sr
        par[i, 1] = 1.0 / (1.0 + dist[i])


@helper
def _babo_tapline_out(tap, w, par):
    """Sum of the seven linearly interpolated taps (w: index after the newest sample)."""
    size = tap.shape[0]
    out = 0.0
    for i in range(7):
        dsize = par[i, 0]
        dfloor = int(dsize)
        frac = dsize - float(dfloor)
        fl = w - dfloor
        if fl < 0:
            fl += size
        ce = w - dfloor - 1
        if ce < 0:
            ce += size
        out += (tap[fl % size] * (1 - frac) + tap[ce % size] * frac) * par[i, 1]
    return out


@kernel
def babo_perf(s, ctx, tap, mdel, nbuf, nidx, filt, fdn, par, tmp, outL, outR, asig, ksrcx,
              ksrcy, ksrcz, irx, iry, irz, idiff, iexpert, n0, n1):
    """babo: early reflections by image sources plus a 15-node diffusing FDN (babo.c)."""
    sr = ctx.sr
    lx, ly, lz = at(irx, 0), at(iry, 0), at(irz, 0)
    sx, sy, sz = at(ksrcx, 0), at(ksrcy, 0), at(ksrcz, 0)
    _babo_tap_params(par[0], s.recv_x - s.half_dist, s.recv_y, s.recv_z, sx, sy, sz,
                     lx, ly, lz, sr)
    _babo_tap_params(par[1], s.recv_x + s.half_dist, s.recv_y, s.recv_z, sx, sy, sz,
                     lx, ly, lz, sr)
    tw = s.tap_w
    mw = s.mdel_w
    tsize = tap.shape[0]
    msize = mdel.shape[0]
    early = s.early_diffuse
    diff = s.diffusion
    compl = s.compl_early
    for n in range(n0, n1):
        x = asig[n]
        tap[tw] = x
        tw += 1
        if tw >= tsize:
            tw -= tsize
        mdel[mw] = x
        mw += 1
        if mw >= msize:
            mw -= msize
        left = _babo_tapline_out(tap, tw, par[0]) * early
        right = _babo_tapline_out(tap, tw, par[1]) * early
        r = mw - (msize - 1)
        if r < 0:
            r += msize
        delayed = mdel[r]
        # FDN: filter outputs before feeding, then feed each filter from its delay
        for i in range(BABO_NODES):
            tmp[i] = _babo_node_out(filt, i)
            base, size, w = nidx[i, 0], nidx[i, 1], nidx[i, 2]
            r = w - (size - 1)
            if r < 0:
                r += size
            filt[i, 3] = filt[i, 2]
            filt[i, 2] = filt[i, 4]
            filt[i, 4] = nbuf[base + r]
        for i in range(BABO_NODES):
            acc = 0.0
            for j in range(BABO_NODES):
                acc += fdn[i, j] * tmp[j]
            base, size, w = nidx[i, 0], nidx[i, 1], nidx[i, 2]
            nbuf[base + w] = acc + delayed
            w += 1
            if w >= size:
                w -= size
            nidx[i, 2] = w
        o0 = _babo_node_out(filt, 0) + _babo_node_out(filt, 4) + _babo_node_out(filt, 8)
        o1 = o0
        o0 += diff * (_babo_node_out(filt, 7) + _babo_node_out(filt, 12))
        o1 += diff * (_babo_node_out(filt, 9) + _babo_node_out(filt, 13))
        o0 *= compl
        o1 *= compl
        outL[n] = left + o0
        outR[n] = right + o1
    s.tap_w = tw
    s.mdel_w = mw


@helper
def _babo_node_out(filt, i):
    """Output of node i's two-zero lowpass."""
    return filt[i, 0] * filt[i, 4] + filt[i, 1] * filt[i, 2] + filt[i, 0] * filt[i, 3]


defop("babo", "aa", "akkkiiijj", BABO, babo_init, babo_perf,
      arrays=("tap", "mdel", "nbuf", "nidx", "filt", "fdn", "par", "tmp"))
