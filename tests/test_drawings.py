"""Architecture drawings keep the direction their space gives them, and long chains wrap into rows (or columns)
that fit a panel's box (minas.layout, minas.drawing.arch_svg)."""
import re

import pytest
import torch.nn as nn

from minas.layout import per_row
from minas.spaces import ArchGraph, ChainSpace, define
from minas.drawing import arch_svg


def centres(svg: str) -> dict[str, tuple[float, float]]:
    """Each node's label position (x, y; y grows downwards) in a graphviz SVG, by node id."""
    found = {}
    for m in re.finditer(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>.*?<text[^>]*x="([-\d.]+)" '
                         r'y="([-\d.]+)"', svg, re.S):
        found[m[1]] = (float(m[2]), float(m[3]))
    return found


class Drawn:
    """A stand-in space whose every architecture draws as `graph`."""

    def __init__(self, graph):
        self.graph = graph

    def describe_graph(self, arch):
        return self.graph


def chain(n: int, rankdir: str) -> ArchGraph:
    nodes = [(f"n{k}", f"layer {k}", "input" if k == 0 else "output" if k == n - 1 else "node") for k in range(n)]
    return ArchGraph(nodes, [(a[0], b[0], "") for a, b in zip(nodes, nodes[1:])], "a chain", rankdir=rankdir)


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_short_chain_keeps_its_direction(rankdir):
    at = centres(arch_svg(Drawn(chain(5, rankdir)), None, "titled"))
    xs, ys = [at[f"n{k}"][0] for k in range(5)], [at[f"n{k}"][1] for k in range(5)]
    along, across = (xs, ys) if rankdir == "LR" else (ys, xs)
    assert along == sorted(along) and len(set(along)) == 5 and len(set(across)) == 1


def test_a_long_chain_is_wrapped_into_rows_read_left_to_right():
    space = ChainSpace()
    arch = space.make(lambda d: d.options[-1])                      # 3 stages of 3 blocks: 12 nodes in all
    svg = arch_svg(space, arch)
    at = centres(svg)
    ids = [node_id for node_id, _, _ in space.describe_graph(arch).nodes]
    size = per_row(len(ids))
    rows = [ids[k:k + size] for k in range(0, len(ids), size)]
    assert size == 4 and len(rows) == 3
    for row in rows:
        assert len({at[i][1] for i in row}) == 1                     # one row ...
        assert [at[i][0] for i in row] == sorted(at[i][0] for i in row)   # ... read left to right
    assert [at[row[0]][1] for row in rows] == sorted(at[row[0]][1] for row in rows)   # rows go down
    assert len({round(at[row[0]][0]) for row in rows}) == 1          # and start at the same place
    width, height = (float(v) for v in re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    assert width / height < 4                                        # one line would be 15 times wider than tall


def test_a_long_declared_network_drawn_top_to_bottom_wraps_into_columns():
    def build(hp, input_shape, num_classes):
        layers = [nn.Flatten()]
        for i in range(hp.choice("depth", [6, 12])):
            layers += [nn.LazyLinear(8), nn.ReLU()]
        return nn.Sequential(*layers, nn.LazyLinear(num_classes))

    space = define(build)
    arch = space.parse("depth=12")
    graph = space.describe_graph(arch)
    assert graph.rankdir == "TB" and len(graph.nodes) == 28
    at = centres(arch_svg(space, arch))
    ids = [node_id for node_id, _, _ in graph.nodes]
    size = per_row(len(ids))
    columns = [ids[k:k + size] for k in range(0, len(ids), size)]
    for column in columns:
        assert len({at[i][0] for i in column}) == 1 and [at[i][1] for i in column] == sorted(at[i][1] for i in column)
    assert [at[c[0]][0] for c in columns] == sorted(at[c[0]][0] for c in columns)   # columns go right
