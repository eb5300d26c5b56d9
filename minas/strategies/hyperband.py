"""Hyperband, Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar, "Hyperband: A Novel Bandit-Based
Approach to Hyperparameter Optimization", JMLR 18(185), 2018 (Algorithm 1).

Successive halving must guess how aggressive to be: start many candidates on a tiny budget (and
risk dropping a slow starter) or few on a large one. Hyperband hedges by cycling through every
choice: bracket s = s_max, ..., 1, 0 halves s times, starting ceil((s_max + 1) / (s + 1) * eta**s)
candidates at `max_budget * eta**-s`. Bracket 0 is plain random search at the full budget. With
the defaults (1 to 10 epochs, eta=3) one cycle is 9 candidates at 1 epoch -> 3 at 3 -> 1 at 10,
then 5 at 3 -> 1 at 10, then 3 at 10. The cycle repeats until the search's budget is spent.
The brackets themselves are successive halving's; with several workers, the asynchronous form runs
instead (`minas.strategies.asha.AsyncHyperband`).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from .successive_halving import SuccessiveHalving


@dataclass
class Hyperband(SuccessiveHalving):
    """Successive-halving brackets of every aggressiveness in turn, most aggressive first."""

    name = "hyperband"

    def halvings(self, index: int) -> int:
        return self.s_max - index % (self.s_max + 1)

    def for_workers(self, workers: int):
        """Itself on one worker; asynchronous Hyperband with the same settings on several."""
        from .asha import AsyncHyperband
        return self if workers == 1 else AsyncHyperband(**{f.name: getattr(self, f.name) for f in fields(self)})
