"""DrNAS: Chen, Wang, Cheng, Tang & Hsieh, "DrNAS: Dirichlet Neural Architecture Search", ICLR 2021.

One of the remedies for DARTS' collapse. DARTS learns a point estimate of the op weights and
drifts towards parameter-free ops (`skip_connect`) whose weights are easy to grow; DrNAS learns a
Dirichlet *distribution* over each edge's op weights instead, with concentration

    beta = elu(alpha) + 1 > 0,     weights ~ Dirichlet(beta)   (sampled with its reparameterised gradient)

and a KL term pulling beta towards the uniform Dirichlet(1), which keeps exploring:

    min_alpha  E_{w ~ Dir(beta)} L_val(w)  +  reg_scale * KL(Dir(beta) || Dir(1)).

Every step samples fresh weights for the network update and for the architecture update; the
derived cell takes each edge's op with the largest expected weight, beta / sum(beta). The paper's
progressive partial channels, a speed-up for large spaces, are left out.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.distributions import Dirichlet, kl_divergence

from ..spaces.supernet import Rows
from .one_shot import Batch, Differentiable


@dataclass
class DrNAS(Differentiable):
    """Dirichlet architecture distribution with the paper's KL regulariser (scale 1e-3)."""

    reg_scale: float = 1e-3

    name = "drnas"

    def concentration(self) -> list[torch.Tensor]:
        """beta, one row per decision."""
        return [F.elu(a) + 1 for a in self.rows(self.alpha)]

    def weights(self) -> Rows:
        return self.net.rows([beta / beta.sum() for beta in self.concentration()])

    def sample(self) -> Rows:
        """Op weights drawn from Dirichlet(beta), differentiable in alpha; seeded by the strategy."""
        return self.seeded(lambda: self.net.rows([Dirichlet(beta).rsample() for beta in self.concentration()]))

    def step(self, train: Batch, val: Batch) -> float:
        loss = self.train_weights(train, [row.detach() for row in self.sample()])
        self.net.train()
        x, y = val
        kl = sum(kl_divergence(Dirichlet(beta), Dirichlet(torch.ones_like(beta))) for beta in self.concentration())
        arch_loss = F.cross_entropy(self.net(x, self.sample()), y) + self.reg_scale * kl
        self.update_alpha(torch.autograd.grad(arch_loss, self.alpha)[0])
        return loss
