"""Helpers libcsound users import from `libcsound._util`: plots and channel-type bits."""

from __future__ import annotations

from typing import Any

import numpy as np

from .opcodes.channels import INPUT, OUTPUT

_KINDS = {"control": 1, "audio": 2, "string": 3, "str": 3, "pvs": 4, "var": 5, "array": 6}


def castarray(x: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """x as a float64 array (no copy when it already is one), optionally reshaped."""
    arr = np.asarray(x, dtype=np.float64)
    return arr.reshape(shape) if shape is not None else arr


def packChannelType(kind: str, output: bool, input: bool) -> int:
    """Channel type bits: kind | 16 (input) | 32 (output)."""
    return _KINDS[kind] | (INPUT if input else 0) | (OUTPUT if output else 0)


def unpackChannelType(t: int) -> tuple[str, bool, bool]:
    """(kind, output, input) from channel type bits."""
    names = {v: k for k, v in _KINDS.items() if k != "str"}
    return names.get(t & 15, ""), bool(t & OUTPUT), bool(t & INPUT)


def _mmss(seconds: float, _pos: Any = None) -> str:
    m, s = divmod(max(seconds, 0.0), 60.0)
    return f"{int(m)}:{s:06.3f}"


def waveplot(samples: np.ndarray, samplerate: float, figsize: tuple[float, float] = (24, 4)):
    """A matplotlib Figure with one subplot per channel, time axis as m:ss.mmm.

    matplotlib is optional: ImportError if it is not installed.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    data = np.asarray(samples, dtype=float)
    if data.ndim == 1:
        data = data[:, None]
    nchnls = data.shape[1]
    fig, axes = plt.subplots(nchnls, 1, figsize=(figsize[0], figsize[1] * nchnls),
                             sharex=True, squeeze=False)
    t = np.arange(data.shape[0]) / float(samplerate)
    for ch in range(nchnls):
        ax = axes[ch][0]
        ax.plot(t, data[:, ch], linewidth=0.5)
        ax.set_ylim(-1.05, 1.05)
        ax.xaxis.set_major_formatter(FuncFormatter(_mmss))
        ax.set_ylabel(f"ch {ch + 1}")
    fig.tight_layout()
    return fig
