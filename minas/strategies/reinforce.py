"""REINFORCE, Williams, "Simple Statistical Gradient-Following Algorithms for Connectionist
Reinforcement Learning", Machine Learning 1992; used for NAS by Zoph & Le, "Neural Architecture
Search with Reinforcement Learning", ICLR 2017, and as a baseline of NAS-Bench-201 (Dong & Yang,
ICLR 2020), whose factorised policy this follows.

The policy is one categorical distribution per decision of the space, softmax(logits[decision]) (for
the cell space: one per edge, over its ops). Each ask walks the space's decisions, sampling each that
applies from its own distribution (a later decision may exist only for some earlier values, e.g. a
block's kernel only when the depth reaches the block); each told result nudges the logits along the
policy gradient

    grad  =  (reward - baseline) * grad log p(arch)  +  entropy_weight * grad H(policy)

where log p(arch) sums over the decisions the architecture made, the reward is the search's score
(the validation accuracy, or an objective's value such as MnasNet's reward) as a fraction, the baseline an exponential moving
average of past rewards (it reduces the variance without biasing the gradient), and the entropy
bonus keeps the policy from collapsing on the first good cell it meets. Failed trials teach
nothing and are skipped. Adam takes one step per told trial.

In parallel this is Zoph & Le's asynchronous form: their controller replicas sampled architectures from the
policy of the moment and sent gradients as children finished. Here each ask samples from the current policy and
each result updates it when it arrives, so a result may stem from a slightly older policy (the staleness the
paper accepted); the order of updates is the order trials finish, which the run folder records.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from .base import Strategy


@dataclass
class REINFORCE(Strategy):
    """Policy gradient over a factorised categorical policy (one softmax per decision), uniform at first.
    NATS-Bench's REINFORCE uses Adam with lr 0.01 and a 0.9 moving-average baseline, and gets
    hundreds of samples. Within ~100 queries lr 0.01 learns too slowly to pull ahead of random
    search; lr 0.1 learned best on NAS-Bench-201 (0.3 and up collapse the policy too early)."""

    learning_rate: float = 0.1
    baseline_decay: float = 0.9
    entropy_weight: float = 1e-3

    name = "reinforce"
    requires = ("decisions",)

    def setup(self, space, rng):
        super().setup(space, rng)
        self.logits = {d.name: torch.zeros(len(d.options), requires_grad=True) for d in space.decisions}
        self.optimizer = torch.optim.Adam(list(self.logits.values()), lr=self.learning_rate)
        self.baseline: float | None = None

    def _policy(self, decision) -> torch.Tensor:
        """The logits of `decision`, made uniform when first met (a define-by-run space may reveal a decision late)."""
        if decision.name not in self.logits:
            self.logits[decision.name] = torch.zeros(len(decision.options), requires_grad=True)
            self.optimizer.add_param_group({"params": [self.logits[decision.name]]})
        return self.logits[decision.name]

    def probabilities(self) -> list[torch.Tensor]:
        """One row per decision of the space, p[option], each summing to 1."""
        return [torch.softmax(self._policy(d).detach(), dim=-1) for d in self.space.decisions]

    def ask(self) -> Any:
        def pick(decision):
            row = torch.softmax(self._policy(decision).detach(), dim=-1).tolist()
            return self.rng.choices(decision.options, weights=row)[0]
        return self.space.make(pick)

    def tell(self, trial):
        super().tell(trial)
        if trial.ok:
            self.learn(trial.arch, trial.score / 100)

    def learn(self, arch: Any, reward: float) -> None:
        """One policy-gradient step for `arch`, which earned `reward` (in [0, 1])."""
        advantage = 0.0 if self.baseline is None else reward - self.baseline
        self.baseline = reward if self.baseline is None else (
            self.baseline_decay * self.baseline + (1 - self.baseline_decay) * reward)
        choices = self.space.choices_of(arch)
        known = {d.name: d for d in self.space.decisions}
        log_p_arch = torch.stack([torch.log_softmax(self.logits[name], -1)[known[name].options.index(value)]
                                  for name, value in choices.items()]).sum()
        log_p = [torch.log_softmax(logits, -1) for logits in self.logits.values()]
        entropy = -torch.stack([(row.exp() * row).sum() for row in log_p]).sum()
        loss = -advantage * log_p_arch - self.entropy_weight * entropy
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def state(self):
        return {"probabilities": {d.name: dict(zip(map(str, d.options), row.tolist()))
                                  for d, row in zip(self.space.decisions, self.probabilities())},
                "baseline": self.baseline}
