"""Strings in native init passes (`_registry.NativeInit(strings=True)`).

A note started in compiled code keeps each of its S variables as a row of
`TEXT_BYTES` bytes, NUL-terminated (UTF-8, as `strings.to_bytes` encodes
them); string constants have rows holding their text.  A native init that
cannot fit a result in a row asks for the Python init instead.

The channel directory (`channels.ChannelBus.native`) lists the named
channels for native inits that bind a channel by name: one int64 row per
channel, `CH_*` columns, the name packed 8 bytes per word in `CH_NAME`
onwards (names of at most `CH_NAME_BYTES - 1` bytes; longer ones are not
listed, so natively they are never found and Python binds them).
"""

from __future__ import annotations

import numpy as np

from .._jit import helper

TEXT_BYTES = 256

CH_ROWS = 1024
CH_TYPE, CH_ADDR, CH_LEN, CH_NAMELEN, CH_NAME = range(5)
CH_NAME_BYTES = 64
CH_COLS = CH_NAME + CH_NAME_BYTES // 8


def text_row(text: bytes) -> np.ndarray:
    """A row holding `text` (which must fit, NUL included)."""
    row = np.zeros(TEXT_BYTES, dtype=np.uint8)
    row[:len(text)] = np.frombuffer(text, dtype=np.uint8)
    return row


def pack_name(name: bytes) -> list[int]:
    """The CH_NAME words of a name (little-endian, zero-padded)."""
    padded = name.ljust(CH_NAME_BYTES, b"\0")
    return [int.from_bytes(padded[w:w + 8], "little", signed=True)
            for w in range(0, CH_NAME_BYTES, 8)]


@helper
def text_length(row):
    """Bytes before the row's NUL (the row's length if it has none)."""
    for n in range(row.shape[0]):
        if row[n] == 0:
            return n
    return row.shape[0]


@helper
def find_channel(chans, row):
    """Directory row of the channel named by text row `row`, or -1."""
    n = text_length(row)
    if n >= CH_NAME_BYTES or n == 0:
        return -1
    words = np.zeros(CH_NAME_BYTES // 8, dtype=np.int64)
    for b in range(n):
        words[b >> 3] |= np.int64(row[b]) << np.int64(8 * (b & 7))
    for r in range(chans.shape[0]):
        if chans[r, CH_TYPE] == 0:
            continue
        if chans[r, CH_NAMELEN] != n:
            continue
        same = True
        for w in range(CH_NAME_BYTES // 8):
            if chans[r, CH_NAME + w] != words[w]:
                same = False
                break
        if same:
            return r
    return -1


@helper
def bind_channel(chans, row, want, addr, shape):
    """Point a "ref" aux at the channel named `row` when binding it by name
    would change nothing: it exists, has kind `want & 15` and already the
    direction bits of `want`.  Returns False when Python must bind it."""
    r = find_channel(chans, row)
    if r < 0:
        return False
    kind = chans[r, CH_TYPE]
    if (kind & 15) != (want & 15) or (kind & want) != want or chans[r, CH_ADDR] == 0:
        return False
    addr[0] = chans[r, CH_ADDR]
    shape[0] = chans[r, CH_LEN]
    return True
