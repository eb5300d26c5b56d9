"""Successive halving, Jamieson & Talwalkar, "Non-stochastic Best Arm Identification and
Hyperparameter Optimization", AISTATS 2016; used for NAS by Li & Talwalkar, "Random Search and
Reproducibility for Neural Architecture Search", UAI 2019.

Most candidates can be told apart long before their training ends, so spend little on many and
much on few. One bracket:

1. sample `n` random architectures and evaluate each at the smallest budget (e.g. 1 epoch);
2. keep the best 1/eta of that rung by validation accuracy (failed trials count as worst and are
   never kept) and evaluate them again, from scratch, at eta times the budget;
3. repeat until the survivors have been evaluated at `max_budget`.

The rungs' budgets are `max_budget * eta**-k` for k = s, ..., 1, 0, rounded to whole epochs,
where s is the largest k that keeps them >= `min_budget`; the bracket starts with n = eta**s
candidates, so one reaches the top. With the defaults (1 to 10 epochs, eta=3): 9 candidates get
1 epoch, 3 of them get 3, and 1 gets all 10. When a bracket ends, the next starts with fresh
candidates (as HpBandSter's SuccessiveHalving does, Falkner et al., ICML 2018) until the search's
budget is spent; `brackets=1` stops after one, ending the search.

A rung waits for its slowest trial, so with several workers all but one would idle at the end of each
rung: a search with workers > 1 runs the asynchronous form instead, ASHA (`minas.strategies.asha`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from .base import Proposal, Strategy


@dataclass
class Bracket:
    """One run of successive halving: `sizes[k]` candidates evaluated at `budgets[k]`."""
    budgets: list[int]
    sizes: list[int]
    todo: list                                  # architectures of the current rung not yet proposed
    rung: int = 0
    told: list = field(default_factory=list)    # the current rung's finished trials

    @property
    def done(self) -> bool:
        return self.rung == len(self.budgets)

    def ask(self) -> Proposal:
        return Proposal(self.todo.pop(0), self.budgets[self.rung])

    def tell(self, trial) -> None:
        """Record `trial`; once the whole rung is in, promote its best to the next rung."""
        self.told.append(trial)
        if self.todo:
            return
        ranked = sorted((t for t in self.told if t.ok), key=lambda t: t.score, reverse=True)
        self.rung, self.told = self.rung + 1, []
        self.todo = [t.arch for t in ranked[: self.sizes[self.rung]]] if not self.done else []
        if not self.todo:                       # the top rung is in, or nothing survived
            self.rung = len(self.budgets)


@dataclass
class SuccessiveHalving(Strategy):
    """Brackets of successive halving over `min_budget`..`max_budget` epochs, the best 1/`eta`
    promoted at each rung; `brackets` of them (None: until the search's budget ends)."""

    min_budget: int = 1
    max_budget: int = 10
    eta: int = 3
    brackets: int | None = None

    name = "successive_halving"

    def __post_init__(self):
        if self.eta < 2 or not 1 <= self.min_budget <= self.max_budget:
            raise ValueError(f"need eta >= 2 and 1 <= min_budget <= max_budget; got eta={self.eta}, "
                             f"min_budget={self.min_budget}, max_budget={self.max_budget}")

    @property
    def s_max(self) -> int:
        """The most halvings a bracket can make between `min_budget` and `max_budget`."""
        s = 0
        while self.max_budget / self.eta ** (s + 1) >= self.min_budget:
            s += 1
        return s

    def halvings(self, index: int) -> int:
        """How many times the `index`-th bracket halves (its s): always the most, here."""
        return self.s_max

    def shape(self, s: int) -> tuple[list[int], list[int]]:
        """The budgets and sizes of a bracket with s halvings (Hyperband's Algorithm 1: it starts
        with n = ceil((s_max + 1) / (s + 1) * eta**s) candidates; rung k keeps floor(n / eta**k))."""
        n = -(-(self.s_max + 1) * self.eta ** s // (s + 1))
        budgets = [max(self.min_budget, round(self.max_budget / self.eta ** (s - k))) for k in range(s + 1)]
        return budgets, [n // self.eta ** k for k in range(s + 1)]

    def for_workers(self, workers: int) -> Strategy:
        """Itself on one worker; its asynchronous form, ASHA with the same settings, on several."""
        from .asha import ASHA
        return self if workers == 1 else ASHA(**{f.name: getattr(self, f.name) for f in fields(self)})

    def budgets(self) -> list[int]:
        return sorted({b for i in range(self.s_max + 1) for b in self.shape(self.halvings(i))[0]})

    def setup(self, space, rng):
        super().setup(space, rng)
        self.seen: set = set()                  # every architecture sampled, never sampled again
        self.opened = 0                         # brackets begun
        self.bracket: Bracket | None = None

    def ask(self) -> Any:
        if self.bracket is None or self.bracket.done:
            if self.brackets is not None and self.opened >= self.brackets:
                raise StopIteration
            self.bracket = self._new_bracket()
        return self.bracket.ask()

    def _new_bracket(self) -> Bracket:
        budgets, sizes = self.shape(self.halvings(self.opened))
        self.opened += 1
        candidates = []
        for _ in range(sizes[0]):
            candidates.append(self.sample_new(self.seen))
            self.seen.add(candidates[-1])
        return Bracket(budgets, sizes, candidates)

    def tell(self, trial):
        super().tell(trial)
        self.bracket.tell(trial)

    def state(self):
        b = self.bracket
        if b is None:
            return {}
        return {"bracket": self.opened, "rung": None if b.done else b.rung + 1,
                "budget": None if b.done else b.budgets[b.rung], "budgets": b.budgets, "sizes": b.sizes,
                "left_in_rung": len(b.todo), "rung_val_acc": [t.val_acc for t in b.told]}
