"""Build a search from plain choices (names and numbers), as the CLI and the panels offer them."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .benchmarks.nb201 import DATASETS as NB201_DATASETS
from .search import Search

ESTIMATOR_HELP = {"tabular": "look the result up in a table: NAS-Bench-201, or minas' MNIST-1D table (instant, "
                             "simulated cost; cell space only)",
                  "training": "train each candidate on a dataset (real cost; fewer epochs or less data make it cheaper)",
                  "zero_cost": "score each candidate at initialisation with a zero-cost proxy (milliseconds)",
                  "one_shot": "score each candidate with the shared weights of one supernet (weight sharing)"}
TABLES = [*NB201_DATASETS, "mnist1d"]


def dataset_choices(estimator: str, space: Any = "cell") -> list[str]:
    """The datasets an estimator can use: for a lookup, the tables that know `space` (a name or a space);
    trainable ones otherwise."""
    from . import data
    if estimator != "tabular":
        return data.names()
    return [name for name in TABLES if _table_knows(name, space)]


def _table_knows(table: str, space: Any) -> bool:
    """Whether the table of dataset `table` holds every architecture of `space` (a name: the space it makes)."""
    from .benchmarks import MNIST1DBench, NASBench201
    if not isinstance(space, str):
        return (MNIST1DBench if table == "mnist1d" else NASBench201).space.covers(space)
    return space == "cell"                      # make_space: "cell" looked up in a table is that table's space


def estimator_choices(space: Any = "cell") -> list[str]:
    """The estimators (`minas.estimators.ESTIMATORS`) that can score the architectures of `space` (a name or a
    space): those whose `requires` it offers, and a table lookup only where some table knows the space. What
    the panels offer, so that a chain or a declared space is never offered a table or a supernet it lacks."""
    from .estimators import ESTIMATORS
    from .spaces.base import missing
    built = make_space(space)
    return [name for name in ESTIMATORS.names() if not missing(ESTIMATORS.get(name).requires, built)
            and (name != "tabular" or dataset_choices("tabular", space))]


def strategy_choices(space: Any = "cell") -> list[str]:
    """The strategies (`minas.strategies.STRATEGIES`) whose `requires` the space offers: no DARTS, GDAS, DrNAS
    or ENAS for a space without a supernet (a declared one)."""
    from .spaces.base import missing
    from .strategies import STRATEGIES
    built = make_space(space)
    return [name for name in STRATEGIES.names() if not missing(getattr(STRATEGIES.get(name), "requires", ()), built)]


def make_space(space: Any, estimator: str = "training", dataset: str | None = None):
    """`space` itself when it is a search space, else the space of that name (`minas.spaces.SPACES`). A lookup in
    minas' MNIST-1D table searches the table's four-op cell space."""
    from .benchmarks import MNIST1DBench
    from .spaces import SPACES, SearchSpace
    if isinstance(space, SearchSpace):
        return space
    if estimator == "tabular" and dataset == "mnist1d" and space == "cell":
        return MNIST1DBench.space
    return SPACES.create(space)


def build_search(*, space: Any = "cell", estimator: str = "tabular", dataset: Any = None,
                 strategy: str = "evolution", trials: int | None = 100, seed: int = 0, minutes: float | None = None,
                 run_dir: str | Path | None = None, objective: Any = None, workers: int = 1, executor: str = "local",
                 address: str | None = None, resources: dict | None = None, **knobs: Any) -> Search:
    """A `Search` from names: `space` (a name, or a space such as one made by `minas.spaces.define`), `estimator`,
    `dataset` (a name, or a `minas.data.Dataset` for the estimators that train), `strategy`; `knobs` are the
    estimator's fields (epochs, fraction, channels, ...). A one-shot strategy trains its supernet on the same
    dataset. `workers`, `executor`, `address` and `resources` say where the trials run (see `Search`)."""
    from .benchmarks import MNIST1DBench, NASBench201
    from .estimators import ESTIMATORS, Tabular
    from .strategies import STRATEGIES
    dataset = dataset if dataset is not None else dataset_choices(estimator)[0]
    if estimator == "tabular":
        if knobs:
            raise ValueError(f"options {sorted(knobs)} do not apply to a table lookup")
        if dataset not in TABLES:
            raise ValueError(f"no table for dataset {dataset!r}; the tables know: {', '.join(TABLES)}")
        scorer = Tabular(MNIST1DBench() if dataset == "mnist1d" else NASBench201(dataset))
    else:
        scorer = ESTIMATORS.create(estimator, dataset=dataset, **knobs)
    method = STRATEGIES.get(strategy)
    takes_data = dataclasses.is_dataclass(method) and "dataset" in {f.name for f in dataclasses.fields(method)}
    search = Search(make_space(space, estimator, dataset), method(**({"dataset": dataset} if takes_data else {})),
                    scorer, trials=trials, seed=seed, run_dir=run_dir, objective=objective,
                    max_seconds=None if minutes is None else 60 * minutes, workers=workers, executor=executor,
                    address=address, resources=resources)
    if minutes is not None:                     # wall-clock minutes: N workers spend N times the trial seconds
        search.max_seconds = 60 * minutes * search.workers
    return search
