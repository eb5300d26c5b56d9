"""ENAS: Pham, Guan, Zoph, Le & Dean, "Efficient Neural Architecture Search via Parameter Sharing",
ICML 2018.

The controller of NAS with reinforcement learning, made cheap by weight sharing: every
architecture the controller samples is a path through one shared supernet, so scoring it costs one
validation batch instead of a training run. Each epoch alternates two phases:

1. the shared weights train on the training batches, each batch through a path sampled from the
   controller;
2. the controller (minas' `REINFORCE`: a factorised policy with a moving-average baseline and an
   entropy bonus) samples `controller_steps` paths, each rewarded with its accuracy on a
   validation batch through the shared weights, and takes a policy-gradient step per sample.

The derived cell takes each edge's most probable op. The paper's controller is an LSTM; the
factorised policy is NAS-Bench-201's version of ENAS and REINFORCE.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..spaces.supernet import Rows
from .one_shot import Batch, OneShotStrategy
from .reinforce import REINFORCE


@dataclass
class ENAS(OneShotStrategy):
    """Shared weights trained along controller-sampled paths; the controller learns from their
    validation accuracy (ENAS' controller settings: Adam lr 3.5e-4 in the paper, here REINFORCE's)."""

    controller_steps: int = 50
    controller_lr: float = 0.05
    entropy_weight: float = 1e-3

    name = "enas"

    def setup_architecture(self) -> None:
        self.controller = REINFORCE(learning_rate=self.controller_lr, entropy_weight=self.entropy_weight)
        self.controller.setup(self.space, self.rng)
        self.val_stream = self.batches(self.val_data)

    def weights(self) -> Rows:
        return self.net.rows(self.controller.probabilities())

    def step(self, train: Batch, val: Batch) -> float:
        return self.train_weights(train, self.net.weights_of(self.controller.ask()), one_hot=True)

    @torch.no_grad()
    def reward(self, arch, batch: Batch) -> float:
        """Accuracy (a fraction) of `arch` on one validation batch, through the shared weights."""
        self.net.train()                       # batch statistics: the shared running ones mix every path
        x, y = batch
        return (self.net(x, self.net.weights_of(arch), one_hot=True).argmax(1) == y).float().mean().item()

    def end_epoch(self) -> None:
        for _ in range(self.controller_steps):
            arch = self.controller.ask()
            self.controller.learn(arch, self.reward(arch, self.next_val_batch()))

    def next_val_batch(self) -> Batch:
        """Validation batches in an endless stream, reshuffled after each pass."""
        batch = next(self.val_stream, None)
        if batch is None:
            self.val_stream = self.batches(self.val_data)
            batch = next(self.val_stream)
        return batch
