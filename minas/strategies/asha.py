"""Asynchronous successive halving (ASHA), Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht &
Talwalkar, "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020 (arXiv:1810.05934, Algorithm 2).

Synchronous successive halving waits at the end of each rung for its slowest trial: with several workers, all
but one sit idle. ASHA never waits. Whenever a worker is free it looks at the rungs from the top down and
promotes the best trial, not promoted yet, that ranks in the top 1/eta of the trials *finished* in its rung so
far; when no trial can be promoted, it starts a new candidate on the lowest rung. A promotion can be premature (a
later trial of the rung might have outranked it); the paper shows this costs little next to the idle workers it
saves. The rungs and their budgets are those of a successive-halving bracket (same `min_budget`, `max_budget`,
`eta`); failed trials count in their rung but are never promoted. With `brackets=k` it starts as many candidates
as k synchronous brackets would, then only promotes; the search ends when nothing is left to promote or run.

Asynchronous Hyperband (the same paper) runs one such ladder of rungs per early-stopping rate, i.e. per
Hyperband bracket: new candidates are dealt to the ladders in the proportions of one synchronous Hyperband cycle
(9, 5 and 3 candidates with the defaults, most aggressive first), and every ladder's promotions go first.

A search with several workers runs these in place of `SuccessiveHalving` and `Hyperband` (their
`for_workers`); they are also strategies of their own ("asha", "async_hyperband"), e.g. to compare them with
the synchronous forms on one worker.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .base import Proposal, Strategy, Wait
from .hyperband import Hyperband
from .successive_halving import SuccessiveHalving


@dataclass
class Ladder:
    """The rungs of one bracket: `budgets[k]`, the trials finished at rung k, the architectures promoted out of it."""
    budgets: list[int]
    finished: list[list] = field(default_factory=list)
    promoted: list[set] = field(default_factory=list)

    def __post_init__(self):
        self.finished = [[] for _ in self.budgets]
        self.promoted = [set() for _ in self.budgets]

    def promotion(self, eta: int) -> tuple | None:
        """(architecture, rung) of the next promotion, highest rung first; None when no trial qualifies."""
        for k in reversed(range(len(self.budgets) - 1)):
            done = self.finished[k]
            top = sorted((t for t in done if t.ok), key=lambda t: t.score, reverse=True)[: len(done) // eta]
            for trial in top:
                if trial.arch not in self.promoted[k]:
                    return trial.arch, k + 1
        return None


@dataclass
class ASHA(SuccessiveHalving):
    """Successive halving that promotes as soon as a rung has enough finished trials, and never waits."""

    name = "asha"

    def ladders(self) -> int:
        """How many ladders of rungs run side by side: one (Hyperband's asynchronous form: one per bracket)."""
        return 1

    def setup(self, space, rng):
        super().setup(space, rng)
        self.rungs = [Ladder(self.shape(self.halvings(b))[0]) for b in range(self.ladders())]
        self.cycle = [b for b in range(self.ladders()) for _ in range(self.shape(self.halvings(b))[1][0])]
        self.limit = None if self.brackets is None else sum(self.shape(self.halvings(i))[1][0]
                                                             for i in range(self.brackets))
        self.where: dict = {}           # architecture -> (ladder, rung) it was last proposed at
        self.new = 0                    # candidates started on a lowest rung

    def for_workers(self, workers: int) -> Strategy:
        return self

    def ask(self):
        for b, ladder in enumerate(self.rungs):
            promoted = ladder.promotion(self.eta)
            if promoted is not None:
                arch, rung = promoted
                ladder.promoted[rung - 1].add(arch)
                self.where[arch] = (b, rung)
                return Proposal(arch, ladder.budgets[rung])
        if self.limit is not None and self.new >= self.limit:
            if self.running:
                raise Wait                      # a running trial may still earn a promotion
            raise StopIteration
        b = self.cycle[self.new % len(self.cycle)]
        self.new += 1
        arch = self.sample_new(self.seen)
        self.seen.add(arch)
        self.where[arch] = (b, 0)
        return Proposal(arch, self.rungs[b].budgets[0])

    def tell(self, trial):
        Strategy.tell(self, trial)              # not successive halving's: there is no synchronous bracket here
        b, rung = self.where[trial.arch]
        self.rungs[b].finished[rung].append(trial)

    def state(self):
        return {"candidates": self.new, "budgets": [ladder.budgets for ladder in self.rungs],
                "finished": [[len(done) for done in ladder.finished] for ladder in self.rungs],
                "promoted": [[len(p) for p in ladder.promoted] for ladder in self.rungs],
                "running": len(self.running)}


@dataclass
class AsyncHyperband(ASHA, Hyperband):
    """One ASHA ladder per Hyperband bracket, new candidates dealt to them as one Hyperband cycle deals them."""

    name = "async_hyperband"

    def ladders(self) -> int:
        return self.s_max + 1
