"""Csound's type alphabet and overload matching (Engine/csound_orc_semantics.c rules).

Argument types as the checker sees them: 'c' numeric constant, 'S' string
(constant or variable), 'p' p-field, 'i' 'k' 'a' 'f' 'w' variables, 'b'/'B'
booleans (i/k rate), arrays as 'k[]' etc., 'l' a label name.
"""

from __future__ import annotations

from ..opcodes._registry import OPTIONAL_DEFAULTS, VARIADIC_IN, OpEntry, split_types

RATE_ORDER = {"c": 0, "p": 1, "i": 1, "b": 1, "S": 1, "k": 2, "B": 2, "a": 3, "f": 2, "w": 2}

_ACCEPTS = {
    "a": {"a"},
    "k": {"k", "i", "c", "p"},
    "i": {"i", "c", "p"},
    "x": {"a", "k", "i", "c", "p"},
    "S": {"S"},
    "T": {"S", "i", "c", "p"},
    "U": {"S", "k", "i", "c", "p"},
    "f": {"f"},
    "w": {"w"},
    "B": {"B", "b"},
    "b": {"b"},
    "l": {"l"},
    "o": {"i", "c", "p"}, "p": {"i", "c", "p"}, "j": {"i", "c", "p"}, "h": {"i", "c", "p"},
    "q": {"i", "c", "p"}, "v": {"i", "c", "p"},
    "O": {"k", "i", "c", "p"}, "P": {"k", "i", "c", "p"}, "V": {"k", "i", "c", "p"},
    "J": {"k", "i", "c", "p"},
    "m": {"i", "c", "p"}, "n": {"i", "c", "p"}, "y": {"a"}, "z": {"k", "i", "c", "p"},
    "M": {"a", "k", "i", "c", "p"}, "N": {"a", "k", "i", "c", "p", "S"},
    "Z": {"a", "k", "i", "c", "p"}, "*": None,
}

_OUT_ACCEPTS = {
    "a": {"a"}, "k": {"k"}, "i": {"i"}, "S": {"S"}, "f": {"f"}, "w": {"w"},
    "b": {"b"}, "B": {"B"},
    "m": {"a"}, "z": {"k"}, "I": {"i"}, "X": {"a", "k", "i"}, "N": {"a", "k", "i", "S"},
    "F": {"f"}, "*": None, "s": {"a", "k"},
}


def is_array(t: str) -> bool:
    return t.endswith("[]")


def accepts(token: str, argtype: str) -> bool:
    """Can an input slot of type `token` take an argument of type `argtype`?"""
    if is_array(token) or is_array(argtype):
        if not (is_array(token) and is_array(argtype)):
            return token == "*" or (token in ("N", "M") and False)
        base_tok, base_arg = token.rstrip("[]"), argtype.rstrip("[]")
        if token.count("[") > argtype.count("[") and base_tok != ".":
            return False
        return base_tok in (".", base_arg) or (base_tok == "k" and base_arg == "i")
    allowed = _ACCEPTS.get(token)
    return allowed is None or argtype in allowed


def out_accepts(token: str, vartype: str) -> bool:
    if is_array(token) or is_array(vartype):
        return token.rstrip("[]") in (".", vartype.rstrip("[]")) and is_array(vartype) \
            and is_array(token)
    allowed = _OUT_ACCEPTS.get(token)
    return allowed is None or vartype in allowed


def match_inputs(entry: OpEntry, argtypes: list[str]) -> bool:
    tokens = entry.in_types
    nfixed = next((i for i, t in enumerate(tokens) if t in VARIADIC_IN), len(tokens))
    fixed, variadic = tokens[:nfixed], tokens[nfixed:]
    if len(argtypes) > len(fixed) and not variadic:
        return False
    for i, tok in enumerate(fixed):
        if i >= len(argtypes):
            if tok not in OPTIONAL_DEFAULTS:
                return False
            continue
        if not accepts(tok, argtypes[i]):
            return False
    rest = argtypes[len(fixed):]
    if variadic:
        vtok = variadic[0]
        if vtok == "Z":
            for j, t in enumerate(rest):
                if not accepts("k" if j % 2 == 0 else "a", t):
                    return False
            return True
        if vtok == "n" and len(rest) % 2 == 0:
            return False
        return all(accepts(vtok, t) for t in rest)
    return True


def match_outputs(entry: OpEntry, outtypes: list[str]) -> bool:
    tokens = entry.out_types
    if not tokens:
        return not outtypes
    variadic = tokens[-1] in ("m", "z", "I", "X", "N", "F", "*")
    if variadic:
        if len(outtypes) < 1 and tokens[0] not in ("*",):
            return False
        for i, t in enumerate(outtypes):
            tok = tokens[min(i, len(tokens) - 1)]
            if not out_accepts(tok, t):
                return False
        return True
    if len(outtypes) != len(tokens):
        return False
    return all(out_accepts(tok, t) for tok, t in zip(tokens, outtypes))


def out_rate(entry: OpEntry) -> str:
    """The rate letter of an entry's first output ('' when it has none)."""
    toks = entry.out_types
    if not toks:
        return ""
    t = toks[0]
    return {"m": "a", "z": "k", "I": "i", "X": "k", "N": "k", "s": "a"}.get(t, t)


def max_rate(argtypes: list[str]) -> str:
    best, rank = "i", 1
    for t in argtypes:
        r = RATE_ORDER.get(t.rstrip("[]"), 1)
        if r > rank:
            best, rank = t, r
    return {"B": "k", "b": "i", "f": "k", "w": "k"}.get(best, best)


def optional_defaults(entry: OpEntry, nargs: int) -> list[tuple[str, float]]:
    """(token, default) for each optional fixed input not given."""
    tokens = entry.in_types
    nfixed = next((i for i, t in enumerate(tokens) if t in VARIADIC_IN), len(tokens))
    return [(t, OPTIONAL_DEFAULTS[t]) for t in tokens[nargs:nfixed] if t in OPTIONAL_DEFAULTS]


def nfixed_inputs(entry: OpEntry) -> int:
    tokens = entry.in_types
    return next((i for i, t in enumerate(tokens) if t in VARIADIC_IN), len(tokens))


def has_variadic_inputs(entry: OpEntry) -> bool:
    return any(t in VARIADIC_IN for t in split_types(entry.ins))
