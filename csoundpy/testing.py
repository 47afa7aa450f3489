"""Test harness: run one opcode overload without the parser or the engine.

    out = render_opcode("oscili", "a", "kkjo", [0.5, 440, 1], nblocks=100,
                        host=host)        # host: csoundpy.engine.context.OpcodeHost

Arguments: a float is a constant k/i value; a 1-d array of nblocks*ksmps
values feeds an a-rate input; a 1-d array of nblocks values feeds a k-rate
input block by block; a str feeds an S input.  Optional inputs that are not
given take their Csound defaults.  Returns one numpy array per output
(a-rate: nblocks*ksmps samples; k-rate: nblocks values; i-rate: 1 value).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .engine.context import ArrayVar, InitContext, OpcodeHost, PerfContext, StrVar
from .opcodes._registry import OPTIONAL_DEFAULTS, VARIADIC_IN, OpEntry, lookup, split_types


def find_entry(name: str, outs: str, ins: str) -> OpEntry:
    """The overload of `name` whose type strings are exactly `outs` and `ins`."""
    import csoundpy.opcodes  # noqa: F401  (registers every family)

    for entry in lookup(name):
        if entry.outs == outs and entry.ins == ins:
            return entry
    found = ", ".join(f"{e.outs or '(null)'}:{e.ins}" for e in lookup(name)) or "none"
    raise KeyError(f"no overload {name} {outs}:{ins} (have {found})")


def _is_audio_rate(token: str) -> bool:
    return token in ("a", "y")


def render_opcode(
    name: str,
    outs: str,
    ins: str,
    args: Sequence[Any],
    *,
    nblocks: int = 1,
    host: OpcodeHost | None = None,
    rates: str | None = None,
    nouts: int | None = None,
    instance: Any = None,
) -> list[np.ndarray]:
    """Run opcode `name` (overload outs:ins) for `nblocks` blocks and return its outputs.

    `rates` gives the actual rate letter of each argument when the signature
    letter allows several (`x` -> 'a' or 'k'); by default `x` is 'a' when the
    argument is a full-length array, else 'k'.  `instance` stands in for the
    note (`ic.instance`), e.g. one carrying MIDI data.
    """
    host = host or OpcodeHost()
    ksmps = int(host.consts.ksmps)
    entry = find_entry(name, outs, ins)
    in_tokens = split_types(entry.ins)
    out_tokens = split_types(entry.outs)
    if nouts is not None:  # variadic outputs (m, z...): how many the call site has
        out_tokens = out_tokens[:nouts]
    nfixed = next((i for i, t in enumerate(in_tokens) if t in VARIADIC_IN), len(in_tokens))
    args = list(args)
    for tok in in_tokens[len(args):nfixed]:
        if tok in OPTIONAL_DEFAULTS:
            args.append(OPTIONAL_DEFAULTS[tok])
        else:
            raise ValueError(f"missing argument of type {tok}")

    def arg_rate(i: int, value: Any, token: str) -> str:
        if rates is not None:
            return rates[i]
        if isinstance(value, str):
            return "S"
        if token in ("a", "y"):
            return "a"
        if token in ("x", "M", "N", "Z", "*") and isinstance(value, np.ndarray) \
                and value.shape[0] == nblocks * ksmps:
            return "a"
        if isinstance(value, np.ndarray):
            return "k"
        return "i"

    kinds = []
    for i, value in enumerate(args):
        token = in_tokens[min(i, len(in_tokens) - 1)] if i >= nfixed else in_tokens[i]
        if i >= nfixed:
            token = in_tokens[nfixed]
        kinds.append(arg_rate(i, value, token))

    audio = any(_is_audio_rate(t) or t == "m" for t in out_tokens) or "a" in kinds
    state = np.zeros(1, dtype=entry.state)[0]
    out_vals = []
    for tok in out_tokens:
        if tok.endswith("[]"):
            out_vals.append(ArrayVar(tok[0]))
        elif tok == "S":
            out_vals.append(StrVar())
        elif tok in ("a", "m"):
            out_vals.append(np.zeros(ksmps))
        else:
            out_vals.append(np.zeros(1))

    bufs = []  # per input: the live object passed to perf
    for value, kind in zip(args, kinds):
        if kind == "S":
            bufs.append(StrVar(value))
        elif kind == "a":
            bufs.append(np.zeros(ksmps))
        else:
            bufs.append(np.zeros(()))

    def load(block: int) -> None:
        for value, kind, buf in zip(args, kinds, bufs):
            if kind == "a":
                buf[:] = value[block * ksmps:(block + 1) * ksmps]
            elif kind == "k":
                buf[()] = value[block]
            elif kind == "i":
                buf[()] = float(value)

    def pack(values: list) -> list:
        return values[:nfixed] + ([tuple(values[nfixed:])] if nfixed < len(in_tokens) else [])

    load(0)
    init_ins = []
    for buf, kind in zip(bufs, kinds):
        if kind == "S":
            init_ins.append(buf.value)
        elif kind == "a":
            init_ins.append(buf)
        else:
            init_ins.append(float(buf[()]))
    aux: tuple = ()
    if entry.init is not None:
        ic = InitContext(host, instance, opname=name)
        aux = entry.init(state, ic, *out_vals, *pack(init_ins)) or ()
    results: list[list] = [[] for _ in out_tokens]
    if entry.perf is None:
        for i, o in enumerate(out_vals):
            results[i].append(o.data if isinstance(o, ArrayVar) else
                              o.value if isinstance(o, StrVar) else o.copy())
        return [np.asarray(r[0]) if not isinstance(r[0], str) else r[0] for r in results]
    ctx = PerfContext(host, instance, opname=name) if entry.python_perf else host.consts
    perf_ins = pack(bufs if entry.python_perf else
                    [b.value if isinstance(b, StrVar) else b for b in bufs])
    n0, n1 = (0, ksmps) if audio else (0, 1)
    for block in range(nblocks):
        load(block)
        host.spout[:] = 0.0
        entry.perf(state, ctx, *aux, *out_vals, *perf_ins, n0, n1)
        host.clock[0] += 1
        for i, o in enumerate(out_vals):
            results[i].append(o.copy() if isinstance(o, np.ndarray) else
                              o.value if isinstance(o, StrVar) else o)
    final = []
    for tok, r in zip(out_tokens, results):
        if isinstance(r[0], np.ndarray):
            final.append(np.concatenate(r))
        else:
            final.append(r)
    return final


def assert_audio_close(actual: np.ndarray, expected: np.ndarray, tol: float = 1e-9) -> None:
    """Assert two signals have the same length and agree within `tol`."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    err = np.max(np.abs(actual - expected)) if actual.size else 0.0
    assert err <= tol, f"max abs error {err} > {tol}"


def native_init_mismatches(orc: str, pfields: Sequence[float]) -> list[str]:
    """Start one note of `orc` (a full orchestra with its header) on the
    reference path, then run the native init (`NativeInit`) of each of its ops
    that has one on a fresh state with the inputs that op saw, and list every
    difference from what the Python init left: state fields, outputs, aux
    arrays (a "scratch" array's contents, a "ref"'s address and shape).  An
    op whose native init asks for the Python init (returns non-zero) is
    listed as such.  Empty: the native inits do what the Python ones did."""
    import os

    from .api import Csound
    from .engine.context import StrVar
    from .opcodes._native_text import TEXT_BYTES, text_length, text_row
    from .opcodes._registry import DIRECTORIES
    from .opcodes.strings import to_bytes

    saved = os.environ.get("CSOUNDPY_JIT")
    os.environ["CSOUNDPY_JIT"] = "off"
    try:
        cs = Csound()
        cs.setOption("-n")
        cs.setOption("-m0")
        if cs.compileOrc(orc) != 0:
            raise ValueError("orchestra does not compile")
        cs.start()
    finally:
        if saved is None:
            del os.environ["CSOUNDPY_JIT"]
        else:
            os.environ["CSOUNDPY_JIT"] = saved
    engine = cs.engine
    inst = engine.start_note(list(pfields))
    if inst is None:
        raise ValueError("the note did not start")
    tabs = engine.tables.native()
    problems = []
    for i, op in enumerate(inst.idef.ir.ops):
        native = op.entry.native_init if op.kind == "call" else None
        if native is None:
            continue
        where = f"op {i} ({op.describe()})"
        state = np.zeros(1, dtype=op.entry.state)[0]
        outs = [np.zeros(inst.ksmps) if v.kind == "audio" else
                np.full(TEXT_BYTES, 7, dtype=np.uint8) if v.kind == "string" else np.zeros(1)
                for v in op.outs]
        ins = [inst.in_value(v) for v in op.ins]
        if native.strings:
            ins = [text_row(to_bytes(x.value if isinstance(x, StrVar) else x))
                   if v.kind == "string" else x for v, x in zip(op.ins, ins)]
        if op.variadic:
            ins = ins[:op.nfixed] + [tuple(ins[op.nfixed:])]
        refs, checks = [], []
        for p, kind in enumerate(native.aux):
            python_aux = inst.aux[i][p] if p < len(inst.aux[i]) else None
            if kind == "ref" and isinstance(python_aux, tuple):
                addr = np.zeros(len(python_aux), dtype=np.int64)
                shape = np.zeros((len(python_aux), 1), dtype=np.int64)
                refs += [addr, shape]
                checks.append((p, kind, (addr, shape), python_aux))
            elif kind == "ref":
                addr = np.zeros(1, dtype=np.int64)
                shape = np.zeros(np.ndim(python_aux) or 1, dtype=np.int64)
                refs += [addr, shape]
                checks.append((p, kind, (addr, shape), python_aux))
            elif isinstance(kind, tuple) and kind[0] == "scratch":
                scratch = np.full(kind[1](len(op.ins)), 7.0)  # a previous note's leftovers
                refs.append(scratch)
                checks.append((p, kind, scratch, python_aux))
        dirs = tuple(DIRECTORIES[name](engine) for name in native.dirs)
        result = native.kernel(state, engine.consts, tabs, *dirs, *native.consts, *refs, *outs,
                               *ins)
        if result != 0:
            problems.append(f"{where}: native init asks for the Python init")
            continue
        python_state = inst.states[i]
        for name in op.entry.state.names:
            a, b = python_state[name], state[name]
            if not (a == b or (a != a and b != b)):
                problems.append(f"{where}: state {name} python {a!r} native {b!r}")
        for v, out in zip(op.outs, outs):
            if v.kind == "string":
                text = to_bytes(inst.out_obj(v).value)
                if bytes(out[:text_length(out)]) != text or out[len(text)] != 0:
                    problems.append(f"{where}: output {v.name} python {text!r} native "
                                    f"{bytes(out[:text_length(out)])!r}")
                continue
            expected = np.asarray(inst.out_obj(v), dtype=float).reshape(-1)
            if not np.array_equal(expected, out.reshape(-1)[:expected.size], equal_nan=True):
                problems.append(f"{where}: output {v.name} python {expected} native {out}")
        for p, kind, got, python_aux in checks:
            if kind == "ref":
                addr, shape = got
                arrays = python_aux if isinstance(python_aux, tuple) else (python_aux,)
                shapes = shape if isinstance(python_aux, tuple) else (shape,)
                for n, arr in enumerate(arrays):
                    if addr[n] != arr.__array_interface__["data"][0] or \
                            tuple(shapes[n]) != arr.shape:
                        problems.append(f"{where}: aux {p} address/shape differ")
            elif not np.array_equal(got, python_aux, equal_nan=True):
                problems.append(f"{where}: aux {p} python {python_aux} native {got}")
    return problems
