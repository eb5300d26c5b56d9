"""DARTS: Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019.

The choice of op on each edge is relaxed to a softmax over all ops, weights[edge] =
softmax(alpha[edge]), and the supernet's edges output the weighted sum of their ops (on any space
with a supernet, each decision's options are mixed the same way: alpha holds one row per decision). Network
weights w and architecture parameters alpha are trained in alternation, w on training batches
and alpha on validation batches: the bilevel problem

    min_alpha L_val(w*(alpha), alpha)   where   w*(alpha) = argmin_w L_train(w, alpha).

First order (`order=1`) takes w*(alpha) ~ w. Second order (`order=2`) unrolls one SGD step,
w' = w - xi * grad_w L_train(w, alpha), and by the chain rule

    grad_alpha = grad_alpha L_val(w', alpha) - xi * grad2_{alpha,w} L_train(w, alpha) . grad_w' L_val(w', alpha),

where the Hessian-vector product is a central finite difference with w+- = w +- eps * v,
v = grad_w' L_val(w', alpha), eps = 0.01 / ||v|| (the paper's eq. 7-8). After training, each edge
keeps its heaviest op. On NAS-Bench-201, DARTS famously collapses to cells full of
`skip_connect` (Dong & Yang 2020, Zela et al. 2020): watch the weights in a DartsMonitor.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .one_shot import Batch, Differentiable


@dataclass
class DARTS(Differentiable):
    """DARTS with the paper's optimisers (Adam on alpha, SGD on the weights).
    `order` is 1 (first order) or 2 (unrolled second order)."""

    order: int = 1
    fd_scale: float = 0.01          # eps = fd_scale / ||v|| in the finite-difference Hessian-vector product

    name = "darts"

    def setup_architecture(self) -> None:
        if self.order not in (1, 2):
            raise ValueError(f"DARTS order must be 1 or 2, not {self.order}")
        super().setup_architecture()

    def step(self, train: Batch, val: Batch) -> float:
        self.update_alpha(self.arch_gradient(train, val))
        return self.train_weights(train, [w.detach() for w in self.weights()])

    def loss(self, batch: Batch) -> torch.Tensor:
        x, y = batch
        return F.cross_entropy(self.net(x, self.weights()), y)

    def arch_gradient(self, train: Batch, val: Batch) -> torch.Tensor:
        """d L_val / d alpha, first order or through one unrolled weight step (second order)."""
        self.net.train()
        if self.order == 1:
            return torch.autograd.grad(self.loss(val), self.alpha)[0]
        xi = self.w_optimizer.param_groups[0]["lr"]
        params = [p for p in self.net.parameters()]
        saved = [p.detach().clone() for p in params]
        step = torch.autograd.grad(self.loss(train), params)
        with torch.no_grad():                                    # w' = w - xi * grad_w L_train(w, alpha)
            for p, g in zip(params, step):
                p.sub_(xi * g)
        grads = torch.autograd.grad(self.loss(val), [self.alpha, *params])
        d_alpha, v = grads[0], grads[1:]
        with torch.no_grad():
            for p, w in zip(params, saved):
                p.copy_(w)
        return d_alpha - xi * self.hessian_vector_product(v, train)

    def hessian_vector_product(self, v: tuple[torch.Tensor, ...], train: Batch) -> torch.Tensor:
        """grad2_{alpha,w} L_train . v, by central differences along v (DARTS eq. 8)."""
        params = list(self.net.parameters())
        eps = self.fd_scale / torch.cat([g.flatten() for g in v]).norm()
        grads = []
        for sign in (1, -2):                                     # to w + eps v, then to w - eps v
            with torch.no_grad():
                for p, g in zip(params, v):
                    p.add_(sign * eps * g)
            grads.append(torch.autograd.grad(self.loss(train), self.alpha)[0])
        with torch.no_grad():
            for p, g in zip(params, v):
                p.add_(eps * g)
        return (grads[0] - grads[1]) / (2 * eps)
