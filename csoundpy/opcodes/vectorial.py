"""Vectorial opcodes: function tables used as vectors of control values.

Follows Csound 6.18's Opcodes/gab/vectorial.c (vadd vmult vpow vexp and their
_i forms, vaddv vsubv vmultv vdivv vpowv vexpv vcopy and _i forms, vmap,
vlimit vwrap vmirror, vport, vrandh vrandi, vecdelay, vdelayk, vlinseg vexpseg,
vcella), Opcodes/gab/gab.c (tab tab_i tabw tabw_i), Opcodes/ugmoss.c (ftmorf)
and Opcodes/wave-terrain.c (wterrain).  The many small differences between the
k-rate and i-rate variants of the two-table operations (which round or truncate
their offsets, which zero the skipped head, which handle an overlapping copy
backwards) are Csound's and are kept; each is tagged `# compat:`.
Deviations: vlinseg/vexpseg and ftmorf read their source tables' contents at
init (Csound reads them live at every block); length-exceeded warnings of the
k-rate forms (`kverbose`) are not printed.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import at, helper, kernel
from ..engine.context import MAXLEN
from ..errors import InitError
from ._registry import State, defop, f64, i64

PHMASK = MAXLEN - 1
DV32768 = 1.0 / 32768.0
DV2_31 = 4.656612873077392578125e-10


def _table(ic, ifn):
    return ic.table(float(np.rint(ifn)))


def _lrnd(x: float) -> int:
    """MYFLT2LRND: lrint, round half to even."""
    return int(np.rint(x))


# ---------------------------------------------------------------------------
# vadd vmult vpow vexp: one table and a scalar

ADD, MUL, POW, EXP, EXPACC = 0, 1, 2, 3, 4
VECTOROP = State(len=i64)


@helper
def _scalar_op(vec, length, op, value, elements, dst):
    """vectorOp core: apply `op value` to `elements` items from offset `dst`."""
    base = 0
    if dst < 0:
        elements += dst
    else:
        length -= dst
        base = dst
    if elements > length:
        elements = length
    for i in range(base, base + max(elements, 0)):
        v = vec[i]
        if op == ADD:
            vec[i] = v + value
        elif op == MUL:
            vec[i] = v * value
        elif op == POW:
            vec[i] = v ** value
        elif op == EXP:
            vec[i] = value ** v
        else:
            vec[i] = v + value ** v
    return elements


def _vectorop(op: int, round_elements: bool, round_offset: bool):
    def init(s, ic, ifn, kval, kelements, kdstoffset, kverbose):
        table = _table(ic, ifn)
        s.len = table.size
        return (table.data,)

    @kernel
    def perf(s, ctx, vec, ifn, kval, kelements, kdstoffset, kverbose, n0, n1):
        """vadd/vmult/vpow/vexp: scalar operation on a table segment (vectorial.c)."""
        elements = at(kelements, 0)
        offset = at(kdstoffset, 0)
        _scalar_op(vec, s.len, op, at(kval, 0),
                   np.int64(np.rint(elements)) if round_elements else np.int64(elements),
                   np.int64(np.rint(offset)) if round_offset else np.int64(offset))

    return init, perf


def _vectorop_i(name: str, op: int, rounded: bool, message: str):
    def init(s, ic, ifn, ival, ielements, idstoffset):
        table = _table(ic, ifn)
        conv = _lrnd if rounded else int
        elements, offset = conv(ielements), conv(idstoffset)
        length = table.size - max(offset, 0)
        if elements + min(offset, 0) > length:
            ic.warning(f"{message}: ifn length exceeded")
        _scalar_op(table.data, table.size, op, float(ival), elements, offset)

    return init


# compat: vadd rounds its offset but truncates the count, vmult/vpow/vexp
# truncate both, vadd_i/vmult_i round both, vpow_i/vexp_i truncate both, and
# vexp (k) adds the power to the element where vexp_i replaces it.
for _name, _op, _re, _ro, _opi, _ri, _msg in (
        ("vadd", ADD, False, True, ADD, True, "vadd_i"),
        ("vmult", MUL, False, False, MUL, True, "vmult_i"),
        ("vpow", POW, False, False, POW, False, "vpow_i"),
        ("vexp", EXPACC, False, False, EXP, False, "vexp_i")):
    _init, _perf = _vectorop(_op, _re, _ro)
    defop(_name, "", "ikkOO", VECTOROP, _init, _perf, arrays=("vec",), flags=("table_write",))
    defop(f"{_name}_i", "", "iiio", None, _vectorop_i(_name, _opi, _ri, _msg),
          flags=("table_write",))


# ---------------------------------------------------------------------------
# vaddv vsubv vmultv vdivv vpowv vexpv vcopy vmap: table op table

COPY, VADD, VSUB, VMUL, VDIV, VPOW, VEXPV, VMAP = range(8)
NO_REVERSE = -1
VECTORSOP = State(len1=i64, len2=i64, same=i64)


@helper
def _apply2(op, v1, i1, v2, i2):
    a = v1[i1]
    b = v2[i2]
    if op == COPY:
        v1[i1] = b
    elif op == VADD:
        v1[i1] = a + b
    elif op == VSUB:
        v1[i1] = a - b
    elif op == VMUL:
        v1[i1] = a * b
    elif op == VDIV:
        v1[i1] = a / b
    elif op == VPOW:
        v1[i1] = a ** b
    else:
        v1[i1] = b ** a


@helper
def _table_op(op, rev_op, zero_head, v1, len1, v2, len2, same, elements, dst, src):
    """vectorsOp core (vectorial.c vcopy, vaddvk, ... and their _i forms).

    Returns 1 if the destination length was exceeded, 2 if the source's, 3 both.
    """
    warn = 0
    b1 = 0
    b2 = 0
    if dst < 0:
        elements += dst
        src -= dst
    else:
        len1 -= dst
        b1 = dst
    if elements > len1:
        elements = len1
        warn |= 1
    if src < 0:
        if zero_head:
            skip = min(-src, elements)
            for i in range(max(skip, 0)):
                v1[b1 + i] = 0.0
            skip = max(skip, 0)
        else:
            skip = -src
        elements -= skip
        b1 += skip
    else:
        len2 -= src
        b2 = src
    if elements > len2:
        n = len2
        warn |= 2
    else:
        n = elements
    i = 0
    if rev_op != NO_REVERSE and same and b1 > b2:
        # the destination overlaps the source further on: walk backwards
        for j in range(n - 1, -1, -1):
            _apply2(rev_op, v1, b1 + j, v2, b2 + j)
        i = max(n, 0)
    if op == VMAP:
        for k in range(i, n):
            # vmap indexes the (offset) source by the destination's value; Csound
            # reads outside the table unchecked, csoundpy gives 0 there
            j = b2 + np.int64(v1[b1 + k])
            v1[b1 + k] = v2[j] if 0 <= j < v2.shape[0] else 0.0
    else:
        for k in range(i, n):
            _apply2(op, v1, b1 + k, v2, b2 + k)
    if op == COPY or op == VMAP:
        for k in range(max(i, n, 0), elements):
            v1[b1 + k] = 0.0
    return warn


def _tables2(ic, ifn1, ifn2, prefix: str):
    t1 = ic.engine.tables.get(int(np.rint(ifn1))) if ifn1 >= 0.5 else None
    t2 = ic.engine.tables.get(int(np.rint(ifn2))) if ifn2 >= 0.5 else None
    if t1 is None:
        raise InitError(f"{prefix}: ifn1 invalid table number {int(ifn1)}")
    if t2 is None:
        raise InitError(f"{prefix}: ifn2 invalid table number {int(ifn2)}")
    return t1, t2


def _vectorsop(op: int):
    def init(s, ic, ifn1, ifn2, kelements, kdstoffset, ksrcoffset, kverbose):
        t1, t2 = _tables2(ic, ifn1, ifn2, "vectorsop")
        s.len1, s.len2 = t1.size + 1, t2.size + 1  # guard points included
        s.same = t1 is t2
        return t1.data, t2.data

    @kernel
    def perf(s, ctx, v1, v2, ifn1, ifn2, kelements, kdstoffset, ksrcoffset, kverbose, n0, n1):
        """vcopy/vaddv/vsubv/vmultv/vdivv/vpowv/vexpv: table op table (vectorial.c)."""
        # compat: the k forms skip a negative source offset's head without zeroing it
        _table_op(op, op, False, v1, s.len1, v2, s.len2, s.same,
                  np.int64(at(kelements, 0)), np.int64(at(kdstoffset, 0)),
                  np.int64(at(ksrcoffset, 0)), )

    return init, perf


def _vectorsop_i(name: str, op: int, rev_op: int, len2_from_1: bool = False):
    def init(s, ic, ifn1, ifn2, ielements, idstoffset, isrcoffset):
        if op == VMAP and ifn1 == ifn2:
            raise InitError("vmap: Error: ifn1 and ifn2 can not be the same")
        t1, t2 = _tables2(ic, ifn1, ifn2, name)
        # compat: vmultv_i measures the source with the destination's length
        len2 = (t1 if len2_from_1 else t2).size + 1
        warn = _table_op(op, rev_op, True, t1.data, t1.size + 1, t2.data, len2, t1 is t2,
                         int(ielements), int(idstoffset), int(isrcoffset))
        if warn & 1:
            ic.warning(f"{name}: ifn1 length exceeded")
        if warn & 2:
            ic.warning(f"{name}: ifn2 length exceeded")

    return init


for _name, _op, _rev in (("vcopy", COPY, COPY), ("vaddv", VADD, NO_REVERSE),
                         ("vsubv", VSUB, VSUB), ("vmultv", VMUL, VMUL),
                         ("vdivv", VDIV, COPY), ("vpowv", VPOW, VPOW),
                         ("vexpv", VEXPV, VEXPV)):
    _init, _perf = _vectorsop(_op)
    defop(_name, "", "iikOOO", VECTORSOP, _init, _perf, arrays=("v1", "v2"),
          flags=("table_write",))
    # compat: vaddv_i never walks backwards; vdivv_i copies when it does
    defop(f"{_name}_i", "", "iiioo", None, _vectorsop_i(f"{_name}_i", _op, _rev,
                                                       _name == "vmultv"),
          flags=("table_write",))
defop("vmap", "", "iiioo", None, _vectorsop_i("vmap", VMAP, NO_REVERSE), flags=("table_write",))


# ---------------------------------------------------------------------------
# vlimit vwrap vmirror

VLIMIT = State(elements=i64)
LIMIT, WRAP, MIRROR = 0, 1, 2


def _vlimit_init(s, ic, ifn, kmin, kmax, ielements):
    table = _table(ic, ifn)
    s.elements = int(ielements)
    if s.elements > table.size:
        raise InitError("vectorop: invalid num of elements")
    return (table.data,)


def _vlimit(mode: int):
    @kernel
    def perf(s, ctx, vec, ifn, kmin, kmax, ielements, n0, n1):
        """vlimit/vwrap/vmirror: keep a table segment inside [kmin, kmax] (vectorial.c)."""
        lo = at(kmin, 0)
        hi = at(kmax, 0)
        count = max(s.elements, 1)
        if mode != LIMIT and lo >= hi:
            for i in range(count):
                vec[i] = (lo + hi) * 0.5
            return
        for i in range(count):
            v = vec[i]
            if mode == LIMIT:
                vec[i] = (v if v < hi else hi) if v > lo else lo
            elif mode == WRAP:
                if v >= hi:
                    vec[i] = lo + np.fmod(v - lo, abs(lo - hi))
                else:
                    vec[i] = hi - np.fmod(hi - v, abs(lo - hi))
            else:
                while not (v <= hi and v >= lo):
                    v = hi + hi - v if v > hi else lo + lo - v
                vec[i] = v

    return perf


for _name, _mode in (("vlimit", LIMIT), ("vwrap", WRAP), ("vmirror", MIRROR)):
    defop(_name, "", "ikki", VLIMIT, _vlimit_init, _vlimit(_mode), arrays=("vec",),
          flags=("table_write",))


# ---------------------------------------------------------------------------
# vport: portamento of each element

VPORT = State(elements=i64, prvhtim=f64, c1=f64, c2=f64)


def vport_init(s, ic, ifn, khtim, ielements, ifninit):
    table = ic.engine.tables.get(int(np.rint(ifn))) if ifn >= 0.5 else None
    if table is None:
        raise InitError("vport: invalid table")
    elements = int(ielements)
    if elements > table.size:
        raise InitError("vport: invalid table length or num of elements")
    yt1 = np.zeros(max(elements, 1))
    if ifninit:
        init = ic.engine.tables.get(int(np.rint(ifninit))) if ifninit >= 0.5 else None
        if init is None:
            raise InitError("vport: invalid init table")
        if elements > init.size:
            raise InitError("vport: invalid init table length or num of elements")
        yt1[:elements] = init.data[:elements]
    s.elements = elements
    s.prvhtim = -100.0
    return table.data, yt1


@kernel
def vport_perf(s, ctx, vec, yt1, ifn, khtim, ielements, ifninit, n0, n1):
    """vport: one-pole portamento of every element towards its table value (vectorial.c)."""
    htim = at(khtim, 0)
    if s.prvhtim != htim:
        s.c2 = 0.5 ** (ctx.onedkr / htim)
        s.c1 = 1.0 - s.c2
        s.prvhtim = htim
    c1 = s.c1
    c2 = s.c2
    for i in range(max(s.elements, 1)):
        y = c1 * vec[i] + c2 * yt1[i]
        yt1[i] = y
        vec[i] = y


defop("vport", "", "ikio", VPORT, vport_init, vport_perf, arrays=("vec", "yt1"),
      flags=("table_write",))


# ---------------------------------------------------------------------------
# vrandh vrandi: a random value per element, held or interpolated

VRAND = State(elements=i64, offset=i64, phs=i64, rand=i64)


@helper
def _int32(x):
    x &= 0xFFFFFFFF
    return x - 0x100000000 if x >= 0x80000000 else x


@helper
def _randint31(seed):
    """Park-Miller 31-bit generator step (vectorial.c randint31)."""
    lo = 16807 * (seed & 0xFFFF)
    hi = 16807 * ((seed & 0xFFFFFFFF) >> 16)
    lo = (lo + ((hi & 0x7FFF) << 16)) & 0xFFFFFFFF
    if lo > 0x7FFFFFFF:
        lo = (lo & 0x7FFFFFFF) + 1
    lo = (lo + (hi >> 15)) & 0xFFFFFFFF
    if lo > 0x7FFFFFFF:
        lo = (lo & 0x7FFFFFFF) + 1
    return _int32(lo)


@helper
def _rand_value(r, wide):
    """The next random number in [-1, 1) for seed `r`, and the following seed."""
    if wide:
        value = _int32(((r & 0xFFFFFFFF) << 1) - 0x7FFFFFFF) * DV2_31
        return value, _randint31(r)
    short = r & 0xFFFF
    if short >= 0x8000:
        short -= 0x10000
    return short * DV32768, _int32(r * 15625 + 1)


def _short_seed(iseed: float) -> int:
    # (short) conversion of iseed * 32768: through a 32-bit int, then the low 16 bits
    return int(math.trunc(iseed * 32768.0)) & 0xFFFF


def _vrand_setup(s, ic, name, ifn, ielements, idstoffset, iseed, isize):
    if iseed > 1.0:
        raise InitError(f"{name}: seeding from the current time is not reproducible")
    if isize == 0:
        s.rand = _short_seed(iseed)
    else:
        s.rand = _int32(int(math.trunc(iseed * 2147483648.0)))
    table = ic.engine.tables.get(int(np.rint(ifn))) if ifn >= 0.5 else None
    if table is None:
        raise InitError(f"{name}: Invalid table.")
    s.elements, s.offset = int(ielements), int(idstoffset)
    if idstoffset >= table.size:
        raise InitError(f"{name}: idstoffset is greater than table length.")
    if s.elements + s.offset > table.size:
        ic.warning(f"{name}: Table length exceeded, last elements discarded.")
        s.elements = table.size - s.offset
    s.phs = 0
    return table


def vrandh_init(s, ic, ifn, krange, kcps, ielements, idstoffset, iseed, isize, ioffset):
    table = _vrand_setup(s, ic, "vrandh", ifn, ielements, idstoffset, iseed, isize)
    num1 = np.zeros(max(s.elements, 1))
    r = s.rand
    for i in range(num1.shape[0]):
        if isize == 0:
            num1[i] = _rand_value(r, False)[0]
            r &= 0xFFFF  # compat: the 16-bit generator is not advanced at init
        else:
            num1[i], r = _rand_value(r, True)
    s.rand = r
    return table.data, num1


@kernel
def vrandh_perf(s, ctx, vec, num1, ifn, krange, kcps, ielements, idstoffset, iseed, isize,
                ioffset, n0, n1):
    """vrandh: random numbers held for a period of 1/kcps, one per element (vectorial.c)."""
    rng = at(krange, 0)
    off = at(ioffset, 0)
    base = s.offset
    count = max(s.elements, 1)
    for i in range(count):
        vec[base + i] = num1[i] * rng + off
    s.phs += np.int64(at(kcps, 0) * (MAXLEN / ctx.kr))
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        r = s.rand
        wide = at(isize, 0) != 0.0
        for i in range(count):
            num1[i], r = _rand_value(r, wide)
        s.rand = r


def vrandi_init(s, ic, ifn, krange, kcps, ielements, idstoffset, iseed, isize, ioffset):
    table = _vrand_setup(s, ic, "vrandi", ifn, ielements, idstoffset, iseed, isize)
    count = max(s.elements, 1)
    num = np.zeros(3 * count)  # num1 | num2 | dfdmax
    r = s.rand
    for i in range(count):
        if isize == 0:
            num[count + i] = _rand_value(r, False)[0]
            r &= 0xFFFF  # compat: as vrandh
        else:
            num[count + i], r = _rand_value(r, True)
        num[2 * count + i] = num[count + i] / float(MAXLEN)
    s.rand = r
    return table.data, num


@kernel
def vrandi_perf(s, ctx, vec, num, ifn, krange, kcps, ielements, idstoffset, iseed, isize,
                ioffset, n0, n1):
    """vrandi: random numbers interpolated over 1/kcps, one per element (vectorial.c)."""
    rng = at(krange, 0)
    off = at(ioffset, 0)
    base = s.offset
    count = max(s.elements, 1)
    phs = float(s.phs)
    for i in range(count):
        vec[base + i] = (num[i] + phs * num[2 * count + i]) * rng + off
    s.phs += np.int64(at(kcps, 0) * (MAXLEN / ctx.kr))
    if s.phs >= MAXLEN:
        s.phs &= PHMASK
        r = s.rand
        wide = at(isize, 0) != 0.0
        for i in range(count):
            num[i] = num[count + i]
            num[count + i], r = _rand_value(r, wide)
            num[2 * count + i] = (num[count + i] - num[i]) / float(MAXLEN)
        s.rand = r


defop("vrandh", "", "ikkiovoo", VRAND, vrandh_init, vrandh_perf, arrays=("vec", "num1"),
      flags=("table_write",))
defop("vrandi", "", "ikkiovoo", VRAND, vrandi_init, vrandi_perf, arrays=("vec", "num"),
      flags=("table_write",))


# ---------------------------------------------------------------------------
# vecdelay, vdelayk: k-rate delay lines

VECDEL = State(elements=i64, maxd=i64)


def _maxd(ic, imaxd) -> int:
    n = int(imaxd * ic.kr)
    return n if n != 0 else 1


def vecdelay_init(s, ic, ifnout, ifnin, ifndel, ielements, imaxd, istod):
    elements = int(ielements)
    tables = []
    for fn, what in ((ifnout, "output"), (ifnin, "input"), (ifndel, "delay")):
        table = ic.engine.tables.get(int(np.rint(fn))) if fn >= 0.5 else None
        if table is None:
            raise InitError(f"vecdly: invalid {what} table")
        if elements > table.size:
            raise InitError("vecdelay: invalid num of elements")
        tables.append(table.data)
    s.elements, s.maxd = elements, _maxd(ic, imaxd)
    count = max(elements, 1)
    return (*tables, np.zeros(count * s.maxd), np.zeros(count, dtype=np.int64))


@helper
def _delay_read(buf, base, maxd, indx, delay_blocks):
    """Linear read `delay_blocks` behind write index `indx` (vectorial.c vecdly/kdelay)."""
    fv1 = indx - delay_blocks
    while fv1 < 0.0:
        fv1 += maxd
    while fv1 >= maxd:
        fv1 -= maxd
    fv2 = fv1 + 1.0 if fv1 < maxd - 1 else 0.0
    v1 = np.int64(fv1)
    v2 = np.int64(fv2)
    return buf[base + v1] + (fv1 - v1) * (buf[base + v2] - buf[base + v1])


@kernel
def vecdelay_perf(s, ctx, outv, inv, dlyv, buf, left, ifnout, ifnin, ifndel, ielements,
                  imaxd, istod, n0, n1):
    """vecdelay: a variable k-rate delay line per element (vectorial.c vecdly)."""
    maxd = s.maxd
    for e in range(max(s.elements, 1)):
        base = e * maxd
        indx = left[e]
        buf[base + indx] = inv[e]
        outv[e] = _delay_read(buf, base, maxd, indx, dlyv[e] * ctx.kr)
        indx += 1
        left[e] = 0 if indx == maxd else indx


defop("vecdelay", "", "iiiiio", VECDEL, vecdelay_init, vecdelay_perf,
      arrays=("outv", "inv", "dlyv", "buf", "left"), flags=("table_write",))

KDEL = State(maxd=i64, left=i64)


def vdelayk_init(s, ic, kr, kin, kdel, imaxd, istod, imode):
    s.maxd = _maxd(ic, imaxd)
    s.left = 0
    return (np.zeros(s.maxd),)


@kernel
def vdelayk_perf(s, ctx, buf, kr, kin, kdel, imaxd, istod, imode, n0, n1):
    """vdelayk: variable delay of a k-rate signal (vectorial.c kdelay)."""
    maxd = s.maxd
    indx = s.left
    buf[indx] = at(kin, 0)
    if at(imode, 0) != 0.0:
        fv1 = indx - at(kdel, 0) * ctx.kr
        while fv1 < 0.0:
            fv1 += maxd
        while fv1 >= maxd:
            fv1 -= maxd
        kr[0] = buf[np.int64(fv1)]
    else:
        kr[0] = _delay_read(buf, 0, maxd, indx, at(kdel, 0) * ctx.kr)
    indx += 1
    s.left = 0 if indx == maxd else indx


defop("vdelayk", "k", "kkioo", KDEL, vdelayk_init, vdelayk_perf, arrays=("buf",))


# ---------------------------------------------------------------------------
# vlinseg vexpseg: interpolate whole tables along segments

VSEG = State(elements=i64, seg=i64)
MAXPOS = 0x7FFFFFFF


def vseg_init(s, ic, ioutfunc, ielements, args):
    if len(args) % 2 == 0:
        raise InitError("incomplete number of input arguments")
    out = _table(ic, ioutfunc)
    s.elements = int(ielements)
    if s.elements > out.size:
        raise InitError("vlinseg/vexpseg: invalid num. of elements")
    count = max(s.elements, 1)
    out.data[:count] = 0.0
    if args[1] <= 0.0:
        raise InitError("vlinseg/vexpseg: first segment duration must be positive")
    tables = [_table(ic, fn).data for fn in args[0::2]]
    nsegs = len(args) // 2
    # rows: per segment its start table and end table values; d and cnt columns
    values = np.zeros((nsegs + 1, 2, count))
    timing = np.zeros((nsegs + 1, 2))
    seg = 0
    while seg < nsegs and args[2 * seg + 1] > 0.0:
        d = args[2 * seg + 1] * ic.kr
        values[seg, 0] = tables[seg][:count]
        values[seg, 1] = tables[seg + 1][:count]
        timing[seg] = (d, _lrnd(d))
        seg += 1
    last = tables[seg] if seg < len(tables) else tables[-1]
    values[seg:, 0] = last[:count]
    values[seg:, 1] = last[:count]
    timing[seg:] = (0.0, MAXPOS)
    s.seg = 0
    return out.data, values, timing


def _vseg(exponential: bool):
    @kernel
    def perf(s, ctx, vec, values, timing, ioutfunc, ielements, args, n0, n1):
        """vlinseg/vexpseg: tables interpolated segment by segment (vectorial.c)."""
        seg = s.seg
        d = timing[seg, 0]
        upcnt = np.int64(d) - np.int64(timing[seg, 1])
        frac = 0.0
        if upcnt > 0:
            frac = upcnt / d if exponential else d / upcnt
        cur = values[seg, 0]
        nxt = values[seg, 1]
        while True:
            timing[seg, 1] -= 1
            if timing[seg, 1] >= 0:
                break
            seg += 1
        s.seg = seg
        for i in range(max(s.elements, 1)):
            if exponential:
                vec[i] = cur[i] + (nxt[i] - cur[i]) * (frac * frac)
            elif frac > 0.0:
                vec[i] = cur[i] + (nxt[i] - cur[i]) / frac
            else:
                vec[i] = cur[i]

    return perf


defop("vlinseg", "", "iim", VSEG, vseg_init, _vseg(False), arrays=("vec", "values", "timing"),
      flags=("table_write",))
defop("vexpseg", "", "iim", VSEG, vseg_init, _vseg(True), arrays=("vec", "values", "timing"),
      flags=("table_write",))


# ---------------------------------------------------------------------------
# vcella: one-dimensional cellular automaton

CELLA = State(elements=i64, newold=i64, rulelen=i64)


def vcella_init(s, ic, ktrig, kreinit, ioutfunc, initstatefunc, irulefunc, ielements,
                irulelen, iradius):
    elements = int(ielements)
    found = []
    for fn, what in ((ioutfunc, "output"), (initstatefunc, "initial state"),
                     (irulefunc, "rule")):
        table = ic.engine.tables.get(int(np.rint(fn))) if fn >= 0.5 else None
        if table is None:
            raise InitError(f"cella: invalid {what} table")
        if what != "rule" and elements > table.size:
            raise InitError("cella: invalid num of elements")
        found.append(table.data)
    count = max(elements, 1)
    lines = np.zeros(2 * count)
    lines[:count] = found[1][:count]
    s.elements, s.newold, s.rulelen = elements, 0, int(irulelen)
    return (*found, lines)


@kernel
def vcella_perf(s, ctx, outv, initv, rule, lines, ktrig, kreinit, ioutfunc, initstatefunc,
                irulefunc, ielements, irulelen, iradius, n0, n1):
    """vcella: cellular automaton over a table, one generation per trigger (vectorial.c)."""
    n = s.elements
    if at(kreinit, 0) != 0.0:
        s.newold = 0
        for j in range(n):
            lines[j] = initv[j]
    if at(ktrig, 0) != 0.0:
        prev = n * s.newold
        s.newold = (s.newold + 1) % 2
        cur = n * s.newold
        for j in range(n):
            jm1 = n - 1 if j < 1 else j - 1
            outv[j] = lines[prev + j]
            total = lines[prev + jm1] + lines[prev + j] + lines[prev + (j + 1) % n]
            if at(iradius, 0) != 1.0:
                # compat: the second left neighbour of cell 1 is cell n-2, not n-1
                jm2 = n - 2 if j < 2 else j - 2
                total = (lines[prev + jm2] + lines[prev + jm1] + lines[prev + j]
                         + lines[prev + (j + 1) % n] + lines[prev + (j + 2) % n])
            lines[cur + j] = rule[np.int64(total) % s.rulelen]
    else:
        # compat: shows the generation *before* the current one
        base = n * (1 - min(s.newold, 1))
        for j in range(n):
            outv[j] = lines[base + j]


defop("vcella", "", "kkiiiiip", CELLA, vcella_init, vcella_perf,
      arrays=("outv", "initv", "rule", "lines"), flags=("table_write",))


# ---------------------------------------------------------------------------
# tab tab_i tabw tabw_i: unchecked, non-interpolating table access (gab.c)

FASTAB = State(xbmul=f64, tablen=i64, mode=i64)


def fastab_init(s, ic, *args):
    ifn, ixmode = args[-2], args[-1]
    table = ic.engine.tables.get(int(np.rint(ifn))) if ifn >= 0.5 else None
    if table is None:
        raise InitError("fastab: incorrect table number")
    s.tablen = table.size
    s.mode = int(ixmode)
    s.xbmul = float(table.size) if s.mode else 1.0
    return (table.data,)


@helper
def _fast_index(s, x):
    return np.int64(np.rint(x * s.xbmul)) if s.mode else np.int64(np.rint(x))


@kernel
def tab_perf(s, ctx, ft, out, xndx, ifn, ixmode, n0, n1):
    """tab: read a table at a rounded index, no wrap (gab.c fastab/fastabk)."""
    for n in range(n0, n1):
        i = _fast_index(s, at(xndx, n))
        if i > s.tablen or i < 0:
            raise IndexError("tab off end")
        out[n] = ft[i]


@kernel
def tabw_perf(s, ctx, ft, xsig, xndx, ifn, ixmode, n0, n1):
    """tabw: write a table at a rounded index, no wrap (gab.c fastabw/fastabkw)."""
    for n in range(n0, n1):
        i = _fast_index(s, at(xndx, n))
        if i > s.tablen or i < 0:
            raise IndexError("tabw off end")
        ft[i] = at(xsig, n)


def _fast_index_i(ic, name, ifn, xndx, ixmode):
    table = ic.engine.tables.get(int(np.rint(ifn))) if ifn >= 0.5 else None
    if table is None:
        raise InitError(f"{name}: incorrect table number")
    i = _lrnd(xndx * table.size) if ixmode else _lrnd(xndx)
    return table, i


def tab_i_init(s, ic, out, xndx, ifn, ixmode):
    table, i = _fast_index_i(ic, "tab_i", ifn, xndx, ixmode)
    if i >= table.size or i < 0:
        raise InitError(f"tab_i off end: table number: {int(ifn)}\n")
    out[0] = table.data[i]


def tabw_i_init(s, ic, isig, xndx, ifn, ixmode):
    table, i = _fast_index_i(ic, "tabw_i", ifn, xndx, ixmode)
    if i >= table.size or i < 0:
        raise InitError("tabw_i off end")
    table.data[i] = isig


defop("tab_i", "i", "iio", None, tab_i_init, flags=("table_read",))
defop("tab", "a", "xio", FASTAB, fastab_init, tab_perf, arrays=("ft",), flags=("table_read",))
defop("tab", "k", "kio", FASTAB, fastab_init, tab_perf, arrays=("ft",), flags=("table_read",))
defop("tabw_i", "", "iiio", None, tabw_i_init, flags=("table_write",))
defop("tabw", "", "kkio", FASTAB, fastab_init, tabw_perf, arrays=("ft",), flags=("table_write",))
defop("tabw", "", "aaio", FASTAB, fastab_init, tabw_perf, arrays=("ft",), flags=("table_write",))


# ---------------------------------------------------------------------------
# ftmorf: morph between the tables a table lists (ugmoss.c)

FTMORF = State(ftndx=f64, nfn=i64)


def ftmorf_init(s, ic, kftndx, iftfn, iresfn):
    res = ic.engine.tables.get(int(np.rint(iresfn))) if iresfn >= 0.5 else None
    if res is None:
        raise InitError("iresfn for ftmorf does not exist")
    ftfn = ic.engine.tables.get(int(np.rint(iftfn))) if iftfn >= 0.5 else None
    if ftfn is None:
        raise InitError("iftfn for ftmorf does not exist")
    # compat: an index in the last interval also reads the list's guard point as a
    # table number (weighted by the fraction); a missing table reads as zeros here
    sources = np.zeros((ftfn.size + 1, res.size))
    for j in range(ftfn.size + 1):
        fn = ftfn.data[j]
        table = ic.engine.tables.get(int(np.rint(fn))) if fn >= 0.5 else None
        if j == ftfn.size:
            if table is not None:  # not size-checked by Csound
                n = min(table.size, res.size)
                sources[j, :n] = table.data[:n]
            continue
        if table is None:
            raise InitError("table in iftfn for ftmorf does not exist")
        if table.size != res.size:
            raise InitError("table in iftfn for ftmorf wrong size")
        sources[j] = table.data[:res.size]
    s.ftndx = -1.0
    s.nfn = ftfn.size
    return res.data, sources


@kernel
def ftmorf_perf(s, ctx, res, sources, kftndx, iftfn, iresfn, n0, n1):
    """ftmorf: linear mix of two neighbouring tables of a list (ugmoss.c)."""
    ndx = at(kftndx, 0)
    if ndx >= s.nfn:
        ndx = float(s.nfn - 1)
    i = np.int64(ndx)
    f = ndx - i
    if s.ftndx != ndx:
        s.ftndx = ndx
        for j in range(sources.shape[1]):
            res[j] = sources[i, j] * (1.0 - f) + sources[i + 1, j] * f


defop("ftmorf", "", "kii", FTMORF, ftmorf_init, ftmorf_perf, arrays=("res", "sources"),
      flags=("table_write",))


# ---------------------------------------------------------------------------
# wterrain: wave-terrain synthesis (wave-terrain.c)

WAVETER = State(theta=f64)


def wterrain_init(s, ic, aout, kamp, kpch, kcx, kcy, krx, kry, itabx, itaby):
    tx = ic.engine.tables.get(int(np.rint(itabx))) if itabx >= 0.5 else None
    ty = ic.engine.tables.get(int(np.rint(itaby))) if itaby >= 0.5 else None
    if tx is None or ty is None:
        raise InitError("wterrain: ftable not found")
    s.theta = 0.0
    return tx.data, ty.data


@kernel
def wterrain_perf(s, ctx, xarr, yarr, aout, kamp, kpch, kcx, kcy, krx, kry, itabx, itaby,
                  n0, n1):
    """wterrain: product of two tables read along an ellipse (wave-terrain.c)."""
    amp = at(kamp, 0)
    step = at(kpch, 0) * ctx.tpidsr
    cx = at(kcx, 0)
    cy = at(kcy, 0)
    rx = at(krx, 0)
    ry = at(kry, 0)
    sizx = float(xarr.shape[0] - 1)
    sizy = float(yarr.shape[0] - 1)
    theta = s.theta
    for n in range(n0, n1):
        xc = cx + rx * math.sin(theta)
        yc = cy + ry * math.cos(theta)
        xc = xc - math.floor(xc)
        yc = yc - math.floor(yc)
        aout[n] = xarr[np.int64(xc * sizx)] * yarr[np.int64(yc * sizy)] * amp
        theta += step
    s.theta = np.fmod(theta, 2.0 * math.pi)


defop("wterrain", "a", "kkkkkkii", WAVETER, wterrain_init, wterrain_perf,
      arrays=("xarr", "yarr"), flags=("table_read",))
