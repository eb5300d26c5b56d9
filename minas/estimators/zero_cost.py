"""Zero-cost estimation: score each candidate *at initialisation*, without training it.

Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021: a score computed from one
minibatch on the untrained network (or from no data at all, for synflow) ranks NAS-Bench-201
architectures nearly as well as a short training does, thousands of times faster. The proxies
live in `minas.estimators.proxies` (`proxies.names()` lists them).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any

import torch

from . import proxies
from .base import Estimator, Result


@dataclass
class ZeroCost(Estimator):
    """Scores each candidate with the zero-cost proxy `proxy` on one batch of `dataset`.

    Careful: the returned `Result.val_acc` holds the **proxy score** (higher = predicted better),
    not an accuracy, so that every strategy can rank candidates by it unchanged; `cost` is the
    wall-clock seconds of the estimate and `extra["proxy"]` names the proxy.

    `dataset` is a name from `minas.data.names()` or a `Dataset`. Data-independent proxies
    (synflow, params, flops) need only the input shape: give `input_shape` (and `num_classes`)
    and no data is loaded for them; data-dependent proxies then use random normal inputs and
    random labels. The network is rebuilt for every call, seeded with the trial's seed."""

    proxy: str = "synflow"
    dataset: Any = "mnist1d"
    batch_size: int = 64
    channels: int = 16
    cells: int = 1
    input_shape: tuple[int, ...] | None = None   # set to skip loading `dataset`
    num_classes: int = 10                        # used with `input_shape`
    data_seed: int = 0
    network: dict = field(default_factory=dict)  # other options of the space's networks (`to_module`)
    space: Any = None                            # set by the search; used on its own, a Cell builds its own network

    name = "zero_cost"

    def __post_init__(self):
        self._score = proxies.get(self.proxy)   # ValueError listing the proxies if unknown
        self._batch = None

    def prepare(self, space) -> None:
        super().prepare(space)
        x, _, num_classes = self.batch()
        space.check_input(tuple(x.shape[1:]), num_classes, self.network_options(space))

    def network_options(self, space) -> dict[str, Any]:
        """What this estimator passes to `space.to_module` (as `Training.network_options`)."""
        given = {"channels": self.channels, "cells": self.cells, **self.network}
        return space.select_options(given, {f.name: f.default for f in fields(self)}, type(self).__name__)

    def describe(self) -> str:
        source = f"input {tuple(self.input_shape)}" if self.input_shape else getattr(self.dataset, "name", self.dataset)
        return f"zero-cost proxy {self.proxy!r} at initialisation ({source})"

    def batch(self) -> tuple[torch.Tensor, torch.Tensor, int]:
        """The (inputs, labels, number of classes) every candidate is scored on, made once."""
        if self._batch is None:
            if self.input_shape is not None:
                g = torch.Generator().manual_seed(self.data_seed)
                x = torch.randn(self.batch_size, *self.input_shape, generator=g)
                y = torch.randint(0, self.num_classes, (self.batch_size,), generator=g)
                self._batch = (x, y, self.num_classes)
            else:
                data = self.dataset
                if isinstance(data, str):
                    from .. import data as datasets
                    data = self.dataset = datasets.load(data, seed=self.data_seed)
                self._batch = (data.x_train[: self.batch_size], data.y_train[: self.batch_size], data.num_classes)
        return self._batch

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        if budget is not None:
            raise ValueError(f"a zero-cost proxy has no budget to reduce, got budget={budget!r}")
        space = self.searched_space(arch)
        x, y, num_classes = self.batch()
        torch.manual_seed(self.seed)
        start = time.perf_counter()
        net = space.to_module(arch, input_shape=tuple(x.shape[1:]), num_classes=num_classes,
                              **self.network_options(space))
        n_params = sum(p.numel() for p in net.parameters())
        score = self._score(net, x, y)
        return Result(val_acc=float(score), cost=time.perf_counter() - start, params=n_params,
                      extra={"proxy": self.proxy})
