"""When events made by instruments start: Csound's clock runs one block ahead
during the perf pass, so `event` counts p2 from the end of the current block,
while schedkwhen takes its time from the k-counter (the block's start)."""

from __future__ import annotations

ORC = """
gi2 init -1
gi3 init -1
instr 1
  ktrig init 1
  schedkwhen ktrig, 0, 0, 2, 0, 0.05
  event "i", 3, 0, 0.05
  ktrig = 0
endin
instr 2
  gi2 = p2
endin
instr 3
  gi3 = p2
endin
"""


def test_schedkwhen_counts_from_the_block_start_and_event_from_its_end(rig):
    r = rig(ORC)  # kr = 100
    r.note(1, 0.03, 0.01)
    r.run(6)
    assert r.g("gi2") == 0.03
    assert r.g("gi3") == 0.04
