"""Weight sharing: score every architecture with the weights of one supernet, trained once.

The supernet is trained by uniform path sampling: each batch trains one architecture drawn
uniformly at random, so every path learns to work on its own (Guo et al., "Single Path One-Shot
Neural Architecture Search with Uniform Sampling", ECCV 2020; Li & Talwalkar, "Random Search and
Reproducibility for Neural Architecture Search", UAI 2019). An architecture's score is its
validation accuracy through the shared weights, after its BatchNorm statistics are recalibrated
on a few training batches: the running statistics collected while training mix every path and
mislead any single one (SPOS, section 3.3).

The supernet trains on the first evaluation (its epochs arrive as `supernet_epoch` events) and is
reused by every later one. An evaluation costs a calibration and one validation pass;
`extra['supernet_seconds']` says what the shared training cost, to amortise over the search.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

import torch

from ..device import resolve_device
from ..spaces.supernet import Rows
from ..strategies.one_shot import Batch, OneShotStrategy, defaults
from .base import Estimator, Result
from .training import accuracy


@dataclass
class UniformPaths(OneShotStrategy):
    """The supernet trainer of SPOS: one uniformly sampled path per training batch."""

    name = "uniform_paths"

    def setup_architecture(self) -> None:
        self.uniform = [torch.full((n,), 1 / n) for n in self.sizes()]

    def weights(self) -> Rows:
        return self.net.rows(self.uniform)

    def step(self, train: Batch, val: Batch) -> float:
        return self.train_weights(train, self.net.weights_of(self.space.sample(self.rng)), one_hot=True)


@dataclass
class OneShot(Estimator):
    """Shared-weight scores of the architectures of a space with a supernet (the cell space, the chain) on
    `dataset`, after `epochs` of SPOS training."""

    dataset: Any = "mnist1d"
    epochs: int = 30
    channels: int = 8
    cells: int = 1
    batch_size: int = 64
    lr: float = 0.05
    calibration_batches: int = 10
    supernet_seed: int = 0
    device: str = "auto"
    space: Any = None

    name = "one_shot"
    requires = ("decisions", "supernet")
    one_worker = "scores every candidate with one supernet, trained in the search's own process"

    def prepare(self, space) -> None:
        super().prepare(space)
        self.space, self._trainer = space, None
        space.select_options({"channels": self.channels, "cells": self.cells}, defaults(self), type(self).__name__)
        resolve_device(self.device)                     # a device this machine lacks: refused now

    def trainer(self) -> UniformPaths:
        """The trained supernet (trained now, on first use)."""
        if getattr(self, "_trainer", None) is None:
            trainer = UniformPaths(dataset=self.dataset, epochs=self.epochs, channels=self.channels, cells=self.cells,
                                   batch_size=self.batch_size, lr=self.lr, device=self.device)
            trainer._emit = lambda kind, epoch, epochs, train_loss, **_: self.emit(
                "supernet_epoch", epoch=epoch, epochs=epochs, train_loss=train_loss)
            start = time.perf_counter()
            trainer.setup(self.searched_space(), random.Random(self.supernet_seed))
            for _ in range(self.epochs):
                trainer.ask()
            self._trainer, self.supernet_seconds = trainer, time.perf_counter() - start
        return self._trainer

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        trainer = self.trainer()
        start = time.perf_counter()
        net, weights = trainer.net, trainer.net.weights_of(arch)
        x, y = trainer.train_data
        calibration = list(zip(x.split(self.batch_size), y.split(self.batch_size)))[: self.calibration_batches]
        recalibrate(net, weights, calibration)
        val_acc = accuracy(_Path(net, weights), *trainer.val_data)
        return Result(val_acc=val_acc, cost=time.perf_counter() - start,
                      extra={"supernet_seconds": self.supernet_seconds})

    def describe(self) -> str:
        return (f"weight sharing: a supernet trained {self.epochs} epochs "
                f"by uniform path sampling on {self.dataset if isinstance(self.dataset, str) else self.dataset.name}")


class _Path(torch.nn.Module):
    """The supernet seen as the single network of one architecture."""

    def __init__(self, net, weights: Rows):
        super().__init__()
        self.net, self.weights = net, weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, self.weights, one_hot=True)


@torch.no_grad()
def recalibrate(net: torch.nn.Module, weights: Rows, batches: list[Batch]) -> None:
    """Replace every BatchNorm's running statistics by their average over `batches` through `weights`."""
    norms = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None                      # cumulative average over the calibration batches
    net.train()
    for x, _ in batches:
        net(x, weights, one_hot=True)
    for m in norms:
        m.momentum = 0.1
