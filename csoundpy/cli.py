"""The `csoundpy` command: argv -> Options -> Csound -> exit status.

Start-up and exit are a large part of a short render: the heavy imports
happen only once the command line asks for a performance, and the process
ends without the interpreter's teardown (`_exit`).
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
import threading
from typing import NoReturn, Sequence

from .errors import CsoundError, OptionError

# The engine computes on one thread; OpenBLAS's worker threads (numpy starts
# them when it loads) would spin on the other cores after any BLAS call.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _list_opcodes(level: int) -> None:
    from . import opcodes  # noqa: F401
    from .opcodes._registry import REGISTRY

    names = sorted(n for n in REGISTRY if not n.startswith("##"))
    if level == 0:
        for i in range(0, len(names), 4):
            sys.stderr.write("".join(f"{n:<20}" for n in names[i:i + 4]).rstrip() + "\n")
        sys.stderr.write(f"{len(names)} opcodes\n")
        return
    count = 0
    for n in names:
        for e in REGISTRY[n]:
            sys.stderr.write(f"{n:<12}{e.outs or '(null)':<12}{e.ins}\n")
            count += 1
    sys.stderr.write(f"{count} opcodes\n")


def run(argv: Sequence[str]) -> int:
    """Run the command line; returns the exit status."""
    return _run(argv, owns_process=False)


def _run(argv: Sequence[str], owns_process: bool) -> int:
    from . import __version__
    from .options import HELP, USAGE, Options, parse_flags

    try:
        cli_opts = parse_flags(list(argv), Options())
    except OptionError as exc:
        sys.stderr.write(USAGE)
        sys.stderr.write(f"Csound Command ERROR:    {exc.message}\n")
        return 1
    if cli_opts.help:
        sys.stderr.write(HELP)
        return 0
    if cli_opts.version:
        sys.stderr.write(f"--Csound version 7.0 (double samples) csoundpy {__version__}\n"
                         f"[commit: csoundpy {__version__}]\n")
        return 0
    if cli_opts.list_opcodes is not None:
        _list_opcodes(cli_opts.list_opcodes)
        return 0
    if not cli_opts.inputs:
        sys.stderr.write(USAGE)
        return 1
    if owns_process:
        # What the imports make lives until the process ends: no collection while
        # they run (~5 % of a short render), then out of the collector's sight,
        # so that the collections during the render and the one in `_exit` only
        # look at objects made since.
        gc.disable()
    try:
        from .api import Csound
    finally:
        if owns_process:
            gc.freeze()
            gc.enable()
    cs = Csound()
    try:
        status = _render(cs, cli_opts, list(argv))
    except KeyboardInterrupt:
        cs.cleanup()
        return max(cs.error_count(), 1)
    return status


def _render(cs, cli_opts, argv: list[str]) -> int:
    from .lang.csd import read_csd, write_embedded_files
    from .options import parse_flags

    inputs = list(cli_opts.inputs)
    first = inputs[0]
    cs._base_dir = os.path.dirname(os.path.abspath(first))
    cleanup_paths: list[str] = []
    try:
        if first.lower().endswith(".csd"):
            doc = read_csd(first)
            if not getattr(cli_opts, "ignore_csopts", False):
                parse_flags(doc.options, cs.options)
            parse_flags(argv, cs.options)
            for msg in doc.messages:
                cs.message(msg)
            if doc.licence:
                cs.message(f"**** Licence Information ****\n{doc.licence}\n"
                           "**** End of Licence Information ****")
            cleanup_paths = write_embedded_files(doc, os.getcwd())
            orc_text, orc_line = doc.orchestra or "", doc.orchestra_line
            score_text, score_line = doc.score, doc.score_line
            if doc.score_bin and score_text is not None:
                from .lang.csd import run_score_bin

                score_text = run_score_bin(doc, score_text)
            orc_name = sco_name = first
        else:
            parse_flags(argv, cs.options)
            orc_name = first
            try:
                with open(first, encoding="utf-8", errors="replace") as fh:
                    orc_text = fh.read()
            except OSError:
                sys.stderr.write(f"main: failed to open input file - {first}\n")
                return 1
            orc_line = 1
            score_text, score_line, sco_name = None, 1, None
            if len(inputs) > 1:
                sco_name = inputs[1]
                try:
                    with open(sco_name, encoding="utf-8", errors="replace") as fh:
                        score_text = fh.read()
                except OSError:
                    sys.stderr.write(f"main: failed to open input file - {sco_name}\n")
                    return 1
    except OptionError as exc:
        sys.stderr.write(f"Csound Command ERROR:    {exc.message}\n")
        return 1
    except CsoundError as exc:
        if exc.span is not None:
            cs._report_compile_error(exc)
        else:
            sys.stderr.write(f"{exc}\n")
        return 1
    except OptionError as exc:
        sys.stderr.write(f"Csound Command ERROR:    {exc.message}\n")
        return 1
    try:
        if cs.compileOrc(orc_text, filename=os.path.basename(orc_name),
                         line_offset=max(orc_line - 1, 0)) != 0:
            cs.message("1 errors in performance")
            return 1
        if score_text is not None:
            from .errors import ParseError
            from .lang.score import parse_score

            try:
                cs._score = parse_score(score_text, os.path.basename(sco_name), cs._macros("smacros"),
                                        [cs._base_dir], max(score_line - 1, 0),
                                        getattr(cs.options, "tempo", None))
            except ParseError as exc:
                cs._report_compile_error(exc)
                return 1
            for w in cs._score.warnings:
                cs.message(w)
        if cs.start() != 0:
            return 1
        previous = signal.getsignal(signal.SIGINT)
        try:
            cs.perform()
        finally:
            signal.signal(signal.SIGINT, previous)
        cs.cleanup()
    except CsoundError as exc:
        cs.abort_output()
        sys.stderr.write(f"{exc}\n")
        return 1
    except BaseException:
        cs.abort_output()
        raise
    finally:
        for path in cleanup_paths:
            try:
                os.unlink(path)
            except OSError:
                pass
    exit_code = getattr(cs.engine, "exit_code", None)
    return int(exit_code) if exit_code is not None else cs.error_count()


def _exit(status: int) -> NoReturn:
    """End the process with `status`, without the interpreter's teardown.

    Tearing down numba's and LLVM's objects one by one costs ~0.1 s of CPU, as
    much as the rest of a short render, and has no effect outside the process.
    What a normal exit does that matters is done here: garbage is collected
    (files left open in dropped objects get closed, so flushed), atexit handlers
    run and stdout/stderr are flushed.  The normal exit is kept when something
    still needs it: a non-daemon thread to wait for, a profiler or tracer
    (`python -m cProfile`, coverage) that reports at exit, or `python -i`.
    """
    main_thread = threading.main_thread()
    if (sys.getprofile() is not None or sys.gettrace() is not None or sys.flags.inspect
            or any(t is not main_thread and not t.daemon for t in threading.enumerate())):
        sys.exit(status)
    gc.collect()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point: runs the command line and ends the process
    (see `_exit`; call `run` to stay in the process).  An unexpected internal
    failure is reported in one line (set CSOUNDPY_DEBUG=1 to see the traceback)."""
    try:
        status = _run(sys.argv[1:] if argv is None else argv, owns_process=True)
    except KeyboardInterrupt:
        status = 1
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if os.environ.get("CSOUNDPY_DEBUG"):
            raise
        sys.stderr.write(f"csoundpy: internal error: {type(exc).__name__}: {exc}\n")
        status = 2
    _exit(status)
