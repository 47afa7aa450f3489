"""File opcodes (csoundpy/opcodes/files.py) against real Csound 6.18.

fixtures/files/ holds the input files and files.json (tools/fixtures/make_files.py):
what Csound printed and the files it wrote for each case, run in a folder
holding the inputs (sr 1000, ksmps 10, 4 blocks, kb = timeinstk()).
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from csoundpy.engine.context import InitContext, OpcodeHost, PerfContext
from csoundpy.errors import InitError
from csoundpy.opcodes._registry import OPTIONAL_DEFAULTS
from csoundpy.testing import find_entry

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "files")
with open(os.path.join(HERE, "files.json")) as _fh:
    FIX = json.load(_fh)


class _Inst:
    def __init__(self, engine):
        self.engine = engine


@pytest.fixture
def host(tmp_path, monkeypatch):
    for f in os.listdir(HERE):
        if f != "files.json":
            shutil.copy(os.path.join(HERE, f), tmp_path)
    monkeypatch.chdir(tmp_path)
    return OpcodeHost(sr=1000, ksmps=10)


def play(host, name, outs, ins, args, nblocks=4, nouts=None):
    """Init, `nblocks` perf passes (an argument given as a function gets kb), deinit."""
    entry = find_entry(name, outs, ins)
    state = np.zeros(1, dtype=entry.state)[0]
    tokens = entry.out_types if nouts is None else entry.out_types[:nouts]
    outv = [np.zeros(1) for _ in tokens]
    variadic = entry.in_types and entry.in_types[-1] in "NMmz"
    nfix = len(entry.in_types) - 1 if variadic else len(entry.in_types)

    full = list(args) + [OPTIONAL_DEFAULTS[t] for t in entry.in_types[len(args):nfix]]

    def values(kb):
        vals = [a(kb) if callable(a) else a for a in full]
        return vals[:nfix] + [tuple(vals[nfix:])] if variadic else vals

    entry.init(state, InitContext(host), *outv, *values(1))
    got = []
    if entry.perf is not None:
        for kb in range(1, nblocks + 1):
            vals = values(kb)
            conv = [tuple(np.array(float(v)) if not isinstance(v, str) else v for v in x)
                    if isinstance(x, tuple) else np.array(float(x))
                    if not isinstance(x, str) else x for x in vals]
            entry.perf(state, PerfContext(host), *outv, *conv, 0, 1)
            got.append([float(o[0]) for o in outv])
    if entry.deinit is not None:
        entry.deinit(state, _Inst(host))
    return [[float(o[0]) for o in outv]] if entry.perf is None else got


def written(name: str) -> str:
    with open(name, "rb") as fh:
        return fh.read().decode("latin-1")


INFO_FILES = ["pcm16.wav", "float.wav", "pcm24.aiff", "double.au", "data.raw"]


@pytest.mark.parametrize("fname", INFO_FILES)
def test_sound_file_info(host, fname):
    got = [play(host, op, "i", "Sp", [fname])[0][0]
           for op in ("filelen", "filenchnls", "filesr", "filebit")]
    np.testing.assert_allclose(got, FIX["info"]["values"][fname][0], rtol=1e-12)


def test_raw_files_refused(host):
    got = [play(host, "filelen", "i", "Sp", ["data.raw", 0])[0][0],
           play(host, "filebit", "i", "Sp", ["data.raw", 0])[0][0]]
    assert got == FIX["info"]["values"]["raw0"][0]


def test_filepeak(host):
    calls = [("pcm16.wav", 0), ("pcm16.wav", 1), ("float.wav", 0), ("pcm24.aiff", 2),
             ("double.au", 0)]
    got = [play(host, "filepeak", "i", "So", list(c))[0][0] for c in calls]
    np.testing.assert_allclose(got, FIX["info"]["values"]["peaks"][0], rtol=1e-12)
    with pytest.raises(InitError, match="filepeak: error getting peak value"):
        play(host, "filepeak", "i", "So", ["float.wav", 1])  # compat: PEAK chunk + channel


def test_missing_sound_file(host):
    with pytest.raises(InitError, match="diskinfo cannot open nothere.wav"):
        play(host, "filelen", "i", "Sp", ["nothere.wav"])


def test_fprints(host):
    play(host, "fprints", "", "SSN", ["out.txt", "a %d b %5.2f|%s\\n", 3.7, 2.25, "str"])
    play(host, "fprints", "", "SSN", ["out.txt", "no args^^ ~~ %%t%!\\n", 0])
    play(host, "fprints", "", "SSN", ["out.txt", "%d%% of %g\\n", 42, 0.1])
    assert written("out.txt") == FIX["fprints"]["files"]["out.txt"]


def test_fprintks(host):
    play(host, "fprintks", "", "SSN",
         ["k.txt", "kb=%d v=%.3f %s\\n", lambda kb: kb, lambda kb: kb / 3, "x"])
    assert written("k.txt") == FIX["fprintks"]["files"]["k.txt"]


@pytest.mark.parametrize("case,op,ins,args,out", [
    ("dumpk7", "dumpk", "kSii", [lambda kb: kb * 2.6 - 4, "d7.txt", 7, 0], "d7.txt"),
    ("dumpk8", "dumpk2", "kkSii", [lambda kb: kb / 7, lambda kb: -kb * 100.25, "d8.txt", 8,
                                   0.02], "d8.txt"),
    ("dumpk4", "dumpk3", "kkkSii", [lambda kb: kb * 1000.7, lambda kb: -kb, 40000, "d4.bin",
                                    4, 0], "d4.bin"),
    ("dumpk6", "dumpk4", "kkkkSii", [lambda kb: kb / 3, 1, 2, lambda kb: -kb, "d6.bin", 6,
                                     0.01], "d6.bin"),
    ("dumpk1", "dumpk", "kSii", [lambda kb: kb * 50, "d1.bin", 1, 0], "d1.bin"),
])
def test_dumpk(host, case, op, ins, args, out):
    play(host, op, "", ins, args)
    assert written(out) == FIX[case]["files"][out]


@pytest.mark.parametrize("case,op,outs,fname,fmt,prd", [
    ("readk7", "readk", "k", "in7.txt", 7, 0),
    ("readk8", "readk2", "kk", "in8.txt", 8, 0.02),
    ("readk4", "readk3", "kkk", "in4.bin", 4, 0),
    ("readk6", "readk", "k", "in6.bin", 6, 0),
])
def test_readk(host, case, op, outs, fname, fmt, prd):
    got = play(host, op, outs, "Sii", [fname, fmt, prd])
    np.testing.assert_allclose(got, FIX[case]["values"]["k"], rtol=1e-12)


def test_dump_format_errors(host):
    with pytest.raises(InitError, match="unknown format request"):
        play(host, "dumpk", "", "kSii", [1, "x.txt", 9, 0])
    with pytest.raises(InitError, match="alaw and ulaw not implemented here"):
        play(host, "readk", "k", "Sii", ["in7.txt", 2, 0])
    with pytest.raises(InitError, match="Cannot open nothere.txt"):
        play(host, "readk", "k", "Sii", ["nothere.txt", 7, 0])
