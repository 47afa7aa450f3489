"""Oscillators: table-lookup, band-limited and analytic periodic signal generators.

Follows Csound 6.18 (64-bit build): oscil/oscili/oscil3 and phasor from
OOps/ugens2.c (fixed-point phase, MAXLEN = 2**28); poscil/poscil3 from
Opcodes/uggab.c (double phase, any table length); oscils from OOps/oscils.c;
lfo from OOps/schedule.c; buzz/gbuzz from OOps/ugens4.c; vco from
Opcodes/biquad.c; vco2, vco2init, vco2ft, vco2ift from Opcodes/oscbnk.c.
Table number -1 is Csound's built-in 16384-point sine (Engine/fgens.c).

Deviations: the array-table variants of oscil* (`kki[]o` ...) read the guard
point as the array's first element (Csound reads past the array's end); vco2
cannot see how many arguments were written, so `inyx` = 0 means "not given"
(0.5) and the "insufficient required arguments" check is not made; vco prints
no warning when its harmonic count falls to zero.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, is_audio, kernel
from ..engine.tables import (
    MAXLEN,
    PHMASK,
    TAB_ADDR,
    TAB_FLEN,
    TAB_LOBITS,
    TAB_LOMASK,
    TAB_NPTS,
    FunctionTable,
)
from ..errors import InitError, PerfError
from ._registry import DIRECTORIES, NativeInit, State, defop, f64, i64

FMAXLEN = float(MAXLEN)
SINE_SIZE = 16384  # Csound's default --sinesize
_I32 = 2147483648.0
_LONG = 9.223372036854775808e18


# ---------------------------------------------------------------- helpers

@helper
def _trunc32(x):
    """C's (int32_t) cast of a double; out of range gives INT32_MIN as on x86."""
    if x > -_I32 - 1.0 and x < _I32:
        return np.int64(x)
    return np.int64(-2147483648)


@helper
def _lrint32(x):
    """Csound's MYFLT2LONG/MYFLT2LRND: lrint (ties to even) kept to 32 bits."""
    if not (x > -_LONG and x < _LONG):
        return np.int64(0)
    v = np.int64(np.rint(x))
    return ((v + 2147483648) & 0xFFFFFFFF) - 2147483648


@helper
def _cubic(ft, flen, x0, fract):
    """Csound's 4-point cubic through ft[x0-1..x0+2], wrapping at both ends."""
    x0 -= 1
    if x0 < 0:
        ym1 = ft[flen - 1]
        x0 = 0
    else:
        ym1 = ft[x0]
        x0 += 1
    y0 = ft[x0]
    y1 = ft[x0 + 1]
    x0 += 2
    y2 = ft[1] if x0 > flen else ft[x0]
    frsq = fract * fract
    frcu = frsq * ym1
    t1 = y2 + y0 + y0 + y0
    return (y0 + 0.5 * frcu + fract * (y1 - frcu / 6.0 - t1 / 6.0 - ym1 / 3.0)
            + frsq * fract * (t1 / 6.0 - 0.5 * y1) + frsq * (0.5 * y1 - y0))


def builtin_sine(ic) -> FunctionTable:
    """Csound's table -1: sin(2*pi*i/16384), guard point 0, made once per engine."""
    key = "oscillators.sine"
    table = ic.engine.globals.get(key)
    if table is None:
        size = int(ic.engine.globals.get("oscillators.sinesize", SINE_SIZE))
        data = np.sin(np.arange(size + 1) * (2.0 * math.pi / size))
        data[0] = data[size] = 0.0
        table = ic.engine.globals[key] = FunctionTable(-1, data)
    return table


@helper
def ftfind_native(tabs, ifn):
    """`_ftfind` in compiled init passes: the table's row in `tabs`, or -1
    where Python's must run (no such table, table -1, deferred size, not a
    power of two: errors or the built-in sine)."""
    fno = _lrint32(ifn)
    if fno < 1 or fno >= tabs.shape[0] or tabs[fno, TAB_ADDR] == 0:
        return -1
    flen = tabs[fno, TAB_FLEN]
    if flen <= 0 or (flen & (flen - 1)) != 0:
        return -1
    return fno


@helper
def table_ref_native(tabs, fno, xa, xs):
    """Point an aux slot (address, shape) at table row `fno`'s data."""
    xa[0] = tabs[fno, TAB_ADDR]
    xs[0] = tabs[fno, TAB_NPTS]


@helper
def ftnp2find_native(tabs, ifn):
    """`_ftnp2find` in compiled init passes: the row of a table of any nonzero
    length, or -1 where Python's must run (table -1, missing, deferred size)."""
    fno = _lrint32(ifn)
    if fno < 1 or fno >= tabs.shape[0] or tabs[fno, TAB_ADDR] == 0 or tabs[fno, TAB_FLEN] <= 0:
        return -1
    return fno


@helper
def audio_native(x):
    """`is_audio` in compiled init passes: True for an a-rate (1-d array) input."""
    return np.asarray(x).ndim == 1


def _ftfind(ic, ifn: float) -> FunctionTable:
    """Csound's FTFind: -1 is the sine; others must exist with a power-of-two length."""
    fno = int(_lrint32_py(ifn))
    if fno == -1:
        return builtin_sine(ic)
    table = ic.engine.tables.get(fno) if fno >= 1 else None
    if table is None:
        raise InitError(f"Invalid ftable no. {ifn:f}")
    if table.size == 0:
        raise InitError(f"deferred-size ftable {ifn:f} illegal here")
    if not table.is_pow2:
        raise InitError("illegal table length")
    return table


def _ftnp2find(ic, ifn: float) -> FunctionTable | None:
    """Csound's FTnp2Find: any length, None when missing."""
    fno = int(_lrint32_py(ifn))
    if fno == -1:
        return builtin_sine(ic)
    table = ic.engine.tables.get(fno) if fno >= 1 else None
    return table if table is not None and table.size > 0 else None


# ------------------------------------------- oscil, oscili, oscil3 (fixed point)

OSC = State(lphs=i64, interp=i64, lobits=i64, lomask=i64, lodiv=f64, flen=i64)


@helper
def _osc_read(ft, phs, lobits, lomask, lodiv, flen, interp):
    """Table value at fixed-point phase `phs`: truncated, linear or cubic."""
    x0 = phs >> lobits
    if interp == 0:
        return ft[x0]
    fract = (phs & lomask) * lodiv
    if interp == 1:
        v1 = ft[x0]
        return v1 + (ft[x0 + 1] - v1) * fract
    return _cubic(ft, flen, x0, fract)


def _osc_setup(s, interp, table, iphs):
    s.interp = interp
    s.lobits, s.lomask, s.lodiv, s.flen = table.lobits, table.lomask, table.lodiv, table.size
    if iphs >= 0:
        s.lphs = _trunc32_py(iphs * FMAXLEN) & PHMASK
    return (table.data,)


def _osc_init(interp):
    def init(s, ic, ar, xamp, xcps, ifn, iphs):
        return _osc_setup(s, interp, _ftfind(ic, ifn), iphs)
    return init


def _osc_init_array(interp):
    def init(s, ic, ar, xamp, xcps, ifn, iphs):
        data = np.asarray(ifn.data, dtype=np.float64).ravel()
        size = data.shape[0]
        if size == 0 or size & (size - 1):
            raise InitError("array size not pow-of-two")
        flen = size & -2
        table = FunctionTable(0, np.append(data[:flen], data[0]))
        return _osc_setup(s, interp, table, iphs)
    return init


@kernel
def osc_init_native(s, ctx, tabs, interp, ft_addr, ft_shape, ar, xamp, xcps, ifn, iphs):
    """`_osc_init` for compiled note starts (the built-in sine and errors: Python's)."""
    fno = ftfind_native(tabs, ifn)
    if fno < 0:
        return 1
    s.interp = interp
    lobits = tabs[fno, TAB_LOBITS]
    s.lobits, s.lomask, s.lodiv = lobits, tabs[fno, TAB_LOMASK], 1.0 / (1 << lobits)
    s.flen = tabs[fno, TAB_FLEN]
    if iphs >= 0:
        s.lphs = _trunc32(iphs * FMAXLEN) & PHMASK
    table_ref_native(tabs, fno, ft_addr, ft_shape)
    return 0


@kernel
def oscil_perf(s, ctx, ft, ar, xamp, xcps, ifn, iphs, n0, n1):
    """oscil/oscili/oscil3 a-rate: 28-bit fixed-point phase (OOps/ugens2.c osckk...)."""
    phs, sicvt, interp = s.lphs, ctx.sicvt, s.interp
    lobits, lomask, lodiv, flen = s.lobits, s.lomask, s.lodiv, s.flen
    for n in range(n0, n1):
        inc = _lrint32(at(xcps, n) * sicvt)
        ar[n] = _osc_read(ft, phs, lobits, lomask, lodiv, flen, interp) * at(xamp, n)
        phs = (phs + inc) & PHMASK
    s.lphs = phs


@kernel
def oscil_perf_k(s, ctx, ft, kres, kamp, kcps, ifn, iphs, n0, n1):
    """oscil/oscili/oscil3 k-rate (OOps/ugens2.c koscil, koscli, koscl3)."""
    phs = s.lphs
    v = _osc_read(ft, phs, s.lobits, s.lomask, s.lodiv, s.flen, s.interp)
    kres[0] = v * at(kamp, 0)
    # compat: the k-rate versions truncate the increment, the a-rate ones round it
    phs += _trunc32(at(kcps, 0) * (FMAXLEN / ctx.kr))
    s.lphs = phs & PHMASK


for _name, _interp in (("oscil", 0), ("oscili", 1), ("oscil3", 3)):
    _init, _init_a = _osc_init(_interp), _osc_init_array(_interp)
    _ni = NativeInit(osc_init_native, (_interp,), ("ref",))
    defop(_name, "k", "kkjo", OSC, _init, oscil_perf_k, arrays=("ft",), flags=("note_local",),
          native_init=_ni)
    for _ins in ("kkjo", "kajo", "akjo", "aajo"):
        defop(_name, "a", _ins, OSC, _init, oscil_perf, arrays=("ft",), flags=("note_local",),
              native_init=_ni)
    defop(_name, "k", "kki[]o", OSC, _init_a, oscil_perf_k, arrays=("ft",))
    for _ins in ("kki[]o", "kai[]o", "aki[]o", "aai[]o"):
        defop(_name, "a", _ins, OSC, _init_a, oscil_perf, arrays=("ft",))


# ------------------------------------------- poscil, poscil3 (floating-point phase)

POSC = State(phs=f64, tablen=i64, tablenUPsr=f64, cubic=i64, acps=i64)


def _posc_init(cubic):
    def init(s, ic, ar, xamp, xcps, ifn, iphs):
        table = _ftnp2find(ic, ifn)
        if table is None:
            raise InitError("table not found in poscil")
        s.cubic, s.acps = cubic, int(is_audio(xcps))
        s.tablen = table.size
        s.tablenUPsr = table.size * ic.consts.onedsr
        if iphs >= 0:
            s.phs = iphs * table.size
        while s.phs >= s.tablen:
            s.phs -= s.tablen
        return (table.data,)
    return init


@kernel
def posc_init_native(s, ctx, tabs, cubic, ft_addr, ft_shape, ar, xamp, xcps, ifn, iphs):
    """`_posc_init` for compiled note starts (the built-in sine and errors: Python's)."""
    fno = ftnp2find_native(tabs, ifn)
    if fno < 0:
        return 1
    size = tabs[fno, TAB_FLEN]
    s.cubic, s.acps = cubic, 1 if audio_native(xcps) else 0
    s.tablen = size
    s.tablenUPsr = size * ctx.onedsr
    if iphs >= 0:
        s.phs = iphs * size
    while s.phs >= s.tablen:
        s.phs -= s.tablen
    table_ref_native(tabs, fno, ft_addr, ft_shape)
    return 0


@helper
def _posc_read(ft, tablen, phs, cubic):
    x0 = _trunc32(phs)
    fract = phs - x0
    if cubic:
        return _cubic(ft, tablen, x0, fract)
    return ft[x0] + (ft[x0 + 1] - ft[x0]) * fract


@kernel
def poscil_perf(s, ctx, ft, ar, xamp, xcps, ifn, iphs, n0, n1):
    """poscil/poscil3 a-rate (Opcodes/uggab.c posckk ... posc3aa)."""
    phs, tablen, upsr, cubic = s.phs, s.tablen, s.tablenUPsr, s.cubic
    # compat: poscil3 with k-rate cps scales as (cps*tablen)*onedsr, all others cps*(tablen*onedsr)
    plain = cubic == 0 or s.acps == 1
    for n in range(n0, n1):
        ar[n] = at(xamp, n) * _posc_read(ft, tablen, phs, cubic)
        cps = at(xcps, n)
        phs += cps * upsr if plain else cps * tablen * ctx.onedsr
        while phs >= tablen:
            phs -= tablen
        while phs < 0.0:
            phs += tablen
    s.phs = phs


@kernel
def poscil_perf_k(s, ctx, ft, kres, kamp, kcps, ifn, iphs, n0, n1):
    """poscil/poscil3 k-rate (Opcodes/uggab.c kposc, kposc3)."""
    phs, tablen = s.phs, s.tablen
    kres[0] = at(kamp, 0) * _posc_read(ft, tablen, phs, s.cubic)
    phs += at(kcps, 0) * tablen * ctx.onedkr
    while phs >= tablen:
        phs -= tablen
    while phs < 0.0:
        phs += tablen
    s.phs = phs


for _name, _cubic_flag in (("poscil", 0), ("poscil3", 1)):
    _init = _posc_init(_cubic_flag)
    _ni = NativeInit(posc_init_native, (_cubic_flag,), ("ref",))
    defop(_name, "a", "kkjo", POSC, _init, poscil_perf, arrays=("ft",), flags=("note_local",),
          native_init=_ni)
    defop(_name, "k", "kkjo", POSC, _init, poscil_perf_k, arrays=("ft",), flags=("note_local",),
          native_init=_ni)
    for _ins in ("kajo", "akjo", "aajo"):
        defop(_name, "a", _ins, POSC, _init, poscil_perf, arrays=("ft",), flags=("note_local",),
              native_init=_ni)


# ------------------------------------------------------------------- phasor

PHSOR = State(curphs=f64)


def phasor_init(s, ic, out, xcps, iphs):
    if iphs >= 0:
        whole = int(_trunc32_py(iphs))
        if whole:
            ic.warning("init phase truncation\n")
        s.curphs = iphs - whole


@kernel
def phasor_init_native(s, ctx, tabs, out, xcps, iphs):
    """`phasor_init` for compiled note starts (a truncated phase warns: Python's)."""
    if iphs >= 0:
        whole = _trunc32(iphs)
        if whole != 0:
            return 1
        s.curphs = iphs - whole
    return 0


@kernel
def phasor_perf(s, ctx, ar, xcps, iphs, n0, n1):
    """phasor a-rate: double phase in [0, 1) (OOps/ugens2.c phsor)."""
    phase, onedsr = s.curphs, ctx.onedsr
    for n in range(n0, n1):
        ar[n] = phase
        phase += at(xcps, n) * onedsr
        if phase >= 1.0:
            phase -= 1.0
        elif phase < 0.0:
            phase += 1.0
    s.curphs = phase


@kernel
def phasor_perf_k(s, ctx, kres, kcps, iphs, n0, n1):
    """phasor k-rate (OOps/ugens2.c kphsor)."""
    phs = s.curphs
    kres[0] = phs
    phs += at(kcps, 0) * ctx.onedkr
    if phs >= 1.0:
        phs -= 1.0
    elif phs < 0.0:
        phs += 1.0
    s.curphs = phs


defop("phasor", "a", "xo", PHSOR, phasor_init, phasor_perf,
      native_init=NativeInit(phasor_init_native))
defop("phasor", "k", "ko", PHSOR, phasor_init, phasor_perf_k,
      native_init=NativeInit(phasor_init_native))


# ------------------------------------------------------------------- oscils

OSCILS = State(xd=f64, cd=f64, vd=f64)


def oscils_init(s, ic, ar, iamp, icps, iphs, iflg):
    iflg = int(_trunc32_py(iflg + 0.5)) & 7
    if iflg & 1:
        return
    f = icps * ic.consts.tpidsr
    p = iphs * (2.0 * math.pi)
    y0 = math.sin(p)
    y1 = math.sin(p + f)
    c = 2.0 * math.cos(f) - 2.0
    s.cd = c
    s.xd = y0 * iamp
    s.vd = (y1 - c * y0 - y0) * iamp


@kernel
def oscils_init_native(s, ctx, tabs, ar, iamp, icps, iphs, iflg):
    """`oscils_init` for compiled note starts."""
    if (_trunc32(iflg + 0.5) & 7) & 1:
        return 0
    f = icps * ctx.tpidsr
    p = iphs * (2.0 * math.pi)
    y0 = math.sin(p)
    y1 = math.sin(p + f)
    c = 2.0 * math.cos(f) - 2.0
    s.cd = c
    s.xd = y0 * iamp
    s.vd = (y1 - c * y0 - y0) * iamp
    return 0


@kernel
def oscils_perf(s, ctx, ar, iamp, icps, iphs, iflg, n0, n1):
    """oscils: recursive sine, v += c*x; x += v (OOps/oscils.c)."""
    x, c, v = s.xd, s.cd, s.vd
    for n in range(n0, n1):
        ar[n] = x
        v += c * x
        x += v
    s.xd, s.vd = x, v


defop("oscils", "a", "iiio", OSCILS, oscils_init, oscils_perf,
      native_init=NativeInit(oscils_init_native))


# ---------------------------------------------------------------------- lfo

LFO_MAXPHASE = 0x1000000
LFO_MAXMASK = 0x0FFFFFF
LFO = State(lasttype=i64, phs=i64)
# lfo's 4096-point sine and guard point, the same for every engine: one
# module-wide array, which perf only reads, so compiled note starts can point at it.
LFO_SINE = np.zeros(4097)
LFO_SINE[:4096] = np.sin(2.0 * math.pi * np.arange(4096.0) / 4096.0)
_LFO_SINE_REF = (LFO_SINE.__array_interface__["data"][0], LFO_SINE.shape[0])


def lfo_init(s, ic, out, kamp, kcps, itype):
    kind = int(_trunc32_py(itype))
    if kind > 5 or kind < 0:
        raise InitError(f"LFO: unknown oscilator type {kind}")
    s.lasttype = kind
    s.phs = 0
    return (LFO_SINE,)


@kernel
def lfo_init_native(s, ctx, tabs, sine_addr, sine_npts, xa, xs, out, kamp, kcps, itype):
    """`lfo_init` for compiled note starts (an unknown type is an error: Python's)."""
    kind = _trunc32(itype)
    if kind > 5 or kind < 0:
        return 1
    s.lasttype = kind
    s.phs = 0
    xa[0] = sine_addr
    xs[0] = sine_npts
    return 0


@helper
def _lfo_value(sine, kind, phs):
    if kind == 0:
        i = phs >> 12
        res = sine[i]
        return res + (sine[i + 1] - res) * ((phs & 0xFFF) / 4096.0)
    if kind == 1:
        res = ((phs << 2) & LFO_MAXMASK) / LFO_MAXPHASE
        if phs < LFO_MAXPHASE // 4:
            return res
        if phs < LFO_MAXPHASE // 2:
            return 1.0 - res
        if phs < 3 * LFO_MAXPHASE // 4:
            return -res
        return res - 1.0
    if kind == 2:
        return 1.0 if phs < LFO_MAXPHASE // 2 else -1.0
    if kind == 3:
        return 1.0 if phs < LFO_MAXPHASE // 2 else 0.0
    if kind == 4:
        return phs / LFO_MAXPHASE
    return 1.0 - phs / LFO_MAXPHASE


@kernel
def lfo_perf(s, ctx, sine, ar, kamp, kcps, itype, n0, n1):
    """lfo a-rate: 24-bit phase, sine/triangle/square/saw (OOps/schedule.c lfoa)."""
    phs, kind = s.phs, s.lasttype
    inc = _trunc32(at(kcps, 0) * LFO_MAXPHASE * ctx.onedsr)
    amp = at(kamp, 0)
    for n in range(n0, n1):
        res = _lfo_value(sine, kind, phs)
        phs = (phs + inc) & LFO_MAXMASK
        ar[n] = res * amp
    s.phs = phs


@kernel
def lfo_perf_k(s, ctx, sine, kres, kamp, kcps, itype, n0, n1):
    """lfo k-rate (OOps/schedule.c lfok)."""
    res = _lfo_value(sine, s.lasttype, s.phs)
    s.phs = (s.phs + _trunc32(at(kcps, 0) * LFO_MAXPHASE * ctx.onedkr)) & LFO_MAXMASK
    kres[0] = at(kamp, 0) * res


_LFO_NI = NativeInit(lfo_init_native, _LFO_SINE_REF, ("ref",))
defop("lfo", "k", "kko", LFO, lfo_init, lfo_perf_k, arrays=("sine",), native_init=_LFO_NI)
defop("lfo", "a", "kko", LFO, lfo_init, lfo_perf, arrays=("sine",), native_init=_LFO_NI)


# --------------------------------------------------------------- buzz, gbuzz

BUZZ = State(lphs=i64, lobits=i64, lenmask=i64)


def buzz_init(s, ic, ar, xamp, xcps, knh, ifn, iphs):
    table = _ftfind(ic, ifn)
    s.lobits, s.lenmask = table.lobits, table.lenmask
    if iphs >= 0:
        s.lphs = _trunc32_py(iphs * 0.5 * FMAXLEN) & PHMASK
    return (table.data,)


@kernel
def buzz_init_native(s, ctx, tabs, ft_addr, ft_shape, ar, xamp, xcps, knh, ifn, iphs):
    """`buzz_init` for compiled note starts (the built-in sine and errors: Python's)."""
    fno = ftfind_native(tabs, ifn)
    if fno < 0:
        return 1
    s.lobits, s.lenmask = tabs[fno, TAB_LOBITS], tabs[fno, TAB_FLEN] - 1
    if iphs >= 0:
        s.lphs = _trunc32(iphs * 0.5 * FMAXLEN) & PHMASK
    table_ref_native(tabs, fno, ft_addr, ft_shape)
    return 0


@kernel
def buzz_perf(s, ctx, ft, ar, xamp, xcps, knh, ifn, iphs, n0, n1):
    """buzz: sum of knh equal cosines via sin((2n+1)x)/sin(x) (OOps/ugens4.c)."""
    lobits, lenmask, phs = s.lobits, s.lenmask, s.lphs
    sicvt2 = ctx.sicvt * 0.5
    nn = _trunc32(at(knh, 0))
    if nn < 0:
        nn = -nn
    if nn == 0:
        nn = 1
    tnp1 = 2 * nn + 1
    over2n = 0.5 / nn
    for n in range(n0, n1):
        scal = at(xamp, n) * over2n
        inc = _trunc32(at(xcps, n) * sicvt2)
        dwnphs = phs >> lobits
        denom = ft[dwnphs]
        if denom > 0.0002 or denom < -0.0002:
            ar[n] = (ft[(dwnphs * tnp1) & lenmask] / denom - 1.0) * scal
        else:
            ar[n] = at(xamp, 0)
        phs = (phs + inc) & PHMASK
    s.lphs = phs


defop("buzz", "a", "xxkio", BUZZ, buzz_init, buzz_perf, arrays=("ft",),
      native_init=NativeInit(buzz_init_native, (), ("ref",)))

GBUZZ = State(lphs=i64, lobits=i64, lenmask=i64, prvr=f64, prvn=i64, twor=f64,
              rsqp1=f64, rtn=f64, rtnp1=f64, rsumr=f64, last=f64)


def gbuzz_init(s, ic, ar, xamp, xcps, knh, klh, kmul, ifn, iphs):
    table = _ftfind(ic, ifn)
    s.lobits, s.lenmask = table.lobits, table.lenmask
    if iphs >= 0:
        s.lphs = _trunc32_py(iphs * FMAXLEN) & PHMASK
        s.prvr = 0.0
    s.last = 1.0
    return (table.data,)


@kernel
def gbuzz_init_native(s, ctx, tabs, ft_addr, ft_shape, ar, xamp, xcps, knh, klh, kmul, ifn,
                      iphs):
    """`gbuzz_init` for compiled note starts (the built-in sine and errors: Python's)."""
    fno = ftfind_native(tabs, ifn)
    if fno < 0:
        return 1
    s.lobits, s.lenmask = tabs[fno, TAB_LOBITS], tabs[fno, TAB_FLEN] - 1
    if iphs >= 0:
        s.lphs = _trunc32(iphs * FMAXLEN) & PHMASK
        s.prvr = 0.0
    s.last = 1.0
    table_ref_native(tabs, fno, ft_addr, ft_shape)
    return 0


@helper
def _intpow1(x, n):
    ans = 1.0
    while n != 0:
        if n & 1:
            ans = ans * x
        n >>= 1
        x = x * x
    return ans


@kernel
def gbuzz_perf(s, ctx, ft, ar, xamp, xcps, knh, klh, kmul, ifn, iphs, n0, n1):
    """gbuzz: cosine partials klh..klh+knh-1 with ratio kmul (OOps/ugens4.c)."""
    lobits, lenmask, lphs, last = s.lobits, s.lenmask, s.lphs, s.last
    k = _trunc32(at(klh, 0))
    nn = _trunc32(at(knh, 0))
    if nn < 0:
        nn = -nn
    if nn == 0:
        nn = 1
    km1, kpn = k - 1, k + nn
    kpnm1 = kpn - 1
    r = at(kmul, 0)
    if r != s.prvr or nn != s.prvn:
        s.twor = r + r
        s.rsqp1 = r * r + 1.0
        s.rtn = _intpow1(r, nn)
        s.rtnp1 = s.rtn * r
        absr = abs(r)
        if absr > 0.999 and absr < 1.001:
            s.rsumr = 1.0 / nn
        else:
            s.rsumr = (1.0 - absr) / (1.0 - abs(s.rtn))
        s.prvr = r
        s.prvn = ((nn + 32768) & 0xFFFF) - 32768  # compat: Csound keeps n as int16
    twor, rsqp1, rtn, rtnp1, rsumr = s.twor, s.rsqp1, s.rtn, s.rtnp1, s.rsumr
    sicvt = ctx.sicvt
    for n in range(n0, n1):
        scal = rsumr * at(xamp, n)
        inc = _trunc32(at(xcps, n) * sicvt)
        phs = lphs >> lobits
        denom = rsqp1 - twor * ft[phs]
        num = (ft[(phs * k) & lenmask] - r * ft[(phs * km1) & lenmask]
               - rtn * ft[(phs * kpn) & lenmask] + rtnp1 * ft[(phs * kpnm1) & lenmask])
        if denom > 0.0002 or denom < -0.0002:
            last = num / denom * scal
        elif last < 0:
            last = -at(xamp, n)
        else:
            last = at(xamp, n)
        ar[n] = last
        lphs = (lphs + inc) & PHMASK
    s.last, s.lphs = last, lphs


defop("gbuzz", "a", "xxkkkio", GBUZZ, gbuzz_init, gbuzz_perf, arrays=("ft",),
      native_init=NativeInit(gbuzz_init_native, (), ("ref",)))


# ---------------------------------------------------------------------- vco

VCO = State(lphs=i64, lobits=i64, lenmask=i64, ynm1=f64, ynm2=f64, leaky=f64,
            nyq=f64, left=i64)


def vco_init(s, ic, ar, xamp, xcps, iwave, kpw, isine, imaxd, ileak, inyx, iphs, iskip):
    sr = ic.sr
    table = _ftfind(ic, isine)
    ndel = max(int(imaxd * sr), 1) if imaxd * sr > 0 else 1
    s.lobits, s.lenmask = table.lobits, table.lenmask
    s.lphs = _trunc32_py(iphs * 0.5 * FMAXLEN) & PHMASK if iphs >= 0 else 0
    if iskip == 0:
        s.ynm1 = -0.5 if iwave == 1.0 else 0.0
        s.ynm2 = 0.0
    s.left = 0
    if ileak <= 0.0 or ileak >= 1.0:
        s.leaky = 0.995 if iwave == 3.0 else 0.999
    else:
        s.leaky = ileak
    s.nyq = inyx
    return (table.data, np.zeros(ndel))


@kernel
def vco_perf(s, ctx, ft, buf, ar, xamp, xcps, iwave, kpw, isine, imaxd, ileak, inyx,
             iphs, iskip, n0, n1):
    """vco: leaky-integrated band-limited pulse, saw/square/triangle (Opcodes/biquad.c)."""
    sr = ctx.sr
    wave = _lrint32(at(iwave, 0))
    leaky, lobits, lenmask = s.leaky, s.lobits, s.lenmask
    maxd = _trunc32(at(imaxd, 0) * sr)
    if maxd == 0:
        maxd = 1
    indx, phs, ynm1, ynm2 = s.left, s.lphs, s.ynm1, s.ynm2
    sicvt2 = ctx.sicvt * 0.5
    fqc = at(xcps, 0)
    nh = _trunc32(sr * s.nyq / fqc)
    if nh <= 0:
        nh = 1
    tnp1 = 2 * nh + 1
    scal = 0.5 / nh
    inc = _trunc32(fqc * sicvt2)
    pw = at(kpw, 0)
    thresh = 0.00001 if wave == 2 else 0.0002
    for n in range(n0, n1):
        dwnphs = phs >> lobits
        denom = ft[dwnphs]
        if denom > thresh or denom < -thresh:
            pulse = (ft[(dwnphs * tnp1) & lenmask] / denom - 1.0) * scal
        else:
            pulse = 1.0
        phs = (phs + inc) & PHMASK
        amp = at(xamp, n)
        fqc = at(xcps, n)
        inc = _trunc32(fqc * sicvt2)
        if wave == 2 or wave == 3:
            buf[indx] = pulse
            fv1 = indx - sr * pw / fqc
            v1 = _trunc32(fv1)
            if fv1 < 0.0:
                v1 -= 1
            fv1 -= v1
            while v1 >= maxd:
                v1 -= maxd
            while v1 < 0:
                v1 += maxd
            v2 = v1 + 1 if v1 < maxd - 1 else 0
            out1 = buf[v1] + fv1 * (buf[v2] - buf[v1])
            indx += 1
            if indx == maxd:
                indx = 0
            sqr = pulse - out1 + leaky * ynm1
            ynm1 = sqr
            if wave == 2:
                ar[n] = (sqr + pw - 0.5) * 1.9 * amp
            else:
                tri = sqr + leaky * ynm2
                ynm2 = tri
                ar[n] = tri * amp * fqc / (sr * 0.42 * (0.05 + pw - pw * pw))
        else:
            ynm1 = pulse + leaky * ynm1
            ar[n] = ynm1 * 1.5 * amp
    s.left, s.lphs, s.ynm1, s.ynm2 = indx, phs, ynm1, ynm2


defop("vco", "a", "xxiVppovoo", VCO, vco_init, vco_perf, arrays=("ft", "buf"))


# ------------------------------------------------ vco2 band-limited table arrays

VCO2_MAX_NPART = 4096


class _Vco2Tables:
    """One waveform's table array: tables for growing numbers of partials,
    packed into one buffer for the kernel (data, [offset, lobits, mask] rows,
    and the partial-count -> table lookup of oscbnk.c's VCO2FT_USE_TABLE)."""

    def __init__(self, tables: list[np.ndarray], nparts: list[int], base_ftnum: int):
        self.tables = tables
        self.base_ftnum = base_ftnum
        self.data = np.concatenate(tables)
        info = np.zeros((len(tables), 3), dtype=np.int64)
        offset = 0
        for i, t in enumerate(tables):
            size = t.shape[0] - 1
            lobits, mask = 0, 1
            while size < 0x80000000:
                size <<= 1
                mask <<= 1
                lobits += 1
            info[i] = (offset, lobits, mask - 1)
            offset += t.shape[0]
        self.info = info
        lut = np.zeros(VCO2_MAX_NPART + 1, dtype=np.int64)
        i = 0
        for npart in range(VCO2_MAX_NPART + 1):
            lut[npart] = i
            if i < len(tables) - 1 and npart + 1 >= nparts[i + 1]:
                i += 1
        self.lut = lut


def _vco2_next_npart(npart: float, mul: float) -> float:
    n = npart * mul
    return npart + 1.0 if n - npart < 1.0 else n


def _vco2_table_size(npart: int, min_size: int, max_size: int) -> int:
    if npart < 1:
        return 16
    for limit, n in ((1, 1), (4, 2), (16, 4), (64, 8), (256, 16), (1024, 32)):
        if npart <= limit:
            break
    else:
        n = 64
    return min(n * min_size, max_size)


def _vco2_table(waveform: int, size: int, npart: int, user: np.ndarray | None) -> np.ndarray:
    """One band-limited table (oscbnk.c vco2_calculate_table), via an inverse real FFT."""
    half = size >> 1
    scale = 0.5 * size
    scale *= {0: -2.0 / math.pi, 1: -4.0 / (math.pi * math.pi), 3: -4.0 / math.pi,
              4: 8.0 / (math.pi * math.pi)}.get(waveform, 1.0)
    spec = np.zeros(half + 1, dtype=np.complex128)
    top = min(npart, half)
    i = np.arange(1, top + 1, dtype=np.float64)
    if waveform == 0:
        spec[1:top + 1] = 1j * (scale / i)
    elif waveform == 1:
        spec[1:top + 1] = scale / (i * i)
    elif waveform == 2:
        spec[1:top + 1] = scale
    elif waveform == 3:
        spec[1:top + 1] = 1j * np.where(i % 2 == 1, scale / i, 0.0)
    elif waveform == 4:
        odd = i.astype(np.int64) & 1 == 1
        sign = np.where(i.astype(np.int64) & 2, scale, -scale)
        spec[1:top + 1] = 1j * np.where(odd, sign / (i * i), 0.0)
    else:
        top = min(npart, half, user.shape[0] - 1)
        spec[:top + 1] = scale * user[:top + 1]
    spec[half] = spec[half].real  # the packed format has no Nyquist imaginary part
    table = np.empty(size + 1)
    table[:size] = np.fft.irfft(spec, size)
    table[size] = table[0]
    return table


def _vco2_create(ic, waveform: int, base_ftnum: int, mul: float = 1.05,
                 min_size: int | None = None, max_size: int | None = None,
                 user: np.ndarray | None = None) -> int:
    """Build (or rebuild) the table array of `waveform` (oscbnk.c vco2_tables_create);
    returns the first table number after the ones it defined."""
    if min_size is None:
        min_size = 256 if waveform == 2 else 128
    if max_size is None:
        max_size = 16384 if waveform == 2 else 8192
    slot = 4 - waveform if waveform < 0 else waveform
    arrays = ic.engine.globals.setdefault("oscillators.vco2", {})
    if slot in arrays:
        ic.warning(f"redefined table array for waveform {waveform}\n")
    limit = min(max_size >> 1, VCO2_MAX_NPART)
    npart_f, ntables = 0.0, 0
    while True:
        ntables += 1
        npart_f = _vco2_next_npart(npart_f, mul)
        if npart_f > limit:
            break
    tables, nparts = [], []
    npart_f = 0.0
    for _ in range(ntables):
        npart = int(npart_f + 0.5)
        size = _vco2_table_size(npart, min_size, max_size)
        table = _vco2_table(waveform, size, npart, user)
        if base_ftnum > 0:
            if base_ftnum in ic.engine.tables:
                ic.warning(f"replacing previous ftable {base_ftnum}")
            ic.engine.tables.set(FunctionTable(base_ftnum, table.copy()))
            base_ftnum += 1
        tables.append(table)
        nparts.append(npart)
        npart_f = _vco2_next_npart(npart_f, mul)
    first = base_ftnum - ntables if base_ftnum > 0 else -1
    arrays[slot] = _Vco2Tables(tables, nparts, first)
    _vco2_list(ic.engine, slot)
    return base_ftnum


# The vco2 directory (a NativeInit directory): per waveform slot, the
# addresses and sizes of its table array's data, info and lut (`V2_*`
# columns; V2_PRESENT 0: none yet).  Arrays it ever pointed at stay alive.
V2_ROWS = 16
V2_PRESENT, V2_DATA, V2_DATA_LEN, V2_INFO, V2_INFO_ROWS, V2_LUT, V2_LUT_LEN = range(7)


def _vco2_directory(engine) -> np.ndarray:
    directory = engine.globals.get("oscillators.vco2.native")
    if directory is None:
        directory = engine.globals["oscillators.vco2.native"] = np.zeros((V2_ROWS, 7),
                                                                          dtype=np.int64)
        for slot in engine.globals.get("oscillators.vco2", {}):
            _vco2_list(engine, slot)
    return directory


def _vco2_list(engine, slot: int) -> None:
    """Enter a waveform's table array in the vco2 directory, if made."""
    directory = engine.globals.get("oscillators.vco2.native")
    if directory is None or not 0 <= slot < V2_ROWS:
        return
    array = engine.globals["oscillators.vco2"][slot]
    engine.globals.setdefault("oscillators.vco2.listed", []).append(array)

    def addr(a: np.ndarray) -> int:
        return a.__array_interface__["data"][0]

    directory[slot, V2_PRESENT] = 0
    directory[slot, V2_DATA:] = (addr(array.data), array.data.shape[0], addr(array.info),
                                 array.info.shape[0], addr(array.lut), array.lut.shape[0])
    directory[slot, V2_PRESENT] = 1


DIRECTORIES["vco2"] = _vco2_directory


def vco2init_init(s, ic, ift, iwaveforms, ibasfn, ipmul, iminsiz, imaxsiz, isrcft):
    waveforms = int(_lrint32_py(iwaveforms))
    if waveforms < -1000000 or waveforms > 31:
        raise InitError(f"vco2init: invalid waveform number: {iwaveforms:f}")
    ftnum = int(_lrint32_py(ibasfn))
    if ftnum < 1:
        ftnum = -1
    if (waveforms < -1 and ftnum < 1) or ftnum > 1000000:
        raise InitError("vco2init: invalid base ftable number")
    ift[0] = ftnum
    if not waveforms:
        return
    w = waveforms if waveforms < 0 else 0
    while True:
        mul, min_size = 1.05, (256 if w == 2 else 128)
        if ipmul > 0.0:
            if ipmul < 1.00999 or ipmul > 2.00001:
                raise InitError("vco2init: invalid partial number multiplier")
            mul = float(ipmul)
        if iminsiz > 0.0:
            i = int(_lrint32_py(iminsiz))
            if i < 16 or i > 262144 or (i & (i - 1)):
                raise InitError("vco2init: invalid min table size")
            min_size = i
        if imaxsiz > 0.0:
            i = int(_lrint32_py(imaxsiz))
            if i < 16 or i > 16777216 or (i & (i - 1)) or i < min_size:
                raise InitError("vco2init: invalid max table size")
            max_size = i
        else:
            max_size = max(min(min_size << 6, 16384), min_size)
        if w >= 0:
            if waveforms & (1 << w):
                ftnum = _vco2_create(ic, w, ftnum, mul, min_size, max_size)
        else:
            src = _ftfind(ic, isrcft)
            if src.size < 4:
                raise InitError("vco2init: invalid source ftable")
            flen = src.size
            spec = np.fft.rfft(src.data[:flen] / (flen >> 1))
            spec[0] = spec[0].real
            spec[-1] = spec[-1].real
            ftnum = _vco2_create(ic, waveforms, ftnum, mul, min_size, max_size, spec)
        ift[0] = ftnum
        w += 1
        if not (0 < w < 5):
            break


defop("vco2init", "i", "ijjjjj", State(), vco2init_init)


VCO2FT = State(p_min=f64, p_scl=f64, base_ftnum=i64)


def _vco2ft_array(ic, iwave: float) -> _Vco2Tables:
    """The vco2init table array of waveform `iwave`, which must live in ftables."""
    w = int(_lrint32_py(iwave))
    if w > 4:
        w = 0x7FFFFFFF
    if w < 0:
        w = 4 - w
    array = ic.engine.globals.get("oscillators.vco2", {}).get(w)
    if array is None or array.base_ftnum < 1:
        raise InitError("vco2ft: table array not found for this waveform")
    return array


@helper
def _vco2ft_number(lut, base_ftnum, p_min, p_scl, kcps):
    npart = abs(kcps)
    if npart < p_min:
        npart = p_min
    return float(lut[min(_trunc32(p_scl / npart), VCO2_MAX_NPART)] + base_ftnum)


def _vco2ft_setup(s, ic, iwave, inyx):
    array = _vco2ft_array(ic, iwave)
    s.base_ftnum = array.base_ftnum
    sr = ic.sr
    s.p_scl = 0.5 * sr if inyx > 0.5 else 0.001 * sr if inyx < 0.001 else inyx * sr
    s.p_min = s.p_scl / VCO2_MAX_NPART
    return array


def vco2ft_init(s, ic, kft, kcps, iwave, inyx):
    return (_vco2ft_setup(s, ic, iwave, inyx).lut,)


def vco2ift_init(s, ic, ift, icps, iwave, inyx):
    lut = _vco2ft_setup(s, ic, iwave, inyx).lut
    ift[0] = _vco2ft_number(lut, s.base_ftnum, s.p_min, s.p_scl, icps)


@kernel
def vco2ft_perf(s, ctx, lut, kft, kcps, iwave, inyx, n0, n1):
    """vco2ft: number of the vco2init table to use at frequency kcps (Opcodes/oscbnk.c)."""
    kft[0] = _vco2ft_number(lut, s.base_ftnum, s.p_min, s.p_scl, at(kcps, 0))


defop("vco2ift", "i", "iov", VCO2FT, vco2ift_init)
defop("vco2ft", "k", "kov", VCO2FT, vco2ft_init, vco2ft_perf, arrays=("lut",))


# ---------------------------------------------------------------------- vco2

VCO2 = State(inited=i64, init_k=i64, tnum=i64, mode=i64, pm_enabled=i64, phs=i64, phs2=i64,
             f_scl=f64, p_min=f64, p_scl=f64, kphs_old=f64, kphs2_old=f64)
_PHSMAX = 2147483648.0
_PHSMSK = 0x7FFFFFFF
_VCO2_TNUMS = (0, 0, 1, 2, 1, 3, 4, 5)
_VCO2_MODES = (0, 1, 2, 0, 0, 0, 0, 0)


@helper
def _phs2int(x):
    """oscbnk.h OSCBNK_PHS2INT: phase fraction -> 31-bit integer phase."""
    return _lrint32(x * _PHSMAX) & _PHSMSK


@helper
def _frac_trunc(x):
    return x - _trunc32(x)


# Init functions run in Python: they call the helpers' Python forms (the same
# integer arithmetic) rather than loading each compiled helper from numba's
# cache, which costs more than all the notes' calls together.
_lrint32_py, _trunc32_py = _lrint32.py_func, _trunc32.py_func


def _phs2int_py(x):
    return _lrint32_py(x * _PHSMAX) & _PHSMSK


def _frac_trunc_py(x):
    return x - _trunc32_py(x)


def vco2_init(s, ic, ar, kamp, kcps, imode, kpw, kphs, inyx):
    arrays = ic.engine.globals.setdefault("oscillators.vco2", {})
    mode = int(_lrint32_py(imode)) & 0x1F
    if mode & 1:  # skip initialisation: keep the running state and table array
        return _vco2_aux(arrays.get(int(s.tnum)) if s.inited else None)
    tnum = _VCO2_TNUMS[(mode & 14) >> 1]
    if tnum not in arrays:
        if tnum < 5:
            _vco2_create(ic, tnum, -1)
        else:
            raise InitError("vco2: table array not found for user defined waveform")
    s.inited, s.init_k, s.tnum = 1, 1, tnum
    s.mode = _VCO2_MODES[(mode & 14) >> 1]
    s.pm_enabled = 1 if mode & 16 else 0
    s.phs = 0 if mode & 16 else _phs2int_py(_frac_trunc_py(kphs))
    s.f_scl = ic.consts.onedsr
    # compat: Csound tells an omitted inyx (0.5) from a written one by counting arguments
    x = 0.5 if inyx == 0.0 else inyx
    x = min(max(x, 0.001), 0.5)
    s.p_min = x / VCO2_MAX_NPART
    s.p_scl = x
    return _vco2_aux(arrays[tnum])


@kernel
def vco2_init_native(s, ctx, tabs, vco2s, data_addr, data_shape, info_addr, info_shape,
                     lut_addr, lut_shape, ar, kamp, kcps, imode, kpw, kphs, inyx):
    """`vco2_init` for compiled note starts, once its waveform's table array
    exists (Python makes it); 1 for the skip-init mode."""
    mode = _lrint32(imode) & 0x1F
    if mode & 1 or inyx != inyx:
        return 1
    tnum = _VCO2_TNUMS[(mode & 14) >> 1]
    if vco2s[tnum, V2_PRESENT] == 0:
        return 1
    s.inited = 1
    s.init_k = 1
    s.tnum = tnum
    s.mode = _VCO2_MODES[(mode & 14) >> 1]
    s.pm_enabled = 1 if mode & 16 else 0
    s.phs = 0 if mode & 16 else _phs2int(_frac_trunc(kphs))
    s.f_scl = ctx.onedsr
    x = 0.5 if inyx == 0.0 else inyx
    x = min(max(x, 0.001), 0.5)
    s.p_min = x / VCO2_MAX_NPART
    s.p_scl = x
    data_addr[0] = vco2s[tnum, V2_DATA]
    data_shape[0] = vco2s[tnum, V2_DATA_LEN]
    info_addr[0] = vco2s[tnum, V2_INFO]
    info_shape[0] = vco2s[tnum, V2_INFO_ROWS]
    info_shape[1] = 3
    lut_addr[0] = vco2s[tnum, V2_LUT]
    lut_shape[0] = vco2s[tnum, V2_LUT_LEN]
    return 0


def _vco2_aux(array):
    if array is None:
        return (np.zeros(1), np.zeros((1, 3), dtype=np.int64), np.zeros(1, dtype=np.int64))
    return (array.data, array.info, array.lut)


@kernel
def vco2_perf(s, ctx, data, info, lut, ar, kamp, kcps, imode, kpw, kphs, inyx, n0, n1):
    """vco2: band-limited saw/square/PWM/triangle from per-range tables (Opcodes/oscbnk.c)."""
    if s.inited == 0:
        raise PerfError("vco2: not initialised")
    if s.init_k:
        s.init_k = 0
        if s.pm_enabled:
            s.kphs_old = at(kphs, 0)
            s.phs = _phs2int(_frac_trunc(s.kphs_old))
        if s.mode:
            s.kphs2_old = -at(kpw, 0)
            s.phs2 = (s.phs + _phs2int(_frac_trunc(s.kphs2_old))) & _PHSMSK
    nsmps = n1 - n0
    f = at(kcps, 0) * s.f_scl
    frq = _phs2int(f)
    if s.pm_enabled:
        f1 = (at(kphs, 0) - s.kphs_old) / nsmps
        s.kphs_old = at(kphs, 0)
        frq = (frq + _phs2int(f1)) & _PHSMSK
        f += f1
    npart = abs(f)
    if npart < s.p_min:
        npart = s.p_min
    t = lut[min(_trunc32(s.p_scl / npart), VCO2_MAX_NPART)]
    base, lobits, mask = info[t, 0], info[t, 1], info[t, 2]
    pfrac = 1.0 / (mask + 1)
    kamp_ = at(kamp, 0)
    phs = s.phs
    mode = s.mode  # a local: stores into ar[] would make numba reload the field
    if mode == 0:
        for n in range(n0, n1):
            i = base + (phs >> lobits)
            v = data[i]
            v += (data[i + 1] - v) * (phs & mask) * pfrac
            phs = (phs + frq) & _PHSMSK
            ar[n] = v * kamp_
    else:
        v = -at(kpw, 0)
        f1 = (v - s.kphs2_old) / nsmps
        f = _frac_trunc(s.kphs2_old)
        if f < 0.0:
            f += 1.0
        s.kphs2_old = v
        phs2 = s.phs2
        frq2 = (frq + _phs2int(f1)) & _PHSMSK
        if mode == 1:
            f = 1.0 - 2.0 * f
            f1 *= -2.0
        for n in range(n0, n1):
            i = base + (phs >> lobits)
            a = data[i] + (data[i + 1] - data[i]) * (phs & mask) * pfrac
            i = base + (phs2 >> lobits)
            v = data[i]
            v += (data[i + 1] - v) * (phs2 & mask) * pfrac
            if mode == 1:
                ar[n] = (a - v + f) * kamp_
            else:
                ar[n] = (a - v) * (0.25 / (f - f * f)) * kamp_
            phs = (phs + frq) & _PHSMSK
            phs2 = (phs2 + frq2) & _PHSMSK
            f += f1
        s.phs2 = phs2
    s.phs = phs


defop("vco2", "a", "kkoOOo", VCO2, vco2_init, vco2_perf, arrays=("data", "info", "lut"),
      flags=("note_local",),
      native_init=NativeInit(vco2_init_native, aux=("ref", "ref", "ref"), dirs=("vco2",)))
