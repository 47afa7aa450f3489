"""csoundpy: a Csound-compatible sound synthesis system written in Python.

`import csoundpy as libcsound` gives libcsound's API (Csound 7 flavour):
`Csound`, `PerformanceThread`, the CSOUND_* constants and `VERSION`.
The API module is imported on first use of one of its names, so the
command-line tool and the compiler do not pay for it.  Before any submodule is
imported, `_cache.install_bytecode_cache` makes csoundpy's own modules keep
their compiled bytecode in csoundpy's cache directory when Python writes none.
"""

from ._cache import install_bytecode_cache

install_bytecode_cache(__name__)

__version__ = "0.1.0"
VERSION = 7000
APIVERSION = 7000

_API_NAMES = (
    "Csound", "ChannelInfo", "OpcodeDef", "AudioDevice", "MidiDevice", "StringChannel",
    "csoundInitialize", "MYFLT",
    "CSOUND_SUCCESS", "CSOUND_ERROR", "CSOUND_INITIALIZATION", "CSOUND_PERFORMANCE",
    "CSOUND_MEMORY", "CSOUND_SIGNAL", "CSOUND_EXITJMP_SUCCESS",
    "CSOUND_CONTROL_CHANNEL", "CSOUND_AUDIO_CHANNEL", "CSOUND_STRING_CHANNEL",
    "CSOUND_PVS_CHANNEL", "CSOUND_VAR_CHANNEL", "CSOUND_ARRAY_CHANNEL",
    "CSOUND_CHANNEL_TYPE_MASK", "CSOUND_INPUT_CHANNEL", "CSOUND_OUTPUT_CHANNEL",
    "CSOUND_CONTROL_CHANNEL_NO_HINTS", "CSOUND_CONTROL_CHANNEL_INT",
    "CSOUND_CONTROL_CHANNEL_LIN", "CSOUND_CONTROL_CHANNEL_EXP",
    "CS_INSTR_EVENT", "CS_TABLE_EVENT", "CS_END_EVENT",
    "CSOUNDINIT_NO_SIGNAL_HANDLER", "CSOUNDINIT_NO_ATEXIT",
    "CSOUNDMSG_DEFAULT", "CSOUNDMSG_ERROR", "CSOUNDMSG_ORCH", "CSOUNDMSG_REALTIME",
    "CSOUNDMSG_WARNING", "CSOUNDMSG_STDOUT", "CSOUNDMSG_TYPE_MASK",
    "CSOUNDMSG_FG_BLACK", "CSOUNDMSG_FG_RED", "CSOUNDMSG_FG_GREEN", "CSOUNDMSG_FG_YELLOW",
    "CSOUNDMSG_FG_BLUE", "CSOUNDMSG_FG_MAGENTA", "CSOUNDMSG_FG_CYAN", "CSOUNDMSG_FG_WHITE",
    "CSOUNDMSG_FG_BOLD", "CSOUNDMSG_FG_UNDERLINE",
    "CSOUNDMSG_BG_BLACK", "CSOUNDMSG_BG_RED", "CSOUNDMSG_BG_GREEN", "CSOUNDMSG_BG_ORANGE",
    "CSOUNDMSG_BG_BLUE", "CSOUNDMSG_BG_MAGENTA", "CSOUNDMSG_BG_CYAN", "CSOUNDMSG_BG_GREY",
)

__all__ = ["VERSION", "APIVERSION", "PerformanceThread", *_API_NAMES]


def __getattr__(name: str):
    if name in _API_NAMES:
        from . import api

        return getattr(api, name)
    if name == "PerformanceThread":
        from .perfthread import PerformanceThread

        return PerformanceThread
    if name == "_util":
        import importlib

        return importlib.import_module("._util", __name__)
    raise AttributeError(f"module 'csoundpy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API_NAMES) + ["PerformanceThread", "_util"])
