"""What every check uses: the registry, `Wrong` and `expect`, readable numbers, and the shared space and tables.

A check calls the student's function on test inputs and raises `Wrong("what is wrong, and a hint")` at the
first problem (`expect(condition, hint)` does it), or returns an optional note to print after the ✓."""
from __future__ import annotations

import math
import numbers
import random
from functools import lru_cache
from typing import Any, Callable


class Wrong(Exception):
    """A check's verdict that the answer is not right yet; the message says what was expected."""


CHECKS: dict[str, Callable[[Callable], str | None]] = {}


def checks(name: str):
    def register(fn):
        CHECKS[name] = fn
        return fn
    return register


def expect(condition: Any, message: str) -> None:
    if not condition:
        raise Wrong(message)


def show(value: Any) -> str:
    """A value as the student would write it: numbers short and plain (no np.float64(...))."""
    try:
        if isinstance(value, bool) or not hasattr(value, "__float__"):
            return repr(value)
        if isinstance(value, numbers.Integral):          # counts exactly, however big
            return str(int(value))
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


def close(a: Any, b: float, tol: float = 1e-6) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=None)
def space():
    import minas
    return minas.spaces.CellSpace()


@lru_cache(maxsize=None)
def bench(dataset: str = "cifar10"):
    import minas
    return minas.benchmarks.NASBench201(dataset)


class FakeEstimator:
    """Scores every architecture with a fixed pseudo-random number and remembers what it scored."""

    def __init__(self):
        self.scored: list[tuple[Any, float]] = []

    def evaluate(self, arch, budget=None):
        from minas.estimators import Result
        score = random.Random(str(arch)).uniform(10, 95)
        self.scored.append((arch, score))
        return Result(val_acc=score, cost=1.0)
