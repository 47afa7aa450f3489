#!/usr/bin/env python3
"""Where a fused instrument's time goes: CPU ns per note-sample, op by op.

    PYTHONPATH=. python tools/profile_native.py CSD INSTR [--start N] [--blocks B]

Renders CSD's orchestra with the native path (score lines are ignored: instr
--start is started at time 0, e.g. a conductor that schedules the voices),
runs B blocks, then times the fused function of INSTR over its active notes,
and variants of it that keep one op each (the rest of the loop, status
counting included, is the per-variant baseline).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("CSOUNDPY_JIT", "sync")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csd")
    ap.add_argument("instr", type=int)
    ap.add_argument("--start", type=int, default=None)
    ap.add_argument("--blocks", type=int, default=50)
    args = ap.parse_args()

    from tests.conftest import Rig

    with open(args.csd) as f:
        text = f.read()
    orc = re.search(r"<CsInstruments>(.*)</CsInstruments>", text, re.DOTALL).group(1)
    sr = float(re.search(r"^\s*sr\s*=\s*(\d+)", orc, re.MULTILINE).group(1))
    ksmps = int(re.search(r"^\s*ksmps\s*=\s*(\d+)", orc, re.MULTILINE).group(1))
    nchnls = int(re.search(r"^\s*nchnls\s*=\s*(\d+)", orc, re.MULTILINE).group(1))
    rig = Rig(orc, sr=sr, ksmps=ksmps, nchnls=nchnls)
    rig.engine.sink = None
    rig.note(args.start if args.start is not None else args.instr, 0, 3600)
    for _ in range(args.blocks):
        rig.engine.perform_block()
    steps = [s for s in rig.engine.native._plan
             if type(s) is tuple and s[0].idef.number == args.instr]
    if not steps:
        sys.exit(f"instr {args.instr} has no fused notes running")
    pool, _notes, slots = max(steps, key=lambda s: len(s[2]))
    call_args = pool.args(slots, 0)

    def per_sample(fn, n: int = 100) -> float:
        fn(*call_args)
        t = time.process_time()
        for _ in range(n):
            fn(*call_args)
        return (time.process_time() - t) / n / len(slots) / ksmps * 1e9

    print(f"instr {args.instr}: {len(slots)} notes, fused {per_sample(pool.fn):.2f} ns/note-sample")
    lines = pool.plan.source.split("\n")
    calls = [i for i, line in enumerate(lines) if "prog[1] =" in line]
    tmp = tempfile.mkdtemp(prefix="csoundpy-prof-")
    for j, ci in enumerate(calls):
        drop = {c + 1 for c in calls if c != ci}
        source = "\n".join(line for i, line in enumerate(lines) if i not in drop)
        path = os.path.join(tmp, f"variant{j}.py")
        with open(path, "w") as f:
            f.write(source)
        spec = importlib.util.spec_from_file_location(f"_csoundpy_prof_variant{j}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        fn = getattr(module, pool.plan.func_name)
        print(f"{per_sample(fn):9.2f}  {lines[ci - 1].strip()}")


if __name__ == "__main__":
    main()
