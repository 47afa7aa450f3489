"""The Python API: libcsound's `Csound` class (Csound 7 names, Csound 6 aliases).

One `Csound` owns one engine.  Orchestra text is compiled at once (the first
orchestra's header fixes sr, ksmps, nchnls and 0dbfs and creates the engine);
`start()` opens the output (file, null device or none) and places the score on
the timeline; `performKsmps()` computes one block.

Threads (DESIGN.md §5, API.md §3).  While a `PerformanceThread` lives, every
call that changes the engine (compile, eval, events, score control, start,
cleanup) made from another thread is posted to the thread's FIFO and runs there
at the next block boundary (also while paused or before `play()`); the caller
waits for the result.  A call made on the performance thread itself (process
callback, requestCallback, queue tasks) runs at once.  Without a thread, calls
run on the caller's thread under one engine lock.  Answered at once from any
thread: the engine figures (`sr`, `ksmps`, ...), `currentTimeSamples`,
`scoreTime`, channel access (`channelPtr`, `setControlChannel`, ... — values
are seen by the engine at its next block) and table views (`table`).
"""

from __future__ import annotations

import atexit
import math
import os
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import opcodes as _opcodes  # noqa: F401  (registers every family)
from .errors import CsoundError, OptionError
from .io.drivers import AudioDriver, FileDriver, StreamConfig, buffer_sizes, realtime_driver
from .opcodes import channels as _chn
from .opcodes._registry import REGISTRY

CSOUND_SUCCESS = 0
CSOUND_ERROR = -1
CSOUND_INITIALIZATION = -2
CSOUND_PERFORMANCE = -3
CSOUND_MEMORY = -4
CSOUND_SIGNAL = -5
CSOUND_EXITJMP_SUCCESS = 256

CSOUND_CONTROL_CHANNEL = _chn.CONTROL
CSOUND_AUDIO_CHANNEL = _chn.AUDIO
CSOUND_STRING_CHANNEL = _chn.STRING
CSOUND_PVS_CHANNEL = _chn.PVS
CSOUND_VAR_CHANNEL = _chn.VAR
CSOUND_ARRAY_CHANNEL = _chn.ARRAY
CSOUND_CHANNEL_TYPE_MASK = _chn.TYPE_MASK
CSOUND_INPUT_CHANNEL = _chn.INPUT
CSOUND_OUTPUT_CHANNEL = _chn.OUTPUT
CSOUND_CONTROL_CHANNEL_NO_HINTS = 0
CSOUND_CONTROL_CHANNEL_INT = 1
CSOUND_CONTROL_CHANNEL_LIN = 2
CSOUND_CONTROL_CHANNEL_EXP = 3
CS_INSTR_EVENT, CS_TABLE_EVENT, CS_END_EVENT = 0, 1, 2
CSOUNDINIT_NO_SIGNAL_HANDLER = 1
CSOUNDINIT_NO_ATEXIT = 2

CSOUNDMSG_DEFAULT = 0x0000
CSOUNDMSG_ERROR = 0x1000
CSOUNDMSG_ORCH = 0x2000
CSOUNDMSG_REALTIME = 0x3000
CSOUNDMSG_WARNING = 0x4000
CSOUNDMSG_STDOUT = 0x5000
CSOUNDMSG_TYPE_MASK = 0x7000
CSOUNDMSG_FG_BLACK, CSOUNDMSG_FG_RED, CSOUNDMSG_FG_GREEN, CSOUNDMSG_FG_YELLOW = (
    0x0100, 0x0101, 0x0102, 0x0103)
CSOUNDMSG_FG_BLUE, CSOUNDMSG_FG_MAGENTA, CSOUNDMSG_FG_CYAN, CSOUNDMSG_FG_WHITE = (
    0x0104, 0x0105, 0x0106, 0x0107)
CSOUNDMSG_FG_BOLD = 0x0008
CSOUNDMSG_FG_UNDERLINE = 0x0080
CSOUNDMSG_BG_BLACK, CSOUNDMSG_BG_RED, CSOUNDMSG_BG_GREEN, CSOUNDMSG_BG_ORANGE = (
    0x0200, 0x0210, 0x0220, 0x0230)
CSOUNDMSG_BG_BLUE, CSOUNDMSG_BG_MAGENTA, CSOUNDMSG_BG_CYAN, CSOUNDMSG_BG_GREY = (
    0x0240, 0x0250, 0x0260, 0x0270)

MYFLT = np.float64
VERSION = 7000
APIVERSION = 7000

_CHANNEL_KINDS = {"control": _chn.CONTROL, "audio": _chn.AUDIO, "string": _chn.STRING,
                  "str": _chn.STRING, "pvs": _chn.PVS, "array": _chn.ARRAY}
_CHANNEL_ARTICLE = {_chn.CONTROL: "A control", _chn.AUDIO: "An audio", _chn.STRING: "A string",
                    _chn.PVS: "A PVS", _chn.ARRAY: "An array"}
_MODE_BITS = {"r": _chn.INPUT, "w": _chn.OUTPUT, "rw": _chn.INPUT | _chn.OUTPUT,
              "wr": _chn.INPUT | _chn.OUTPUT}
_EVENT_KINDS = "ifeaqd"


@dataclass
class ChannelInfo:
    name: str
    kind: str
    mode: int
    hints: Any = None


@dataclass
class OpcodeDef:
    name: str
    outtypes: str
    intypes: str
    flags: int = 0


@dataclass
class AudioDevice:
    deviceName: str
    deviceId: str
    rtModule: str
    maxNchnls: int
    isOutput: bool


@dataclass
class MidiDevice:
    deviceName: str
    interfaceName: str
    deviceId: str
    midiModule: str
    isOutput: bool


class StringChannel:
    """What `channelPtr(name, 'string')` returns: `.value` reads and writes the channel."""

    def __init__(self, data: Any) -> None:
        self._data = data

    @property
    def value(self) -> str:
        return self._data.value

    @value.setter
    def value(self, text: str) -> None:
        self._data.value = str(text)

    def __repr__(self) -> str:
        return f"StringChannel({self._data.value!r})"


_initialized = False


def csoundInitialize(signalHandler: bool = True, atExitHandler: bool = True) -> int:
    """0 the first time, 1 afterwards; csoundpy never installs a SIGINT handler."""
    global _initialized
    if _initialized:
        return 1
    _initialized = True
    return 0


_LIVE_THREADS: "weakref.WeakSet" = weakref.WeakSet()


@atexit.register
def _stop_threads_at_exit() -> None:
    for pt in list(_LIVE_THREADS):
        try:
            if pt.isRunning():
                pt.stop()
                pt.join()
        except Exception:
            pass


def _weak_writer(method: Callable[[str], None]) -> Callable[[str], None]:
    """A message writer that does not keep its Csound alive, so `del cs` can run
    the end-of-performance summary at once (no reference cycle engine -> Csound)."""
    ref = weakref.WeakMethod(method)

    def write(text: str) -> None:
        target = ref()
        (target or sys.stderr.write)(text)

    return write


class Csound:
    """A Csound engine instance, driven like libcsound's `Csound`."""

    def __init__(self, hostData: Any = None, opcodeDir: str = "", pointer: Any = None) -> None:
        from .options import Options

        self.options = Options()
        self._host_data = hostData
        self.engine: Any = None
        self._score: Any = None
        self._score_texts: list[str] = []
        self._base_dir = "."
        self.compile_errors = 0
        self._lock = threading.RLock()
        self._thread: Any = None
        self._bus = _chn.ChannelBus()
        self._bus.host = self
        self._pending_events: list[tuple[str, list]] = []
        self._messages: Any = None  # the message buffer (a deque) when created
        self._echo = False
        self._message_cb: Callable[[int, str], None] | None = None
        self._host_io = False
        self._reset_performance_state()

    def _reset_performance_state(self) -> None:
        self._started = False
        self._finished = False
        self._cleaned = False
        self._stop_flag = False
        self._score_ended = False
        self._perf_status = 0
        self._player: Any = None
        self._driver: AudioDriver | None = None
        self._t0 = 0.0
        self._wall0 = 0.0
        self._score_pending = True
        self._held_score: list = []
        self._offset = 0.0
        self._offset_blocks = 0

    # ------------------------------------------------------------------ threads
    def _call(self, fn: Callable, *args: Any, wait: bool = True) -> Any:
        """Run an engine-changing call where it is safe (see the module docstring)."""
        pt = self._thread
        if pt is not None and pt.isRunning() and not pt._on_thread():
            return pt._request(fn, args, wait)
        return self._direct(fn, args)

    def _direct(self, fn: Callable, args: tuple) -> Any:
        with self._lock:
            return fn(*args)

    def performanceThread(self) -> Any:
        """The PerformanceThread of this engine (created paused on the first call)."""
        from .perfthread import PerformanceThread

        if self._thread is None or not self._thread.isRunning():
            self._thread = None
            pt = PerformanceThread(self)
            _LIVE_THREADS.add(pt)
        return self._thread

    def _thread_finished(self, pt: Any) -> None:
        """Called on the performance thread when its loop ends."""
        self.cleanup()

    # ------------------------------------------------------------------ messages
    def _write(self, text: str, attr: int = 0) -> None:
        if self._messages is not None:
            self._messages.append((text, attr))
            if not self._echo:
                return
        if self._message_cb is not None:
            self._message_cb(attr, text)
        elif attr & CSOUNDMSG_TYPE_MASK == CSOUNDMSG_STDOUT:
            sys.stdout.write(text)
        else:
            sys.stderr.write(text)

    def message(self, text: str) -> None:
        """Print a message line through the message system."""
        self._write(text if text.endswith("\n") else text + "\n")

    def messageS(self, attr: int, text: str) -> None:
        self._write(text, attr)

    def setMessageStringCallback(self, *args: Any) -> None:
        """fn(attr, text); libcsound's (attr, fn) argument order is accepted too."""
        fn = next((a for a in args if callable(a)), None)
        self._message_cb = fn

    setMessageCallback = setMessageStringCallback

    def createMessageBuffer(self, echo: bool = False) -> None:
        from collections import deque

        self._messages = deque()
        self._echo = bool(echo)

    def destroyMessageBuffer(self) -> None:
        self._messages = None

    def messageCnt(self) -> int:
        return len(self._messages) if self._messages is not None else 0

    def firstMessage(self) -> str:
        return self._messages[0][0] if self.messageCnt() else ""

    def firstMessageAttr(self) -> int:
        return self._messages[0][1] if self.messageCnt() else 0

    def popFirstMessage(self) -> None:
        if self.messageCnt():
            self._messages.popleft()

    def readMessage(self) -> tuple[str, int]:
        """Pop the first buffered message: (text, attr), ('', 0) when empty."""
        try:
            return self._messages.popleft() if self._messages is not None else ("", 0)
        except IndexError:
            return ("", 0)

    def iterMessages(self) -> Iterator[tuple[str, int]]:
        while self.messageCnt():
            yield self.readMessage()

    def messageLevel(self) -> int:
        return int(self.options.msglevel)

    def setMessageLevel(self, level: int) -> None:
        self.options.msglevel = int(level)
        if self.engine is not None:
            self.engine.msg_level = int(level)

    # ------------------------------------------------------------------ options
    def setOption(self, option: str) -> int:
        """Apply one or several command-line flags; only before start()."""
        from .options import parse_flags, split_option_string

        if not isinstance(option, str):
            return CSOUND_ERROR
        if self._started:
            return 1
        try:
            parse_flags(split_option_string(option), self.options)
        except OptionError as exc:
            self.message(f"Csound Command ERROR:    {exc.message}")
            return CSOUND_ERROR
        self._flush_option_warnings()
        return CSOUND_SUCCESS

    def _flush_option_warnings(self) -> None:
        warnings = getattr(self.options, "warnings", None)
        if warnings:
            for w in warnings:
                self.message(w)
            warnings.clear()

    def setOutput(self, name: str, filetype: str = "", format: str = "") -> None:
        flags = f'-o "{name}"' if " " in name else f"-o{name}"
        if filetype:
            flags += f" --format={filetype}"
        if format:
            flags += f" --format={format}"
        self.setOption(flags)

    def setInput(self, name: str) -> None:
        self.setOption(f"-i{name}")

    def setRTAudioModule(self, module: str) -> None:
        self.setOption(f"-+rtaudio={module}")

    def setHostAudioIO(self) -> None:
        self.setHostImplementedAudioIO(True, 0)

    def setHostImplementedAudioIO(self, state: bool = True, bufSize: int = 0) -> None:
        """Before start: no file/device; the host reads spout() and writes spin()."""
        self._host_io = bool(state)

    def getOpcodes(self) -> list[OpcodeDef]:
        return [OpcodeDef(e.name, e.outs, e.ins) for name in sorted(REGISTRY)
                if not name.startswith("#") for e in REGISTRY[name]]

    def version(self) -> int:
        return VERSION

    def APIVersion(self) -> int:
        return APIVERSION

    def sizeOfMYFLT(self) -> int:
        return 8

    def hostData(self) -> Any:
        return self._host_data

    def setHostData(self, data: Any) -> None:
        self._host_data = data

    def csound(self) -> Any:
        return self

    def audioDevList(self, isOutput: bool = True) -> list[AudioDevice]:
        return [AudioDevice("dac" if isOutput else "adc", "null", "null", 1024, bool(isOutput))]

    # ------------------------------------------------------------------ figures
    def sr(self) -> float:
        return float(self.engine.sr) if self.engine else 44100.0

    def kr(self) -> float:
        return float(self.engine.kr) if self.engine else 4410.0

    def ksmps(self) -> int:
        return int(self.engine.ksmps) if self.engine else 10

    def nchnls(self) -> int:
        return int(self.engine.nchnls) if self.engine else 1

    def nchnlsInput(self) -> int:
        return int(self.engine.nchnls_i) if self.engine else 1

    def get0dBFS(self) -> float:
        return float(self.engine.e0dbfs) if self.engine else 32768.0

    def A4(self) -> float:
        return float(self.engine.consts.a4) if self.engine else 440.0

    def currentTimeSamples(self) -> int:
        """Frames computed since start (block granular)."""
        return int(self.engine.kcount * self.engine.ksmps) if self.engine else 0

    def scoreTime(self) -> float:
        """Seconds of score time: the current time plus the score offset."""
        if self.engine is None:
            return 0.0
        return self.engine.kcount / self.engine.kr + self._offset

    def systemSr(self, val: float = 0.0) -> float:
        return self.sr() if self._driver is not None and self._driver.realtime else 0.0

    # ------------------------------------------------------------------ compile
    def _macros(self, kind: str) -> dict[str, str]:
        return dict(getattr(self.options, kind, {}) or {})

    def compileOrc(self, orc: str, block: bool = True, filename: str = "orchestra",
                   line_offset: int = 0) -> int:
        """Compile orchestra text; 0 on success, CSOUND_ERROR on any error."""
        if not isinstance(orc, str):
            return CSOUND_ERROR
        result = self._call(self._compile_checked, orc, filename, line_offset, wait=block)
        return CSOUND_SUCCESS if result is None else result

    def compileOrcAsync(self, orc: str) -> int:
        return self.compileOrc(orc, block=False)

    def _compile_checked(self, orc: str, filename: str, line_offset: int) -> int:
        try:
            self._compile_orc(orc, filename, line_offset)
        except CsoundError as exc:
            self._report_compile_error(exc)
            return CSOUND_ERROR
        return CSOUND_SUCCESS

    def _report_compile_error(self, exc: CsoundError) -> None:
        self.compile_errors += 1
        span = exc.span
        lines = [f"error:  {exc.message}"]
        if span is not None:
            lines.append(f" from file {span.file} (1), line {span.line}:")
            lines.append(span.caret())
        lines.append("Parsing failed due to syntax errors" if type(exc).__name__ == "ParseError"
                     else "cannot compile orchestra")
        self.message("\n".join(lines))

    def _compile_orc(self, orc: str, filename: str, line_offset: int) -> None:
        from .compile.expand import Compiler
        from .lang.parser import parse_orchestra, udo_names
        from .lang.preprocess import preprocess

        source = preprocess(orc, filename, self._macros("omacros"), [self._base_dir], line_offset)
        udos = udo_names(source.text)
        known_udos = set(self.engine.udos) if self.engine else set()

        def is_opcode(name: str) -> bool:
            return name in REGISTRY or name in udos or name in known_udos

        tree = parse_orchestra(source, is_opcode)
        if self.engine is None:
            globals_table: dict = {}
            compiled = Compiler(globals_table).compile(tree)
            self._create_engine(compiled.header)
            for name, var in globals_table.items():
                self.engine.global_table.setdefault(name, var)
        else:
            compiled = self.engine.compiler().compile(tree)
        self.engine.compile_orchestra(compiled)

    def _create_engine(self, header: dict[str, float]) -> None:
        from .engine.engine import Engine
        from .options import resolve_rates

        opts = self.options
        warnings: list[str] = []
        sr, kr, ksmps = resolve_rates(header, opts, warnings)
        for w in warnings:
            self.message(w)
        nchnls = int(opts.nchnls_override if opts.nchnls_override is not None
                     else header.get("nchnls", 1))
        nchnls = max(nchnls, 1)
        if opts.nchnls_i_override is not None:
            nchnls_i = int(opts.nchnls_i_override)
        elif "nchnls_i" in header:
            nchnls_i = int(header["nchnls_i"])
        else:
            nchnls_i = nchnls
        e0dbfs = float(opts.e0dbfs_override if opts.e0dbfs_override is not None
                       else header.get("0dbfs", 32768.0))
        a4 = float(header.get("A4", 440.0))
        engine = Engine(sr, int(ksmps), nchnls, nchnls_i, e0dbfs, a4,
                        msg_level=int(opts.msglevel), write=_weak_writer(self._write),
                        search_dirs=[self._base_dir])
        # spout/spin as channel-major views of interleaved memory, so that the
        # API's flat, interleaved spout()/spin() views share memory with them.
        engine.spout = np.zeros((int(ksmps), nchnls)).T
        engine.spin = np.zeros((int(ksmps), nchnls_i)).T
        self._bus.ksmps = int(ksmps)
        engine.globals["channels"] = self._bus
        self.engine = engine
        pending, self._pending_events = self._pending_events, []
        for kind, pfields in pending:
            self._event_now(kind, pfields)

    def evalCode(self, code: str) -> float:
        """Compile and run global code now; returns the value given to `return`."""
        if not isinstance(code, str):
            return math.nan
        return self._call(self._eval, code)

    def _eval(self, code: str) -> float:
        if self.engine is None and self._compile_checked("", "orchestra", 0) != CSOUND_SUCCESS:
            return math.nan
        self.engine.return_value = None
        if self._compile_checked(code, "orchestra", 0) != CSOUND_SUCCESS:
            return math.nan
        value = self.engine.return_value
        return float(value) if value is not None else 0.0

    def compileCsd(self, path: str, block: bool = True) -> int:
        from .lang.csd import read_csd

        try:
            doc = read_csd(path)
        except CsoundError as exc:
            self.message(str(exc))
            return CSOUND_ERROR
        self._base_dir = os.path.dirname(os.path.abspath(path))
        return self._compile_csd_doc(doc, os.path.basename(path), block)

    def compileCsdText(self, text: str, block: bool = True) -> int:
        from .lang.csd import parse_csd

        try:
            doc = parse_csd(text, "csd")
        except CsoundError as exc:
            self.message(str(exc))
            return CSOUND_ERROR
        return self._compile_csd_doc(doc, "csd", block)

    def _compile_csd_doc(self, doc: Any, name: str, block: bool) -> int:
        from .options import parse_flags

        if self._started:
            if doc.options:
                self.message("Skipping <CsOptions>")
        else:
            try:
                parse_flags(list(doc.options), self.options)
            except OptionError as exc:
                self.message(f"Csound Command ERROR:    {exc.message}")
                return CSOUND_ERROR
        for msg in getattr(doc, "messages", []):
            self.message(msg)
        if getattr(doc, "midifile", None):
            self._midifile_data = doc.midifile
        if doc.orchestra is not None:
            if self.compileOrc(doc.orchestra, block, name, max(doc.orchestra_line - 1, 0)):
                return CSOUND_ERROR
        if doc.score is not None:
            if self._started:
                return self.readScore(doc.score)
            self._score_texts.append(doc.score)
        return CSOUND_SUCCESS

    def compileCommandLine(self, *args: Any) -> int:
        """Options and csd/orc/sco files exactly as on the command line."""
        from .options import parse_flags

        argv = [str(a) for a in (args[0] if len(args) == 1 and not isinstance(args[0], str)
                                 else args)]
        if argv and os.path.basename(argv[0]) in ("csound", "csoundpy"):
            argv = argv[1:]
        try:
            opts = parse_flags(argv, type(self.options)())
        except OptionError as exc:
            self.message(f"Csound Command ERROR:    {exc.message}")
            return CSOUND_ERROR
        inputs = list(getattr(opts, "inputs", []) or [])
        files_first = [a for a in argv if a not in inputs]
        if inputs and inputs[0].lower().endswith(".csd"):
            if self.compileCsd(inputs[0]):
                return CSOUND_ERROR
        try:
            parse_flags(files_first, self.options)
        except OptionError as exc:
            self.message(f"Csound Command ERROR:    {exc.message}")
            return CSOUND_ERROR
        if inputs and not inputs[0].lower().endswith(".csd"):
            try:
                with open(inputs[0], encoding="utf-8", errors="replace") as fh:
                    orc = fh.read()
                sco = None
                if len(inputs) > 1:
                    with open(inputs[1], encoding="utf-8", errors="replace") as fh:
                        sco = fh.read()
            except OSError as exc:
                self.message(f"main: failed to open input file - {exc.filename}")
                return CSOUND_ERROR
            self._base_dir = os.path.dirname(os.path.abspath(inputs[0]))
            if self.compileOrc(orc, filename=os.path.basename(inputs[0])):
                return CSOUND_ERROR
            if sco is not None:
                self._score_texts.append(sco)
        return CSOUND_SUCCESS

    # ------------------------------------------------------------------ performance
    def start(self) -> int:
        """Open the output, print the banner, place the score; idempotent."""
        return self._call(self._start)

    def _start(self) -> int:
        if self._started:
            return CSOUND_SUCCESS
        if self.engine is None and self._compile_checked("", "orchestra", 0) != CSOUND_SUCCESS:
            return CSOUND_ERROR
        if self._score_texts:
            from .lang.score import parse_score

            try:
                self._score = parse_score("\n".join(self._score_texts), "score",
                                          self._macros("smacros"), [self._base_dir], 0,
                                          getattr(self.options, "tempo", None))
            except CsoundError as exc:
                self._report_compile_error(exc)
                return CSOUND_ERROR
            self._score_texts = []
            for w in self._score.warnings:
                self.message(w)
        self._started = True
        self._t0 = time.process_time()
        self._wall0 = time.perf_counter()
        self._print_banner()
        try:
            self._open_midi()
            self._open_output()
        except CsoundError as exc:
            self.message(str(exc))
            self._perf_status = CSOUND_ERROR
            return CSOUND_ERROR
        from .engine.scheduler import ScorePlayer

        self._player = ScorePlayer(self.engine, self._score)
        if self._score is None or not self._score.sections:
            self.engine.message("SECTION 1:")
        self._player.start()
        if self._offset > 0:
            self._apply_offset()
        return CSOUND_SUCCESS

    def _print_banner(self) -> None:
        from . import __version__

        opts, eng = self.options, self.engine
        level = int(opts.msglevel)
        self._write(f"--Csound version 7.0 (double samples) csoundpy {__version__}\n"
                    f"[commit: csoundpy-{__version__}]\n")
        try:
            import soundfile

            self._write(f"libsndfile-{soundfile.__libsndfile_version__}\n")
        except Exception:
            pass
        if level:
            displays = getattr(opts, "displays", True)
            self._write("graphics suppressed, ascii substituted\n" if displays
                        else "displays suppressed\n")
        self._write(f"sr = {eng.sr:.1f}, kr = {eng.kr:.3f}, ksmps = {eng.ksmps}\n"
                    f"0dBFS level = {eng.e0dbfs:.1f}, A4 tuning = {float(eng.consts.a4):.1f}\n")
        if level:
            self._write("orch now loaded\n")

    def _open_midi(self) -> None:
        """-F FILE, else the CSD's <CsMidifileB>: a MIDI file feeding the engine."""
        from .engine.midi import MidiFileSource, MidiOptions

        opts = self.options
        data = getattr(self, "_midifile_data", None)
        if opts.midifile is None and data is None:
            return
        mopts = MidiOptions.from_options(opts)
        if opts.midifile is not None:
            path = opts.midifile
            if not os.path.isabs(path) and not os.path.exists(path) and self._base_dir:
                alt = os.path.join(self._base_dir, path)
                path = alt if os.path.exists(alt) else path
            source = MidiFileSource.open(self.engine, path, mopts, opts.midifile)
        else:
            source = MidiFileSource(self.engine, data, "<CsMidifileB>", mopts)
        self.engine.midi_source = source

    def _buffer_frames(self) -> int:
        opts = self.options
        sw, _ = buffer_sizes(opts.iobufsamps, opts.hardwarebufsamps, self.ksmps(),
                             opts.realtime_output)
        return sw

    def _open_output(self) -> None:
        from .options import output_file_name, sample_format

        opts, engine = self.options, self.engine
        if self._host_io:
            return
        realtime = opts.realtime_output
        sw, hw = buffer_sizes(opts.iobufsamps, opts.hardwarebufsamps, engine.ksmps, realtime,
                              self._write)
        self._write(f"audio buffered in {sw} sample-frame blocks\n")
        if opts.nosound:
            self._write("not writing to sound disk\n")
            if not realtime:  # peaks are still tracked: per chunk, not per block
                engine.set_output_chunk(max(sw, 4096))
            return
        config = StreamConfig(engine.sr, engine.nchnls, engine.nchnls_i, engine.ksmps,
                              engine.e0dbfs, sw, hw, message=self._write)
        if realtime:
            config.device = opts.output or "dac"
            driver: AudioDriver = realtime_driver(opts.rtaudio)
        else:
            subtype, container = sample_format(opts)
            path = output_file_name(opts)
            config.device = path
            driver = FileDriver(path, subtype, container)
        driver.open(config)
        self._driver = driver
        engine.sink = driver.write
        if not realtime:
            engine.set_output_chunk(max(sw, 4096))

    def performKsmps(self) -> bool:
        """Compute one block; True when the performance has finished."""
        pt = self._thread
        if pt is not None and pt.isRunning() and not pt._on_thread():
            raise RuntimeError("performKsmps() while a PerformanceThread runs this engine")
        with self._lock:
            return self._perform_once()

    def _perform_once(self, span: bool = False) -> bool:
        """One block (`span`: as many as the engine can run natively at once)."""
        if not self._started and self._start() != CSOUND_SUCCESS:
            self._perf_status = CSOUND_ERROR
            return True
        if self._finished:
            return True
        engine = self.engine
        if not (engine.perform_blocks() if span else engine.perform_block()):
            self._finished = True
            self._score_ended = not self.engine.ended
            return True
        return False

    def _perform_block_on_thread(self) -> bool:
        with self._lock:
            return self._perform_once()

    def _last_block(self) -> np.ndarray:
        return self.engine.spout

    def perform(self) -> int:
        """Run until the end of the score: 1 at its end, 0 after stop(), <0 on error."""
        self._stop_flag = False
        offline = (self._thread is None and self.engine is not None
                   and not self.options.realtime_output)
        if offline:
            self.engine.skip_idle = True
        while not self._stop_flag:
            if offline:
                with self._lock:
                    finished = self._perform_once(span=True)
            else:
                finished = self.performKsmps()
            if finished:
                if self._perf_status < 0:
                    return self._perf_status
                if self._score_ended:
                    self._write("Score finished in csoundPerform().\n")
                return 1
        return 0

    def stop(self) -> None:
        """Stop the performance thread (and join it), or make perform() return."""
        pt = self._thread
        if pt is not None:
            if not pt._on_thread():
                pt.stop()
                pt.join()
                self._thread = None
            else:
                pt.stop()
            return
        self._stop_flag = True

    def cleanup(self) -> int:
        """End of performance: close the output, print the end summary (once)."""
        return self._call(self._cleanup)

    def _cleanup(self) -> int:
        if self._cleaned:
            return CSOUND_SUCCESS
        self._cleaned = True
        engine, opts = self.engine, self.options
        if engine is not None:
            engine.flush_output()
            engine.end_performance()
        level = int(opts.msglevel)
        if engine is not None and self._started:
            if level:
                self.message("inactive allocs returned to freespace")
            prefix = "end of score." if self._score_ended else ""
            lines = f"{prefix}\t\t   overall amps:{engine.format_amps(engine.peaks)}"
            driver = self._driver
            if not (isinstance(driver, FileDriver) and driver.subtype in ("FLOAT", "DOUBLE")):
                lines += ("\n\t   overall samples out of range:"
                          + "".join(f"{int(n):9d}" for n in engine.out_of_range))
            self.message(lines)
        self.message(f"{self.error_count()} errors in performance")
        if self._started and level & 128:
            self.message(f"Elapsed time at end of performance: real: "
                         f"{time.perf_counter() - self._wall0:.3f}s, "
                         f"CPU: {time.process_time() - self._t0:.3f}s")
        if self._driver is not None:
            line = self._driver.close()
            self._driver = None
            if line:
                self.message(line)
        return CSOUND_SUCCESS

    def abort_output(self) -> None:
        if self._driver is not None:
            self._driver.abort()
            self._driver = None

    def error_count(self) -> int:
        return (self.engine.perf_errors if self.engine else 0) + self.compile_errors

    def reset(self) -> None:
        """Clean up, then back to a fresh engine: options, instruments, tables, channels."""
        from .options import Options

        pt = self._thread
        if pt is not None:
            self.stop()
        with self._lock:
            if self._started:
                self._cleanup()
            self.options = Options()
            self.engine = None
            self._score = None
            self._score_texts = []
            self.compile_errors = 0
            self._pending_events = []
            self._bus.clear()
            self._bus.ksmps = None
            self._reset_performance_state()

    def destroy(self) -> None:
        """Stop a running thread, print the end summary if not printed, close files."""
        try:
            if self._thread is not None and self._thread.isRunning():
                self.stop()
            if self._started and not self._cleaned:
                self.cleanup()
        except Exception:
            pass

    def __del__(self) -> None:
        self.destroy()

    # ------------------------------------------------------------------ host audio I/O
    def spout(self) -> np.ndarray:
        """Interleaved view of the last block's output (ksmps * nchnls)."""
        if self.engine is None:
            return np.zeros(0)
        return self.engine.spout.T.reshape(-1)

    def spin(self) -> np.ndarray:
        """Interleaved view of the next block's input (ksmps * nchnlsInput); write into it."""
        if self.engine is None:
            return np.zeros(0)
        return self.engine.spin.T.reshape(-1)

    # ------------------------------------------------------------------ events
    def event(self, kind: str, pfields: Sequence[float] | float, block: bool = True) -> None:
        """A real-time event (p2 relative to now; before start: to time 0)."""
        kind, fields = self._check_event(kind, pfields)
        self._call(self._event_now, kind, fields, wait=block)

    def scoreEvent(self, kind: str, pfields: Sequence[float] | float) -> int:
        self.event(kind, pfields, True)
        return CSOUND_SUCCESS

    def scoreEventAsync(self, kind: str, pfields: Sequence[float] | float) -> None:
        self.event(kind, pfields, False)

    def scoreEventAbsolute(self, kind: str, pfields: Sequence[float],
                           timeOffset: float = 0.0) -> int:
        """p2 measured from the start of the performance (+ timeOffset)."""
        kind, fields = self._check_event(kind, pfields)
        if len(fields) > 1 and not isinstance(fields[1], str):
            fields[1] += timeOffset
        self._call(self._thread_event, True, kind, fields)
        return CSOUND_SUCCESS

    @staticmethod
    def _check_event(kind: str, pfields: Any) -> tuple[str, list]:
        if not isinstance(kind, str) or len(kind) != 1 or kind not in _EVENT_KINDS:
            raise ValueError(f"unknown event type {kind!r}")
        if isinstance(pfields, (int, float, np.number)):
            pfields = [pfields]
        fields = []
        for p in pfields:
            if isinstance(p, str):
                fields.append(p)
            else:
                fields.append(float(p))
        return kind, fields

    def _event_now(self, kind: str, pfields: list) -> None:
        if self.engine is None:
            self._pending_events.append((kind, pfields))
            return
        if kind == "d":
            kind = "i"
            if pfields and not isinstance(pfields[0], str):
                pfields = [-abs(pfields[0]), *pfields[1:]]
        self.engine.schedule_realtime(kind, list(pfields))

    def _thread_event(self, absolute: bool, kind: str, pfields: list) -> None:
        """PerformanceThread.scoreEvent semantics (Top/csPerfThread.cpp)."""
        p = list(pfields)
        if absolute and len(p) > 1 and not isinstance(p[1], str):
            p[1] -= self.scoreTime()
            if p[1] < 0:
                if kind in "ia" and len(p) > 2 and not isinstance(p[2], str) and p[2] >= 0:
                    p[2] += p[1]
                    if p[2] <= 0:
                        return
                p[1] = 0.0
        self._event_now(kind, p)

    def eventString(self, message: str, block: bool = True) -> None:
        """Score line(s): before start appended to the score, after start real-time events."""
        self._call(self._event_string, message, wait=block)

    def inputMessage(self, message: str) -> None:
        self.eventString(message, True)

    def inputMessageAsync(self, message: str) -> None:
        self.eventString(message, False)

    def _event_string(self, message: str) -> None:
        if not self._started:
            self._score_texts.append(message)
            return
        from .lang.score import parse_line_events

        try:
            events = parse_line_events(message, "line")
        except CsoundError as exc:
            self.message(str(exc))
            return
        for ev in events:
            self._event_now(ev.opcode, list(ev.pfields))

    def readScore(self, text: str, block: bool = True) -> int:
        """A full score: before start it becomes the score; after, events relative to now."""
        result = self._call(self._read_score, text, wait=block)
        return CSOUND_SUCCESS if result is None else result

    def readScoreAsync(self, text: str) -> int:
        return self.readScore(text, False)

    def _read_score(self, text: str) -> int:
        if not self._started:
            self._score_texts.append(text)
            return CSOUND_SUCCESS
        from .lang.score import parse_score

        try:
            score = parse_score(text, "score", self._macros("smacros"), [self._base_dir])
        except CsoundError as exc:
            self._report_compile_error(exc)
            return CSOUND_ERROR
        offset = 0.0
        for section in score.sections:
            for ev in section.events:
                p = list(ev.pfields)
                if ev.opcode == "e":
                    continue
                if len(p) > 1 and not isinstance(p[1], str):
                    p[1] = float(p[1]) + offset
                self._event_now(ev.opcode, p)
            offset += section.end
        return CSOUND_SUCCESS

    def setEndMarker(self, time: float) -> None:
        """The performance ends `time` seconds from now."""
        self.event("e", [0.0, float(time)])

    def killInstance(self, instr: float | str, mode: int = 0, allowRelease: bool = True) -> int:
        """Turn off instances of an instrument (turnoff2 modes)."""
        return self._call(self._kill, instr, int(mode), bool(allowRelease))

    def _kill(self, instr: float | str, mode: int, allow_release: bool) -> int:
        if self.engine is None:
            return CSOUND_ERROR
        number = self.engine.instr_number(instr)
        if number is None or int(number) not in self.engine.instruments:
            return CSOUND_ERROR
        self.engine.turnoff_instr(float(number), mode, allow_release)
        return CSOUND_SUCCESS

    def instrNumber(self, name: str) -> int:
        if self.engine is None:
            return -1
        return int(self.engine.names.get(name, -1))

    def isScorePending(self) -> bool:
        return self._score_pending

    def setScorePending(self, pending: bool) -> None:
        """When False, score events are held back (real-time events still play)."""
        self._call(self._set_score_pending, bool(pending))

    def _set_score_pending(self, pending: bool) -> None:
        if pending == self._score_pending:
            return
        self._score_pending = pending
        engine = self.engine
        if engine is None:
            return
        if not pending:
            self._held_score = [ev for ev in engine.queue if not ev.realtime]
            engine.queue[:] = [ev for ev in engine.queue if ev.realtime]
        else:
            import bisect

            for ev in self._held_score:
                if ev.block >= engine.kcount:
                    bisect.insort(engine.queue, ev)
            self._held_score = []

    def scoreOffsetSeconds(self) -> float:
        return self._offset

    def setScoreOffsetSeconds(self, t: float) -> None:
        """Skip the score up to `t` seconds (notes spanning `t` start shortened)."""
        self._call(self._set_offset, max(float(t), 0.0))

    def _set_offset(self, t: float) -> None:
        self._offset = t
        if self._started:
            self._rewind()

    def rewindScore(self) -> None:
        """Restart the score from the offset."""
        self._call(self._rewind)

    def _rewind(self) -> None:
        engine = self.engine
        if engine is None or not self._started:
            return
        from .engine.scheduler import ScorePlayer

        engine.queue[:] = [ev for ev in engine.queue if ev.realtime]
        self._held_score = []
        self._finished = False
        self._player = ScorePlayer(engine, self._score)
        self._player.start()
        self._offset_blocks = 0
        if self._offset > 0:
            self._apply_offset()

    def _apply_offset(self) -> None:
        """Move the placed score events back by the offset (Csound's -+skip_seconds)."""
        engine = self.engine
        base = engine.kcount
        shift = engine.block_of(self._offset)
        kept = []
        for ev in engine.queue:
            if ev.realtime:
                kept.append(ev)
                continue
            p = ev.pfields
            start = float(p[1]) if len(p) > 1 and not isinstance(p[1], str) else 0.0
            if ev.opcode == "i" and start < self._offset:
                dur = float(p[2]) if len(p) > 2 and not isinstance(p[2], str) else 0.0
                if dur >= 0 and start + dur <= self._offset:
                    continue
                if dur >= 0:
                    p[2] = start + dur - self._offset
                start = self._offset
            if ev.opcode == "i" and len(p) > 1:
                p[1] = max(start - self._offset, 0.0)
            ev.block = max(ev.block - shift, base)
            kept.append(ev)
        kept.sort()
        engine.queue[:] = kept
        self._player.min_end_block = max(self._player.min_end_block - shift, base)

    # ------------------------------------------------------------------ channels
    def channelPtr(self, name: str, kind: str = "control", mode: str = "r") -> tuple[Any, str]:
        """(numpy view of the channel, '') or (None, error text); creates the channel."""
        if not isinstance(name, str) or not name:
            return None, "The specified channel name or type is not valid"
        if isinstance(kind, int):
            ctype = kind & _chn.TYPE_MASK
            bits = kind & (_chn.INPUT | _chn.OUTPUT) or _chn.INPUT
        else:
            ctype = _CHANNEL_KINDS.get(str(kind).lower(), 0)
            bits = _MODE_BITS.get(str(mode).lower(), 0)
        if ctype not in (_chn.CONTROL, _chn.AUDIO, _chn.STRING) or not bits:
            return None, "The specified channel name or type is not valid"
        err, chan = self._bus.get(name, ctype | bits)
        if err > 0:
            article = _CHANNEL_ARTICLE.get(err & _chn.TYPE_MASK, "A")
            return None, f"{article} channel named {name} already exists"
        if err == CSOUND_MEMORY:
            return None, "Not enough memory for allocating channel"
        if err:
            return None, "The specified channel name or type is not valid"
        if ctype == _chn.STRING:
            return StringChannel(chan.data), ""
        return chan.data, ""

    def setControlChannel(self, name: str, value: float) -> None:
        """Set a control channel (created if missing); chnget sees it at the next block."""
        err, chan = self._bus.get(name, _chn.CONTROL | _chn.INPUT)
        if not err:
            chan.data[0] = float(value)

    def controlChannel(self, name: str) -> tuple[float, int]:
        """(value, 0), or (0.0, CSOUND_ERROR) when there is no such control channel."""
        chan = self._bus.find(name) if isinstance(name, str) else None
        if chan is None or chan.kind != _chn.CONTROL:
            return 0.0, CSOUND_ERROR
        return float(chan.data[0]), CSOUND_SUCCESS

    def _audio(self, name: str, samples: Any, writing: bool) -> np.ndarray:
        ksmps = self.ksmps()
        if samples is not None:
            samples = np.asarray(samples) if writing else samples
            if samples.ndim != 1 or samples.shape[0] < ksmps:
                raise ValueError(f"samples must be a 1-D array of at least {ksmps} values")
        err, chan = self._bus.get(name, _chn.AUDIO | (_chn.INPUT if writing else _chn.OUTPUT))
        if err:
            raise ValueError(f"cannot use audio channel {name!r}")
        return chan.data

    def audioChannel(self, name: str, samples: np.ndarray | None = None) -> np.ndarray:
        """Copy the channel's ksmps samples into `samples` (a new array if None)."""
        data = self._audio(name, samples, False)
        if samples is None:
            return data.copy()
        samples[:data.shape[0]] = data
        return samples

    def setAudioChannel(self, name: str, samples: np.ndarray) -> None:
        data = self._audio(name, samples, True)
        data[:] = np.asarray(samples, dtype=float)[:data.shape[0]]

    def stringChannel(self, name: str) -> str:
        chan = self._bus.find(name) if isinstance(name, str) else None
        if chan is None or chan.kind != _chn.STRING:
            return ""
        return chan.data.value

    def setStringChannel(self, name: str, value: str) -> None:
        err, chan = self._bus.get(name, _chn.STRING | _chn.INPUT)
        if not err:
            chan.data.value = str(value)

    def channelInfo(self, name: str) -> tuple[str, int]:
        chan = self._bus.find(name) if isinstance(name, str) else None
        if chan is None:
            return "", 0
        return _chn.KIND_NAMES.get(chan.kind, ""), chan.type & (_chn.INPUT | _chn.OUTPUT)

    def channelVarTypeName(self, name: str) -> str:
        return self.channelInfo(name)[0]

    def channelDatasize(self, name: str) -> int:
        chan = self._bus.find(name)
        if chan is None:
            return 0
        if chan.kind == _chn.STRING:
            return len(chan.data.value.encode()) + 1
        return int(chan.data.nbytes)

    def allocatedChannels(self) -> list[ChannelInfo]:
        return [ChannelInfo(c.name, _chn.KIND_NAMES.get(c.kind, ""),
                            c.type & (_chn.INPUT | _chn.OUTPUT), c.hints)
                for c in self._bus.sorted_channels()]

    def listChannels(self) -> tuple[list[ChannelInfo] | None, str]:
        chans = self.allocatedChannels()
        return (chans if chans else None), ""

    def deleteChannelList(self, lst: Any) -> None:
        pass

    def setControlChannelHints(self, name: str, hints: Any = None, behav: int = 0,
                               dflt: float = 0.01, min: float = 0.0, max: float = 1.0,
                               x: int = 0, y: int = 0, width: int = 0, height: int = 0,
                               attributes: str | None = None) -> int:
        if hints is None:
            hints = _chn.ChannelHints(behav, dflt, min, max, x, y, width, height, attributes)
        return self._bus.set_hints(name, hints)

    def controlChannelHints(self, name: str) -> tuple[Any, str]:
        chan = self._bus.find(name)
        if chan is None or chan.kind != _chn.CONTROL or chan.hints.behav == 0:
            return None, "No hints for this channel"
        return chan.hints, ""

    def setInputChannelCallback(self, fn: Callable | None) -> None:
        """fn(csound, name, value, type) for invalue: write value[0] (or value.value)."""
        self._bus.input_callback = fn

    def setOutputChannelCallback(self, fn: Callable | None) -> None:
        """fn(csound, name, value, type) for outvalue."""
        self._bus.output_callback = fn

    # ------------------------------------------------------------------ tables
    def _table(self, n: Any) -> Any:
        if self.engine is None:
            return None
        try:
            return self.engine.tables.get(int(n))
        except (TypeError, ValueError, OverflowError):
            return None

    def table(self, n: int) -> np.ndarray | None:
        """View of table n's points (guard point excluded), sharing memory; None if absent."""
        t = self._table(n)
        return None if t is None else t.data[:t.size]

    def tableLength(self, n: int) -> int:
        t = self._table(n)
        return -1 if t is None else int(t.size)

    def tableArgs(self, n: int) -> np.ndarray | None:
        """[gen, arg1, arg2, ...] as given in the f statement or ftgen."""
        t = self._table(n)
        if t is None:
            return None
        return np.array([float(a) if not isinstance(a, str) else math.nan for a in t.args])

    def tableGet(self, n: int, index: int) -> float:
        return float(self.table(n)[int(index)])

    def tableSet(self, n: int, index: int, value: float) -> None:
        self.table(n)[int(index)] = value

    def tableCopyOut(self, n: int, dest: np.ndarray | None = None) -> np.ndarray:
        data = self.table(n)
        if dest is None:
            return data.copy()
        dest[:data.shape[0]] = data
        return dest

    def tableCopyIn(self, n: int, src: np.ndarray) -> None:
        data = self.table(n)
        data[:] = np.asarray(src, dtype=float)[:data.shape[0]]

