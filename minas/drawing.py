"""Architectures drawn as SVG: by graphviz when its `dot` program is installed (laid out by `minas.layout`:
long chains wrapped, dense cells spaced), else by a plain pure-Python layout, said once. Labels are plain text
(an op called `<b>` is drawn as written, not as markup). No widgets: panels, reports and notebooks embed the SVG."""
from __future__ import annotations

import dataclasses
import html
import warnings
from typing import Any

from .spaces.base import ArchGraph

FILL = {"input": "#c1ffc1", "node": "#add8e6", "output": "#eee8aa"}   # darkseagreen2, lightblue, palegoldenrod
_warned = False


def graph_svg(graph: ArchGraph) -> str:
    """`graph` as an inline SVG string (no XML prolog), drawn by graphviz when `dot` is installed (laid out
    by `minas.layout`: long chains wrapped, dense cells spaced)."""
    global _warned
    import graphviz

    from .layout import digraph
    try:
        svg = digraph(_plain_labels(graph)).pipe(format="svg", encoding="utf-8")
        return svg[svg.index("<svg"):]
    except graphviz.CalledProcessError as e:          # dot refused a label: draw it plainly, say why
        warnings.warn(f"Graphviz could not draw {graph.title or 'a cell'!r} ({str(e)[-200:]}); "
                      "drawn with minas' plain layout instead")
        return fallback_svg(graph)
    except graphviz.ExecutableNotFound:
        if not _warned:
            warnings.warn("Graphviz's `dot` program is not installed, so cells are drawn with minas' plain "
                          "layout. Install it (Debian/Ubuntu: apt-get install graphviz; conda: graphviz).")
            _warned = True
        return fallback_svg(graph)


def _plain_labels(graph: ArchGraph) -> ArchGraph:
    """`graph` with every label marked as plain text: graphviz reads a label like `<b>` or `<x<y>`
    as an HTML-like label, and fails on it or draws markup."""
    from graphviz import nohtml
    return dataclasses.replace(graph, nodes=[(i, nohtml(label), kind) for i, label, kind in graph.nodes],
                               edges=[(src, dst, nohtml(label)) for src, dst, label in graph.edges],
                               title=nohtml(graph.title), dashed={nohtml(label) for label in graph.dashed})


def arch_svg(space: Any, arch: Any, title: str = "") -> str:
    """The drawing of `arch` from `space`, titled (`title`, else the graph's own), in the graph's direction."""
    graph = space.describe_graph(arch)
    return graph_svg(dataclasses.replace(graph, title=title or graph.title))


def fallback_svg(graph: ArchGraph) -> str:
    """A pure-Python drawing: nodes left to right, each edge an arc labelled with its op."""
    x = {node_id: 50 + 150 * k for k, (node_id, _, _) in enumerate(graph.nodes)}
    span = max(1, max((abs(x[b] - x[a]) for a, b, _ in graph.edges), default=1) / 150)
    base, width = 60 + 28 * span, 100 + 150 * (len(graph.nodes) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 30}" font-family="Helvetica" font-size="11">',
             f'<text x="{width / 2}" y="14" text-anchor="middle" font-size="13">{html.escape(graph.title)}</text>']
    for src, dst, label in graph.edges:
        x0, x1 = x[src] + 22, x[dst] - 22
        lift = 28 * (x[dst] - x[src]) / 150 - 28
        dash = ' stroke-dasharray="5,3"' if label in graph.dashed else ""
        parts.append(f'<path d="M{x0},{base} Q{(x0 + x1) / 2},{base - 2 * lift - 20} {x1},{base}" fill="none" stroke="#333"{dash}/>'
                     f'<text x="{(x0 + x1) / 2}" y="{base - lift - 14}" text-anchor="middle">{html.escape(label)}</text>')
    for node_id, label, kind in graph.nodes:
        parts.append(f'<rect x="{x[node_id] - 22}" y="{base - 12}" width="44" height="24" fill="{FILL[kind]}" stroke="#333"/>'
                     f'<text x="{x[node_id]}" y="{base + 4}" text-anchor="middle">{html.escape(label)}</text>')
    return "".join(parts) + "</svg>"
