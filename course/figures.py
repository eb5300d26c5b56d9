"""Lecture figures drawn by minas itself, as SVG (for slides that scale) and PNG (for everything else):

    python -m course.figures                 # into course/figures/
    python -m course.figures slides/img      # anywhere else

* `cell` — the ResNet block as a NAS-Bench-201 cell, in the DARTS drawing style (notebook 01);
* `chain` — a MobileNet-like chain from `minas.spaces.ChainSpace` (MnasNet's space, scaled down);
* `supernet` — the same cell as a supernet: every op on every edge, one colour per op (notebooks 09 and 10);
  `supernet_graph(space, alphas)` draws a trained one, each op as thick as its weight (e.g. from
  `DartsMonitor.history[-1]["alphas"]`);
* `successive_halving` — one bracket on minas' MNIST-1D table: 9 cells for 1 epoch, the best 3 for 3, the best
  for 10, with their real learning curves (notebook 07);
* `pareto_front` — accuracy against parameters of the table's 871 distinct networks, front drawn (notebook 11).

Everything comes from the shipped tables and seeds, so the figures are the same on every machine. Drawings need
Graphviz's `dot` for PNG (without it the cell and supernet are written as minas' plain SVG only).
"""
from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path
from typing import Any, Callable

import minas
from minas.viz import fallback_svg, new_figure, pareto_figure

HERE = Path(__file__).resolve().parent
RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
OP_COLOURS = {"none": "#bbbbbb", "skip_connect": "#009E73", "nor_conv_1x1": "#E69F00", "nor_conv_3x3": "#0072B2",
              "avg_pool_3x3": "#CC79A7", "conv_1x1": "#E69F00", "conv_3x3": "#0072B2"}


def supernet_graph(space: Any, alphas: dict[str, dict[str, float]] | None = None, title: str = ""):
    """A `graphviz.Digraph` of `space`'s cell as a supernet: on every edge j -> i one arrow per op, coloured per
    op (`none` dotted), as thick as its weight in `alphas` ({"j->i": {op: weight}}; default: all equal, the
    supernet before training), with a legend of the ops."""
    import graphviz
    g = graphviz.Digraph(graph_attr={"rankdir": "LR", "fontname": "Helvetica", "labelloc": "t", "nodesep": "0.6",
                                     "label": title or "A supernet: every op on every edge, mixed by its weight"},
                         node_attr={"style": "filled", "shape": "rect", "fontname": "Helvetica"})
    last = space.nodes - 1
    for i in range(space.nodes):
        kind = "darkseagreen2" if i == 0 else "palegoldenrod" if i == last else "lightblue"
        g.node(str(i), {0: "in", last: "out"}.get(i, str(i)), fillcolor=kind)
    for i, j in space.edges:
        weights = (alphas or {}).get(f"{j}->{i}") or {op: 1 / len(space.ops) for op in space.ops}
        for op in space.ops:
            width = 0.6 + 6 * weights.get(op, 0.0)
            g.edge(str(j), str(i), color=OP_COLOURS.get(op, "#333333"), penwidth=f"{width:.2f}", arrowsize="0.5",
                   style="dotted" if op == "none" else "solid")
    legend = "".join(f'<TR><TD BGCOLOR="{OP_COLOURS.get(op, "#333333")}" WIDTH="18"></TD><TD ALIGN="LEFT">{op}</TD></TR>'
                     for op in space.ops)
    g.node("legend", f'<<TABLE BORDER="0" CELLSPACING="2">{legend}</TABLE>>', shape="plaintext", style="")
    return g


def cell() -> Any:
    space = minas.spaces.CellSpace()
    return dataclasses.replace(space.describe_graph(space.parse(RESNET)), title="A NAS-Bench-201 cell: the ResNet block")


def chain() -> Any | None:
    """A MobileNet-like chain, drawn from a seeded sample of `ChainSpace` (None in a minas without it)."""
    chain_space = getattr(minas.spaces, "ChainSpace", None)
    if chain_space is None:
        return None
    space = chain_space()
    graph = space.describe_graph(space.sample(random.Random(0)))
    return dataclasses.replace(graph, title=graph.title or "A MobileNet-like chain: per block a kernel k and an expansion e, "
                                                            "per stage a width, a depth and squeeze-excite (SE)")


def supernet() -> Any:
    return supernet_graph(minas.spaces.CellSpace())


def successive_halving() -> Any:
    """One bracket (1 to 10 epochs, eta = 3) on 9 random cells of the MNIST-1D table: each rung a column, each
    cell a dot at its accuracy after the rung's epochs, lines joining the promoted cells' dots."""
    from minas.palette import strategy_colour
    from minas.strategies import SuccessiveHalving
    bench = minas.benchmarks.MNIST1DBench()
    budgets, sizes = SuccessiveHalving(min_budget=1, max_budget=10, eta=3).shape(2)
    rung = random.Random(3).sample(list(bench.space.enumerate()), sizes[0])
    fig = new_figure((6.4, 3.8))
    ax = fig.add_subplot()
    colour, last = strategy_colour("successive halving"), {}
    for k, budget in enumerate(budgets):
        acc = {c: bench.query(c, epochs=budget)["val_acc"] for c in rung}
        keep = sorted(rung, key=lambda c: -acc[c])[:sizes[k + 1] if k + 1 < len(sizes) else 1]
        for c in rung:
            if c in last:
                ax.plot([k - 1, k], [last[c], acc[c]], color=colour, lw=1.2, zorder=2)
            ax.plot([k], [acc[c]], marker="o" if c in keep else "X", ms=7, zorder=3,
                    color=colour if c in keep else "#999999")
        last, rung = {c: acc[c] for c in keep}, keep
    ax.set_xticks(range(len(budgets)), [f"rung {k}\n{n} cell{'s' * (n > 1)} × {b} epoch{'s' * (b > 1)}"
                                        for k, (n, b) in enumerate(zip(sizes, budgets))])
    ax.set_xlim(-0.4, len(budgets) - 0.6)
    ax.set_ylabel("validation accuracy (%)")
    ax.grid(alpha=0.3, axis="y")
    ax.set_title("Successive halving, η = 3: the best third of each rung trains 3× longer\n"
                 "(minas' MNIST-1D table; grey × = dropped)", fontsize=10)
    return fig


def pareto_front() -> Any:
    import pandas as pd
    bench = minas.benchmarks.MNIST1DBench()
    distinct = {}
    for c in bench.space.enumerate():
        distinct.setdefault(bench.space.canonical(c), c)
    frame = pd.DataFrame([{"arch": str(c), **{k: bench.query(c)[k] for k in ("val_acc", "params")}}
                          for c in distinct.values()])
    return pareto_figure(frame[frame["val_acc"] > 90], "params",
                         title="Accuracy against size: the Pareto front of minas' MNIST-1D table")


FIGURES: dict[str, Callable[[], Any]] = {"cell": cell, "chain": chain, "supernet": supernet,
                                         "successive_halving": successive_halving, "pareto_front": pareto_front}


def write(name: str, figure: Any, out: Path) -> list[Path]:
    """`figure` (an ArchGraph, a graphviz Digraph or a matplotlib Figure) as out/name.svg and out/name.png."""
    import graphviz
    paths = [out / f"{name}.svg", out / f"{name}.png"]
    if hasattr(figure, "savefig"):
        import matplotlib
        with matplotlib.rc_context({"svg.hashsalt": "minas"}):   # fixed ids and no date: the same figure, the same file
            for path in paths:
                figure.savefig(path, dpi=150, metadata={"Date": None} if path.suffix == ".svg" else None)
        return paths
    digraph = figure.to_digraph() if hasattr(figure, "to_digraph") else figure
    try:
        svg = digraph.pipe(format="svg", encoding="utf-8")
        paths[0].write_text(svg[svg.index("<svg"):], encoding="utf-8")
        paths[1].write_bytes(digraph.pipe(format="png"))
    except graphviz.ExecutableNotFound:
        if not hasattr(figure, "to_digraph"):
            print(f"{name}: needs Graphviz's `dot` (apt-get install graphviz); skipped", file=sys.stderr)
            return []
        paths[0].write_text(fallback_svg(figure), encoding="utf-8")
        return paths[:1]
    return paths


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(prog="python -m course.figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=str(HERE / "figures"), help="folder to write into")
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIGURES.items():
        figure = make()
        if figure is None:
            print(f"{name}: minas has no ChainSpace yet; skipped", file=sys.stderr)
            continue
        written += write(name, figure, out)
    for path in written:
        print(path)
    return written


if __name__ == "__main__":
    main()
