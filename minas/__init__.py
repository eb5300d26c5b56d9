"""minas: a Jupyter-first kit for learning and prototyping Neural Architecture Search.

    import minas
    result = minas.search(space=minas.spaces.CellSpace(),
                          strategy=minas.strategies.RegularizedEvolution(),
                          estimator=minas.estimators.Tabular(minas.benchmarks.NASBench201("cifar10")),
                          trials=100, seed=0)
    result.best, result.trials

The three parts of NAS are three subpackages: `spaces` (what can be built), `strategies` (how to
explore) and `estimators` (how to score a candidate). `import minas` stays light: Jupyter,
plotting and graphviz load only when a drawing or a report is asked for.
"""
__version__ = "0.1.0"

import logging

logging.getLogger("minas").addHandler(logging.NullHandler())   # the library never prints on its own

from . import benchmarks, data, estimators, objectives, spaces, strategies
from .search import Event, Search, SearchResult, search
from .trial import Trial


def list_spaces() -> list[str]:
    return spaces.SPACES.names()


def list_strategies() -> list[str]:
    return strategies.STRATEGIES.names()


def list_estimators() -> list[str]:
    return estimators.ESTIMATORS.names()


__all__ = ["Event", "Search", "SearchResult", "Trial", "benchmarks", "data", "estimators", "list_estimators",
           "list_spaces", "list_strategies", "objectives", "search", "spaces", "strategies"]
