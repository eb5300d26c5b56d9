"""How graphviz lays out an architecture's drawing (`ArchGraph`) so that it reads well in a small box.

Two shapes need help beyond the graph's own `to_digraph()`:

- a dense cell (more than six labelled edges: five nodes or more) gets more room between its ranks, or the
  labels of the edges leaving one node crowd into those arriving at the next, a few points apart;
- a long chain (a stem and blocks of a `ChainSpace`, the layers of a declared network) is wrapped: in rows
  read left to right, one under the other, when the graph runs left to right (`rankdir="LR"`), or in columns
  read top to bottom, side by side, when it runs top to bottom. A chain of 12 blocks in one line is 15
  times wider than tall and unreadable in a panel's box; in rows of four it is about three times wider.

The graph's `rankdir` is kept: it says which way the chain reads, and a wrapped chain reads that way in
each row (or column).
"""
from __future__ import annotations

import math

from .spaces.base import ArchGraph

FILL = {"input": "darkseagreen2", "node": "lightblue", "output": "palegoldenrod"}
WRAP_AFTER = 7            # a chain of more nodes than this is wrapped
DENSE_EDGES = 6           # a cell with more labelled edges than this gets more room between ranks


def is_chain(graph: ArchGraph) -> bool:
    """Whether `graph` is one path through all its nodes in their listed order."""
    ids = [node_id for node_id, _, _ in graph.nodes]
    return len(ids) > 1 and [(a, b) for a, b, _ in graph.edges] == list(zip(ids, ids[1:]))


def per_row(n: int) -> int:
    """How many nodes of a wrapped chain of `n` go in one row: rows about 2.6 times wider than the whole is
    tall (a node is about twice as wide as a row is high), the shape of the panels' drawing boxes."""
    return math.ceil(math.sqrt(1.2 * n))


def digraph(graph: ArchGraph):
    """The `graphviz.Digraph` of `graph`: its own drawing, with room for a dense cell's labels, or wrapped
    when it is a long chain."""
    if is_chain(graph) and len(graph.nodes) > WRAP_AFTER:
        return wrapped(graph, per_row(len(graph.nodes)))
    g = graph.to_digraph()
    if sum(1 for _, _, label in graph.edges if label) > DENSE_EDGES:
        g.graph_attr.update(ranksep="1.1", nodesep="0.45")
    return g


def wrapped(graph: ArchGraph, size: int):
    """A chain in groups of `size` nodes: each group one rank across the graph's direction (a row for
    "LR", a column for "TB"), the groups' first nodes aligned, the edge from one group to the next free."""
    across = ArchGraph([], [], graph.title, graph.dashed, "TB" if graph.rankdir == "LR" else "LR")
    g = across.to_digraph()
    g.graph_attr.update(nodesep="0.25", ranksep="0.3")
    groups = [graph.nodes[k:k + size] for k in range(0, len(graph.nodes), size)]
    for group in groups:
        with g.subgraph() as rank:
            rank.attr(rank="same")
            for node_id, label, kind in group:
                rank.node(node_id, label, fillcolor=FILL[kind])
    for before, after in zip(groups, groups[1:]):
        g.edge(before[0][0], after[0][0], style="invis", weight="10")
    turns = {(before[-1][0], after[0][0]) for before, after in zip(groups, groups[1:])}
    for src, dst, label in graph.edges:
        g.edge(src, dst, label=label, style="dashed" if label in graph.dashed else "solid",
               constraint="false" if (src, dst) in turns else "true")
    return g
