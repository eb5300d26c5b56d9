"""A strategy is something you ask for an architecture and tell how it did (Optuna's ask/tell)."""
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


class Strategy:
    """Base class. Subclasses are dataclasses whose fields are their settings (with defaults from
    their paper), keep all randomness in `self.rng`, and are deterministic given seed and history,
    so a search can be resumed by replaying its trials. `requires` names the capabilities the method needs
    from a space beyond sampling (see `minas.spaces.base.CAPABILITIES`); `Search` checks them before the
    first trial. Strategies rank trials by `trial.score`: the validation accuracy, or the search objective's
    value (e.g. MnasNet's reward)."""

    name: str = "strategy"
    requires: tuple[str, ...] = ()

    def setup(self, space: SearchSpace, rng: random.Random) -> None:
        """Start a fresh search over `space`; called by `Search` before the first `ask`."""
        require(type(self).__name__, self.requires, space)
        self.space, self.rng = space, rng
        self.history: list = []

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

    def tell(self, trial) -> None:
        """Learn from a finished trial (failed trials included: `trial.ok` is False); `trial.budget`
        is the budget it was evaluated at."""
        self.history.append(trial)

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
