"""The file driver: the engine's output written to a sound file (`-o name`).

Wraps `csoundpy.io.soundfile.SoundFileWriter` (temporary name, renamed when
complete) and prints Csound's lines (InOut/libsnd.c sfopenout/sfcloseout):
`writing 1024-byte blks of shorts to test.wav (WAV)` and, at the end, the
6.18 quirk `512 1024 sample blks of shorts written to test.wav (WAV)`.
"""

from __future__ import annotations

import numpy as np

from .base import AudioDriver, StreamConfig

# soundfile subtype -> (bytes per sample, Csound's getstrformat name)
SAMPLE_FORMATS = {
    "PCM_S8": (1, "signed chars"), "PCM_U8": (1, "unsigned bytes"), "ALAW": (1, "alaw bytes"),
    "ULAW": (1, "ulaw bytes"), "PCM_16": (2, "shorts"), "PCM_24": (3, "24bit ints"),
    "PCM_32": (4, "longs"), "FLOAT": (4, "floats"), "DOUBLE": (8, "double floats"),
    "VORBIS": (2, "vorbis encoding"), "MPEG_LAYER_III": (2, "mpeg encoding"),
}


class FileDriver(AudioDriver):
    """Writes every block to a sound file; the file appears only on close()."""

    name = "file"

    def __init__(self, path: str, subtype: str = "PCM_16", container: str = "WAV") -> None:
        super().__init__()
        self.path = path
        self.subtype = subtype
        self.container = container
        self.writer = None

    def open(self, config: StreamConfig) -> None:
        from ..soundfile import SoundFileWriter

        super().open(config)
        self.writer = SoundFileWriter(self.path, int(config.sr), config.nchnls, self.subtype,
                                      self.container, scale=1.0 / config.e0dbfs)
        size, fmt = SAMPLE_FORMATS.get(self.subtype, (2, "unknown"))
        samples = config.buffer_frames * config.nchnls
        self._message(f"writing {samples * size}-byte blks of {fmt} to {self.path} "
                      f"({self.container})\n")

    def write(self, block: np.ndarray) -> None:
        self.writer.write(block)

    @property
    def frames(self) -> int:
        return self.writer.frames if self.writer is not None else 0

    def close(self) -> str | None:
        if self.writer is None:
            return None
        self.writer.close()
        self.writer = None
        cfg = self.config
        size, fmt = SAMPLE_FORMATS.get(self.subtype, (2, "unknown"))
        samples = cfg.buffer_frames * cfg.nchnls
        return (f"{samples} {samples * size} sample blks of {fmt} written to {self.path} "
                f"({self.container})")

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
