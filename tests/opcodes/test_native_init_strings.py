"""Native (compiled) init passes that take strings and bind named channels
(sprintf of numbers, chnmix, chnclear) and vco2's, which finds its table
array in the vco2 directory, do what their Python inits do:
`native_init_mismatches` runs both on one note and lists every difference;
cases they leave to Python must ask for the Python init."""

from __future__ import annotations

import numpy as np
import pytest

from csoundpy.engine.context import make_consts
from csoundpy.opcodes._native_text import TEXT_BYTES, bind_channel, text_row
from csoundpy.opcodes._registry import EMPTY_STATE
from csoundpy.opcodes.channels import AUDIO, CONTROL, INPUT, OUTPUT, ChannelBus
from csoundpy.opcodes.strings import sprintf_init_native
from csoundpy.testing import native_init_mismatches

ASKS = "native init asks for the Python init"
CONSTS = make_consts(48000.0, 64, 1.0, 2)
HEADER = "sr=48000\nksmps=64\nnchnls=2\n0dbfs=1\n"


def _check(body: str, pfields) -> list[str]:
    return native_init_mismatches(f"{HEADER}instr 1\n{body}\nendin\n", [1, 0, 1, *pfields])


def _asks(problems: list[str]) -> bool:
    return bool(problems) and all(p.endswith(ASKS) for p in problems)


@pytest.mark.parametrize("fmt, args", [
    ("dry%d", "p4"),
    ("%d", "p4"),
    ("a%05d|%-4i|%3d%%", "p4, p5, p6"),
    ("%-06d.", "p5"),
    ("100%% %i", "p6"),
    ("%010d", "p6"),
])
@pytest.mark.parametrize("values", [(3, -2.5, 1234), (3.5, 7.5, -12), (-0.5, 2.5e9, 1e30)])
def test_sprintf_of_numbers_matches_python(fmt, args, values):
    assert _check(f'S1 sprintf "{fmt}", {args}', values) == []


@pytest.mark.parametrize("fmt, args", [
    ("%f", "p4"),  # a float conversion
    ("%5.2d", "p4"),  # a precision
    ("%+d", "p4"),  # a sign flag
    ("%300d", "p4"),  # longer than a text row
])
def test_sprintf_leaves_other_formats_to_python(fmt, args):
    assert _asks(_check(f'S1 sprintf "{fmt}", {args}', (3, 4, 5)))


@pytest.mark.parametrize("fmt, rest", [("%d %d", ()), ("x", ()), ("%d", (1.0,)), ("%", ())])
def test_sprintf_argument_count_errors_are_python_s(fmt, rest):
    """Too few or too many arguments for the format: the Python init's errors."""
    out = np.zeros(TEXT_BYTES, dtype=np.uint8)
    state = np.zeros(1, dtype=EMPTY_STATE)[0]
    tabs = np.zeros((1, 8), dtype=np.int64)
    assert sprintf_init_native(state, CONSTS, tabs, out, text_row(fmt.encode()), 2.0, rest) == 1


def test_chnmix_and_chnclear_bind_existing_output_channels():
    body = """
S1 sprintf "bus%d", p4
a1 chnget S1
chnmix a(1), S1
chnmix a(1), "other"
chnclear S1, "other"
"""
    assert _check(body, (2,)) == []


def test_binding_by_name_is_native_only_where_python_would_change_nothing():
    """bind_channel finds a listed channel, and only when it already has the
    kind and direction asked for (else Python's lookup must add them)."""
    bus = ChannelBus(64)
    directory = bus.native()
    addr, shape = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    row = text_row(b"bus1")
    assert not bind_channel(directory, row, AUDIO | OUTPUT, addr, shape)  # not there yet
    _err, chan = bus.get("bus1", AUDIO | INPUT)
    assert not bind_channel(directory, row, AUDIO | OUTPUT, addr, shape)  # no output bit
    assert not bind_channel(directory, row, CONTROL | INPUT, addr, shape)  # another kind
    bus.get("bus1", AUDIO | OUTPUT)
    assert bind_channel(directory, row, AUDIO | OUTPUT, addr, shape)
    assert addr[0] == chan.data.__array_interface__["data"][0] and shape[0] == 64
    assert not bind_channel(directory, text_row(b"bus"), AUDIO | OUTPUT, addr, shape)
    long_name = "x" * 70  # longer than the directory keeps: never found natively
    bus.get(long_name, AUDIO | OUTPUT)
    assert not bind_channel(directory, text_row(long_name.encode()), AUDIO | OUTPUT, addr, shape)
    bus.clear()
    assert not bind_channel(directory, row, AUDIO | OUTPUT, addr, shape)


@pytest.mark.parametrize("mode, extra", [("0", ""), ("2", ", 0.3"), ("4", ", 0.5, 0.25"),
                                         ("10", ""), ("12", ", 0.1"),
                                         ("16", ", 0.5, 0.1, 0.2"), ("0", ", 0.5, 0, 0.7")])
@pytest.mark.parametrize("freq", [220, 7000.5])
def test_vco2_matches_python(mode, extra, freq):
    assert _check(f"a1 vco2 p5, p4, {mode}{extra}", (freq, 0.5)) == []


def test_vco2_skip_init_mode_asks_for_python():
    assert _asks(_check("a1 vco2 p5, p4, 1", (220, 0.5)))
