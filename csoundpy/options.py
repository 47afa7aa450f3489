"""Command-line options: the `Options` record, Csound's flag parser and rate derivation.

Follows Csound 6.18's Top/argdecode.c (short and long flags, values attached or in the
next argument, grouped short flags), Top/new_opts.c and Engine/cfgvar.c (`-+name=value`
configuration variables), Engine/envvar.c (`--env:`) and Engine/csound_orc_compile.c
(sr/kr/ksmps derivation and command-line overrides). This module is the only home of
the defaults (DESIGN, STYLE Part 2 (a)).

Deliberate differences from 6.18, documented in CLI.md:
* the output file type is inferred from a known extension when no type flag is given;
* `--hardwarebufsamps=N` sets the hardware buffer like `-B` (6.18 sets `-b` by mistake);
* `--0dbfs=N` keeps a fractional N (6.18 truncates it with atoi, so `--0dbfs=0.5` is lost).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, fields
from typing import Sequence

from csoundpy.errors import CompileError, OptionError

DEFAULT_SR = 44100.0
DEFAULT_KR = 4410.0
DEFAULT_MSGLEVEL = 135
DEFAULT_IOBUFSAMPS = 256
DEFAULT_HWBUFSAMPS = 1024

# Csound's `--format=` names: file types, then sample formats.
FILE_TYPES = ("wav", "aiff", "au", "raw", "paf", "svx", "nist", "voc", "ircam", "w64",
              "mat4", "mat5", "pvf", "xi", "htk", "sds", "avr", "wavex", "sd2", "mpeg",
              "flac", "caf", "wve", "ogg", "mpc2k", "rf64")
SAMPLE_FORMATS = ("alaw", "schar", "uchar", "float", "double", "long", "short", "ulaw",
                  "24bit", "vorbis")
_SHORT_SAMPLE_FLAGS = {"a": "alaw", "c": "schar", "8": "uchar", "f": "float", "s": "short",
                       "l": "long", "u": "ulaw", "3": "24bit"}

# soundfile container and subtype names for each Csound name.
_CONTAINERS = {"wav": "WAV", "aiff": "AIFF", "au": "AU", "raw": "RAW", "paf": "PAF",
               "svx": "SVX", "nist": "NIST", "voc": "VOC", "ircam": "IRCAM", "w64": "W64",
               "mat4": "MAT4", "mat5": "MAT5", "pvf": "PVF", "xi": "XI", "htk": "HTK",
               "sds": "SDS", "avr": "AVR", "wavex": "WAVEX", "sd2": "SD2", "mpeg": "MP3",
               "flac": "FLAC", "caf": "CAF", "wve": "WVE", "ogg": "OGG", "mpc2k": "MPC2K",
               "rf64": "RF64"}
_SUBTYPES = {"short": "PCM_16", "24bit": "PCM_24", "long": "PCM_32", "float": "FLOAT",
             "double": "DOUBLE", "uchar": "PCM_U8", "schar": "PCM_S8", "alaw": "ALAW",
             "ulaw": "ULAW", "vorbis": "VORBIS"}
# Csound's names in `writing ... blks of <name>` and bytes per sample.
SAMPLE_FORMAT_NAMES = {"short": ("shorts", 2), "24bit": ("24bit ints", 3),
                       "long": ("longs", 4), "float": ("floats", 4),
                       "double": ("doubles", 8), "uchar": ("unsigned chars", 1),
                       "schar": ("chars", 1), "alaw": ("alaw bytes", 1),
                       "ulaw": ("ulaw bytes", 1), "vorbis": ("vorbis encoding", 4)}
_EXTENSIONS = {"wav": ".wav", "aiff": ".aif", "flac": ".flac", "ogg": ".ogg", "caf": ".caf",
               "raw": "", "ircam": ".sf", "au": ".au", "w64": ".w64", "wavex": ".wav",
               "rf64": ".wav", "mpeg": ".mp3", "paf": ".paf", "svx": ".svx",
               "nist": ".nist", "voc": ".voc", "mat4": ".mat", "mat5": ".mat",
               "pvf": ".pvf", "xi": ".xi", "htk": ".htk", "sds": ".sds", "avr": ".avr",
               "sd2": ".sd2", "wve": ".wve", "mpc2k": ".mpc"}
# Extensions csoundpy reads as a file type when no type flag is given (CLI.md §5).
_KNOWN_EXTENSIONS = {".wav": "wav", ".aif": "aiff", ".aiff": "aiff", ".flac": "flac",
                     ".ogg": "ogg", ".caf": "caf", ".w64": "w64", ".au": "au"}
# $SFOUTYP values Csound accepts.
_SFOUTYP = {"WAV": "wav", "AIFF": "aiff", "IRCAM": "ircam", "RAW": "raw"}

# Csound 6.18's configuration variables (`-+name=value`) and their types.
CFG_VARS: dict[str, str] = {
    "alsaseq_client": "string", "id_artist": "string", "id_comment": "string",
    "id_copyright": "string", "id_date": "string", "id_scopyright": "integer",
    "id_software": "string", "id_title": "string", "ignore_csopts": "boolean",
    "input_stream": "string", "jack_client": "string", "jack_inportname": "string",
    "jack_midi_client": "string", "jack_midi_inportname": "string",
    "jack_midi_outportname": "string", "jack_outportname": "string",
    "jack_sleep_time": "integer", "msg_color": "boolean", "mute_tracks": "string",
    "output_stream": "string", "raw_controller_mode": "boolean", "rtaudio": "string",
    "rtmidi": "string", "server": "string", "skip_seconds": "float",
}
_FALSE_WORDS = {"0", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}
_TRUE_WORDS = {"1", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}


@dataclass
class Options:
    """Every Csound flag as a field, holding Csound's default until a flag sets it."""

    inputs: list[str] = field(default_factory=list)   # orc/sco/csd names, in order
    output: str | None = None          # -o; None: `test.<ext>` (output_file_name)
    input: str | None = None           # -i
    sfwrite: bool = True               # False after -n / -I (no sound written)
    sfread: bool = False               # set by -i
    initonly: bool = False             # -I
    syntax_check_only: bool = False
    displays: bool = True              # -d turns off
    ascii_graphs: bool = False         # -g
    postscript_graphs: bool = False    # -G
    msglevel: int = DEFAULT_MSGLEVEL
    filetype: str | None = None        # explicit type flag (a FILE_TYPES name)
    sample_format: str | None = None   # explicit sample flag (a SAMPLE_FORMATS name)
    sr_override: float | None = None
    kr_override: float | None = None
    ksmps_override: int | None = None
    nchnls_override: int | None = None
    nchnls_i_override: int | None = None
    e0dbfs_override: float | None = None
    iobufsamps: int = DEFAULT_IOBUFSAMPS      # -b
    hardwarebufsamps: int = DEFAULT_HWBUFSAMPS  # -B
    rtaudio: str | None = None         # -+rtaudio; None: csoundpy's default module
    rtmidi: str | None = None          # -+rtmidi
    midi_device: str | None = None     # -M
    midifile: str | None = None        # -F
    midi_out_device: str | None = None  # -Q
    midioutfile: str | None = None
    terminate_on_midi: bool = False    # -T
    midi_key: int = 0
    midi_key_cps: int = 0
    midi_key_oct: int = 0
    midi_key_pch: int = 0
    midi_velocity: int = 0
    midi_velocity_amp: int = 0
    aft_zero: bool = False
    linein: str | None = None          # -L
    omacros: dict[str, str] = field(default_factory=dict)
    smacros: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)   # --env: assignments
    list_opcodes: int | None = None    # -z N
    help: bool = False
    version: bool = False
    verbose: bool = False              # -v: verbose orchestra translation
    tempo: float | None = None         # -t N (beat mode)
    keep_sorted_score: bool = False    # -t0, --keep-sorted-score
    sorted_score_file: str | None = None
    simple_sorted_score: bool = False
    extract_score: str | None = None   # -x
    defer_gen1: bool = False           # -D
    peak_chunks: bool = True           # -K turns off
    rewrite_header: bool = False       # -R
    heartbeat: int = 0                 # -H
    ringbell: bool = False             # -N
    dither: int = 0                    # -Z: 1 triangular, 2 uniform
    logfile: str | None = None         # -O
    num_threads: int = 1               # -j
    sample_accurate: bool = False
    realtime: bool = False
    daemon: int = 0
    udp_echo: bool = False
    devices: str | None = None         # --devices[=in|out]: "", "in", "out"
    midi_devices: str | None = None
    get_system_sr: bool = False
    use_system_sr: bool = False
    limiter: float = 0.0
    csd_line_nums: bool = True
    no_default_paths: bool = False
    sinesize: int = 16384
    fftlib: int = 0
    vbr_quality: float | None = None
    vbr: bool = False
    strsets: dict[int, str] = field(default_factory=dict)
    opcode_libs: list[str] = field(default_factory=list)
    opcode_dirs: list[str] = field(default_factory=list)
    opcode_omit: list[str] = field(default_factory=list)
    utility: str | None = None         # -U
    cscore: bool = False               # -C
    orc_only: bool = False             # --orc
    option_files: list[str] = field(default_factory=list)   # -@ files (read by the CLI)
    msg_color: bool = False            # -+msg_color (csoundpy default off)
    skip_seconds: float = 0.0          # -+skip_seconds
    ignore_csopts: bool = False        # -+ignore_csopts
    cfg: dict[str, str] = field(default_factory=dict)   # every -+name=value as given
    warnings: list[str] = field(default_factory=list)   # messages to print, in order
    unsupported: list[str] = field(default_factory=list)  # flags csoundpy accepts only

    @property
    def nosound(self) -> bool:
        return not self.sfwrite

    @property
    def realtime_output(self) -> bool:
        """True when the output is an audio device (`dac`, `dacN`, `dac:NAME`)."""
        return self.sfwrite and self.output is not None and self.output.startswith("dac")

    @property
    def realtime_input(self) -> bool:
        return self.input is not None and self.input.startswith("adc")

    def copy(self) -> Options:
        new = Options()
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (list, dict)):
                value = type(value)(value)
            setattr(new, f.name, value)
        return new


def _usage_error(message: str) -> OptionError:
    """An error Csound reports through dieu(): usage text, then `Csound Command ERROR:`."""
    err = OptionError(message)
    err.show_usage = True
    return err


def _plain_error(message: str) -> OptionError:
    err = OptionError(message)
    err.show_usage = False
    return err


_INT_RE = re.compile(r"\s*[+-]?\d+")
_FLOAT_RE = re.compile(r"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan)",
                       re.IGNORECASE)


def _atoi(s: str) -> int:
    m = _INT_RE.match(s)
    return int(m.group()) if m else 0


def _atof(s: str) -> float:
    m = _FLOAT_RE.match(s)
    return float(m.group()) if m else 0.0


def _scan_int(s: str, what: str) -> tuple[int, str]:
    """C `sscanf("%d%n")`: the leading integer and the rest of the group."""
    m = _INT_RE.match(s)
    if not m:
        raise _usage_error(what)
    return int(m.group()), s[m.end():]


def _strip_marks(s: str) -> str:
    # compat: CsOptions marks quoted text with ETX (0x03) and removable escapes with CAN
    return s.replace("\x03", "").replace("\x18", "")


def parse_flags(args: Sequence[str], opts: Options | None = None) -> Options:
    """Apply Csound flags in order (later flags win) to `opts` (a new Options if None)."""
    o = opts if opts is not None else Options()
    args = [_strip_marks(a) for a in args]
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            o.inputs.append(arg)
            continue
        s = arg[1:]
        while s:
            c, s = s[0], s[1:]

            def value(what: str) -> str:
                nonlocal i, s
                if s:
                    v, s = s, ""
                    return v
                if i >= len(args) or args[i].startswith("-"):
                    raise _usage_error(what)
                v = args[i]
                i += 1
                return v

            if c == "-":
                _long_flag(o, s)
                s = ""
            elif c == "+":
                _cfg_flag(o, "-+" + s)
                s = ""
            elif c == "o":
                _set_output(o, value("no outfilename"))
            elif c == "i":
                name = value("no infilename")
                if name == "stdout":
                    raise _plain_error("input cannot be stdout")
                o.input, o.sfread = name, True
            elif c == "n":
                o.sfwrite = False
            elif c == "I":
                o.initonly, o.syntax_check_only, o.sfwrite = True, False, False
            elif c == "d":
                o.displays = False
            elif c == "g":
                o.ascii_graphs = True
            elif c == "G":
                o.postscript_graphs = True
            elif c == "v":
                o.verbose = True
            elif c == "m":
                o.msglevel, s = _scan_int(value("no message level"), "no message level")
            elif c == "b":
                o.iobufsamps, s = _scan_int(value("no iobufsamps"), "no iobufsamps")
            elif c == "B":
                o.hardwarebufsamps, s = _scan_int(value("no hardware bufsamps"),
                                                  "no hardware bufsamps")
            elif c == "j":
                o.num_threads, s = _scan_int(value("no number of threads"),
                                             "no number of threads")
            elif c == "r":
                o.sr_override = _atof(value("no sample rate")) or None
                s = ""
            elif c == "k":
                o.kr_override = _atof(value("no control rate")) or None
                s = ""
            elif c in "WAJh":
                o.filetype = {"W": "wav", "A": "aiff", "J": "ircam", "h": "raw"}[c]
            elif c in _SHORT_SAMPLE_FLAGS:
                o.sample_format = _SHORT_SAMPLE_FLAGS[c]
            elif c == "t":
                v = value("no tempo value")
                m = _FLOAT_RE.match(v)
                tempo = float(m.group()) if m else 0.0
                s = v[m.end():] if m else v
                if tempo < 0.0:
                    raise _usage_error("illegal tempo")
                if tempo == 0.0:
                    o.keep_sorted_score = True
                else:
                    o.tempo = tempo
            elif c == "L":
                o.linein = value("no Linein score device_name")
            elif c == "M":
                o.midi_device = value("no midi device_name")
            elif c == "F":
                o.midifile = value("no midifile name")
            elif c == "Q":
                o.midi_out_device = value("no MIDI output device")
            elif c == "x":
                o.extract_score = value("no xfilename")
                o.unsupported.append("-x")
            elif c == "O":
                o.logfile = value("no log file")
            elif c == "@":
                o.option_files.append(value("No indirection file"))
            elif c == "U":
                o.utility = value("no utility name")
                o.unsupported.append("-U")
            elif c == "C":
                o.cscore = True
                o.unsupported.append("-C")
            elif c == "R":
                o.rewrite_header = True
            elif c == "H":
                m = re.match(r"\d+", s)
                o.heartbeat = int(m.group()) if m else 1
                s = s[m.end():] if m else s
            elif c == "N":
                o.ringbell = True
            elif c == "T":
                o.terminate_on_midi = True
            elif c == "D":
                o.defer_gen1 = True
            elif c == "K":
                o.peak_chunks = False
            elif c == "z":
                o.list_opcodes = 0
                if s and s[0].isdigit():
                    o.list_opcodes, s = int(s[0]), s[1:]
            elif c == "Z":
                o.dither = 1
                if s and s[0].isdigit():
                    o.dither, s = int(s[0]), s[1:]
            else:
                raise _usage_error(f"unknown flag -{c}")
    return o


def _set_output(o: Options, name: str) -> None:
    if name == "stdin":
        raise _usage_error("-o cannot be stdin")
    o.output, o.sfwrite = name, True


def _set_format(o: Options, spec: str) -> None:
    for part in spec.split(":"):
        if part in FILE_TYPES:
            o.filetype = part
        elif part in SAMPLE_FORMATS:
            o.sample_format = part
        else:
            raise _plain_error(f"unknown output format: '{part}'")


# Long flags that only switch something: name -> (field, value).
_LONG_SWITCHES = {
    "aiff": ("filetype", "aiff"), "au": ("filetype", "au"), "wave": ("filetype", "wav"),
    "ircam": ("filetype", "ircam"), "noheader": ("filetype", "raw"),
    "orc": ("orc_only", True), "cscore": ("cscore", True), "nodisplays": ("displays", False),
    "defer-gen1": ("defer_gen1", True), "asciidisplay": ("ascii_graphs", True),
    "postscriptdisplay": ("postscript_graphs", True), "nopeaks": ("peak_chunks", False),
    "nosound": ("sfwrite", False), "notify": ("ringbell", True),
    "rewrite": ("rewrite_header", True), "keep-sorted-score": ("keep_sorted_score", True),
    "simple-sorted-score": ("simple_sorted_score", True),
    "terminate-on-midi": ("terminate_on_midi", True), "verbose": ("verbose", True),
    "dither": ("dither", 1), "dither-triangular": ("dither", 1), "dither-uniform": ("dither", 2),
    "default-paths": ("no_default_paths", False), "no-default-paths": ("no_default_paths", True),
    "syntax-check-only": ("syntax_check_only", True), "version": ("version", True),
    "help": ("help", True), "sample-accurate": ("sample_accurate", True),
    "realtime": ("realtime", True), "aft-zero": ("aft_zero", True),
    "use-system-sr": ("use_system_sr", True), "get-system-sr": ("get_system_sr", True),
    "vbr": ("vbr", True), "limiter": ("limiter", 0.5), "print_version": ("version", True),
    "new-parser": (None, None), "old-parser": (None, None), "sco-parser": (None, None),
    "expression-opt": (None, None), "no-expression-opt": (None, None),
    "sched": (None, None),
}
# `--m-xxx=0|1` message-level bits.
_MSG_BITS = {"m-amps": (1, "no message amps"), "m-range": (2, "no message range"),
             "m-warnings": (4, "no message warnings"), "m-raw": (32, "no message raw"),
             "m-dB": (64, "no message dB"), "m-colours": (96, "no message colours"),
             "m-colors": (96, "no message colours"),
             "m-benchmarks": (128, "no benchmark level")}
# Long flags csoundpy accepts without acting on them.
_UNSUPPORTED_LONG = ("cscore", "utility=", "extract-score=", "opcode-lib=", "opcode-dir=",
                     "opcode-omit=", "sched", "port=", "udp-echo", "udp-console=",
                     "udp-mirror-console=", "daemon", "vbr-quality=", "vbr", "fftlib=",
                     "sinesize=")


def _long_flag(o: Options, s: str) -> None:
    """One `--name[=value]` flag (`s` without the dashes), as Csound's decode_long()."""
    name, eq, val = s.partition("=")
    if any(s == u or (u.endswith("=") and s.startswith(u)) for u in _UNSUPPORTED_LONG):
        o.unsupported.append("--" + name)
    if s in _LONG_SWITCHES:
        attr, v = _LONG_SWITCHES[s]
        if attr is not None:
            setattr(o, attr, v)
        return
    if s == "i-only":
        o.initonly, o.syntax_check_only, o.sfwrite = True, False, False
    elif s.startswith("omacro:") or s.startswith("smacro:"):
        mname, _, mval = s[7:].partition("=")
        if not mname:
            raise _plain_error("Invalid macro name for --omacro" if s[0] == "o"
                               else "Invalid macro name for --smacro")
        (o.omacros if s[0] == "o" else o.smacros)[mname] = mval
    elif s.startswith("env:"):
        _env_flag(o, s[4:])
    elif s.startswith("strset"):
        num, _, text = s[6:].partition("=")
        o.strsets[_atoi(num)] = text
    elif not eq:
        if name == "ogg":
            o.filetype, o.sample_format = "ogg", "vorbis"
        elif name == "mpeg":
            o.filetype = "mpeg"
        elif name == "daemon":
            o.daemon = o.daemon or 1
        elif name == "udp-echo":
            o.udp_echo = True
        elif name.startswith("list-opcodes"):
            rest = name[12:]
            o.list_opcodes = int(rest[0]) if rest[:1].isdigit() else 0
        elif name == "devices":
            o.devices = ""
        elif name == "midi-devices":
            o.midi_devices = ""
        else:
            raise _plain_error(f"unknown long option: '--{s}'")
    else:
        _long_value_flag(o, name, val, s)


def _long_value_flag(o: Options, name: str, val: str, s: str) -> None:
    if name == "format":
        _set_format(o, val)
    elif name == "output":
        if not val:
            raise _usage_error("no outfilename")
        _set_output(o, val)
    elif name == "input":
        if not val:
            raise _usage_error("no infilename")
        if val == "stdout":
            raise _plain_error("input cannot be stdout")
        o.input, o.sfread = val, True
    elif name == "iobufsamps":
        if not val:
            raise _usage_error("no iobufsamps")
        o.iobufsamps = _atoi(val)
    elif name == "hardwarebufsamps":
        if not val:
            raise _usage_error("no hardware bufsamps")
        o.hardwarebufsamps = _atoi(val)
    elif name in ("sample-rate", "control-rate"):
        if not val and name == "control-rate":
            raise _usage_error("no control rate")
        rate = _atof(val) or None
        if name == "sample-rate":
            o.sr_override = rate
        else:
            o.kr_override = rate
    elif name == "ksmps":
        if not val:
            raise _usage_error("no ksmps")
        o.ksmps_override = _atoi(val) or None
    elif name in ("nchnls", "nchnls_i"):
        n = _atoi(val)
        setattr(o, "nchnls_override" if name == "nchnls" else "nchnls_i_override",
                n if n > 0 else None)
    elif name == "0dbfs":
        v = _atof(val)
        o.e0dbfs_override = v if v > 0 else None
    elif name in ("messagelevel", "messageolevel"):
        if not val:
            raise _usage_error("no message level")
        o.msglevel = int(val, 8) if name == "messageolevel" else _atoi(val)
    elif name in _MSG_BITS:
        bit, what = _MSG_BITS[name]
        if not val:
            raise _usage_error(what)
        o.msglevel = o.msglevel | bit if _atoi(val) else o.msglevel & ~bit
    elif name == "csd-line-nums":
        if not val:
            raise _usage_error("no value for --csd-line-nums")
        o.csd_line_nums = _atoi(val) != 0
    elif name in ("midifile", "midioutfile", "midi-device", "score-in", "logfile",
                  "extract-score", "utility"):
        what = {"midifile": "no midifile name", "midioutfile": "no midi output file name",
                "midi-device": "no midi device_name", "score-in": "no Linein score device_name",
                "logfile": "no log file", "extract-score": "no xfilename",
                "utility": "no utility name"}[name]
        if not val:
            raise _usage_error(what)
        attr = {"midifile": "midifile", "midioutfile": "midioutfile",
                "midi-device": "midi_device", "score-in": "linein", "logfile": "logfile",
                "extract-score": "extract_score", "utility": "utility"}[name]
        setattr(o, attr, val)
    elif name == "heartbeat":
        o.heartbeat = _atoi(val) if val else 1
    elif name == "tempo":
        o.tempo = _atof(val)
    elif name in ("keep-sorted-score", "simple-sorted-score"):
        o.sorted_score_file = val
        setattr(o, name.replace("-", "_"), True)
    elif name in ("midi-key", "midi-key-cps", "midi-key-oct", "midi-key-pch",
                  "midi-velocity", "midi-velocity-amp", "num-threads", "port", "fftlib"):
        attr = {"num-threads": "num_threads", "port": "daemon"}.get(name,
                                                                   name.replace("-", "_"))
        setattr(o, attr, _atoi(val))
    elif name == "sinesize":
        n, size = _atoi(val), 1
        while size <= n and size < (1 << 24):
            size <<= 1
        o.sinesize = size
    elif name == "vbr-quality":
        o.vbr_quality = _atof(val)
    elif name == "limiter":
        v = _atof(val)
        o.limiter = v if 0.0 <= v <= 1.0 else 0.0
        if not 0.0 <= v <= 1.0:
            o.warnings.append("Ignoring invalid limiter")
    elif name in ("opcode-lib", "opcode-dir", "opcode-omit"):
        {"opcode-lib": o.opcode_libs, "opcode-dir": o.opcode_dirs,
         "opcode-omit": o.opcode_omit}[name].append(val)
    elif name == "devices":
        o.devices = val
    elif name == "midi-devices":
        o.midi_devices = val
    elif name in ("sched", "udp-console", "udp-mirror-console", "default-ksmps"):
        pass
    else:
        raise _plain_error(f"unknown long option: '--{s}'")


def _env_flag(o: Options, spec: str) -> None:
    """`--env:NAME=VALUE` sets, `--env:NAME+=VALUE` prepends `VALUE;` (Engine/envvar.c)."""
    name, eq, value = spec.partition("=")
    append = name.endswith("+")
    if append:
        name = name[:-1]
    if not eq or not name:
        raise _plain_error(" *** invalid format for --env")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise _plain_error(" *** invalid environment variable name")
    if append:
        old = getenv(o, name)
        if not value:
            return
        value = f"{value};{old}" if old else value
    o.env[name] = value


def getenv(opts: Options, name: str) -> str | None:
    """A Csound environment variable: `--env:` settings first, then the process."""
    if name in opts.env:
        return opts.env[name]
    return os.environ.get(name)


def _cfg_flag(o: Options, s: str) -> None:
    """A `-+name[=value]` configuration variable, as parse_option_as_cfgvar()."""
    if "=" not in s:
        name = s[2:]
        kind = CFG_VARS.get(name)
        if kind is not None:
            if kind != "boolean":
                o.warnings.append(f"WARNING:  *** type of option '{name}' is not boolean")
                return
            _set_cfg(o, name, "1")
        elif len(s) > 5 and s.startswith("-+no-"):
            kind = CFG_VARS.get(s[5:])
            if kind is None:
                raise _plain_error(f" *** '{name}': invalid option name")
            if kind != "boolean":
                o.warnings.append(f"WARNING:  *** type of option '{name}' is not boolean")
                return
            _set_cfg(o, s[5:], "0")
        else:
            o.warnings.append(f"WARNING:  *** '{name}': invalid option name")
        return
    if len(s) <= 3:
        o.warnings.append(f"WARNING:  *** '{s}' is not a valid Csound command line option.")
        return
    name, _, val = s[2:].partition("=")
    kind = CFG_VARS.get(name)
    problem = None
    if kind is None:
        problem = "invalid variable name"
    elif kind == "boolean" and val not in _FALSE_WORDS | _TRUE_WORDS:
        problem = "invalid boolean value; must be 0 or 1"
    elif kind == "float" and _atof(val) < 0.0:
        problem = "the specified value is too low"
    if problem:
        o.warnings.append(f"WARNING:  *** error setting option '{name}' to '{val}': {problem}")
        return
    _set_cfg(o, name, val)


def _set_cfg(o: Options, name: str, val: str) -> None:
    o.cfg[name] = val
    if name == "rtaudio":
        o.rtaudio = val
    elif name == "rtmidi":
        o.rtmidi = val
    elif name in ("msg_color", "ignore_csopts"):
        setattr(o, name, val in _TRUE_WORDS)
    elif name == "skip_seconds":
        o.skip_seconds = _atof(val)


def split_option_string(s: str) -> list[str]:
    """Split `setOption('-d -odac -m0')` or one CsOptions line into flags.

    Blanks separate flags; double quotes group text with blanks (`-o"my file.wav"`,
    `"-+id_title=a b"`), a backslash escapes the next character inside quotes, and a
    `;`, `#` or `//` after a blank starts a comment that runs to the end of the line.
    """
    out: list[str] = []
    cur: list[str] = []
    in_word = False
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in " \t\r\n":
            if in_word:
                out.append("".join(cur))
                cur, in_word = [], False
            i += 1
            if c == "\n":
                continue
            continue
        if not in_word and (c in ";#" or s.startswith("//", i)):
            i = s.find("\n", i)
            if i < 0:
                break
            continue
        in_word = True
        if c == '"':
            i += 1
            while i < n and s[i] != '"':
                if s[i] == "\\" and i + 1 < n and s[i + 1] in '"\\':
                    i += 1
                cur.append(s[i])
                i += 1
            i += 1
            continue
        if c == "\\" and i + 1 < n and s[i + 1] in " \t":
            cur.append(s[i + 1])
            i += 2
            continue
        cur.append(c)
        i += 1
    if in_word:
        out.append("".join(cur))
    return out


def split_csoptions(text: str) -> list[str]:
    """Flags of a `<CsOptions>` body or an options file (Top/one_file.c readOptions()).

    Lines starting with `;`, `#` or `//` are comments; on any other line a first word
    that does not start with `-` is the program name (`csound -odac ...`) and is dropped.
    """
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in ";#" or stripped.startswith("//"):
            continue
        words = split_option_string(stripped)
        if words and not stripped.startswith("-") and not stripped.startswith('"'):
            words = words[1:]
        out.extend(words)
    return out


def resolve_rates(header: dict[str, float], opts: Options,
                  warnings: list[str] | None = None) -> tuple[float, float, int]:
    """(sr, kr, ksmps) from the orchestra header and the overrides in `opts`.

    `header` holds the values the orchestra assigned (`sr`, `kr`, `ksmps`; absent when
    not assigned). Errors raise CompileError with Csound's text; warnings go to
    `warnings` (Engine/csound_orc_compile.c, after the header statements).
    """
    warn = warnings if warnings is not None else []
    sr = header.get("sr")
    kr = header.get("kr")
    ksmps: float | None = None
    if "ksmps" in header:
        v = header["ksmps"]
        ksmps = 1.0 if v <= 0 else float(math.floor(v))
    if ksmps is None:
        sr = DEFAULT_SR if sr is None else sr
        kr = DEFAULT_KR if kr is None else kr
        ksmps = float(int(sr / kr + 0.5))
        kr = sr / ksmps if ksmps else math.inf
    elif kr is None:
        sr = DEFAULT_SR if sr is None else sr
        kr = sr / ksmps
    elif sr is None:
        sr = kr * ksmps

    def desc(a: float, b: float, c: float) -> str:
        return f"sr = {a:.7g}, kr = {b:.7g}, ksmps = {c:.7g}"

    def differs(x: float, y: float) -> bool:
        return abs(x / y - 1.0) > 1.0e-12 if y else x != y

    overridden = bool(opts.sr_override or opts.kr_override or opts.ksmps_override)
    errors = []
    head = desc(sr, kr, ksmps) + "\nerror:"
    if sr <= 0:
        errors.append(f"{head} invalid sample rate")
    if kr <= 0:
        errors.append(f"{head} invalid control rate")
    if ksmps <= 0:
        errors.append(f"{head} invalid number of samples")
    elif ksmps < 0.75 or differs(ksmps, float(round(ksmps))):
        warn.append(f"{head} invalid ksmps value, needs to be integral.")
        ksmps = math.floor(ksmps)
        kr = sr / ksmps
        warn.append("resetting orc parameters to: " + desc(sr, kr, ksmps))
    elif differs(sr, kr * ksmps) and not overridden:
        errors.append(f"{head} inconsistent sr, kr, ksmps")
    elif ksmps > sr and not (opts.ksmps_override or opts.sr_override):
        errors.append(f"{head} inconsistent sr, kr, ksmps")
    if errors:
        raise CompileError("\n".join(errors))
    if not overridden:
        return float(sr), float(kr), int(ksmps)

    sr_o = opts.sr_override if opts.sr_override and opts.sr_override > 0 else None
    if not opts.ksmps_override:
        sr = sr_o or sr
        if "kr" in header:
            kr = opts.kr_override or kr
            ensmps = sr / kr
            ksmps = int(ensmps + 0.5)
        else:
            kr = sr / ksmps
            ensmps = ksmps
    else:
        ksmps = ensmps = opts.ksmps_override
        if sr_o:
            kr = sr_o / ksmps
            sr = kr * ensmps
        elif opts.kr_override:
            sr = opts.kr_override * ksmps
            kr = opts.kr_override
        else:
            kr = sr / ksmps
    text = desc(sr, kr, ensmps)
    if ksmps < 1 or differs(ensmps, ksmps):
        warn.append(f"{text}\n invalid ksmps value, needs to be integral.")
        ksmps = math.floor(ensmps)
        ensmps = ksmps
        kr = sr / ksmps if ksmps else math.inf
        warn.append(f"resetting orc parameters to: sr = {sr:.7g}, kr = {kr:.7g}, "
                    f"ksmps = {ksmps}")
    if sr <= 0:
        raise CompileError(f"{text}\n invalid sample rate")
    if kr <= 0:
        raise CompileError(f"{text}\n invalid control rate")
    if differs(sr, kr * ensmps):
        raise CompileError(f"{text}\n inconsistent sr, kr, ksmps")
    return float(sr), float(kr), int(ksmps)


def file_type(opts: Options) -> str:
    """The output file type: a type flag, else a known extension, else $SFOUTYP, else wav."""
    if opts.filetype is not None:
        return opts.filetype
    if opts.output and not opts.realtime_output:
        ext = os.path.splitext(opts.output)[1].lower()
        if ext in _KNOWN_EXTENSIONS:
            return _KNOWN_EXTENSIONS[ext]
    env = getenv(opts, "SFOUTYP")
    if env in _SFOUTYP:
        return _SFOUTYP[env]
    return "wav"


def sample_format(opts: Options) -> tuple[str, str]:
    """(soundfile subtype, soundfile container) for the output file."""
    ftype = file_type(opts)
    fmt = opts.sample_format or "short"
    if ftype == "ogg":
        fmt = "vorbis"
    subtype = "MPEG_LAYER_III" if ftype == "mpeg" else _SUBTYPES[fmt]
    return subtype, _CONTAINERS[ftype]


def output_file_name(opts: Options) -> str:
    """The output file: `-o` name (relative names under $SFDIR), else `test.<ext>`."""
    name = opts.output
    if name is None:
        name = "test" + _EXTENSIONS.get(file_type(opts), "")
    if (opts.realtime_output or name in ("stdout", "null") or name.startswith("|")
            or os.path.isabs(name)):
        return name
    sfdir = getenv(opts, "SFDIR")
    return os.path.join(sfdir, name) if sfdir else name


_SHORT_USAGE = (
    "--help      print long usage options",
    "--version   print version details",
    "-U unam     run utility program unam",
    "-C          use Cscore processing of scorefile",
    "-j N        use N threads in performance",
    "-I          I-time only orch run",
    "-n          no sound onto disk",
    "-i fnam     sound input filename",
    "-o fnam     sound output filename",
    "-b N        sample frames (or -kprds) per software sound I/O buffer",
    "-B N        samples per hardware sound I/O buffer",
    "-A          create an AIFF format output soundfile",
    "-W          create a WAV format output soundfile",
    "-J          create an IRCAM format output soundfile",
    "-h          no header on output soundfile",
    "-c          8-bit signed_char sound samples",
    "-8          8-bit unsigned_char sound samples",
    "-u          ulaw sound samples",
    "-s          short_int sound samples",
    "-l          long_int sound samples",
    "-f          float sound samples",
    "-3          24bit sound samples",
    "-r N        orchestra srate override",
    "-k N        orchestra krate override",
    "-K          do not generate PEAK chunks",
    "-v          verbose orch translation",
    "-m N        tty message level. Sum of:",
    "              1=note amps, 2=out-of-range msg, 4=warnings",
    "              0/32/64/96=note amp format (raw,dB,colors)",
    "              128=print benchmark information",
    "-d          suppress all displays",
    "-g          suppress graphics, use ascii displays",
    "-G          suppress graphics, use Postscript displays",
    "-x fnam     extract from score.srt using extract file 'fnam'",
    "-t N        use uninterpreted beats of the score, initially at tempo N",
    "-t 0        use score.srt for sorted score rather than a temporary",
    "-L dnam     read Line-oriented realtime score events from device 'dnam'",
    "-M dnam     read MIDI realtime events from device 'dnam'",
    "-F fnam     read MIDIfile event stream from file 'fnam'",
    "-R          continually rewrite header while writing soundfile (WAV/AIFF)",
    "-H#         print heartbeat style 1, 2 or 3 at each soundfile write",
    "-N          notify (ring the bell) when score or miditrack is done",
    "-T          terminate the performance when miditrack is done",
    "-D          defer GEN01 soundfile loads until performance time",
    "-Q dnam     select MIDI output device",
    "-z          list opcodes in this version",
    "-Z          dither output",
)

_LONG_USAGE = (
    "--format={wav,aiff,au,raw,paf,svx,nist,voc,ircam,w64,mat4,mat5",
    "          pvf,xi,htk,sds,avr,wavex,sd2,flac,caf,wve,ogg,mpc2k,rf64,mpeg}",
    "--format={alaw,ulaw,schar,uchar,float,double,short,long,24bit,vorbis}",
    "  Set output file format",
    "--aiff                  set AIFF format",
    "--au                    set AU format",
    "--wave                  set WAV format",
    "--ircam                 set IRCAM format",
    "--ogg                   set OGG/VORBIS format",
    "--mpeg                  set MPEG format",
    "--noheader              raw format",
    "--nopeaks               do not write peak information",
    " ",
    "--displays              use graphic displays",
    "--nodisplays            suppress all displays",
    "--asciidisplay          suppress graphics, use ascii displays",
    "--postscriptdisplay     suppress graphics, use Postscript displays",
    " ",
    "--defer-gen1            defer GEN01 soundfile loads until performance time",
    "--iobufsamps=N          sample frames (or -kprds) per software sound I/O buffer",
    "--hardwarebufsamps=N    samples per hardware sound I/O buffer",
    "--cscore                use Cscore processing of scorefile",
    "--orc                   use orchfile without scorefile",
    " ",
    "--midifile=FNAME        read MIDIfile event stream from file",
    "--midioutfile=FNAME     write MIDI output to file FNAME",
    "--midi-device=FNAME     read MIDI realtime events from device",
    "--terminate-on-midi     terminate the performance when miditrack is done",
    " ",
    "--heartbeat=N           print a heartbeat style 1, 2 or 3 at each soundfile write",
    "--notify                notify (ring the bell) when score or miditrack is done",
    "--rewrite               continually rewrite header while writing soundfile (WAV/AIFF)",
    " ",
    "--input=FNAME           sound input filename",
    "--output=FNAME          sound output filename",
    "--logfile=FNAME         log output to file",
    " ",
    "--nosound               no sound onto disk or device",
    "--tempo=N               use uninterpreted beats of the score, initially at tempo N",
    "--i-only                I-time only orch run",
    "--syntax-check-only     stop after checking orchestra and score syntax",
    "--control-rate=N        orchestra krate override",
    "--sample-rate=N         orchestra srate override",
    "--score-in=FNAME        read line-oriented realtime score events from device",
    "--messagelevel=N        tty message level, sum of:",
    "--messageolevel=O       tty message level in octal, of:",
    "                          1=note amps, 2=out-of-range msg, 4=warnings,",
    "                          0/32/64/96=note amp format (raw,dB,colors),",
    "                          128=print benchmark information",
    " ",
    "--m-amps=[01]           messages on note amps",
    "--m-range=[01]          messages on range errors",
    "--m-warnings=[01]       message on warnings",
    "--m-raw=[01]            raw amp messages",
    "--m-dB=[01]             amp messages in dB",
    "--m-colours=[01]        colour amp messages",
    "--m-benchmarks=[01]     print benchmark information",
    "--csd-line-nums=[01]    controls how error line numbers are printed:",
    "                          1=use CSD line #s (default), 0=use ORC/SCO-relative line #s",
    "--extract-score=FNAME   extract from score.srt using extract file",
    "--keep-sorted-score",
    "--keep-sorted-score=FNAME",
    "--simple-sorted-score",
    "--simple-sorted-score=FNAME",
    "--env:NAME=VALUE        set environment variable NAME to VALUE",
    "--env:NAME+=VALUE       append VALUE to environment variable NAME",
    "--strsetN=VALUE         set strset table at index N to VALUE",
    "--utility=NAME          run utility program",
    "--verbose               verbose orch translation",
    "--list-opcodes          list opcodes in this version",
    "--list-opcodesN         list opcodes in style N in this version",
    "--dither                dither output",
    "--dither-triangular     dither output with triangular distribution",
    "--dither-uniform        dither output with rectanular distribution",
    "--sched                 set real-time scheduling priority and lock memory",
    "--sched=N               set priority to N and lock memory",
    "--opcode-dir=DIR        load all plugins from DIR",
    "--opcode-lib=NAMES      dynamic libraries to load",
    "--opcode-omit=NAMES     dynamic libraries not to load",
    "--omacro:XXX=YYY        set orchestra macro XXX to value YYY",
    "--smacro:XXX=YYY        set score macro XXX to value YYY",
    "--midi-key=N            route MIDI note on message",
    "                          key number to pfield N as MIDI value [0-127]",
    "--midi-key-cps=N        route MIDI note on message",
    "                          key number to pfield N as cycles per second",
    "--midi-key-oct=N        route MIDI note on message",
    "                          key number to pfield N as linear octave",
    "--midi-key-pch=N        route MIDI note on message",
    "                          key number to pfield N as oct.pch",
    "--midi-velocity=N       route MIDI note on message",
    "                          velocity number to pfield N as MIDI value [0-127]",
    "--midi-velocity-amp=N   route MIDI note on message",
    "                          velocity number to pfield N as amplitude",
    "--no-default-paths      turn off relative paths from CSD/ORC/SCO",
    "--sample-accurate       use sample-accurate timing of score events",
    "--realtime              realtime priority mode",
    "--nchnls=N              override number of audio channels",
    "--nchnls_i=N            override number of input audio channels",
    "--0dbfs=N               override 0dbfs (max positive signal amplitude)",
    "--sinesize              length of internal sine table",
    "--daemon                daemon mode: do not exit if CSD/orchestra is not given, "
    "is empty or does not compile",
    "--port=N                listen to UDP port N for instruments/orchestra code "
    "(implies --daemon)",
    "--vbr-quality=Ft        set quality of variable bit-rate compression",
    "--devices[=in|out]      list available audio devices and exit",
    "--midi-devices[=in|out] list available MIDI devices and exit",
    "--get-system-sr         print system sr and exit, requires realtime",
    "                        audio output (e.g. -odac) to be defined first)",
    "--use-system-sr         print system sr and use realtime audio",
    "                        output (e.g. -odac) to be defined first",
    "--ksmps=N               override ksmps",
    "--fftlib=N              actual FFT lib to use (FFTLIB=0, PFFFT = 1, vDSP =2)",
    "--udp-echo              echo UDP commands on terminal",
    "--aft-zero              set aftertouch to zero, not 127 (default)",
    "--limiter[=num]         include clipping in audio output",
    "--vbr                   set MPEG encoding to variable bitrate",
    " ",
    "--help                  long help",
)


def _short_usage(banner: str) -> str:
    lines = [banner.rstrip("\n"), "", "Short options format:", *_SHORT_USAGE,
             f"flag defaults: csound -s -otest -b{DEFAULT_IOBUFSAMPS} "
             f"-B{DEFAULT_HWBUFSAMPS} -m{DEFAULT_MSGLEVEL}", "", ""]
    if not banner:
        del lines[0]
    return "\n".join(lines)


def usage_text(banner: str = "") -> str:
    """Csound's dieu() text (no input, bad flag); `banner` is the version banner."""
    return "Usage:      csound [-flags] orchfile scorefile\nLegal flags are:\n" + _short_usage(
        banner)


def help_text(banner: str = "") -> str:
    """The `--help` text: short usage, then the long flags."""
    return (_short_usage(banner) + "Usage:     csound [-flags] orchfile scorefile\n"
            "Legal flags are:\nLong format:\n\n" + "\n".join(_LONG_USAGE) + "\n")


USAGE: str = usage_text()
HELP: str = help_text()
