"""Delays: fixed and variable delay lines, taps, flangers and variable combs.

Follows Csound 6.18: delay, delay1, delayr, delayw, deltap, deltapi, deltapn,
deltap3, deltapx, deltapxw from OOps/ugens6.c; vdelay, vdelay3, the vdelayx
family and multitap from OOps/vdelay.c; flanger from Opcodes/flanger.c;
vcomb and valpass from Opcodes/ugmoss.c.

delayr/delayw/deltap* pairing is Csound's engine-wide FIFO (ugens6.c
delrset/delwset/delayr_find): each delayr init appends its line, each delayw
init takes the oldest one, deltap* picks one by index (default: the newest).
A line is two aux arrays shared by its partners: the buffer and `pos`
(pos[0] is the write position, Csound's curp).

`istor`/`istod` ("keep the old buffer") works when the engine reuses a note's
instance: the buffer and its position are kept on the instance, per op.
Deviations: when there is no old buffer, Csound fails at perf time ("not
initialised"); here a fresh, silent buffer is used instead.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64

_FIFO = "delays.fifo"


# ---------------------------------------------------------------- shared helpers

def _lrnd(x: float) -> int:
    """Csound's MYFLT2LRND: round half to even."""
    return int(np.rint(x))


def _line(ic, n: int, keep: bool) -> tuple[np.ndarray, np.ndarray, bool]:
    """(buffer of n zeros, pos array, reused?) for this op; with `keep`, the
    buffer left by the previous note on this instance if it is big enough."""
    inst = getattr(ic, "instance", None)
    store = inst.__dict__.setdefault("delays_lines", {}) if inst is not None else None
    key = getattr(ic, "op_index", None)
    if keep and store is not None and key in store and store[key][0].shape[0] >= n:
        buf, pos = store[key]
        return buf, pos, True
    buf, pos = np.zeros(max(n, 1)), np.zeros(2, dtype=np.int64)
    if store is not None:
        store[key] = (buf, pos)
    return buf, pos, False


def _fifo(ic) -> list:
    return ic.engine.globals.setdefault(_FIFO, [])


def _find_delayr(ic, indx: float):
    """Csound's delayr_find: 0 = newest, n > 0 counts back from it, n < 0 from the oldest."""
    fifo = _fifo(ic)
    n = _lrnd(indx)
    if not fifo:
        raise InitError("deltap: associated delayr not found")
    if n == 0:
        return fifo[-1]
    n = len(fifo) - n if n > 0 else -n
    if n < 1 or n > len(fifo):
        raise InitError(f"deltap: delayr index {indx:.0f} is out of range")
    return fifo[n - 1]


@helper
def _u32(x):
    """C's (uint32) cast of a double, as x86-64 does it (via a 64-bit int)."""
    return np.int64(x) & 0xFFFFFFFF


# ---------------------------------------------------------------- delay, delay1

def delay_init(s, ic, ar, asig, idlt, istor):
    npts = _lrnd(idlt * ic.sr)
    if npts <= 0:
        raise InitError("illegal delay time")
    buf, pos, _ = _line(ic, npts, istor != 0)
    return buf, pos


@kernel
def delay_perf(s, ctx, buf, pos, ar, asig, idlt, istor, n0, n1):
    """delay: fixed delay line of idlt seconds (OOps/ugens6.c delay)."""
    npts = buf.shape[0]
    cur = pos[0]
    for n in range(n0, n1):
        x = asig[n]
        ar[n] = buf[cur]
        buf[cur] = x
        cur += 1
        if cur >= npts:
            cur = 0
    pos[0] = cur


defop("delay", "a", "aio", None, delay_init, delay_perf, arrays=("buf", "pos"))

DELAY1 = State(sav1=f64)


def delay1_init(s, ic, ar, asig, istor):
    if istor == 0:
        s.sav1 = 0.0


@kernel
def delay1_perf(s, ctx, ar, asig, istor, n0, n1):
    """delay1: one-sample delay (OOps/ugens6.c delay1)."""
    last = asig[n1 - 1]
    for n in range(n1 - 1, n0, -1):  # backwards, so that `a1 delay1 a1` works
        ar[n] = asig[n - 1]
    ar[n0] = s.sav1
    s.sav1 = last


defop("delay1", "a", "ao", DELAY1, delay1_init, delay1_perf)


# ---------------------------------------------------------------- delayr, delayw

def _delayr_setup(ic, idlt, istor):
    fifo = _fifo(ic)
    npts = _lrnd(idlt * ic.sr)
    buf, pos, kept = _line(ic, npts, istor != 0)
    if not kept and npts < ic.ksmps:
        raise InitError("illegal delay time")
    fifo.append((buf, pos))
    return buf, pos, len(fifo)


def delayr_init(s, ic, ar, idlt, istor):
    buf, pos, _ = _delayr_setup(ic, idlt, istor)
    return buf, pos


def delayr_init_indx(s, ic, ar, indx, idlt, istor):
    buf, pos, depth = _delayr_setup(ic, idlt, istor)
    indx[0] = -float(depth)
    return buf, pos


@kernel
def delayr_perf(s, ctx, buf, pos, ar, idlt, istor, n0, n1):
    """delayr: read the oldest samples of the line (OOps/ugens6.c delayr)."""
    npts = buf.shape[0]
    cur = pos[0]
    for n in range(n0, n1):
        ar[n] = buf[cur]
        cur += 1
        if cur >= npts:
            cur = 0


@kernel
def delayr_perf_indx(s, ctx, buf, pos, ar, indx, idlt, istor, n0, n1):
    """delayr with its index output (OOps/ugens6.c delayr)."""
    delayr_perf(s, ctx, buf, pos, ar, idlt, istor, n0, n1)


defop("delayr", "a", "io", None, delayr_init, delayr_perf, arrays=("buf", "pos"))
# Csound's row is "aX": the optional second output is the line's index
defop("delayr", "ai", "io", None, delayr_init_indx, delayr_perf_indx, arrays=("buf", "pos"))
defop("delayr", "ak", "io", None, delayr_init_indx, delayr_perf_indx, arrays=("buf", "pos"))


def delayw_init(s, ic, asig):
    fifo = _fifo(ic)
    if not fifo:
        raise InitError("delayw: associated delayr not found")
    return fifo.pop(0)


@kernel
def delayw_perf(s, ctx, buf, pos, asig, n0, n1):
    """delayw: write into the paired delayr's line (OOps/ugens6.c delayw)."""
    npts = buf.shape[0]
    cur = pos[0]
    for n in range(n0, n1):
        buf[cur] = asig[n]
        cur += 1
        if cur >= npts:
            cur = 0
    pos[0] = cur


defop("delayw", "", "a", None, delayw_init, delayw_perf, arrays=("buf", "pos"))


# ---------------------------------------------------------------- deltap family

DELTAP = State(arate=i64, wsize=i64, d2x=f64)


def deltap_init(s, ic, ar, xdlt, indx):
    s.arate = int(is_audio(xdlt))
    return _find_delayr(ic, indx)


@helper
def _wrap(i, npts):
    while i < 0:
        i += npts
    while i >= npts:
        i -= npts
    return i


@kernel
def deltap_perf(s, ctx, buf, pos, ar, kdlt, indx, n0, n1):
    """deltap: tap at a whole number of samples (OOps/ugens6.c deltap)."""
    npts = buf.shape[0]
    tap = _wrap(pos[0] - np.int64(np.rint(at(kdlt, 0) * ctx.sr)), npts)
    for n in range(n0, n1):
        if tap >= npts:
            tap -= npts
        ar[n] = buf[tap]
        tap += 1


@kernel
def deltapi_perf(s, ctx, buf, pos, ar, xdlt, indx, n0, n1):
    """deltapi: linearly interpolated tap (OOps/ugens6.c deltapi)."""
    npts = buf.shape[0]
    cur = pos[0]
    sr = ctx.sr  # a local: stores into ar[] would make numba reload it
    for n in range(n0, n1):
        dt = at(xdlt, n)
        if dt == math.inf:
            raise PerfError("deltapi: INF delaytime")
        dsmps = dt * sr
        idel = np.int64(dsmps)
        frac = dsmps - idel
        tap = _wrap(cur + (n - n0) - idel, npts)
        prv = tap - 1 if tap > 0 else npts - 1
        # unsigned: numba then skips its negative-index check
        here, before = buf[np.uint64(tap)], buf[np.uint64(prv)]
        ar[n] = here + (before - here) * frac


@kernel
def deltapn_perf(s, ctx, buf, pos, ar, xnumsamps, indx, n0, n1):
    """deltapn: tap at a number of samples (OOps/ugens6.c deltapn)."""
    npts = buf.shape[0]
    cur = pos[0]
    for n in range(n0, n1):
        tap = _wrap(cur + (n - n0) - np.int64(at(xnumsamps, n)), npts)
        ar[n] = buf[tap]


@kernel
def deltap3_perf(s, ctx, buf, pos, ar, xdlt, indx, n0, n1):
    """deltap3: cubic interpolated tap (OOps/ugens6.c deltap3)."""
    npts = buf.shape[0]
    cur = pos[0]
    # compat: Csound rounds 1/6 differently in its k-rate and a-rate versions
    sixth = 0.1666666667 if s.arate else 0.16666666666667
    for n in range(n0, n1):
        dt = at(xdlt, n)
        if dt == math.inf:
            raise PerfError("deltapi: INF delaytime")
        dsmps = dt * ctx.sr
        idel = np.int64(dsmps)
        frac = dsmps - idel
        tap = _wrap(cur + (n - n0) - idel, npts)
        prv = tap - 1 if tap > 0 else npts - 1
        y2 = buf[prv - 1] if prv > 0 else buf[prv - 1 + npts]
        ym1 = buf[tap + 1] if tap + 1 < npts else buf[tap + 1 - npts]
        ar[n] = _cubic(ym1, buf[tap], buf[prv], y2, frac, sixth)


@helper
def _cubic(ym1, y0, y1, y2, frac, sixth):
    """Csound's 4-point cubic (ugens6.c deltap3, vdelay.c vdelay3), in its operation order."""
    z = (frac * frac - 1.0) * sixth
    y = (frac + 1.0) * 0.5
    w = y - 1.0
    x = 3.0 * z
    y -= x
    w -= z
    x -= frac
    return (w * ym1 + x * y0 + y * y1 + z * y2) * frac + y0


defop("deltap", "a", "ko", DELTAP, deltap_init, deltap_perf, arrays=("buf", "pos"))
defop("deltapi", "a", "xo", DELTAP, deltap_init, deltapi_perf, arrays=("buf", "pos"))
defop("deltapn", "a", "xo", DELTAP, deltap_init, deltapn_perf, arrays=("buf", "pos"))
defop("deltap3", "a", "xo", DELTAP, deltap_init, deltap3_perf, arrays=("buf", "pos"))


def _sinc_window(iwsize: float) -> tuple[int, float]:
    """deltapx window size (a multiple of 4 in [4, 1024]) and its d2x."""
    wsize = ((int(iwsize + 0.5) + 2) >> 2) << 2
    wsize = min(max(wsize, 4), 1024)
    d2x = (1.0 - math.pow(wsize * 0.85172, -0.89624)) / ((wsize * wsize) >> 2)
    return wsize, d2x


def deltapx_init(s, ic, ar, adlt, iwsize, indx):
    line = _find_delayr(ic, indx)
    s.wsize, s.d2x = _sinc_window(iwsize)
    return line


def deltapxw_init(s, ic, ain, adlt, iwsize, indx):
    return deltapx_init(s, ic, None, adlt, iwsize, indx)


@helper
def _cubic4(am1):
    """deltapx's cubic weights for samples -1, 0, +1, +2 at fraction am1."""
    a0 = am1 * am1
    a2 = 0.16666667 * (am1 * a0 - am1)
    a1 = 0.5 * (a0 + am1) - 3.0 * a2
    wm1 = 0.5 * (a0 - am1) - a2
    a0 = 3.0 * a2 - a0 + 1.0
    return wm1, a0, a1, a2


@kernel
def deltapx_perf(s, ctx, buf, pos, ar, adlt, iwsize, indx, n0, n1):
    """deltapx: windowed-sinc (or cubic) interpolated tap (OOps/ugens6.c deltapx)."""
    maxd = buf.shape[0]
    idx = pos[0]
    wsize = s.wsize
    i2 = wsize >> 1
    d2x = s.d2x
    for n in range(n0, n1):
        x1 = float(idx) - adlt[n] * ctx.sr
        while x1 < 0.0:
            x1 += maxd
        xpos = np.int64(x1)
        x1 -= xpos
        if wsize != 4:
            while xpos >= maxd:
                xpos -= maxd
            if x1 > 0.00000001 and x1 < 0.99999999:
                xpos -= i2
                while xpos < 0:
                    xpos += maxd
                d = float(1 - i2) - x1
                acc = 0.0
                for _ in range(i2):
                    w = 1.0 - d * d * d2x
                    xpos += 1
                    if xpos >= maxd:
                        xpos = 0
                    acc += w * w * buf[xpos] / d
                    d += 1.0
                    w = 1.0 - d * d * d2x
                    xpos += 1
                    if xpos >= maxd:
                        xpos = 0
                    acc -= w * w * buf[xpos] / d
                    d += 1.0
                ar[n] = acc * math.sin(math.pi * x1) / math.pi
            else:
                xpos = np.int64(np.rint(xpos + x1))
                if xpos >= maxd:
                    xpos -= maxd
                ar[n] = buf[xpos]
        else:
            wm1, a0, a1, a2 = _cubic4(x1)
            b = xpos - 1 if xpos else maxd - 1
            while b >= maxd:
                b -= maxd
            acc = wm1 * buf[b]
            b = b + 1 if b + 1 < maxd else 0
            acc += a0 * buf[b]
            b = b + 1 if b + 1 < maxd else 0
            acc += a1 * buf[b]
            b = b + 1 if b + 1 < maxd else 0
            acc += a2 * buf[b]
            ar[n] = acc
        idx += 1


@kernel
def deltapxw_perf(s, ctx, buf, pos, ain, adlt, iwsize, indx, n0, n1):
    """deltapxw: mix into the line at a fractional delay (OOps/ugens6.c deltapxw)."""
    maxd = buf.shape[0]
    idx = pos[0]
    wsize = s.wsize
    i2 = wsize >> 1
    d2x = s.d2x
    for n in range(n0, n1):
        x1 = float(idx) - adlt[n] * ctx.sr
        while x1 < 0.0:
            x1 += maxd
        xpos = np.int64(x1)
        x1 -= xpos
        if wsize != 4:
            while xpos >= maxd:
                xpos -= maxd
            if x1 > 0.00000001 and x1 < 0.99999999:
                # compat: Csound reads the input at the block's first frame here
                n1v = ain[0] * (math.sin(math.pi * x1) / math.pi)
                xpos -= i2
                while xpos < 0:
                    xpos += maxd
                d = float(1 - i2) - x1
                for _ in range(i2):
                    w = 1.0 - d * d * d2x
                    xpos += 1
                    if xpos >= maxd:
                        xpos = 0
                    buf[xpos] = buf[xpos] + w * w * n1v / d
                    d += 1.0
                    w = 1.0 - d * d * d2x
                    xpos += 1
                    if xpos >= maxd:
                        xpos = 0
                    buf[xpos] = buf[xpos] - w * w * n1v / d
                    d += 1.0
            else:
                xpos = np.int64(np.rint(xpos + x1))
                if xpos >= maxd:
                    xpos -= maxd
                buf[xpos] += ain[n]
        else:
            wm1, a0, a1, a2 = _cubic4(x1)
            x = ain[n]
            b = xpos - 1 if xpos else maxd - 1
            while b >= maxd:
                b -= maxd
            buf[b] += wm1 * x
            b = b + 1 if b + 1 < maxd else 0
            buf[b] += a0 * x
            b = b + 1 if b + 1 < maxd else 0
            buf[b] += a1 * x
            b = b + 1 if b + 1 < maxd else 0
            buf[b] += a2 * x
        idx += 1


defop("deltapx", "a", "aio", DELTAP, deltapx_init, deltapx_perf, arrays=("buf", "pos"))
defop("deltapxw", "", "aaio", DELTAP, deltapxw_init, deltapxw_perf, arrays=("buf", "pos"))


# ---------------------------------------------------------------- vdelay, vdelay3

VDEL = State(maxd=i64, arate=i64)


def vdelay_init(s, ic, ar, asig, xdel, imaxd, istod):
    n = int(imaxd * (ic.sr * 0.001)) + 1
    buf, pos, _ = _line(ic, n, istod != 0)
    s.maxd = n - 1
    s.arate = int(is_audio(xdel))
    return buf, pos


@kernel
def vdelay_perf(s, ctx, buf, pos, ar, asig, xdel, imaxd, istod, n0, n1):
    """vdelay: variable delay in ms, linear interpolation (OOps/vdelay.c vdelay)."""
    maxd = s.maxd
    fmaxd = float(maxd)
    esr = ctx.sr * 0.001
    indx = pos[0]
    for n in range(n0, n1):
        buf[indx] = asig[n]
        fv1 = indx - at(xdel, n) * esr
        while fv1 < 0.0:
            fv1 += fmaxd
        while fv1 >= fmaxd:
            fv1 -= fmaxd
        fv2 = fv1 + 1.0 if fv1 < maxd - 1 else 0.0
        v1 = np.int64(fv1)
        v2 = np.int64(fv2)
        ar[n] = buf[v1] + (fv1 - v1) * (buf[v2] - buf[v1])
        indx += 1
        if indx == maxd:
            indx = 0
    pos[0] = indx


@kernel
def vdelay3_perf(s, ctx, buf, pos, ar, asig, xdel, imaxd, istod, n0, n1):
    """vdelay3: variable delay in ms, cubic interpolation (OOps/vdelay.c vdelay3)."""
    maxd = max(s.maxd, 1)
    esr = ctx.sr * 0.001
    indx = pos[0]
    sixth = 0.1666666667
    if s.arate:
        for n in range(n0, n1):
            buf[indx] = asig[n]
            v1, fv1 = _vdel3_pos(at(xdel, n), esr, indx, maxd)
            v2 = 0 if v1 == maxd - 1 else v1 + 1
            if maxd < 4:
                ar[n] = buf[v1] + fv1 * (buf[v2] - buf[v1])
            else:
                v0 = maxd - 1 if v1 == 0 else v1 - 1
                v3 = 0 if v2 == maxd - 1 else v2 + 1
                ar[n] = _cubic(buf[v0], buf[v1], buf[v2], buf[v3], fv1, sixth)
            indx += 1
            if indx == maxd:
                indx = 0
    else:
        v1, fv1 = _vdel3_pos(at(xdel, 0), esr, indx, maxd)
        for n in range(n0, n1):
            if maxd >= 4:
                # compat: the k-rate short-buffer branch never writes its input
                buf[indx] = asig[n]
            v2 = 0 if v1 == maxd - 1 else v1 + 1
            if maxd < 4:
                ar[n] = buf[v1] + fv1 * (buf[v2] - buf[v1])
            else:
                v0 = maxd - 1 if v1 == 0 else v1 - 1
                v3 = 0 if v2 == maxd - 1 else v2 + 1
                ar[n] = _cubic(buf[v0], buf[v1], buf[v2], buf[v3], fv1, sixth)
            v1 += 1
            if v1 >= maxd:
                v1 -= maxd
            indx += 1
            if indx >= maxd:
                indx -= maxd
    pos[0] = indx


@helper
def _vdel3_pos(dms, esr, indx, maxd):
    """vdelay3's read position: integer index in the buffer and fraction in [0, 1)."""
    fv1 = dms * -esr
    v1 = np.int64(fv1)
    fv1 -= v1
    v1 += indx
    if v1 < 0 or fv1 < 0.0:
        fv1 += 1.0
        v1 -= 1
        while v1 < 0:
            v1 += maxd
    else:
        while v1 >= maxd:
            v1 -= maxd
    return v1, fv1


defop("vdelay", "a", "axio", VDEL, vdelay_init, vdelay_perf, arrays=("buf", "pos"))
defop("vdelay3", "a", "axio", VDEL, vdelay_init, vdelay3_perf, arrays=("buf", "pos"))


# ---------------------------------------------------------------- vdelayx family

VDELX = State(maxd=i64, wsize=i64)


def _vdelx_setup(s, ic, nch, imaxd, iquality, istod):
    n = max(int(imaxd * ic.sr), 1)
    buf, pos, kept = _line(ic, n * nch, istod != 0)
    if not kept:
        pos[0] = 0
        wsize = 4 * int(0.5 + 0.25 * iquality)
        pos[1] = min(max(wsize, 4), 1024)
    s.maxd = n
    s.wsize = pos[1]
    return buf[:n * nch].reshape(nch, n), pos


def _vdelx_init(nch, write):
    def init(s, ic, *args):
        imaxd, iquality, istod = args[-3:]
        return _vdelx_setup(s, ic, nch, imaxd, iquality, istod)
    return init


@helper
def _vdx_d2x(wsize):
    i2 = wsize >> 1
    return (1.0 - math.pow(wsize * 0.85172, -0.89624)) / (i2 * i2)


@helper
def _vdx_read(buf, x1, xpos, i2, d2x, x2, maxd):
    """Windowed-sinc read of one channel at integer xpos + fraction x1 (vdelay.c vdelayx)."""
    if x1 * (1.0 - x1) > 0.00000001:
        xpos += 1 - i2
        while xpos < 0:
            xpos += maxd
        d = float(1 - i2) - x1
        acc = 0.0
        for _ in range(i2):
            w = 1.0 - d * d * d2x
            w *= w / d
            d += 1.0
            acc += buf[xpos] * w
            xpos += 1
            if xpos >= maxd:
                xpos -= maxd
            w = 1.0 - d * d * d2x
            w *= w / d
            d += 1.0
            acc -= buf[xpos] * w
            xpos += 1
            if xpos >= maxd:
                xpos -= maxd
        return acc * x2
    xpos = np.int64(xpos + x1 + 0.5)
    if xpos >= maxd:
        xpos -= maxd
    return buf[xpos]


@helper
def _vdx_write(buf, x1, xpos, i2, d2x, x2, maxd, xin):
    """Windowed-sinc write (mix) of one sample into one channel (vdelay.c vdelayxw)."""
    if x1 * (1.0 - x1) > 0.00000001:
        n1 = xin * x2
        xpos += 1 - i2
        while xpos < 0:
            xpos += maxd
        d = float(1 - i2) - x1
        for _ in range(i2):
            w = 1.0 - d * d * d2x
            w *= w / d
            d += 1.0
            buf[xpos] += n1 * w
            xpos += 1
            if xpos >= maxd:
                xpos -= maxd
            w = 1.0 - d * d * d2x
            w *= w / d
            d += 1.0
            buf[xpos] -= n1 * w
            xpos += 1
            if xpos >= maxd:
                xpos -= maxd
    else:
        xpos = np.int64(xpos + x1 + 0.5)
        if xpos >= maxd:
            xpos -= maxd
        buf[xpos] += xin


@helper
def _vdx_pos(indx, dsmps, maxd):
    x1 = float(indx) + dsmps
    while x1 < 0.0:
        x1 += maxd
    xpos = np.int64(x1)
    x1 -= xpos
    while xpos >= maxd:
        xpos -= maxd
    return xpos, x1, math.sin(math.pi * x1) / math.pi


@helper
def _vdelayx_block(s, ctx, bufs, pos, outs, ins, adel, n0, n1, write):
    maxd = s.maxd
    i2 = s.wsize >> 1
    d2x = _vdx_d2x(s.wsize)
    indx = pos[0]
    nch = bufs.shape[0]
    for n in range(n0, n1):
        if write:
            xpos, x1, x2 = _vdx_pos(indx, adel[n] * ctx.sr, maxd)
            for c in range(nch):
                _vdx_write(bufs[c], x1, xpos, i2, d2x, x2, maxd, ins[c][n])
                outs[c][n] = bufs[c, indx]
                bufs[c, indx] = 0.0
        else:
            for c in range(nch):
                bufs[c, indx] = ins[c][n]
            xpos, x1, x2 = _vdx_pos(indx, -(adel[n] * ctx.sr), maxd)
            for c in range(nch):
                outs[c][n] = _vdx_read(bufs[c], x1, xpos, i2, d2x, x2, maxd)
        indx += 1
        if indx == maxd:
            indx = 0
    pos[0] = indx


@kernel
def vdelayx_perf(s, ctx, bufs, pos, ar, ain, adel, imaxd, iquality, istod, n0, n1):
    """vdelayx: variable delay with windowed-sinc interpolation (OOps/vdelay.c)."""
    _vdelayx_block(s, ctx, bufs, pos, (ar,), (ain,), adel, n0, n1, False)


@kernel
def vdelayxw_perf(s, ctx, bufs, pos, ar, ain, adel, imaxd, iquality, istod, n0, n1):
    """vdelayxw: variable delay that moves the write position (OOps/vdelay.c)."""
    _vdelayx_block(s, ctx, bufs, pos, (ar,), (ain,), adel, n0, n1, True)


@kernel
def vdelayxs_perf(s, ctx, bufs, pos, ar1, ar2, ain1, ain2, adel, imaxd, iquality, istod,
                  n0, n1):
    """vdelayxs: stereo vdelayx (OOps/vdelay.c)."""
    _vdelayx_block(s, ctx, bufs, pos, (ar1, ar2), (ain1, ain2), adel, n0, n1, False)


@kernel
def vdelayxws_perf(s, ctx, bufs, pos, ar1, ar2, ain1, ain2, adel, imaxd, iquality, istod,
                   n0, n1):
    """vdelayxws: stereo vdelayxw (OOps/vdelay.c)."""
    _vdelayx_block(s, ctx, bufs, pos, (ar1, ar2), (ain1, ain2), adel, n0, n1, True)


@kernel
def vdelayxq_perf(s, ctx, bufs, pos, ar1, ar2, ar3, ar4, ain1, ain2, ain3, ain4, adel,
                  imaxd, iquality, istod, n0, n1):
    """vdelayxq: four-channel vdelayx (OOps/vdelay.c)."""
    _vdelayx_block(s, ctx, bufs, pos, (ar1, ar2, ar3, ar4), (ain1, ain2, ain3, ain4),
                   adel, n0, n1, False)


@kernel
def vdelayxwq_perf(s, ctx, bufs, pos, ar1, ar2, ar3, ar4, ain1, ain2, ain3, ain4, adel,
                   imaxd, iquality, istod, n0, n1):
    """vdelayxwq: four-channel vdelayxw (OOps/vdelay.c)."""
    _vdelayx_block(s, ctx, bufs, pos, (ar1, ar2, ar3, ar4), (ain1, ain2, ain3, ain4),
                   adel, n0, n1, True)


defop("vdelayxwq", "aaaa", "aaaaaiio", VDELX, _vdelx_init(4, True), vdelayxwq_perf,
      arrays=("bufs", "pos"))
defop("vdelayxws", "aa", "aaaiio", VDELX, _vdelx_init(2, True), vdelayxws_perf,
      arrays=("bufs", "pos"))
defop("vdelayxw", "a", "aaiio", VDELX, _vdelx_init(1, True), vdelayxw_perf,
      arrays=("bufs", "pos"))
defop("vdelayxq", "aaaa", "aaaaaiio", VDELX, _vdelx_init(4, False), vdelayxq_perf,
      arrays=("bufs", "pos"))
defop("vdelayxs", "aa", "aaaiio", VDELX, _vdelx_init(2, False), vdelayxs_perf,
      arrays=("bufs", "pos"))
defop("vdelayx", "a", "aaiio", VDELX, _vdelx_init(1, False), vdelayx_perf,
      arrays=("bufs", "pos"))


# ---------------------------------------------------------------- multitap

MDEL = State(left=i64, maxd=i64)


def multitap_init(s, ic, ar, asig, taps):
    if len(taps) % 2:
        raise InitError("Wrong input count in multitap\n")
    tap_arr = np.array(taps, dtype=np.float64)
    dmax = 0.0
    for d in tap_arr[0::2]:
        if dmax < d:
            dmax = d
    nbytes = int(ic.sr * dmax * 8)
    s.left = 0
    s.maxd = max(int(ic.sr * dmax), 1)  # Csound would run off an empty buffer
    return np.zeros(max(nbytes // 8, 1)), tap_arr


@kernel
def multitap_perf(s, ctx, buf, taps, ar, asig, itaps, n0, n1):
    """multitap: sum of fixed taps on one delay line (OOps/vdelay.c multitap_play)."""
    indx = s.left
    dmax = s.maxd
    ntaps = taps.shape[0] // 2
    for n in range(n0, n1):
        buf[indx] = asig[n]
        indx += 1
        if indx == dmax:
            indx = 0
        v = 0.0
        for i in range(ntaps):
            d = indx - np.int64(ctx.sr * taps[2 * i])
            if d < 0:
                d += dmax
            v += buf[d] * taps[2 * i + 1]
        ar[n] = v
    s.left = indx


defop("multitap", "a", "am", MDEL, multitap_init, multitap_perf, arrays=("buf", "taps"))


# ---------------------------------------------------------------- flanger

FLANGER = State(yt1=f64)


def flanger_init(s, ic, ar, asig, adel, kfeedback, imaxd):
    s.yt1 = 0.0
    return np.zeros(max(int(imaxd * ic.sr), 1)), np.zeros(1, dtype=np.int64)


@kernel
def flanger_perf(s, ctx, buf, pos, ar, asig, adel, kfeedback, imaxd, n0, n1):
    """flanger: feedback delay with an a-rate delay time (Opcodes/flanger.c)."""
    maxdelay = float(buf.shape[0])
    indx = pos[0]
    yt1 = s.yt1
    fb = at(kfeedback, 0)
    for n in range(n0, n1):
        buf[indx] = asig[n] + yt1 * fb
        fv1 = indx - adel[n] * ctx.sr
        while fv1 < 0.0:
            fv1 += maxdelay
        while fv1 >= maxdelay:
            fv1 -= maxdelay
        v1 = np.int64(fv1)
        v2 = v1 + 1 if fv1 < maxdelay - 1.0 else 0
        yt1 = buf[v1] + (fv1 - v1) * (buf[v2] - buf[v1])
        ar[n] = yt1
        indx += 1
        if indx == maxdelay:
            indx = 0
    pos[0] = indx
    s.yt1 = yt1


defop("flanger", "a", "aakv", FLANGER, flanger_init, flanger_perf, arrays=("buf", "pos"))


# ---------------------------------------------------------------- vcomb, valpass

VCOMB = State(rvt=f64, lpt=f64, g=f64, maxlpt=i64, arate=i64)


def vcomb_init(s, ic, ar, asig, krvt, xlpt, imaxlpt, istor, insmps):
    if insmps != 0:
        lpsiz = _lrnd(imaxlpt)
    else:
        lpsiz = int(imaxlpt * ic.sr)
    if lpsiz <= 0:
        raise InitError("illegal loop time")
    buf, pos, _ = _line(ic, lpsiz, istor != 0)
    s.rvt = s.lpt = s.g = 0.0
    s.arate = int(is_audio(xlpt))
    s.maxlpt = _u32(imaxlpt * ic.sr if insmps == 0 else imaxlpt)
    return buf, pos


@helper
def _vcomb_block(s, ctx, buf, pos, ar, asig, krvt, xlpt, insmps, n0, n1, allpass):
    endp = buf.shape[0]
    maxlpt = s.maxlpt
    wp = pos[0]
    g = s.g
    rvt = at(krvt, 0)
    rp = 0
    for n in range(n0, n1):
        if s.arate or n == n0:
            # compat: vcomb reads its a-rate loop time from the block's start, not n
            lpt = at(xlpt, n if allpass else n - n0)
            xl = _u32(lpt if insmps != 0 else lpt * ctx.sr)
            if xl > maxlpt:
                xl = maxlpt
            rp = wp - xl
            if rp < 0:
                rp += maxlpt
            if s.rvt != rvt or s.lpt != lpt:
                s.rvt = rvt
                s.lpt = lpt
                g = math.pow(0.001, lpt / rvt)
                s.g = g
        y = buf[rp]
        rp += 1
        if allpass:
            z = y * g + asig[n]
            buf[wp] = z
            ar[n] = y - g * z
        else:
            ar[n] = y
            buf[wp] = y * g + asig[n]
        wp += 1
        if wp >= endp:
            wp = 0
        if rp >= endp:
            rp = 0
    pos[0] = wp


@kernel
def vcomb_perf(s, ctx, buf, pos, ar, asig, krvt, xlpt, imaxlpt, istor, insmps, n0, n1):
    """vcomb: comb filter with variable loop time (Opcodes/ugmoss.c vcomb)."""
    _vcomb_block(s, ctx, buf, pos, ar, asig, krvt, xlpt, insmps, n0, n1, False)


@kernel
def valpass_perf(s, ctx, buf, pos, ar, asig, krvt, xlpt, imaxlpt, istor, insmps, n0, n1):
    """valpass: allpass filter with variable loop time (Opcodes/ugmoss.c valpass)."""
    _vcomb_block(s, ctx, buf, pos, ar, asig, krvt, xlpt, insmps, n0, n1, True)


defop("vcomb", "a", "akxioo", VCOMB, vcomb_init, vcomb_perf, arrays=("buf", "pos"))
defop("valpass", "a", "akxioo", VCOMB, vcomb_init, valpass_perf, arrays=("buf", "pos"))
