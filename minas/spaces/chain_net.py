"""A MobileNet-like chain of inverted-residual blocks, for 2-D images and 1-D signals.

The network of `ChainSpace` (MnasNet, Tan et al. CVPR 2019; MobileNetV3, Howard et al. ICCV 2019): a stem
convolution, then stages of inverted-residual blocks (Sandler et al., "MobileNetV2", CVPR 2018), global pooling
and a linear classifier. A block widens its input `expansion` times with a 1x1 convolution, filters each channel
on its own with a k x k depthwise convolution, optionally reweights the channels by squeeze-and-excitation (Hu et
al., CVPR 2018), and projects back with a 1x1 convolution; every block of a stage but the first (which may change
the width and the resolution) adds its input to its output. A stage's first block halves the resolution while the input is at least 8 per axis, so the
same chain fits 8x8 digits, 40-sample signals and 32x32 images.

A chain is given as its stages: `[(width, [(kernel, expansion), ...], squeeze_excite), ...]`. This file is plain
PyTorch on purpose, needing nothing else: `minas export` copies it into the standalone file of a found network.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

LAYERS = {1: (nn.Conv1d, nn.BatchNorm1d, nn.AdaptiveAvgPool1d), 2: (nn.Conv2d, nn.BatchNorm2d, nn.AdaptiveAvgPool2d)}
Stage = tuple[int, Sequence[tuple[int, int]], bool]       # (width, [(kernel, expansion), ...], squeeze-excite)


def conv_bn(dim: int, c_in: int, c_out: int, kernel: int = 1, stride: int = 1, groups: int = 1) -> nn.Sequential:
    """Convolution (same padding, no bias) and batch norm."""
    conv, bn, _ = LAYERS[dim]
    return nn.Sequential(conv(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False), bn(c_out))


def strides(input_shape: Sequence[int], stages: int) -> list[int]:
    """Each stage's stride: 2 while the resolution is at least 8, then 1 (8x8 digits: 2, 1, 1; 40 samples and
    32x32 images: 2, 2, 2)."""
    size, out = min(input_shape[1:]), []
    for _ in range(stages):
        out.append(2 if size >= 8 else 1)
        size //= out[-1]
    return out


class SqueezeExcite(nn.Module):
    """Channel attention: global average, a bottleneck of a quarter of the channels (at least 8), a gate."""

    def __init__(self, dim: int, channels: int):
        super().__init__()
        conv, _, pool = LAYERS[dim]
        squeezed = max(8, channels // 4)
        self.gate = nn.Sequential(pool(1), conv(channels, squeezed, 1), nn.ReLU(), conv(squeezed, channels, 1),
                                  nn.Hardsigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x)


class InvertedResidual(nn.Module):
    """MobileNetV2's block: 1x1 expand, k x k depthwise, optional squeeze-and-excitation, 1x1 project."""

    def __init__(self, dim: int, c_in: int, c_out: int, kernel: int, expansion: int, stride: int, se: bool,
                 residual: bool):
        super().__init__()
        hidden = c_in * expansion
        layers = [conv_bn(dim, c_in, hidden), nn.ReLU(), conv_bn(dim, hidden, hidden, kernel, stride, groups=hidden),
                  nn.ReLU()]
        if se:
            layers.append(SqueezeExcite(dim, hidden))
        layers.append(conv_bn(dim, hidden, c_out))
        self.body = nn.Sequential(*layers)
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out


class ChainNetwork(nn.Module):
    """Stem, the stages' blocks, global pooling, a linear classifier."""

    def __init__(self, stages: Sequence[Stage], input_shape: Sequence[int], num_classes: int, stem: int = 8):
        super().__init__()
        dim = len(input_shape) - 1
        if dim not in LAYERS:
            raise ValueError(f"input_shape {tuple(input_shape)} must be (C, L) for signals or (C, H, W) for images")
        self.stem = nn.Sequential(conv_bn(dim, input_shape[0], stem, 3), nn.ReLU())
        blocks, c = [], stem
        for (width, layers, se), stride in zip(stages, strides(input_shape, len(stages))):
            for b, (kernel, expansion) in enumerate(layers):
                blocks.append(InvertedResidual(dim, c, width, kernel, expansion, stride if b == 0 else 1, se,
                                               residual=b > 0))
                c = width
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(LAYERS[dim][2](1), nn.Flatten(), nn.Linear(c, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))
