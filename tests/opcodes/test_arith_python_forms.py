"""i-time operators computed in Python give the compiled helper's results bit for bit."""

from __future__ import annotations

import math
import random

from csoundpy.opcodes.arith import BIN_CODES, _binop, _binop_py


def _same(x: float, y: float) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def test_python_binops_match_the_compiled_helper_including_specials():
    rng = random.Random(7)
    values = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 12.0, 1e300, -1e-300, math.inf, -math.inf,
              math.nan, 7.3, -2.5, 1 / 3]
    values += [rng.uniform(-100.0, 100.0) for _ in range(30)]
    checked = 0
    for code in set(BIN_CODES.values()):
        for a in values:
            for b in values:
                r = _binop_py(code, a, b)
                if r is not None:
                    checked += 1
                    assert _same(r, _binop(code, a, b)), (code, a, b)
    assert checked > 20000


def test_cases_only_the_compiled_helper_handles_are_declined():
    assert _binop_py(BIN_CODES["##div"], 1.0, 0.0) is None
    assert _binop_py(BIN_CODES["##mod"], math.inf, 2.0) is None
    assert _binop_py(BIN_CODES["##pow"], -8.0, 1 / 3) is None
    assert _binop_py(BIN_CODES["##bitand"], 3.0, 1.0) is None
