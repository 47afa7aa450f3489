"""The Csound class without a performance thread: options, figures, compile,
events, channels (shared numpy views), tables, messages, host I/O, errors."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import soundfile as sf

import csoundpy as libcsound
from csoundpy.opcodes._registry import REGISTRY

ORC = """
sr = 48000
ksmps = 64
nchnls = 2
gi1 ftgen 1, 0, 16, -2, 0
instr 1
  kv chnget "in"
  chnset kv * 2, "out"
endin
instr 2
  icount chnget "count"
  chnset icount + 1, "count"
endin
"""


def quiet(opts: str = "-n -d -m0") -> libcsound.Csound:
    cs = libcsound.Csound()
    cs.createMessageBuffer()
    assert cs.setOption(opts) == 0
    return cs


def test_module_level():
    assert libcsound.VERSION == 7000 and libcsound.APIVERSION == 7000
    assert libcsound.CSOUND_ERROR == -1 and libcsound.CSOUND_OUTPUT_CHANNEL == 32
    assert libcsound.CSOUNDMSG_WARNING == 0x4000
    assert libcsound.csoundInitialize() in (0, 1) and libcsound.csoundInitialize() == 1
    assert libcsound.PerformanceThread.__name__ == "PerformanceThread"


def test_figures_before_and_after_compile():
    cs = quiet()
    assert (cs.sr(), cs.kr(), cs.ksmps(), cs.nchnls(), cs.get0dBFS(), cs.A4()) == \
        (44100.0, 4410.0, 10, 1, 32768.0, 440.0)
    assert cs.compileOrc(ORC) == 0
    assert (cs.sr(), cs.kr(), cs.ksmps(), cs.nchnls(), cs.nchnlsInput()) == \
        (48000.0, 750.0, 64, 2, 2)
    assert cs.currentTimeSamples() == 0
    cs.start()
    for _ in range(3):
        cs.performKsmps()
    assert cs.currentTimeSamples() == 192 and cs.scoreTime() == pytest.approx(192 / 48000)
    assert cs.version() == 7000


def test_bad_input_gives_error_codes():
    cs = quiet()
    assert cs.setOption("-Y") != 0
    assert cs.setOption(12) == libcsound.CSOUND_ERROR
    assert cs.compileOrc("instr 1\n  k1 ++ 3\nendin\n") == libcsound.CSOUND_ERROR
    assert cs.compileOrc(None) == libcsound.CSOUND_ERROR
    assert math.isnan(cs.evalCode("return +"))
    assert cs.controlChannel("missing") == (0.0, libcsound.CSOUND_ERROR)
    assert cs.table(99) is None and cs.tableLength(99) == -1 and cs.tableArgs(99) is None
    assert cs.table("x") is None
    with pytest.raises(ValueError):
        cs.event("z", [1, 0, 1])
    assert cs.channelPtr("", "control") == (None, "The specified channel name or type is not valid")
    assert cs.channelPtr("c", "nonsense")[0] is None
    cs.compileOrc(ORC)
    cs.start()
    assert cs.setOption("-m0") == 1  # after start: ignored
    cs.performKsmps()
    assert cs.instrNumber("nothere") == -1
    assert cs.killInstance(77, 0) == libcsound.CSOUND_ERROR


def test_evalcode_and_tables_share_memory():
    cs = quiet()
    cs.compileOrc(ORC)
    assert cs.evalCode("return 42") == 42.0
    assert cs.evalCode("gi2 = 3") == 0.0
    tabnum = cs.evalCode("gi__t ftgen 0, 0, 1024, -10, 1\nreturn gi__t")
    assert tabnum == 101.0
    view = cs.table(int(tabnum))
    assert view.shape == (1024,) and cs.tableLength(101) == 1024
    assert np.allclose(view, np.sin(2 * np.pi * np.arange(1024) / 1024))
    data = cs.engine.tables.get(101).data
    assert np.shares_memory(view, data) and data.shape == (1025,)
    view[3] = 0.5
    assert data[3] == 0.5
    assert list(cs.tableArgs(101)) == [-10.0, 1.0]
    cs.tableSet(1, 2, 7.0)
    assert cs.tableGet(1, 2) == 7.0


@pytest.mark.skipif("tablew" not in REGISTRY, reason="tablew not available yet")
def test_table_view_reflects_tablew():
    cs = quiet()
    cs.compileOrc(ORC + 'instr 3\n tablew 0.75, 5, 1\nendin\n')
    view = cs.table(1)
    cs.event("i", [3, 0, 0.01])
    cs.start()
    cs.performKsmps()
    assert view[5] == 0.75


def test_channels_are_shared_views_and_seen_next_block():
    cs = quiet()
    cs.compileOrc(ORC)
    arr, err = cs.channelPtr("in", "control")
    assert err == "" and arr.shape == (1,) and arr.dtype == np.float64
    again, _ = cs.channelPtr("in", "control", "w")
    assert np.shares_memory(arr, again)
    assert cs.channelInfo("in") == ("control", 48)
    cs.event("i", [1, 0, -1])
    cs.start()
    arr[0] = 3.0
    cs.performKsmps()
    assert cs.controlChannel("out") == (6.0, 0)
    out, _ = cs.channelPtr("out", "control")
    cs.setControlChannel("in", 5.0)
    cs.performKsmps()
    assert out[0] == 10.0
    assert cs.channelPtr("out", "audio") == (None, "A control channel named out already exists")
    audio, err = cs.channelPtr("bus", "audio")
    assert audio.shape == (64,)
    assert cs.channelPtr("bus", "control") == (None, "An audio channel named bus already exists")
    cs.setAudioChannel("bus", np.arange(64.0))
    assert np.array_equal(cs.audioChannel("bus"), np.arange(64.0))
    with pytest.raises(ValueError):
        cs.setAudioChannel("bus", np.zeros(10))
    with pytest.raises(ValueError):
        cs.audioChannel("bus", np.zeros((2, 64)))
    s, err = cs.channelPtr("txt", "string")
    s.value = "hello"
    assert cs.stringChannel("txt") == "hello" and cs.stringChannel("nope") == ""
    cs.setStringChannel("txt", "bye")
    assert s.value == "bye"
    names = [c.name for c in cs.listChannels()[0]]
    assert names == sorted(names) and {"in", "out", "bus", "txt"} <= set(names)
    assert cs.setControlChannelHints("in", behav=2, dflt=0.5, min=0, max=1) == 0
    assert cs.controlChannelHints("in")[0].dflt == 0.5


def test_channels_before_compile_survive_engine_creation():
    cs = quiet()
    arr, _ = cs.channelPtr("in", "control")
    arr[0] = 4.0
    assert cs.channelPtr("early_audio", "audio")[0] is None  # ksmps not known yet
    cs.compileOrc(ORC)
    cs.event("i", [1, 0, -1])
    cs.performKsmps()
    assert cs.controlChannel("out") == (8.0, 0)


def test_events_before_start_and_end_marker():
    cs = quiet()
    cs.event("i", [2, 0, 0.01])  # before any compile: kept for start
    cs.compileOrc(ORC)
    cs.scoreEvent("i", [2, 0.01, 0.01])
    cs.setEndMarker(0.05)
    blocks = 0
    while not cs.performKsmps():
        blocks += 1
        assert blocks < 1000
    assert cs.controlChannel("count") == (2.0, 0)
    assert blocks == round(0.05 * 750) + 1 or abs(blocks - 0.05 * 750) <= 2


def test_read_score_before_start_ends_with_score():
    cs = quiet()
    cs.compileOrc(ORC)
    assert cs.readScore("i2 0 0.01\ni2 0.02 0.01\n") == 0
    assert cs.perform() == 1
    assert cs.controlChannel("count") == (2.0, 0)
    text = "".join(m for m, _ in cs.iterMessages())
    assert "Score finished in csoundPerform()." in text


def test_input_message_and_kill_instance():
    cs = quiet()
    cs.compileOrc(ORC)
    cs.start()
    cs.inputMessage("i2 0 0.01\ni2 0 0.01")
    cs.performKsmps()
    assert cs.controlChannel("count") == (2.0, 0)
    cs.event("i", [1, 0, -1])
    cs.performKsmps()

    def ones():
        return [i for i in cs.engine.chain if i.idef.number == 1]

    assert len(ones()) == 1
    assert cs.killInstance(1, 0, False) == 0
    cs.performKsmps()
    assert ones() == []


def test_messages_buffer_and_callbacks():
    cs = libcsound.Csound()
    cs.createMessageBuffer()
    cs.message("hello")
    assert cs.messageCnt() == 1 and cs.firstMessage() == "hello\n"
    assert cs.readMessage() == ("hello\n", 0) and cs.readMessage() == ("", 0)
    cs.destroyMessageBuffer()
    got = []
    cs.setMessageStringCallback(lambda attr, text: got.append((attr, text)))
    cs.messageS(libcsound.CSOUNDMSG_WARNING, "w\n")
    cs.setMessageStringCallback(0, lambda attr, text: got.append(("swapped", text)))
    cs.message("x")
    assert got == [(0x4000, "w\n"), ("swapped", "x\n")]


def test_banner_and_summary_printed_once():
    cs = quiet("-n -d")
    cs.compileOrc(ORC)
    cs.start()
    cs.start()
    cs.performKsmps()
    cs.cleanup()
    cs.cleanup()
    text = "".join(m for m, _ in cs.iterMessages())
    assert text.count("sr = 48000.0, kr = 750.000, ksmps = 64\n") == 1
    assert "0dBFS level = 32768.0, A4 tuning = 440.0\n" in text
    assert "displays suppressed\n" in text and "not writing to sound disk\n" in text
    assert text.count("overall amps:") == 1 and "0 errors in performance" in text


def test_file_output(tmp_path):
    path = str(tmp_path / "out.wav")
    cs = quiet(f"-d -m0 -o{path}")
    cs.compileOrc(ORC)
    for _ in range(10):
        cs.performKsmps()
    cs.cleanup()
    data, sr = sf.read(path)
    assert sr == 48000 and data.shape == (640, 2)
    text = "".join(m for m, _ in cs.iterMessages())
    assert f"writing 1024-byte blks of shorts to {path} (WAV)" in text
    assert f"512 1024 sample blks of shorts written to {path} (WAV)" in text


def test_spin_spout_are_interleaved_views():
    cs = quiet()
    cs.setHostImplementedAudioIO(True, 0)
    cs.compileOrc(ORC)
    cs.start()
    spin, spout = cs.spin(), cs.spout()
    assert spin.shape == (128,) and spout.shape == (128,)
    spin[:] = np.arange(128.0)
    assert cs.engine.spin[1, 0] == 1.0 and cs.engine.spin[0, 1] == 2.0
    cs.engine.spout[1, 3] = 9.0
    assert spout[7] == 9.0


def test_reset_gives_a_fresh_engine():
    cs = quiet()
    cs.compileOrc(ORC)
    cs.setControlChannel("in", 1.0)
    cs.performKsmps()
    cs.reset()
    assert cs.engine is None and cs.sr() == 44100.0 and cs.listChannels() == (None, "")
    assert cs.setOption("-n -m0") == 0
    assert cs.compileOrc(ORC) == 0 and cs.start() == 0


def test_opcode_list_and_util():
    cs = libcsound.Csound()
    names = {o.name for o in cs.getOpcodes()}
    assert {"chnget", "chnset", "invalue", "outvalue"} <= names
    from csoundpy import _util

    assert _util.packChannelType("control", True, True) == 49
    assert _util.unpackChannelType(49) == ("control", True, True)
