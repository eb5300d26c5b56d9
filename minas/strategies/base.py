"""A strategy is something you ask for an architecture and tell how it did (Optuna's ask/tell).

With several workers (`Search(workers=N)`) the search asks whenever a worker is free, so trials overlap: each
asked trial is handed to `started(trial)` and stays in `strategy.running` until it is told. A strategy that must
not propose what is running reads `running` (BANANAS); one that has nothing to propose until a running trial is
told raises `Wait` (local search when every neighbour left is running); one that cannot run in parallel at all
says why in `one_worker` (the one-shot strategies), and `for_workers(n)` gives the form of a strategy that runs
on n workers (successive halving becomes ASHA). With one worker nothing is ever running when the search asks,
so none of this changes a sequential search."""
from __future__ import annotations

import dataclasses
import random
from typing import Any

from ..spaces import SearchSpace
from ..spaces.base import require


@dataclasses.dataclass(frozen=True)
class Proposal:
    """An architecture to evaluate at a budget of the strategy's choosing (e.g. a number of epochs),
    for multi-fidelity strategies such as successive halving. `ask()` may return a plain
    architecture instead, which the search evaluates at its own `budget`."""
    arch: Any
    budget: Any


class Wait(Exception):
    """Raised by `ask()` when the strategy has nothing to propose until one of its `running` trials is told. It
    must leave the strategy as it was: the search asks again after the next trial finishes (and a search that
    replays its run folder asks exactly as often as the recorded search did)."""


class Strategy:
    """Base class. Subclasses are dataclasses whose fields are their settings (with defaults from
    their paper), keep all randomness in `self.rng`, and are deterministic given seed and history,
    so a search can be resumed by replaying its trials. `requires` names the capabilities the method needs
    from a space beyond sampling (see `minas.spaces.base.CAPABILITIES`); `Search` checks them before the
    first trial. Strategies rank trials by `trial.score`: the validation accuracy, or the search objective's
    value (e.g. MnasNet's reward)."""

    name: str = "strategy"
    requires: tuple[str, ...] = ()
    one_worker: str = ""          # why this method runs on one worker only; empty: it runs on several

    def setup(self, space: SearchSpace, rng: random.Random) -> None:
        """Start a fresh search over `space`; called by `Search` before the first `ask`."""
        require(type(self).__name__, self.requires, space)
        self.space, self.rng = space, rng
        self.history: list = []
        self.running: list = []       # trials asked for and not told yet, oldest first (see `started`)

    def ask(self) -> Any:
        """The next architecture to evaluate, or a `Proposal(arch, budget)` to evaluate it at a
        budget of its own; raise StopIteration when the strategy has finished (e.g. a one-shot
        strategy after its last epoch, or one successive-halving bracket), which ends the search."""
        raise NotImplementedError

    def budgets(self) -> list:
        """Every budget this strategy's proposals may carry, so `Search` can check up front that the
        estimator offers them (a lookup table may know only the full training). Empty for a
        strategy that asks for plain architectures, evaluated at the search's budget."""
        return []

    def emit(self, kind: str, **data: Any) -> None:
        """Send an event (e.g. a one-shot strategy's `epoch_finished` with its architecture weights)
        to the search's listeners; `Search` binds this, and on its own a strategy sends nothing."""
        if getattr(self, "_emit", None):
            self._emit(kind, **data)

    def started(self, trial) -> None:
        """`trial` (its index, arch and budget) was just asked for and handed to a worker; it stays in
        `self.running` until `tell`. With one worker it is told before the next `ask`."""
        self.running.append(trial)

    def tell(self, trial) -> None:
        """Learn from a finished trial (failed trials included: `trial.ok` is False); `trial.budget`
        is the budget it was evaluated at."""
        self.history.append(trial)
        self.running = [t for t in self.running if t.index != trial.index]

    def for_workers(self, workers: int) -> "Strategy":
        """The strategy to run with `workers` trials at once: this one (most methods), its asynchronous form
        (successive halving: ASHA), or SettingsError for a method that runs on one worker only."""
        if workers > 1 and self.one_worker:
            from ..errors import SettingsError
            raise SettingsError(f"{type(self).__name__} {self.one_worker}, so it runs on one worker: use "
                                f"workers=1 (asked for {workers})")
        return self

    def sample_new(self, seen) -> Any:
        """A random architecture not in `seen` (after 1,000 misses the space is nearly exhausted: repeat one)."""
        for _ in range(1000):
            arch = self.space.sample(self.rng)
            if arch not in seen:
                return arch
        return arch

    def state(self) -> dict[str, Any]:
        """What a panel may show about the strategy's inner state."""
        return {}

    def config(self) -> dict[str, Any]:
        """What identifies this strategy in a run folder: its name and settings."""
        fields = dataclasses.asdict(self) if dataclasses.is_dataclass(self) else {}
        return {"name": self.name, **fields}
