"""Tabular-benchmark lookup: the result of a training, read from a table in microseconds.

The query's recorded training time is returned as `cost`, so searches can be compared at equal
*simulated* cost, as in NATS-Bench's `simulate_train_eval`. A table that kept every epoch
(`MNIST1DBench`) answers at any number of epochs, which is what multi-fidelity strategies need;
NAS-Bench-201 knows only the full 200-epoch training.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .base import Estimator, Result


@dataclass
class Tabular(Estimator):
    """Scores an architecture by looking it up in `bench` (e.g. `NASBench201("cifar10")` or
    `MNIST1DBench()`). `budget` is a number of epochs among the bench's `fidelities` (None: the
    full training). With `noise=True` one recorded training run is drawn (seeded) instead of the
    mean of the runs."""

    bench: Any = None
    noise: bool = False

    name = "tabular"

    def __post_init__(self):
        if self.bench is None:
            from ..benchmarks import NASBench201
            self.bench = NASBench201("cifar10")

    def prepare(self, space) -> None:
        super().prepare(space)
        self.bench.check_space(space)

    def check_budget(self, budget: Any) -> None:
        offered = self.bench.fidelities
        if budget is not None and budget not in offered:
            contiguous = len(offered) > 2 and list(offered) == list(range(offered[0], offered[-1] + 1))
            listed = f"{offered[0]} to {offered[-1]}" if contiguous else " or ".join(map(str, offered))
            raise ValueError(f"{self.bench!r} only has results after {listed} epochs, not budget={budget!r}")

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        self.check_budget(budget)
        row = self.bench.query(arch, rng=random.Random(self.seed) if self.noise else None,
                               epochs=None if budget is None else int(budget))
        return Result(val_acc=row["val_acc"], cost=row["train_time"], test_acc=row.get("test_acc"),
                      params=row.get("params"), flops=row.get("flops"), curve=row.get("curve", []),
                      extra={"latency": row["latency"]})

    def describe(self) -> str:
        return f"table lookup in {self.bench!r}" + (" (one training run drawn per query)" if self.noise else "")
