"""Compiled note lifecycle: what `Engine.start_note` and note expiry do, for
notes started from the compiled event queue without a Python object.

A pool whose instrument qualifies (`codegen.lifecycle_reason`) keeps its
compiled notes in five int64 arrays, its *book*:

    live[:counts[0]]    the notes' slots in chain order (start order)
    free[:counts[1]]    slots of ended notes, reused last-freed first (as the
                        instrument's list of free instances)
    ends[slot]          the block at which the note is turned off
    seqs[slot]          the note's place in the engine's start order
    counts              [live, free, notes started]

`engine` is the engine-wide int64 array [next start number, latest note-off
block] that the engine reads back after a compiled span.  Event rows are the
compiled event queue's (`opcodes.events` EV_* columns, then the p-fields).
These functions are called from generated chain functions and from Python.
"""

from __future__ import annotations

import math

from .._jit import helper
from ..opcodes.events import EV_NFIELDS, EV_P1

LIVE, FREE, STARTED = 0, 1, 2  # counts
SEQ, MAX_OFF = 0, 1  # engine counters


@helper
def expire_notes(kc, live, free, ends, counts):
    """Turn off the live notes whose end block has come, in chain order: their
    slots go onto the free stack.  Returns how many ended."""
    n = counts[LIVE]
    nfree = counts[FREE]
    keep = 0
    for k in range(n):
        slot = live[k]
        if ends[slot] <= kc:
            free[nfree] = slot
            nfree += 1
        else:
            live[keep] = slot
            keep += 1
    counts[LIVE] = keep
    counts[FREE] = nfree
    return n - keep


@helper
def event_ok(ev, dynamic, max_pfield):
    """Whether compiled code may start event row `ev`: not a held note (p3 < 0)
    nor a p-field count the engine warns about."""
    nfields = int(ev[EV_NFIELDS])
    if nfields > 2 and ev[EV_P1 + 2] < 0.0:
        return False
    return dynamic or not ((nfields != max(max_pfield, 3) and nfields > 3)
                           or nfields < max_pfield)


@helper
def event_slot(ev, free, counts, dynamic, max_pfield):
    """The free slot a compiled start of event row `ev` would use, or -1 where
    Python must start it (no free slot, or not `event_ok`)."""
    if counts[FREE] == 0 or not event_ok(ev, dynamic, max_pfield):
        return -1
    return free[counts[FREE] - 1]


@helper
def admit_note(kc, ev, live, free, ends, seqs, counts, engine, kr, time_offset, npfields):
    """After the init pass of a note started in the top free slot: its start
    number, its end block, and its place at the end of the chain, or its slot
    back on the free stack when it ends at once (p3 = 0 or an end already
    passed).  Returns 1 when the note lives on."""
    nfields = int(ev[EV_NFIELDS])
    p3 = ev[EV_P1 + 2] if nfields > 2 else 0.0
    top = counts[FREE] - 1
    slot = free[top]
    seq = engine[SEQ]
    engine[SEQ] = seq + 1
    counts[STARTED] += 1
    if p3 == 0.0 and npfields <= 3:
        end = kc
    else:
        start = ev[EV_P1 + 1] if nfields > 1 else kc / kr
        end = int(math.floor((start + time_offset + p3) * kr + 0.5))
    if p3 == 0.0 or end <= kc:
        return 0
    counts[FREE] = top
    live[counts[LIVE]] = slot
    counts[LIVE] += 1
    ends[slot] = end
    seqs[slot] = seq
    if end > engine[MAX_OFF]:
        engine[MAX_OFF] = end
    return 1
