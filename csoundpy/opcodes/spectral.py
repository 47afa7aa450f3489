"""Streaming phase vocoder (pvs) opcodes: analysis, resynthesis and frame processing.

Follows Csound 6.18's OOps/pvsanal.c (pvsanal, pvsynth: the CARL phase vocoder
in streaming form), OOps/pstream.c (pvsadsyn, pvscross, pvsmaska, pvsftw,
pvsftr, pvsinfo, pvsfread), Opcodes/pvsbasic.c (pvsinit, pvsgain, pvscale, pvshift,
pvsmix, pvsfilter, pvsblur, pvsmooth, pvsfreeze, pvsosc, pvsbin, pvsfwrite,
pvsdiskin) and Opcodes/pvsbuffer.c (pvsbuffer, pvsbufread, pvsbufread2).  PVOC-EX
files are read and written as OOps/pvfileio.c and Engine/memfiles.c do.

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
import struct

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import FS_COUNT, FS_N, FS_OVERLAP, FS_SLIDING, FSIG_HEADER
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
    fsig.frame[:] = 0.0  # pvsanalset reallocates the frame, so a reused note starts silent
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


# ------------------------------------------------------------------ pvsadsyn
ADSYN = State(outptr=i64, startbin=i64, binoffset=i64, maxosc=i64, one_over_overlap=f64)


def pvsadsyn_init(s, ic, aout, fsig, inoscs, kfmod, ibin, ibinoffset, iinit):
    n = fsig.N
    _check_sliding(fsig.overlap, ic)
    noscs = n // 2 + 1
    n_oscs = int(inoscs)
    if n_oscs <= 0:
        ic.warning("pvadsyn: bad value for inoscs\n")  # compat: Csound carries on
    if fsig.format != PVS_AMP_FREQ:
        raise InitError("pvadsyn: format must be amp-freq (0).\n")
    startbin, binoffset = int(ibin), int(ibinoffset)
    if startbin < 0 or startbin > noscs:
        raise InitError("pvsadsyn: ibin parameter out of range.\n")
    if startbin + n_oscs > noscs:
        raise InitError("pvsadsyn: ibin + inoscs too large.\n")
    s.maxosc = startbin + n_oscs * binoffset
    if s.maxosc > noscs:
        raise InitError("pvsadsyn: ibin + (inoscs * ibinoffset) too large.")
    s.startbin, s.binoffset = startbin, binoffset
    s.outptr = 0
    s.one_over_overlap = float(np.float32(1.0 / fsig.overlap))
    # oscillator bank: a, x, y, amps, lastamps, freqs
    bank = np.zeros((6, noscs))
    bank[1] = 1.0
    return bank, np.zeros(fsig.overlap)


@helper
def _adsyn_frame(s, ctx, bank, obuf, fsig, ffac):
    """Update the oscillator bank from the frame and fill one overlap of output."""
    a, x, y, amps, lastamps, freqs = bank[0], bank[1], bank[2], bank[3], bank[4], bank[5]
    overlap = obuf.shape[0]
    nyquist = ctx.sr * 0.5
    for j in range(overlap):
        obuf[j] = 0.0
    for i in range(s.startbin, s.maxosc, s.binoffset):
        amps[i] = fsig[H + 2 * i]
        freqs[i] = ffac * abs(fsig[H + 2 * i + 1])
        if freqs[i] > nyquist:
            amps[i] = 0.0
        a[i] = 2.0 * math.sin(freqs[i] * ctx.pidsr)
    for i in range(s.startbin, s.maxosc, s.binoffset):
        amp = lastamps[i]
        delta = (amps[i] - amp) * s.one_over_overlap
        ai, xi, yi = a[i], x[i], y[i]
        for j in range(overlap):
            xi = xi - ai * yi
            yi = yi + ai * xi
            if yi < -1.0:
                yi = -1.0
            if yi > 1.0:
                yi = 1.0
            obuf[j] += amp * yi
            amp += delta
        x[i], y[i] = xi, yi
        lastamps[i] = amps[i]


@kernel
def pvsadsyn_perf(s, ctx, bank, obuf, aout, fsig, inoscs, kfmod, ibin, ibinoffset, iinit,
                  n0, n1):
    """pvsadsyn: resynthesis of amp/freq frames with a bank of sine oscillators."""
    overlap = obuf.shape[0]
    for n in range(n0, n1):
        if s.outptr == overlap:
            _adsyn_frame(s, ctx, bank, obuf, fsig, at(kfmod, 0))
            s.outptr = 0
        aout[n] = obuf[s.outptr]
        s.outptr += 1


defop("pvsadsyn", "a", "fikopo", ADSYN, pvsadsyn_init, pvsadsyn_perf,
      arrays=("bank", "outbuf"))


# ------------------------------------------------------------------ pvsinit, pvsosc
def _init_format(fout, ic, iframesize, iolap, iwinsize, iwintype, iformat):
    n = int(iframesize)
    overlap = int(iolap) if iolap else n // 4
    winsize = int(iwinsize) if iwinsize else n
    fout.allocate(n, overlap, winsize, int(iwintype), int(iformat))
    return n, overlap


def pvsinit_init(s, ic, fout, isize, iolap, iwinsize, iwintype, iformat):
    n, overlap = _init_format(fout, ic, isize, iolap, iwinsize, iwintype, iformat)
    _check_sliding(overlap, ic)
    fout.buf[FS_COUNT] = 1.0
    frame = fout.frame
    for i in range(0, n + 2, 2):
        # compat: Csound writes bin * N / sr, not bin * sr / N
        frame[i + 1] = float(np.float32((i >> 1) * n * (1.0 / ic.sr)))


defop("pvsinit", "f", "ioopo", LAST, pvsinit_init, None)

OSC = State(lastframe=f64, incr=f64)


def pvsosc_init(s, ic, fout, ka, kf, ktype, isize, iolap, iwinsize, iwintype, iformat):
    n, overlap = _init_format(fout, ic, isize, iolap, iwinsize, iwintype, iformat)
    if overlap < ic.ksmps or overlap <= 10:
        raise InitError("pvsosc does not work while sliding")
    frame = fout.frame
    for j in range(n // 2 + 1):
        frame[2 * j + 1] = float(np.float32(j * n * (1.0 / ic.sr)))
    s.lastframe = 1.0
    s.incr = ic.ksmps / overlap


@kernel
def pvsosc_perf(s, ctx, fout, ka, kf, ktype, isize, iolap, iwinsize, iwintype, iformat,
                n0, n1):
    """pvsosc: frames of a band-limited periodic waveform (Opcodes/pvsbasic.c)."""
    famp = at(ka, 0)
    ffun = at(kf, 0)
    wtype = int(round(at(ktype, 0)))
    n = int(fout[FS_N])
    size = n + 2
    if s.lastframe > fout[FS_COUNT]:
        w = ctx.sr / n
        harm = int(ctx.sr / (2 * ffun))
        if wtype == 1:
            famp *= 1.456 / harm ** (1.0 / 2.4)
        elif wtype == 2:
            famp *= 1.456 / harm ** 0.25
        elif wtype == 3:
            famp *= 1.456 / harm ** (1.0 / 160.0)
        else:
            harm = 1
            famp *= 1.456
        for i in range(size):
            fout[H + i] = 0.0
        m = 1
        while m <= harm:
            amp = _f32(famp / harm) if wtype == 3 else _f32(famp / m)
            freq = _f32(ffun * m)
            cfbin = freq / w
            cbin = int(round(cfbin))
            if cbin != 0:
                i = cbin - 1
                while i < cbin + 3 and i < size // 2:
                    a = 1.0 if i - cfbin == 0 else math.sin(i - cfbin) / (i - cfbin)
                    fout[H + 2 * i] = _f32(amp * a * a * a)
                    fout[H + 2 * i + 1] = freq
                    i += 1
                if wtype == 2:
                    m += 1
            m += 1
        fout[FS_COUNT] = s.lastframe
    # compat: Csound doubles the increment each block instead of adding ksmps/overlap
    s.incr += s.incr
    if s.incr > 1:
        s.incr = ctx.ksmps / fout[FS_OVERLAP]
        s.lastframe += 1.0


defop("pvsosc", "f", "kkkioopo", OSC, pvsosc_init, pvsosc_perf)


# ------------------------------------------------------------------ pvsinfo, pvsbin
def pvsinfo_init(s, ic, ioverlap, inumbins, iwinsize, iformat, fsrc):
    ioverlap[0] = fsrc.overlap
    inumbins[0] = fsrc.N // 2 + 1
    iwinsize[0] = fsrc.winsize
    iformat[0] = fsrc.format


defop("pvsinfo", "iiii", "f", LAST, pvsinfo_init, None)


def pvsbin_init(s, ic, kamp, kfreq, fin, kbin):
    _last_init(s)


@kernel
def pvsbin_perf(s, ctx, kamp, kfreq, fin, kbin, n0, n1):
    """pvsbin: amplitude and frequency of one bin."""
    if s.lastframe < fin[FS_COUNT]:
        size = int(fin[FS_N]) + 2
        pos = int(at(kbin, 0) * 2)  # compat: a fractional bin can land on a frequency
        if 0 <= pos < size:
            kamp[0] = fin[H + pos]
            kfreq[0] = fin[H + pos + 1]
        s.lastframe = fin[FS_COUNT]


defop("pvsbin", "kk", "fk", LAST, pvsbin_init, pvsbin_perf)


# ------------------------------------------------------------------ frame processors
@helper
def _same_format(fa, fb):
    for i in range(FS_N, FS_N + 6):
        if fa[i] != fb[i]:
            return False
    return True


def _processor_init(name, phase_ok=True):
    """Init of a one-input frame processor: fout takes fin's format."""
    def init(s, ic, fout, fin, *args):
        _like(fout, fin)
        _last_init(s)
        _require_amp(fout, name, phase_ok)
    init.__name__ = f"{name}_init"
    return init


@kernel
def pvsgain_perf(s, ctx, fout, fa, kgain, n0, n1):
    """pvsgain: scale the amplitudes of a frame."""
    if s.lastframe < fa[FS_COUNT]:
        g = at(kgain, 0)
        for i in range(H, H + int(fa[FS_N]) + 2, 2):
            fout[i] = _f32(fa[i] * g)
            fout[i + 1] = fa[i + 1]
        fout[FS_COUNT] = fa[FS_COUNT]
        s.lastframe = fa[FS_COUNT]


defop("pvsgain", "f", "fk", LAST, _processor_init("pvsgain"), pvsgain_perf)


def pvscross_init(s, ic, fout, fsrc, fdest, kamp1, kamp2):
    if not _same(fsrc, fdest):
        raise InitError("pvscross: source and dest signals must have same format\n")
    _like(fout, fsrc)
    _last_init(s)


def _same(fa, fb) -> bool:
    return bool(_same_format(fa.buf, fb.buf))


@kernel
def pvscross_perf(s, ctx, fout, fsrc, fdest, kamp1, kamp2, n0, n1):
    """pvscross: source frequencies with a mix of source and destination amplitudes."""
    if not _same_format(fout, fsrc):
        raise RuntimeError("pvscross: mismatch in fsrc format\n")
    if not _same_format(fout, fdest):
        raise RuntimeError("pvscross: mismatch in fdest format\n")
    if s.lastframe < fsrc[FS_COUNT]:
        amp1 = abs(at(kamp1, 0))
        amp2 = abs(at(kamp2, 0))
        for i in range(H, H + int(fsrc[FS_N]) + 2, 2):
            fout[i] = _f32(fsrc[i] * amp1 + fdest[i] * amp2)
            fout[i + 1] = fsrc[i + 1]
        fout[FS_COUNT] = fsrc[FS_COUNT]
        s.lastframe = fsrc[FS_COUNT]


defop("pvscross", "f", "ffkk", LAST, pvscross_init, pvscross_perf)

MASKA = State(lastframe=f64, nwarned=i64, pwarned=i64)


def pvsmaska_init(s, ic, fout, fsrc, ifn, kdepth):
    # compat: Csound's test rejects every format but amp-freq despite its message
    if fsrc.format != PVS_AMP_FREQ:
        raise InitError("pvsmaska: signal format must be amp-phase or amp-freq.")
    _like(fout, fsrc)
    _last_init(s)
    table = ic.table(ifn)
    if table.size + 1 < fsrc.N // 2 + 1:
        raise InitError("pvsmaska: ftable too small.\n")
    np.maximum(table.data, 0.0, out=table.data)
    s.nwarned = s.pwarned = 0
    return (table.data,)


@kernel
def pvsmaska_perf(s, ctx, ftable, fout, fsrc, ifn, kdepth, n0, n1):
    """pvsmaska: shape frame amplitudes by a table, with a depth."""
    depth = _f32(at(kdepth, 0))
    if depth < 0.0:
        depth = 0.0
    if depth > 1.0:
        depth = 1.0
    depth = _f32(1.0 - depth)
    margin = _f32(1.0 - depth)
    if s.lastframe < fsrc[FS_COUNT]:
        for i in range(int(fsrc[FS_N]) // 2 + 1):
            amp = depth + margin * ftable[i]
            fout[H + 2 * i] = _f32(fsrc[H + 2 * i] * amp)
            fout[H + 2 * i + 1] = fsrc[H + 2 * i + 1]
        fout[FS_COUNT] = fsrc[FS_COUNT]
        s.lastframe = fsrc[FS_COUNT]


defop("pvsmaska", "f", "fik", MASKA, pvsmaska_init, pvsmaska_perf, arrays=("ftable",))


@kernel
def pvsmix_perf(s, ctx, fout, fa, fb, n0, n1):
    """pvsmix: per bin, the (amp, freq) pair of the louder input."""
    if not _same_format(fa, fb):
        raise RuntimeError("pvsmix: formats are different.")
    if s.lastframe < fa[FS_COUNT]:
        for i in range(H, H + int(fa[FS_N]) + 2, 2):
            if fa[i] >= fb[i]:
                fout[i], fout[i + 1] = fa[i], fa[i + 1]
            else:
                fout[i], fout[i + 1] = fb[i], fb[i + 1]
        fout[FS_COUNT] = fa[FS_COUNT]
        s.lastframe = fa[FS_COUNT]


defop("pvsmix", "f", "ff", LAST, _processor_init("pvsmix"), pvsmix_perf)


def pvsfilter_init(s, ic, fout, fin, fil, kdepth, igain):
    _like(fout, fin)
    _last_init(s)
    _require_amp(fout, "pvsfilter")


@kernel
def pvsfilter_perf(s, ctx, fout, fin, fil, kdepth, igain, n0, n1):
    """pvsfilter: multiply frame amplitudes by those of a filter signal."""
    if not _same_format(fin, fil):
        raise RuntimeError("pvsfilter: formats are different.")
    if s.lastframe < fin[FS_COUNT]:
        g = _f32(at(igain, 0))
        depth = at(kdepth, 0)
        depth = (depth if depth <= 1 else 1.0) if depth >= 0 else 0.0
        dirgain = 1 - depth
        for i in range(H, H + int(fin[FS_N]) + 2, 2):
            fout[i] = _f32(_f32(fin[i] * (dirgain + fil[i] * depth)) * g)
            fout[i + 1] = fin[i + 1]
        fout[FS_COUNT] = fin[FS_COUNT]
        s.lastframe = fin[FS_COUNT]


defop("pvsfilter", "f", "ffxp", LAST, pvsfilter_init, pvsfilter_perf)


def _frame_aux_init(name, value=0.0):
    """Init of a processor keeping one frame of its own (freeze, smoothing)."""
    base = _processor_init(name)

    def init(s, ic, fout, fin, *args):
        base(s, ic, fout, fin)
        return (np.full(fin.N + 2, value),)
    init.__name__ = f"{name}_init"
    return init


@kernel
def pvsfreeze_perf(s, ctx, freez, fout, fin, kfra, kfrf, n0, n1):
    """pvsfreeze: hold amplitudes and/or frequencies while the freeze flags are >= 1."""
    if s.lastframe < fin[FS_COUNT]:
        fra = at(kfra, 0)
        frf = at(kfrf, 0)
        for i in range(0, int(fin[FS_N]) + 2, 2):
            if fra < 1:
                freez[i] = fin[H + i]
            if frf < 1:
                freez[i + 1] = fin[H + i + 1]
            fout[H + i] = freez[i]
            fout[H + i + 1] = freez[i + 1]
        fout[FS_COUNT] = fin[FS_COUNT]
        s.lastframe = fin[FS_COUNT]


defop("pvsfreeze", "f", "fkk", LAST, _frame_aux_init("pvsfreeze"), pvsfreeze_perf,
      arrays=("freez",))


@helper
def _smooth_coef(cutoff):
    c = 0.0 if cutoff < 0.0 else (1.0 if cutoff > 1.0 else cutoff)
    costh = 2.0 - math.cos(math.pi * c)
    return math.sqrt(costh * costh - 1.0) - costh


@kernel
def pvsmooth_perf(s, ctx, dl, fout, fin, kfra, kfrf, n0, n1):
    """pvsmooth: one-pole low-pass smoothing of amplitudes and frequencies across frames."""
    if s.lastframe < fin[FS_COUNT]:
        coef1 = _smooth_coef(at(kfra, 0))
        coef2 = _smooth_coef(at(kfrf, 0))
        for i in range(0, int(fin[FS_N]) + 2, 2):
            a = _f32(fin[H + i] * (1.0 + coef1) - dl[i] * coef1)
            f = _f32(fin[H + i + 1] * (1.0 + coef2) - dl[i + 1] * coef2)
            fout[H + i], fout[H + i + 1] = a, f
            dl[i], dl[i + 1] = a, f
        fout[FS_COUNT] = fin[FS_COUNT]
        s.lastframe = fin[FS_COUNT]


defop("pvsmooth", "f", "fxx", LAST, _frame_aux_init("pvsmooth"), pvsmooth_perf,
      arrays=("del",))

BLUR = State(lastframe=f64, frpsec=f64, count=i64)


def pvsblur_init(s, ic, fout, fin, kdel, imaxdel):
    _check_sliding(fin.overlap, ic)
    n = fin.N
    _like(fout, fin)
    s.frpsec = ic.sr / fin.overlap
    delayframes = int(imaxdel * s.frpsec)
    delay = np.zeros(max(delayframes, 1) * (n + 2))
    for j in range(delayframes):
        for i in range(0, n + 2, 2):
            # compat: Csound fills in i * sr / N with i the frame index, twice the bin
            delay[j * (n + 2) + i + 1] = float(np.float32(i * ic.sr / n))
    _last_init(s)
    s.count = 0
    return (delay,)


@kernel
def pvsblur_perf(s, ctx, delay, fout, fin, kdel, imaxdel, n0, n1):
    """pvsblur: average of the frames over the last kdel seconds."""
    if s.lastframe < fin[FS_COUNT]:
        size = int(fin[FS_N]) + 2
        delayframes = int(at(kdel, 0) * s.frpsec)
        kd = delayframes * size
        mdel = int(at(imaxdel, 0) * s.frpsec) * size
        kd = (kd if kd < mdel else mdel - size) if kd >= 0 else 0
        countr = s.count
        for i in range(0, size, 2):
            delay[countr + i] = fin[H + i]
            delay[countr + i + 1] = fin[H + i + 1]
            if kd:
                first = countr - kd
                if first < 0:
                    first += mdel
                amp = 0.0
                freq = 0.0
                j = first
                while j != countr:
                    amp += delay[j + i]
                    freq += delay[j + i + 1]
                    j = (j + size) % mdel
                fout[H + i] = _f32(amp / delayframes)
                fout[H + i + 1] = _f32(freq / delayframes)
            else:
                fout[H + i] = fin[H + i]
                fout[H + i + 1] = fin[H + i + 1]
        fout[FS_COUNT] = fin[FS_COUNT]
        s.lastframe = fin[FS_COUNT]
        countr += size
        s.count = countr if countr < mdel else 0


defop("pvsblur", "f", "fki", BLUR, pvsblur_init, pvsblur_perf, arrays=("delframes",))


# ------------------------------------------------------------------ pvsftw, pvsftr
def _nbins_table(ic, fn, nbins, what):
    table = ic.table(fn)
    if table.size + 1 < nbins:
        raise InitError(what)
    return table.data


def pvsftw_init(s, ic, kflag, fsrc, ifna, ifnf):
    _last_init(s)
    if fsrc.format not in (PVS_AMP_FREQ, PVS_AMP_PHASE):
        raise InitError("pvsftw: signal format must be amp-phase or amp-freq.\n")
    if ifna < 1.0:
        raise InitError("pvsftw: bad value for ifna.\n")
    if ifnf < 0.0:
        raise InitError("pvsftw: bad value for ifnf.\n")
    nbins = fsrc.N // 2 + 1
    _check_sliding(fsrc.overlap, ic)
    amps = _nbins_table(ic, ifna, nbins, "pvsftw: amps ftable too small.\n")
    amps[:nbins] = fsrc.frame[0:2 * nbins:2]
    freqs = np.zeros(0)
    if int(ifnf) >= 1:
        freqs = _nbins_table(ic, ifnf, nbins, "pvsftw: freqs ftable too small.\n")
        freqs[:nbins] = fsrc.frame[1:2 * nbins:2]
    return amps, freqs


@kernel
def pvsftw_perf(s, ctx, amps, freqs, kflag, fsrc, ifna, ifnf, n0, n1):
    """pvsftw: copy each new frame's amplitudes (and frequencies) into tables."""
    if s.lastframe < fsrc[FS_COUNT]:
        for i in range(int(fsrc[FS_N]) // 2 + 1):
            amps[i] = fsrc[H + 2 * i]
            if freqs.shape[0]:
                freqs[i] = fsrc[H + 2 * i + 1]
        s.lastframe = fsrc[FS_COUNT]
        kflag[0] = 1.0
    else:
        kflag[0] = 0.0


defop("pvsftw", "k", "fio", LAST, pvsftw_init, pvsftw_perf, arrays=("amps", "freqs"),
      flags=("table_write",))


def pvsftr_init(s, ic, fdest, ifna, ifnf):
    _last_init(s)
    nbins = fdest.N // 2 + 1
    if fdest.format != PVS_AMP_FREQ:  # compat: same inverted test as pvsmaska
        raise InitError("pvsftr: signal format must be amp-phase or amp-freq.\n")
    if ifna < 0.0:
        raise InitError("pvsftr: bad value for ifna.\n")
    if ifnf < 0.0:
        raise InitError("pvsftr: bad value for ifnf.\n")
    amps = freqs = np.zeros(0)
    if int(ifna) != 0:
        amps = _nbins_table(ic, ifna, nbins, "pvsftr: amps ftable too small.\n")
    _check_sliding(fdest.overlap, ic)
    frame = fdest.frame
    if amps.shape[0]:
        frame[0:2 * nbins:2] = amps[:nbins].astype(np.float32)
    if int(ifnf) >= 1:
        freqs = _nbins_table(ic, ifnf, nbins, "pvsftr: freqs ftable too small.\n")
        frame[1:2 * nbins:2] = freqs[:nbins].astype(np.float32)
    return amps, freqs


@kernel
def pvsftr_perf(s, ctx, amps, freqs, fdest, ifna, ifnf, n0, n1):
    """pvsftr: overwrite each new frame's amplitudes (and frequencies) from tables."""
    if s.lastframe < fdest[FS_COUNT]:
        for i in range(int(fdest[FS_N]) // 2 + 1):
            if amps.shape[0]:
                fdest[H + 2 * i] = _f32(amps[i])
            if freqs.shape[0]:
                fdest[H + 2 * i + 1] = _f32(freqs[i])
        s.lastframe = fdest[FS_COUNT]


defop("pvsftr", "", "fio", LAST, pvsftr_init, pvsftr_perf, arrays=("amps", "freqs"))


# ------------------------------------------------------------------ pvscale, pvshift
@helper
def _packed_rfft(buf, work, tw, n):
    """Real FFT of buf[:n] in Csound's packed order (DC, Nyquist, re1, im1, ...)."""
    _rfft(buf, work, tw, n)
    buf[1] = buf[n]
    buf[n] = 0.0


@helper
def _packed_irfft(buf, work, tw, n):
    """Inverse of _packed_rfft, scaled by 1/n."""
    buf[n] = buf[1]
    buf[1] = 0.0
    buf[n + 1] = 0.0
    _irfft(buf, work, tw, n)


@helper
def _cfft(buf, work, tw, m, inverse):
    """Complex FFT of m interleaved (re, im) pairs in buf, in place; inverse scaled 1/m."""
    for i in range(m):
        work[i] = complex(buf[2 * i], buf[2 * i + 1])
    _fft(work, tw, inverse)
    scale = 1.0 / m if inverse else 1.0
    for i in range(m):
        buf[2 * i] = work[i].real * scale
        buf[2 * i + 1] = work[i].imag * scale


def _scale_init(name):
    base = _processor_init(name)

    def init(s, ic, fout, fin, *args):
        base(s, ic, fout, fin)
        n = fin.N
        keepform = int(args[-3])  # both signatures end: keepform, gain, coefs
        if keepform and n & (n - 1):
            raise InitError(f"{name}: formant keeping needs a power-of-two frame size")
        half = max(n // 2, 1)
        return (np.zeros(n + 2), np.zeros(n + 2), np.zeros(n + 2),
                np.zeros(half, np.complex128), _twiddles(half))
    init.__name__ = f"{name}_init"
    return init


@kernel
def pvscale_perf(s, ctx, fenv, ceps, ftmp, work, tw, fout, fin, kscal, keepform, kgain,
                 kcoefs, n0, n1):
    """pvscale: scale frequencies, optionally keeping the spectral envelope (formants)."""
    if s.lastframe >= fin[FS_COUNT]:
        return
    n = int(fin[FS_N])
    pscal = abs(at(kscal, 0))
    keep = int(at(keepform, 0))
    g = _f32(at(kgain, 0))
    coefs = int(at(kcoefs, 0))
    sr = _f32(ctx.sr)
    mx = 0.0
    fout[H] = fin[H]
    fout[H + n] = fin[H + n]
    for i in range(n + 2):
        ftmp[i] = fin[H + i]
    for i in range(2, n, 2):
        fout[H + i] = 0.0
        fout[H + i + 1] = -1.0
        fenv[i // 2] = 0.0
    if keep:
        for j in range(n // 2):
            fenv[j] = math.log(ftmp[2 * j] if ftmp[2 * j] > 0.0 else 1e-20)
        if keep > 2:
            w = 5
            for i in range(w):
                ceps[i] = fenv[i]
            for i in range(w, n // 2 - w):
                acc = 0.0
                for j in range(-w, w):
                    acc += fenv[i + j]
                ceps[i] = acc / (2 * w)
            for i in range(n // 2):
                fenv[i] = math.exp(ceps[i])
                if mx < fenv[i]:
                    mx = _f32(fenv[i])
            if mx:
                for j in range(n // 2):
                    fenv[j] /= mx
                    binf = _f32(_f32(j * sr) / n)
                    if fenv[j] and binf < pscal * sr / 2:
                        ftmp[2 * j] = _f32(ftmp[2 * j] / fenv[j])
        else:
            if coefs < 1:
                coefs = 80
            cond = True
            while cond:
                cond = False
                for i in range(n // 2):
                    ceps[i] = fenv[i]
                _packed_rfft(ceps, work, tw, n // 2)
                for i in range(coefs, n // 2):
                    ceps[i] = 0.0
                _packed_irfft(ceps, work, tw, n // 2)
                for i in range(n // 2):
                    if keep > 1:
                        if fenv[i] < ceps[i]:
                            fenv[i] = ceps[i]
                        if math.log(ftmp[2 * i]) - ceps[i] > 0.23:
                            cond = True
                    else:
                        fenv[i] = math.exp(ceps[i])
                        if mx < fenv[i]:
                            mx = _f32(fenv[i])
            if keep > 1:
                for i in range(n // 2):
                    fenv[i] = math.exp(ceps[i])
                    if mx < fenv[i]:
                        mx = _f32(fenv[i])
            if mx:
                j = 2
                for i in range(2, n // 2):
                    fenv[i] /= mx
                    binf = _f32(_f32(i * sr) / n)
                    # compat: bin i's envelope divides the amplitude of bin i - 1
                    if fenv[i] and binf < pscal * sr / 2:
                        ftmp[j] = _f32(ftmp[j] / fenv[i])
                    j += 2
    chan = 1
    for i in range(2, n, 2):
        newchan = int(chan * pscal + 0.5) << 1
        if 0 < newchan < n:
            fout[H + newchan] = _f32(ftmp[i] * fenv[newchan >> 1]) if keep else ftmp[i]
            fout[H + newchan + 1] = _f32(ftmp[i + 1] * pscal)
        chan += 1
    for i in range(2, n, 2):
        if math.isnan(fout[H + i]):
            fout[H + i] = 0.0
        if fout[H + i + 1] == -1.0:
            fout[H + i] = 0.0
        else:
            fout[H + i] = _f32(fout[H + i] * g)
    fout[FS_COUNT] = fin[FS_COUNT]
    s.lastframe = fin[FS_COUNT]


defop("pvscale", "f", "fxOPO", LAST, _scale_init("pvscale"), pvscale_perf,
      arrays=("fenv", "ceps", "ftmp", "work", "twiddles"))


@kernel
def pvshift_perf(s, ctx, fenv, ceps, ftmp, work, tw, fout, fin, kshift, klowest, keepform,
                 kgain, kcoefs, n0, n1):
    """pvshift: shift frequencies above a lowest one, optionally keeping formants."""
    if s.lastframe >= fin[FS_COUNT]:
        return
    n = int(fin[FS_N])
    pshift = at(kshift, 0)
    lowest = abs(int(at(klowest, 0) * n * ctx.onedsr))
    cshift = int(pshift * n * ctx.onedsr)
    keep = int(at(keepform, 0))
    g = _f32(at(kgain, 0))
    coefs = int(at(kcoefs, 0))
    sr = _f32(ctx.sr)
    mx = 0.0
    if lowest:
        lowest = n // 2 if lowest > n // 2 else lowest << 1  # compat: not doubled when capped
    else:
        lowest = 2
    fout[H] = fin[H]
    fout[H + n] = fin[H + n]
    for i in range(n + 2):
        ftmp[i] = fin[H + i]
    j = 2
    for i in range(2, n, 2):
        fenv[j] = 0.0
        j += 1
        if i < lowest:
            fout[H + i] = fin[H + i]
            fout[H + i + 1] = fin[H + i + 1]
        else:
            fout[H + i] = 0.0
            fout[H + i + 1] = -1.0
    if keep:
        for j in range(n // 2):
            a = fin[H + 2 * j]
            fenv[j] = math.log(a if a > 0.0 else 1e-20)
        if coefs < 1:
            coefs = 80
        cond = True
        while cond:
            cond = False
            for j in range(n // 2):
                ceps[2 * j] = fenv[j]
                ceps[2 * j + 1] = 0.0
            _cfft(ceps, work, tw, n // 2, True)
            for i in range(coefs, n - coefs):
                ceps[i] = 0.0
            _cfft(ceps, work, tw, n // 2, False)
            for j in range(n // 2):
                if keep > 1:
                    if fenv[j] < ceps[2 * j]:
                        fenv[j] = ceps[2 * j]
                    if math.log(fin[H + 2 * j]) - ceps[2 * j] > 0.23:
                        cond = True
                else:
                    fenv[j] = math.exp(ceps[2 * j])
                    if mx < fenv[j]:
                        mx = _f32(fenv[j])
        if keep > 1:
            for i in range(n // 2):
                fenv[i] = math.exp(fenv[i])
                if mx < fenv[i]:
                    mx = _f32(fenv[i])
        if mx:
            j = lowest
            for i in range(lowest, n, 2):
                fenv[j] /= mx
                binf = _f32(_f32(j * sr) / n)
                if fenv[j] and binf < sr / 2 + pshift:
                    ftmp[i] = _f32(ftmp[i] / fenv[j])
                j += 1
    chan = lowest >> 1
    for i in range(lowest, n, 2):
        newchan = (chan + cshift) << 1
        if lowest < newchan < n:
            fout[H + newchan] = _f32(ftmp[i] * fenv[newchan >> 1]) if keep else ftmp[i]
            fout[H + newchan + 1] = _f32(ftmp[i + 1] + pshift)
        chan += 1
    for i in range(lowest, n, 2):
        if fout[H + i + 1] == -1.0:
            fout[H + i] = 0.0
        else:
            fout[H + i] = _f32(fout[H + i] * g)
    fout[FS_COUNT] = fin[FS_COUNT]
    s.lastframe = fin[FS_COUNT]


defop("pvshift", "f", "fxkOPO", LAST, _scale_init("pvshift"), pvshift_perf,
      arrays=("fenv", "ceps", "ftmp", "work", "twiddles"))


# ------------------------------------------------------------------ PVOC-EX files
# The RIFF/WAVE layout of OOps/pvfileio.c: a WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of 80 bytes
# (WAVEFORMATEX, valid bits, channel mask, the PVOC GUID, version, size, PVOCDATA), an
# optional 'PVXW' custom window, then 'data': frames of nAnalysisBins (amp, freq) float32
# pairs, channels interleaved frame by frame.
_PVOC_GUID = struct.pack("<IHH8B", 0x8312B9C2, 0x2E6E, 0x11D4,
                         0xA8, 0x24, 0xDE, 0x5B, 0x96, 0xC3, 0xAB, 0x21)
_PVX_HEADER = 108  # RIFF + WAVE + fmt chunk (8 + 80) + data chunk header
_PVOC_CUSTOM = 4


class PvxError(Exception):
    """A PVOC-EX file could not be read (the pvsys message of pvfileio.c)."""


def pvx_read(path: str) -> tuple[dict, np.ndarray]:
    """Header fields and the frames (nframes x 2*bins float32) of a PVOC-EX file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        raise PvxError("pvsys: unable to open file") from None
    if raw[:4] != b"RIFF" or len(raw) < 8:
        raise PvxError("pvsys: error reading header")
    riffsize = struct.unpack_from("<I", raw, 4)[0]
    if riffsize < 24 * 4 + 80:
        raise PvxError("pvsys: file too small")
    if raw[8:12] != b"WAVE":
        raise PvxError("pvsys: not a WAVE file")
    pos, hdr, window_seen = 12, None, False
    riffsize -= 4
    while riffsize > 0:
        if pos + 8 > len(raw):
            raise PvxError("pvsys: error reading header")
        tag, size = raw[pos:pos + 4], struct.unpack_from("<I", raw, pos + 4)[0]
        pos += 8
        riffsize -= 8
        if tag == b"fmt ":
            if size < 80 or pos + 80 > len(raw):
                raise PvxError("pvsys: not a PVOC-EX file")
            (tag_fmt, chans, srate, _avg, _align, _bits, cbsize, _valid, _mask) = \
                struct.unpack_from("<HHIIHHHHI", raw, pos)
            if tag_fmt != 0xFFFE or cbsize != 62 \
                    or raw[pos + 24:pos + 40] != _PVOC_GUID:
                raise PvxError("pvsys: error reading format chunk")
            (version, _dsize, word, anal, _src, wintype, bins, winlen, overlap, align,
             arate, wparam) = struct.unpack_from("<IIHHHHIIIIff", raw, pos + 40)
            if version != 1:
                raise PvxError("pvsys: error reading format chunk")
            hdr = dict(chans=chans, srate=srate, wordformat=word, format=anal,
                       wintype=wintype, bins=bins, winlen=winlen, overlap=overlap,
                       framealign=align, arate=arate)
            pos += 80
            riffsize -= 80
        elif tag == b"PVXW":
            if hdr is None:
                raise PvxError("pvsys: PVXW chunk found before fmt chunk.")
            if hdr["wintype"] != _PVOC_CUSTOM:
                raise PvxError("pvsys: PVXW chunk found but custom window not specified")
            pos += 4 * hdr["winlen"]
            window_seen = True
        elif tag == b"data":
            if riffsize != size:
                raise PvxError("pvsys: bad RIFF file")
            if hdr is None:
                raise PvxError("pvsys: bad format, data chunk before fmt chunk")
            if hdr["wintype"] == _PVOC_CUSTOM and not window_seen:
                raise PvxError("pvsys: custom window chunk PVXW not found")
            nframes = size // hdr["framealign"] if hdr["framealign"] else 0
            framelen = 2 * hdr["bins"]
            count = min(nframes * framelen, (len(raw) - pos) // 4)
            data = np.frombuffer(raw, "<f4", count, pos).astype(np.float32)
            hdr["nframes"] = nframes
            return hdr, data
        else:
            riffsize -= 8  # compat: pvfileio.c counts an unknown chunk's header twice
            pos += size
            riffsize -= size
    raise PvxError("pvsys: bad format in RIFF file")


def pvx_info(path: str) -> tuple[int, int, int] | None:
    """(sample frames, sample rate, channels) of a PVOC-EX file as sndinfUG.c reports it
    (frames per channel times the overlap), or None if `path` is not one."""
    try:
        hdr, _ = pvx_read(path)
    except PvxError:
        return None
    return (hdr["nframes"] // max(hdr["chans"], 1)) * hdr["overlap"], hdr["srate"], hdr["chans"]


def _pvs_wintype(wintype: int) -> int:
    """PVOC-EX window type to a pvs one: Hamming, Hann, Kaiser kept, others Hamming."""
    return wintype if wintype in (0, 1, 2) else 0


def _file_name(x, ic) -> str:
    return x if isinstance(x, str) else f"pvoc.{int(x)}"


def _load_memfile(ic, name: str) -> tuple[dict, np.ndarray]:
    """PVOCEX_LoadFile (Engine/memfiles.c): the file loaded once per engine, amplitudes
    scaled by 0dbfs."""
    cache = ic.engine.globals.setdefault("spectral.pvx_memfiles", {})
    if name in cache:
        return cache[name]
    path = ic.engine.find_file(name) if name else None
    try:
        if path is None:
            raise PvxError("pvsys: unable to open file")
        hdr, data = pvx_read(path)
        if hdr["wordformat"] != 0:
            raise PvxError(f"pvoc-ex file {name} is not 32bit floats")
        if hdr["format"] != PVS_AMP_FREQ:
            raise PvxError(f"pvoc-ex file {name} not in AMP_FREQ format")
        if hdr["nframes"] <= 0:
            raise PvxError(f"pvoc-ex file {name} is empty!")
    except PvxError as err:
        ic.warning(f"PVOCEX_LoadFile(): error:\n    {err}")
        raise InitError("Failed to load PVOC-EX file") from None
    data = data[:hdr["nframes"] * 2 * hdr["bins"]].copy()
    data[0::2] *= np.float32(ic.e0dbfs)
    if hdr["srate"] != ic.sr:
        ic.warning(f"{name}'s srate = {hdr['srate']:8.0f}, orch's srate = {ic.sr:8.0f}")
    ic.message(f"file {name} ({data.shape[0] * 4} bytes) loaded into memory\n")
    cache[name] = (hdr, data)
    return hdr, data


# ------------------------------------------------------------------ pvsfread
FREAD = State(ptr=i64, overlap=i64, nframes=i64, chans=i64, chanoffset=i64, blockalign=i64,
              arate=f64, lastframe=f64)


def pvsfread_init(s, ic, fout, kpos, ifile, ichan):
    hdr, data = _load_memfile(ic, _file_name(ifile, ic))
    n = 2 * (hdr["bins"] - 1)
    s.overlap, s.chans, s.nframes = hdr["overlap"], hdr["chans"], hdr["nframes"]
    s.arate = ic.sr / s.overlap
    s.ptr = 0
    if s.overlap < ic.ksmps or s.overlap < 10:
        raise InitError("Sliding version not yet available")
    if s.nframes == 1:
        raise InitError("pvsfread: file has only one frame (= impulse response).\n")
    s.blockalign = (n + 2) * s.chans
    if ichan >= s.chans:
        raise InitError("pvsfread: ichan value exceeds file channel count.\n")
    if int(ichan) < 0:
        raise InitError("pvsfread: ichan cannot be negative.\n")
    fout.allocate(n, s.overlap, hdr["winlen"], _pvs_wintype(hdr["wintype"]), PVS_AMP_FREQ)
    s.chanoffset = int(round(ichan)) * (n + 2)
    fout.frame[:] = data[s.chanoffset:s.chanoffset + n + 2]
    s.nframes -= 1  # the first frame only primes the signal; reading starts at the second
    fout.buf[FS_COUNT] = 1.0
    s.lastframe = 0.0
    return (data[s.blockalign:].astype(np.float64),)


@kernel
def pvsfread_perf(s, ctx, mem, fout, kpos, ifile, ichan, n0, n1):
    """pvsfread: frames of a PVOC-EX file at a time position, interpolated (OOps/pstream.c)."""
    if s.ptr >= s.overlap:
        pos = at(kpos, 0)
        if pos < 0.0:
            pos = 0.0
        framepos = pos * s.arate
        frame1 = int(framepos)
        size = int(fout[FS_N]) + 2
        nmc = s.nframes // s.chans
        if frame1 >= nmc - 1:
            base = s.blockalign * (nmc - 1) + s.chanoffset
            for i in range(size):
                fout[H + i] = mem[base + i]
        else:
            frac = framepos - frame1
            p1 = frame1 * s.blockalign + s.chanoffset
            p2 = p1 + s.blockalign
            for i in range(size):
                # the difference of two floats is a float in C
                fout[H + i] = _f32(mem[p1 + i] + frac * _f32(mem[p2 + i] - mem[p1 + i]))
        s.ptr -= s.overlap
        fout[FS_COUNT] += 1.0
        s.lastframe = fout[FS_COUNT]
    s.ptr += int(ctx.ksmps)


defop("pvsfread", "f", "kSo", FREAD, pvsfread_init, pvsfread_perf, arrays=("frames",))
defop("pvsfread", "f", "kio", FREAD, pvsfread_init, pvsfread_perf, arrays=("frames",))


# ------------------------------------------------------------------ pvsfwrite
FWRITE = State(fid=i64, lastframe=f64)


def _pvx_header(srate: int, n: int, overlap: int, fmt: int, wintype: int, winsize: int) -> bytes:
    """The header pvoc_createfile writes: one channel, 16-bit source, sizes still zero."""
    bins = n // 2 + 1
    arate = float(np.float32(srate) / np.float32(overlap))
    fmt_chunk = struct.pack("<HHIIHHHHI", 0xFFFE, 1, srate, 2 * srate, 2, 16, 62, 16, 0)
    fmt_chunk += _PVOC_GUID + struct.pack("<IIHHHHIIIIff", 1, 32, 0, fmt, 1, wintype, bins,
                                          winsize or n, overlap or n // 8, bins * 8, arate, 0.0)
    return b"RIFF" + struct.pack("<I", 0) + b"WAVE" + b"fmt " + struct.pack("<I", 80) \
        + fmt_chunk + b"data" + struct.pack("<I", 0)


def _writers(engine) -> dict:
    return engine.globals.setdefault("spectral.pvx_writers", {})


def pvsfwrite_init(s, ic, fin, ifile):
    name = _file_name(ifile, ic)
    if int(fin.buf[FS_SLIDING]):
        raise InitError("SDFT Not implemented in this case yet")
    n, overlap, wintype = fin.N, fin.overlap, fin.wintype
    if n == 0 or overlap > n or fin.format > 2 or not 0 <= wintype <= _PVOC_CUSTOM:
        raise InitError(f"pvsfwrite: could not open file {name}\n")
    try:
        fh = open(name, "w+b")
    except OSError:
        raise InitError(f"pvsfwrite: could not open file {name}\n") from None
    fh.write(_pvx_header(int(ic.sr), n, overlap, fin.format, wintype, fin.winsize))
    writers = _writers(ic.engine)
    if s.fid in writers:
        writers.pop(int(s.fid)).close()
    s.fid = max(writers, default=0) + 1
    writers[int(s.fid)] = fh
    s.lastframe = 0.0


def pvsfwrite_perf(s, pc, fin, ifile, n0, n1):
    """pvsfwrite: append each new frame to the file, amplitudes divided by 0dbfs."""
    if s.lastframe < fin.framecount:
        frame = fin.frame.astype(np.float32)
        frame[0::2] /= np.float32(pc.consts.e0dbfs)
        fh = _writers(pc.engine)[int(s.fid)]
        fh.seek(0, 2)
        fh.write(frame.astype("<f4").tobytes())
        # keep the RIFF and data sizes current, as pvoc_closefile leaves them
        end = fh.tell()
        fh.seek(4)
        fh.write(struct.pack("<I", end - 8))
        fh.seek(_PVX_HEADER - 4)
        fh.write(struct.pack("<I", end - _PVX_HEADER))
        fh.flush()
        s.lastframe = fin.framecount


def pvsfwrite_deinit(s, inst):
    fh = _writers(inst.engine).pop(int(s.fid), None)
    if fh is not None:
        fh.close()
    s.fid = 0


defop("pvsfwrite", "", "fS", FWRITE, pvsfwrite_init, pvsfwrite_perf, deinit=pvsfwrite_deinit,
      python_perf=True)
defop("pvsfwrite", "", "fi", FWRITE, pvsfwrite_init, pvsfwrite_perf, deinit=pvsfwrite_deinit,
      python_perf=True)


# ------------------------------------------------------------------ pvsdiskin
DISKIN = State(pos=f64, oldpos=i64, chans=i64, chn=i64, scnt=i64, flen=i64, nframes=i64)


def pvsdiskin_init(s, ic, fout, ifile, kspeed, kgain, ioff, ichn, iinterp):
    name = _file_name(ifile, ic)
    if int(fout.buf[FS_SLIDING]):
        raise InitError("SDFT Not implemented in this case yet")
    path = ic.engine.find_file(name) if name else None
    try:
        if path is None:
            raise PvxError("pvsys: unable to open file")
        hdr, data = pvx_read(path)
    except PvxError:
        raise InitError(f"pvsdiskin: could not open file {name}\n") from None
    n = (hdr["bins"] - 1) * 2
    s.chans = hdr["chans"]
    s.flen = hdr["nframes"] - 1
    s.nframes = hdr["nframes"]
    fout.allocate(n, hdr["overlap"], hdr["winlen"], _pvs_wintype(hdr["wintype"]),
                  hdr["format"])
    fout.buf[FS_COUNT] = 1.0
    s.scnt = hdr["overlap"]
    s.pos = ioff * ic.sr / n
    s.oldpos = 0xFFFFFFFF
    s.chn = max(int(ichn if ichn <= s.chans else s.chans) - 1, 0)
    return data.astype(np.float64), np.zeros((n + 2) * 2 * s.chans)


@helper
def _u32(x):
    """(uint32_t) of a double as x86-64 computes it (through a 64-bit integer)."""
    return int(x) & 0xFFFFFFFF


@kernel
def pvsdiskin_perf(s, ctx, data, buf, fout, ifile, kspeed, kgain, ioff, ichn, iinterp,
                   n0, n1):
    """pvsdiskin: frames read from a PVOC-EX file at a variable speed (Opcodes/pvsbasic.c)."""
    overlap = int(fout[FS_OVERLAP])
    size = int(fout[FS_N]) + 2
    amp = _f32(at(kgain, 0) * ctx.e0dbfs)
    if s.scnt >= overlap:
        pos = s.pos
        posi = _u32(pos)
        if posi != s.oldpos:
            while pos >= s.flen:
                pos -= s.flen
            while pos < 0:
                pos += s.flen
            # pvoc_fseek: an offset of 1 means one frame per channel
            start = int(pos)
            if start == 1:
                start = s.chans
            want = 2 * s.chans * size
            avail = (s.nframes - start) * size
            if avail < 0:
                avail = 0
            for i in range(want if want < avail else avail):
                buf[i] = data[start * size + i]
            posi = _u32(pos)
            s.oldpos = posi
        f1 = size * s.chn
        f2 = size * (s.chans + s.chn)
        if at(iinterp, 0) != 0.0:
            frac = pos - posi
            for i in range(0, size, 2):
                fout[H + i] = _f32(amp * (buf[f1 + i] + frac * _f32(buf[f2 + i] - buf[f1 + i])))
                fout[H + i + 1] = _f32(buf[f1 + i + 1]
                                       + frac * _f32(buf[f2 + i + 1] - buf[f1 + i + 1]))
        else:
            for i in range(0, size, 2):
                fout[H + i] = _f32(amp * buf[f1 + i])
                fout[H + i + 1] = buf[f1 + i + 1]
        s.pos += at(kspeed, 0) * s.chans
        s.scnt -= overlap
        fout[FS_COUNT] += 1.0
    s.scnt += int(ctx.ksmps)


defop("pvsdiskin", "f", "SkkopP", DISKIN, pvsdiskin_init, pvsdiskin_perf,
      arrays=("frames", "buffer"))
defop("pvsdiskin", "f", "ikkopP", DISKIN, pvsdiskin_init, pvsdiskin_perf,
      arrays=("frames", "buffer"))


# ------------------------------------------------------------------ pvsbuffer, pvsbufread
# Opcodes/pvsbuffer.c.  A buffer lives in the engine's list under the handle number
# pvsbuffer returns (Csound's "::buffer<n>" globals); a reused instance keeps its handle.
BUFFER = State(hidx=i64, nframes=i64, cframes=i64, pos=f64, lastframe=f64)


def _buffers(engine) -> list:
    return engine.globals.setdefault("spectral.pvsbuffers", [])


def pvsbuffer_init(s, ic, ihandle, ktime, fin, ilen):
    if int(fin.buf[FS_SLIDING]):
        raise InitError("SDFT case not implemented yet")
    n, hop = fin.N, fin.overlap
    s.nframes = int(ilen * ic.sr / hop) & 0xFFFFFFFF
    data = np.zeros((n + 2) * s.nframes)
    entry = dict(N=n, overlap=hop, winsize=fin.winsize, wintype=fin.wintype,
                 format=fin.format, frames=s.nframes, data=data)
    buffers = _buffers(ic.engine)
    if 0 < s.hidx <= len(buffers) and buffers[s.hidx - 1].get("owner") is s:
        buffers[s.hidx - 1] = entry
    else:
        buffers.append(entry)
        s.hidx = len(buffers)
    entry["owner"] = s
    ihandle[0] = s.hidx - 1
    s.lastframe = 0.0
    s.cframes = 0
    s.pos = 0.0
    ktime[0] = 0.0
    return (data,)


@kernel
def pvsbuffer_perf(s, ctx, data, ihandle, ktime, fin, ilen, n0, n1):
    """pvsbuffer: write frames into a circular buffer of ilen seconds, output the time."""
    if s.lastframe < fin[FS_COUNT]:
        size = int(fin[FS_N]) + 2
        base = size * s.cframes
        for i in range(size):
            data[base + i] = fin[H + i]
        s.lastframe = fin[FS_COUNT]
        s.pos = s.cframes / (ctx.sr / fin[FS_OVERLAP])
        s.cframes += 1
        if s.cframes == s.nframes:
            s.cframes = 0
    ktime[0] = s.pos


defop("pvsbuffer", "ik", "fi", BUFFER, pvsbuffer_init, pvsbuffer_perf, arrays=("buffer",))

BUFREAD = State(optr=f64, scnt=i64)


def _buffer_entry(engine, handle) -> dict | None:
    buffers = _buffers(engine)
    idx = int(handle)
    return buffers[idx] if 0 <= idx < len(buffers) else None


def pvsbufread_init(s, ic, fout, ktime, khandle, *args):
    entry = _buffer_entry(ic.engine, khandle)
    if entry is None:
        raise InitError("error... could not read handle from global variable\n")
    s.optr = khandle
    fout.allocate(entry["N"], entry["overlap"], entry["winsize"], entry["wintype"],
                  entry["format"])
    fout.buf[FS_COUNT] = 1.0
    s.scnt = entry["overlap"]


@helper
def _buf_wrap(pos, frames):
    while pos >= frames:
        pos -= frames
    while pos < 0:
        pos += frames
    return pos


@helper
def _bufread_frame(fout, data, frames, sr, ktime, strt, end, clear):
    """One pvsbufread frame: bins interpolated between two buffered frames."""
    n = int(fout[FS_N])
    overlap = fout[FS_OVERLAP]
    strt = int(strt / (sr / n))
    end = int(end / (sr / n))
    strt = 0 if strt < 0 else (n // 2 if strt > n // 2 else strt)
    # compat: the bin limits index the (amp, freq) float array directly
    end = n // 2 + 2 if end <= strt else (n // 2 + 2 if end > n // 2 + 2 else end)
    pos = ktime * (sr / overlap)
    if clear != 0.0:
        for i in range(n + 2):
            fout[H + i] = 0.0
    pos = _buf_wrap(pos, frames)
    posi = int(pos)
    f1 = (n + 2) * posi
    f2 = (n + 2) * (posi + 1 if posi != frames - 1 else 0)
    frac = pos - posi
    for i in range(strt, end, 2):
        fout[H + i] = _f32(data[f1 + i] + frac * _f32(data[f2 + i] - data[f1 + i]))
        fout[H + i + 1] = _f32(data[f1 + i + 1] + frac * _f32(data[f2 + i + 1] - data[f1 + i + 1]))


@helper
def _bufread2_frame(fout, data, frames, sr, ktime, tab1, tab2):
    """One pvsbufread2 frame: each bin read at its own delay (amps tab1, freqs tab2)."""
    n = int(fout[FS_N])
    overlap = fout[FS_OVERLAP]
    for i in range(n + 2):
        tab = tab1 if i % 2 == 0 else tab2
        pos = _buf_wrap((ktime - tab[i // 2]) * (sr / overlap), frames)
        posi = int(pos)
        f1 = (n + 2) * posi
        f2 = (n + 2) * (posi + 1 if posi != frames - 1 else 0)
        frac = pos - posi
        fout[H + i] = _f32(data[f1 + i] + frac * _f32(data[f2 + i] - data[f1 + i]))


def _bufread_common(s, pc, fout, khandle):
    """The buffer of the current handle, or None when its format differs from fout's."""
    entry = _buffer_entry(pc.engine, at(khandle, 0))
    if entry is None:
        raise RuntimeError("Invalid buffer handle")
    if fout.N != entry["N"] or fout.overlap != entry["overlap"]:
        return None
    return entry


def pvsbufread_perf(s, pc, fout, ktime, khandle, kstrt, kend, iclear, n0, n1):
    """pvsbufread: frames read from a pvsbuffer at a time, interpolated (Opcodes/pvsbuffer.c)."""
    if s.scnt >= fout.overlap:
        entry = _bufread_common(s, pc, fout, khandle)
        if entry is None:
            fout.frame[:] = 0.0
        else:
            _bufread_frame(fout.buf, entry["data"], entry["frames"] - 1, pc.consts.sr,
                           float(at(ktime, 0)), float(int(at(kstrt, 0))),
                           float(int(at(kend, 0))), float(at(iclear, 0)))
        s.scnt -= fout.overlap
        fout.buf[FS_COUNT] += 1.0
    s.scnt += int(pc.consts.ksmps)


defop("pvsbufread", "f", "kkOOo", BUFREAD, pvsbufread_init, pvsbufread_perf, python_perf=True)


def pvsbufread2_perf(s, pc, fout, ktime, khandle, ift1, ift2, n0, n1):
    """pvsbufread2: pvsbuffer frames with per-bin delays from two tables."""
    if s.scnt >= fout.overlap:
        entry = _bufread_common(s, pc, fout, khandle)
        n = fout.N
        tabs = []
        for fn in (ift1, ift2):
            table = pc.engine.tables.get(int(at(fn, 0)))
            if table is None:
                raise RuntimeError("Invalid ftable")
            if table.size < n // 2 + 1:
                raise RuntimeError(f"table length too small: needed {n // 2 + 1}, "
                                   f"got {table.size}\n")
            tabs.append(table.data)
        if entry is None:
            fout.frame[:] = 0.0
        else:
            _bufread2_frame(fout.buf, entry["data"], entry["frames"] - 1, pc.consts.sr,
                            float(at(ktime, 0)), tabs[0], tabs[1])
        s.scnt -= fout.overlap
        fout.buf[FS_COUNT] += 1.0
    s.scnt += int(pc.consts.ksmps)


defop("pvsbufread2", "f", "kkkk", BUFREAD, pvsbufread_init, pvsbufread2_perf, python_perf=True)
