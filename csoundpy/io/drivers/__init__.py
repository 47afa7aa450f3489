"""Audio drivers: the interface (base), the sound-file driver and the null device."""

from .base import AudioDriver, StreamConfig, buffer_sizes
from .file import FileDriver
from .null import NULL_NAMES, NullDevice

# Real-time modules csoundpy knows by name; the ones without a driver yet fall
# back to the null device with Csound's "unknown rtaudio module" message.
RT_MODULES = ("null", "dummy", "portaudio", "pa_cb", "pa_bl", "jack", "alsa", "pulse",
              "coreaudio", "auhal", "winmm")


def realtime_driver(module: str | None) -> AudioDriver:
    """The driver for `-+rtaudio=module` (None: the default module)."""
    if module is None or module in NULL_NAMES:
        return NullDevice(None)
    return NullDevice(module)


__all__ = ["AudioDriver", "StreamConfig", "buffer_sizes", "FileDriver", "NullDevice",
           "realtime_driver", "RT_MODULES"]
