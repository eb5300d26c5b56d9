"""A MobileNet-like chain: the space of MnasNet and MobileNetV3 (Tan et al., "MnasNet: Platform-Aware Neural
Architecture Search for Mobile", CVPR 2019), scaled to small data.

The network is a stem, a few stages of inverted-residual blocks and a classifier (`chain_net.py`). Per stage the
search decides a width `w` and a depth `d`; per block of the stage, a kernel size `k` and an expansion `e`; and,
with `se=True`, whether the stage's blocks use squeeze-and-excitation. A block's decisions exist only up to the
stage's depth, so the decisions are conditional, and the architectures print as

    w1=12,d1=2,k1.1=5,e1.1=3,k1.2=3,e1.2=6,se1=False,w2=24,d2=1,k2.1=7,e2.1=1,se2=True,...

MnasNet's factorised hierarchical space lets every stage differ, because the best kernel and expansion change
with depth in the network; its per-block choices (kernel {3, 5, 7}, expansion {1, 3, 6}) are kept here, with
widths for MNIST-1D-sized data. Parameters and FLOPs range over two orders of magnitude, so hardware-aware
objectives (parameters, FLOPs, latency) have something to trade.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch.nn as nn

from .base import ArchError, ArchGraph
from .chain_net import ChainNetwork, Stage
from .decisions import Choices, Decision, DecisionSpace, Pick

WIDTHS = ((8, 12, 16), (16, 24, 32), (32, 48, 64))


class ChainSpace(DecisionSpace):
    """Stages of inverted-residual blocks: per stage a width (from `widths[stage]`) and a depth, per block a kernel
    and an expansion, per stage squeeze-and-excitation or not (`se`); a fixed `stem` width."""

    name = "chain"

    def __init__(self, widths: Sequence[Sequence[int]] = WIDTHS, depths: Sequence[int] = (1, 2, 3),
                 kernels: Sequence[int] = (3, 5, 7), expansions: Sequence[int] = (1, 3, 6), se: bool = True,
                 stem: int = 8):
        self.widths = tuple(tuple(w) for w in widths)
        self.depths, self.kernels, self.expansions = tuple(depths), tuple(kernels), tuple(expansions)
        self.se, self.stem = se, stem
        numbers = [*(x for w in self.widths for x in w), *self.depths, *self.kernels, *self.expansions, stem]
        if not self.widths or not all(isinstance(x, int) and x >= 1 for x in numbers):
            raise ArchError(f"a chain needs at least one stage, and widths, depths, kernels, expansions and stem "
                            f"that are positive whole numbers; got {self.config()}")
        if any(k % 2 == 0 for k in self.kernels):
            raise ArchError(f"kernel sizes must be odd (a block keeps its resolution with padding k // 2), got "
                            f"{list(self.kernels)}")
        super().__init__()
        self._decision = {}
        for s, stage_widths in enumerate(self.widths, start=1):
            self._decision[f"w{s}"] = Decision(f"w{s}", stage_widths)
            self._decision[f"d{s}"] = Decision(f"d{s}", self.depths)
            for b in range(1, max(self.depths) + 1):
                self._decision[f"k{s}.{b}"] = Decision(f"k{s}.{b}", self.kernels)
                self._decision[f"e{s}.{b}"] = Decision(f"e{s}.{b}", self.expansions)
            self._decision[f"se{s}"] = Decision(f"se{s}", (False, True))

    def __repr__(self) -> str:
        return (f"ChainSpace({len(self.widths)} stages, depths {list(self.depths)}, kernels {list(self.kernels)}, "
                f"expansions {list(self.expansions)}{', SE' if self.se else ''}) with {self.size:.3g} chains")

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "widths": [list(w) for w in self.widths], "depths": list(self.depths),
                "kernels": list(self.kernels), "expansions": list(self.expansions), "se": self.se, "stem": self.stem}

    def walk(self, pick: Pick) -> None:
        for s in range(1, len(self.widths) + 1):
            pick(self._decision[f"w{s}"])
            for b in range(1, pick(self._decision[f"d{s}"]) + 1):
                pick(self._decision[f"k{s}.{b}"])
                pick(self._decision[f"e{s}.{b}"])
            if self.se:
                pick(self._decision[f"se{s}"])

    @property
    def size(self) -> int:
        blocks = len(self.kernels) * len(self.expansions)
        per_stage = sum(blocks ** d for d in self.depths) * (2 if self.se else 1)
        return math.prod(len(w) * per_stage for w in self.widths)

    def stages(self, arch: Any) -> list[Stage]:
        """`arch` as the network's stages: [(width, [(kernel, expansion), ...], squeeze-excite), ...]."""
        c = self.choices_of(arch)
        return [(c[f"w{s}"], [(c[f"k{s}.{b}"], c[f"e{s}.{b}"]) for b in range(1, c[f"d{s}"] + 1)],
                 bool(c.get(f"se{s}", False))) for s in range(1, len(self.widths) + 1)]

    def choices_of(self, arch: Any) -> Choices:
        if not isinstance(arch, Choices):
            raise ArchError(f"expected Choices (an architecture of the chain space), got {type(arch).__name__}")
        return arch

    def to_module(self, arch: Any, *, input_shape: Sequence[int], num_classes: int) -> nn.Module:
        """The chain network of `arch` (`chain_net.ChainNetwork`)."""
        try:
            return ChainNetwork(self.stages(self.check(arch)), input_shape, num_classes, stem=self.stem)
        except (ValueError, KeyError) as e:
            raise ArchError(f"cannot build {arch}: {e}") from None

    def supernet(self, *, input_shape: Sequence[int], num_classes: int) -> nn.Module:
        """Every block at its largest, the smaller choices as masks over its kernels and channels, and each
        stage's depth as a mix of its blocks' outputs (`chain_supernet.py`)."""
        from .chain_supernet import ChainSupernet
        return ChainSupernet(self, input_shape, num_classes)

    def describe_graph(self, arch: Any) -> ArchGraph:
        """Stem, one node per block labelled kernel, expansion and width (and SE), the classifier."""
        nodes = [("in", "input", "input"), ("stem", f"stem · {self.stem}", "node")]
        for s, (width, blocks, se) in enumerate(self.stages(arch), start=1):
            for b, (kernel, expansion) in enumerate(blocks, start=1):
                nodes.append((f"{s}.{b}", f"k{kernel} e{expansion} · {width}{' SE' if se else ''}", "node"))
        nodes.append(("out", "classifier", "output"))
        edges = [(a[0], b[0], "") for a, b in zip(nodes, nodes[1:])]
        return ArchGraph(nodes, edges)

    def export_source(self, arch: Any, *, input_shape: Sequence[int], num_classes: int) -> str:
        """A standalone file: `chain_net.py`, the found stages and a `build_model()`."""
        from . import chain_net
        from .standalone import network_file
        return network_file(chain_net, "ChainNetwork", "STAGES", self.stages(self.check(arch)),
                            {"input_shape": tuple(input_shape), "num_classes": num_classes, "stem": self.stem})
