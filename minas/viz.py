"""Drawings and plots, with no widgets: cells as SVG (graphviz, or a plain fallback when the `dot`
program is missing) and search progress as matplotlib figures (object-oriented API, no pyplot, so
they can be drawn from a background thread and saved as PNG)."""
from __future__ import annotations

import html
import io
import math
import warnings
from typing import Any, Iterable

from .spaces.base import ArchGraph

FILL = {"input": "#c1ffc1", "node": "#add8e6", "output": "#eee8aa"}   # darkseagreen2, lightblue, palegoldenrod
_warned = False


def graph_svg(graph: ArchGraph) -> str:
    """`graph` as an inline SVG string (no XML prolog), drawn by graphviz when `dot` is installed."""
    global _warned
    import graphviz
    try:
        svg = graph.to_digraph().pipe(format="svg", encoding="utf-8")
        return svg[svg.index("<svg"):]
    except graphviz.ExecutableNotFound:
        if not _warned:
            warnings.warn("Graphviz's `dot` program is not installed, so cells are drawn with minas' plain "
                          "layout. Install it (Debian/Ubuntu: apt-get install graphviz; conda: graphviz).")
            _warned = True
        return fallback_svg(graph)


def arch_svg(space: Any, arch: Any, title: str = "") -> str:
    """The drawing of `arch` from `space`, titled."""
    graph = space.describe_graph(arch)
    return graph_svg(ArchGraph(graph.nodes, graph.edges, title or graph.title, graph.dashed))


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


def _rows(trials: Any) -> list[dict]:
    """Trial records from a DataFrame, a list of `Trial`s or a `Search`."""
    trials = getattr(trials, "trials", trials)
    if hasattr(trials, "to_dict"):
        return trials.to_dict("records")
    return [t.to_record() for t in trials]


def best_so_far(values: Iterable[float]) -> list[float]:
    """Running maximum, ignoring failed (NaN) values until the first success."""
    best, out = -math.inf, []
    for v in values:
        if v is not None and not math.isnan(v):
            best = max(best, v)
        out.append(best if best > -math.inf else math.nan)
    return out


def progress_figure(trials: Any, x: str = "index", title: str = "Search progress", figsize=(6.4, 3.6)):
    """Every trial as a dot and the best-so-far as a step line, against trial number (`x="index"`),
    cumulative simulated cost (`x="cost"`) or cumulative wall seconds (`x="wall"`)."""
    import seaborn as sns
    from matplotlib.figure import Figure
    rows = _rows(trials)
    acc = [r["val_acc"] if r["status"] == "ok" else math.nan for r in rows]
    xs = list(range(len(rows)))
    if x in ("cost", "wall"):
        xs, total = [], 0.0
        for r in rows:
            total += (r.get(x) or 0.0) if not (isinstance(r.get(x), float) and math.isnan(r[x])) else 0.0
            xs.append(total)
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    palette = sns.color_palette("deep")
    ax.scatter(xs, acc, s=14, color=palette[0], alpha=0.6, label="trial")
    failed = [xi for xi, r in zip(xs, rows) if r["status"] != "ok"]
    if failed:
        lowest = min((a for a in acc if not math.isnan(a)), default=0.0)
        ax.scatter(failed, [lowest] * len(failed), marker="x", color=palette[3], label="failed")
    ax.step(xs, best_so_far(acc), where="post", color=palette[1], linewidth=2, label="best so far")
    if x == "index":
        from matplotlib.ticker import MaxNLocator
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel({"index": "trial", "cost": "simulated cost (s)", "wall": "wall time (s)"}[x])
    ax.set_ylabel("validation accuracy (%)")
    finite = sorted(a for a in acc if not math.isnan(a))
    if len(finite) > 4:                          # zoom on the interesting top: hide the worst 10 %
        ax.set_ylim(finite[len(finite) // 10] - 0.5, finite[-1] + 0.3 * (finite[-1] - finite[len(finite) // 10]) + 0.1)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def figure_png(fig, dpi: int = 100) -> bytes:
    """A matplotlib figure as PNG bytes (for Image widgets, reports and snapshots)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
