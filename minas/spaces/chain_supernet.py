"""The chain's supernet: every block at its largest, its smaller choices as masks.

Single-Path NAS (Stamoulis et al., ECML-PKDD 2019) keeps one "superkernel" per block: the 3x3 and 5x5 kernels are
the centre of the 7x7 one, and a smaller expansion uses the first channels of the largest. FBNetV2 (Wan et al.,
CVPR 2020) searches widths the same way, with channel masks. So one block holds every (kernel, expansion) choice,
and a stage of blocks holds every width and depth:

- kernel k: the depthwise weights times a mask that keeps the central k (x k) taps;
- expansion e: a mask that keeps the first e x (input width) hidden channels;
- width w: a mask that keeps the first w output channels of each block of the stage;
- depth d: the stage's output is the output after its d-th block;
- squeeze-and-excitation: the block's hidden channels with or without their gate.

With dense weights (DARTS, DrNAS) every mask and output is the mix of its options' by their weights (a soft mask,
as in FBNetV2), at the cost of one largest network; with one-hot weights (GDAS, ENAS, uniform paths) the masks
are exact and only the chosen depth's blocks run, so a path computes what that chain would with these weights.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .chain_net import LAYERS, SqueezeExcite, conv_bn, strides
from .supernet import Rows, Supernet


def soft_mask(n: int, sizes: Sequence[int], weights: Sequence[torch.Tensor], device: torch.device) -> torch.Tensor:
    """Channel c of n is on with the summed weight of the sizes above c: one-hot weights give a 0/1 mask."""
    idx = torch.arange(n, device=device)
    return sum(w * (idx < size).float() for w, size in zip(weights, sizes))


def kernel_masks(kernels: Sequence[int], dim: int) -> torch.Tensor:
    """One mask per kernel size over the taps of the largest: the central k (x k) taps on."""
    big = max(kernels)
    rows = []
    for k in kernels:
        line = torch.zeros(big)
        line[big // 2 - k // 2: big // 2 + k // 2 + 1] = 1.0
        rows.append(line if dim == 1 else line[:, None] * line[None, :])
    return torch.stack(rows)


class SuperBlock(nn.Module):
    """An inverted-residual block at its largest kernel, hidden width and output width; masks pick the rest."""

    def __init__(self, dim: int, c_in: int, c_out: int, kernel: int, hidden: int, stride: int, se: bool,
                 residual: bool):
        super().__init__()
        conv, bn, _ = LAYERS[dim]
        self.dim, self.hidden, self.stride, self.residual = dim, hidden, stride, residual
        self.expand = conv_bn(dim, c_in, hidden)
        self.depthwise = conv(hidden, hidden, kernel, stride, kernel // 2, groups=hidden, bias=False)
        self.depthwise_bn = bn(hidden)
        self.se = SqueezeExcite(dim, hidden) if se else None
        self.project = conv_bn(dim, hidden, c_out)

    def forward(self, x: torch.Tensor, kernel_mask: torch.Tensor, hidden_mask: torch.Tensor, out_mask: torch.Tensor,
                se: torch.Tensor | None) -> torch.Tensor:
        channels = (1, -1) + (1,) * self.dim
        h = F.relu(self.expand(x)) * hidden_mask.view(channels)
        conv = F.conv1d if self.dim == 1 else F.conv2d
        h = conv(h, self.depthwise.weight * kernel_mask, None, self.stride, self.depthwise.padding, 1, self.hidden)
        h = F.relu(self.depthwise_bn(h)) * hidden_mask.view(channels)
        if self.se is not None:
            h = se[0] * h + se[1] * self.se(h)
        out = self.project(h) * out_mask.view(channels)
        return x + out if self.residual else out


class ChainSupernet(Supernet):
    """Stem, per stage `max(depths)` superblocks at the stage's largest width, pooling, classifier."""

    def __init__(self, space, input_shape: Sequence[int], num_classes: int):
        super().__init__()
        self.space = space
        dim = len(input_shape) - 1
        if dim not in LAYERS:
            raise ValueError(f"input_shape {tuple(input_shape)} must be (C, L) for signals or (C, H, W) for images")
        self.stem = nn.Sequential(conv_bn(dim, input_shape[0], space.stem, 3), nn.ReLU())
        self.stages, c = nn.ModuleList(), space.stem
        for widths, stride in zip(space.widths, strides(input_shape, len(space.widths))):
            blocks = nn.ModuleList()
            for b in range(max(space.depths)):
                c_in = c if b == 0 else max(widths)
                blocks.append(SuperBlock(dim, c_in, max(widths), max(space.kernels), c_in * max(space.expansions),
                                         stride if b == 0 else 1, space.se, residual=b > 0))
            self.stages.append(blocks)
            c = max(widths)
        self.head = nn.Sequential(LAYERS[dim][2](1), nn.Flatten(), nn.Linear(c, num_classes))
        self.register_buffer("kernels", kernel_masks(space.kernels, dim), persistent=False)
        self.row = {d.name: k for k, d in enumerate(space.decisions)}

    def forward(self, x: torch.Tensor, weights: Rows, one_hot: bool = False) -> torch.Tensor:
        space, device = self.space, x.device
        w = lambda name: weights[self.row[name]]                                  # noqa: E731
        x = self.stem(x)
        in_sizes, in_weights = [space.stem], [torch.ones((), device=device)]
        for s, (blocks, widths) in enumerate(zip(self.stages, space.widths), start=1):
            out_mask = soft_mask(max(widths), widths, w(f"w{s}"), device)
            depth = w(f"d{s}")
            chosen = int(depth.argmax())
            outputs = []
            for b in range(1, (space.depths[chosen] if one_hot else max(space.depths)) + 1):
                sizes, size_weights = (in_sizes, in_weights) if b == 1 else (widths, w(f"w{s}"))
                expansion = w(f"e{s}.{b}")
                hidden_mask = soft_mask(blocks[b - 1].hidden, [e * c for e in space.expansions for c in sizes],
                                        [we * wc for we in expansion for wc in size_weights], device)
                kernel_mask = (w(f"k{s}.{b}")[:, None] * self.kernels.flatten(1)).sum(0).view(self.kernels.shape[1:])
                se = w(f"se{s}") if space.se else None
                x = blocks[b - 1](x, kernel_mask, hidden_mask, out_mask, se)
                outputs.append(x)
            if one_hot:                                   # the others' weights add zero, and carry gradients (GDAS)
                x = outputs[-1] * depth[chosen] + (depth.sum() - depth[chosen])
            else:
                x = sum(depth[i] * outputs[d - 1] for i, d in enumerate(space.depths))
            in_sizes, in_weights = widths, w(f"w{s}")
        return self.head(x)
