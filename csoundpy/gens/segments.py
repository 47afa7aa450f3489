"""Breakpoint GENs: 02 (values), 05/25 (exponential), 06 (cubic), 07/27 (linear),
08 (spline), 16 (curved), 17 (steps).  Csound 6.18 Engine/fgens.c.

Points are written one after another from index 0; a GEN stops as soon as it
has written index flen (the guard point).
"""

from __future__ import annotations


import numpy as np

from ._base import GenCall, c_int, cexp, cpow, geometric, libm, ramp

NEG_SEG = "gen call has negative segment size:"
BAD_VALS = "illegal input vals for gen call, beginning:"


class _Writer:
    """Sequential writer over data[0..flen] (Csound's fp / finp pair)."""

    def __init__(self, data: np.ndarray, flen: int):
        self.data, self.flen, self.pos = data, flen, 0

    def put(self, values: np.ndarray) -> bool:
        """Write values; True once index flen has been written (Csound returns then)."""
        room = self.flen + 1 - self.pos
        n = min(len(values), room)
        self.data[self.pos:self.pos + n] = values[:n]
        self.pos += n
        return self.pos > self.flen


def gen02(call: GenCall) -> None:
    """Values copied as given."""
    vals = [call.p(i) for i in range(call.nargs)]
    if call.flen == 0:
        call.alloc(len(vals))
        call.fields["deferred"] = True
    n = min(len(vals), call.flen + 1)
    call.data[:n] = vals[:n]


def _segments(call: GenCall, exponential: bool) -> None:
    """GEN05 and GEN07: value, length, value, length, ... in points."""
    nsegs = (call.nargs - 1) >> 1
    if nsegs <= 0:
        return
    if exponential and call.p(0) == 0:
        raise call.error(BAD_VALS)
    out = _Writer(call.data, call.flen)
    amp = 0.0
    for k in range(nsegs):
        amp = call.p(2 * k)
        seglen = c_int(call.p(2 * k + 1))
        if seglen == 0:
            continue
        if seglen < 0:
            raise call.error(NEG_SEG)
        target = call.p(2 * k + 2)
        if exponential:
            mult = target / amp
            if mult <= 0:
                raise call.error(BAD_VALS)
            vals = geometric(amp, cpow(mult, 1.0 / seglen), seglen + 1)
        else:
            vals = ramp(amp, (target - amp) / seglen, seglen + 1)
        if out.put(vals[:seglen]):
            return
        amp = vals[seglen]
    if out.pos == call.flen:
        call.data[call.flen] = amp


def gen05(call: GenCall) -> None:
    """Exponential segments (lengths in points)."""
    _segments(call, exponential=True)


def gen07(call: GenCall) -> None:
    """Straight-line segments (lengths in points)."""
    _segments(call, exponential=False)


def gen06(call: GenCall) -> None:
    """Cubic segments through alternate extremum / inflexion points."""
    nsegs = (call.nargs - 1) >> 1
    if nsegs < 1:
        raise call.error("insufficient arguments")
    data, flen = call.data, call.flen
    pos, inc = 0, 1
    for k in range(nsegs):
        seg = 2 * k  # index of this segment's first value
        segpts = call.p(seg + 1)
        npts = c_int(segpts)
        if npts < 0:
            raise call.error("negative segsiz")
        if inc > 0:
            pnt, inflex, extrem = 0, call.p(seg + 2), call.p(seg)
        else:
            pnt, inflex, extrem = npts, call.p(seg), call.p(seg + 2)
        diff2 = (inflex - extrem) * 0.5
        while npts > 0 and pos < flen:
            y = pnt / segpts
            data[pos] = (3.0 - y) * y * y * diff2 + extrem
            pos += 1
            pnt += inc
            npts -= 1
        inc = -inc
    data[pos] = call.p(2 * nsegs)


def gen08(call: GenCall) -> None:
    """Cubic spline with zero slope at the ends."""
    nsegs = (call.nargs - 1) >> 1
    if nsegs <= 0:
        raise call.error("insufficient arguments")
    data, flen = call.data, call.flen
    f0, dx01, f1 = call.p(0), call.p(1), call.p(2)
    if dx01 <= 0.0:
        raise call.error("illegal x interval")
    ip = 3
    pos = 0
    curx = df0 = 0.0
    f2 = dx12 = 0.0
    while True:
        if nsegs > 1:
            dx12, f2 = call.p(ip), call.p(ip + 1)
            ip += 2
            if dx12 <= 0.0:
                raise call.error("illegal x interval")
            dx02 = dx01 + dx12
            df1 = (f2 * dx01 * dx01 + f1 * (dx12 - dx01) * dx02 - f0 * dx12 * dx12) \
                / (dx01 * dx02 * dx12)
        else:
            df1 = 0.0
        npts = c_int(dx01 - curx)
        npts = min(npts, flen - pos)
        if npts > 0:
            slope = (f1 - f0) / dx01
            resd0 = df0 - slope
            resd1 = df1 - slope
            c3 = (resd0 + resd1) / (dx01 * dx01)
            c2 = -(resd1 + 2.0 * resd0) / dx01
            x = ramp(curx, 1.0, npts + 1)
            xs = x[:npts]
            data[pos:pos + npts] = ((c3 * xs + c2) * xs + df0) * xs + f0
            pos += npts
            curx = x[npts]
        curx -= dx01
        dx01, f0, f1, df0 = dx12, f1, f2, df1
        nsegs -= 1
        if not (nsegs and pos < flen):
            break
    data[pos:flen + 1] = f0


def gen16(call: GenCall) -> None:
    """Segments of curvature `type`: start, dur, type, value, ..."""
    data = call.data
    remaining = c_int(call.size_field)
    val = call.p(0)
    data[0] = val
    pos = 1
    for k in range(call.nargs // 3):
        dur, alpha, nxt = call.p(3 * k + 1), call.p(3 * k + 2), call.p(3 * k + 3)
        cnt = c_int(dur + 0.5)
        if cnt > 0:
            # every point first spends one unit of `remaining`, stopping at 0
            n = max(0, min(cnt, remaining - 1))
            remaining -= n + (1 if n < cnt else 0)
        else:
            n = 0
        if alpha == 0.0:
            if n:
                vals = ramp(val, (nxt - val) / dur, n + 1)[1:]
                data[pos:pos + n] = vals
                pos += n
                val = vals[-1]
        else:
            c1 = (nxt - val) / (1.0 - cexp(alpha))
            alpha /= dur
            if n:
                xs = ramp(alpha, alpha, n)
                data[pos:pos + n] = val + c1 * (1.0 - libm(cexp, xs))
                pos += n
            val = data[pos - 1]


def gen17(call: GenCall) -> None:
    """Step function: x1 a x2 b ... (value holds from its index on)."""
    bad = "gen call has illegal x-ordinate values:"
    nsegs = call.nargs >> 1
    if nsegs <= 0 or c_int(call.p(0)) != 0:
        raise call.error(bad)
    data, flen = call.data, call.flen
    out = _Writer(data, flen)
    ndx = 0
    for k in range(nsegs - 1):
        val, nxt = call.p(2 * k + 1), c_int(call.p(2 * k + 2))
        if nxt <= ndx:
            raise call.error(bad)
        if out.put(np.full(nxt - ndx, val)):
            return
        ndx = nxt
    data[out.pos:flen + 1] = call.p(2 * nsegs - 1)


def gen25(call: GenCall) -> None:
    """Exponential breakpoints: x1 y1 x2 y2 ... (x in points)."""
    _breakpoints(call, exponential=True)


def gen27(call: GenCall) -> None:
    """Linear breakpoints: x1 y1 x2 y2 ... (x in points)."""
    _breakpoints(call, exponential=False)


def _breakpoints(call: GenCall, exponential: bool) -> None:
    nsegs = call.nargs // 2 - 1
    if nsegs <= 0:
        return
    flen = call.flen
    out = _Writer(call.data, flen)
    y1 = 0.0
    for k in range(nsegs):
        x1, y1, x2, y2 = (call.p(2 * k + i) for i in range(4))
        if x2 < x1:
            raise call.error("x coordinates must all be in increasing order:")
        if x1 > flen or x2 > flen:
            raise call.error("x coordinate greater than function size:")
        if exponential:
            seglen = c_int(x2 - x1)
            if y1 <= 0 or y2 <= 0:
                raise call.error("illegal input val (y <= 0) for gen call, beginning:")
            if seglen:
                vals = geometric(y1, cpow(y2 / y1, 1.0 / seglen), seglen + 1)
                if out.put(vals[:seglen]):
                    return
                y1 = vals[seglen]
        else:
            seglen = x2 - x1
            # compat: Csound counts a float length down to exactly 0; a
            # fractional length never gets there and fills the whole table
            count = int(seglen) if seglen == int(seglen) else flen + 1
            if count:
                if out.put(ramp(y1, (y2 - y1) / seglen, count)):
                    return
    if out.pos == flen:
        # compat: GEN27 writes the last segment's start value as guard point
        call.data[flen] = y1
