"""Granular synthesis and sample looping.

Follows Csound 6.18 (64-bit build, MAXLEN = 2**28): grain from Opcodes/grain.c
(its grains draw from the engine's `randSeed1` with csoundRand31, the cell
kept by synthesis.randseed1_cell under `noise.randseed1`); lposcil and
lposcil3 from Opcodes/uggab.c; sndloop, flooper and flooper2 from
Opcodes/sndloop.c.  Sound tables carry their file's sample rate in
`FunctionTable.sr` (Csound's gen01args.sample_rate; 0 for tables not made by
GEN01).

Deviations: grain with an a-rate density reads one sample ahead, as Csound
does, and its last sample's read (past the block in Csound) repeats the block's
last value; flooper2 looks its table up at init only (Csound every block).
"""

from __future__ import annotations

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import MAXLEN
from ..errors import InitError, PerfError
from ._registry import State, defop, f64, i64
from .oscillators import _cubic, _trunc32
from .synthesis import _rand31, randseed1_cell

PHMASK = MAXLEN - 1

# --------------------------------------------------------------------- grain

PGRA = State(gcount=f64, pr=f64, imkglen=f64)


def grain_init(s, ic, ar, xamp, xpitch, xdens, kampoff, kpitchoff, kgdur, igfn, iwfn,
               imgdur, igrnd):
    gtab = ic.table(igfn)
    etab = ic.table(iwfn)
    s.gcount = 1.0
    s.pr = float(gtab.size << gtab.lobits) if igrnd == 0.0 else 0.0
    s.imkglen = imgdur
    ksmps = ic.ksmps
    span = int(ic.sr * imgdur)
    total = 2 * span + 3 * ksmps
    buf = np.zeros(span + ksmps)
    rem = np.zeros(total - (span + ksmps))
    return (gtab.data, etab.data, np.array([gtab.lobits, etab.lobits], dtype=np.int64),
            buf, rem, randseed1_cell(ic))


@helper
def _unirand(seed, a):
    """grain.c Unirand: (Rand31(randSeed1) - 1) / (2**31 - 3), scaled by a."""
    seed[()] = _rand31(seed[()])
    return float(seed[()] - 1) / 2147483645.0 * a


@kernel
def grain_perf(s, ctx, gtbl, etbl, lobits, buf, rem, seed, ar, xamp, xpitch, xdens, kampoff,
               kpitchoff, kgdur, igfn, iwfn, imgdur, igrnd, n0, n1):
    """grain: asynchronous granular synthesis with random grain parameters (grain.c ags)."""
    kglen = at(kgdur, 0)
    if kglen <= 0.0:
        raise PerfError("grain: grain length zero")
    ksmps = ctx.ksmps
    glen = gtbl.shape[0] - 1
    elen = etbl.shape[0] - 1
    pow2 = glen > 0 and (glen & (glen - 1)) == 0
    gcvt = glen / ctx.sr
    ecvt = elen / ctx.sr
    lb, lb2 = lobits[0], lobits[1]
    if kglen > s.imkglen:
        kglen = s.imkglen
    ekglen = int(ctx.sr * kglen)
    inc2 = _trunc32(ctx.sicvt / kglen)
    einc = (1.0 / kglen) * ecvt
    bufsize = ksmps + ekglen
    for k in range(bufsize):
        buf[k] = 0.0
    gcount = s.gcount
    for i in range(n0, n1):
        # compat: a-rate inputs are read from their first sample whatever the offset
        j = i - n0
        if gcount >= 1.0:
            gcount = 0.0
            amp = at(xamp, j) + _unirand(seed, at(kampoff, 0))
            isc = _trunc32(_unirand(seed, s.pr))
            if pow2:
                inc = _trunc32((at(xpitch, j) + _unirand(seed, at(kpitchoff, 0))) * ctx.sicvt)
                isc2 = 0
                for k in range(i, i + ekglen):
                    buf[k] += amp * gtbl[isc >> lb] * etbl[isc2 >> lb2]
                    isc = (isc + inc) & PHMASK
                    isc2 = (isc2 + inc2) & PHMASK
            else:
                gph = float(isc)
                eph = 0.0
                ginc = (at(xpitch, j) + _unirand(seed, at(kpitchoff, 0))) * gcvt
                for k in range(i, i + ekglen):
                    buf[k] += amp * gtbl[int(gph)] * etbl[int(eph)]
                    gph += ginc
                    eph += einc
                    while gph < 0.0:
                        gph += glen
                    while gph >= glen:
                        gph -= glen
                    while eph < 0.0:
                        eph += elen
                    while eph >= elen:
                        eph -= elen
        # compat: the density is read one sample ahead (grain.c advances it first)
        gcount += at(xdens, min(j + 1, ksmps - 1)) * ctx.onedsr
    for k in range(bufsize):
        rem[k] = buf[k] + rem[k + ksmps]
    for i in range(n0, n1):
        ar[i] = rem[i - n0]
    s.gcount = gcount


defop("grain", "a", "xxxkkkiiio", PGRA, grain_init, grain_perf,
      arrays=("gtbl", "etbl", "lobits", "buf", "rem", "seed"))

# ------------------------------------------------------------ lposcil lposcil3

LPOSC = State(phs=f64, fsr=f64, tablen=i64, cubic=i64)


def _table_sr(ic, table) -> float:
    """gen01args.sample_rate, or the orchestra's sr with Csound's warning."""
    if table.sr:
        return float(table.sr)
    ic.warning("losc: no sample rate stored in function assuming=sr\n")
    return ic.sr


def _lposc_init(cubic):
    def init(s, ic, ar, kamp, kfreqratio, kloop, kend, ifn, iphs):
        table = ic.table(ifn)
        s.fsr = _table_sr(ic, table)
        s.tablen = table.size
        s.cubic = cubic
        loop = max(kloop, 0.0)
        end = kend if 0.0 < kend <= table.size else float(table.size)
        if iphs >= 0.0:
            s.phs = iphs
        while s.phs >= end:
            s.phs -= end - loop
        return (table.data,)
    return init


@kernel
def lposcil_perf(s, ctx, ft, ar, kamp, kfreqratio, kloop, kend, ifn, iphs, n0, n1):
    """lposcil/lposcil3: sample playback with a k-rate loop (uggab.c lposc, lposc3)."""
    phs = s.phs
    si = at(kfreqratio, 0) * (s.fsr * ctx.onedsr)
    loop = at(kloop, 0)
    if loop < 0.0:
        loop = 0.0
    end = at(kend, 0)
    if end > s.tablen or end <= 0.0:
        end = float(s.tablen)
    looplength = end - loop
    amp = at(kamp, 0)
    flen = s.tablen
    for n in range(n0, n1):
        x0 = int(phs)
        fract = phs - float(x0)
        if s.cubic:
            ar[n] = amp * _cubic(ft, flen, x0, fract)
            phs += si
            while phs >= end:
                phs -= looplength
        else:
            ar[n] = amp * (ft[x0] + (ft[x0 + 1] - ft[x0]) * fract)
            phs += si
            if phs >= end:
                phs -= looplength
    s.phs = phs


defop("lposcil", "a", "kkkkjo", LPOSC, _lposc_init(0), lposcil_perf, arrays=("ft",))
defop("lposcil3", "a", "kkkkjo", LPOSC, _lposc_init(1), lposcil_perf, arrays=("ft",))

# ------------------------------------------------------------------- sndloop

SNDLOOP = State(wp=i64, rp=f64, cfds=i64, durs=i64, rst=i64, inc=f64, a=f64)


def sndloop_init(s, ic, aout, krec, asig, kpitch, kon, idur, ifad):
    s.durs = _trunc32(idur * ic.sr)
    s.cfds = _trunc32(ifad * ic.sr)
    if s.durs < s.cfds:
        raise InitError("crossfade cannot be longer than loop\n")
    s.inc = 1.0 / s.cfds if s.cfds else np.inf
    s.a = 0.0
    s.wp = 0
    s.rst = 1
    return (np.zeros(max(s.durs, 1)),)


@kernel
def sndloop_perf(s, ctx, buffer, aout, krec, asig, kpitch, kon, idur, ifad, n0, n1):
    """sndloop: record a loop from the input, then play it back (sndloop.c)."""
    on = _trunc32(at(kon, 0))
    recon = s.rst if on else 0
    durs, cfds, wp, rp, a, inc = s.durs, s.cfds, s.wp, s.rp, s.a, s.inc
    pitch = at(kpitch, 0)
    for i in range(n0, n1):
        if recon:
            if wp < cfds:
                buffer[wp] = asig[i] * a
                a += inc
            elif wp >= durs:
                buffer[wp - durs] += asig[i] * a
                a -= inc
            else:
                buffer[wp] = asig[i]
            aout[i] = asig[i]
            wp += 1
            if wp == durs + cfds:
                recon = 0
                s.rst = 0
                # compat: Csound sets the read pointer here but then overwrites it
                # with its unchanged local copy
        elif on:
            aout[i] = buffer[int(rp)]
            rp += pitch
            while rp >= durs:
                rp -= durs
            while rp < 0.0:
                rp += durs
        else:
            aout[i] = asig[i]
            s.rst = 1
            wp = 0
    s.rp, s.wp, s.a = rp, wp, a
    krec[0] = float(recon)


defop("sndloop", "ak", "akkii", SNDLOOP, sndloop_init, sndloop_perf, arrays=("buffer",))

# ------------------------------------------------------------------- flooper

FLOOPER = State(strts=i64, durs=i64, ndx=f64, nchnls=i64, loop_off=i64, tsr=f64)


def flooper_init(s, ic, *args):
    outs, (kamp, kpitch, istart, idur, ifad, ifn) = args[:-6], args[-6:]
    table = ic.table(ifn)
    tsr = float(table.sr)
    cfds = _trunc32(ifad * tsr)
    starts = _trunc32(istart * tsr)
    durs = _trunc32(idur * tsr)
    if cfds > durs:
        raise InitError("crossfade longer than loop duration\n")
    tab, length, nch = table.data, table.size, table.nchnls
    if nch != len(outs):
        raise InitError("function table channel count does not match output")
    if starts > length:
        raise InitError("start time beyond end of table\n")
    if starts + durs + cfds > length:
        raise InitError("table not long enough for loop\n")
    buffer = np.zeros((durs + 1) * nch)
    inc = 1.0 / cfds if cfds else np.inf
    a = 0.0
    durs *= nch
    starts *= nch
    cfds *= nch
    for i in range(0, durs, nch):
        if i < cfds:
            buffer[i] = a * tab[i + starts]
            if nch == 2:
                buffer[i + 1] = a * tab[i + starts + 1]
            a += inc
        else:
            buffer[i] = tab[i + starts]
            if nch == 2:
                buffer[i + 1] = tab[i + starts + 1]
    for i in range(0, cfds, nch):
        buffer[i] += a * tab[i + starts + durs]
        if nch == 2:
            buffer[i + 1] += a * tab[i + starts + durs + 1]
        a -= inc
    buffer[durs] = buffer[0]
    s.strts, s.durs = starts // nch, durs // nch
    s.ndx = 0.0
    s.loop_off = 1
    s.nchnls = nch
    s.tsr = tsr
    return (buffer, tab)


@kernel
def flooper_perf(s, ctx, buffer, tab, *args):
    """flooper: play a table section, then loop a crossfaded copy of it (sndloop.c)."""
    outs = args[:-8]
    out0, out1 = outs[0], outs[len(outs) - 1]
    amp, pitch = at(args[-8], 0), at(args[-7], 0)
    n0, n1 = args[-2], args[-1]
    end = s.strts + s.durs
    durs, nch = s.durs, s.nchnls
    ndx, loop_off = s.ndx, s.loop_off
    pitch *= s.tsr / ctx.sr
    for i in range(n0, n1):
        tndx = int(ndx)
        frac = ndx - tndx
        if ndx >= 0 and ndx < end and loop_off:
            t = tndx * nch
            out0[i] = amp * (tab[t] + frac * (tab[t + nch] - tab[t]))
            if nch == 2:
                t += 1
                out1[i] = amp * (tab[t] + frac * (tab[t + nch] - tab[t]))
            ndx += pitch
        else:
            if loop_off:
                while ndx >= end:
                    ndx -= end
                while tndx < 0:
                    tndx += durs
                tndx = int(ndx)
            loop_off = 0
            t = tndx * nch
            out0[i] = amp * (buffer[t] + frac * (buffer[t + nch] - buffer[t]))
            if nch == 2:
                t += 1
                out1[i] = amp * (buffer[t] + frac * (buffer[t + nch] - buffer[t]))
            ndx += pitch
            while ndx < 0:
                ndx += durs
            while ndx >= durs:
                ndx -= durs
    s.ndx, s.loop_off = ndx, loop_off


defop("flooper", "mm", "kkiiii", FLOOPER, flooper_init, flooper_perf, arrays=("buffer", "tab"))

# ------------------------------------------------------------------ flooper2

FLOOPER2 = State(count=f64, lstart=i64, lend=i64, cfade=i64, mode=i64, ndx0=f64, ndx1=f64,
                 firsttime=i64, init=i64, ostart=f64, oend=f64, nchnls=i64, tsr=f64,
                 tnch=i64, flen=i64)


def flooper2_init(s, ic, *args):
    outs = args[:-11]
    (kamp, kpitch, kloopstart, kloopend, kcrossfade, ifn, istart, imode, ifenv, iskip,
     kjump) = args[-11:]
    table = ic.engine.tables.get(int(ifn)) if ifn >= 1 else None
    if table is None or table.size == 0:
        raise InitError("function table not found\n")
    etab = ic.table(ifenv).data if ifenv != 0.0 else np.zeros(1)
    s.tsr = float(table.sr)
    s.tnch = table.nchnls
    s.flen = table.size
    if iskip == 0.0:
        s.mode = _trunc32(imode)
        if s.mode in (0, 2):
            s.ndx0 = istart * s.tsr
            if s.ndx0 < 0:
                s.ndx0 = 0.0
            if s.ndx0 >= table.size // table.nchnls:
                s.ndx0 = float(table.size // table.nchnls) - 1.0
            s.count = 0.0
        s.init = 1
        s.firsttime = 1
        s.cfade = 1
    s.nchnls = len(outs)
    if s.nchnls != table.nchnls:
        ic.warning("function table channels do not match opcode outputs")
    return (table.data, etab, np.array([1 if ifenv != 0.0 else 0, etab.shape[0] - 1]))


@helper
def _lerp(tab, t, nch, frac):
    return tab[t] + frac * (tab[t + nch] - tab[t])


@helper
def _f2_loop_points(s, sr, length, start, end):
    """Reread the loop points (seconds) into clamped sample positions."""
    ls = _trunc32(start * sr)
    le = _trunc32(end * sr)
    ls = 0 if ls < 0 else ls
    le = length if le > length else (ls if le < ls else le)
    s.lstart, s.lend = ls, le
    return ls, le


@kernel
def flooper2_perf(s, ctx, tab, etab, einfo, *args):
    """flooper2: crossfading looper with moving loop points, three modes (sndloop.c)."""
    outs = args[:-13]
    out0, out1 = outs[0], outs[len(outs) - 1]
    amp, pitch = at(args[-13], 0), at(args[-12], 0)
    kls, kle, kcf = at(args[-11], 0), at(args[-10], 0), at(args[-9], 0)
    jump = at(args[-3], 0)
    ijump = _trunc32(jump)
    n0, n1 = args[-2], args[-1]
    sr = s.tsr
    loop_end, loop_start, crossfade = s.lend, s.lstart, s.cfade
    count, mode, init = s.count, s.mode, s.init
    ndx0, ndx1 = s.ndx0, s.ndx1
    nch = s.tnch
    onch = s.nchnls
    length = s.flen // nch
    has_env, elen = einfo[0], einfo[1]
    pitch *= sr / ctx.sr
    if pitch < 0.0:
        pitch = 0.0
    o0 = 0.0
    o1 = 0.0
    if s.firsttime:
        loop_start, loop_end = _f2_loop_points(s, sr, length, kls, kle)
        loopsize = loop_end - loop_start
        if kcf > 0.0:
            crossfade = _trunc32(kcf * sr)
        s.ostart, s.oend = kls, kle
        if mode == 1:
            ndx0 = float(loop_end)
            ndx1 = float(loop_end)
            count = float(crossfade)
            crossfade = loopsize if crossfade > loopsize else crossfade
        elif mode == 2:
            ndx1 = float(loop_start) - 1.0
            crossfade = loopsize // 2 - 1 if crossfade > loopsize // 2 else crossfade
        else:
            ndx1 = float(loop_start)
            crossfade = loopsize if crossfade > loopsize else crossfade
        s.cfade = crossfade
        s.firsttime = 0
    elif jump != 0.0 and mode == 0 and (s.ostart != kls or s.oend != kle):
        if jump > 1.0:
            loop_end = _trunc32(ndx0 + crossfade)
        loop_start = _trunc32(kls * sr)
        s.ostart, s.oend = kls, kle
    for i in range(n0, n1):
        if mode == 1:
            t0 = int(ndx0)
            frac0 = ndx0 - t0
            if ndx0 > crossfade + loop_start:
                t = t0 * nch
                o0 = amp * _lerp(tab, t, nch, frac0)
                if onch == 2:
                    o1 = amp * _lerp(tab, t + 1, nch, frac0)
            else:
                t1 = int(ndx1)
                frac1 = ndx1 - t1
                if not has_env:
                    fadeout = count / crossfade if crossfade > 0 else 0.0
                    fadein = 1.0 - fadeout
                else:
                    fo = elen * count / crossfade if crossfade > 0 else 0.0
                    fadein = etab[elen - int(fo)]
                    fadeout = etab[int(fo)]
                ta, tb = t0 * nch, t1 * nch
                o0 = amp * (fadeout * _lerp(tab, ta, nch, frac0)
                            + fadein * _lerp(tab, tb, nch, frac1))
                if onch == 2:
                    o1 = amp * (fadeout * _lerp(tab, ta + 1, nch, frac0)
                                + fadein * _lerp(tab, tb + 1, nch, frac1))
                ndx1 -= pitch
                count -= pitch
            ndx0 -= pitch
            if ndx0 <= loop_start:
                loop_start, loop_end = _f2_loop_points(s, sr, length, kls, kle)
                loopsize = loop_end - loop_start
                if kcf > 0.0:
                    crossfade = _trunc32(kcf * sr)
                crossfade = loopsize if crossfade > loopsize else crossfade
                s.cfade = crossfade
                ndx0 = ndx1
                ndx1 = float(loop_end)
                count = float(crossfade)
                s.oend, s.ostart = kle, kls
        elif mode == 2:
            o0 = 0.0
            if onch == 2:
                o1 = 0.0
            if init and ndx0 < loop_start + crossfade:
                t0 = int(ndx0)
                frac0 = ndx0 - t0
                t = t0 * nch
                o0 = amp * _lerp(tab, t, nch, frac0)
                if onch == 2:
                    # compat: Csound multiplies the index by the channel count twice here
                    t *= nch
                    o1 = amp * _lerp(tab, t, nch, frac0)
                ndx0 += pitch
            elif ndx0 < loop_start + crossfade:
                fadein = count / crossfade if not has_env else \
                    etab[int(elen * count / crossfade)]
                t0 = int(ndx0)
                frac0 = ndx0 - t0
                t = t0 * nch
                o0 += amp * fadein * _lerp(tab, t, nch, frac0)
                if onch == 2:
                    o1 += amp * fadein * _lerp(tab, t + 1, nch, frac0)
                ndx0 += pitch
                count += pitch
            elif ndx0 < loop_end - crossfade:
                t0 = int(ndx0)
                frac0 = ndx0 - t0
                t = t0 * nch
                o0 = amp * _lerp(tab, t, nch, frac0)
                if onch == 2:
                    o1 = amp * _lerp(tab, t + 1, nch, frac0)
                ndx0 += pitch
                init = 0
                if ndx0 >= loop_end - crossfade:
                    ndx1 = float(loop_end)
                    count = 0.0
            elif ndx0 < loop_end:
                fadeout = 1.0 - count / crossfade if not has_env else \
                    etab[int(elen * (1.0 - count / crossfade))]
                t0 = int(ndx0)
                frac0 = ndx0 - t0
                t = t0 * nch
                o0 += amp * fadeout * _lerp(tab, t, nch, frac0)
                if onch == 2:
                    o1 += amp * fadeout * _lerp(tab, t + 1, nch, frac0)
                ndx0 += pitch
                count += pitch
            if ndx1 > loop_end - crossfade:
                fadein = count / crossfade if not has_env else \
                    etab[int(elen * count / crossfade)]
                t1 = int(ndx1)
                frac1 = ndx1 - t1
                t = t1 * nch
                o0 += amp * fadein * _lerp(tab, t, nch, frac1)
                if onch == 2:
                    o1 += amp * fadein * _lerp(tab, t + 1, nch, frac1)
                ndx1 -= pitch
            elif ndx1 > loop_start + crossfade:
                t1 = int(ndx1)
                frac1 = ndx1 - t1
                t = t1 * nch
                o0 = amp * _lerp(tab, t, nch, frac1)
                if onch == 2:
                    # compat: the left channel is overwritten, the right one accumulates
                    o1 += amp * _lerp(tab, t + 1, nch, frac1)
                ndx1 -= pitch
                if ndx1 <= loop_start + crossfade:
                    ndx0 = float(loop_start)
                    count = 0.0
            elif ndx1 > loop_start:
                fadeout = 1.0 - count / crossfade if not has_env else \
                    etab[int(elen * (1.0 - count / crossfade))]
                t1 = int(ndx1)
                frac1 = ndx1 - t1
                t = t1 * nch
                o0 += amp * fadeout * _lerp(tab, t, nch, frac1)
                if onch == 2:
                    o1 += amp * fadeout * _lerp(tab, t + 1, nch, frac1)
                ndx1 -= pitch
                if ndx1 <= loop_start:
                    loop_start, loop_end = _f2_loop_points(s, sr, length, kls, kle)
                    loopsize = loop_end - loop_start
                    if kcf > 0.0:
                        crossfade = _trunc32(kcf * sr)
                    crossfade = loopsize // 2 - 1 if crossfade > loopsize // 2 else crossfade
                    s.cfade = crossfade
                    s.oend, s.ostart = kle, kls
                    ndx0 = float(loop_start)
                    count = 0.0
        else:
            o0 = 0.0
            t0 = int(ndx0)
            frac0 = ndx0 - t0
            if ndx0 < loop_end - crossfade:
                t = t0 * nch
                o0 = amp * _lerp(tab, t, nch, frac0)
                if onch == 2:
                    o1 = amp * _lerp(tab, t + 1, nch, frac0)
                if ijump:
                    ndx1 = float(loop_start)
            else:
                t1 = int(ndx1)
                frac1 = ndx1 - t1
                if not has_env:
                    fadein = count / crossfade
                    fadeout = 1.0 - fadein
                else:
                    fi = elen * count / crossfade
                    fadeout = etab[elen - int(fi)]
                    fadein = etab[int(fi)]
                ta, tb = t0 * nch, t1 * nch
                o0 = amp * (fadeout * _lerp(tab, ta, nch, frac0)
                            + fadein * _lerp(tab, tb, nch, frac1))
                if onch == 2:
                    o1 = amp * (fadeout * _lerp(tab, ta + 1, nch, frac0)
                                + fadein * _lerp(tab, tb + 1, nch, frac1))
                ndx1 += pitch
                count += pitch
            ndx0 += pitch
            if ndx0 >= loop_end:
                loop_start, loop_end = _f2_loop_points(s, sr, length, kls, kle)
                loopsize = loop_end - loop_start
                if kcf > 0.0:
                    crossfade = _trunc32(kcf * sr)
                crossfade = loopsize - 1 if crossfade > loopsize else crossfade
                s.cfade = crossfade
                ndx0 = ndx1
                ndx1 = float(loop_start)
                s.oend, s.ostart = kle, kls
                count = 0.0
        out0[i] = o0
        if onch == 2:
            out1[i] = o1
    s.count, s.cfade, s.lend, s.lstart, s.init = count, crossfade, loop_end, loop_start, init
    s.ndx0, s.ndx1 = ndx0, ndx1


defop("flooper2", "mm", "kkkkkiooooO", FLOOPER2, flooper2_init, flooper2_perf,
      arrays=("tab", "etab", "einfo"))
