"""Replay whole-orchestra fixtures (tools/fixtures/_orc_cases.py) through csoundpy."""

from __future__ import annotations

import json
import os

import numpy as np

from tests.conftest import Rig

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def load(module: str) -> tuple[dict, dict]:
    folder = os.path.join(FIXTURES, module)
    with open(os.path.join(folder, f"{module}.json")) as fh:
        cases = {c["name"]: c for c in json.load(fh)}
    audio = dict(np.load(os.path.join(folder, f"{module}.npz")))
    return cases, audio


def play(c: dict, nblocks: int | None = None) -> Rig:
    """Compile the case's orchestra, schedule its notes and run it."""
    rig = Rig(c["orc"], sr=c["sr"], ksmps=c["ksmps"], nchnls=c["nchnls"])
    for note in c["notes"]:
        rig.note(*note)
    rig.out = rig.run(nblocks if nblocks is not None else 0)
    return rig


def render(c: dict, frames: int) -> np.ndarray:
    """Output as frames x channels, for comparison with Csound's WAV."""
    rig = play(c, frames // c["ksmps"])
    return rig.out.T
