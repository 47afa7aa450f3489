"""Feeds a parsed score to the engine, section by section, and decides when
the performance is over (last event time passed and no release tails left)."""

from __future__ import annotations

from typing import Any


class ScorePlayer:
    """Places score sections on the engine's block timeline."""

    def __init__(self, engine: Any, score: Any | None) -> None:
        self.engine = engine
        self.sections = list(score.sections) if score is not None else []
        self.has_s = bool(getattr(score, "has_s", False))
        self.index = -1
        self.section_end_block = 0
        self.section_start_block = 0
        self.finished = not self.sections

    def start(self) -> None:
        if self.sections:
            self._enter(0)

    def _enter(self, index: int) -> None:
        engine = self.engine
        self.index = index
        section = self.sections[index]
        start = engine.kcount
        self.section_start_block = start
        engine.message(f"SECTION {index + 1}:")
        for ev in section.events:
            p = list(ev.pfields)
            if ev.opcode in ("i", "q", "a"):
                t = float(p[1]) if len(p) > 1 else 0.0
            elif ev.opcode == "f":
                t = float(p[1]) if len(p) > 1 else 0.0
                p = [p[0], *p[1:]]
            else:
                t = float(p[1]) if len(p) > 1 and not isinstance(p[1], str) else 0.0
            if ev.opcode == "i" and len(p) > 1:
                p[1] = t
            block = start + engine.block_of(t)
            if ev.opcode == "e":
                continue
            engine.schedule(ev.opcode, p, block)
        self.section_end_block = start + engine.block_of(section.end)

    def step(self) -> bool:
        """Called before each block; False when the performance should stop."""
        engine = self.engine
        if engine.ended:
            return False
        if self.finished:
            return True
        if engine.kcount < self.section_end_block:
            return True
        if any(ev.block <= self.section_end_block and not ev.realtime for ev in engine.queue):
            return True
        last = self.index == len(self.sections) - 1
        if last:
            if any(inst.releasing or inst.end_block is not None for inst in engine.chain):
                return True
            self.finished = True
            return False
        if self.has_s:
            engine.message(f"end of section {self.index + 1}\t sect peak amps:"
                           f"{engine.format_amps(engine.section_peaks)}")
        engine.section_peaks[:] = 0.0
        engine.purge()
        self._enter(self.index + 1)
        return True
