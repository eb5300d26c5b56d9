"""Objectives: what a search maximises when accuracy alone is not the goal.

By default a search maximises validation accuracy. `Search(..., objective=...)` gives each successful trial a
`score` instead (recorded in the run folder and the trials table), and every strategy ranks by it, so any
strategy optimises any objective. The one here is MnasNet's soft-constrained reward (Tan et al., "MnasNet:
Platform-Aware Neural Architecture Search for Mobile", CVPR 2019, eq. 2):

    reward(m) = ACC(m) * (LAT(m) / T) ** w,     w = alpha if LAT(m) <= T else beta

With alpha = beta = -0.07 (the paper's choice) a network twice as slow as the target must be about 5 % more
accurate to score the same; alpha = 0, beta = -1 makes the target a hard limit. `metric` may be any number a
trial records: `latency` (seconds, measured by `Training`; tables record their own), `params` or `flops`.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from .estimators.base import Result
from .registry import Registry


def metric_of(result: Result, name: str) -> float:
    """The number `name` that a result recorded: a field (val_acc, test_acc, params, flops, cost) or an extra
    (e.g. latency); an error naming what the result has when it lacks it."""
    fields = {f.name for f in dataclasses.fields(Result)} - {"extra", "curve"}
    value = getattr(result, name) if name in fields else result.extra.get(name)
    if value is None:
        known = sorted(k for k in fields if getattr(result, k) is not None) + sorted(result.extra)
        raise ValueError(f"the result has no {name!r}, which the objective needs; it has: {', '.join(known)}")
    return float(value)


class Objective:
    """What a search maximises: `objective(result) -> float`, higher is better."""

    name = "objective"

    def __call__(self, result: Result) -> float:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        fields = dataclasses.asdict(self) if dataclasses.is_dataclass(self) else {}
        return {"name": self.name, **fields}

    def describe(self) -> str:
        return self.name


@dataclass
class MnasNetReward(Objective):
    """Accuracy times (metric / target) ** w: MnasNet's reward for a `target` latency (or parameter or FLOP
    count, with `metric`)."""

    target: float
    metric: str = "latency"
    alpha: float = -0.07             # the exponent at or under the target
    beta: float = -0.07              # the exponent over it (-1 with alpha = 0: a hard limit)

    name = "mnasnet"

    def __post_init__(self):
        if not (isinstance(self.target, (int, float)) and math.isfinite(self.target) and self.target > 0):
            raise ValueError(f"the target must be a positive number (seconds of latency, parameters or FLOPs), "
                             f"not {self.target!r}")

    def __call__(self, result: Result) -> float:
        value = metric_of(result, self.metric)
        w = self.alpha if value <= self.target else self.beta
        return result.val_acc * (value / self.target) ** w

    def describe(self) -> str:
        return f"MnasNet reward: accuracy x ({self.metric} / {self.target:g}) ^ ({self.alpha:g} under, {self.beta:g} over)"


OBJECTIVES: Registry[Objective] = Registry("objective")
OBJECTIVES.register("mnasnet")(MnasNetReward)
