"""GENs that read files: 01 (sound file; Csound 6.18 Engine/fgens.c gen01raw with
InOut/libsnd_u.c sndgetset/getsndin), 23 (numbers in a text file), 28 (time-tagged
x y trajectory).  Sound files are read with soundfile (libsndfile, as Csound)."""

from __future__ import annotations

import math
import os
import re
import struct

import numpy as np
import soundfile

from ._base import GenCall, c_lrint, finish

SNDINBUFSIZ = 4096  # Csound's soundin buffer (samples): bounds negative skips
LOFACT = 1024
_SFC_GET_INSTRUMENT = 0x10D0
_SF_LOOP_NONE, _SF_LOOP_FORWARD = 800, 801

# GEN01 format codes -1..-9 (headerless files) as libsndfile subtypes.
_RAW_SUBTYPES = {1: "PCM_S8", 2: "ALAW", 3: "ULAW", 4: "PCM_16", 5: "PCM_32", 6: "FLOAT",
                 7: "PCM_U8", 8: "PCM_24", 9: "DOUBLE"}


def _sound_name(call: GenCall) -> str:
    """The file a GEN01 argument names: a string, a strset number or soundin.N."""
    text = call.string(0)
    if text is not None:
        if text.startswith('"'):
            text = text[1:]
            if text.endswith('"'):
                text = text[:-1]
        return text
    filno = c_lrint(call.p(0))
    strsets = getattr(call.env, "strsets", {}) or {}
    if filno >= 0 and filno in strsets:
        return strsets[filno]
    return f"soundin.{filno}"


def _instrument(handle: soundfile.SoundFile):
    """libsndfile's SF_INSTRUMENT (base note, detune, two loops) or None."""
    ffi, lib = soundfile._ffi, soundfile._snd
    buf = ffi.new("char[]", 272)
    if not lib.sf_command(handle._file, _SFC_GET_INSTRUMENT, buf, 272):
        return None
    raw = bytes(ffi.buffer(buf))
    basenote, detune = struct.unpack_from("=bb", raw, 4)
    loops = [struct.unpack_from("=iIII", raw, 16 + 16 * i) for i in range(2)]
    return basenote, detune, loops


def _open(call: GenCall, name: str, fmt: int):
    path = call.env.find_file(name) if hasattr(call.env, "find_file") else name
    if path is None and os.path.exists(name):
        path = name
    if path is None:
        raise call.error(f"Failed to open file {name}")
    try:
        if fmt < 0:
            return soundfile.SoundFile(path, format="RAW", subtype=_RAW_SUBTYPES[-fmt],
                                       channels=1, samplerate=int(call.sr + 0.5))
        return soundfile.SoundFile(path)
    except (RuntimeError, soundfile.LibsndfileError, TypeError, ValueError):
        raise call.error(f"Failed to open file {name}") from None


def gen01(call: GenCall) -> None:
    """Samples of a sound file: file, skiptime, format, channel (0 = all, interleaved)."""
    if call.nargs < 4:
        raise call.error("insufficient arguments")
    name = _sound_name(call)
    fmt = c_lrint(call.p(2))
    if fmt < -9 or fmt > 9:
        raise call.error(f"invalid sample format: {fmt}")
    channel = c_lrint(call.p(3))
    if channel < 0:
        raise call.error(f"channel {channel} illegal")
    with _open(call, name, fmt) as handle:
        nch, filesr, frames = handle.channels, handle.samplerate, handle.frames
        if channel > nch:
            call.warning(f"error: req chan {channel}, file {name} has only {nch}")
            raise call.error(f"Failed to open file {name}")
        samples = handle.read(dtype="float64", always_2d=True)
        inst = _instrument(handle)
        floating = handle.subtype in ("FLOAT", "DOUBLE")
        container = handle.format
    if filesr != int(call.sr + 0.5):
        call.warning(f"{name} sr = {filesr}, orch sr = {call.sr:7.1f}")
    # compat: float samples in WAV/AIFF/W64 files are scaled by 0dbfs too
    scale = call.e0dbfs if (not floating or container in ("WAV", "AIFF", "W64")) else 1.0
    skiptime = float(call.p(1))
    skip = int(skiptime * filesr + (0.5 if skiptime >= 0 else -0.5))
    framesinbuf = SNDINBUFSIZ // nch
    if skip < 0:
        if -skip > framesinbuf:
            raise call.error(f"Failed to open file {name}")
        samples = np.concatenate((np.zeros((-skip, nch)), samples))
    elif skip < framesinbuf or skip < frames:
        samples = samples[skip:]
    else:
        samples = np.zeros((framesinbuf, nch))  # compat: Csound hands out one zero buffer
    framesrem = frames - skip
    stream = (samples.reshape(-1) if channel == 0 else samples[:, channel - 1]) * scale

    deferred = call.flen == 0
    if deferred:
        length = framesrem + 1
        if length <= 0:
            raise call.error("deferred size, but filesize unknown")
        if channel == 0:
            length *= nch
        call.alloc(length - 1)
        call.guardreq = True
        nlocs = call.flen
    else:
        nlocs = call.flen + 1
    tabnch = nch if channel == 0 else 1
    flenfrms = call.flen // tabnch
    inlocs = min(nlocs, len(stream))
    call.data[:inlocs] = stream[:inlocs]

    fields = dict(sr=float(filesr), nchnls=tabnch, loop_mode1=0, loop_mode2=0, begin1=0,
                  end1=flenfrms, begin2=0, end2=0, base_freq=0.0)
    cvtbas = LOFACT * filesr * (1.0 / call.sr)
    cpscvt = 0.0
    if inst is not None:
        basenote, detune, loops = inst
        natcps = math.pow(2.0, ((basenote - 69) + detune * 0.01) / 12.0) * call.a4
        cpscvt = cvtbas / natcps

        def mode(m):  # compat: an unused loop slot (mode 0) maps to 2, as in Csound
            return 0 if m == _SF_LOOP_NONE else 1 if m == _SF_LOOP_FORWARD else 2

        fields.update(base_freq=natcps, loop_mode1=mode(loops[0][0]),
                      loop_mode2=mode(loops[1][0]), begin1=loops[0][1], begin2=loops[1][1],
                      end2=loops[1][2])
        if fields["loop_mode1"]:
            fields["end1"] = loops[0][2]
        if fields["end1"] > call.flen or fields["end2"] > call.flen:
            call.warning("GEN1: input file truncated by ftable size")
    elif len(stream) > nlocs and framesrem > call.flen:
        call.warning("GEN1: file truncated by ftable size")
    fields["sound_frames"] = inlocs // tabnch
    fields["extra"] = {"cvtbas": cvtbas, "cpscvt": cpscvt, "flenfrms": flenfrms,
                       "soundend": inlocs // tabnch, "file": name}
    fields["deferred"] = deferred
    call.fields.update(fields)
    if deferred:
        finish(call)
        call.data[call.flen] = call.data[0]


# --- text files -----------------------------------------------------------------
_NUMBER_CHARS = set("0123456789eE+-.")


def _text_numbers(text: str) -> list[float]:
    """Numbers as Csound's GEN23 scanner finds them: runs of [0-9eE+-.] parsed
    with atof; ';', '#' and '<' start comments to the end of the line."""
    values = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _NUMBER_CHARS:
            j = i
            while j < n and text[j] in _NUMBER_CHARS:
                j += 1
            values.append(_atof(text[i:j]))
            i = j
            if i < n and text[i] in ";#":
                i = _line_end(text, i)
            continue
        if c in ";#<":
            i = _line_end(text, i)
            continue
        i += 1
    return values


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return n if (n := len(text)) and j < 0 else j + 1


_ATOF = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _atof(token: str) -> float:
    """C atof: the longest leading number, 0.0 when there is none."""
    match = _ATOF.match(token)
    return float(match.group(0)) if match else 0.0


def _text_file(call: GenCall, message: str) -> str:
    name = call.string(0) or ""
    path = call.env.find_file(name) if hasattr(call.env, "find_file") else name
    if path is None:
        raise call.error(message)
    with open(path, encoding="latin-1") as handle:
        return handle.read()


def gen23(call: GenCall) -> None:
    """Numbers read from a text file; size 0 = as many as the file holds."""
    text = _text_file(call, "error opening ASCII file")
    values = _text_numbers(text)
    if call.flen == 0:
        # compat: Csound's count misses a number that ends exactly at end of file
        count = len(values) - (1 if text and text[-1] in _NUMBER_CHARS else 0)
        call.alloc(max(count, 0))
    n = min(call.flen, len(values))
    call.data[:n] = values[:n]
    if len(values) > call.flen + 1 or (len(values) == call.flen + 1 and text[-1:] not in
                                       _NUMBER_CHARS):
        call.warning(f"Number(s) after table full in GEN23, starting {values[call.flen]:f}")
    call.data[call.flen] = call.data[0]
    finish(call)


def gen28(call: GenCall) -> None:
    """Time-tagged trajectory `time x y` lines resampled at 100 points per second,
    stored as interleaved x y pairs (size must be 0)."""
    if call.flen:
        raise call.error("GEN28 requires zero table length")
    text = _text_file(call, "could not open space file")
    nums = [float(t) for t in text.split()]
    rows = len(nums) // 3
    # Csound's work arrays are zero-filled past the rows read; the final fill reads there
    z, x, y = (np.array(nums[k:3 * rows:3] + [0.0, 0.0]) for k in range(3))
    last = rows - 1
    if last < 1:
        raise call.error("Time values must be in increasing order")
    data = call.alloc(int(z[last] * 100 * 2) + 2)
    call.fields["deferred"] = True
    out = []
    for j in range(last):
        if z[j + 1] < z[j]:
            raise call.error("Time values must be in increasing order")
        seglen = int((z[j + 1] - z[j]) * 100)
        x1, y1 = x[j], y[j]
        incrx, incry = (x[j + 1] - x1) / seglen, (y[j + 1] - y1) / seglen
        for _ in range(seglen):
            out += (x1, y1)
            x1 += incrx
            y1 += incry
    n = min(len(out), call.flen + 1)
    data[:n] = out[:n]
    pos = len(out)
    while pos + 1 <= call.flen:
        data[pos], data[pos + 1] = x[last], y[last + 1]
        pos += 2
        if pos >= call.flen:
            break

