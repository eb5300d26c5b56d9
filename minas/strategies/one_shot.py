"""What every one-shot strategy shares: a supernet, its data, and one supernet epoch per `ask()`.

One-shot strategies fit the one search loop (see `minas.search`): each `ask()` trains the supernet
for one epoch, emits an `epoch_finished` event carrying the architecture weights (one distribution per
decision of the space: for a cell, per edge over its ops) and proposes the architecture derived from
them; the search's estimator then scores it (a table lookup shows how good each epoch's cell truly
is). After `epochs` epochs `ask()` raises StopIteration and the search ends. A subclass defines how
one batch pair updates the network and the architecture (`step`) and what the architecture weights
are now (`weights`). Any space with a supernet will do (`space.supernet(...)`: the cell space's and
the chain's); the weights are rows, one per decision (`minas.spaces.supernet`).

Resume replays the epochs (the strategy is deterministic given its seed), so a resumed run is
identical to an uninterrupted one; it costs the supernet training again.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Iterator

import torch
import torch.nn.functional as F

from ..device import resolve_device
from ..interrupt import checkpoint
from ..spaces.supernet import Rows
from .base import Strategy

Batch = tuple[torch.Tensor, torch.Tensor]


def defaults(obj: Any) -> dict[str, Any]:
    """The default of each field of the dataclass `obj`."""
    return {f.name: f.default for f in fields(obj)}


@dataclass
class OneShotStrategy(Strategy):
    """Settings shared by DARTS, GDAS, DrNAS and ENAS: the data, the supernet's size, and the
    network weights' optimiser (SGD with momentum and a cosine schedule, as in DARTS)."""

    dataset: Any = "mnist1d"
    epochs: int = 20
    channels: int = 8
    cells: int = 1
    batch_size: int = 64
    lr: float = 0.025
    lr_min: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 3e-4
    grad_clip: float = 5.0
    device: str = "auto"

    requires = ("decisions", "supernet")
    one_worker = "trains one supernet, in the search's own process (each ask is one of its epochs)"

    def setup(self, space, rng):
        super().setup(space, rng)
        self._device = resolve_device(self.device)
        data = self.load_data()
        self.train_data = (data.x_train.to(self._device), data.y_train.to(self._device))
        self.val_data = (data.x_val.to(self._device), data.y_val.to(self._device))
        self.generator = torch.Generator().manual_seed(rng.randrange(2**31))
        options = space.select_options({"channels": self.channels, "cells": self.cells}, defaults(self),
                                       type(self).__name__)
        self.net = self.seeded(lambda: space.supernet(input_shape=data.input_shape, num_classes=data.num_classes,
                                                      **options).to(self._device))
        steps = self.epochs * -(-len(data.y_train) // self.batch_size)
        self.w_optimizer = torch.optim.SGD(self.net.parameters(), self.lr, momentum=self.momentum,
                                           weight_decay=self.weight_decay)
        self.w_schedule = torch.optim.lr_scheduler.CosineAnnealingLR(self.w_optimizer, steps, eta_min=self.lr_min)
        self.epoch = 0
        self.setup_architecture()

    def load_data(self):
        if isinstance(self.dataset, str):
            from .. import data
            return data.load(self.dataset, seed=0)
        return self.dataset

    def seeded(self, draw: Callable[[], Any]) -> Any:
        """`draw()`, which uses torch's global random state, run under a seed taken from this
        strategy's own generator: the search stays deterministic whatever else draws random numbers."""
        seed = int(torch.randint(2**62, (1,), generator=self.generator))
        with torch.random.fork_rng(devices=[self._device] if self._device.type == "cuda" else []):
            torch.manual_seed(seed)
            return draw()

    # --- what a method defines ------------------------------------------------------------
    def setup_architecture(self) -> None:
        """Create the architecture parameters and their optimiser."""
        raise NotImplementedError

    def step(self, train: Batch, val: Batch) -> float:
        """Update on one training and one validation batch; returns the training loss."""
        raise NotImplementedError

    def weights(self) -> Rows:
        """The architecture weights now: one row per decision, each a distribution over its options."""
        raise NotImplementedError

    def end_epoch(self) -> None:
        """Anything a method does once per epoch, after the batches (ENAS trains its controller)."""

    def derive(self) -> Any:
        return self.net.derive(self.weights())

    def sizes(self) -> list[int]:
        """The length of each weight row: each decision's number of options."""
        return [len(d.options) for d in self.net.decisions]

    # --- the shared loop --------------------------------------------------------------------
    def batches(self, tensors: Batch) -> Iterator[Batch]:
        x, y = tensors
        for idx in torch.randperm(len(y), generator=self.generator).to(x.device).split(self.batch_size):
            yield x[idx], y[idx]

    def train_weights(self, batch: Batch, weights: Rows, one_hot: bool = False) -> float:
        """One SGD step of the network weights on `batch` through the architecture `weights`."""
        self.net.train()
        x, y = batch
        loss = F.cross_entropy(self.net(x, weights, one_hot), y)
        self.w_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.grad_clip)
        self.w_optimizer.step()
        self.w_schedule.step()
        return loss.item()

    def ask(self) -> Any:
        if self.epoch >= self.epochs:
            raise StopIteration
        val = self.batches(self.val_data)
        losses = []
        for train in self.batches(self.train_data):
            checkpoint()                                # Search.stop() lands here, within a batch
            try:
                val_batch = next(val)
            except StopIteration:
                val = self.batches(self.val_data)
                val_batch = next(val)
            losses.append(self.step(train, val_batch))
        self.end_epoch()
        self.epoch += 1
        derived = self.derive()
        self.emit("epoch_finished", epoch=self.epoch, epochs=self.epochs, train_loss=sum(losses) / len(losses),
                  alphas=self.alphas(), derived=str(derived))
        return derived

    def alphas(self) -> dict[str, dict[str, float]]:
        """The architecture weights as {decision: {option: weight}} (for a cell, {"j->i": {op: weight}}), for
        events and panels."""
        return {d.name: dict(zip(map(str, d.options), row.detach().cpu().tolist()))
                for d, row in zip(self.net.decisions, self.weights())}

    def state(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "epochs": self.epochs, "alphas": self.alphas(), "derived": str(self.derive())}

    def config(self) -> dict[str, Any]:
        """The settings, with a dataset given as data recorded by its name."""
        settings = {f.name: getattr(self, f.name) for f in fields(self)}
        if not isinstance(self.dataset, str):
            settings["dataset"] = getattr(self.dataset, "name", str(self.dataset))
        return {"name": self.name, **settings}


@dataclass
class Differentiable(OneShotStrategy):
    """One-shot search over continuous architecture parameters alpha (one row per decision), trained by Adam
    with DARTS' settings (betas (0.5, 0.999), weight decay 1e-3). DARTS' learning rate, 3e-4, is
    meant for ~20,000 steps (50 epochs of 25,000 CIFAR images in batches of 64); 20 epochs of
    MNIST-1D are 1,000 steps, so the rate is scaled up to move alpha as far."""

    arch_lr: float = 6e-3
    arch_weight_decay: float = 1e-3

    def setup_architecture(self) -> None:
        self.alpha = (1e-3 * torch.randn(sum(self.sizes()), generator=self.generator)).to(self._device).requires_grad_()
        self.a_optimizer = torch.optim.Adam([self.alpha], self.arch_lr, betas=(0.5, 0.999),
                                            weight_decay=self.arch_weight_decay)

    def rows(self, flat: torch.Tensor) -> list[torch.Tensor]:
        """`flat` cut into one row per decision: alpha holds the rows end to end (for a cell, alpha[edge, op])."""
        return list(flat.split(self.sizes()))

    def weights(self) -> Rows:
        return self.net.rows([torch.softmax(a, dim=-1) for a in self.rows(self.alpha)])

    def update_alpha(self, gradient: torch.Tensor) -> None:
        self.a_optimizer.zero_grad(set_to_none=True)
        self.alpha.grad = gradient
        self.a_optimizer.step()
