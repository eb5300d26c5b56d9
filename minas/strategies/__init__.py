"""Search strategies: how to explore. Each is asked for architectures and told their results."""
from ..registry import Registry
from .asha import ASHA, AsyncHyperband
from .base import Proposal, Strategy, Wait
from .bayesopt import BayesianOptimization
from .darts import DARTS
from .drnas import DrNAS
from .enas import ENAS
from .evolution import RegularizedEvolution
from .gdas import GDAS
from .hyperband import Hyperband
from .local import LocalSearch
from .random import RandomSearch
from .reinforce import REINFORCE
from .successive_halving import SuccessiveHalving

STRATEGIES: Registry[Strategy] = Registry("strategy")
STRATEGIES.register("random")(RandomSearch)
STRATEGIES.register("evolution")(RegularizedEvolution)
STRATEGIES.register("local")(LocalSearch)
STRATEGIES.register("reinforce")(REINFORCE)
STRATEGIES.register("bayesopt")(BayesianOptimization)
STRATEGIES.register("darts")(DARTS)
STRATEGIES.register("gdas")(GDAS)
STRATEGIES.register("drnas")(DrNAS)
STRATEGIES.register("enas")(ENAS)
STRATEGIES.register("successive_halving")(SuccessiveHalving)
STRATEGIES.register("hyperband")(Hyperband)
STRATEGIES.register("asha")(ASHA)
STRATEGIES.register("async_hyperband")(AsyncHyperband)

__all__ = ["ASHA", "AsyncHyperband", "BayesianOptimization", "DARTS", "DrNAS", "ENAS", "GDAS", "Hyperband", "LocalSearch", "Proposal", "REINFORCE", "RandomSearch",
           "RegularizedEvolution", "Strategy", "SuccessiveHalving", "STRATEGIES", "Wait"]
