"""Build a search from plain choices (names and numbers), as the CLI and the panels offer them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .benchmarks.nb201 import DATASETS as NB201_DATASETS
from .search import Search

ESTIMATOR_HELP = {"tabular": "look the result up in NAS-Bench-201 (instant, simulated cost)",
                  "training": "train each candidate on a dataset (real cost, low-fidelity knobs)"}


def dataset_choices(estimator: str) -> list[str]:
    """The datasets an estimator can use: the benchmark's for a lookup, trainable ones for training."""
    from . import data
    return list(NB201_DATASETS) if estimator == "tabular" else data.names()


def build_search(*, estimator: str = "tabular", dataset: str | None = None, strategy: str = "evolution",
                 trials: int | None = 100, seed: int = 0, minutes: float | None = None,
                 run_dir: str | Path | None = None, **training: Any) -> Search:
    """A `Search` over the NAS-Bench-201 cell space. `training` holds `Training` fields (epochs,
    fraction, resolution, channels, cells, batch_size, device, ...), used when estimator='training'."""
    from .estimators import ESTIMATORS, Tabular
    from .benchmarks import NASBench201
    from .spaces import CellSpace
    from .strategies import STRATEGIES
    dataset = dataset or dataset_choices(estimator)[0]
    if estimator == "tabular":
        if training:
            raise ValueError(f"training options {sorted(training)} do not apply to a tabular lookup")
        scorer = Tabular(NASBench201(dataset))
    else:
        scorer = ESTIMATORS.create(estimator, dataset=dataset, **training)
    return Search(CellSpace(), STRATEGIES.create(strategy), scorer, trials=trials, seed=seed, run_dir=run_dir,
                  max_seconds=None if minutes is None else 60 * minutes)
