"""Start-up and exit of the `csoundpy` command: caches that make a second run
start warm, and an exit that skips the interpreter's teardown but loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from csoundpy._cache import CachingLoader, bytecode_path, cache_root


def python(code: str, cache: Path, cwd: Path | None = None, **env: str):
    environ = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=300)


def test_cache_root_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == str(tmp_path / "csoundpy")


def test_own_modules_keep_bytecode_in_the_cache_when_python_writes_none(tmp_path):
    proc = python("""
        import csoundpy.options, numpy
        print(csoundpy.options.__cached__)
        print(numpy.__spec__.loader.__class__.__name__)
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    cached, numpy_loader = proc.stdout.split()
    assert cached.startswith(str(tmp_path / "csoundpy" / "pyc"))
    assert Path(cached).is_file()
    assert numpy_loader == "SourceFileLoader"  # other packages are left alone


def test_cached_bytecode_is_used_only_while_the_source_is_unchanged(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "mod.py"

    def load(text: str, mtime_ns: int):
        source.write_text(text)
        os.utime(source, ns=(mtime_ns, mtime_ns))
        namespace: dict = {}
        exec(CachingLoader("mod", str(source)).get_code("mod"), namespace)
        return namespace["VALUE"]

    assert load("VALUE = 1\n", 10**18) == 1
    assert Path(bytecode_path(str(source))).is_file()
    assert load("VALUE = 1\n", 10**18) == 1
    assert load("VALUE = 2\n", 10**18 + 1) == 2  # new time
    assert load("VALUE = 33\n", 10**18 + 1) == 33  # new size


def test_unreadable_cached_bytecode_is_compiled_again(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "mod.py"
    source.write_text("VALUE = 5\n")
    CachingLoader("mod", str(source)).get_code("mod")
    cached = Path(bytecode_path(str(source)))
    cached.write_bytes(cached.read_bytes()[:20])
    namespace: dict = {}
    exec(CachingLoader("mod", str(source)).get_code("mod"), namespace)
    assert namespace["VALUE"] == 5


def test_kernels_do_not_load_scipy_linalg(tmp_path):
    proc = python("""
        import sys
        from csoundpy.opcodes.oscillators import _lrint32
        _lrint32(2.5)
        print("scipy.linalg" in sys.modules)
        """, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False"]


def test_kernels_make_their_dispatcher_and_disk_cache_when_first_called():
    from numba.core.caching import FunctionCache

    from csoundpy._jit import kernel

    @kernel
    def twice(x):
        """Doubles."""
        return 2.0 * x

    assert twice._dispatcher is None
    assert (twice.py_func(1.0), twice.__name__, twice.__doc__) == (2.0, "twice", "Doubles.")
    assert twice._dispatcher is None
    assert twice(1.5) == 3.0
    assert isinstance(twice._cache, FunctionCache)


def test_compiled_code_calls_a_lazy_helper_it_names():
    from csoundpy._jit import helper, kernel

    @helper
    def square(x):
        return x * x

    def make():
        @kernel
        def sum_of_squares(a, b):
            return square(a) + square(b)
        return sum_of_squares

    assert square._dispatcher is None
    assert make()(3.0, 4.0) == 25.0
    assert square._dispatcher is not None


CACHED_MODULE = """\
from csoundpy._jit import helper, kernel


@helper
def square(x):
    return x * x


@kernel
def norm2(a):
    total = 0.0
    for x in a:
        total += square(x)
    return total
"""


def test_a_warm_process_loads_cached_kernels_without_readying_numba_to_compile(tmp_path):
    (tmp_path / "cachedmod.py").write_text(CACHED_MODULE)
    code = """
        import sys
        import numpy as np
        import cachedmod
        print(cachedmod.norm2(np.arange(4.0)), cachedmod.norm2.stats.cache_hits)
        print("numba.np.arraymath" in sys.modules, cachedmod.square._dispatcher is None)
        """
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    cold = python(code, tmp_path / "cache", **env)
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.split() == ["14.0", "Counter()", "True", "False"]
    warm = python(code, tmp_path / "cache", **env)
    assert warm.returncode == 0, warm.stderr
    hits, modules = warm.stdout.splitlines()
    assert hits.startswith("14.0 Counter({")  # loaded from numba's disk cache
    assert modules.split() == ["False", "True"]  # no context refresh, helper never made


FILES_CSD = """\
<CsoundSynthesizer>
<CsOptions>
-d -m0
</CsOptions>
<CsInstruments>
sr = 1000
ksmps = 10
nchnls = 1
0dbfs = 1
fprints "global.txt", "global %d\\n", 7
instr 1
  fprints "notes.txt", "note %d\\n", p4
  kx line 0, p3, 1
  dumpk kx, "dump.txt", 8, 0
  fprintks "k.txt", "k %f\\n", kx
  out oscili(0.5, 100)
endin
</CsInstruments>
<CsScore>
i 1 0 0.05 1
i 1 0.05 0.05 3
</CsScore>
</CsoundSynthesizer>
"""


def test_files_written_by_a_render_are_complete_after_the_command_exits(tmp_path):
    args = ["-o", "out.wav", "-W", "files.csd"]
    outputs = {}
    for entry in ("command", "in_process"):
        work = tmp_path / entry
        work.mkdir()
        (work / "files.csd").write_text(FILES_CSD)
        if entry == "command":
            proc = subprocess.run([sys.executable, "-m", "csoundpy", *args], cwd=work,
                                  capture_output=True, text=True, timeout=300)
        else:
            proc = python(f"import sys; from csoundpy.cli import run; sys.exit(run({args!r}))",
                          tmp_path / "cache", cwd=work)
        assert proc.returncode == 0, proc.stderr
        assert "0 errors in performance" in proc.stderr
        outputs[entry] = {f.name: f.read_bytes() for f in work.iterdir()}
    assert outputs["command"] == outputs["in_process"]
    assert outputs["command"]["global.txt"] == b"global 7\n"
    assert outputs["command"]["notes.txt"] == b"note 1\nnote 3\n"
    assert len(outputs["command"]["out.wav"]) > 200


def test_command_exit_status_and_output_survive_the_fast_exit(tmp_path):
    (tmp_path / "bad.csd").write_text(FILES_CSD.replace("out oscili", "out nosuchop"))
    proc = subprocess.run([sys.executable, "-m", "csoundpy", "-n", "bad.csd"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "nosuchop" in proc.stderr
