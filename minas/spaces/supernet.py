"""What a supernet offers one-shot methods, whatever its space.

A supernet holds every architecture of a decision space in one network with shared weights (Pham et al. 2018;
Bender et al. 2018). Its forward pass takes `weights`: one row per decision of the space (`decisions`), each a
distribution over that decision's options:

- dense rows (DARTS, DrNAS): every option contributes in proportion to its weight;
- one-hot rows (GDAS, ENAS, uniform paths): only the chosen option runs, so a pass costs no more than one
  candidate network. A one-hot row may still carry gradients (GDAS's straight-through Gumbel sample).

`weights_of(arch)` turns an architecture into one-hot rows, so the same pass scores any single architecture
with the shared weights, and `derive(weights)` takes each decision's heaviest option. Rows are a list of 1-D
tensors, or one 2-D tensor when every decision has as many options (a cell's [edge, op] matrix).
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn as nn

Rows = Sequence[torch.Tensor]       # one weight row per decision; a 2-D tensor when all rows have one length


class Supernet(nn.Module):
    """Base of every space's supernet: subclasses set `self.space` (a `DecisionSpace`) and define `forward(x,
    weights, one_hot=False)`."""

    space: Any

    @property
    def decisions(self) -> list:
        """The decisions its weight rows stand for, in order (the space's)."""
        return self.space.decisions

    def forward(self, x: torch.Tensor, weights: Rows, one_hot: bool = False) -> torch.Tensor:
        raise NotImplementedError

    def rows(self, rows: list[torch.Tensor]) -> Rows:
        """`rows` as one 2-D tensor when they all have one length, else as they are."""
        return torch.stack(rows) if len({len(r) for r in rows}) == 1 else rows

    def weights_of(self, arch: Any) -> Rows:
        """One-hot rows selecting `arch`'s options; a decision that does not apply takes its first option (its
        row does not change the output)."""
        choices = self.space.choices_of(arch)
        device = next(self.parameters()).device
        rows = []
        for d in self.decisions:
            row = torch.zeros(len(d.options), device=device)
            row[d.options.index(choices[d.name]) if d.name in choices else 0] = 1.0
            rows.append(row)
        return self.rows(rows)

    def derive(self, weights: Rows) -> Any:
        """The architecture taking each decision's heaviest option (NAS-Bench-201's rule for its DARTS
        baselines); decisions are walked in order, so only those that apply are taken."""
        row = {d.name: k for k, d in enumerate(self.decisions)}
        return self.space.make(lambda d: d.options[int(weights[row[d.name]].argmax())])
