"""The audio driver interface: where the engine's blocks go and where its input comes from.

A driver is opened once at `Csound.start()` with a `StreamConfig`, receives every
output block (`write`, engine units: divide by 0dbfs for full scale), fills
every input block (`read`) and is closed at cleanup.  Real-time drivers pace the
block loop: `write` returns when the device could take the data, so a
performance thread computes at the speed of the device.  The file driver, the
null (clock-paced) device, and later PortAudio and JACK all implement this.

Buffer sizes follow Csound (Engine/musmon.c csoundInitialiseIO): `-b` frames
per software buffer (default 256; negative: |b| * ksmps), `-B` frames of
hardware buffer (default 1024); for real-time I/O `-B` is rounded up to a
multiple of `-b`, and `-b` is halved when `-B` is not larger than it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

IOBUFSAMPS = 256  # Csound's default -b
IODACSAMPS = 1024  # Csound's default -B


@dataclass
class StreamConfig:
    """What a driver needs to open a stream."""

    sr: float
    nchnls: int
    nchnls_i: int
    ksmps: int
    e0dbfs: float
    buffer_frames: int = IOBUFSAMPS  # -b, after buffer_sizes()
    hardware_frames: int = IODACSAMPS  # -B, after buffer_sizes()
    device: str = "dac"  # output name as given ('dac', 'dac:Built-in', a file name)
    input_device: str | None = None
    message: Callable[[str], None] | None = None  # the engine's message function


def buffer_sizes(b: int | None, B: int | None, ksmps: int, realtime: bool,
                 message: Callable[[str], None] | None = None) -> tuple[int, int]:
    """(-b, -B) in frames as Csound derives them from the options."""
    hw = B if B else IODACSAMPS
    sw = b if b else IOBUFSAMPS
    if sw < 0:
        sw = -sw * ksmps
        if message is not None:
            message("k-period aligned audio buffering\n")
        if hw <= sw:
            hw = sw * 2
    if realtime:
        hw = (hw + sw - 1) // sw * sw
        if hw <= sw and sw > 1:
            sw >>= 1
    return sw, hw


class AudioDriver:
    """Base class of output/input drivers (file, null device, sound cards)."""

    name = "base"
    realtime = False

    def __init__(self) -> None:
        self.config: StreamConfig | None = None
        self.buffers_written = 0
        # Real-time drivers call idle(seconds) instead of sleeping while they wait
        # for the device, so the block loop's owner can serve requests meanwhile.
        self.idle: Callable[[float], None] | None = None

    def open(self, config: StreamConfig) -> None:
        """Open the stream; print the `writing ...` line."""
        self.config = config

    def write(self, block: np.ndarray) -> None:
        """Take one (nchnls, frames) block of engine samples."""

    def read(self, block: np.ndarray) -> None:
        """Fill one (nchnls_i, frames) input block (engine units)."""
        block[:] = 0.0

    def close(self) -> str | None:
        """Flush and close; returns the end line (`... written to ...`) or None."""
        return None

    def abort(self) -> None:
        """Close without completing the output (errors, interrupts)."""
        self.close()

    def _message(self, text: str) -> None:
        if self.config is not None and self.config.message is not None:
            self.config.message(text)
