"""The NAS-Bench-201 network, for 2-D images and 1-D signals.

Layer for layer as in NAS-Bench-201's `TinyNetwork`/`InferCell` (D-X-Y/AutoDL-Projects), so that
parameter counts match the benchmark's. The same code builds 1-D networks: only the convolution,
batch-norm and pooling classes change with the number of spatial axes. A cell is given as its ops,
one per edge in NAS-Bench-201's order (see `edge_list`).

This file is plain PyTorch on purpose, needing nothing else: `minas export` copies it
into the standalone file of a found network.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
import torch.nn as nn

LAYERS = {  # spatial axes -> (conv, batch norm, average pool, global pool)
    1: (nn.Conv1d, nn.BatchNorm1d, nn.AvgPool1d, nn.AdaptiveAvgPool1d),
    2: (nn.Conv2d, nn.BatchNorm2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d),
}


def relu_conv_bn(dim: int, c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    conv, bn, _, _ = LAYERS[dim]
    return nn.Sequential(nn.ReLU(), conv(c_in, c_out, kernel, stride, kernel // 2, bias=False), bn(c_out))


def avg_pool(dim: int, c: int) -> nn.Module:
    return LAYERS[dim][2](3, stride=1, padding=1, count_include_pad=False)


def edge_list(nodes: int) -> list[tuple[int, int]]:
    """The edges (target, source) in NAS-Bench-201 order: (1,0), (2,0), (2,1), (3,0), (3,1), (3,2), ..."""
    return [(i, j) for i in range(1, nodes) for j in range(i)]


def cell_nodes(edges: int) -> int:
    """The number of nodes of a cell with `edges` edges (every pair of nodes joined)."""
    n = 1
    while n * (n - 1) // 2 < edges:
        n += 1
    return n


OPS: dict[str, Callable[[int, int], nn.Module | None]] = {   # name -> (dim, channels) -> module
    "none": lambda dim, c: None,
    "skip_connect": lambda dim, c: nn.Identity(),
    "nor_conv_1x1": lambda dim, c: relu_conv_bn(dim, c, c, 1),
    "nor_conv_3x3": lambda dim, c: relu_conv_bn(dim, c, c, 3),
    "avg_pool_3x3": avg_pool,
}


class InferCell(nn.Module):
    """One cell: node i sums the ops on its incoming edges; the last node is the output.
    `none` edges and edges from nodes that cannot reach the output are skipped: same result, less work."""

    def __init__(self, ops: Sequence[str], dim: int, channels: int):
        super().__init__()
        nodes = cell_nodes(len(ops))
        edges = [(i, j, op) for (i, j), op in zip(edge_list(nodes), ops)]
        self.edges = [(i, j) for i, j, op in edges if op != "none"]
        self.ops = nn.ModuleList(OPS[op](dim, channels) for _, _, op in edges if op != "none")
        self.last = nodes - 1
        live = {self.last}
        for i, j in sorted(self.edges, reverse=True):
            if i in live:
                live.add(j)
        self.live = [(k, i, j) for k, (i, j) in enumerate(self.edges) if i in live]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes: dict[int, torch.Tensor] = {0: x}
        for k, i, j in self.live:
            out = self.ops[k](nodes[j] if j in nodes else torch.zeros_like(x))  # a node fed only by `none` is 0
            nodes[i] = nodes[i] + out if i in nodes else out
        return nodes[self.last] if self.last in nodes else torch.zeros_like(x)


class ResidualReduction(nn.Module):
    """NAS-Bench-201's `ResNetBasicblock` with stride 2: halves the resolution, changes the width."""

    def __init__(self, dim: int, c_in: int, c_out: int):
        super().__init__()
        conv, _, pool, _ = LAYERS[dim]
        self.conv_a = relu_conv_bn(dim, c_in, c_out, 3, stride=2)
        self.conv_b = relu_conv_bn(dim, c_out, c_out, 3)
        self.downsample = nn.Sequential(pool(2, stride=2), conv(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class CellNetwork(nn.Module):
    """Stem, three stages of `cells` cells at widths C, 2C, 4C joined by reductions, pool, classify.
    `ops` is the cell: one op per edge, in `edge_list` order."""

    def __init__(self, ops: Sequence[str], input_shape: Sequence[int], num_classes: int, channels: int = 16,
                 cells: int = 5):
        super().__init__()
        dim = len(input_shape) - 1
        if dim not in LAYERS:
            raise ValueError(f"input_shape {tuple(input_shape)} must be (C, L) for signals or (C, H, W) for images")
        if min(input_shape[1:]) < 4:
            raise ValueError(f"input_shape {tuple(input_shape)} is too small: the two reductions need >= 4 per axis")
        conv, bn, _, gpool = LAYERS[dim]
        self.stem = nn.Sequential(conv(input_shape[0], channels, 3, padding=1, bias=False), bn(channels))
        layers, c = [], channels
        for stage in range(3):
            if stage:
                layers.append(ResidualReduction(dim, c, 2 * c))
                c *= 2
            layers += [self.make_cell(ops, dim, c) for _ in range(cells)]
        self.cells = nn.Sequential(*layers)
        self.head = nn.Sequential(bn(c), nn.ReLU(), gpool(1), nn.Flatten(), nn.Linear(c, num_classes))

    def make_cell(self, ops: Sequence[str], dim: int, channels: int) -> nn.Module:
        """One cell of the network (a supernet overrides this with a cell of every op)."""
        return InferCell(ops, dim, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.cells(self.stem(x)))
