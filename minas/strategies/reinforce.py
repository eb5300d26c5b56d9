"""REINFORCE, Williams, "Simple Statistical Gradient-Following Algorithms for Connectionist
Reinforcement Learning", Machine Learning 1992; used for NAS by Zoph & Le, "Neural Architecture
Search with Reinforcement Learning", ICLR 2017, and as a baseline of NAS-Bench-201 (Dong & Yang,
ICLR 2020), whose factorised policy this follows.

The policy is one categorical distribution per edge of the cell, softmax(logits[edge]). Each ask
samples an op for every edge; each told result nudges the logits along the policy gradient

    grad  =  (reward - baseline) * grad log p(arch)  +  entropy_weight * grad H(policy)

where the reward is the validation accuracy (as a fraction), the baseline an exponential moving
average of past rewards (it reduces the variance without biasing the gradient), and the entropy
bonus keeps the policy from collapsing on the first good cell it meets. Failed trials teach
nothing and are skipped. Adam takes one step per told trial.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from ..spaces.cell import Cell
from .base import Strategy


@dataclass
class REINFORCE(Strategy):
    """Policy gradient over a factorised categorical policy (one softmax per edge), uniform at first.
    NATS-Bench's REINFORCE uses Adam with lr 0.01 and a 0.9 moving-average baseline, and gets
    hundreds of samples. Within ~100 queries lr 0.01 learns too slowly to pull ahead of random
    search; lr 0.1 learned best on NAS-Bench-201 (0.3 and up collapse the policy too early)."""

    learning_rate: float = 0.1
    baseline_decay: float = 0.9
    entropy_weight: float = 1e-3

    name = "reinforce"

    def setup(self, space, rng):
        super().setup(space, rng)
        if not (hasattr(space, "ops") and hasattr(space, "edges")):
            raise TypeError(f"REINFORCE needs a cell space (one op chosen per edge, with `ops` and `edges`); "
                            f"{type(space).__name__} has no {'`ops`' if not hasattr(space, 'ops') else '`edges`'}")
        self.logits = torch.zeros(len(space.edges), len(space.ops), requires_grad=True)   # uniform start
        self.optimizer = torch.optim.Adam([self.logits], lr=self.learning_rate)
        self.baseline: float | None = None

    def probabilities(self) -> torch.Tensor:
        """p[edge, op], each row summing to 1."""
        return torch.softmax(self.logits.detach(), dim=-1)

    def ask(self) -> Any:
        return Cell(tuple(self.rng.choices(self.space.ops, weights=row)[0] for row in self.probabilities().tolist()))

    def tell(self, trial):
        super().tell(trial)
        if trial.ok:
            self.learn(trial.arch, trial.val_acc / 100)

    def learn(self, arch: Cell, reward: float) -> None:
        """One policy-gradient step for `arch`, which earned `reward` (in [0, 1])."""
        advantage = 0.0 if self.baseline is None else reward - self.baseline
        self.baseline = reward if self.baseline is None else (
            self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward)
        chosen = torch.tensor([self.space.ops.index(op) for op in arch.ops])
        log_p = torch.log_softmax(self.logits, dim=-1)
        log_p_arch = log_p.gather(1, chosen[:, None]).sum()
        entropy = -(log_p.exp() * log_p).sum()
        loss = -advantage * log_p_arch - self.entropy_weight * entropy
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def state(self):
        rows = self.probabilities().tolist()
        return {"probabilities": {f"{j}->{i}": dict(zip(self.space.ops, row))
                                  for (i, j), row in zip(self.space.edges, rows)},
                "baseline": self.baseline}
