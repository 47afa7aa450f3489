"""Every opcode family; importing this package registers them all."""

from importlib import import_module

FAMILIES = [
    "arith",
    "conversion",
    "flow",
    "instrument",
    "io_ops",
    "printing",
    "oscillators",
    "envelopes",
    "filters",
    "reverbs",
    "noise",
    "pitch",
    "tables_ops",
    "events",
    "strings",
    "arrays",
    "sampling",
    "spectral",
    "delays",
    "physical",
    "spatial",
    "granular",
    "analysis",
    "channels",
    "midi",
    "synthesis",
    "vectorial",
    "files",
    "soundfonts",
    "zak",
    "utility",
    "misc_synth",
    "misc_control",
]

for _family in FAMILIES:
    try:
        import_module(f"{__name__}.{_family}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{_family}":
            raise
