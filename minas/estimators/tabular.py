"""Tabular-benchmark lookup: the result of a full training, read from a table in microseconds.

The query's recorded training time is returned as `cost`, so searches can be compared at equal
*simulated* cost, as in NATS-Bench's `simulate_train_eval`."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .base import Estimator, Result


@dataclass
class Tabular(Estimator):
    """Scores an architecture by looking it up in `bench` (e.g. `NASBench201("cifar10")`).
    With `noise=True` one recorded training run is drawn (seeded) instead of the mean of the runs."""

    bench: Any = None
    noise: bool = False

    name = "tabular"

    def __post_init__(self):
        if self.bench is None:
            from ..benchmarks import NASBench201
            self.bench = NASBench201("cifar10")

    def prepare(self, space) -> None:
        self.bench.check_space(space)

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        if budget not in (None, self.bench.epochs):
            raise ValueError(f"{self.bench!r} only has results after {self.bench.epochs} epochs, not budget={budget!r}")
        row = self.bench.query(arch, rng=random.Random(self.seed) if self.noise else None)
        return Result(val_acc=row["val_acc"], cost=row["train_time"], params=row["params"],
                      extra={"latency": row["latency"]})

    def describe(self) -> str:
        return f"table lookup in {self.bench!r}" + (" (one training run drawn per query)" if self.noise else "")
