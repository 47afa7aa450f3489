"""Sound file output: written under a temporary name, renamed when complete."""

from __future__ import annotations

import os

import numpy as np
import soundfile as sf

from ..errors import FileError


def _create_beside(path: str) -> str:
    """Create an empty, uniquely named file in `path`'s directory and return its
    name.  Unlike `tempfile.mkstemp` (always 0600), it gets the permissions that
    creating `path` itself would give (0666 less the umask), as Csound's output has."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    while True:
        tmp = os.path.join(directory, f".csoundpy-{os.urandom(6).hex()}.part")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


class SoundFileWriter:
    """Streams engine blocks to a sound file; the file appears only on close()."""

    def __init__(self, path: str, sr: int, channels: int, subtype: str = "PCM_16",
                 container: str = "WAV", scale: float = 1.0) -> None:
        self.path = path
        self.scale = scale
        self.tmp = _create_beside(path)
        try:
            self.file = sf.SoundFile(self.tmp, "w", samplerate=int(sr), channels=channels,
                                     subtype=subtype, format=container)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            os.unlink(self.tmp)
            raise FileError(f"cannot open {path} for writing: {exc}") from None
        self.frames = 0
        self._pending: list[np.ndarray] = []
        self._pending_frames = 0

    def write(self, block: np.ndarray) -> None:
        """Write one (channels, frames) block of engine samples."""
        self._pending.append(block.T * self.scale)
        self._pending_frames += block.shape[1]
        self.frames += block.shape[1]
        if self._pending_frames >= 16384:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.file.write(np.concatenate(self._pending))
            self._pending.clear()
            self._pending_frames = 0

    def close(self) -> None:
        self.flush()
        self.file.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self.file.close()
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)
