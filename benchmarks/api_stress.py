"""Stress test of issue 3: 8 threads call scoreEvent / setControlChannel /
evalCode / table against a running PerformanceThread for 30 s (or --seconds).

    python benchmarks/api_stress.py [--seconds 30]

Every note increments a counter channel in its init pass; the script checks
no deadlock (all workers finish), no lost event (counter == events sent) and
no exception.  tests/api/test_perfthread.py runs a 2-second version.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import csoundpy as libcsound  # noqa: E402

ORC = """
sr = 48000
ksmps = 64
nchnls = 2
gi1 ftgen 1, 0, 1024, 10, 1
instr 2
  icount chnget "count"
  chnset icount + 1, "count"
  a1 oscili 0.1, 440, 1
endin
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    cs = libcsound.Csound()
    cs.createMessageBuffer()
    cs.setOption("-d -m0 -+rtaudio=null -odac -b256")
    cs.compileOrc(ORC)
    thread = cs.performanceThread()
    thread.play()
    sent = {"thread": 0, "direct": 0, "channel": 0, "eval": 0, "table": 0}
    counts = [dict.fromkeys(sent, 0) for _ in range(8)]
    errors: list[BaseException] = []
    stop = time.monotonic() + args.seconds

    def worker(idx: int, kind: str) -> None:
        mine = counts[idx]
        try:
            while time.monotonic() < stop:
                if kind == "thread":
                    thread.scoreEvent(False, "i", [2, 0, 0.01])
                elif kind == "direct":
                    cs.scoreEvent("i", [2, 0, 0.01])
                elif kind == "channel":
                    cs.setControlChannel(f"c{idx}", float(mine[kind]))
                elif kind == "eval":
                    if cs.evalCode(f"return {mine[kind]}") != float(mine[kind]):
                        raise AssertionError("evalCode returned a wrong value")
                else:
                    if cs.table(1).shape != (1024,):
                        raise AssertionError("table view has a wrong shape")
                mine[kind] += 1
                time.sleep(0.001)
        except BaseException as exc:
            errors.append(exc)

    kinds = ["thread", "thread", "direct", "direct", "channel", "channel", "eval", "table"]
    workers = [threading.Thread(target=worker, args=(i, k)) for i, k in enumerate(kinds)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join(args.seconds + 30)
    deadlock = any(w.is_alive() for w in workers)
    thread.flushMessageQueue()
    time.sleep(0.1)
    for c in counts:
        for k, v in c.items():
            sent[k] += v
    events = sent["thread"] + sent["direct"]
    counted = int(cs.controlChannel("count")[0])
    cs.stop()
    print(f"ran {time.perf_counter() - t0:.1f} s with 8 threads; calls: {sent}")
    print(f"events sent {events}, counted by the orchestra {counted}; "
          f"deadlock: {deadlock}; exceptions: {len(errors)} {errors[:3]}")
    ok = not deadlock and counted == events and not errors
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
