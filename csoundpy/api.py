"""The Python API: libcsound's `Csound` class (Csound 7 names, Csound 6 aliases).

One `Csound` owns one engine.  Orchestra text is compiled at once (the first
orchestra's header fixes sr, ksmps, nchnls and 0dbfs and creates the engine);
`start()` opens the output and places the score on the timeline;
`performKsmps()` computes one block.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Callable

import numpy as np

from . import opcodes as _opcodes  # noqa: F401  (registers every family)
from .compile.expand import Compiler
from .engine.engine import Engine
from .engine.scheduler import ScorePlayer
from .errors import CsoundError, FileError, OptionError
from .lang.parser import parse_orchestra, udo_names
from .lang.preprocess import preprocess
from .lang.score import parse_score
from .opcodes._registry import REGISTRY
from .options import Options, parse_flags, resolve_rates, split_option_string

CSOUND_SUCCESS = 0
CSOUND_ERROR = -1
CSOUND_INITIALIZATION = -2
CSOUND_PERFORMANCE = -3
CSOUND_MEMORY = -4
CSOUND_SIGNAL = -5
CSOUND_EXITJMP_SUCCESS = 256


class Csound:
    """A Csound engine instance, driven like libcsound's `Csound`."""

    def __init__(self, hostData: Any = None, opcodeDir: str = "", pointer: Any = None) -> None:
        self.options = Options()
        self._host_data = hostData
        self.engine: Engine | None = None
        self._score_texts: list[tuple[str, str, int]] = []
        self._started = False
        self._finished = False
        self._player: ScorePlayer | None = None
        self._writer = None
        self._message_cb: Callable[[str], None] | None = None
        self._base_dir = "."
        self.compile_errors = 0
        self._cleaned = False
        self._t0 = 0.0

    # ------------------------------------------------------------------ messages
    def _write(self, text: str) -> None:
        if self._message_cb is not None:
            self._message_cb(text)
        else:
            sys.stderr.write(text)

    def message(self, text: str) -> None:
        self._write(text if text.endswith("\n") else text + "\n")

    def setMessageStringCallback(self, attr: int, fn: Callable[[int, str], None]) -> None:
        self._message_cb = lambda text: fn(attr, text)

    # ------------------------------------------------------------------ options
    def setOption(self, option: str) -> int:
        """Apply one or several command-line flags; only before start()."""
        if self._started:
            return 1
        try:
            parse_flags(split_option_string(option), self.options)
        except OptionError as exc:
            self.message(f"Csound Command ERROR:    {exc.message}")
            return CSOUND_ERROR
        return CSOUND_SUCCESS

    # ------------------------------------------------------------------ figures
    def sr(self) -> float:
        return self.engine.sr if self.engine else 44100.0

    def kr(self) -> float:
        return self.engine.kr if self.engine else 4410.0

    def ksmps(self) -> int:
        return self.engine.ksmps if self.engine else 10

    def nchnls(self) -> int:
        return self.engine.nchnls if self.engine else 1

    def nchnlsInput(self) -> int:
        return self.engine.nchnls_i if self.engine else 1

    def get0dBFS(self) -> float:
        return self.engine.e0dbfs if self.engine else 32768.0

    def A4(self) -> float:
        return float(self.engine.consts.a4) if self.engine else 440.0

    def currentTimeSamples(self) -> int:
        return self.engine.kcount * self.engine.ksmps if self.engine else 0

    def scoreTime(self) -> float:
        return self.engine.kcount / self.engine.kr if self.engine else 0.0

    # ------------------------------------------------------------------ compile
    def _macros(self, kind: str) -> dict[str, str]:
        return dict(getattr(self.options, kind, {}) or {})

    def compileOrc(self, orc: str, block: bool = True, filename: str = "orchestra",
                   line_offset: int = 0) -> int:
        """Compile orchestra text; 0 on success, CSOUND_ERROR on any error."""
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
        include_dirs = [self._base_dir]
        source = preprocess(orc, filename, self._macros("omacros"), include_dirs, line_offset)
        udos = udo_names(source.text)
        known_udos = set(self.engine.udos) if self.engine else set()

        def is_opcode(name: str) -> bool:
            return name in REGISTRY or name in udos or name in known_udos

        tree = parse_orchestra(source, is_opcode)
        if self.engine is None:
            globals_table: dict = {}
            compiled = Compiler(globals_table).compile(tree)
            self._create_engine(compiled.header)
            assert self.engine is not None
            for name, var in globals_table.items():
                self.engine.global_table.setdefault(name, var)
        else:
            compiled = self.engine.compiler().compile(tree)
        self.engine.compile_orchestra(compiled)

    def _create_engine(self, header: dict[str, float]) -> None:
        opts = self.options
        sr, kr, ksmps = resolve_rates(header, opts)
        nchnls = int(opts.nchnls if opts.nchnls is not None else header.get("nchnls", 1))
        nchnls = max(nchnls, 1)
        if opts.nchnls_i is not None:
            nchnls_i = int(opts.nchnls_i)
        elif "nchnls_i" in header:
            nchnls_i = int(header["nchnls_i"])
        else:
            nchnls_i = nchnls
        e0dbfs = float(opts.e0dbfs if opts.e0dbfs is not None else header.get("0dbfs", 32768.0))
        a4 = float(header.get("A4", 440.0))
        self.engine = Engine(sr, int(ksmps), nchnls, nchnls_i, e0dbfs, a4,
                             msg_level=int(opts.msg_level), write=self._write,
                             search_dirs=[self._base_dir])

    def evalCode(self, code: str) -> float:
        """Compile and run global code now; returns the value of its `return`."""
        if self.engine is None:
            self.compileOrc("")
        self.engine.return_value = None
        if self.compileOrc(code) != CSOUND_SUCCESS:
            return 0.0
        value = self.engine.return_value
        return float(value) if value is not None else 0.0

    def readScore(self, text: str) -> int:
        try:
            score = parse_score(text, "score", self._macros("smacros"), [self._base_dir])
        except CsoundError as exc:
            self._report_compile_error(exc)
            return CSOUND_ERROR
        if self._started and self.engine is not None:
            for section in score.sections:
                for ev in section.events:
                    self.engine.schedule_realtime(ev.opcode, list(ev.pfields))
        else:
            self._score = score
        return CSOUND_SUCCESS

    # ------------------------------------------------------------------ performance
    def start(self) -> int:
        if self._started:
            return CSOUND_SUCCESS
        if self.engine is None:
            if self.compileOrc("") != CSOUND_SUCCESS:
                return CSOUND_ERROR
        self._started = True
        self._t0 = time.process_time()
        try:
            self._open_output()
        except CsoundError as exc:
            self.message(str(exc))
            return CSOUND_ERROR
        self._player = ScorePlayer(self.engine, getattr(self, "_score", None))
        self._player.start()
        return CSOUND_SUCCESS

    def _open_output(self) -> None:
        from .io.soundfile import SoundFileWriter
        from .options import output_file_name, sample_format

        opts = self.options
        engine = self.engine
        if opts.nosound or opts.realtime_output:
            return
        path = output_file_name(opts)
        subtype, container = sample_format(opts)
        self._writer = SoundFileWriter(path, int(engine.sr), engine.nchnls, subtype, container,
                                       scale=1.0 / engine.e0dbfs)
        engine.sink = self._writer.write

    def performKsmps(self) -> bool:
        """Compute one block; True when the performance has finished."""
        if not self._started and self.start() != CSOUND_SUCCESS:
            return True
        if self._finished:
            return True
        if not self._player.step():
            self._finished = True
            return True
        self.engine.perform_block()
        return False

    def perform(self) -> int:
        """Run to the end of the score."""
        if not self._started and self.start() != CSOUND_SUCCESS:
            return CSOUND_ERROR
        while not self.performKsmps():
            pass
        return CSOUND_SUCCESS

    def cleanup(self) -> int:
        """End the performance: summary messages, close the output file."""
        if self._cleaned:
            return CSOUND_SUCCESS
        self._cleaned = True
        engine = self.engine
        if engine is not None and self._started:
            self.message("inactive allocs returned to freespace")
            self.message(f"end of score.\t\t   overall amps:{engine.format_amps(engine.peaks)}")
            self.message("\t   overall samples out of range:"
                         + "".join(f"{int(n):9d}" for n in engine.out_of_range))
        errors = (engine.perf_errors if engine else 0) + self.compile_errors
        self.message(f"{errors} errors in performance")
        if self._writer is not None:
            self._writer.close()
            self.message(f"{self._writer.frames} sample frames written to {self._writer.path}")
            self._writer = None
        return CSOUND_SUCCESS

    def abort_output(self) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None

    def error_count(self) -> int:
        return (self.engine.perf_errors if self.engine else 0) + self.compile_errors
