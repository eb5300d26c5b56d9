"""Regularized (aging) evolution, Real et al., "Regularized Evolution for Image Classifier
Architecture Search", AAAI 2019 (Algorithm 1).

A population of `population_size` models is first filled with random architectures. Then each
cycle draws `sample_size` members at random, mutates the best of them, and adds the child. With
`aging` the OLDEST member dies (the paper's regularization: every architecture must keep being
re-discovered to survive); without it the WORST dies (classic tournament selection), which lets a
lucky early model live forever.

The paper ran it asynchronously on hundreds of workers: each free worker mutates a tournament winner of the
population as it stands. With several workers minas does the same: an ask uses the trials finished so far.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .base import Strategy


@dataclass
class RegularizedEvolution(Strategy):
    """Aging evolution with tournament selection; `aging=False` removes the worst instead.
    Defaults are NATS-Bench's REA settings for ~100-query budgets (Dong et al., TPAMI 2021);
    the paper's own (P=100, S=25) suit budgets of thousands of models."""

    population_size: int = 10
    sample_size: int = 3
    aging: bool = True

    name = "evolution"
    requires = ("mutate",)

    def setup(self, space, rng):
        super().setup(space, rng)
        if not 1 <= self.sample_size <= self.population_size:
            raise ValueError(f"need 1 <= sample_size ({self.sample_size}) <= population_size ({self.population_size})")
        self.population: deque = deque()   # trials, oldest first

    def ask(self):
        if len(self.population) < self.population_size:
            return self.space.sample(self.rng)
        contenders = self.rng.sample(list(self.population), self.sample_size)
        parent = max(contenders, key=lambda t: t.score)
        return self.space.mutate(parent.arch, self.rng)

    def tell(self, trial):
        super().tell(trial)
        if not trial.ok:
            return                         # a failed child never joins the population
        self.population.append(trial)
        if len(self.population) > self.population_size:
            if self.aging:
                self.population.popleft()
            else:
                self.population.remove(min(self.population, key=lambda t: t.score))

    def state(self):
        return {"population": [str(t.arch) for t in self.population],
                "population_val_acc": [t.val_acc for t in self.population]}
