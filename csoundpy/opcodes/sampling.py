"""Sample playback: `loscil`, `loscil3` (OOps/ugens3.c) from GEN01 tables, and
the sound-file readers `soundin`, `diskin`, `diskin2` (OOps/diskin2.c).

The file readers load the whole file at init (Csound streams it through two
buffers, which yields the same samples: frames outside the file read as 0).
Not registered: the array-output forms of diskin/diskin2, `grain`.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import ST_RELEASING, ST_SIZE
from ..errors import InitError
from ._registry import State, defop, f64, i64

LOFACT = 1024.0


def _status(ic) -> np.ndarray:
    inst = ic.instance
    return inst.status if inst is not None else np.zeros(ST_SIZE)


# ---------------------------------------------------------------- loscil

LOSC = State(cpscvt=f64, lphs=f64, mod1=i64, mod2=i64, beg1=f64, end1=f64, beg2=f64,
             end2=f64, seg1=i64, curmod=i64, looping=i64, stereo=i64)


def losc_init(s, ic, *args):
    outs, (xamp, kcps, ifn, ibas, imod1, ibeg1, iend1, imod2, ibeg2, iend2) = args[:-10], \
        args[-10:]
    ft = ic.table(ifn)
    extra = ft.extra or {}
    maxphs = int(extra.get("flenfrms", ft.size // max(ft.nchnls, 1)))
    cvtbas = float(extra.get("cvtbas", LOFACT * ft.sr * float(ic.consts.onedsr) if ft.sr else 0.0))
    ft_cpscvt = float(extra.get("cpscvt", cvtbas / ft.base_freq if ft.base_freq else 0.0))
    if ibas != 0.0:
        s.cpscvt = (cvtbas / ibas) / LOFACT
    elif ft_cpscvt == 0.0:
        s.cpscvt = 1.0 / 261.62556530059862592
        ic.warning("no legal base frequency")
    else:
        s.cpscvt = ft_cpscvt / LOFACT
    mod1 = int(imod1)
    if mod1 < 0:
        mod1 = ft.loop_mode1
        if mod1 == 0:
            ic.warning("loscil: sustain defers to non-looping source")
        beg1, end1 = float(ft.begin1), float(ft.end1)
    elif mod1 > 3:
        raise InitError("illegal sustain loop data")
    else:
        beg1, end1 = ibeg1, iend1
        if not beg1 and not end1:
            end1 = float(maxphs)
        elif beg1 < 0 or end1 > maxphs or beg1 >= end1:
            ic.message(f"beg: {beg1:g}, end = {end1:g}, maxphs = {maxphs}\n")
            raise InitError("illegal sustain loop data")
    mod2 = int(imod2)
    if mod2 < 0:
        mod2 = ft.loop_mode2
        beg2, end2 = float(ft.begin2), float(ft.end2)
    else:
        beg2, end2 = ibeg2, iend2
        if mod2 > 3 or beg2 < 0 or end2 > maxphs or beg2 >= end2:
            raise InitError("illegal release loop data")
    beg1 = max(beg1, 0.0)
    end1 = min(end1, float(maxphs))
    if beg1 >= end1:
        mod1, beg1, end1 = 0, 0.0, float(maxphs)
    beg2 = max(beg2, 0.0)
    end2 = min(end2, float(maxphs))
    if beg2 >= end2:
        mod2, beg2 = 0, 0.0
    if not mod2 and not end2:
        end2 = float(maxphs)
    s.mod1, s.beg1, s.end1 = mod1, beg1, end1
    s.mod2, s.beg2, s.end2 = mod2, beg2, end2
    s.lphs = 0.0
    s.seg1 = 1
    s.curmod = mod1
    s.looping = 1 if mod1 else 0
    s.stereo = 0 if len(outs) == 1 else 1
    if len(outs) == 1 and ft.nchnls != 1:
        raise InitError("mono loscil cannot read from stereo ftable")
    if len(outs) != 1 and ft.nchnls != 2:
        raise InitError("stereo loscil cannot read from mono ftable")
    return ft.data, _status(ic)


@helper
def _losc_linear(ftbl, phs, flen, stereo):
    """ugens3.c linear interpolation at frame phs: (left, right)."""
    fract = phs - float(int(phs))
    x0 = int(phs)
    if stereo:
        x = 2 * int(phs)
        tl = ftbl[x]
        tr = ftbl[x + 1]
        x = x + 2 if x < flen - 1 else flen - 1
        return tl + (ftbl[x] - tl) * fract, tr + (ftbl[x + 1] - tr) * fract
    t = ftbl[x0]
    x = x0 + 1 if x0 < flen else flen
    v = t + (ftbl[x] - t) * fract
    return v, v


@helper
def _losc_cubic(ftbl, phs, flen, stereo):
    """ugens3.c cubic interpolation at frame phs: (left, right)."""
    fract = phs - float(int(phs))
    a3 = fract * fract
    a3 -= 1.0
    a3 *= 1.0 / 6.0
    a2 = fract
    a2 += 1.0
    a2 *= 0.5
    a0 = a2
    a0 -= 1.0
    a1 = 3.0 * a3
    a2 -= a1
    a0 -= a3
    a1 -= fract
    a0 *= fract
    a1 *= fract
    a2 *= fract
    a3 *= fract
    a1 += 1.0
    # compat: Csound's four points start at the current frame, not the one before.
    if stereo:
        x = 2 * int(phs)
        tl = ftbl[x if x >= 0 else 0] * a0
        tr = ftbl[x + 1 if x >= 0 else 1] * a0
        x += 2
        tl += ftbl[x] * a1
        tr += ftbl[x + 1] * a1
        x = x + 2 if x < flen - 1 else flen - 1
        tl += ftbl[x] * a2
        tr += ftbl[x + 1] * a2
        x = x + 2 if x < flen - 1 else flen - 1
        tl += ftbl[x] * a3
        tr += ftbl[x + 1] * a3
        return tl, tr
    x = int(phs)
    t = ftbl[x if x >= 0 else 0] * a0
    x += 1
    t += ftbl[x] * a1
    x += 1
    t += ftbl[x if x < flen else flen] * a2
    x += 1
    t += ftbl[x if x < flen else flen] * a3
    return t, t


@helper
def _losc_block(s, ftbl, status, ar1, ar2, xamp, kcps, n0, n1, cubic):
    """One block of loscil/loscil3: the segment and loop state machine of ugens3.c."""
    inc = abs(at(kcps, 0) * s.cpscvt)
    if s.seg1:
        beg, end = s.beg1, s.end1
        if status[ST_RELEASING] != 0.0:
            s.looping = 0
    else:
        beg, end = s.beg2, s.end2
    stereo = s.stereo != 0
    flen = ftbl.shape[0] - 1
    phs = s.lphs
    n = n0
    nsmps = n1
    while True:
        if phs >= end and s.curmod != 3:
            for m in range(n, nsmps):
                ar1[m] = 0.0
                ar2[m] = 0.0
            return
        ended = False
        mode = s.curmod
        while n < nsmps:
            if cubic:
                vl, vr = _losc_cubic(ftbl, phs, flen, stereo)
            else:
                vl, vr = _losc_linear(ftbl, phs, flen, stereo)
            amp = at(xamp, n)
            ar1[n] = vl * amp
            if stereo:
                ar2[n] = vr * amp
            if mode == 3:
                phs -= inc
                if phs < beg:
                    phs += (beg - phs) * 2
                    mode = 2
                    s.curmod = 2
            else:
                phs += inc
                if phs >= end:
                    if mode == 0 or not s.looping:
                        ended = True
                        break
                    if mode == 1:
                        phs -= end - beg
                    else:
                        phs -= (phs - end) * 2
                        mode = 3
                        s.curmod = 3
            n += 1
        s.lphs = phs
        if not ended:
            return
        if s.seg1:
            s.seg1 = 0
            s.curmod = s.mod2
            if s.curmod != 0:
                s.looping = 1
            if stereo:
                n += 1
                if n >= nsmps:
                    return
            elif cubic:
                # compat: loscil3 (mono) redoes this frame and drops the block's last one.
                nsmps -= 1
                if nsmps == 0:
                    return
            else:
                # compat: loscil (mono) leaves the rest of this block unwritten.
                return
            beg, end = s.beg2, s.end2
            continue
        n += 1
        for m in range(n, nsmps):
            ar1[m] = 0.0
            ar2[m] = 0.0
        return


@kernel
def loscil_perf(s, ctx, ftbl, status, *args):
    """loscil: table playback with sustain/release loops, linear interpolation (ugens3.c)."""
    outs = args[:-12]
    _losc_block(s, ftbl, status, outs[0], outs[len(outs) - 1], args[-12], args[-11],
                args[-2], args[-1], False)


@kernel
def loscil3_perf(s, ctx, ftbl, status, *args):
    """loscil3: as loscil with cubic interpolation (ugens3.c loscil3)."""
    outs = args[:-12]
    _losc_block(s, ftbl, status, outs[0], outs[len(outs) - 1], args[-12], args[-11],
                args[-2], args[-1], True)


defop("loscil", "mm", "xkjojoojoo", LOSC, losc_init, loscil_perf, arrays=("ftbl", "status"))
defop("loscil3", "mm", "xkjojoojoo", LOSC, losc_init, loscil3_perf, arrays=("ftbl", "status"))


# ------------------------------------------------------- diskin2, soundin

POS_FRAC_SHIFT = 28
POS_FRAC_SCALE = 1 << POS_FRAC_SHIFT
POS_FRAC_MASK = POS_FRAC_SCALE - 1
DISKIN2 = State(pos_frac=i64, pos_frac_inc=i64, prv_ktranspose=f64, warp_scale=f64,
                win_size=i64, win_fact=f64, wrap=i64, file_length=i64)


def _read_sound(ic, name, nchannels: int):
    import soundfile

    path = ic.engine.find_file(name)
    if path is None:
        raise InitError(f"diskin2: {name}: failed to open file "
                        f"(System error : No such file or directory.)")
    data, filesr = soundfile.read(path, dtype="float64", always_2d=True)
    if data.shape[1] != nchannels:
        raise InitError("diskin2: number of output args inconsistent with number of file "
                        "channels")
    return np.ascontiguousarray(data), filesr


def _file_name(ifilcod) -> str:
    if isinstance(ifilcod, str):
        return ifilcod
    return f"soundin.{int(ifilcod)}"


def _diskin_setup(s, ic, nouts, ifilcod, iskiptim, iwrap, wsize):
    if nouts < 1 or nouts > 40:
        raise InitError("diskin2: invalid number of channels")
    data, filesr = _read_sound(ic, _file_name(ifilcod), nouts)
    sr = ic.sr
    win = int(wsize)
    if win < 1:
        win = 4
    elif win > 2:
        win = (win + 2) & ~3
        if win > 1024:
            win = 1024
        s.win_fact = (1.0 - (win * 0.85172) ** -0.89624) / float((win * win) >> 2)
    s.win_size = win
    length = data.shape[0]
    s.file_length = length
    s.warp_scale = 1.0
    if int(sr) != int(filesr):
        if win != 1:
            s.warp_scale = float(filesr) / sr
        else:
            ic.warning(f"diskin2: warning: file sample rate ({int(filesr)}) != orchestra sr "
                       f"({int(sr)})\n")
    wrap = 0 if iwrap == 0.0 else 1
    if length < 1:
        wrap = 0
    s.wrap = wrap
    pos = float(iskiptim) * sr * s.warp_scale
    pos *= float(POS_FRAC_SCALE)
    pos_frac = int(pos + 0.5) if pos >= 0.0 else int(pos - 0.5)
    if wrap:
        pos_frac %= length << POS_FRAC_SHIFT
    s.pos_frac = pos_frac
    s.pos_frac_inc = 0
    s.prv_ktranspose = 0.0
    return (data,)


def diskin2_init(s, ic, *args):
    outs, (ifilcod, kpitch, iskiptim, iwrap, iformat, iwsize, ibufsize, iskipinit,
           iforcesync) = args[:-9], args[-9:]
    return _diskin_setup(s, ic, len(outs), ifilcod, iskiptim, iwrap, iwsize)


def diskin_init(s, ic, *args):
    outs, (ifilcod, kpitch, iskiptim, iwrap, iformat, iskipinit, ibufsize, _a, _b) = \
        args[:-9], args[-9:]
    return _diskin_setup(s, ic, len(outs), ifilcod, iskiptim, iwrap, 2.0)


def soundin_init(s, ic, *args):
    outs, (ifilcod, iskptim, iformat, iskipinit, ibufsize) = args[:-5], args[-5:]
    # compat: soundin hands iskipinit to diskin2's wrap-mode slot.
    return _diskin_setup(s, ic, len(outs), ifilcod, iskptim, iskipinit, 2.0)


@helper
def _dk_add(s, data, outs, fpos, n, scl):
    """Add frame fpos (0 outside the file, wrapped once in wrap mode) times scl."""
    length = s.file_length
    if s.wrap:
        if fpos >= length:
            fpos -= length
        elif fpos < 0:
            fpos += length
    if fpos < 0 or fpos >= length:
        return
    for c in range(len(outs)):
        outs[c][n] += scl * data[fpos, c]


@helper
def _dk_pos_inc(s):
    """Advance the fixed-point read position; return the new frame index."""
    s.pos_frac += s.pos_frac_inc
    ndx = s.pos_frac >> POS_FRAC_SHIFT
    if s.wrap:
        length = s.file_length
        if ndx >= length:
            ndx -= length
            s.pos_frac -= length << POS_FRAC_SHIFT
        elif ndx < 0:
            ndx += length
            s.pos_frac += length << POS_FRAC_SHIFT
    return ndx


@helper
def _dk_frac(s):
    return float(s.pos_frac & POS_FRAC_MASK) * (1.0 / POS_FRAC_SCALE)


@helper
def _dk_sinc_term(d, x, winfact):
    a1 = d
    a1 = 1.0 - a1 * a1 * winfact
    return x * a1 * a1 / d


@helper
def _diskin2_block(s, ctx, data, outs, transpose, n0, n1):
    """diskin2_perf_synchronous: read frames at the transposed rate, interpolating."""
    if transpose != s.prv_ktranspose:
        s.prv_ktranspose = transpose
        f = transpose * s.warp_scale * float(POS_FRAC_SCALE)
        s.pos_frac_inc = int(np.rint(f))
    for c in range(len(outs)):
        for n in range(n0, n1):
            outs[c][n] = 0.0
    ndx = s.pos_frac >> POS_FRAC_SHIFT
    win = s.win_size
    if win == 1:
        for n in range(n0, n1):
            if s.pos_frac & (POS_FRAC_SCALE >> 1):
                ndx += 1
            _dk_add(s, data, outs, ndx, n, 1.0)
            ndx = _dk_pos_inc(s)
    elif win == 2:
        for n in range(n0, n1):
            a1 = _dk_frac(s)
            a0 = 1.0 - a1
            _dk_add(s, data, outs, ndx, n, a0)
            ndx += 1
            _dk_add(s, data, outs, ndx, n, a1)
            ndx = _dk_pos_inc(s)
    elif win == 4:
        for n in range(n0, n1):
            frac = _dk_frac(s)
            a3 = frac * frac
            a3 -= 1.0
            a3 *= 1.0 / 6.0
            a2 = frac
            a2 += 1.0
            a2 *= 0.5
            a0 = a2
            a0 -= 1.0
            a1 = 3.0 * a3
            a2 -= a1
            a0 -= a3
            a1 -= frac
            a0 *= frac
            a1 *= frac
            a2 *= frac
            a3 *= frac
            a1 += 1.0
            _dk_add(s, data, outs, ndx - 1, n, a0)
            _dk_add(s, data, outs, ndx, n, a1)
            _dk_add(s, data, outs, ndx + 1, n, a2)
            _dk_add(s, data, outs, ndx + 2, n, a3)
            ndx = _dk_pos_inc(s)
    else:
        _diskin2_sinc(s, data, outs, ndx, n0, n1)
    for c in range(len(outs)):
        for n in range(n0, n1):
            outs[c][n] *= ctx.e0dbfs


@helper
def _diskin2_sinc(s, data, outs, ndx, n0, n1):
    """Windowed-sinc interpolation of diskin2 (iwsize 8..1024)."""
    wsized2 = s.win_size >> 1
    lim = POS_FRAC_SCALE + (POS_FRAC_SCALE >> 12)
    inc = s.pos_frac_inc
    if inc > lim or inc < -lim:
        warp = True
        onedwarp = float(lim) / float(inc) if inc >= 0 else float(-lim) / float(inc)
        pidwarp = math.pi * onedwarp
        c = 2.0 * math.cos(pidwarp) - 2.0
        x = float(wsized2)
        v = x
        x *= x
        x = 1.0 / x
        v *= onedwarp
        v -= float(int(v)) + 0.5
        v *= 4.0 * v
        winfact = (s.win_fact - x) * v + x
    else:
        warp = False
        onedwarp = 0.0
        pidwarp = 0.0
        c = 0.0
        winfact = s.win_fact
    for n in range(n0, n1):
        frac_d = _dk_frac(s)
        ndx += 1 - wsized2
        d = float(1 - wsized2) - frac_d
        if warp:
            # fast sine generator: x = sin(pidwarp*d)/pi, stepped by the recurrence
            y0 = math.sin(pidwarp * d)
            y1 = math.sin(pidwarp * d + pidwarp)
            x = y0 * (1.0 / math.pi)
            v = (y1 - c * y0 - y0) * (1.0 / math.pi)
            for _ in range(wsized2 - 1):
                _dk_add(s, data, outs, ndx, n, _dk_sinc_term(d, x, winfact))
                ndx += 1
                d += 1.0
                v += c * x
                x += v
            a1 = onedwarp if frac_d < 0.00003 else _dk_sinc_term(d, x, winfact)
            _dk_add(s, data, outs, ndx, n, a1)
            ndx += 1
            d += 1.0
            v += c * x
            x += v
            a1 = onedwarp if frac_d > 0.99997 else _dk_sinc_term(d, x, winfact)
            _dk_add(s, data, outs, ndx, n, a1)
            ndx += 1
            d += 1.0
            v += c * x
            x += v
            for _ in range(wsized2 - 1):
                _dk_add(s, data, outs, ndx, n, _dk_sinc_term(d, x, winfact))
                ndx += 1
                d += 1.0
                v += c * x
                x += v
        elif frac_d < 0.00001 or frac_d > 0.99999:
            ndx += wsized2 - (1 if frac_d < 0.5 else 0)
            _dk_add(s, data, outs, ndx, n, 1.0)
        else:
            a0 = math.sin(math.pi * frac_d) / math.pi
            for _ in range(wsized2):
                a1 = d
                a1 = 1.0 - a1 * a1 * winfact
                a1 = a1 * a1 / d
                _dk_add(s, data, outs, ndx, n, a1 * a0)
                d += 1.0
                ndx += 1
                a1 = d
                a1 = 1.0 - a1 * a1 * winfact
                a1 = -(a1 * a1 / d)
                _dk_add(s, data, outs, ndx, n, a1 * a0)
                d += 1.0
                ndx += 1
        ndx = _dk_pos_inc(s)


@kernel
def diskin2_perf(s, ctx, data, *args):
    """diskin2, diskin: sound file at kpitch speed, interpolated (diskin2.c)."""
    _diskin2_block(s, ctx, data, args[:-11], at(args[-10], 0), args[-2], args[-1])


@kernel
def soundin_perf(s, ctx, data, *args):
    """soundin: sound file at its own speed (diskin2.c soundin)."""
    _diskin2_block(s, ctx, data, args[:-7], 1.0, args[-2], args[-1])


_M40 = "m" * 40
defop("soundin", _M40, "Soooo", DISKIN2, soundin_init, soundin_perf, arrays=("data",))
defop("soundin", _M40, "ioooo", DISKIN2, soundin_init, soundin_perf, arrays=("data",))
defop("diskin", _M40, "SPooooooo", DISKIN2, diskin_init, diskin2_perf, arrays=("data",))
defop("diskin2", _M40, "SPooooooo", DISKIN2, diskin2_init, diskin2_perf, arrays=("data",))
defop("diskin", _M40, "iPooooooo", DISKIN2, diskin_init, diskin2_perf, arrays=("data",))
defop("diskin2", _M40, "iPooooooo", DISKIN2, diskin2_init, diskin2_perf, arrays=("data",))
