"""API latency figures of issue 3 (median of 50 at sr 48000, ksmps 64, -b 256, null device).

    python benchmarks/api_latency.py [--heavy-notes N]

Prints: thread.compileOrc + thread.scoreEvent call time, thread.evalCode and
requestCallback round trips, direct Csound.evalCode from another thread, how
many blocks after the next boundary a thread event starts, and how much a
pure-Python loop on the main thread slows down while the thread renders a
heavy orchestra.
"""

from __future__ import annotations

import argparse
import queue
import statistics
import sys
import time

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), ".."))

import csoundpy as libcsound  # noqa: E402

N = 50
BLOCK_MS = 64 / 48000 * 1000
ORC = """
sr = 48000
ksmps = 64
nchnls = 2
instr 1
  it timek
  chnset it, "started"
endin
instr 2
  a1 oscili 0.1, 440
  a2 oscili 0.1, 441
  a3 oscili 0.1, 442
  a4 oscili 0.1, 443
endin
"""


def engine(opts: str = "-d -m0 -+rtaudio=null -odac -b256"):
    cs = libcsound.Csound()
    cs.createMessageBuffer()
    cs.setOption(opts)
    cs.compileOrc(ORC)
    thread = cs.performanceThread()
    thread.play()
    thread.flushMessageQueue()
    return cs, thread


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1e3:.3f} ms, max {max(values) * 1e3:.3f} ms"


def latencies() -> None:
    cs, thread = engine()
    calls = []
    for i in range(N):
        code = f"instr {100 + i}\n chnset {i}, \"c{i}\"\nendin\n"
        t0 = time.perf_counter()
        thread.compileOrc(code)
        thread.scoreEvent(False, "i", [100 + i, 0, 0.01])
        calls.append(time.perf_counter() - t0)
        time.sleep(0.002)
    print(f"thread.compileOrc + thread.scoreEvent call time: {ms(calls)}  (goal < 1 ms)")
    thread.flushMessageQueue()

    rt = []
    for i in range(N):
        t0 = time.perf_counter()
        thread.evalCode(f"return {i}")
        rt.append(time.perf_counter() - t0)
    print(f"thread.evalCode round trip: {ms(rt)}  (goal <= 2 blocks + 1 ms = "
          f"{2 * BLOCK_MS + 1:.2f} ms)")

    rt = []
    q: queue.SimpleQueue = queue.SimpleQueue()
    for _ in range(N):
        t0 = time.perf_counter()
        thread.requestCallback(lambda c: q.put(None))
        q.get()
        rt.append(time.perf_counter() - t0)
    print(f"requestCallback round trip: {ms(rt)}  (goal <= {2 * BLOCK_MS + 1:.2f} ms)")

    rt = []
    for i in range(N):
        t0 = time.perf_counter()
        cs.evalCode(f"return {i}")
        rt.append(time.perf_counter() - t0)
    print(f"Csound.evalCode from the main thread while running: {ms(rt)}")

    delays = []
    for _ in range(N):
        cs.setControlChannel("started", -1)
        posted = cs.currentTimeSamples() // 64
        thread.scoreEvent(False, "i", [1, 0, 0.01])
        while cs.controlChannel("started")[0] < 0:
            time.sleep(0.0005)
        delays.append(cs.controlChannel("started")[0] - posted)
    print(f"thread event start: blocks after the block current at posting: median "
          f"{statistics.median(delays):.0f}, max {max(delays):.0f}  (goal: next boundary + 1)")
    cs.stop()


def python_loop(seconds: float = 1.0) -> float:
    """Iterations per second of a pure-Python loop."""
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(1000):
            n += 1
    return n / seconds


def gil_slowdown(notes: int) -> None:
    alone = python_loop()
    cs, thread = engine()
    for _ in range(notes):
        thread.scoreEvent(False, "i", [2, 0, 30])
    thread.flushMessageQueue()
    time.sleep(0.3)
    k0, t0 = cs.currentTimeSamples(), time.perf_counter()
    busy = python_loop(2.0)
    realtime = (cs.currentTimeSamples() - k0) / cs.sr() / (time.perf_counter() - t0)
    cs.stop()
    cs2 = libcsound.Csound()
    cs2.createMessageBuffer()
    cs2.setOption("-d -m0 -n")
    cs2.compileOrc(ORC)
    for _ in range(notes):
        cs2.event("i", [2, 0, 30])
    cs2.performKsmps()
    t0 = time.perf_counter()
    for _ in range(200):
        cs2.performKsmps()
    load = (time.perf_counter() - t0) / 200 / (BLOCK_MS / 1000)
    print(f"heavy orchestra ({notes} notes x 4 oscili): one block costs {load * 100:.0f}% "
          f"of its real-time duration; thread kept {realtime * 100:.0f}% of real time")
    print(f"pure-Python loop on the main thread: alone {alone / 1e6:.2f} M it/s, while "
          f"rendering {busy / 1e6:.2f} M it/s -> slowdown {(1 - busy / alone) * 100:.0f}%")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--heavy-notes", type=int, default=40)
    args = ap.parse_args()
    cs, thread = engine()  # warm the JIT caches first
    thread.scoreEvent(False, "i", [1, 0, 0.01])
    thread.scoreEvent(False, "i", [2, 0, 0.01])
    thread.evalCode("gi_w ftgen 0, 0, 16, -2, 0\nreturn gi_w")
    time.sleep(0.2)
    cs.stop()
    latencies()
    gil_slowdown(args.heavy_notes)


if __name__ == "__main__":
    main()
