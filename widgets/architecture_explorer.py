"""`ArchitectureExplorer`: build a cell by hand and see what it is — its drawing, the size of the space it comes
from, its parameters, FLOPs and CPU latency, and its accuracy where a benchmark table knows it.

Ticking ops on and off or changing the number of nodes changes the space (`CellSpace(ops, nodes)`), and the
space's size follows: |ops| ** |edges|, with nodes * (nodes - 1) / 2 edges. Building and timing the network
takes a moment (the first FLOP count a few seconds), so it runs in a background thread after each change and
the panel stays responsive; the cheap parts (size, string) change at once."""
from __future__ import annotations

import html
import statistics
import time
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import ipywidgets as W

from minas.benchmarks import MNIST1DBench, NASBench201
from minas.benchmarks.mnist1d import OPS as MNIST1D_OPS
from minas.benchmarks.mnist1d import PROTOCOL
from minas.spaces import NB201_OPS, Cell, CellSpace
from minas.spaces.cell_net import OPS as ALL_OPS

from . import views
from .panel import Panel, classed, frame, held
from .redraw import Redrawer

PRESETS: dict[str, dict[str, Any]] = {
    "NAS-Bench-201": {"ops": NB201_OPS, "nodes": 4,
                      "network": {"input_shape": (3, 32, 32), "num_classes": 10, "channels": 16, "cells": 5}},
    "MNIST-1D": {"ops": MNIST1D_OPS, "nodes": 4,
                 "network": {"input_shape": (1, 40), "num_classes": 10, "channels": PROTOCOL["channels"],
                             "cells": PROTOCOL["cells"]}},
}
DEFAULT_OP = "nor_conv_3x3"


def measure(space: CellSpace, arch: Cell, network: dict[str, Any], runs: int = 5) -> dict[str, float]:
    """Parameters, FLOPs of one forward pass and the median CPU latency (seconds) of `runs` forward passes of
    one input, after a warm-up, of `arch`'s network (built with `network`: input_shape, num_classes, ...)."""
    import torch

    from minas.estimators.training import count_flops
    torch.manual_seed(0)
    net = space.to_module(arch, **network)
    shape = tuple(network["input_shape"])
    flops = count_flops(net, shape)                     # leaves the network in eval mode
    x = torch.zeros(1, *shape)
    times = []
    with torch.no_grad():
        net(x)
        for _ in range(runs):
            start = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - start)
    return {"params": sum(p.numel() for p in net.parameters()), "flops": flops, "latency": statistics.median(times)}


def benchmark_accuracy(benchmarks: Sequence[Any], space: CellSpace, arch: Cell) -> str:
    """What the first table built for exactly `space` says of `arch`, or why none can say it. A table also
    knows the cells of a space of some of its ops, but only its own space tells which preset's network it trained."""
    for bench in benchmarks:
        if bench.space.config() != space.config():
            continue
        try:
            row = bench.query(arch)
        except (FileNotFoundError, KeyError) as e:  # a table not built yet, or built in part
            return f"{bench!r}: {e.args[0]}"
        return f"{row['val_acc']:.2f} % validation accuracy after {bench.epochs} epochs ({bench!r})"
    known = "; ".join(f"{b!r}: {', '.join(b.space.ops)} on {b.space.nodes} nodes" for b in benchmarks)
    return f"no benchmark table knows this space (the tables know {known})"


class ArchitectureExplorer(Panel):
    """Pick the op on each edge; tick the ops of the space and choose its number of nodes; see the cell, the
    space's size, the network's parameters, FLOPs and CPU latency, and the benchmark's accuracy.

    `arch` (a `Cell` or its string) is where to start; `preset` sets ops, nodes and the network as a benchmark
    built it; `network` (input_shape, num_classes, channels, cells) overrides the preset's network; `benchmarks`
    are the tables asked for accuracy (default: NAS-Bench-201 CIFAR-10 and minas' MNIST-1D table)."""

    title = "minas architecture explorer"

    def __init__(self, arch: Any = None, *, preset: str = "NAS-Bench-201", benchmarks: Sequence[Any] | None = None,
                 latency_runs: int = 5, **network: Any):
        self.benchmarks = list(benchmarks) if benchmarks is not None else [NASBench201("cifar10"), MNIST1DBench()]
        self.latency_runs = latency_runs
        self.network: dict[str, Any] = {}
        self.measured: dict[str, Any] = {}
        self._cache: dict[tuple, dict[str, float]] = {}        # measured networks, so going back is instant
        self._quiet_depth = 0
        L, style = W.Layout, {"description_width": "initial"}
        self.preset = W.Dropdown(options=list(PRESETS), value=preset, description="preset", style=style,
                                 layout=L(width="220px"))
        self.op_boxes = {op: W.Checkbox(value=False, description=op, indent=False, layout=L(width="135px"))
                         for op in ALL_OPS}
        self.nodes = W.BoundedIntText(4, min=2, max=6, description="nodes", style=style, layout=L(width="110px"))
        self.size = W.HTML()
        self.edge_box = W.GridBox(layout=L(grid_template_columns="repeat(3, 250px)", grid_gap="4px 8px"))
        self.edges: list[W.Dropdown] = []
        self.arch_string = W.HTML()
        self.drawing = W.HTML(layout=L(width="520px", height="200px", margin="0"))
        self.measures = W.HTML(layout=L(width="480px"))
        self.message = W.HTML()
        classed((self.preset, "minas-preset"), (self.nodes, "minas-nodes"), (self.size, "minas-space-size"),
                (self.edge_box, "minas-edges"), (self.arch_string, "minas-arch-string"),
                (self.drawing, "minas-drawing"), (self.drawing, "minas-box"), (self.measures, "minas-measures"),
                (self.message, "minas-warning"), *((box, "minas-op") for box in self.op_boxes.values()))
        self.widget = frame(
            W.HBox([self.preset, self.nodes, self.size], layout=L(align_items="center", grid_gap="12px")),
            W.HBox([W.HTML("<b>ops in the space</b>"), *self.op_boxes.values()],
                   layout=L(flex_flow="row wrap", align_items="center", grid_gap="4px 8px")),
            self.message, W.HTML("<b>op on each edge</b> (source→target)"), self.edge_box, self.arch_string,
            W.HBox([self.drawing, self.measures], layout=L(flex_flow="row wrap", grid_gap="8px 12px")),
            cls="minas-explorer")
        self._measurer = Redrawer(self._measure, 0.1, name="minas-explorer-measure")
        with self._quiet():
            self._apply_preset()
            self.network.update(network)
            if arch is not None:
                self.set_arch(arch)
        self.preset.observe(lambda _: self._on_change(self._apply_preset), names="value")
        self.nodes.observe(lambda _: self._on_change(self._fit_edges), names="value")
        for box in self.op_boxes.values():
            box.observe(self._on_tick, names="value")
        self._changed()

    # --- what is chosen -------------------------------------------------------------------------
    @property
    def space(self) -> CellSpace:
        """The space of the ticked ops (in the ops' usual order) on `nodes` nodes."""
        return CellSpace([op for op, box in self.op_boxes.items() if box.value], self.nodes.value)

    @property
    def arch(self) -> Cell:
        """The cell the edge dropdowns spell."""
        return Cell(tuple(dd.value for dd in self.edges))

    def set_arch(self, arch: Any) -> None:
        """Show `arch` (a `Cell` or its string): the space takes its number of nodes and gains its ops."""
        text = str(arch)
        nodes = text.count("+") + 2
        cell = CellSpace(tuple(ALL_OPS), nodes).parse(text)
        with self._quiet():
            for op, box in self.op_boxes.items():
                box.value = box.value or op in cell.ops
            self.nodes.value = nodes
            self._fit_edges()
            for dropdown, op in zip(self.edges, cell.ops):
                dropdown.value = op
        self._changed()

    def refresh(self) -> None:
        """Measure and draw now, in this thread (tests, headless notebooks)."""
        self._measurer.poke()
        self._measurer.flush()

    def snapshot_body(self) -> str:
        return (f'<div class="minas-space-size">{self.size.value}</div>'
                f'<div class="minas-arch-string">{self.arch_string.value}</div>'
                f'<div class="row"><div class="minas-box minas-drawing" style="width:520px;height:200px">'
                f'{self.drawing.value}</div><div class="minas-measures">{self.measures.value}</div></div>')

    # --- changes (kernel thread) ----------------------------------------------------------------
    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change several widgets without each change recomputing everything."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _on_change(self, update: Any) -> None:
        if self._quiet_depth:
            return
        with self._quiet():
            update()
        self._changed()

    def _on_tick(self, change: dict) -> None:
        if self._quiet_depth:
            return
        if not any(box.value for box in self.op_boxes.values()):
            with self._quiet():
                change["owner"].value = True
            self.message.value = "a cell needs at least one op on its edges"
            return
        with self._quiet():
            self._fit_edges()
        self._changed()

    def _apply_preset(self) -> None:
        preset = PRESETS[self.preset.value]
        for op, box in self.op_boxes.items():
            box.value = op in preset["ops"]
        self.nodes.value = preset["nodes"]
        self.network = dict(preset["network"])
        self._fit_edges()

    def _fit_edges(self) -> None:
        """One dropdown per edge of the space, offering its ops; an edge keeps its op while the op is offered."""
        space = self.space
        before = {dd.description: dd.value for dd in self.edges}
        default = DEFAULT_OP if DEFAULT_OP in space.ops else space.ops[-1]
        dropdowns = []
        for i, j in space.edges:
            name = f"{j}→{i}"
            value = before.get(name) if before.get(name) in space.ops else default
            dropdowns.append(W.Dropdown(options=space.ops, value=value, description=name,
                                        style={"description_width": "36px"}, layout=W.Layout(width="240px")))
        for dd in dropdowns:
            dd.add_class("minas-edge")
            dd.observe(lambda _: self._on_change(lambda: None), names="value")
        for old in self.edges:
            old.close()
        self.edges = dropdowns
        self.edge_box.children = dropdowns

    def _changed(self) -> None:
        """The cheap views now; drawing, measures and accuracy in the background."""
        space = self.space
        with held(self.size, self.arch_string, self.message):
            self.size.value = (f"<b>{len(space.ops)}</b> ops ^ <b>{len(space.edges)}</b> edges = "
                               f"<b>{space.size:,}</b> cells")
            self.arch_string.value = f'<code class="minas-mono">{html.escape(str(self.arch))}</code>'
            self.message.value = ""
        self._measurer.poke()

    # --- measuring (background thread) ----------------------------------------------------------
    def _measure(self) -> None:
        from minas.viz import arch_svg
        try:
            space, arch, network = self.space, self.arch, dict(self.network)
            key = (space.ops, space.nodes, arch, repr(sorted(network.items())))
            if key not in self._cache:
                self._cache[key] = measure(space, arch, network, self.latency_runs)
            numbers = self._cache[key]
            accuracy = benchmark_accuracy(self.benchmarks, space, arch)
            svg = views.fit_svg(arch_svg(space, arch))
            shape = "×".join(map(str, network["input_shape"]))
            self.measured = {**numbers, "accuracy": accuracy}
            rows = (("parameters", f"{numbers['params']:,}"), ("FLOPs", f"{numbers['flops'] / 1e6:,.2f} M"),
                    ("CPU latency", f"{numbers['latency'] * 1e3:.2f} ms (median of {self.latency_runs}, batch 1)"),
                    ("benchmark", accuracy),
                    ("network", f"input {shape}, {network['num_classes']} classes, C = {network['channels']}, "
                                f"{network['cells']} cell(s) per stage"))
            table = "".join(f"<tr><td>{name}</td><td>{html.escape(value)}</td></tr>" for name, value in rows)
            with held(self.drawing, self.measures):
                self.drawing.value = svg
                self.measures.value = f'<table class="minas-table">{table}</table>'
        except Exception as e:                          # shown, never printed
            self.message.value = views.warning_html("cannot build or measure it", e)
