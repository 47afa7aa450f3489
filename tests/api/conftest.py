"""API tests need the front end (options, preprocessor, score reader); skip cleanly
while one of them is missing, and stop any performance thread a test leaves behind."""

from __future__ import annotations

import importlib.util

import pytest

for _mod in ("csoundpy.options", "csoundpy.lang.preprocess", "csoundpy.lang.score"):
    if importlib.util.find_spec(_mod) is None:
        collect_ignore_glob = ["test_csound.py", "test_perfthread.py", "test_examples.py"]
        break


@pytest.fixture(autouse=True)
def _stop_threads():
    yield
    from csoundpy import api

    for pt in list(api._LIVE_THREADS):
        if pt.isRunning():
            pt.stop()
            pt.join()


ORC = """
sr = 48000
ksmps = 64
nchnls = 2
"""


@pytest.fixture
def orc():
    return ORC
