"""The one-shot supernet of a cell space: every edge carries every op, all sharing one network.

Weight sharing (Pham et al. 2018; Bender et al. 2018) trains this one network once instead of every
candidate. A forward pass takes `weights[edge, op]`, one row per edge (the space's decisions, see
`supernet.py`):

- dense weights (DARTS, DrNAS): each edge outputs the weighted sum of all its ops;
- one-hot weights (GDAS, ENAS, random paths): each edge runs only its chosen op, so a pass costs
  no more than one candidate network. A one-hot row may still carry gradients (GDAS's
  straight-through Gumbel sample): the unchosen ops add their weight, which is zero in value, so
  the architecture parameters receive the gradient of every op's weight.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from .cell import CellSpace
from .cell_net import OPS, CellNetwork
from .supernet import Rows, Supernet


class MixedCell(nn.Module):
    """A cell whose edge k holds one module per op of the space (None for `none`)."""

    def __init__(self, space: CellSpace, dim: int, channels: int):
        super().__init__()
        self.space = space
        self.edges = nn.ModuleList(nn.ModuleList(OPS[op](dim, channels) or nn.Identity() for op in space.ops)
                                   for _ in space.edges)
        self.none = space.ops.index("none") if "none" in space.ops else -1

    def edge(self, k: int, x: torch.Tensor, w: torch.Tensor, one_hot: bool) -> torch.Tensor:
        ops = self.edges[k]
        if one_hot:
            chosen = int(w.argmax())
            rest = w.sum() - w[chosen]                    # zero in value, carries gradients (GDAS)
            out = x * 0 if chosen == self.none else ops[chosen](x)
            return out * w[chosen] + rest
        return sum(w[o] * ops[o](x) for o in range(len(ops)) if o != self.none)

    def forward(self, x: torch.Tensor, weights: Rows, one_hot: bool) -> torch.Tensor:
        nodes = [x]
        for i in range(1, self.space.nodes):
            nodes.append(sum(self.edge(k, nodes[j], weights[k], one_hot)
                             for k, (target, j) in enumerate(self.space.edges) if target == i))
        return nodes[-1]


class CellSupernet(CellNetwork, Supernet):
    """The NAS-Bench-201 network of `space` with a `MixedCell` in place of every cell; all cells
    share one set of architecture weights, as in NAS-Bench-201's one-shot baselines."""

    def __init__(self, space: CellSpace, input_shape: Sequence[int], num_classes: int, channels: int = 16,
                 cells: int = 5):
        self.space = space
        super().__init__(space.ops, input_shape, num_classes, channels, cells)

    def make_cell(self, ops, dim: int, channels: int) -> nn.Module:
        return MixedCell(self.space, dim, channels)

    def forward(self, x: torch.Tensor, weights: Rows, one_hot: bool = False) -> torch.Tensor:
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x, weights, one_hot) if isinstance(layer, MixedCell) else layer(x)
        return self.head(x)
