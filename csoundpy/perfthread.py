"""libcsound's `PerformanceThread`: the block loop on its own thread (Top/csPerfThread.cpp).

One FIFO of messages connects every other thread to the performance thread.
Each loop iteration (1) takes *all* pending messages and runs them in order,
(2) unless paused, calls the process callback, (3) computes one block, and
(4) hands the block to the recorder.  While paused the thread sleeps until a
message arrives, so requests are served before `play()` and during a pause.

Direct `Csound` calls made from other threads while the thread lives are
posted to the same FIFO (`Csound._call`) and their caller waits on a future:
every engine change happens on this thread, at a block boundary.  A call made
*on* this thread (process callback, requestCallback, process-queue tasks) runs
at once, so callbacks may use the whole API without deadlock.

Calls through the thread never block, except `evalCode` (without callback),
`join`, `flushMessageQueue`, `flushProcessQueue` and `stopRecord` (which waits
until the file is closed when called from another thread).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable, Sequence

import numpy as np

PROCESS_QUEUE_TASKS_PER_BLOCK = 10


class EvalTimeoutError(TimeoutError, queue.Empty):
    """`PerformanceThread.evalCode` got no answer in time (libcsound raises queue.Empty)."""


class Recorder:
    """Writes the engine output to a sound file from a ring buffer, on its own thread.

    The block loop only copies a block into the ring (`push`); when the ring
    is full the block is dropped with Csound's overrun message, so recording
    never blocks audio.
    """

    # The GIL can keep the writer thread waiting for a few ms, which a
    # 1-buffer ring (seed: numbufs=1, -b256) cannot absorb: keep at least this.
    MIN_SECONDS = 0.5

    def __init__(self, filename: str, sr: float, nchnls: int, e0dbfs: float, samplebits: int,
                 numbufs: int, buffer_frames: int, message: Callable[[str], None]) -> None:
        from .io.soundfile import SoundFileWriter

        container, subtype = record_format(filename, samplebits)
        self.filename = filename
        self.message = message
        self.writer = SoundFileWriter(filename, int(sr), nchnls, subtype, container,
                                      scale=1.0 / e0dbfs)
        frames = max(numbufs * buffer_frames, int(self.MIN_SECONDS * sr), 1)
        self.ring = np.zeros((nchnls, frames))
        self.capacity = frames
        self.write_pos = 0  # frames pushed, ever (producer only)
        self.read_pos = 0  # frames written to the file, ever (consumer only)
        self.wake = threading.Event()
        self.stopping = False
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._run, name="csoundpy-recorder", daemon=True)
        self.thread.start()

    def push(self, block: np.ndarray) -> None:
        n = block.shape[1]
        if self.write_pos - self.read_pos + n > self.capacity:
            self.message("perfThread record buffer overrun.\n")
            return
        start = self.write_pos % self.capacity
        first = min(n, self.capacity - start)
        self.ring[:, start:start + first] = block[:, :first]
        if first < n:
            self.ring[:, :n - first] = block[:, first:]
        self.write_pos += n
        self.wake.set()

    def _run(self) -> None:
        try:
            while True:
                self.wake.wait(0.05)
                self.wake.clear()
                self._drain()
                if self.stopping:
                    self._drain()
                    break
            self.writer.close()
        except Exception as exc:  # a disk error must not reach the block loop
            self.message(f"perfThread record error: {exc}\n")
            self.writer.abort()
        finally:
            self.closed.set()

    def _drain(self) -> None:
        end = self.write_pos
        while self.read_pos < end:
            start = self.read_pos % self.capacity
            n = min(end - self.read_pos, self.capacity - start)
            self.writer.write(self.ring[:, start:start + n].copy())
            self.read_pos += n

    def stop(self) -> None:
        """Ask the writer to flush and close (returns at once)."""
        self.stopping = True
        self.wake.set()


def record_format(filename: str, samplebits: int) -> tuple[str, str]:
    """(container, subtype) for `record`: type from the extension, bits from samplebits."""
    ext = os.path.splitext(filename)[1].lower()
    container = {".flac": "FLAC", ".aif": "AIFF", ".aiff": "AIFF", ".ogg": "OGG",
                 ".caf": "CAF", ".w64": "W64", ".au": "AU"}.get(ext, "WAV")
    if container == "OGG":
        return container, "VORBIS"
    subtype = {16: "PCM_16", 24: "PCM_24", 32: "FLOAT"}.get(int(samplebits), "PCM_16")
    if container == "FLAC" and subtype == "FLOAT":
        subtype = "PCM_24"
    return container, subtype


class PerformanceThread:
    """Runs a `Csound` engine's block loop on a separate thread (libcsound API)."""

    def __init__(self, csound: Any) -> None:
        if getattr(csound, "_thread", None) is not None and csound._thread.isRunning():
            raise RuntimeError("this Csound object already has a performance thread")
        self.csound = csound
        self._cond = threading.Condition()
        self._messages: deque = deque()
        self._closed = False  # no more messages accepted (loop ended)
        self._stop_requested = False
        self._paused = True
        self._status = 0
        self._process_cb: Callable | None = None
        self._process_data: Any = None
        self._process_queue: deque | None = None
        self._recorder: Recorder | None = None
        self._old_recorders: list[Recorder] = []
        self._end_after_block = False  # a stop was handled while the device waited
        csound._thread = self
        self._thread = threading.Thread(target=self._loop, name="csoundpy-performance",
                                        daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ posting
    def _post(self, message: tuple) -> bool:
        """Append a message; False when the loop has ended (nothing queued)."""
        with self._cond:
            if self._closed or self._stop_requested and message[0] not in ("request",):
                return False
            self._messages.append(message)
            self._cond.notify()
        return True

    def _on_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def _request(self, fn: Callable, args: tuple, wait: bool) -> Any:
        """Run fn(*args) on the performance thread (a direct Csound call)."""
        if self._on_thread():
            return fn(*args)
        fut: Future = Future()
        with self._cond:
            if self._closed:
                fut = None
            else:
                self._messages.append(("request", fn, args, fut))
                self._cond.notify()
        if fut is None:
            return self.csound._direct(fn, args)
        if not wait:
            return None
        return fut.result()

    # ------------------------------------------------------------------ control
    def play(self) -> None:
        """Start the engine if needed, then unpause."""
        self._post(("play",))

    def pause(self) -> None:
        self._post(("pause",))

    def togglePause(self) -> None:
        if not self.isRunning():
            raise RuntimeError("the performance thread is not running")
        self._post(("toggle",))

    def stop(self) -> None:
        """Stop the loop (non-blocking); recording stops too."""
        with self._cond:
            if self._closed:
                return
            self._messages.append(("stoprecord", None))
            self._messages.append(("stop",))
            self._stop_requested = True
            self._cond.notify()

    def join(self) -> int:
        """Wait for the loop to end; 1 after stop(), >0 at end of score, <0 on error."""
        if self._on_thread():
            raise RuntimeError("join() called from the performance thread")
        self._thread.join()
        for rec in self._old_recorders:
            rec.closed.wait(10.0)
        return self._status

    def isRunning(self) -> bool:
        return self._thread.is_alive()

    def status(self) -> int:
        return self._status

    # ------------------------------------------------------------------ recording
    def record(self, filename: str, samplebits: int = 16, numbufs: int = 4) -> None:
        """Write the engine output to `filename` while playing (ignored if recording)."""
        self._post(("record", filename, int(samplebits), int(numbufs)))

    def stopRecord(self) -> None:
        """Stop recording; from another thread, returns when the file is closed."""
        done = threading.Event()
        if not self._post(("stoprecord", done)):
            return
        if not self._on_thread():
            done.wait(10.0)

    # ------------------------------------------------------------------ events & code
    def scoreEvent(self, abstime: bool | int, kind: str, pfields: Sequence[float]) -> None:
        """Queue an event; abstime false: p2 relative to when the message is processed."""
        self._post(("event", bool(abstime), kind, [float(p) if not isinstance(p, str) else p
                                                  for p in pfields]))

    def inputMessage(self, s: str) -> None:
        self._post(("input", s))

    def compileOrc(self, code: str) -> None:
        """Compile on the performance thread at the next boundary, before later messages."""
        self._post(("compile", code))

    def evalCode(self, code: str, callback: Callable[[float], Any] | None = None,
                 timeout: float | None = 5.0) -> float:
        """Evaluate code on the performance thread and return its `return` value."""
        if not self.isRunning() or self._closed:
            raise RuntimeError("the performance thread is not running")
        if self._on_thread():
            value = self.csound.evalCode(code)
            if callback is not None:
                callback(value)
                return 0.0
            return value
        if callback is not None:
            self._post(("eval", code, callback, None))
            return 0.0
        fut: Future = Future()
        if not self._post(("eval", code, None, fut)):
            raise RuntimeError("the performance thread is not running")
        try:
            return fut.result(timeout)
        except TimeoutError:
            raise EvalTimeoutError(f"evalCode got no answer within {timeout} s") from None

    def requestCallback(self, callback: Callable[[Any], Any]) -> None:
        """Call callback(csound) once on the performance thread at the next boundary."""
        self._post(("call", callback))

    def setEndMarker(self, time: float, absolute: bool = False) -> None:
        self.scoreEvent(absolute, "e", [0.0, time])

    def setScoreOffsetSeconds(self, t: float) -> None:
        self._post(("offset", float(t)))

    def flushMessageQueue(self) -> None:
        """Block until every message queued so far has been processed."""
        if self._on_thread():
            return
        done = threading.Event()
        if self._post(("flush", done)):
            while not done.wait(0.05):
                if not self.isRunning():
                    return

    # ------------------------------------------------------------------ process callback
    def setProcessCallback(self, function: Callable[[Any], Any] | None, data: Any = None) -> None:
        """function(data) is called on the performance thread before every block."""
        if self._process_queue is not None and function is not None:
            raise RuntimeError("a process queue is installed; it uses the process callback")
        self._process_cb, self._process_data = function, data

    def processCallback(self) -> Callable | None:
        return self._process_cb

    def setProcessQueue(self) -> None:
        """Install a process callback that runs up to 10 queued tasks per block."""
        if self._process_queue is not None:
            return
        if self._process_cb is not None:
            raise RuntimeError("a process callback is already set")
        self._process_queue = deque()

    def processQueueTask(self, func: Callable[[Any], Any]) -> None:
        """Run func(csound) on the performance thread before one of the next blocks."""
        if self._process_queue is None:
            raise RuntimeError("no process queue: call setProcessQueue() first")
        self._process_queue.append(func)

    def flushProcessQueue(self, timeout: float | None = None) -> None:
        """Block until every task queued so far has run."""
        if self._process_queue is None or self._on_thread():
            return
        done = threading.Event()
        self._process_queue.append(lambda cs: done.set())
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done.wait(0.05):
            if not self.isRunning() or (deadline is not None and time.monotonic() > deadline):
                return

    def csoundPtr(self) -> Any:
        return self.csound

    # ------------------------------------------------------------------ the loop
    def _loop(self) -> None:
        cs = self.csound
        try:
            while True:
                with self._cond:
                    while self._paused and not self._messages and not self._stop_requested:
                        self._cond.wait()
                    batch = list(self._messages)
                    self._messages.clear()
                for msg in batch:
                    if self._handle(msg):
                        return
                if self._paused:
                    continue
                self._run_process_callback()
                driver = cs._driver
                if driver is not None and driver.idle is None:
                    driver.idle = self._idle
                if cs._perform_block_on_thread():
                    self._status = 1 if cs._perf_status >= 0 else cs._perf_status
                    return
                if self._recorder is not None:
                    self._recorder.push(cs._last_block())
                if self._end_after_block:
                    return
        except Exception as exc:  # report, never let the thread die silently
            self._status = -1
            try:
                cs._write(f"PerformanceThread error: {exc!r}\n")
            except Exception:
                pass
        finally:
            self._finish()

    def _idle(self, seconds: float) -> None:
        """The device is waiting: serve messages meanwhile (we are at a block boundary)."""
        deadline = time.perf_counter() + seconds
        while not self._end_after_block:
            with self._cond:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return
                if not self._messages:
                    self._cond.wait(remaining)
                batch = list(self._messages)
                self._messages.clear()
            for msg in batch:
                if self._end_after_block:
                    with self._cond:
                        self._messages.appendleft(msg)
                    continue
                if self._handle(msg):
                    self._end_after_block = True
            if self._paused:
                return

    def _handle(self, msg: tuple) -> bool:
        """Run one message; True when the loop must end."""
        cs = self.csound
        kind = msg[0]
        if kind == "request":
            _, fn, args, fut = msg
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:
                fut.set_exception(exc)
        elif kind == "event":
            _, absolute, ev_kind, pfields = msg
            cs._thread_event(absolute, ev_kind, pfields)
        elif kind == "compile":
            cs.compileOrc(msg[1])
        elif kind == "eval":
            _, code, callback, fut = msg
            value = cs.evalCode(code)
            if callback is not None:
                callback(value)
            elif not fut.done():
                fut.set_result(value)
        elif kind == "call":
            msg[1](cs)
        elif kind == "input":
            cs.inputMessage(msg[1])
        elif kind == "offset":
            cs.setScoreOffsetSeconds(msg[1])
        elif kind == "play":
            if cs.start() != 0:
                self._status = -1
                return True
            self._paused = False
        elif kind == "pause":
            self._paused = True
        elif kind == "toggle":
            if not self._paused or cs._started or cs.start() == 0:
                self._paused = not self._paused
        elif kind == "record":
            self._start_record(*msg[1:])
        elif kind == "stoprecord":
            self._stop_record(msg[1])
        elif kind == "flush":
            msg[1].set()
        elif kind == "stop":
            self._status = 1
            return True
        return False

    def _run_process_callback(self) -> None:
        pq = self._process_queue
        if pq is not None:
            for _ in range(PROCESS_QUEUE_TASKS_PER_BLOCK):
                if not pq:
                    break
                pq.popleft()(self.csound)
        elif self._process_cb is not None:
            self._process_cb(self._process_data)

    def _start_record(self, filename: str, samplebits: int, numbufs: int) -> None:
        if self._recorder is not None:
            return
        cs = self.csound
        if cs.engine is None and cs.start() != 0:
            return
        try:
            self._recorder = Recorder(filename, cs.sr(), cs.nchnls(), cs.get0dBFS(), samplebits,
                                      numbufs, cs._buffer_frames(), cs._write)
        except Exception as exc:
            cs._write(f"perfThread record: cannot open {filename}: {exc}\n")

    def _stop_record(self, done: threading.Event | None) -> None:
        rec = self._recorder
        if rec is None:
            if done is not None:
                done.set()
            return
        self._recorder = None
        self._old_recorders.append(rec)
        rec.stop()

        def announce() -> None:
            rec.closed.wait()
            self.csound._write(f"Perf thread: stopped recording,\nclosing file {rec.filename}\n")
            if done is not None:
                done.set()

        threading.Thread(target=announce, name="csoundpy-record-close", daemon=True).start()

    def _finish(self) -> None:
        """End of the loop: stop recording, clean up, resolve what is still queued."""
        cs = self.csound
        with self._cond:
            self._closed = True
            leftover = list(self._messages)
            self._messages.clear()
        if self._recorder is not None:
            self._stop_record(None)
        try:
            cs._thread_finished(self)
        except Exception as exc:
            cs._write(f"PerformanceThread cleanup error: {exc!r}\n")
        for msg in leftover:
            kind = msg[0]
            if kind == "request":
                _, fn, args, fut = msg
                try:
                    fut.set_result(cs._direct(fn, args))
                except BaseException as exc:
                    fut.set_exception(exc)
            elif kind == "eval" and msg[3] is not None:
                msg[3].set_exception(RuntimeError("the performance thread has stopped"))
            elif kind in ("flush", "stoprecord") and msg[-1] is not None:
                msg[-1].set()

    def __del__(self) -> None:
        try:
            if self._thread.is_alive() and not self._on_thread():
                self.stop()
                self._thread.join(5.0)
        except Exception:
            pass
