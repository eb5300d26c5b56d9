"""GDAS: Dong & Yang, "Searching for A Robust Neural Architecture in Four GPU Hours", CVPR 2019.

Instead of running every op on every edge (DARTS), GDAS samples one op per edge with the
Gumbel-softmax trick, so each step trains one sub-network:

    h = softmax((log_softmax(alpha) + g) / tau),  g ~ Gumbel(0, 1),   hard = one_hot(argmax h)

and the edge runs only the chosen op, scaled by hard - h.detach() + h: equal to 1 in value, with
the gradient of the soft sample (straight-through). The temperature tau falls linearly from
`tau_max` to `tau_min` over the search, so samples grow more decisive. Both the network weights
(on training batches) and alpha (on validation batches) are updated through sampled paths, as in
the authors' NAS-Bench-201 code; the derived cell keeps each edge's heaviest op.

What alpha learns from is the loss's derivative with respect to the sampled op's output scale. Where batch norm
follows, only an edge's share of its node matters, so these derivatives on the edges into a node cancel (for an
edge that alone feeds a node, through ops that all end in batch norm, it is exactly zero), while `none`'s is always
zero: on a small supernet every edge but the strongest can fall to `none`. Searching a space without `none`
avoids that (the README's one-shot section measures both).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..spaces.supernet import Rows
from .one_shot import Batch, Differentiable


@dataclass
class GDAS(Differentiable):
    """Gumbel-softmax one-path search; Adam on alpha as in DARTS, tau from 10 to 0.1 (the paper's)."""

    tau_max: float = 10.0
    tau_min: float = 0.1

    name = "gdas"

    @property
    def tau(self) -> float:
        """Linear from tau_max at the first epoch to tau_min at the last."""
        return self.tau_max - (self.tau_max - self.tau_min) * self.epoch / max(1, self.epochs - 1)

    def sample(self) -> Rows:
        """Straight-through Gumbel-softmax weights, one row per decision: one-hot in value, soft in gradient."""
        u = torch.rand(self.alpha.shape, generator=self.generator).clamp(1e-10, 1 - 1e-7).to(self._device)
        rows = []
        for alpha, uniform in zip(self.rows(self.alpha), self.rows(u)):
            gumbel = -torch.log(-torch.log(uniform))
            soft = torch.softmax((torch.log_softmax(alpha, dim=-1) + gumbel) / self.tau, dim=-1)
            hard = F.one_hot(soft.argmax(dim=-1), soft.shape[-1]).to(soft.dtype)
            rows.append(hard - soft.detach() + soft)
        return self.net.rows(rows)

    def step(self, train: Batch, val: Batch) -> float:
        loss = self.train_weights(train, [row.detach() for row in self.sample()], one_hot=True)
        self.net.train()
        x, y = val
        arch_loss = F.cross_entropy(self.net(x, self.sample(), one_hot=True), y)
        self.update_alpha(torch.autograd.grad(arch_loss, self.alpha)[0])
        return loss
