"""Search strategies: how to explore. Each is asked for architectures and told their results."""
from ..registry import Registry
from .base import Strategy
from .evolution import RegularizedEvolution
from .random import RandomSearch

STRATEGIES: Registry[Strategy] = Registry("strategy")
STRATEGIES.register("random")(RandomSearch)
STRATEGIES.register("evolution")(RegularizedEvolution)

__all__ = ["RandomSearch", "RegularizedEvolution", "Strategy", "STRATEGIES"]
