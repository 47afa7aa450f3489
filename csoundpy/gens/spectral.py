"""FFT-based GENs: 30 (band-limit), 31/32 (transpose, phase-shift and mix), 33
(partials from a table via inverse FFT), 53 (linear/minimum-phase impulse
response).  Csound 6.18 Engine/fgens.c, with the real-FFT layout of OOps/fftlib.c.

Csound's real FFT is unscaled forward, 1/N-scaled inverse, and packs the
spectrum as [re0, re(N/2), re1, im1, re2, im2, ...]; the helpers below speak
that layout so the GENs read like Csound's.  numpy's FFT rounds differently from
Csound's own, so these tables match to about 1e-15, not bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import TWOPI, GenCall, c_int, c_lrint, clog, libm


def rfft_packed(x: np.ndarray) -> np.ndarray:
    """Forward real FFT of len(x) points in Csound's packed layout."""
    n = len(x)
    spec = np.fft.rfft(x)
    out = np.empty(n)
    out[0] = spec[0].real
    out[1] = spec[n // 2].real
    out[2::2] = spec[1:n // 2].real
    out[3::2] = spec[1:n // 2].imag
    return out


def irfft_packed(buf: np.ndarray) -> np.ndarray:
    """Inverse of rfft_packed (scaled by 1/N)."""
    n = len(buf)
    spec = np.zeros(n // 2 + 1, dtype=complex)
    spec[0] = buf[0]
    spec[n // 2] = buf[1]
    spec[1:n // 2] = buf[2::2] + 1j * buf[3::2]
    return np.fft.irfft(spec, n)


def _std(packed: np.ndarray, extra: int) -> np.ndarray:
    """Packed spectrum -> [re0, 0, re1, im1, ..., re(N/2), 0] (+ room for `extra` more values)."""
    n = len(packed)
    out = np.zeros(max(n + 2, extra))
    out[:n] = packed
    out[n] = packed[1]
    out[1] = 0.0
    return out


def _unstd(buf: np.ndarray, n: int) -> np.ndarray:
    """[re0, im0, ..., re(N/2), im(N/2)] -> packed layout of n points."""
    packed = buf[:n].copy()
    packed[1] = buf[n]
    return packed


def _get_table(call: GenCall, fno: float, message: str):
    table = call.env.tables.get(c_int(fno)) if c_int(fno) > 0 else None
    if table is None:
        raise call.error(message)
    return table


def gen30(call: GenCall) -> None:
    """Keep harmonics minh..maxh of a source table (band-limiting resynthesis)."""
    if call.nargs < 3:
        raise call.error("insufficient gen arguments")
    xsr = call.sr / call.p(3) if (call.nargs > 3 and call.p(3) > 0.0) else 1.0
    src = _get_table(call, call.p(0), "GEN30: source ftable not found")
    l1, l2 = call.flen, src.size
    minfrac, maxfrac = float(call.p(1)), float(call.p(2) * xsr)
    limit = min(l1, l2) >> 1
    if maxfrac < 0.0 or minfrac > limit:
        return
    maxfrac = min(maxfrac, float(limit))
    minfrac = max(minfrac, 0.0)
    if call.nargs > 4 and call.p(4) != 0.0:  # interpolate the edge partials
        minh = c_int(minfrac)
        minfrac = 1.0 - (minfrac - minh)
        maxh = c_int(maxfrac)
        maxfrac -= maxh
        maxh += 1
        if maxh > limit:
            maxh, maxfrac = limit, 1.0
    else:
        minh = c_int(minfrac + (0.99 if limit < 10000 else 0.9))
        maxh = c_int(maxfrac + (0.01 if limit < 10000 else 0.1))
        minfrac = maxfrac = 1.0
    if minh > maxh:
        return
    x = _std(rfft_packed((1.0 * l1 / l2) * src.data[:l2]), max(l1, l2) + 2)
    x[:2 * minh] = 0.0
    x[2 * minh:2 * minh + 2] *= minfrac
    x[2 * maxh:2 * maxh + 2] *= maxfrac
    x[2 * maxh + 2:l1 + 2] = 0.0
    out = irfft_packed(_unstd(x, l1))
    call.data[:l1] = out
    call.data[l1] = out[0]


def _mix_bins(y: np.ndarray, x: np.ndarray, n: int, a: float, phase: float,
              ylim: int, xlim: int) -> None:
    """Add source bins m to destination bins m*n, rotated by m*phase (phase
    advanced by complex multiplication, as Csound does)."""
    d_re, d_im = math.cos(phase), math.sin(phase)
    p_re, p_im = 1.0, 0.0
    i = k = 0
    while i < ylim and k < xlim:
        y[i] += a * (x[k] * p_re - x[k + 1] * p_im)
        y[i + 1] += a * (x[k + 1] * p_re + x[k] * p_im)
        p_re, p_im = p_re * d_re - p_im * d_im, p_im * d_re + p_re * d_im
        i += 2 * n
        k += 2


def _cycles(p: float) -> float:
    """Fractional part in [0, 1), times 2 pi."""
    p = math.modf(p)[0]
    if p < 0.0:
        p += 1.0
    return p * TWOPI


def gen31(call: GenCall) -> None:
    """Mix transposed and phase-shifted copies of a table: src, then
    (harmonic, amplitude, phase) triples."""
    if call.nargs < 4:
        raise call.error("insufficient gen arguments")
    src = _get_table(call, call.p(0), "GEN31: source ftable not found")
    l1, l2 = call.flen, src.size
    x = _std(rfft_packed((1.0 * l1 / l2) * src.data[:l2]), l2 + 2)
    y = np.zeros(l1 + 2)
    for j in range(1, call.nargs - 2, 3):
        n = max(1, c_int(0.5 + call.p(j)))
        _mix_bins(y, x, n, float(call.p(j + 1)), _cycles(float(call.p(j + 2))), l1, l2)
    out = irfft_packed(_unstd(y, l1))
    call.data[:l1] = out
    call.data[l1] = out[0]


def gen32(call: GenCall) -> None:
    """Like GEN31 over several source tables: (table, harmonic, amplitude, phase)
    quadruples; a negative table number resamples with linear interpolation."""
    if call.nargs < 4:
        raise call.error("insufficient gen arguments")
    l1 = call.flen
    f1 = call.data
    waves = sorted(range(call.nargs >> 2), key=lambda w: call.p(4 * w))
    y = None
    x = None
    last = None
    for w in waves:
        fno, freq, amp, phs = (call.p(4 * w + q) for q in range(4))
        tno = c_lrint(fno)
        src = call.env.tables.get(abs(tno)) if tno else None
        if src is None:
            raise call.error(f"GEN32: source ftable {abs(tno)} not found")
        l2, f2 = src.size, src.data
        if tno < 0:
            last = tno
            _resample(f1, f2, l2, l1, float(phs), float(freq) * l2 / l1, float(amp))
            continue
        if tno != last:
            last = tno
            if y is None:
                y = np.zeros(l1 + 2)
            x = _std(rfft_packed(f2[:l2].copy()), l2 + 2)
        n = max(1, c_int(0.5 + freq))
        a = amp * l1 / l2 * 1.0
        p = float(phs)
        p -= c_int(p)
        if p < 0.0:
            p += 1.0
        _mix_bins(y, x, n, float(a), p * TWOPI, l1 + 1, l2 + 1)
    if y is not None:
        out = irfft_packed(_unstd(y, l1))
        f1[:l1] += out
        f1[l1] += out[0]


def _resample(f1: np.ndarray, f2: np.ndarray, l2: int, l1: int, phase: float, step: float,
              amp: float) -> None:
    """Add l1 + 1 points read from f2 by linear interpolation at a wrapping phase."""
    p_re = phase - c_int(phase)
    if p_re < 0.0:
        p_re += 1.0
    p_re *= l2
    for i in range(l1 + 1):
        k = int(p_re)
        frac = p_re - k
        if k >= l2:
            k -= l2
        f1[i] += f2[k] * amp * (1.0 - frac)
        f1[i] += f2[k + 1] * amp * frac
        p_re += step
        while p_re < 0.0:
            p_re += l2
        while p_re >= l2:
            p_re -= l2


def gen33(call: GenCall) -> None:
    """Partials (amplitude, partial number, phase) from a table, drawn by inverse FFT."""
    if call.nargs < 3:
        raise call.error("insufficient gen arguments")
    fmode = call.p(3) if call.nargs > 3 else 0.0
    flen = call.flen
    src = _get_table(call, call.p(0), "GEN33: source ftable not found")
    srcft = src.data
    nh = max(0, min(c_int(call.p(1) + 0.5), src.size // 3))
    scl = 0.5 * flen * call.p(2) * 1.0
    if fmode < 0.0:
        fmode = flen / (call.sr * -fmode)
    elif fmode > 0.0:
        fmode = flen / fmode
    else:
        fmode = 1.0
    x = np.zeros(flen + 2)
    maxp = flen >> 1
    for i in range(nh):
        amp = scl * srcft[3 * i]
        pnum = c_lrint(fmode * srcft[3 * i + 1])
        if pnum < -maxp or pnum > maxp:
            continue
        phs = TWOPI * srcft[3 * i + 2]
        if pnum < 0:
            phs, pnum = math.pi - phs, -pnum
        x[2 * pnum] += amp * math.sin(phs)
        x[2 * pnum + 1] -= amp * math.cos(phs)
    # compat: no repacking here, so DC's imaginary part lands on the Nyquist
    # bin and the Nyquist partial is dropped, exactly as in Csound
    out = irfft_packed(x[:flen])
    call.data[:flen] = out
    call.data[flen] = out[0]


def _apply_window(buf: np.ndarray, w: np.ndarray, npts: int, wpts: int, minphase: bool) -> None:
    """Multiply by window table w, read with 32.32 fixed-point phase."""
    j = 0
    i = 1
    while i < npts:
        i <<= 1
        j += 1
    if not minphase:
        ph, inc = 0, (wpts << 32) >> j
    else:
        ph, inc = wpts << 31, (wpts << 31) >> j
    for i in range(npts + 1):
        idx = ph >> 32
        frac = float((ph & 0xFFFFFFFF) >> 1)
        if idx >= wpts:
            buf[i] *= w[wpts]
        else:
            frac *= 0.5 / 0x40000000
            buf[i] *= w[idx] + (w[idx + 1] - w[idx]) * frac
        ph += inc


def _response_to_ir(ibuf: np.ndarray, w, npts: int, wpts: int, mode: int) -> np.ndarray:
    obuf = np.zeros(npts + 2)
    mags = np.abs(ibuf)
    obuf[0:npts:4] = mags[0:npts // 2:2]
    obuf[2:npts:4] = -mags[1:npts // 2:2]
    obuf[1] = ibuf[npts // 2]
    obuf[:npts] = irfft_packed(obuf[:npts])
    obuf[npts] = 0.0
    if w is not None and not mode & 4:
        _apply_window(obuf, w, npts, wpts, False)
    if not mode & 1:
        return obuf[:npts + 1]
    npts2 = npts << 1
    buf1 = np.zeros(npts2)
    buf1[npts >> 1:(npts >> 1) + npts] = obuf[:npts]
    buf1 = rfft_packed(buf1)
    mag = np.empty(npts + 1)
    mag[:npts] = np.sqrt(buf1[0:npts2:2] ** 2 + 1.0e-20)
    mag[npts] = math.sqrt(buf1[1] * buf1[1] + 1.0e-20)
    logm = np.empty(npts2)
    logm[:npts + 1] = libm(clog, mag)
    logm[npts + 1:] = logm[npts - 1:0:-1]
    logm = rfft_packed(logm)
    kernel = np.zeros(npts2)
    kernel[3::2] = (npts2 - np.arange(2, npts2, 2)) / npts2
    prod = np.empty(npts2)
    prod[0] = logm[0] * kernel[0]
    prod[1] = logm[1] * kernel[1]
    re1, im1, re2, im2 = logm[2::2], logm[3::2], kernel[2::2], kernel[3::2]
    prod[2::2] = re1 * re2 - im1 * im2
    prod[3::2] = re1 * im2 + re2 * im1
    phase = irfft_packed(prod)
    buf2 = np.empty(npts2)
    ph = phase[1:npts] / TWOPI
    ph = TWOPI * np.modf(ph)[0]
    ph = np.where(ph < 0.0, ph + math.pi, ph - math.pi)
    amp = -mag[1:npts]
    buf2[2::2] = amp * np.cos(ph)
    buf2[3::2] = amp * np.sin(ph)
    buf2[0] = mag[0]
    buf2[1] = mag[npts]
    out = irfft_packed(buf2)[:npts + 1].copy()
    if w is not None and not mode & 8:
        _apply_window(out, w, npts, wpts, True)
    return out


def gen53(call: GenCall) -> None:
    """Impulse response from a frequency response (or from an impulse response,
    mode & 2), linear phase or minimum phase (mode & 1), optionally windowed."""
    if not 1 <= call.nargs <= 3:
        raise call.error("GEN53: invalid number of gen arguments")
    srcno = c_lrint(call.p(0))
    mode = c_lrint(call.p(1)) if call.nargs > 1 else 0
    winno = c_lrint(call.p(2)) if call.nargs > 2 else 0
    dstflen = call.flen
    if dstflen < 8 or dstflen & (dstflen - 1):
        raise call.error("GEN53: invalid table length")
    src = call.env.tables.get(srcno) if srcno > 0 else None
    if src is None:
        raise call.error("GEN53: invalid source table number")
    if mode & ~15:
        raise call.error("GEN53: mode must be in the range 0 to 15")
    if (not mode & 2 and src.size != dstflen >> 1) or (mode & 2 and src.size != dstflen):
        raise call.error("GEN53: invalid source table length:")
    w, wpts = None, 0
    if winno:
        win = call.env.tables.get(winno)
        if win is None or win.size <= 0 or win.size & (win.size - 1):
            raise call.error("GEN53: invalid window table")
        w, wpts = win.data, win.size
    if mode & 2:
        spec = rfft_packed(src.data[:dstflen].copy())
        resp = np.empty((dstflen >> 1) + 1)
        resp[0] = spec[0]
        resp[1:dstflen >> 1] = np.hypot(spec[2::2], spec[3::2])
        resp[dstflen >> 1] = spec[1]
    else:
        resp = src.data[:(dstflen >> 1) + 1]
    call.data[:] = _response_to_ir(resp, w, dstflen, wpts, mode)
