"""Spatialisation: pan2, pan, locsig, locsend, space, spsend, spdist,
vbaplsinit, vbap, vbapg, vbapmove, vbapgmove.

Follows Csound 6.18 Opcodes/pan2.c, OOps/ugens6.c (pan), Opcodes/locsig.c,
Opcodes/space.c and Ville Pulkki's VBAP in Opcodes/vbap.c (loudspeaker
setup), vbap_n.c (vbap, vbapmove) and vbap1.c (vbapg, vbapgmove).

locsend and spsend read the reverb sends of a locsig/space.  Csound keeps one
engine-wide pointer to the most recently initialised locsig (space); here the
pair is kept on the note (`ic.instance`) and, for a sender in another
instrument, in `ic.engine.globals`, which gives the same pairing.
vbaplsinit stores its layouts engine-wide as `spatial.vbap_ls_table_<n>`
(Csound's global variables `vbap_ls_table_<n>`).  Where vbap writes back
into its input variables (elevation forced to 0 in 2-D, spread clamped) the
value is changed locally only, and the per-block 2-D elevation warning is
given once, at init.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..engine.tables import TAB_ADDR, TAB_FLEN
from ..errors import InitError
from ._registry import NativeInit, State, defop, f64, i64
from .oscillators import audio_native, table_ref_native

HALFPI = 1.5707963267948966
ROOT2 = 1.4142135623730951
TWOPI = 2.0 * math.pi
ATORAD = TWOPI / 360.0


def _lrnd(x: float) -> int:
    """Csound's MYFLT2LRND (lrint: halves round to even)."""
    return int(np.rint(x))


# ----------------------------------------------------------------- pan2
PAN2 = State(type=i64, apan=i64, lastpan=f64, s=f64, c=f64)


def pan2_init(s, ic, aleft, aright, asig, xpan, imode):
    s.type = _lrnd(imode)
    if s.type < 0 or s.type > 3:
        raise InitError("Unknown panning type")
    s.apan = 1 if is_audio(xpan) else 0
    s.lastpan = -1.0


@kernel
def pan2_init_native(s, ctx, tabs, aleft, aright, asig, xpan, imode):
    """`pan2_init` for compiled note starts (an unknown type is an error: Python's)."""
    mode = np.rint(imode)
    if not (mode >= 0.0 and mode <= 3.0):
        return 1
    s.type = np.int64(mode)
    s.apan = 1 if audio_native(xpan) else 0
    s.lastpan = -1.0
    return 0


@helper
def _pan2_gains(mode, pan):
    """(right, left) gains of pan position `pan` in panning mode `mode`."""
    if mode == 0:
        return math.sin(HALFPI * pan), math.cos(HALFPI * pan)
    if mode == 1:
        return np.sqrt(pan), np.sqrt(1.0 - pan)  # NaN outside [0, 1], as in C
    if mode == 2:
        return pan, 1.0 - pan
    cc = math.cos(HALFPI * pan)
    ss = math.sin(HALFPI * pan)
    return ROOT2 * (cc - ss) * 0.5, ROOT2 * (cc + ss) * 0.5


@kernel
def pan2_perf(s, ctx, aleft, aright, asig, xpan, imode, n0, n1):
    """pan2: equal-power, square-root, linear or alternative equal-power pan (pan2.c)."""
    mode = s.type
    last, gr, gl = s.lastpan, s.s, s.c
    if s.apan:
        for n in range(n0, n1):
            pan = at(xpan, n)
            if pan != last:
                last = pan
                gr, gl = _pan2_gains(mode, pan)
            aright[n] = asig[n] * gr
            aleft[n] = asig[n] * gl
    else:
        # k-rate position: one gain pair per block, so the sample loops vectorise
        pan = at(xpan, n0)
        if pan != last:
            last = pan
            gr, gl = _pan2_gains(mode, pan)
        for n in range(n0, n1):
            aright[n] = asig[n] * gr
        for n in range(n0, n1):
            aleft[n] = asig[n] * gl
    s.lastpan, s.s, s.c = last, gr, gl


defop("pan2", "aa", "axo", PAN2, pan2_init, pan2_perf, flags=("note_local",),
      native_init=NativeInit(pan2_init_native))

# ------------------------------------------------------------------ pan
PAN = State(xmul=f64, xoff=f64, flen=i64)


def pan_init(s, ic, r1, r2, r3, r4, asig, kx, ky, ifn, imode, ioffset):
    ft = ic.table(ifn)
    s.flen = ft.size
    s.xmul = 1.0 if imode == 0.0 else float(ft.size)
    s.xoff = ft.size * 0.5 if ioffset == 0.0 else 0.0
    return (ft.data,)


@helper
def table_native(tabs, ifn):
    """`ic.table` in compiled init passes: the row of table `ifn`, or -1 where
    Python's must run (no such table: an error)."""
    if not (ifn >= 1.0 and ifn < tabs.shape[0]):
        return -1
    fno = np.int64(ifn)
    return fno if tabs[fno, TAB_ADDR] != 0 else -1


@kernel
def pan_init_native(s, ctx, tabs, ft_addr, ft_shape, r1, r2, r3, r4, asig, kx, ky, ifn, imode,
                    ioffset):
    """`pan_init` for compiled note starts (a missing table: Python's error)."""
    fno = table_native(tabs, ifn)
    if fno < 0:
        return 1
    size = tabs[fno, TAB_FLEN]
    s.flen = size
    s.xmul = 1.0 if imode == 0.0 else float(size)
    s.xoff = size * 0.5 if ioffset == 0.0 else 0.0
    table_ref_native(tabs, fno, ft_addr, ft_shape)
    return 0


@kernel
def pan_perf(s, ctx, ft, r1, r2, r3, r4, asig, kx, ky, ifn, imode, ioffset, n0, n1):
    """pan: four-channel pan through a table of gains (OOps/ugens6.c pan)."""
    flen = s.flen
    xf = at(kx, 0) * s.xmul - s.xoff
    yf = at(ky, 0) * s.xmul - s.xoff
    half = flen * 0.5
    xt, yt = abs(xf), abs(yf)
    if xt > half or yt > half:
        if xt > yt:
            yf *= half / xt
        else:
            xf *= half / yt
    xi = int(np.rint(xf + half))
    yi = int(np.rint(yf + half))
    xi = (xi if xi < flen else flen) if xi >= 0 else 0
    yi = (yi if yi < flen else flen) if yi >= 0 else 0
    ch1 = ft[flen - xi] * ft[yi]
    ch2 = ft[xi] * ft[yi]
    ch3 = ft[flen - xi] * ft[flen - yi]
    ch4 = ft[xi] * ft[flen - yi]
    for n in range(n0, n1):
        sig = asig[n]
        r1[n] = sig * ch1
        r2[n] = sig * ch2
        r3[n] = sig * ch3
        r4[n] = sig * ch4


defop("pan", "aaaa", "akkioo", PAN, pan_init, pan_perf, arrays=("ft",),
      native_init=NativeInit(pan_init_native, (), ("ref",)))


# ------------------------------------------------- send pairs (locsig, space)
def _pair_store(ic, key: str, rrev: np.ndarray) -> None:
    """Remember the reverb-send buffers of the latest locsig/space for its senders."""
    if ic.instance is not None:
        ic.instance.__dict__["spatial_" + key] = rrev
    ic.engine.globals["spatial." + key] = rrev


def _pair_find(ic, key: str):
    if ic.instance is not None and "spatial_" + key in ic.instance.__dict__:
        return ic.instance.__dict__["spatial_" + key]
    return ic.engine.globals.get("spatial." + key)


LOCSIG = State(nout=i64, prev_degree=f64, prev_distance=f64, distr=f64, distrsq=f64,
               ch1=f64, ch2=f64, ch3=f64, ch4=f64)


def locsig_init(s, ic, *args):
    nout = len(args) - 4
    if nout not in (2, 4):
        raise InitError("Wrong number of outputs in locsig; must be 2 or 4")
    s.nout = nout
    s.prev_degree = s.prev_distance = -918273645.192837465
    rrev = np.zeros((nout, ic.ksmps))
    _pair_store(ic, "locsig", rrev)
    return (rrev,)


@kernel
def locsig_perf(s, ctx, rrev, *args):
    """locsig: 2/4-channel direct signal by angle and distance, plus reverb sends."""
    outs = args[:-6]
    asig, kdegree, kdistance, kreverbsend = args[-6], args[-5], args[-4], args[-3]
    n0, n1 = args[-2], args[-1]
    dist = at(kdistance, 0)
    if dist != s.prev_distance:
        s.distr = 1.0 / dist
        s.distrsq = 1.0 / math.sqrt(dist)
        s.prev_distance = dist
    deg = at(kdegree, 0)
    if deg != s.prev_degree:
        d = deg / 360.0
        s.ch1 = max(math.cos(TWOPI * d), 0.0)
        s.ch2 = max(math.sin(TWOPI * d), 0.0)
        if s.nout == 4:
            s.ch3 = max(math.cos(TWOPI * (d + 0.5)), 0.0)
            s.ch4 = max(math.sin(TWOPI * (d + 0.5)), 0.0)
        s.prev_degree = deg
    distr, distrsq, rev = s.distr, s.distrsq, at(kreverbsend, 0)
    for n in range(n0, n1):
        direct = asig[n] * distr
        torev = asig[n] * distrsq * rev
        globalrev = torev * distr
        localrev = torev * (1.0 - distr)
        for c in range(len(outs)):
            ch = s.ch1 if c == 0 else s.ch2 if c == 1 else s.ch3 if c == 2 else s.ch4
            outs[c][n] = direct * ch
            rrev[c, n] = localrev * ch + globalrev


defop("locsig", "mmmm", "akkk", LOCSIG, locsig_init, locsig_perf, arrays=("rrev",))


def locsend_init(s, ic, *outs):
    rrev = _pair_find(ic, "locsig")
    if rrev is None:
        raise InitError("locsend: no locsig to read from")
    if rrev.shape[0] != len(outs):
        raise InitError("Number of outputs must be the same as the previous locsig")
    return (rrev,)


@kernel
def locsend_perf(s, ctx, rrev, *args):
    """locsend: the reverb sends of the paired locsig (Opcodes/locsig.c)."""
    outs = args[:-2]
    n0, n1 = args[-2], args[-1]
    for c in range(len(outs)):
        for n in range(n0, n1):
            # compat: Csound copies the sends from their start into the late-start window
            outs[c][n] = rrev[c, n - n0]


defop("locsend", "mmmm", "", State(), locsend_init, locsend_perf, arrays=("rrev",))

# ------------------------------------------------------ space spsend spdist
RESOLUTION = 100.0
SPACE = State(flen=i64)
# the table of a space/spdist without one (flen 0: never read), shared so that
# compiled note starts can point at it
NO_XY_TABLE = np.zeros(1)
_NO_XY_REF = (NO_XY_TABLE.__array_interface__["data"][0], NO_XY_TABLE.shape[0])


def _xy_table(s, ic, ifn):
    if ifn > 0:
        ft = ic.table(ifn)
        s.flen = ft.size
        return ft.data
    s.flen = 0
    return NO_XY_TABLE


@helper
def _xy_at(ft, flen, ktime, kx, ky):
    """Position from the (x, y) pairs table at RESOLUTION points a second, or kx, ky."""
    if flen <= 0:
        return kx, ky
    ndx = ktime * RESOLUTION
    halflen = int(flen * 0.5)
    indx = int(math.floor(ndx))
    fract = ndx - indx
    if ndx > halflen - 1:
        indx = halflen - 1
        fract = 0.0
    elif ndx < 0:
        indx = 0
        fract = 0.0
    x1 = _tab(ft, indx * 2)
    x = x1 + (_tab(ft, indx * 2 + 2) - x1) * fract
    y1 = _tab(ft, indx * 2 + 1)
    y = y1 + (_tab(ft, indx * 2 + 3) - y1) * fract
    return x, y


@helper
def _tab(ft, i):
    # Csound may read one point past the guard point (with a zero weight)
    return ft[i] if i < ft.shape[0] else 0.0


def space_init(s, ic, r1, r2, r3, r4, asig, ifn, ktime, kreverbsend, kx, ky):
    ft = _xy_table(s, ic, ifn)
    rrev = np.zeros((4, ic.ksmps))
    _pair_store(ic, "space", rrev)
    return (ft, rrev)


@kernel
def space_perf(s, ctx, ft, rrev, r1, r2, r3, r4, asig, ifn, ktime, kreverbsend, kx, ky,
               n0, n1):
    """space: quad panning over an x-y plane with distance and reverb sends (space.c)."""
    x, y = _xy_at(ft, s.flen, at(ktime, 0), at(kx, 0), at(ky, 0))
    distance = math.hypot(x, y)
    fx, fy = abs(x), abs(y)
    if fx > 1.0 or fy > 1.0:
        if fx > fy:
            x, y = x / fx, y / fx
        else:
            x, y = x / fy, y / fy
    if distance < 1.0:
        distance = 1.0
    distr = 1.0 / distance
    distrsq = 1.0 / math.sqrt(distance)
    x = (x + 1.0) * 0.5
    y = (y + 1.0) * 0.5
    sqrt2 = math.sqrt(2.0)
    ch2 = math.sin(HALFPI * x) * math.sin(HALFPI * y) * sqrt2
    ch4 = math.sin(HALFPI * x) * math.sin(HALFPI * (1.0 - y)) * sqrt2
    ch1 = math.sin(HALFPI * (1.0 - x)) * math.sin(HALFPI * y) * sqrt2
    ch3 = math.sin(HALFPI * (1.0 - x)) * math.sin(HALFPI * (1.0 - y)) * sqrt2
    rev = at(kreverbsend, 0)
    for n in range(n0, n1):
        direct = asig[n] * distr
        torev = asig[n] * distrsq * rev
        globalrev = torev * distr
        localrev = torev * (1.0 - distr)
        r1[n] = direct * ch1
        r2[n] = direct * ch2
        r3[n] = direct * ch3
        r4[n] = direct * ch4
        rrev[0, n] = localrev * ch1 + globalrev
        rrev[1, n] = localrev * ch2 + globalrev
        rrev[2, n] = localrev * ch3 + globalrev
        rrev[3, n] = localrev * ch4 + globalrev


defop("space", "aaaa", "aikkkk", SPACE, space_init, space_perf, arrays=("ft", "rrev"))


def spsend_init(s, ic, r1, r2, r3, r4):
    rrev = _pair_find(ic, "space")
    if rrev is None:
        raise InitError("spsend: no space to read from")
    return (rrev,)


@kernel
def spsend_perf(s, ctx, rrev, r1, r2, r3, r4, n0, n1):
    """spsend: the reverb sends of the paired space (Opcodes/space.c)."""
    for n in range(n0, n1):
        r1[n] = rrev[0, n]
        r2[n] = rrev[1, n]
        r3[n] = rrev[2, n]
        r4[n] = rrev[3, n]


defop("spsend", "aaaa", "", State(), spsend_init, spsend_perf, arrays=("rrev",))


def spdist_init(s, ic, kr, ifn, ktime, kx, ky):
    return (_xy_table(s, ic, ifn),)


@kernel
def spdist_init_native(s, ctx, tabs, none_addr, none_npts, ft_addr, ft_shape, kr, ifn, ktime,
                       kx, ky):
    """`spdist_init` for compiled note starts (a missing table: Python's error)."""
    if ifn > 0:
        fno = table_native(tabs, ifn)
        if fno < 0:
            return 1
        s.flen = tabs[fno, TAB_FLEN]
        table_ref_native(tabs, fno, ft_addr, ft_shape)
    else:
        s.flen = 0
        ft_addr[0] = none_addr
        ft_shape[0] = none_npts
    return 0


@kernel
def spdist_perf(s, ctx, ft, kr, ifn, ktime, kx, ky, n0, n1):
    """spdist: the distance space would use, at least 1 (Opcodes/space.c)."""
    x, y = _xy_at(ft, s.flen, at(ktime, 0), at(kx, 0), at(ky, 0))
    distance = math.hypot(x, y)
    kr[0] = 1.0 if distance < 1.0 else distance


defop("spdist", "k", "ikkk", SPACE, spdist_init, spdist_perf, arrays=("ft",),
      native_init=NativeInit(spdist_init_native, _NO_XY_REF, ("ref",)))

# =================================================================== VBAP
# Loudspeaker setup (vbaplsinit): plain Python, run once at i-time.
PI = math.pi
LS_TABLE = "spatial.vbap_ls_table_{}"


def _fdiv(a: float, b: float) -> float:
    """a / b with C's IEEE results for a zero divisor."""
    if b != 0.0:
        return a / b
    if a != a or a == 0.0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _acos(x: float) -> float:
    return math.acos(x) if -1.0 <= x <= 1.0 else math.nan


def _vlen(v) -> float:
    return math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])


def _vangle(v1, v2) -> float:
    inner = _fdiv(v1[0] * v2[0] + v1[1] * v2[1] + v1[2] * v2[2], _vlen(v1) * _vlen(v2))
    return _acos(min(max(inner, -1.0), 1.0) if inner == inner else inner)


def _cross(v1, v2):
    """Normalised cross product (vbap.c cross_prod)."""
    r = (v1[1] * v2[2] - v1[2] * v2[1], v1[2] * v2[0] - v1[0] * v2[2],
         v1[0] * v2[1] - v1[1] * v2[0])
    length = _vlen(r)
    return tuple(_fdiv(c, length) for c in r)


def _inverse3(p1, p2, p3) -> list[float]:
    """Inverse of the matrix of three loudspeaker vectors, as vbap.c lays it out."""
    invdet = _fdiv(1.0, p1[0] * (p2[1] * p3[2] - p2[2] * p3[1])
                   - p1[1] * (p2[0] * p3[2] - p2[2] * p3[0])
                   + p1[2] * (p2[0] * p3[1] - p2[1] * p3[0]))
    m = [0.0] * 9
    m[0] = (p2[1] * p3[2] - p2[2] * p3[1]) * invdet
    m[3] = (p1[1] * p3[2] - p1[2] * p3[1]) * -invdet
    m[6] = (p1[1] * p2[2] - p1[2] * p2[1]) * invdet
    m[1] = (p2[0] * p3[2] - p2[2] * p3[0]) * -invdet
    m[4] = (p1[0] * p3[2] - p1[2] * p3[0]) * invdet
    m[7] = (p1[0] * p2[2] - p1[2] * p2[0]) * -invdet
    m[2] = (p2[0] * p3[1] - p2[1] * p3[0]) * invdet
    m[5] = (p1[0] * p3[1] - p1[1] * p3[0]) * -invdet
    m[8] = (p1[0] * p2[1] - p1[1] * p2[0]) * invdet
    return m


def _vol_per_side(a, b, c) -> float:
    """Parallelepiped volume over the triangle's side lengths: too-narrow triplets are small."""
    x = _cross(a, b)
    volper = abs(x[0] * c[0] + x[1] * c[1] + x[2] * c[2])
    lgth = abs(_vangle(a, b)) + abs(_vangle(a, c)) + abs(_vangle(b, c))
    return volper / lgth if lgth > 0.00001 else 0.0


def _lines_intersect(ci, cj, ck, cl) -> bool:
    """Whether arcs i-j and k-l cross on the sphere (Pulkki and Lokki, ICAD 98)."""
    v3 = _cross(_cross(ci, cj), _cross(ck, cl))
    nv3 = (0.0 - v3[0], 0.0 - v3[1], 0.0 - v3[2])
    d_ij, d_kl = _vangle(ci, cj), _vangle(ck, cl)
    d_iv3, d_jv3 = _vangle(ci, v3), _vangle(v3, cj)
    d_inv3, d_jnv3 = _vangle(ci, nv3), _vangle(nv3, cj)
    d_kv3, d_lv3 = _vangle(ck, v3), _vangle(v3, cl)
    d_knv3, d_lnv3 = _vangle(ck, nv3), _vangle(nv3, cl)
    if any(abs(d) <= 0.01 for d in (d_iv3, d_jv3, d_kv3, d_lv3, d_inv3, d_jnv3, d_knv3,
                                    d_lnv3)):
        return False
    return ((abs(d_ij - (d_iv3 + d_jv3)) <= 0.01 and abs(d_kl - (d_kv3 + d_lv3)) <= 0.01)
            or (abs(d_ij - (d_inv3 + d_jnv3)) <= 0.01
                and abs(d_kl - (d_knv3 + d_lnv3)) <= 0.01))


def _any_inside(a, b, c, coords) -> bool:
    m = _inverse3(coords[a], coords[b], coords[c])
    for i, p in enumerate(coords):
        if i in (a, b, c):
            continue
        inside = True
        for j in range(3):
            t = p[0] * m[3 * j]
            t += p[1] * m[3 * j + 1]
            t += p[2] * m[3 * j + 2]
            if t < -0.001:
                inside = False
        if inside:
            return True
    return False


def _triplets(coords) -> list[list[int]]:
    """vbap.c choose_ls_triplets: non-crossing, non-degenerate loudspeaker triangles."""
    n = len(coords)
    conn = [0] * (n * n)
    trips = []
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                if _vol_per_side(coords[i], coords[j], coords[k]) > 0.01:
                    for a, b in ((i, j), (i, k), (j, k)):
                        conn[a + n * b] = conn[b + n * a] = 1
                    trips.append([i, j, k])
    size = n * (n - 1) // 2
    dist = [100000.0] * size
    di = [0] * size
    dj = [0] * size
    for i in range(n):
        for j in range(i + 1, n):
            if conn[i + n * j] == 1:
                d = abs(_vangle(coords[i], coords[j]))
                k = 0
                while dist[k] < d:
                    k += 1
                for m in range(size - 1, k, -1):
                    dist[m], di[m], dj[m] = dist[m - 1], di[m - 1], dj[m - 1]
                dist[k], di[k], dj[k] = d, i, j
            else:
                size -= 1
    for t in range(size):
        a, b = di[t], dj[t]
        if conn[a + n * b] == 1:
            for j in range(n):
                for k in range(j + 1, n):
                    if j not in (a, b) and k not in (a, b) and \
                            _lines_intersect(coords[a], coords[b], coords[j], coords[k]):
                        conn[j + n * k] = conn[k + n * j] = 0
    return [t for t in trips
            if conn[t[0] + n * t[1]] and conn[t[0] + n * t[2]] and conn[t[1] + n * t[2]]
            and not _any_inside(t[0], t[1], t[2], coords)]


def _ls_table_3d(ic, coords) -> list[float] | None:
    trips = _triplets(coords)
    if not trips:
        ic.message("Not valid 3-D configuration\n")
        return None
    table = [3.0, float(len(coords)), float(len(trips))]
    text = "\nConfigured loudspeakers\n"
    for i, t in enumerate(trips):
        table += [float(x + 1) for x in t]
        table += _inverse3(coords[t[0]], coords[t[1]], coords[t[2]])
        text += f"Triplet {i} Loudspeakers: " + "".join(f"{x + 1} " for x in t) + "\n"
    ic.warning(text)
    return table


def _inv2(azi1: float, azi2: float) -> list[float] | None:
    """vbap.c calc_2D_inv_tmatrix; None for a degenerate pair."""
    x1, x2, x3, x4 = math.cos(azi1), math.sin(azi1), math.cos(azi2), math.sin(azi2)
    det = x1 * x4 - x3 * x2
    if abs(det) <= 0.001:
        return None
    return [x4 / det, -x3 / det, -x2 / det, x1 / det]


def _ls_table_2d(ic, azis) -> list[float]:
    n = len(azis)
    rad = []
    for azi in azis:
        c = _angle_to_cart(azi, 0.0)
        a = _acos(c[0])
        rad.append(a * (1.0 if abs(c[1]) <= 0.001 else c[1] / abs(c[1])))
    order = []
    for _ in range(n):
        low, index = 2000.0, -1
        for j in range(n):
            if rad[j] <= low:
                low, index = rad[j], j
        order.append(index)
        rad[index] += 4000.0
    # compat: the sort marks angles by adding 4000 and the sum is kept, rounding included
    rad = [a - 4000.0 for a in rad]
    pairs = []
    for i in range(n - 1):
        a, b = order[i], order[i + 1]
        ic.message(f"***{a} {b} {rad[a]:f} {rad[b]:f}\n")
        if rad[b] - rad[a] <= PI - 0.0175:
            inv = _inv2(rad[a], rad[b])
            if inv is not None:
                pairs.append([a + 1.0, b + 1.0] + inv)
        else:
            ic.warning(f"Pair of speakers at {rad[a] * 180.0 / PI:f} and "
                       f"{rad[b] * 180.0 / PI:f} ignored\n")
    a, b = order[n - 1], order[0]
    if (TWOPI - rad[a]) + rad[b] < PI - 0.0175:
        inv = _inv2(rad[a], rad[b])
        if inv is not None:
            pairs.append([a + 1.0, b + 1.0] + inv)
    else:
        ic.warning(f"Pair of speakers at {rad[a] * 180.0 / PI:f} and "
                   f"{rad[b] * 180.0 / PI:f} ignored\n")
    if not pairs:
        raise InitError("insufficient valid speakers")
    table = [2.0, float(n), float(len(pairs))]
    text = "\nConfigured loudspeakers\n"
    for i, p in enumerate(pairs):
        table += p
        text += (f"Pair {i} Loudspeakers: {int(p[0])} {int(p[1])} \nMatrix "
                 + "".join(f"{v:f} " for v in p[2:]) + "\n\n")
    ic.message(text)
    return table + [0.0] * 100


def _vbap_setup(ic, idim: float, count: int, values) -> None:
    """vbap.c vbap_ls_init_sr: build and store the layout's loudspeaker sets."""
    dim = int(idim)
    x = (idim - dim) * 100.0
    layout = int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))
    ic.message(f"dim : {dim}\n")
    if dim not in (2, 3):
        raise InitError(f"Error in loudspeaker dimension. {dim} not permitted")
    if count < dim:
        raise InitError("Too few loudspeakers")
    vals = list(values) + [0.0] * (2 * count)
    if dim == 3:
        coords = [_angle_to_cart(vals[2 * j], vals[2 * j + 1]) for j in range(count)]
        table = _ls_table_3d(ic, coords)
    else:
        table = _ls_table_2d(ic, vals[:count])
    ic.engine.globals.pop(LS_TABLE.format(layout), None)
    if table is not None:
        ic.engine.globals[LS_TABLE.format(layout)] = np.array(table)


def vbaplsinit_init(s, ic, idim, ilsnum, *idirs):
    _vbap_setup(ic, idim, int(ilsnum), idirs)


def vbaplsinit_init_a(s, ic, idim, ilsnum, idirs):
    n = int(ilsnum)
    data = np.asarray(idirs.data, dtype=float).ravel()
    if n > idirs.data.shape[0]:
        raise InitError(f"Too little data speakers ({int(n > idirs.data.shape[0])})\n")
    _vbap_setup(ic, idim, n, data[:2 * n])


defop("vbaplsinit", "", "ii" + "o" * 128, State(), vbaplsinit_init, None)
defop("vbaplsinit", "", "iii[]", State(), vbaplsinit_init_a, None)


# Panning at run time: numba helpers shared by vbap, vbapg, vbapmove, vbapgmove.
@helper
def _angle_to_cart(azi, ele):
    return (math.cos(azi * ATORAD) * math.cos(ele * ATORAD),
            math.sin(azi * ATORAD) * math.cos(ele * ATORAD),
            math.sin(ele * ATORAD))


@helper
def _cart_to_angle(x, y, z, old_azi):
    """vbap.c cart_to_angle: (azi, ele) in degrees; azi kept when undefined."""
    t3 = np.sqrt(1.0 - z * z)
    if abs(t3) > 0.001:
        t4 = x / t3
        if t4 > 1.0:
            t4 = 1.0
        if t4 < -1.0:
            t4 = -1.0
        t = math.acos(t4)
    else:
        t = 10000.0
    t2 = 1.0 if abs(y) <= 0.001 else y / abs(y)
    t *= t2
    azi = old_azi
    if abs(t) <= PI:
        azi = t / ATORAD
    return azi, np.arcsin(z) / ATORAD


@helper
def _norm3(x, y, z):
    length = math.sqrt(x * x + y * y + z * z)
    return x / length, y / length, z / length


@helper
def _cross_jit(a, b):
    return _norm3(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                  a[0] * b[1] - a[1] * b[0])


@helper
def _mean3(a, b):
    return (a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5, (a[2] + b[2]) * 0.5


@helper
def _spread_dir(v, base, azi, spread):
    """vbap.c new_spread_dir: direction `spread` degrees from v towards base."""
    gamma = np.arccos(v[0] * base[0] + v[1] * base[1] + v[2] * base[2]) / PI * 180.0
    if abs(gamma) < 1.0:
        base = _angle_to_cart(azi + 90.0, 0.0)
        gamma = np.arccos(v[0] * base[0] + v[1] * base[1] + v[2] * base[2]) / PI * 180.0
    beta = 180.0 - gamma
    b = math.sin(spread * PI / 180.0) / math.sin(beta * PI / 180.0)
    a = math.sin((180.0 - spread - beta) * PI / 180.0) / math.sin(beta * PI / 180.0)
    return _norm3(a * v[0] + b * base[0], a * v[1] + b * base[1], a * v[2] + b * base[2])


@helper
def _set_gains(sets, i, dim, x, y, z):
    """Gains of loudspeaker set i for direction (x, y, z); (g0, g1, g2)."""
    g0 = 0.0 + x * sets[i, 3]
    g0 += y * sets[i, 4]
    g1 = 0.0 + x * sets[i, 3 + dim]
    g1 += y * sets[i, 4 + dim]
    g2 = 0.0
    if dim == 3:
        g0 += z * sets[i, 5]
        g1 += z * sets[i, 8]
        g2 += x * sets[i, 9]
        g2 += y * sets[i, 10]
        g2 += z * sets[i, 11]
    return g0, g1, g2


@helper
def _calc_gains(sets, dim, gains, cnt, v):
    """vbap.c calc_vbap_gns: pick the set with fewest negative gains, then the best one."""
    best, best_small, best_neg = 0, 0.0, 0
    for i in range(sets.shape[0]):
        g = _set_gains(sets, i, dim, v[0], v[1], v[2])
        small, neg = 1000.0, 0
        for j in range(dim):
            if small > g[j]:
                small = g[j]
            if g[j] < -0.05:
                neg += 1
        if i == 0 or neg < best_neg or (neg == best_neg and small > best_small):
            best, best_small, best_neg = i, small, neg
    g0, g1, g2 = _set_gains(sets, best, dim, v[0], v[1], v[2])
    if g0 <= 0.0 and g1 <= 0.0 and g2 <= 0.0:
        g0 = g1 = g2 = 1.0
    for i in range(cnt):
        gains[i] = 0.0
    gains[int(sets[best, 0]) - 1] = g0
    gains[int(sets[best, 1]) - 1] = g1
    if dim == 3:
        gains[int(sets[best, 2]) - 1] = g2
    for i in range(cnt):
        if gains[i] < 0.0:
            gains[i] = 0.0


@helper
def _spread_gains(s, sets, gains, tmp, sb, azi, spread, cnt, wide_scale):
    """Add the gains of the spread directions around s's direction, then normalise."""
    dim = s.dim
    v = (s.cdx, s.cdy, s.cdz)
    if spread > 0.0:
        if dim == 3:
            d0 = _spread_dir(v, (s.sbx, s.sby, s.sbz), azi, spread)
            c = math.cos(spread / 180.0 * PI)
            s.sbx, s.sby, s.sbz = _norm3(d0[0] - c * v[0], d0[1] - c * v[1], d0[2] - c * v[2])
            sb[0, 0], sb[0, 1], sb[0, 2] = s.sbx, s.sby, s.sbz
            for i in range(1, 4):
                sb[i, 0], sb[i, 1], sb[i, 2] = _cross_jit(
                    (sb[i - 1, 0], sb[i - 1, 1], sb[i - 1, 2]), v)
            for i in range(4):
                sb[4 + i, 0], sb[4 + i, 1], sb[4 + i, 2] = _mean3(
                    (sb[i, 0], sb[i, 1], sb[i, 2]),
                    (sb[(i + 1) % 4, 0], sb[(i + 1) % 4, 1], sb[(i + 1) % 4, 2]))
            for i in range(8, 16):
                sb[i, 0], sb[i, 1], sb[i, 2] = _mean3(v, (sb[i - 8 if i < 12 else i - 4, 0],
                                                          sb[i - 8 if i < 12 else i - 4, 1],
                                                          sb[i - 8 if i < 12 else i - 4, 2]))
            for i in range(1, 16):
                d = _spread_dir(v, (sb[i, 0], sb[i, 1], sb[i, 2]), azi, spread)
                _calc_gains(sets, dim, tmp, cnt, d)
                for j in range(cnt):
                    gains[j] += tmp[j]
        elif dim == 2:
            for k in range(6):
                off = (-spread, -spread / 2, -spread / 4, spread / 4, spread / 2, spread)[k]
                _calc_gains(sets, dim, tmp, cnt, _angle_to_cart(azi + off, 0.0))
                for j in range(cnt):
                    gains[j] += tmp[j]
    if spread > 70.0:
        for i in range(cnt):
            gains[i] += (spread - 70.0) / 30.0 * (spread - 70.0) / 30.0 * wide_scale
    total = 0.0
    for i in range(cnt):
        total += gains[i] * gains[i]
    total = math.sqrt(total)
    for i in range(cnt):
        gains[i] /= total


@helper
def _vbap_control(s, sets, gains, tmp, sb, azi, ele, spread, cnt):
    """vbap_n.c vbap_control / vbap1.c vbap1_control: gains for (azi, ele, spread)."""
    if s.dim == 2 and abs(ele) > 0.0:
        ele = 0.0
    if spread < 0.0:
        spread = 0.0
    elif spread > 100.0:
        spread = 100.0
    s.cdx, s.cdy, s.cdz = _angle_to_cart(azi, ele)
    _calc_gains(sets, s.dim, gains, cnt, (s.cdx, s.cdy, s.cdz))
    _spread_gains(s, sets, gains, tmp, sb, azi, spread, cnt, 20.0)


VBAP = State(dim=i64, cdx=f64, cdy=f64, cdz=f64, sbx=f64, sby=f64, sbz=f64,
             azi=f64, ele=f64, pci=i64, pcc=i64, curr_fld=i64, next_fld=i64, ele_vel=f64)
BEG, END, UPD, TMP = 0, 1, 2, 3


def _vbap_load(s, ic, cnt: int, layout: int, check_missing: bool = True):
    """Read layout `layout` as vbap_init does: the sets array and the gain rows."""
    table = ic.engine.globals.get(LS_TABLE.format(layout))
    if table is None:
        raise InitError(f"could not find layout table no.{layout}")
    dim, ls_am, nsets = int(table[0]), int(table[1]), int(table[2])
    if nsets == 0:
        raise InitError("vbap system NOT configured.\nMissing vbaplsinit opcode in orchestra?")
    sets = np.zeros((nsets, 12))
    pos = 3
    for i in range(nsets):
        sets[i, :dim] = table[pos:pos + dim].astype(np.int32)
        pos += dim
        sets[i, 3:3 + dim * dim] = table[pos:pos + dim * dim]
        pos += dim * dim
    s.dim = dim
    return sets, np.zeros((4, max(cnt, ls_am, 1))), np.zeros((16, 3))


def _vbap_start(s, ic, sets, gains, sb, cnt, azi, ele, spread):
    if s.dim == 2 and abs(ele) > 0.0:
        ic.warning("Warning: truncating elevation to 2-D plane\n")
        ele = 0.0
    s.cdx, s.cdy, s.cdz = _angle_to_cart(azi, ele)
    s.sbx, s.sby, s.sbz = s.cdy, s.cdz, -s.cdx
    _vbap_control(s, sets, gains[UPD], gains[TMP], sb, azi, ele, spread, cnt)


def vbap_init(s, ic, *args):
    outs, (asig, kazim, kelev, kspread, ilayout) = args[:-5], args[-5:]
    sets, gains, sb = _vbap_load(s, ic, len(outs), int(ilayout))
    _vbap_start(s, ic, sets, gains, sb, len(outs), kazim, kelev, kspread)
    gains[BEG] = gains[UPD]
    gains[END] = gains[UPD]
    return sets, gains, sb


@helper
def _vbap_write(gains, outs, asig, n0, n1):
    """Apply each channel's gain, ramping from the last block's (vbap_n.c vbap)."""
    inv = 1.0 / (n1 - n0)
    for j in range(len(outs)):
        out = outs[j]
        og = gains[BEG, j]
        ng = gains[END, j]
        diff = ng - og
        if ng != 0.0 or og != 0.0:
            if ng != og:
                for i in range(n0, n1):
                    # compat: the ramp counts from the block start even after a late start
                    out[i] = asig[i] * (og + (i + 1) * inv * diff)
            else:
                for i in range(n0, n1):
                    out[i] = asig[i] * og
        else:
            for i in range(n0, n1):
                out[i] = 0.0


@helper
def _next_gains(gains, cnt):
    for j in range(cnt):
        gains[BEG, j] = gains[END, j]
        gains[END, j] = gains[UPD, j]


@kernel
def vbap_perf(s, ctx, sets, gains, sb, *args):
    """vbap: pan a signal over the loudspeaker layout (Opcodes/vbap_n.c vbap)."""
    outs = args[:-7]
    asig, kazim, kelev, kspread = args[-7], args[-6], args[-5], args[-4]
    n0, n1 = args[-2], args[-1]
    cnt = len(outs)
    _vbap_control(s, sets, gains[UPD], gains[TMP], sb, at(kazim, 0), at(kelev, 0),
                  at(kspread, 0), cnt)
    _next_gains(gains, cnt)
    _vbap_write(gains, outs, asig, n0, n1)


defop("vbap", "m" * 128, "akOOo", VBAP, vbap_init, vbap_perf, arrays=("sets", "gains", "sb"))


def vbapg_init(s, ic, *args):
    outs, (kazim, kelev, kspread, ilayout) = args[:-4], args[-4:]
    sets, gains, sb = _vbap_load(s, ic, len(outs), int(ilayout))
    _vbap_start(s, ic, sets, gains, sb, len(outs), kazim, kelev, kspread)
    return sets, gains, sb


@kernel
def vbapg_perf(s, ctx, sets, gains, sb, *args):
    """vbapg: the vbap gains themselves, at k-rate (Opcodes/vbap1.c vbap1)."""
    outs = args[:-6]
    kazim, kelev, kspread = args[-6], args[-5], args[-4]
    cnt = len(outs)
    _vbap_control(s, sets, gains[UPD], gains[TMP], sb, at(kazim, 0), at(kelev, 0),
                  at(kspread, 0), cnt)
    for j in range(cnt):
        outs[j][0] = gains[UPD, j]


defop("vbapg", "z" * 128, "kOOo", VBAP, vbapg_init, vbapg_perf, arrays=("sets", "gains", "sb"))


@helper
def _wrap_angles(azi, ele):
    """vbap.c scale_angles: azimuth into [-180, 180], elevation clamped to +-90."""
    while azi > 180.0:
        azi -= 360.0
    while azi < -180.0:
        azi += 360.0
    if ele > 90.0:
        ele = 90.0
    if ele < -90.0:
        ele = -90.0
    return azi, ele


@helper
def _fld(fld, i):
    if i < 0 or i >= len(fld):
        raise ValueError("Missing fields in vbapmove\n")
    return at(fld[i], 0)


@helper
def _move_control(s, ctx, sets, gains, tmp, sb, spread, field_am, fld, cnt):
    """vbap_n.c vbap_moving_control / vbap1.c vbap1_moving_control."""
    dim = s.dim
    if dim == 2 and abs(s.ele) > 0.0:
        s.ele = 0.0
    if spread < 0.0:
        spread = 0.0
    elif spread > 100.0:
        spread = 100.0
    nfld = int(abs(field_am))
    old = s.pcc
    s.pcc = old + 1
    if old >= s.pci:
        s.pcc = 0
        for _ in range(1 if dim == 2 else 2):  # 3-D steps over the elevation field
            s.curr_fld = s.next_fld
            s.next_fld += 1
            if s.next_fld >= nfld:
                s.next_fld = 0 if field_am >= 0.0 else 1
        _fld(fld, abs(s.next_fld))
    if field_am >= 0.0:
        coeff = s.pcc / s.pci
        if dim == 3:
            p = _angle_to_cart(_fld(fld, s.curr_fld - 1), _fld(fld, s.curr_fld))
            q = _angle_to_cart(_fld(fld, s.next_fld), _fld(fld, s.next_fld + 1))
            x = (1.0 - coeff) * p[0] + coeff * q[0]
            y = (1.0 - coeff) * p[1] + coeff * q[1]
            z = (1.0 - coeff) * p[2] + coeff * q[2]
            norm = math.sqrt(x * x + y * y + z * z)
            s.azi, s.ele = _cart_to_angle(x / norm, y / norm, z / norm, s.azi)
        elif dim == 2:
            prev = _wrap_angles(_fld(fld, s.curr_fld), 0.0)[0]
            nxt = _wrap_angles(_fld(fld, s.next_fld), 0.0)[0]
            angle = prev - nxt
            while angle > 180.0:
                angle -= 360.0
            while angle < -180.0:
                angle += 360.0
            angle *= coeff
            s.azi = prev - angle
            s.ele = 0.0
        else:
            raise ValueError("Missing fields in vbapmove\n")
    elif dim == 2:
        s.azi, s.ele = _wrap_angles(s.azi + _fld(fld, s.next_fld) * ctx.onedkr, s.ele)
    else:
        s.azi = s.azi + _fld(fld, s.next_fld) * ctx.onedkr
        s.ele = s.ele + s.ele_vel * (_fld(fld, s.next_fld + 1) * ctx.onedkr)
        if s.ele > 90.0:
            s.ele = 90.0
            s.ele_vel = -s.ele_vel
        if s.ele < 0.0:
            s.ele = 0.0
            s.ele_vel = -s.ele_vel
        s.azi, s.ele = _wrap_angles(s.azi, s.ele)
    s.cdx, s.cdy, s.cdz = _angle_to_cart(s.azi, s.ele)
    _calc_gains(sets, dim, gains, cnt, (s.cdx, s.cdy, s.cdz))
    _spread_gains(s, sets, gains, tmp, sb, s.azi, spread, cnt, 10.0)


def _move_init(s, ic, cnt, idur, ispread, ifldnum, fld):
    sets, gains, sb = _vbap_load(s, ic, cnt, 0)
    s.ele_vel = 1.0
    need = 2 + (s.dim - 2) * 2
    if abs(ifldnum) < need:
        raise InitError(f"Have to have at least {need} directions in vbapmove")
    per = abs(ifldnum) - 1.0 if s.dim == 2 else abs(ifldnum) * 0.5 - 1.0
    s.pci = int(ic.kr * idur / per)
    s.pcc = 0
    vals = [float(v) for v in fld]
    s.azi = vals[0]
    s.ele = vals[1] if s.dim == 3 else 0.0
    s.curr_fld, s.next_fld = (1, 2) if s.dim == 3 else (0, 1)
    s.cdx, s.cdy, s.cdz = _angle_to_cart(s.azi, s.ele)
    s.sbx, s.sby, s.sbz = s.cdy, s.cdz, -s.cdx
    fld_arrays = tuple(np.array(v) for v in vals)
    _move_control(s, ic.consts, sets, gains[UPD], gains[TMP], sb, ispread, ifldnum,
                  fld_arrays, cnt)
    return sets, gains, sb


def vbapmove_init(s, ic, *args):
    outs, (asig, idur, ispread, ifldnum, fld) = args[:-5], args[-5:]
    sets, gains, sb = _move_init(s, ic, len(outs), idur, ispread, ifldnum, fld)
    gains[BEG] = gains[UPD]
    gains[END] = gains[UPD]
    return sets, gains, sb


@kernel
def vbapmove_perf(s, ctx, sets, gains, sb, *args):
    """vbapmove: vbap along a path of directions (Opcodes/vbap_n.c vbap_moving)."""
    outs = args[:-7]
    asig, ispread, ifldnum, fld = args[-7], args[-5], args[-4], args[-3]
    n0, n1 = args[-2], args[-1]
    cnt = len(outs)
    _move_control(s, ctx, sets, gains[UPD], gains[TMP], sb, at(ispread, 0), at(ifldnum, 0),
                  fld, cnt)
    _next_gains(gains, cnt)
    _vbap_write(gains, outs, asig, n0, n1)


defop("vbapmove", "m" * 128, "aiiim", VBAP, vbapmove_init, vbapmove_perf,
      arrays=("sets", "gains", "sb"))


def vbapgmove_init(s, ic, *args):
    outs, (idur, ispread, ifldnum, fld) = args[:-4], args[-4:]
    return _move_init(s, ic, len(outs), idur, ispread, ifldnum, fld)


@kernel
def vbapgmove_perf(s, ctx, sets, gains, sb, *args):
    """vbapgmove: the vbapmove gains at k-rate (Opcodes/vbap1.c vbap1_moving)."""
    outs = args[:-6]
    ispread, ifldnum, fld = args[-5], args[-4], args[-3]
    cnt = len(outs)
    _move_control(s, ctx, sets, gains[UPD], gains[TMP], sb, at(ispread, 0), at(ifldnum, 0),
                  fld, cnt)
    for j in range(cnt):
        outs[j][0] = gains[UPD, j]


defop("vbapgmove", "z" * 128, "iiim", VBAP, vbapgmove_init, vbapgmove_perf,
      arrays=("sets", "gains", "sb"))
