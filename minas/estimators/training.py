"""Full or low-fidelity training: build the candidate network, train it, measure it.

The knobs of low fidelity (Elsken et al. 2019, "Neural Architecture Search: A Survey", §5) are
fields and can be overridden per call through `budget`: fewer `epochs`, a `fraction` of the training
data, a lower input `resolution`. The recipe (SGD with Nesterov momentum, cosine learning rate,
weight decay, label smoothing) follows NAS-Bench-201's, scaled down to small data. Data stays on
the device as tensors and batches are sliced from it: no DataLoader overhead on small datasets.

Two options change how a candidate is validated or how long it trains: `folds` (k-fold
cross-validation instead of the held-out split, see `splits.py`) and `early_stop`, which ends the
training of a candidate whose learning curve cannot catch the best one so far. Domhan, Springenberg
& Hutter ("Speeding up Automatic Hyperparameter Optimization of Deep Neural Networks by
Extrapolation of Learning Curves", IJCAI 2015) stop a run once an extrapolation of its curve is
unlikely to beat the best; the rule here is the simplest form of that idea, in the shape of Google
Vizier's median stopping rule (Golovin et al., KDD 2017), which compares a run's best value so far
with the median of the finished runs at the same step: after epoch e, stop when the candidate's
best validation accuracy so far is more than `early_stop` points below the best finished trial's
best accuracy by epoch e. Only trials trained at the same budget compare (the learning rate follows
the same schedule), and a margin of tens of points is needed: early epochs are noisy, and a slow
starter that would have won is stopped all the same. A stopped trial is an ordinary result: its
partial curve, the accuracy it had reached, `extra["stopped_at"]` (the last epoch trained) and the
cost of the epochs it trained.
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

import torch
import torch.nn.functional as F

from ..device import describe_device, resolve_device
from ..hardware import count_flops, count_params, cpu_latency
from ..interrupt import checkpoint
from ..validate import check_network_memory, check_training
from .base import EstimationError, Estimator, Result, derive_seed
from .splits import prepared


@dataclass
class Training(Estimator):
    """Trains each candidate on `dataset` (a name from `minas.data.names()` or a `Dataset`)."""

    dataset: Any = "mnist1d"
    epochs: int = 10
    fraction: float = 1.0            # of the training split
    resolution: int | None = None    # input size per spatial axis; None = native
    channels: int = 16
    cells: int = 1
    batch_size: int = 128
    lr: float = 0.1
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    device: str = "auto"
    data_seed: int = 0               # seeds the train/validation split (or folds), not the training
    test_curve: bool = False         # also measure test accuracy after every epoch (to build tables)
    folds: int = 1                   # 1: validate on the held-out split; k > 1: k-fold cross-validation
    early_stop: float | None = None  # stop a candidate this many points behind the best curve; None: off
    network: dict = field(default_factory=dict)   # other options of the space's networks (`to_module`)
    max_params: int | None = None    # a candidate with more parameters fails at once, untrained; None: no cap
    latency_runs: int = 10           # forward passes of one input timed on the CPU (median); 0: not measured
    space: Any = None                # set by the search; used on its own, a Cell builds its own network

    name = "training"

    def __post_init__(self):
        check_training(self)
        if self.folds < 1:
            raise ValueError(f"folds must be 1 (the held-out split) or more, got {self.folds}")
        if self.folds > 1 and self.early_stop is not None:
            raise ValueError("early_stop compares one training's curve with the best; it does not apply to "
                             f"k-fold cross-validation (folds={self.folds})")
        self._device = resolve_device(self.device)
        self._best_curves: dict[tuple, list[float]] = {}   # per budget, the best finished trial's curve

    def arrived(self) -> None:
        """In a worker: train on this machine's device (a Ray machine may have the GPU the search's lacks)."""
        self._device = resolve_device(self.device)

    def prepare(self, space) -> None:
        """Load the data and pass it through a few of the space's networks now, so a dataset that does not fit
        (or network options the space does not take) fail before any trial."""
        from ..spaces import ArchError
        super().prepare(space)
        self._best_curves = {}
        shape = self.data.input_shape
        if self.resolution is not None:
            shape = (shape[0],) + (self.resolution,) * (len(shape) - 1)
        try:
            space.check_input(shape, self.data.num_classes, self.network_options(space))
            check_network_memory(space, self, shape, self.network_options(space))
        except ArchError as e:
            raise ArchError(f"dataset {self.data.name!r} does not fit: {e}") from None

    def network_options(self, space) -> dict[str, Any]:
        """What this estimator passes to `space.to_module`: `channels` and `cells` where the space takes them,
        and `network`; an option set away from its default for a space that does not take it is an error."""
        given = {"channels": self.channels, "cells": self.cells, **self.network}
        return space.select_options(given, {f.name: f.default for f in fields(self)}, type(self).__name__)

    def describe(self) -> str:
        validation = f", {self.folds}-fold cross-validation" if self.folds > 1 else ""
        stopping = f", early stop {self.early_stop:g} points behind the best" if self.early_stop is not None else ""
        space = getattr(self, "space", None)
        options = self.network_options(space) if space is not None else {"C": self.channels, "N": self.cells}
        shown = ", ".join(f"{k}={v}" for k, v in options.items())
        cap = f", at most {self.max_params:,} parameters" if self.max_params is not None else ""
        return (f"training on {describe_device(self._device)}: {self.epochs} epochs, {self.fraction:.0%} of "
                f"{self.data.describe()}{', ' + shown if shown else ''}{cap}{validation}{stopping}")

    @property
    def data(self):
        if isinstance(self.dataset, str):
            from .. import data
            self.dataset = data.load(self.dataset, seed=self.data_seed)
        return self.dataset

    @staticmethod
    def _overrides(budget: Any) -> dict[str, Any]:
        """`budget` as field overrides: None is none, a number is epochs, a dict is itself."""
        if budget is None:
            return {}
        if isinstance(budget, (int, float)):
            return {"epochs": int(budget)}
        if not isinstance(budget, dict):
            raise TypeError(f"budget must be a number of epochs or a dict like {{'epochs': 5, 'fraction': 0.5}}, got {budget!r}")
        return budget

    def fidelity(self, budget: Any) -> "Training":
        """This estimator with `budget` applied: a number of epochs, or a dict of field overrides."""
        overrides = self._overrides(budget)
        if not overrides:
            return self
        reduced = replace(self, **overrides)
        reduced.bind(self.seed, getattr(self, "_emit", None))
        return reduced

    def check_budget(self, budget: Any) -> None:
        if self.fidelity(budget).epochs < 1:
            raise ValueError(f"a training needs at least 1 epoch, not budget={budget!r}")

    def _schedule(self, budget: Any) -> tuple:
        """Trials trained at the same budget share a learning-rate schedule: their curves compare epoch by epoch."""
        return tuple(sorted(({"epochs": self.epochs} | self._overrides(budget)).items()))

    def tell(self, trial) -> None:
        """Keep, per budget, the curve of the best trial that trained to the end (for `early_stop`)."""
        if not trial.ok or "stopped_at" in trial.result.extra:
            return
        key = self._schedule(trial.budget)
        if key not in self._best_curves or trial.val_acc > self._best_curves[key][-1]:
            self._best_curves[key] = trial.result.curve

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        return self.train(arch, budget)[0]

    def train(self, arch: Any, budget: Any = None) -> tuple[Result, torch.nn.Module]:
        """Train `arch` at `budget`: its result, and the trained network (of the last fold)."""
        f = self.fidelity(budget)
        space = self.searched_space(arch)
        options = f.network_options(space)
        torch.manual_seed(self.seed)
        data = prepared(self.data, f.resolution, f.fraction, f.folds, self.data_seed, self._device)
        best = self._best_curves.get(self._schedule(budget)) if f.early_stop is not None else None
        curves, test_curves, test_accs, cost = [], [], [], 0.0
        for fold, (train, val) in enumerate(data["runs"], start=1):
            net = space.to_module(arch, input_shape=data["shape"], num_classes=self.data.num_classes, **options)
            if not isinstance(net, torch.nn.Module):
                raise TypeError(f"{space!r} built {type(net).__name__} for {arch}, not a torch.nn.Module")
            if f.max_params is not None and count_params(net) > f.max_params:
                raise EstimationError(f"{count_params(net):,} parameters, over the cap of max_params={f.max_params:,}")
            net = net.to(self._device)
            start = time.perf_counter()
            curve, test_curve = f._train(net, train, val, data["test"], best, fold)
            cost += time.perf_counter() - start
            curves.append(curve)
            test_curves.append(test_curve)
            test_accs.append(accuracy(net, *data["test"]))
        curve = [statistics.fmean(epoch) for epoch in zip(*curves)]       # the mean over folds
        extra: dict[str, Any] = {"test_curve": [statistics.fmean(e) for e in zip(*test_curves)]} if f.test_curve else {}
        if f.folds > 1:
            extra |= {"fold_val_acc": [c[-1] for c in curves], "fold_test_acc": test_accs}
        if len(curve) < f.epochs:
            extra["stopped_at"] = len(curve)
        if f.latency_runs:
            extra["latency"] = cpu_latency(net, data["shape"], f.latency_runs)
        return Result(val_acc=curve[-1], cost=cost, test_acc=statistics.fmean(test_accs), curve=curve,
                      params=count_params(net), flops=count_flops(net, data["shape"]), extra=extra), net

    def retrain(self, arch: Any, epochs: int, emit=None) -> Result:
        """The full training of a found architecture: every training sample, native resolution."""
        return self.retrain_network(arch, epochs, emit)[0]

    def retrain_network(self, arch: Any, epochs: int, emit=None) -> tuple[Result, torch.nn.Module]:
        """`retrain`, and the trained network too (its weights are what `minas export` ships)."""
        full = replace(self, epochs=epochs, fraction=1.0, resolution=None, folds=1, early_stop=None)
        full.bind(derive_seed(self.seed, "retrain", arch), emit)
        return full.train(arch)

    def _train(self, net: torch.nn.Module, train: tuple, val: tuple, test: tuple, best: list[float] | None,
               fold: int) -> tuple[list[float], list[float]]:
        """Validation (and, with `test_curve`, test) accuracy after each epoch; shorter than
        `epochs` when its best so far fell more than `early_stop` points behind `best`'s."""
        x, y = train
        steps_per_epoch = math.ceil(len(x) / self.batch_size)
        opt = torch.optim.SGD(net.parameters(), lr=self.lr, momentum=0.9, nesterov=True, weight_decay=self.weight_decay)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, self.epochs * steps_per_epoch))
        order = torch.Generator().manual_seed(self.seed)
        curve, test_curve = [], []
        for epoch in range(self.epochs):
            net.train()
            total = torch.zeros((), device=x.device)
            for idx in torch.randperm(len(x), generator=order).to(x.device).split(self.batch_size):
                checkpoint()                     # Search.stop() lands here, within a batch
                loss = F.cross_entropy(net(x[idx]), y[idx], label_smoothing=self.label_smoothing)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                schedule.step()
                total += loss.detach()
            mean_loss = total.item() / steps_per_epoch
            if not math.isfinite(mean_loss):
                raise EstimationError(f"training diverged: the loss became {mean_loss} in epoch {epoch + 1}")
            curve.append(accuracy(net, *val))
            if self.test_curve:
                test_curve.append(accuracy(net, *test))
            self.emit("epoch_finished", epoch=epoch + 1, epochs=self.epochs, loss=mean_loss, val_acc=curve[-1],
                      fold=fold, folds=self.folds)
            if best is not None and epoch + 1 < self.epochs and max(curve) + self.early_stop < max(best[: epoch + 1]):
                break
        return curve, test_curve


@torch.no_grad()
def accuracy(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> float:
    """Top-1 accuracy in percent."""
    net.eval()
    correct = sum((net(xb).argmax(1) == yb).sum().item() for xb, yb in zip(x.split(batch_size), y.split(batch_size)))
    return 100.0 * correct / len(y)
