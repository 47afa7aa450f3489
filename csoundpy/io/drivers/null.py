"""The null real-time device (`-+rtaudio=null -odac`): no sound card, paced by the clock.

Csound's dummy module (Top/csound.c playopen_dummy/rtplay_dummy) sleeps after
each buffer until the wall clock reaches the stream time.  This device behaves
like a sound card with a `-B` frame hardware buffer instead: after each `-b`
buffer it sleeps until wall time >= stream time - `-B` frames, so the engine
runs at most `-B` frames ahead of real time and `currentTimeSamples()/sr`
tracks the wall clock.  When the engine falls behind by more than `-B`
frames (an underrun on a card) the clock restarts from now rather than
bursting to catch up.  Input reads zeros.
"""

from __future__ import annotations

import os
from typing import Callable
from time import perf_counter, sleep

import numpy as np

from .base import AudioDriver, StreamConfig

NULL_NAMES = ("null", "Null", "NULL", "dummy")


class NullDevice(AudioDriver):
    """A clock-paced device that discards its output."""

    name = "null"
    realtime = True

    def __init__(self, requested: str | None = None) -> None:
        super().__init__()
        self.requested = requested  # the -+rtaudio name asked for, when it was not null
        self._pending = 0
        self._frames = 0
        self._t0 = 0.0
        self._lag = 0.0
        self._rate = 1.0
        # Called instead of sleep() while waiting for the device; a performance
        # thread installs one that serves its message queue meanwhile.
        self.idle: Callable[[float], None] | None = None
        self.underruns = 0

    def open(self, config: StreamConfig) -> None:
        super().open(config)
        if self.requested is not None and self.requested not in NULL_NAMES:
            if self.requested == "":
                self._message(" *** error: rtaudio module set to empty string")
            else:
                # compat: Csound prints this without a newline.
                self._message(f" unknown rtaudio module: '{self.requested}', using dummy module")
        self._message("rtaudio: dummy module enabled\n")
        self._message(f"writing {config.buffer_frames * config.nchnls} sample blks of "
                      f"64-bit floats to {config.device}\n")
        self._t0 = perf_counter()
        # Testing aid: CSOUNDPY_NULL_SPEED=N runs the clock N times faster than real time.
        self._rate = config.sr * float(os.environ.get("CSOUNDPY_NULL_SPEED", "1") or 1)
        self._lag = config.hardware_frames / self._rate

    def write(self, block: np.ndarray) -> None:
        cfg = self.config
        self._pending += block.shape[1]
        while self._pending >= cfg.buffer_frames:
            self._pending -= cfg.buffer_frames
            self._frames += cfg.buffer_frames
            self.buffers_written += 1
            self._pace()

    def _pace(self) -> None:
        now = perf_counter()
        due = self._t0 + self._frames / self._rate - self._lag
        wait = due - now
        if wait > 0:
            (self.idle or sleep)(wait)
        elif wait < -self._lag:
            # An underrun, as a sound card would have: restart the clock from
            # now instead of bursting to catch up with lost wall time.
            self.underruns += 1
            self._t0 = now - self._frames / self._rate + self._lag

    def close(self) -> str | None:
        if self.config is None:
            return None
        if self._pending:
            self.buffers_written += 1
            self._pending = 0
        cfg = self.config
        self.config = None
        return (f"{self.buffers_written} {cfg.buffer_frames * cfg.nchnls} sample blks of "
                f"64-bit floats written to {cfg.device}")
