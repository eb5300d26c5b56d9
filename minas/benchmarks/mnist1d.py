"""minas' own tabular benchmark: every cell of a four-op NAS-Bench-201 space, trained on MNIST-1D.

NAS-Bench-201 is CIFAR and ImageNet, which cannot be trained on a laptop; this table is built
here (`python -m minas.benchmarks.build_mnist1d`) with the fixed `PROTOCOL` below, so any result
in it can be reproduced by `Training(**PROTOCOL)` in seconds. Cells that compute the same
function (`CellSpace.canonical`) are trained once: the 4,096 cells are 871 distinct networks,
each trained with two seeds, and every epoch's validation and test accuracy is kept, so
multi-fidelity methods can read learning curves. How the op set and the protocol were chosen,
with the measurements, is in `datasets/README.md`.
"""
from __future__ import annotations

import gzip
import json
import random
import statistics
from functools import cached_property
from pathlib import Path
from typing import Any

from ..spaces import ArchError, CellSpace

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
PROTOCOL = {"dataset": "mnist1d", "epochs": 10, "channels": 8, "cells": 1, "batch_size": 128, "lr": 0.1,
            "weight_decay": 5e-4, "label_smoothing": 0.1, "data_seed": 0}
SEEDS = (0, 1)
TABLE = Path(__file__).resolve().parents[2] / "datasets" / "mnist1d_cells.json.gz"


class MNIST1DBench:
    """Look-ups of validation and test accuracy after any epoch, training time, parameters,
    FLOPs and CPU latency for every cell of `CellSpace(OPS)` on MNIST-1D."""

    space = CellSpace(OPS)
    epochs = PROTOCOL["epochs"]
    fidelities = tuple(range(1, PROTOCOL["epochs"] + 1))

    def __init__(self, path: str | Path = TABLE):
        self.path = Path(path)

    def __repr__(self) -> str:
        return "MNIST1DBench()" if self.path == TABLE else f"MNIST1DBench({str(self.path)!r})"

    @cached_property
    def _table(self) -> dict[str, Any]:
        if not self.path.exists():
            raise FileNotFoundError(f"no MNIST-1D table at {self.path}; build it with "
                                    f"`python -m minas.benchmarks.build_mnist1d`")
        with gzip.open(self.path, "rt") as f:
            table = json.load(f)
        if table["ops"] != list(OPS) or table["protocol"] != PROTOCOL:
            raise ValueError(f"{self.path} was built for ops {table['ops']} and protocol {table['protocol']}, "
                             f"not this version's {list(OPS)} and {PROTOCOL}")
        return table

    def _row(self, arch: Any) -> dict[str, Any]:
        cell = self.space.parse(arch) if isinstance(arch, str) else self.space.check(arch)
        try:
            return self._table["cells"][self.space.canonical(cell)]
        except KeyError:
            raise KeyError(f"{cell} is not in {self.path}, a partial table ({self.unique()} of 871 cells)") from None

    def query(self, arch: Any, rng: random.Random | None = None, epochs: int | None = None) -> dict[str, Any]:
        """The record of `arch` after `epochs` (default: all) of the protocol's cosine schedule: the
        mean over seeds, or with `rng` one seed's run drawn at random, to simulate training noise.
        `train_time` is the seconds those epochs took on one CPU thread."""
        epochs = self.epochs if epochs is None else int(epochs)
        if epochs not in self.fidelities:
            raise ValueError(f"{self!r} has results after 1 to {self.epochs} epochs, not {epochs}")
        row = self._row(arch)
        runs = range(len(row["val"]))
        pick = [rng.choice(runs)] if rng else list(runs)
        mean = lambda key: statistics.fmean(row[key][r][epochs - 1] for r in pick)  # noqa: E731
        return {"val_acc": mean("val"), "test_acc": mean("test"),
                "val_acc_runs": [row["val"][r][epochs - 1] for r in runs],
                "curve": [statistics.fmean(row["val"][r][e] for r in pick) for e in range(epochs)],
                "train_time": statistics.fmean(row["train_time"]) * epochs / self.epochs,
                "params": row["params"], "flops": row["flops"], "latency": row["latency"]}

    def knows(self, arch: Any) -> bool:
        """Whether the table holds `arch` (always, once the build is complete)."""
        cell = self.space.parse(arch) if isinstance(arch, str) else self.space.check(arch)
        return self.space.canonical(cell) in self._table["cells"]

    def __len__(self) -> int:
        return self.space.size

    def unique(self) -> int:
        """How many distinct networks the table trained."""
        return len(self._table["cells"])

    def check_space(self, space) -> None:
        if not self.space.covers(space):
            raise ArchError(f"{self!r} only knows cells of {self.space!r} (or of a space with some of its ops), "
                            f"not {space!r}; use CellSpace(ops={list(OPS)})")
