"""The NAS-Bench-201 cell space (Dong & Yang, ICLR 2020, arXiv:2001.00326).

A cell is a DAG on `nodes` nodes (4 in NAS-Bench-201). Node 0 is the cell's input, the last node
its output, and every pair j < i is joined by an edge that carries one operation. With 5 ops on 6
edges the space holds 5**6 = 15,625 cells. Cells are printed exactly as NAS-Bench-201 prints them:
`|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|`
lists, node by node, the op on each incoming edge and the node it comes from.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Sequence

import torch.nn as nn

from .base import ArchError, ArchGraph, shorten
from .cell_net import OPS, cell_nodes, edge_list
from .decisions import Choices, Decision, DecisionSpace

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
_NODE = re.compile(r"^\|(?:[^|~+]+~\d+\|)+$")


@dataclass(frozen=True)
class Cell:
    """One cell: an op per edge, in `edge_list` order. Immutable, hashable, printable."""
    ops: tuple[str, ...]

    @property
    def nodes(self) -> int:
        return cell_nodes(len(self.ops))

    def edges(self) -> list[tuple[int, int, str]]:
        """(target, source, op) for every edge."""
        return [(i, j, op) for (i, j), op in zip(edge_list(self.nodes), self.ops)]

    def __str__(self) -> str:
        by_node: dict[int, list[str]] = {}
        for i, j, op in self.edges():
            by_node.setdefault(i, []).append(f"{op}~{j}")
        return "+".join("|" + "|".join(entries) + "|" for entries in by_node.values())

    def __repr__(self) -> str:
        return f"Cell('{self}')"


class CellSpace(DecisionSpace):
    """All cells on `nodes` nodes whose edges carry one of `ops` (defaults: NAS-Bench-201). Its decisions are
    the edges, named `j->i` (from node j to node i), each choosing one of `ops`; sampling, mutation (one edge's
    op), neighbours, one-hot encoding and enumeration follow from them (`DecisionSpace`)."""

    name = "cell"

    def __init__(self, ops: Sequence[str] = NB201_OPS, nodes: int = 4):
        unknown = [op for op in ops if op not in OPS]
        if unknown:
            raise ArchError(f"unknown op(s) {unknown}; known ops: {', '.join(OPS)}")
        if nodes < 2 or len(ops) < 1 or len(set(ops)) != len(ops):
            raise ArchError(f"a cell space needs >= 2 nodes and distinct ops, got nodes={nodes}, ops={list(ops)}")
        super().__init__()
        self.ops = tuple(ops)
        self.nodes = nodes
        self.edges = edge_list(nodes)
        self._edge_decisions = [Decision(f"{j}->{i}", self.ops) for i, j in self.edges]

    def __repr__(self) -> str:
        return f"CellSpace(ops={list(self.ops)}, nodes={self.nodes}) with {self.size:,} cells"

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "ops": list(self.ops), "nodes": self.nodes}

    def walk(self, pick) -> None:
        for decision in self._edge_decisions:
            pick(decision)

    def arch_of(self, choices: Choices) -> Cell:
        return Cell(tuple(choices.values()))

    def choices_of(self, arch: Any) -> Choices:
        return Choices(zip((d.name for d in self._edge_decisions), self.check(arch).ops))

    @property
    def size(self) -> int:
        return len(self.ops) ** len(self.edges)

    def covers(self, space: Any) -> bool:
        """Whether every cell of `space` is a cell of this one: a cell space on as many nodes with
        a subset of these ops (NAS-Bench-201 without `none`, say), so a table of this space serves it."""
        return isinstance(space, CellSpace) and space.nodes == self.nodes and set(space.ops) <= set(self.ops)

    def index(self, arch: Cell) -> int:
        """Position of `arch` in `enumerate()` order (base-len(ops) digits, first edge most significant)."""
        self.check(arch)
        return sum(self.ops.index(op) * len(self.ops) ** (len(self.edges) - 1 - e) for e, op in enumerate(arch.ops))

    def canonical(self, arch: Cell) -> str:
        """A key shared by exactly the cells that compute the same function up to their weights.

        Each node is the multiset of terms summed into it: `none` edges and nodes with no input
        contribute nothing, `skip_connect` passes its source's terms through, and any other op is
        a term `op(source)`. NAS-Bench-201 keeps zero terms and nested sums apart and so counts
        6,466 unique cells; merging them too leaves 4,930, which is what a table needs to train."""
        terms: dict[int, tuple[str, ...]] = {0: ("x",)}
        for i in range(1, self.nodes):
            summed: list[str] = []
            for target, source, op in self.check(arch).edges():
                if target != i or op == "none" or not terms[source]:
                    continue
                inner = "+".join(terms[source])
                summed += terms[source] if op == "skip_connect" else [f"{op}({inner})"]
            terms[i] = tuple(sorted(summed))
        return "+".join(terms[self.nodes - 1]) or "0"

    def check(self, arch: Any) -> Cell:
        """`arch` itself if it belongs to this space, else an ArchError saying why."""
        if not isinstance(arch, Cell):
            raise ArchError(f"expected a Cell, got {type(arch).__name__}: {shorten(repr(arch))}")
        if len(arch.ops) != len(self.edges):
            raise ArchError(f"{arch} has {len(arch.ops)} edges; this space's cells have {len(self.edges)}")
        for (i, j), op in zip(self.edges, arch.ops):
            if op not in self.ops:
                raise ArchError(f"unknown op {op!r} on edge {j}->{i}; this space's ops are: {', '.join(self.ops)}")
        return arch

    def parse(self, text: str) -> Cell:
        text = str(text).strip()
        parts = text.split("+")
        if len(parts) != self.nodes - 1 or not all(_NODE.match(p) for p in parts):
            raise ArchError(
                f"malformed architecture string {shorten(text)!r}: expected {self.nodes - 1} groups joined by '+', "
                f"each like '|op~0|op~1|', e.g. {str(self.sample(random.Random(0)))!r}")
        ops = []
        for i, part in enumerate(parts, start=1):
            entries = [e.split("~") for e in part.strip("|").split("|")]
            sources = [int(j) for _, j in entries]
            if sources != list(range(i)):
                raise ArchError(f"malformed architecture string {shorten(text)!r}: node {i} must list its inputs "
                                f"~0..~{i - 1} in order, got {['~%d' % s for s in sources]}")
            ops += [op for op, _ in entries]
        return self.check(Cell(tuple(ops)))

    def to_module(self, arch: Cell, *, input_shape: Sequence[int] = (3, 32, 32), num_classes: int = 10,
                  channels: int = 16, cells: int = 5) -> nn.Module:
        """The NAS-Bench-201 network: stem, three stages of `cells` cells joined by residual
        reduction blocks, global pooling, classifier. 1-D inputs (C, L) get 1-D convolutions."""
        from .cell_net import CellNetwork
        ops = self.check(arch).ops
        try:
            return CellNetwork(ops, input_shape=input_shape, num_classes=num_classes, channels=channels, cells=cells)
        except ValueError as e:
            raise ArchError(str(e)) from None

    def supernet(self, *, input_shape: Sequence[int], num_classes: int, channels: int = 16, cells: int = 5):
        """Every edge holding every op, all cells sharing one set of architecture weights (`cell_supernet.py`)."""
        from .cell_supernet import CellSupernet
        try:
            return CellSupernet(self, input_shape, num_classes, channels, cells)
        except ValueError as e:
            raise ArchError(str(e)) from None

    def export_source(self, arch: Cell, *, input_shape: Sequence[int], num_classes: int, channels: int = 16,
                      cells: int = 5) -> str:
        """A standalone file: `cell_net.py`, the found cell's ops and a `build_model()`."""
        from . import cell_net
        from .standalone import network_file
        return network_file(cell_net, "CellNetwork", "CELL", self.check(arch).ops,
                            {"input_shape": tuple(input_shape), "num_classes": num_classes, "channels": channels,
                             "cells": cells}, comment=f"the cell {arch}, one op per edge in NAS-Bench-201's order")

    def describe_graph(self, arch: Cell) -> ArchGraph:
        last = self.nodes - 1
        names = {0: "in", last: "out"}
        nodes = [(str(i), names.get(i, str(i)), "input" if i == 0 else "output" if i == last else "node")
                 for i in range(self.nodes)]
        edges = [(str(j), str(i), op) for i, j, op in self.check(arch).edges() if op != "none"]
        return ArchGraph(nodes, edges, dashed={"skip_connect"})
