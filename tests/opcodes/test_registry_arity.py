"""Every numba perf kernel takes exactly the arguments its defop promises.

The fused path (compile.codegen) builds a call site's argument tuple from the
entry's signature and `arrays=` declaration; the reference path splats
whatever the init returned.  A kernel whose parameter count disagrees with the
declaration still runs on the reference path, but the fused pool never
accepts the note, so the instrument silently stays slow.  This audit catches
that for every overload, its native variant and its pair kernel.
"""

from __future__ import annotations

import inspect

import csoundpy.opcodes  # noqa: F401  (registers every family)
from csoundpy.compile.types import nfixed_inputs
from csoundpy.opcodes._registry import VARIADIC_IN, VARIADIC_OUT, OpEntry, all_entries


def _fixed_params(fn) -> int | None:
    """Positional parameter count of kernel `fn`, None when it takes *args."""
    params = inspect.signature(getattr(fn, "py_func", fn)).parameters.values()
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return None
    return len(params)


def _expected_args(entry: OpEntry) -> int | None:
    """(state, ctx, *aux, *outs, *fixed ins, [variadic tuple], n0, n1) count;
    None when the output count varies with the call site."""
    if any(t in VARIADIC_OUT for t in entry.out_types):
        return None
    variadic = any(t in VARIADIC_IN for t in entry.in_types)
    return 2 + len(entry.arrays) + len(entry.out_types) + nfixed_inputs(entry) + variadic + 2


def arity_mismatches() -> list[str]:
    """One line per kernel whose parameter count disagrees with its defop."""
    bad = []
    for entry in all_entries():
        for kind, variant in (("perf", entry), ("native", entry.native)):
            if variant is None or variant.perf is None or variant.python_perf:
                continue
            expected = _expected_args(variant)
            got = _fixed_params(variant.perf)
            if expected is not None and got is not None and got != expected:
                bad.append(f"{entry!r} {kind} kernel takes {got} arguments, "
                           f"defop implies {expected} (arrays={variant.arrays})")
        if entry.pair is not None and not entry.python_perf:
            expected = _expected_args(entry)
            got = _fixed_params(entry.pair)
            if expected is not None and got is not None and got != 2 * expected - 3:
                bad.append(f"{entry!r} pair kernel takes {got} arguments, "
                           f"defop implies {2 * expected - 3}")
    return bad


def test_every_perf_kernel_matches_its_defop_arity():
    assert arity_mismatches() == []


def test_audit_covers_the_registry():
    checked = [e for e in all_entries()
               if e.perf is not None and not e.python_perf and _expected_args(e) is not None
               and _fixed_params(e.perf) is not None]
    assert len(checked) > 500
