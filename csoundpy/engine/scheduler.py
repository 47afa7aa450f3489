"""Feeds a parsed score to the engine section by section, with Csound's
timing (Engine/musmon.c sensevents): each score event is placed a rounded
number of blocks after the block at which the previous one was read, and a
section is over once its events are all out and no note with a finite
duration (or in its release) is left."""

from __future__ import annotations

from typing import Any


def _rndint(x: float) -> int:
    """Csound's RNDINT64: round half away from zero."""
    return int(x + (-0.5 if x < 0.0 else 0.5))


class ScorePlayer:
    """Places score sections on the engine's block timeline and says when to stop."""

    def __init__(self, engine: Any, score: Any | None, keep_running: bool = False) -> None:
        self.engine = engine
        self.sections = list(score.sections) if score is not None else []
        self.has_s = bool(getattr(score, "has_s", False))
        self.keep_running = keep_running or score is None
        self.index = -1
        self.min_end_block = 0
        self.done = False

    def start(self) -> None:
        self.engine.stop_check = self.should_stop
        if self.sections:
            self._enter(0)

    def _enter(self, index: int) -> None:
        engine = self.engine
        self.index = index
        section = self.sections[index]
        start_block = engine.kcount
        engine.time_offset = start_block * engine.ksmps / engine.sr
        engine.message(f"SECTION {index + 1}:")
        ksmps, sr = engine.ksmps, engine.sr
        cur = start_block
        for ev in section.events:
            p = list(ev.pfields)
            t = float(p[1]) if len(p) > 1 and not isinstance(p[1], str) else 0.0
            if ev.opcode == "e":
                continue
            cycles = _rndint(((t + engine.time_offset) * sr - cur * ksmps) / ksmps)
            if cycles > 0:
                cur += cycles
            engine.schedule(ev.opcode, p, cur)
        # The section lasts while its events are pending or finite notes sound;
        # `s t`, `e t` and `f 0 t` arrive as events, so no explicit end is needed.
        self.min_end_block = start_block

    def _section_busy(self) -> bool:
        engine = self.engine
        # cheapest first: a note with an end usually comes early in the chain,
        # while the queue may hold thousands of realtime events to skip
        if engine.kcount < self.min_end_block or engine.kcount < engine.max_off_block:
            return True
        if any(inst.end_block is not None or inst.releasing for inst in engine.chain):
            return True
        return any(not ev.realtime for ev in engine.queue)

    def should_stop(self) -> bool:
        """Checked after each block's events: True ends the performance before this block."""
        if self.done:
            return True
        if self.keep_running or not self.sections:
            return False
        while not self._section_busy():
            engine = self.engine
            if self.has_s:
                engine.message(f"end of section {self.index + 1}\t sect peak amps:"
                               f"{engine.format_amps(engine.section_peaks)}")
            engine.section_peaks[:] = 0.0
            if self.index == len(self.sections) - 1:
                self.done = True
                return True
            engine.purge()
            self._enter(self.index + 1)
            engine.sense()
        return False
