"""What every search space offers: sample, mutate, encode, parse/print, build a network, draw."""
from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterator, Sequence

import torch.nn as nn


class ArchError(ValueError):
    """A malformed or invalid architecture (bad string, unknown op, wrong size)."""

    def __str__(self) -> str:                  # a pasted 1 MB string is quoted cut, not whole
        from ..errors import shorten
        return shorten(super().__str__())


@dataclass(frozen=True)
class ArchGraph:
    """A drawing of an architecture as plain data: `to_digraph` (graphviz) and `viz` render it."""
    nodes: list[tuple[str, str, str]]                 # (id, label, kind: "input" | "node" | "output")
    edges: list[tuple[str, str, str]]                    # (source id, target id, label)
    title: str = ""
    dashed: set[str] = field(default_factory=set)        # edge labels drawn dashed (e.g. skip connections)

    def to_digraph(self):
        """A `graphviz.Digraph` in the DARTS drawing style (left to right, ops on the edges)."""
        import graphviz
        colours = {"input": "darkseagreen2", "node": "lightblue", "output": "palegoldenrod"}
        g = graphviz.Digraph(graph_attr={"rankdir": "LR", "label": self.title, "labelloc": "t", "fontname": "Helvetica"},
                             node_attr={"style": "filled", "shape": "rect", "fontname": "Helvetica"},
                             edge_attr={"fontname": "Helvetica", "fontsize": "11"})
        for node_id, label, kind in self.nodes:
            g.node(node_id, label, fillcolor=colours[kind])
        for src, dst, label in self.edges:
            g.edge(src, dst, label=label, style="dashed" if label in self.dashed else "solid")
        return g


class SearchSpace(ABC):
    """The set of architectures a search may build. Architectures are small, immutable, printable."""

    name: str = "space"

    @property
    @abstractmethod
    def size(self) -> int:
        """How many architectures the space holds."""

    @abstractmethod
    def sample(self, rng: random.Random) -> Hashable:
        """One architecture drawn uniformly at random."""

    @abstractmethod
    def mutate(self, arch: Any, rng: random.Random) -> Hashable:
        """A random neighbour: the smallest change the space allows."""

    @abstractmethod
    def neighbours(self, arch: Any) -> list:
        """Every architecture one mutation away."""

    @abstractmethod
    def encode(self, arch: Any) -> list[float]:
        """A fixed-length numeric vector, for surrogates and plots."""

    @abstractmethod
    def parse(self, text: str) -> Hashable:
        """The architecture printed as `text` (inverse of `str(arch)`)."""

    @abstractmethod
    def to_module(self, arch: Any, *, input_shape: Sequence[int], num_classes: int, **options: Any) -> nn.Module:
        """A trainable PyTorch network for inputs of `input_shape` (without the batch axis)."""

    @abstractmethod
    def describe_graph(self, arch: Any) -> ArchGraph:
        """The architecture as nodes and labelled edges."""

    def to_graph(self, arch: Any):
        """A graphviz drawing of `arch`."""
        return self.describe_graph(arch).to_digraph()

    def config(self) -> dict[str, Any]:
        """What identifies this space in a run folder."""
        return {"name": self.name}

    def enumerate(self) -> Iterator:
        """Every architecture, in a fixed order (only finite, small spaces implement it)."""
        raise NotImplementedError(f"{type(self).__name__} cannot enumerate its architectures")
