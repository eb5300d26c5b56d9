"""Build a search from plain choices (names and numbers), as the CLI and the panels offer them."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .benchmarks.nb201 import DATASETS as NB201_DATASETS
from .search import Search

ESTIMATOR_HELP = {"tabular": "look the result up in a table: NAS-Bench-201, or minas' MNIST-1D table (instant, "
                             "simulated cost; cell space only)",
                  "training": "train each candidate on a dataset (real cost, low-fidelity knobs)",
                  "zero_cost": "score each candidate at initialisation with a zero-cost proxy (milliseconds)",
                  "one_shot": "score each candidate with the shared weights of one supernet (weight sharing)"}
TABLES = [*NB201_DATASETS, "mnist1d"]


def dataset_choices(estimator: str) -> list[str]:
    """The datasets an estimator can use: a table's for a lookup, trainable ones otherwise."""
    from . import data
    return list(TABLES) if estimator == "tabular" else data.names()


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
                 run_dir: str | Path | None = None, objective: Any = None, **knobs: Any) -> Search:
    """A `Search` from names: `space` (a name, or a space such as one made by `minas.spaces.define`), `estimator`,
    `dataset` (a name, or a `minas.data.Dataset` for the estimators that train), `strategy`; `knobs` are the
    estimator's fields (epochs, fraction, channels, ...). A one-shot strategy trains its supernet on the same
    dataset."""
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
    return Search(make_space(space, estimator, dataset), method(**({"dataset": dataset} if takes_data else {})),
                  scorer, trials=trials, seed=seed, run_dir=run_dir, objective=objective,
                  max_seconds=None if minutes is None else 60 * minutes)
