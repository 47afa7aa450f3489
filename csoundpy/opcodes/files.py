"""File utilities: sound-file queries, text output and k-rate dumps.

`filelen filenchnls filesr filebit filepeak` follow Csound 6.18's
OOps/sndinfUG.c; `fprints fprintks` Opcodes/fout.c (its escape rewrite and
its own sprints1 formatter); `dumpk dumpk2 dumpk3 dumpk4` and `readk readk2
readk3 readk4` OOps/dumpf.c.  Output files are named relative to the current
directory (the engine runs in the case folder); inputs are found with
`engine.find_file`.  As in fout.c, files written by fprints/fprintks are
shared by name across the performance (one handle per name, opened -- and
truncated -- once); fprintks and the dump/read opcodes release theirs when
the note ends (deinit).  Deviation: readk past the end of its file returns 0
(Csound returns an uninitialised buffer, which reads as 0 in practice).
Not provided yet: fout foutk fouti (sound/text file writers), ftsave ftload
ftsavek ftloadk.
"""

from __future__ import annotations

import os
import struct

import numpy as np
import soundfile as sf

from ..errors import InitError
from ._registry import State, defop, f64, i64
from .printing import printks_text
from .strings import c_printf, to_int32

_SHARED = "files.shared"  # engine.globals: list of [name, file object, users]
_PRIVATE = "files.private"  # engine.globals: id -> file object of dumpk/readk


# ---------------------------------------------------------------------------
# file names and handles


def _name(x, prefix: str) -> str:
    """A file argument: a string, or a number n meaning '<prefix><n>' (strarg2name)."""
    if isinstance(x, str):
        return x
    return f"{prefix}{int(x)}"


def _shared(engine) -> list:
    return engine.globals.setdefault(_SHARED, [])


def _open_shared(ic, fname, mode: str) -> int:
    """fout_open_file: the handle index of `fname`, opening it on first use."""
    table = _shared(ic.engine)
    if not isinstance(fname, str):
        idx = to_int32(fname)
        if idx < 0 or idx >= len(table) or table[idx][1] is None:
            raise InitError("invalid file handle")
        return idx
    if not fname:
        raise InitError("invalid file name")
    for idx, entry in enumerate(table):
        if entry[1] is not None and entry[0] == fname:
            return idx
    try:
        handle = open(fname, mode + "b")
    except OSError:
        raise InitError(f"error opening file '{fname}'") from None
    for idx, entry in enumerate(table):
        if entry[1] is None:
            table[idx] = [fname, handle, 0]
            return idx
    table.append([fname, handle, 0])
    return len(table) - 1


def _release_shared(engine, idx: int) -> None:
    table = _shared(engine)
    if 0 <= idx < len(table) and table[idx][1] is not None:
        table[idx][2] -= 1
        if table[idx][2] <= 0:
            table[idx][1].close()
            table[idx] = [None, None, 0]


def _private(engine) -> dict:
    return engine.globals.setdefault(_PRIVATE, {})


def _open_private(ic, s, name: str, mode: str) -> None:
    files = _private(ic.engine)
    if s.fid and s.fid in files:
        files.pop(int(s.fid)).close()
    try:
        handle = open(name, mode)
    except OSError:
        raise InitError(f"Cannot open {name}") from None
    s.fid = max(files, default=0) + 1
    files[int(s.fid)] = handle


def _close_private(s, inst) -> None:
    handle = _private(inst.engine).pop(int(s.fid), None)
    if handle is not None:
        handle.close()
    s.fid = 0


# ---------------------------------------------------------------------------
# filelen filenchnls filesr filebit filepeak

_SUBTYPE_CODES = {"PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "PCM_U8": 5,
                  "FLOAT": 6, "DOUBLE": 7, "ULAW": 0x10, "ALAW": 0x11,
                  "IMA_ADPCM": 0x12, "MS_ADPCM": 0x13, "GSM610": 0x20, "VORBIS": 0x60,
                  "OPUS": 0x64, "MPEG_LAYER_III": 0x82}


def _sound_info(ic, name, irawfiles) -> tuple | None:
    """getsndinfo: (frames, samplerate, channels, subtype code), or None if unreadable."""
    name = _name(name, "soundin.")
    path = ic.engine.find_file(name)
    if path is None:
        raise InitError(f"diskinfo cannot open {name}")
    try:
        info = sf.info(path)
    except (RuntimeError, TypeError, sf.LibsndfileError):
        if irawfiles == 0.0:
            return None
        from .spectral import pvx_info  # sndinfUG.c tries a PVOC-EX file before raw data

        pvx = pvx_info(path)
        if pvx is not None:
            return (*pvx, 0)
        # read as headerless 16-bit mono at the orchestra's rate, as libsndfile's RAW
        return os.path.getsize(path) // 2, int(ic.sr + 0.5), 1, 2
    return info.frames, info.samplerate, info.channels, _SUBTYPE_CODES.get(info.subtype, 0)


def _filelen(s, ic, out, ifilcod, irawfiles):
    info = _sound_info(ic, ifilcod, irawfiles)
    frames = info[0] & 0xFFFFFFFF if info else 0
    frames = frames - (1 << 32) if frames >= 1 << 31 else frames  # (int32_t) cast
    out[0] = frames / info[1] if info else 0.0


def _filenchnls(s, ic, out, ifilcod, irawfiles):
    info = _sound_info(ic, ifilcod, irawfiles)
    out[0] = float(info[2]) if info else 0.0


def _filesr(s, ic, out, ifilcod, irawfiles):
    info = _sound_info(ic, ifilcod, irawfiles)
    out[0] = float(info[1]) if info else 0.0


def _filebit(s, ic, out, ifilcod, irawfiles):
    info = _sound_info(ic, ifilcod, irawfiles)
    code = info[3] if info else 0
    if code < 5:
        bits = code * 8
    else:
        bits = {5: 8, 6: -1, 7: -2}.get(code, -code)
    out[0] = float(bits)


def _peak_chunk(path: str) -> list | None:
    """Per-channel values of a WAV/AIFF 'PEAK' chunk, or None if there is none."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12:
            return None
        big = head[:4] == b"FORM"
        if head[:4] not in (b"RIFF", b"RIFX", b"FORM"):
            return None
        order = ">" if big or head[:4] == b"RIFX" else "<"
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                return None
            cid, size = chunk[:4], struct.unpack(order + "I", chunk[4:])[0]
            if cid == b"PEAK":
                body = fh.read(size)
                count = (size - 8) // 8
                return [struct.unpack(order + "f", body[8 + 8 * i:12 + 8 * i])[0]
                        for i in range(count)]
            fh.seek(size + (size & 1), 1)


def _filepeak(s, ic, out, ifilcod, ichnl):
    name = _name(ifilcod, "soundin.")
    path = ic.engine.find_file(name)
    if path is None:
        raise InitError(f"diskinfo cannot open {name}: System error : No such file or "
                        "directory.")
    info = sf.info(path)
    channel = int(ichnl + 0.5)
    peaks = _peak_chunk(path)
    if channel <= 0:
        if peaks is not None:
            peak = max(peaks)
        else:
            ic.warning(f"{name}: no PEAK chunk was found, scanning file for maximum amplitude")
            peak = float(np.max(np.abs(sf.read(path, dtype="float64")[0]))) if info.frames else 0
    else:
        if channel > info.channels:
            raise InitError("Input channel for peak exceeds number of channels in file")
        peak = -1.0
        if peaks is None:
            ic.warning(f"{name}: no PEAK chunk was found, scanning file for maximum amplitude")
            data = sf.read(path, dtype="float64", always_2d=True)[0]
            peak = float(np.max(np.abs(data[:, channel - 1]))) if info.frames else 0.0
        # compat: with a PEAK chunk the per-channel query never stores the value
    if peak < 0.0:
        raise InitError("filepeak: error getting peak value")
    floats = info.subtype in ("FLOAT", "DOUBLE")
    if not floats or info.format in ("WAV", "W64", "AIFF"):
        peak *= ic.e0dbfs
    out[0] = peak


for _t in "Si":
    defop("filelen", "i", f"{_t}p", None, _filelen)
    defop("filenchnls", "i", f"{_t}p", None, _filenchnls)
    defop("filesr", "i", f"{_t}p", None, _filesr)
    defop("filebit", "i", f"{_t}p", None, _filebit)
    defop("filepeak", "i", f"{_t}o", None, _filepeak)


# ---------------------------------------------------------------------------
# fprints fprintks


def sprints1(fmt: str, vals) -> str:
    """fout.c sprints1: each %-segment (with the text after it) takes the next value."""
    out = []
    j = 0

    def render(seg: str, conv: str) -> None:
        nonlocal j
        value = vals[j] if j < len(vals) else 0.0
        if conv == "%":
            out.append("%%")  # compat: a '%%' comes out doubled and takes no value
            j -= 1
        elif conv in "diouxXchl":
            out.append(c_printf(seg, to_int32(float(value)) if not isinstance(value, str)
                                else 0))
        elif conv == "s":
            out.append(c_printf(seg, value if isinstance(value, str) else ""))
        else:
            out.append(c_printf(seg, 0.0 if isinstance(value, str) else float(value)))

    seg, waiting, i = "", None, 0
    while i < len(fmt):
        if fmt[i] == "%":
            if waiting is not None:
                render(seg, fmt[waiting] if waiting < len(fmt) else "\0")
                seg, waiting = "", None
                if j < len(vals) - 1:
                    j += 1
            seg += "%"
            i += 1
            waiting = i
            while waiting < len(fmt) and not fmt[waiting].isalpha() and fmt[waiting] != "%":
                waiting += 1
        else:
            seg += fmt[i]
            i += 1
    if seg:
        if waiting is not None:
            render(seg, fmt[waiting] if waiting < len(fmt) else "\0")
        else:
            out.append(seg)
    return "".join(out)


def _values(vals) -> list:
    return [v.value if hasattr(v, "value") else v if isinstance(v, str)
            else float(v[()]) if isinstance(v, np.ndarray) else float(v) for v in vals]


def _write(engine, idx: int, text: str) -> None:
    handle = _shared(engine)[idx][1]
    handle.write(text.encode("utf-8", "surrogateescape"))
    handle.flush()


def fprints_init(s, ic, fname, sfmt, vals):
    idx = _open_shared(ic, fname, "w")
    _write(ic.engine, idx, sprints1(printks_text(sfmt), _values(vals)))


FPRINTKS = State(idx=i64)


def fprintks_init(s, ic, fname, sfmt, vals):
    s.idx = _open_shared(ic, fname, "w")
    _shared(ic.engine)[s.idx][2] += 1


def fprintks_perf(s, pc, fname, sfmt, vals, n0, n1):
    fmt = sfmt.value if hasattr(sfmt, "value") else sfmt
    _write(pc.engine, int(s.idx), sprints1(printks_text(fmt), _values(vals)))


def fprintks_deinit(s, inst):
    _release_shared(inst.engine, int(s.idx))


for _t in "Si":
    defop("fprints", "", f"{_t}SN", None, fprints_init)
    defop("fprintks", "", f"{_t}SN", FPRINTKS, fprintks_init, fprintks_perf,
          deinit=fprintks_deinit, python_perf=True)


# ---------------------------------------------------------------------------
# dumpk readk: k-rate values to and from a file, every iprd seconds

KDUMP = State(fid=i64, format=i64, timcount=i64, countdown=i64,
              k0=f64, k1=f64, k2=f64, k3=f64)
_BINARY = {1: "b", 4: "h", 5: "i", 6: "f"}


def _dump_setup(s, ic, ifilcod, iformat, iprd, mode: str, countdown_zero: bool) -> None:
    fmt = int(iformat)
    if fmt < 1 or fmt > 8:
        raise InitError("unknown format request")
    if fmt in (2, 3):
        raise InitError("alaw and ulaw not implemented here")
    s.format = fmt
    name = _name(ifilcod, "dumpk.")
    if mode == "rb":
        found = ic.engine.find_file(name)
        if found is None:
            raise InitError(f"Cannot open {name}")
        name = found
    _open_private(ic, s, name, mode)
    s.timcount = int(iprd * ic.kr)
    if s.timcount <= 0:
        s.timcount = 1
    s.countdown = 0 if countdown_zero else s.timcount
    s.k0 = s.k1 = s.k2 = s.k3 = 0.0


def _c_int64(x: float) -> int:
    return int(x) if np.isfinite(x) else -(1 << 63)


def dump_text(fmt: int, values) -> bytes:
    """nkdump's record for `values` in format 1 4 5 6 (binary) or 7 8 (text)."""
    if fmt in _BINARY:
        code = _BINARY[fmt]
        if code == "f":
            return struct.pack("<" + "f" * len(values), *values)
        bits = {"b": 8, "h": 16, "i": 32}[code]
        ints = []
        for v in values:
            n = _c_int64(v) & ((1 << bits) - 1)
            ints.append(n - (1 << bits) if n >= 1 << (bits - 1) else n)
        return struct.pack("<" + code * len(ints), *ints)
    if fmt == 7:
        text = "\t".join(str(_c_int64(v)) for v in values)
    else:
        text = "\t".join("%6.4f" % v for v in values)
    return (text + "\n").encode()


def dumpk_init(s, ic, *args):
    ifilcod, iformat, iprd = args[-3:]
    _dump_setup(s, ic, ifilcod, iformat, iprd, "wb", False)


def dumpk_perf(s, pc, *args):
    ksigs = args[:-5]
    s.countdown -= 1
    if s.countdown <= 0:
        s.countdown = s.timcount
        handle = _private(pc.engine)[int(s.fid)]
        handle.write(dump_text(int(s.format), [float(k[()]) for k in ksigs]))
        handle.flush()


def _read_binary(handle, fmt: int, count: int) -> list | None:
    code = _BINARY[fmt]
    size = struct.calcsize("<" + code)
    data = handle.read(size * count)
    if len(data) != size * count:
        return None
    return [float(v) for v in struct.unpack("<" + code * count, data)]


def _read_token(handle, fmt: int) -> float | None:
    """One number of a text dump: skips blanks and #;< comments (dumpf.c nkread)."""
    in_comment = False
    while True:
        c = handle.read(1)
        if not c:
            return None
        if c == b"\n":
            in_comment = False
        elif c in b"#;<":
            in_comment = True
        if not (c.isspace() or in_comment):
            break
    token = c
    while True:
        c = handle.read(1)
        if not c:
            return None
        keep = (c.isdigit() or c in b"-+.eE") if fmt == 7 else not c.isspace()
        if not keep:
            handle.seek(-1, 1)
            break
        token += c
    text = token.decode("latin-1")
    try:
        return float(text)
    except ValueError:
        head = ""
        for ch in text:  # sscanf reads the longest numeric prefix
            try:
                float(head + ch)
            except ValueError:
                if ch not in "eE+-." or not head:
                    break
            head += ch
        try:
            return float(head)
        except ValueError:
            return None


def readk_init(s, ic, *args):
    ifilcod, iformat, iprd = args[-3:]
    _dump_setup(s, ic, ifilcod, iformat, iprd, "rb", True)


def readk_perf(s, pc, *args):
    outs = args[:-5]
    s.countdown -= 1
    if s.countdown <= 0:
        s.countdown = s.timcount
        handle = _private(pc.engine)[int(s.fid)]
        fmt = int(s.format)
        if fmt in _BINARY:
            values = _read_binary(handle, fmt, len(outs))
        else:
            values = []
            for _ in outs:
                v = _read_token(handle, fmt)
                if v is None:
                    break
                values.append(v)
        values = values or []
        for i in range(len(outs)):
            # past the end Csound returns its uninitialised buffer, 0 in practice
            setattr(s, f"k{i}", values[i] if i < len(values) else 0.0)
    for i, out in enumerate(outs):
        out[0] = getattr(s, f"k{i}")


for _n, _suffix in ((1, ""), (2, "2"), (3, "3"), (4, "4")):
    for _t in "Si":
        defop(f"dumpk{_suffix}", "", "k" * _n + f"{_t}ii", KDUMP, dumpk_init, dumpk_perf,
              deinit=_close_private, python_perf=True)
        defop(f"readk{_suffix}", "k" * _n, f"{_t}ii", KDUMP, readk_init, readk_perf,
              deinit=_close_private, python_perf=True)
