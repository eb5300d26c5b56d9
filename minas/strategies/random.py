"""Random search: sample uniformly, keep the best. The baseline every NAS method must beat
(Li & Talwalkar, "Random Search and Reproducibility for NAS", UAI 2019)."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Strategy


@dataclass
class RandomSearch(Strategy):
    """Uniform samples from the space, independently of the history."""

    name = "random"

    def ask(self):
        return self.space.sample(self.rng)
