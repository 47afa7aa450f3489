"""Streaming phase vocoder (pvs) opcodes: analysis, resynthesis and frame processing.

Follows Csound 6.18's OOps/pvsanal.c (pvsanal, pvsynth: the CARL phase vocoder
in streaming form), OOps/pstream.c (pvsadsyn, pvscross, pvsmaska, pvsftw,
pvsftr, pvsinfo) and Opcodes/pvsbasic.c (pvsinit, pvsgain, pvscale, pvshift,
pvsmix, pvsfilter, pvsblur, pvsmooth, pvsfreeze, pvsosc, pvsbin).

An f-signal is a `FSig` (engine/context.py): its buffer holds the header
(framecount, N, overlap, winsize, wintype, format) and the current frame of
N/2+1 (amplitude, frequency) pairs.  Csound keeps frames as 32-bit floats, so
every value written into a frame is rounded to float32 here too (`_f32`).
A producer bumps the framecount when it writes a new frame; a consumer works
only when the framecount is past the last one it saw (`lastframe`).

Deviations: the sliding-DFT mode (an overlap below ksmps or of 10 samples or
less) is not implemented and raises an InitError; the FFTs are radix-2 (or a
plain DFT for other sizes) rather than Csound's fftlib, so frames agree with
Csound's to float32 rounding rather than bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import FS_COUNT, FS_N, FS_OVERLAP, FSIG_HEADER
from ..errors import InitError
from ._registry import State, defop, f64, i64

H = FSIG_HEADER
TWOPI = 2.0 * math.pi
PVS_AMP_FREQ, PVS_AMP_PHASE = 0, 1


@helper
def _f32(x):
    """Round to float32, as a store into Csound's float frame does."""
    return float(np.float32(x))


# ------------------------------------------------------------------ FFT
def _twiddles(n: int) -> np.ndarray:
    """exp(-2 pi i m / n) for m < n: the table every transform of size n uses."""
    return np.exp(-2j * np.pi * np.arange(n) / n)


@helper
def _fft(x, tw, inverse):
    """In-place complex DFT of x (radix 2 when len(x) is a power of two)."""
    n = x.shape[0]
    if n & (n - 1) == 0:
        j = 0
        for i in range(1, n):
            bit = n >> 1
            while j & bit:
                j ^= bit
                bit >>= 1
            j |= bit
            if i < j:
                x[i], x[j] = x[j], x[i]
        length = 2
        while length <= n:
            half = length >> 1
            step = n // length
            for start in range(0, n, length):
                for k in range(half):
                    w = tw[k * step]
                    if inverse:
                        w = w.conjugate()
                    u = x[start + k]
                    v = x[start + k + half] * w
                    x[start + k] = u + v
                    x[start + k + half] = u - v
            length <<= 1
    else:
        tmp = x.copy()
        for k in range(n):
            acc = 0j
            for m in range(n):
                w = tw[(m * k) % n]
                if inverse:
                    w = w.conjugate()
                acc += tmp[m] * w
            x[k] = acc


@helper
def _rfft(buf, work, tw, n):
    """Real FFT of buf[:n] into buf[:n+2] as (re, im) pairs, bins 0..n/2, unscaled."""
    for i in range(n):
        work[i] = buf[i]
    _fft(work, tw, False)
    for k in range(n // 2 + 1):
        buf[2 * k] = work[k].real
        buf[2 * k + 1] = work[k].imag
    buf[1] = 0.0
    buf[n + 1] = 0.0


@helper
def _irfft(buf, work, tw, n):
    """Inverse of _rfft, scaled by 1/n (Csound's inverse real FFT); writes buf[:n]."""
    work[0] = buf[0]
    work[n // 2] = buf[n]
    for k in range(1, n // 2):
        c = complex(buf[2 * k], buf[2 * k + 1])
        work[k] = c
        work[n - k] = c.conjugate()
    _fft(work, tw, True)
    for i in range(n):
        buf[i] = work[i].real / n


# ------------------------------------------------------------------ windows
def _besseli(x: float) -> float:
    """Modified Bessel function I0, the polynomial approximation of OOps/pvsanal.c."""
    ax = abs(x)
    if ax < 3.75:
        y = (x / 3.75) ** 2
        return 1.0 + y * (3.5156229 + y * (3.0899424 + y * (1.2067492 + y * (
            0.2659732 + y * (0.360768e-1 + y * 0.45813e-2)))))
    y = 3.75 / ax
    return (math.exp(ax) / math.sqrt(ax)) * (0.39894228 + y * (0.1328592e-1 + y * (
        0.225319e-2 + y * (-0.157565e-2 + y * (0.916281e-2 + y * (-0.2057706e-1 + y * (
            0.2635537e-1 + y * (-0.1647633e-1 + y * 0.392377e-2))))))))


def _half_window(ic, wintype: int, winlen: int) -> np.ndarray:
    """The half window (centre first, winlen//2 + 1 values) of PVS_CreateWindow."""
    n = winlen >> 1
    even = (winlen + 1) & 1
    buf = np.zeros(n + 1)
    if wintype in (0, 1):
        a, b = (0.54, 0.46) if wintype == 0 else (0.5, 0.5)
        ftmp = math.pi / n
        if even:
            for i in range(n):
                buf[i] = a + b * math.cos(ftmp * (i + 0.5))
        else:
            buf[0] = 1.0
            for i in range(1, n + 1):
                buf[i] = a + b * math.cos(ftmp * i)
    elif wintype == 2:
        beta = 6.8
        flen2 = 1.0 / (float(n) * float(n))
        besbeta = 1.0 / _besseli(beta)
        x = 0.5 if even else 0.05  # compat: Csound's odd-length Kaiser starts at 0.05
        for i in range(n):
            buf[i] = _besseli(beta * math.sqrt(1.0 - x * x * flen2)) * besbeta
            x += 1.0
    elif wintype >= 0:
        raise InitError("invalid window type")
    else:
        table = ic.engine.tables.get(-wintype)
        if table is None:
            raise InitError("ftable for window not found")
        ft, flen = table.data, table.size
        inc = flen / float(winlen & ~1)
        fpos = (flen + even * inc) * 0.5
        for i in range(n):
            pos = int(fpos)
            frac = fpos - pos
            buf[i] = ft[pos] + (ft[pos + 1] - ft[pos]) * frac
            fpos += inc
        buf[n] = 0.0 if even else ft[flen]
    return buf


def _full_window(half: np.ndarray, m: int) -> np.ndarray:
    """Mirror a half window into 2*(m//2)+1 values, centre at index m//2."""
    hw = m // 2
    mf = 1 - m % 2
    win = np.zeros(2 * hw + 1)
    win[hw:] = half
    for i in range(1, hw + 1):
        win[hw - i] = win[hw + i - mf]
    return win


def _sinc_shape(win: np.ndarray, m: int, d: float) -> None:
    """Multiply a window longer than the FFT by Csound's sinc taper of period d."""
    hw = m // 2
    mf = 1 - m % 2
    if mf:
        win[hw] *= d * math.sin(math.pi / 2 / d) / (math.pi / 2)
    for i in range(1, hw + 1):
        win[hw + i] *= d * math.sin(math.pi * (i + 0.5 * mf) / d) / (math.pi * (i + 0.5 * mf))
    for i in range(1, hw + 1):
        win[hw - i] = win[hw + i - mf]


def _analysis_window(ic, wintype: int, m: int, n: int) -> np.ndarray:
    """Analysis window normalised to a sum of 2 (OOps/pvsanal.c pvsanalset)."""
    win = _full_window(_half_window(ic, wintype, m), m)
    if m > n:
        _sinc_shape(win, m, float(n))
    total = 0.0
    for v in win:
        total += v
    return win * (2.0 / total)


def _synthesis_window(ic, wintype: int, m: int, n: int, overlap: int) -> np.ndarray:
    """Synthesis window for overlap-add (OOps/pvsanal.c pvsynthset)."""
    hw = m // 2
    if m <= n:
        win = _full_window(_half_window(ic, wintype, m), m)
        total = 0.0
        for v in win:
            total += v
        win = win * (2.0 / total)
        total = 0.0
        for i in range(0, 2 * hw + 1, overlap):
            total += win[i] * win[i]
    else:
        # compat: the scale comes from the analysis window's sum, not the synthesis one
        awin = _full_window(_half_window(ic, wintype, m), m)
        _sinc_shape(awin, m, float(n))
        total = 0.0
        for v in awin:
            total += v
        total = 2.0 / total
        win = _full_window(_half_window(ic, wintype, m), m)
        _sinc_shape(win, m, float(overlap))
    return win * (1.0 / total)


# ------------------------------------------------------------------ shared helpers
def _check_sliding(overlap: int, ic) -> None:
    if overlap < ic.ksmps or overlap <= 10:
        raise InitError("pvs: sliding-DFT mode (overlap < ksmps or <= 10) is not supported")


def _like(fout, fin, fmt: int | None = None) -> None:
    """Give fout fin's format, with Csound's initial framecount of 1."""
    fout.allocate(fin.N, fin.overlap, fin.winsize, fin.wintype,
                  fin.format if fmt is None else fmt)
    fout.buf[FS_COUNT] = 1.0


def _require_amp(fin, name: str, phase_ok: bool = True) -> None:
    fmt = fin.format
    if not (fmt == PVS_AMP_FREQ or (phase_ok and fmt == PVS_AMP_PHASE)):
        what = "amp-phase or amp-freq" if phase_ok else "amp-freq"
        raise InitError(f"{name}: signal format must be {what}.")


def _require_same(fa, fb, name: str) -> None:
    if fa.N != fb.N or fa.overlap != fb.overlap or fa.winsize != fb.winsize \
            or fa.wintype != fb.wintype or fa.format != fb.format:
        raise InitError(f"{name}: formats are different.")


LAST = State(lastframe=f64)


def _last_init(s) -> None:
    s.lastframe = 0.0


# ------------------------------------------------------------------ pvsanal
ANAL = State(inptr=i64, ni=i64, nextin=i64, rovertwopi=f64, fexact=f64)


def pvsanal_init(s, ic, fsig, ain, ifftsize, ioverlap, iwinsize, iwintype, iformat, iinit):
    n = int(ifftsize)
    overlap = int(ioverlap)
    m = int(iwinsize)
    wintype = int(iwintype)
    _check_sliding(overlap, ic)
    if n <= 32:
        raise InitError("pvsanal: fftsize of 32 is too small!\n")
    n += n % 2
    if m < n:
        ic.warning("pvsanal: window size too small for fftsize")
        m = n
    if overlap > n // 2:
        raise InitError("pvsanal: overlap too big for fft size\n")
    half = m // 2
    win = _analysis_window(ic, wintype, m, n)
    arate = float(np.float32(ic.sr / overlap))
    s.rovertwopi = float(np.float32(arate / TWOPI))
    s.fexact = float(np.float32(ic.sr / n))
    s.ni = -(half // overlap) * overlap
    s.inptr = 0
    s.nextin = 0
    fsig.allocate(n, overlap, m, wintype, PVS_AMP_FREQ)
    fsig.buf[FS_COUNT] = 1.0
    return (np.zeros(4 * m), np.zeros(overlap), np.zeros(n + 2), win,
            np.zeros(n // 2 + 1), np.zeros(n, np.complex128), _twiddles(n))


@helper
def _anal_frame(s, inp, obuf, anal, win, oldph, work, tw, fsig):
    """Window the last winsize samples, FFT them and convert to amp/freq."""
    n = int(fsig[FS_N])
    overlap = obuf.shape[0]
    buflen = inp.shape[0]
    half = win.shape[0] // 2
    nxt = s.nextin
    for i in range(overlap):
        inp[nxt] = obuf[i]
        nxt += 1
        if nxt >= buflen:
            nxt -= buflen
    s.nextin = nxt
    for i in range(n + 2):
        anal[i] = 0.0
    j = (s.ni - half - 1 + buflen) % buflen
    k = s.ni - half - 1
    while k < 0:
        k += n
    k = k % n
    for i in range(-half, half + 1):
        j += 1
        if j >= buflen:
            j -= buflen
        k += 1
        if k >= n:
            k -= n
        anal[k] += win[half + i] * inp[j]
    _rfft(anal, work, tw, n)
    for i in range(n // 2 + 1):
        re = anal[2 * i]
        im = anal[2 * i + 1]
        mag = math.hypot(re, im)
        anal[2 * i] = mag
        if mag < 1.0e-10:
            dif = 0.0
        else:
            ph = math.atan2(im, re)
            dif = ph - oldph[i]
            oldph[i] = ph
        if dif > math.pi:
            dif -= TWOPI
        if dif < -math.pi:
            dif += TWOPI
        anal[2 * i + 1] = dif * s.rovertwopi + i * s.fexact
    for i in range(n + 2):
        fsig[H + i] = _f32(anal[i])
    s.ni += overlap


@kernel
def pvsanal_perf(s, ctx, inp, obuf, anal, win, oldph, work, tw, fsig, ain, ifftsize,
                 ioverlap, iwinsize, iwintype, iformat, iinit, n0, n1):
    """pvsanal: streaming phase-vocoder analysis, one frame every overlap samples."""
    overlap = obuf.shape[0]
    for n in range(n0, n1):
        if s.inptr == overlap:
            _anal_frame(s, inp, obuf, anal, win, oldph, work, tw, fsig)
            fsig[FS_COUNT] += 1.0
            s.inptr = 0
        obuf[s.inptr] = ain[n]
        s.inptr += 1


defop("pvsanal", "f", "aiiiioo", ANAL, pvsanal_init, pvsanal_perf,
      arrays=("input", "overlapbuf", "analbuf", "window", "oldphase", "work", "twiddles"))


# ------------------------------------------------------------------ pvsynth
SYNTH = State(outptr=i64, no=i64, nextout=i64, ioi=i64, bin_index=i64, twopiover=f64,
              fexact=f64)


def pvsynth_init(s, ic, aout, fsig, iinit):
    n, overlap, m = fsig.N, fsig.overlap, fsig.winsize
    if n <= 0:
        raise InitError("pvsynth: signal not initialised")
    _check_sliding(overlap, ic)
    win = _synthesis_window(ic, fsig.wintype, m, n, overlap)
    arate = ic.sr / overlap
    s.twopiover = TWOPI / arate
    s.fexact = ic.sr / n
    s.no = -((m // 2) // overlap) * overlap
    s.outptr = s.nextout = s.ioi = 0
    s.bin_index = 0
    return (np.zeros(4 * m), np.zeros(overlap), np.zeros(n + 2), win, np.zeros(n // 2 + 1),
            np.zeros(n, np.complex128), _twiddles(n))


@helper
def _synth_frame(s, out, obuf, syn, win, oldph, work, tw, fsig):
    """Convert amp/freq to a spectrum, inverse FFT, window and overlap-add."""
    n = int(fsig[FS_N])
    overlap = obuf.shape[0]
    buflen = out.shape[0]
    half = win.shape[0] // 2
    n2 = n // 2
    for i in range(n + 2):
        syn[i] = fsig[H + i]
    for i in range(n2 + 1):
        mag = syn[2 * i]
        dif = s.twopiover * (syn[2 * i + 1] - i * s.fexact)
        ph = oldph[i] + dif
        if i == s.bin_index:
            ph = np.fmod(ph, TWOPI)
        oldph[i] = ph
        syn[2 * i] = mag * math.cos(ph)
        syn[2 * i + 1] = mag * math.sin(ph)
    s.bin_index += 1
    if s.bin_index == n2 + 1:
        s.bin_index = 0
    _irfft(syn, work, tw, n)
    syn[n] = 0.0
    syn[n + 1] = 0.0
    j = s.no - half - 1
    while j < 0:
        j += buflen
    j = j % buflen
    k = s.no - half - 1
    while k < 0:
        k += n
    k = k % n
    for i in range(-half, half + 1):
        j += 1
        if j >= buflen:
            j -= buflen
        k += 1
        if k >= n:
            k -= n
        out[j] += syn[k] * win[half + i]
    nxt = s.nextout
    for i in range(s.ioi):
        obuf[i] = out[nxt]
        out[nxt] = 0.0
        nxt += 1
        if nxt >= buflen:
            nxt -= buflen
    s.nextout = nxt
    s.no += overlap
    if s.no > half + overlap:
        s.ioi = overlap
    elif s.no > half:
        s.ioi = s.no - half
    else:
        s.ioi = 0
        for i in range(max(s.no + half, 1), buflen):
            out[i] = 0.0


@kernel
def pvsynth_perf(s, ctx, out, obuf, syn, win, oldph, work, tw, aout, fsig, iinit, n0, n1):
    """pvsynth: streaming phase-vocoder resynthesis by weighted overlap-add."""
    overlap = obuf.shape[0]
    for n in range(n0, n1):
        if s.outptr == overlap:
            _synth_frame(s, out, obuf, syn, win, oldph, work, tw, fsig)
            s.outptr = 0
        aout[n] = obuf[s.outptr]
        s.outptr += 1


defop("pvsynth", "a", "fo", SYNTH, pvsynth_init, pvsynth_perf,
      arrays=("output", "overlapbuf", "synbuf", "window", "oldphase", "work", "twiddles"))
