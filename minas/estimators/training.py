"""Full or low-fidelity training: build the candidate network, train it, measure it.

The knobs of low fidelity (Elsken et al. 2019, "Neural Architecture Search: A Survey", §5) are
fields and can be overridden per call through `budget`: fewer `epochs`, a `fraction` of the training
data, a lower input `resolution`. The recipe (SGD with Nesterov momentum, cosine learning rate,
weight decay, label smoothing) follows NAS-Bench-201's, scaled down to small data. Data stays on
the device as tensors and batches are sliced from it: no DataLoader overhead on small datasets.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import torch
import torch.nn.functional as F

from ..device import describe_device, resolve_device
from .base import EstimationError, Estimator, Result, derive_seed


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
    data_seed: int = 0               # seeds the train/validation split, not the training
    test_curve: bool = False         # also measure test accuracy after every epoch (to build tables)
    space: Any = None                # set by the search; CellSpace() when used on its own

    name = "training"

    def __post_init__(self):
        self._device = resolve_device(self.device)

    def prepare(self, space) -> None:
        """Load the data and build one network now, so a dataset that does not fit fails before any trial."""
        import random
        from ..spaces import ArchError
        self.space = space
        try:
            space.to_module(space.sample(random.Random(0)), input_shape=self.data.input_shape,
                            num_classes=self.data.num_classes, channels=self.channels, cells=self.cells)
        except ArchError as e:
            raise ArchError(f"dataset {self.data.name!r} does not fit {space!r}: {e}") from None

    def describe(self) -> str:
        return (f"training on {describe_device(self._device)}: {self.epochs} epochs, {self.fraction:.0%} of "
                f"{self.data.describe()}, C={self.channels}, N={self.cells}")

    @property
    def data(self):
        if isinstance(self.dataset, str):
            from .. import data
            self.dataset = data.load(self.dataset, seed=self.data_seed)
        return self.dataset

    def fidelity(self, budget: Any) -> "Training":
        """This estimator with `budget` applied: a number of epochs, or a dict of field overrides."""
        if budget is None:
            return self
        if isinstance(budget, (int, float)):
            budget = {"epochs": int(budget)}
        if not isinstance(budget, dict):
            raise TypeError(f"budget must be a number of epochs or a dict like {{'epochs': 5, 'fraction': 0.5}}, got {budget!r}")
        reduced = replace(self, **budget)
        reduced.bind(self.seed, getattr(self, "_emit", None))
        return reduced

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        f = self.fidelity(budget)
        from ..spaces import CellSpace
        space = self.space or CellSpace()
        torch.manual_seed(self.seed)
        splits = _prepared(self.data, f.resolution, f.fraction, self.data_seed, self._device)
        net = space.to_module(arch, input_shape=splits["shape"], num_classes=self.data.num_classes,
                              channels=f.channels, cells=f.cells).to(self._device)
        start = time.perf_counter()
        curve, test_curve = f._train(net, splits)
        cost = time.perf_counter() - start
        return Result(val_acc=curve[-1], cost=cost, test_acc=accuracy(net, *splits["test"]), curve=curve,
                      params=sum(p.numel() for p in net.parameters()), flops=count_flops(net, splits["shape"]),
                      extra={"test_curve": test_curve} if f.test_curve else {})

    def retrain(self, arch: Any, epochs: int, emit=None) -> Result:
        """The full training of a found architecture: every training sample, native resolution."""
        full = replace(self, epochs=epochs, fraction=1.0, resolution=None)
        full.bind(derive_seed(self.seed, "retrain", arch), emit)
        return full.evaluate(arch)

    def _train(self, net: torch.nn.Module, splits: dict) -> tuple[list[float], list[float]]:
        """Validation (and, with `test_curve`, test) accuracy after each epoch."""
        x, y = splits["train"]
        steps_per_epoch = math.ceil(len(x) / self.batch_size)
        opt = torch.optim.SGD(net.parameters(), lr=self.lr, momentum=0.9, nesterov=True, weight_decay=self.weight_decay)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, self.epochs * steps_per_epoch))
        order = torch.Generator().manual_seed(self.seed)
        curve, test_curve = [], []
        for epoch in range(self.epochs):
            net.train()
            total = torch.zeros((), device=x.device)
            for idx in torch.randperm(len(x), generator=order).to(x.device).split(self.batch_size):
                loss = F.cross_entropy(net(x[idx]), y[idx], label_smoothing=self.label_smoothing)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                schedule.step()
                total += loss.detach()
            mean_loss = total.item() / steps_per_epoch
            if not math.isfinite(mean_loss):
                raise EstimationError(f"training diverged: the loss became {mean_loss} in epoch {epoch + 1}")
            curve.append(accuracy(net, *splits["val"]))
            if self.test_curve:
                test_curve.append(accuracy(net, *splits["test"]))
            self.emit("epoch_finished", epoch=epoch + 1, epochs=self.epochs, loss=mean_loss, val_acc=curve[-1])
        return curve, test_curve


@torch.no_grad()
def accuracy(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> float:
    """Top-1 accuracy in percent."""
    net.eval()
    correct = sum((net(xb).argmax(1) == yb).sum().item() for xb, yb in zip(x.split(batch_size), y.split(batch_size)))
    return 100.0 * correct / len(y)


def count_flops(net: torch.nn.Module, input_shape: tuple[int, ...]) -> int:
    """Floating-point operations of one forward pass on one input (torch.utils.flop_counter)."""
    from torch.utils.flop_counter import FlopCounterMode
    net.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(torch.zeros(1, *input_shape, device=next(net.parameters()).device))
    return counter.get_total_flops()


@lru_cache(maxsize=8)
def _prepared(data, resolution: int | None, fraction: float, seed: int, device: torch.device) -> dict:
    """The dataset's splits on `device`, resized and subsampled once per fidelity and reused."""
    def resize(x: torch.Tensor) -> torch.Tensor:
        if resolution is None or resolution == x.shape[-1]:
            return x
        mode = "linear" if x.dim() == 3 else "bilinear"
        return F.interpolate(x, size=(resolution,) * (x.dim() - 2), mode=mode, antialias=x.dim() == 4, align_corners=False)

    keep = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed))
    keep = keep[: max(1, round(fraction * len(keep)))]
    splits = {"train": (data.x_train[keep], data.y_train[keep]), "val": (data.x_val, data.y_val),
              "test": (data.x_test, data.y_test)}
    splits = {k: (resize(x).to(device), y.to(device)) for k, (x, y) in splits.items()}
    return splits | {"shape": tuple(splits["train"][0].shape[1:])}
