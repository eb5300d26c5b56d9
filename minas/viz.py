"""Drawings and plots, with no widgets: cells as SVG (graphviz, or a plain fallback when the `dot`
program is missing); search progress, Pareto fronts, strategy comparisons and one-shot architecture
weights as matplotlib figures (object-oriented API, no pyplot, so they can be drawn from a background
thread and saved as PNG). A figure ending a notebook cell shows as an image, with or without
`%matplotlib inline` (`new_figure`); every strategy keeps its colour (`minas.palette`)."""
from __future__ import annotations

import dataclasses
import functools
import html
import io
import math
import re
import warnings
from typing import Any, Iterable

from .palette import strategy_style
from .spaces.base import ArchGraph

EDGE = re.compile(r"^\d+->\d+$")                                     # a cell's decisions: its edges
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


@functools.lru_cache(maxsize=None)
def _figure_class() -> type:
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        """A matplotlib Figure that Jupyter shows as a PNG on its own. Without pyplot no backend registers
        a display formatter, and a plain Figure ending a cell shows as `<Figure size 650x380 ...>`."""

        def _repr_png_(self) -> bytes:
            return figure_png(self)
    return NotebookFigure


def new_figure(figsize: tuple[float, float], dpi: int = 100, layout: str | None = "constrained"):
    """An empty figure (constrained layout unless told otherwise) that a notebook cell shows as an image when it
    ends in it."""
    return _figure_class()(figsize=figsize, dpi=dpi, layout=layout)


def blank(ax: Any, message: str) -> None:
    """An axes with nothing to plot yet: the message in its middle and no ticks (an empty axes would show
    matplotlib's meaningless default range, -0.05 to 0.05)."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#888")


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
    rows = _rows(trials)
    acc = [r["val_acc"] if r["status"] == "ok" else math.nan for r in rows]
    xs = list(range(len(rows)))
    if x in ("cost", "wall"):
        xs, total = [], 0.0
        for r in rows:
            total += (r.get(x) or 0.0) if not (isinstance(r.get(x), float) and math.isnan(r[x])) else 0.0
            xs.append(total)
    fig = new_figure(figsize)
    ax = fig.add_subplot()
    ax.set_title(title)
    if not any(not math.isnan(a) for a in acc):
        blank(ax, "no successful trial yet" if rows else "no trials yet")
        return fig
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
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def figure_png(fig, dpi: int = 100) -> bytes:
    """A matplotlib figure as PNG bytes (for Image widgets, reports and snapshots)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


AXIS_LABELS = {"params": "parameters", "flops": "FLOPs (one forward pass)", "latency": "latency (s)",
               "cost": "simulated training cost (s)", "val_acc": "validation accuracy (%)"}


def pareto_figure(frame: Any, x: str, y: str = "val_acc", selected: Any = None, title: str = "",
                  figsize=(6.4, 3.8)):
    """Every row of `frame` as a grey dot, the non-dominated front (least `x`, most `y`) as a coloured
    staircase, and the row labelled `selected` (an index label of `frame`) ringed and annotated. A
    logarithmic x axis when `x` spans more than a factor of 20."""
    import numpy as np
    import seaborn as sns

    from .analysis import pareto_front
    fig = new_figure(figsize)
    ax = fig.add_subplot()
    xs, ys = frame[x].to_numpy(dtype=float), frame[y].to_numpy(dtype=float)
    finite = np.isfinite(xs) & np.isfinite(ys)
    ax.set_xlabel(AXIS_LABELS.get(x, x))
    ax.set_ylabel(AXIS_LABELS.get(y, y))
    if not finite.any():
        blank(ax, f"no {AXIS_LABELS.get(x, x)} in these trials")
        ax.set_title(title or "Pareto front")
        return fig
    palette = sns.color_palette("deep")
    front = pareto_front(frame, x, y)
    ax.scatter(xs[finite], ys[finite], s=12, color="#bbbbbb", label="dominated")
    fx, fy = front[x].to_numpy(dtype=float), front[y].to_numpy(dtype=float)
    ax.step(fx, fy, where="post", color=palette[0], linewidth=1.5)
    ax.scatter(fx, fy, s=26, color=palette[0], zorder=3, label=f"front ({len(front)})")
    if selected is not None and selected in frame.index:
        sx, sy = float(frame.at[selected, x]), float(frame.at[selected, y])
        ax.scatter([sx], [sy], s=160, facecolors="none", edgecolors=palette[3], linewidths=2, zorder=4,
                   label="selected")
        ax.annotate(str(selected), (sx, sy), textcoords="offset points", xytext=(8, -12), color=palette[3])
    if np.nanmin(xs[finite]) > 0 and np.nanmax(xs[finite]) / np.nanmin(xs[finite]) > 20:
        ax.set_xscale("log")
    ax.set_title(title or f"{len(front)} of {int(finite.sum())} architectures on the front")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def _curve_inputs(group: Any) -> list[tuple[list[float], list[float]]]:
    """(accuracies, costs) of each run of one strategy, failed trials as NaN accuracy and no cost."""
    pairs = []
    for run in group:
        rows = _rows(run)
        pairs.append(([r["val_acc"] if r["status"] == "ok" else math.nan for r in rows],
                      [(r.get("cost") or 0.0) if r["status"] == "ok" else 0.0 for r in rows]))
    return pairs


def zoomed_ylim(curves: Iterable[dict]) -> tuple[float, float] | None:
    """The y range where best-so-far curves differ at the end, which is what a comparison asks about: from the
    lowest mean (less its SE) over the second half of the evaluations to the highest mean plus its SE, with a
    margin. The first half (random starts, 1-epoch scores of multi-fidelity methods) falls below it; draw with
    zoom=False to see it. None when there is no curve."""
    import numpy as np
    lows, highs = [], []
    for c in curves:
        mean, se = np.asarray(c["mean"], dtype=float), np.nan_to_num(np.asarray(c["se"], dtype=float))
        if len(mean):
            start = len(mean) // 2
            lows.append(np.nanmin((mean - se)[start:]))
            highs.append(np.nanmax(mean + se))
    if not lows or not np.isfinite(min(lows)) or not np.isfinite(max(highs)):
        return None
    low, high = float(min(lows)), float(max(highs))
    pad = max(0.05, 0.08 * (high - low))
    return low - pad, high + pad


def comparison_figure(runs: Any, figsize=(11.0, 4.0), zoom: bool = True):
    """Mean best-so-far accuracy of several strategies as step functions against the number of evaluations
    (left) and against simulated time on a log axis (right), each strategy in its own colour (`palette`).
    `runs` maps a strategy's name to its runs, each a trials DataFrame, a list of `Trial`s or a `Search`; the
    legend gives n runs. A band of ± one standard error is drawn where a strategy has several runs (one run
    has no error to show). `zoom=True` sets the y axis to where the curves differ (`zoomed_ylim`);
    `zoom=False` shows the whole climb, from the first random draws on."""
    from matplotlib.ticker import NullFormatter

    from .analysis import best_so_far_curves
    fig = new_figure(figsize)
    by_evals, by_cost = fig.subplots(1, 2, sharey=True)
    drawn, counts = [], []
    for name, group in runs.items():
        pairs = _curve_inputs(group)
        for ax, by in ((by_evals, "evaluations"), (by_cost, "cost")):
            curve = best_so_far_curves(pairs, by=by)
            if not len(curve["x"]):
                continue
            style = strategy_style(name)
            ax.step(curve["x"], curve["mean"], where="post", label=f"{name} (n = {curve['n']})", **style)
            if curve["n"] > 1:
                ax.fill_between(curve["x"], curve["mean"] - curve["se"], curve["mean"] + curve["se"], step="post",
                                color=style["color"], alpha=0.18, linewidth=0)
            if by == "evaluations":
                drawn.append(curve)
                counts.append(curve["n"])
    by_evals.set_xlabel("evaluations")
    by_evals.set_ylabel("best validation accuracy so far (%)")
    by_cost.set_xlabel("simulated time (s, log scale)")
    if not drawn:
        for ax in (by_evals, by_cost):
            blank(ax, "no runs yet")
        fig.suptitle("Mean best so far")
        return fig
    by_cost.set_xscale("log")
    by_cost.xaxis.set_minor_formatter(NullFormatter())      # within one decade they would overlap
    for ax in (by_evals, by_cost):
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    limits = zoomed_ylim(drawn) if zoom else None
    if limits is not None:
        by_evals.set_ylim(*limits)
    band = "± 1 standard error" if max(counts) > 1 else "(one run each: no error band)"
    view = "y axis zoomed to where the curves differ" if limits is not None else "full range"
    fig.suptitle(f"Mean best so far {band} — {view}")
    return fig


def alphas_figure(history: Any, epochs: Any = None, figsize=None):
    """One small heatmap per decision of a one-shot strategy's architecture weights over the epochs: the
    decision's options as rows, epochs as columns, one colour scale (0 to 1: the weights are softmaxed per
    decision) for all. `history` holds one `{decision: {option: weight}}` per epoch (a cell's decisions are
    its edges, "j->i", titled "edge j->i"; a chain's have two or three options each); `epochs` numbers them
    (default 1, 2, ...)."""
    import numpy as np
    from matplotlib.ticker import MaxNLocator
    names = list(history[0]) if history else []
    options = {name: list(history[0][name]) for name in names}
    edges = all(EDGE.match(name) for name in names)
    epochs = list(epochs) if epochs is not None else list(range(1, len(history) + 1))
    cols = min(3 if len(names) <= 9 else 6, max(1, len(names)))
    rows = max(1, -(-len(names) // cols))
    heights = [max((len(options[n]) for n in names[r * cols:(r + 1) * cols]), default=1) for r in range(rows)]
    size = figsize or ((3.3 if cols <= 3 else 2.2) * cols + 1.2, 0.3 * sum(heights) + 0.9 * rows + 0.6)
    few = len(names) <= 9              # many small axes: a fixed layout, three times faster than a constrained one
    fig = new_figure(size, layout="constrained" if few else None)
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False, gridspec_kw={"height_ratios": heights}).ravel()
    if not few:
        fig.subplots_adjust(left=0.05, right=0.9, bottom=0.6 / size[1], top=1 - 0.7 / size[1], wspace=0.45,
                            hspace=0.9)
    image = None
    for ax, name in zip(axes, names):
        grid = np.array([[alphas[name].get(option, np.nan) for alphas in history] for option in options[name]])
        image = ax.imshow(grid, aspect="auto", vmin=0.0, vmax=1.0, cmap="viridis", interpolation="nearest",
                          extent=(epochs[0] - 0.5, epochs[-1] + 0.5, len(options[name]) - 0.5, -0.5))
        ax.set_title(f"edge {name}" if edges else name, fontsize=9)
        ax.set_yticks(range(len(options[name])), options[name], fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.tick_params(axis="x", labelsize=8)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    for ax in axes[max(0, len(names) - cols):len(names)]:         # the lowest of each column
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.set_xlabel("epoch", fontsize=8)
    what = "edge" if edges else "decision"
    if image is not None:
        where = ({"ax": list(axes[:len(names)]), "shrink": 0.9} if few
                 else {"cax": fig.add_axes((0.92, 0.2, 0.01, 0.6))})
        fig.colorbar(image, label=f"weight (softmax per {what})", **where)
    else:
        axes[0].text(0.5, 0.5, "no supernet epoch yet", ha="center", va="center", transform=axes[0].transAxes,
                     color="#888")
        axes[0].set_axis_off()
    fig.suptitle(f"Architecture weights per {what} over the epochs", fontsize=11)
    return fig
