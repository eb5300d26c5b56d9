"""Local search, White, Nolen & Savani, "Exploring the Loss Landscape in Neural Architecture
Search", UAI 2021 (arXiv:2005.02960; their code: naszilla `local_search`).

Hill climbing on the space's neighbourhood graph (architectures one edit apart):

1. (re)start: evaluate `initial` random architectures; the best of them becomes the centre;
2. evaluate the centre's neighbours in random order;
   - first improvement (`first_improvement=True`, the paper code's default): move to the first
     neighbour that beats the centre, at once;
   - best improvement (the paper's Algorithm 1): evaluate the whole neighbourhood, then move to
     the best neighbour if it beats the centre;
3. when no neighbour beats the centre, it is a local optimum: restart at 1.

No architecture is ever evaluated twice: a neighbour evaluated earlier (say, in a previous
climb) is not asked for again, and if it beats the centre the climb moves to it at no cost.
The paper's point is that on NAS-Bench-201 the loss landscape is smooth enough that this simple
method is among the best at a few hundred queries.

In parallel (the paper's algorithm is sequential; this is the parallelism it allows): the `initial` random
samples and the centre's neighbours are independent evaluations, so several workers evaluate them at once, the
neighbours in random order as before. Whether the centre is a local optimum depends on every neighbour, so when
all the neighbours left are running, the strategy waits (`Wait`) instead of guessing; the first improvement
still moves at once, and a neighbour of an earlier centre that finishes late is only remembered (a move looks
at the known neighbours first). With one worker this is exactly the sequential algorithm.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Strategy, Wait


def _score(trial) -> float:
    """A failed trial is worse than any architecture that trained."""
    return trial.score if trial.ok else float("-inf")


@dataclass
class LocalSearch(Strategy):
    """Hill climbing from the best of `initial` random samples, restarting at local optima."""

    initial: int = 10
    first_improvement: bool = True

    name = "local"
    requires = ("neighbours",)

    def setup(self, space, rng):
        super().setup(space, rng)
        if self.initial < 1:
            raise ValueError(f"initial must be >= 1, got {self.initial}")
        self.told: dict = {}            # architecture -> its trial, for every architecture told
        self.starts: list = []          # this (re)start's random trials
        self.start_asked: list = []     # this (re)start's random architectures asked for so far
        self.centre = None              # the trial being climbed from; None while (re)starting
        self.todo: list = []            # the centre's neighbours not evaluated yet
        self.best_neighbour = None      # best improving neighbour so far (best-improvement variant)
        self.optima: list = []          # local optima reached so far (trials)

    def ask(self) -> Any:
        running = {t.arch for t in self.running}
        if self.centre is not None:
            free = [n for n in self.todo if n not in running]
            if not free:
                raise Wait                          # the neighbours left all run: their results decide
            return self.rng.choice(free)            # neighbours in random order
        if len(self.start_asked) >= self.initial:
            raise Wait                              # this start's samples all run: the best of them is next
        arch = self.sample_new(self.told.keys() | running)    # a fresh random architecture
        self.start_asked.append(arch)
        return arch

    def tell(self, trial):
        super().tell(trial)
        self.told[trial.arch] = trial
        if self.centre is None:
            if trial.arch in self.start_asked:
                self.starts.append(trial)
            if len(self.starts) >= self.initial:
                best = max(self.starts, key=_score)
                self.starts, self.start_asked = [], []
                if best.ok:
                    self._move_to(best)
            return
        if trial.arch not in self.todo:
            return                                  # a neighbour of an earlier centre, finished late
        self.todo.remove(trial.arch)
        if _score(trial) > _score(self.best_neighbour or self.centre):
            self.best_neighbour = trial
            if self.first_improvement:
                self._move_to(trial)
                return
        if not self.todo:                           # the whole neighbourhood is evaluated
            if self.best_neighbour is not None:
                self._move_to(self.best_neighbour)
            else:
                self._restart()

    def _move_to(self, trial) -> None:
        """Make `trial` the centre; its unevaluated neighbours are the next to try."""
        neighbours = self.space.neighbours(trial.arch)
        known = max((self.told[n] for n in neighbours if n in self.told), key=_score, default=None)
        if known is not None and _score(known) > _score(trial):
            return self._move_to(known)             # a better neighbour is already evaluated: go there
        self.centre, self.best_neighbour = trial, None
        self.todo = [n for n in neighbours if n not in self.told]
        if not self.todo:
            self._restart()

    def _restart(self) -> None:
        self.optima.append(self.centre)
        self.centre, self.todo, self.best_neighbour = None, [], None

    def state(self):
        return {"centre": None if self.centre is None else str(self.centre.arch),
                "centre_val_acc": None if self.centre is None else self.centre.val_acc,
                "neighbours_left": len(self.todo),
                "local_optima": [str(t.arch) for t in self.optima],
                "local_optima_val_acc": [t.val_acc for t in self.optima]}
