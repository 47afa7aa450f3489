"""PerformanceThread with the clock-paced null device: FIFO order, latencies,
callbacks on the thread, direct Csound calls from other threads, channels and
tables shared while running, recording, errors, and a 2-second stress test."""

from __future__ import annotations

import queue
import statistics
import threading
import time

import numpy as np
import pytest
import soundfile as sf

import csoundpy as libcsound
from csoundpy.perfthread import EvalTimeoutError

ORC = """
sr = 48000
ksmps = 64
nchnls = 2
instr 1
  kv chnget "in"
  chnset kv * 2, "out"
endin
instr 2
  icount chnget "count"
  chnset icount + 1, "count"
endin
instr 3
  it timek
  chnset it, "started"
endin
"""
BLOCK = 64 / 48000


def running(opts: str = "-d -m0 -+rtaudio=null -odac", orc: str = ORC):
    cs = libcsound.Csound()
    cs.createMessageBuffer()
    cs.setOption(opts)
    assert cs.compileOrc(orc) == 0
    thread = cs.performanceThread()
    thread.play()
    thread.flushMessageQueue()
    return cs, thread


def wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.002)
    return False


def test_play_stop_join_and_summary():
    cs, thread = running()
    assert thread.isRunning() and thread.status() == 0 and thread.csound is cs
    assert cs.performanceThread() is thread
    assert wait_for(lambda: cs.currentTimeSamples() > 0)
    thread.stop()
    assert thread.join() == 1 and thread.join() == 1
    assert not thread.isRunning()
    text = "".join(m for m, _ in cs.iterMessages())
    assert ("rtaudio: dummy module enabled\n"
            "writing 512 sample blks of 64-bit floats to dac\n") in text
    assert text.count("overall amps:") == 1
    assert "512 sample blks of 64-bit floats written to dac" in text
    with pytest.raises(RuntimeError):
        thread.evalCode("return 1")
    with pytest.raises(RuntimeError):
        thread.togglePause()
    del cs
    thread.scoreEvent(False, "i", [1, 0, 1])  # ignored after the end, never raises


def test_null_device_tracks_wall_clock_and_unknown_module():
    cs, thread = running("-d -m0 -+rtaudio=jack -odac:Built-in")
    start_samples, t0 = cs.currentTimeSamples(), time.perf_counter()
    time.sleep(0.3)
    elapsed = (cs.currentTimeSamples() - start_samples) / cs.sr()
    wall = time.perf_counter() - t0
    cs.stop()
    assert abs(elapsed - wall) < 0.06
    text = "".join(m for m, _ in cs.iterMessages())
    assert " unknown rtaudio module: 'jack', using dummy module" in text
    assert "writing 512 sample blks of 64-bit floats to dac:Built-in" in text


def test_fifo_compile_then_event_and_event_latency():
    cs, thread = running()
    calls = []
    for _ in range(20):
        t0 = time.perf_counter()
        thread.scoreEvent(False, "i", [2, 0, 0.01])
        calls.append(time.perf_counter() - t0)
    assert statistics.median(calls) < 1e-3
    thread.compileOrc('instr 9\n chnset 9, "nine"\nendin\n')
    thread.scoreEvent(False, "i", [9, 0, 0.01])
    assert wait_for(lambda: cs.controlChannel("nine")[0] == 9.0)
    assert wait_for(lambda: cs.controlChannel("count")[0] == 20.0)
    # an event starts within one block of the next boundary
    posted = cs.currentTimeSamples() // 64
    thread.scoreEvent(False, "i", [3, 0, 0.01])
    assert wait_for(lambda: cs.controlChannel("started")[0] > 0)
    assert cs.controlChannel("started")[0] - posted <= 2
    cs.stop()


def test_eval_and_request_callback_round_trips():
    cs, thread = running()
    t0 = time.perf_counter()
    assert thread.evalCode("return 5") == 5.0
    assert time.perf_counter() - t0 < 0.1
    got = queue.SimpleQueue()
    thread.requestCallback(lambda c: got.put((threading.current_thread().name, c)))
    name, obj = got.get(timeout=2)
    assert name == "csoundpy-performance" and obj is cs
    values = []
    assert thread.evalCode("return 6", callback=values.append) == 0.0
    thread.flushMessageQueue()
    assert values == [6.0]
    assert issubclass(EvalTimeoutError, queue.Empty) and issubclass(EvalTimeoutError, TimeoutError)
    thread.pause()
    thread.flushMessageQueue()
    # paused: messages are still served, time stands still
    now = cs.currentTimeSamples()
    assert thread.evalCode("gi_t ftgen 0, 0, -1024, -2, 0\nreturn gi_t") == 101.0
    time.sleep(0.05)
    assert cs.currentTimeSamples() == now
    thread.togglePause()
    assert wait_for(lambda: cs.currentTimeSamples() > now)
    cs.stop()


def test_direct_calls_from_other_threads_while_running():
    cs, thread = running()
    assert cs.compileOrc('gi__tab1 ftgen 0, 0, 1024, -10, 1') == 0
    t0 = time.perf_counter()
    tabnum = cs.evalCode("return gi__tab1")
    assert tabnum == 101.0 and time.perf_counter() - t0 < 0.1
    arr = cs.table(int(tabnum))
    assert arr.shape == (1024,) and np.isclose(arr[256], 1.0)
    cs.event("i", [2, 0, 0.01])
    cs.inputMessage("i2 0 0.01")
    assert wait_for(lambda: cs.controlChannel("count")[0] == 2.0)
    with pytest.raises(RuntimeError):
        cs.performKsmps()
    cs.stop()
    assert not thread.isRunning()
    assert cs.compileOrc("instr 20\nendin\n") == 0  # after stop: runs directly


def test_channel_pointer_round_trip_next_block():
    cs, thread = running()
    arr, err = cs.channelPtr("in", "control")
    out, _ = cs.channelPtr("out", "control")
    thread.scoreEvent(False, "i", [1, 0, -1])
    for v in (1.0, 2.5, 7.0):
        arr[0] = v
        assert wait_for(lambda: out[0] == 2 * v, 1.0)
    cs.stop()


def test_process_callback_and_queue():
    cs, thread = running()
    seen = []

    def cb(data):
        seen.append(data)
        if len(seen) == 3:
            thread.scoreEvent(False, "i", [2, 0, 0.01])  # from the perf thread itself
            cs.setControlChannel("fromcb", 1.0)

    thread.setProcessCallback(cb, "data")
    assert wait_for(lambda: cs.controlChannel("count")[0] == 1.0)
    assert seen[0] == "data"
    with pytest.raises(RuntimeError):
        thread.setProcessQueue()
    with pytest.raises(RuntimeError):
        thread.processQueueTask(lambda c: None)
    thread.setProcessCallback(None)
    thread.setProcessQueue()
    with pytest.raises(RuntimeError):
        thread.setProcessCallback(cb)
    results = []
    for i in range(25):
        thread.processQueueTask(lambda c, i=i: results.append(i))
    thread.flushProcessQueue(timeout=5)
    assert results == list(range(25))
    thread.processQueueTask(lambda c: c.compileOrc('instr 10\n chnset 10, "ten"\nendin\n'))
    thread.scoreEvent(0, "i", (10, 0, 0.01))
    assert wait_for(lambda: cs.controlChannel("ten")[0] == 10.0)
    cs.stop()


@pytest.mark.parametrize("name,bits,subtype", [("rec.wav", 16, "PCM_16"),
                                               ("rec.flac", 24, "PCM_24")])
def test_record_writes_a_playable_file(tmp_path, name, bits, subtype):
    path = str(tmp_path / name)
    cs, thread = running()
    thread.record(path, samplebits=bits, numbufs=1)
    time.sleep(0.2)
    thread.stopRecord()
    info = sf.info(path)
    assert info.samplerate == 48000 and info.channels == 2 and info.subtype == subtype
    assert 0.1 < info.frames / 48000 < 1.0
    cs.stop()
    text = "".join(m for m, _ in cs.iterMessages())
    assert f"Perf thread: stopped recording,\nclosing file {path}\n" in text


def test_stress_two_seconds():
    cs, thread = running()
    sent = [0, 0]
    errors = []
    stop = time.monotonic() + 2.0

    def worker(kind):
        try:
            while time.monotonic() < stop:
                if kind == "thread":
                    thread.scoreEvent(False, "i", [2, 0, 0.005])
                    sent[0] += 1
                elif kind == "direct":
                    cs.scoreEvent("i", [2, 0, 0.005])
                    sent[1] += 1
                elif kind == "channel":
                    cs.setControlChannel("in", 1.0)
                elif kind == "eval":
                    assert cs.evalCode("return 3") == 3.0
                elif kind == "table":
                    cs.table(1)
                time.sleep(0.001)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    kinds = ["thread", "thread", "direct", "direct", "channel", "channel", "eval", "table"]
    workers = [threading.Thread(target=worker, args=(k,)) for k in kinds]
    for w in workers:
        w.start()
    for w in workers:
        w.join(10)
    assert not any(w.is_alive() for w in workers), "deadlock"
    thread.flushMessageQueue()
    assert wait_for(lambda: cs.controlChannel("count")[0] == sum(sent))
    assert errors == []
    cs.stop()
