"""Shared fixtures: compile an orchestra string and run it block by block."""

from __future__ import annotations

import numpy as np
import pytest

import csoundpy.opcodes  # noqa: F401
from csoundpy.compile.expand import Compiler
from csoundpy.engine.engine import Engine
from csoundpy.lang.parser import parse_orchestra, udo_names
from csoundpy.lang.preprocess import preprocess
from csoundpy.opcodes._registry import REGISTRY


def parse(text: str, filename: str = "test.orc"):
    source = preprocess(text, filename)
    udos = udo_names(source.text)
    return parse_orchestra(source, lambda n: n in REGISTRY or n in udos)


class Rig:
    """An engine with an orchestra compiled in, collecting output and printed text."""

    def __init__(self, orc: str, sr: float = 1000.0, ksmps: int = 10, nchnls: int = 1,
                 e0dbfs: float = 1.0):
        self.text: list[str] = []
        self.engine = Engine(sr, ksmps, nchnls, e0dbfs=e0dbfs, msg_level=0,
                             write=self.text.append)
        compiled = Compiler(self.engine.global_table).compile(parse(orc))
        self.engine.compile_orchestra(compiled)
        self.blocks: list[np.ndarray] = []
        self.engine.sink = lambda b: self.blocks.append(b.copy())

    def note(self, *pfields) -> None:
        self.engine.schedule("i", list(pfields), self.engine.block_of(pfields[1]))

    def run(self, nblocks: int) -> np.ndarray:
        for _ in range(nblocks):
            self.engine.perform_block()
        return np.concatenate(self.blocks, axis=1) if self.blocks else np.zeros((1, 0))

    def g(self, name: str) -> float:
        return float(self.engine.gvars[name][0])

    @property
    def printed(self) -> str:
        return "".join(self.text)


@pytest.fixture
def rig():
    return Rig
