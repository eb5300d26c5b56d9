"""Search strategies: how to explore. Each is asked for architectures and told their results."""
from ..registry import Registry
from .base import Strategy
from .bayesopt import BayesianOptimization
from .evolution import RegularizedEvolution
from .local import LocalSearch
from .random import RandomSearch
from .reinforce import REINFORCE

STRATEGIES: Registry[Strategy] = Registry("strategy")
STRATEGIES.register("random")(RandomSearch)
STRATEGIES.register("evolution")(RegularizedEvolution)
STRATEGIES.register("local")(LocalSearch)
STRATEGIES.register("reinforce")(REINFORCE)
STRATEGIES.register("bayesopt")(BayesianOptimization)

__all__ = ["BayesianOptimization", "LocalSearch", "REINFORCE", "RandomSearch", "RegularizedEvolution", "Strategy",
           "STRATEGIES"]
