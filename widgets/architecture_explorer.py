"""`ArchitectureExplorer`: build an architecture by hand and see what it is — its drawing, the size of the space
it comes from, its parameters, FLOPs and CPU latency, and its accuracy where a benchmark table knows it.

Any space works. A cell (the NAS-Bench-201 and MNIST-1D presets) is built with ops checkboxes, a number of nodes
and an op per edge (`CellControls`); every other space, the chain and your own (`space=`), with one dropdown per
decision that applies (`DecisionControls`), so a stage's block dropdowns appear and disappear with its depth.

The cheap views (size, string) change at once. Drawing and measuring the network takes a moment (the first FLOP
count a few seconds), so it runs in a background thread after each change, the panel stays responsive, and
until it is done the drawing and the numbers are greyed and marked "measuring …": they still show the
architecture before the change."""
from __future__ import annotations

import html
import threading
import time
from typing import Any, Sequence

import ipywidgets as W

from minas.benchmarks import MNIST1DBench, NASBench201
from minas.benchmarks.mnist1d import OPS as MNIST1D_OPS
from minas.benchmarks.mnist1d import PROTOCOL
from minas.spaces import NB201_OPS, ChainSpace, SearchSpace

from . import views
from .cell_controls import CellControls
from .decision_controls import DecisionControls
from .panel import Panel, classed, frame, held
from .redraw import Redrawer

PRESETS: dict[str, dict[str, Any]] = {
    "NAS-Bench-201": {"ops": NB201_OPS, "nodes": 4,
                      "network": {"input_shape": (3, 32, 32), "num_classes": 10, "channels": 16, "cells": 5}},
    "MNIST-1D": {"ops": MNIST1D_OPS, "nodes": 4,
                 "network": {"input_shape": (1, 40), "num_classes": 10, "channels": PROTOCOL["channels"],
                             "cells": PROTOCOL["cells"]}},
    "chain · MNIST-1D": {"space": ChainSpace, "network": {"input_shape": (1, 40), "num_classes": 10}},
    "chain · CIFAR-10": {"space": ChainSpace, "network": {"input_shape": (3, 32, 32), "num_classes": 10}},
}
STALE = "minas-stale"


def measure(space: SearchSpace, arch: Any, network: dict[str, Any], runs: int = 5) -> dict[str, float]:
    """Parameters, FLOPs of one forward pass and the median CPU latency (seconds) of `runs` forward passes of
    one input of `arch`'s network, built with `network` (input_shape, num_classes and those of the space's own
    options it names, e.g. a cell's channels)."""
    import torch

    from minas.hardware import measure as measure_network
    options = {k: v for k, v in network.items() if k in space.network_options()}
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = space.to_module(arch, input_shape=tuple(network["input_shape"]), num_classes=network["num_classes"],
                              **options)
    return measure_network(net, tuple(network["input_shape"]), runs)


def benchmark_accuracy(benchmarks: Sequence[Any], space: SearchSpace, arch: Any) -> str | None:
    """What the first table built for exactly `space` says of `arch`, or why none can say it; None for a space
    of a kind no table holds (a chain). A table also knows the cells of a space of some of its ops, but only its
    own space tells which preset's network it trained."""
    kin = [bench for bench in benchmarks if bench.space.name == space.name]
    for bench in kin:
        if bench.space.config() != space.config():
            continue
        try:
            row = bench.query(arch)
        except (FileNotFoundError, KeyError) as e:  # a table not built yet, or built in part
            return f"{bench!r}: {e.args[0]}"
        return f"{row['val_acc']:.2f} % validation accuracy after {bench.epochs} epochs ({bench!r})"
    if not kin:
        return None
    known = "; ".join(f"{b!r}: {', '.join(b.space.ops)} on {b.space.nodes} nodes" for b in kin)
    return f"no benchmark table knows this space (the tables know {known})"


def flops_text(flops: float) -> str:
    """FLOPs as people read them: 40,960 or 12.35 M."""
    return f"{flops / 1e6:,.2f} M" if flops >= 1e6 else f"{int(flops):,}"


def network_text(network: dict[str, Any]) -> str:
    """The network settings in words: input shape, classes, and the space's own options."""
    shape = "×".join(map(str, network["input_shape"]))
    rest = {k: v for k, v in network.items() if k not in ("input_shape", "num_classes")}
    if set(rest) == {"channels", "cells"}:
        return (f"input {shape}, {network['num_classes']} classes, C = {rest['channels']}, {rest['cells']} cell(s) "
                f"per stage")
    return ", ".join([f"input {shape}", f"{network['num_classes']} classes", *(f"{k} = {v}" for k, v in rest.items())])


class ArchitectureExplorer(Panel):
    """Pick each decision of an architecture by hand; see the architecture, the space's size, the network's
    parameters, FLOPs and CPU latency, and a benchmark's accuracy where one knows it.

    `arch` (an architecture or its string) is where to start; `preset` picks a space and a network (a cell as a
    benchmark built it, or the chain for MNIST-1D or CIFAR-10); `space` explores a space of your own (e.g. one
    made by `minas.spaces.define`), which joins the preset menu; `network` (input_shape, num_classes and the
    space's own options, e.g. channels and cells for a cell) overrides the preset's network; `benchmarks` are
    the tables asked for accuracy (default: NAS-Bench-201 CIFAR-10 and minas' MNIST-1D table)."""

    title = "minas architecture explorer"

    def __init__(self, arch: Any = None, *, preset: str | None = None, space: SearchSpace | None = None,
                 benchmarks: Sequence[Any] | None = None, latency_runs: int = 5, **network: Any):
        self.benchmarks = list(benchmarks) if benchmarks is not None else [NASBench201("cifar10"), MNIST1DBench()]
        self.latency_runs = latency_runs
        self.presets = {name: dict(p) for name, p in PRESETS.items()}
        if space is not None:
            preset = preset or getattr(space, "title", None) or space.name
            self.presets[preset] = {"space": space, "network": {"input_shape": getattr(space, "walk_shape", (1, 40)),
                                                                "num_classes": getattr(space, "num_classes", 10)}}
        preset = preset or "NAS-Bench-201"
        self.network: dict[str, Any] = {}
        self.measured: dict[str, Any] = {}
        self._cache: dict[tuple, dict[str, float]] = {}        # measured networks, so going back is instant
        self._version, self._lock = 0, threading.Lock()     # a change made after a measure began makes it stale
        self._decision_controls: dict[str, DecisionControls] = {}
        L, style = W.Layout, {"description_width": "initial"}
        self.preset = W.Dropdown(options=list(self.presets), value=preset, description="preset", style=style,
                                 layout=L(width="260px"))
        self.size = W.HTML()
        self.message = W.HTML()
        self.cell = CellControls(self._changed, self.message)
        self.op_boxes, self.nodes = self.cell.op_boxes, self.cell.nodes
        self.controls_box = W.Box()
        self.arch_string = W.HTML()
        self.state = W.HTML(layout=L(min_height="20px"))
        self.drawing = W.HTML(layout=L(width="520px", height="200px", margin="0"))
        self.measures = W.HTML(layout=L(width="480px"))
        classed((self.preset, "minas-preset"), (self.size, "minas-space-size"), (self.arch_string, "minas-arch-string"),
                (self.state, "minas-measure-state"), (self.drawing, "minas-drawing"), (self.drawing, "minas-box"),
                (self.measures, "minas-measures"), (self.message, "minas-warning"))
        self.widget = frame(
            W.HBox([self.preset, self.size], layout=L(align_items="center", grid_gap="12px")),
            self.controls_box, self.message, self.arch_string, self.state,
            W.HBox([self.drawing, self.measures], layout=L(flex_flow="row wrap", grid_gap="8px 12px")),
            cls="minas-explorer")
        self._measurer = Redrawer(self._measure, 0.1, name="minas-explorer-measure")
        self._apply_preset()
        self.network.update(network)
        if arch is not None:
            self.set_arch(arch)
        self.preset.observe(lambda _: self._on_preset(), names="value")
        self._changed()

    # --- what is chosen -------------------------------------------------------------------------
    @property
    def controls(self) -> CellControls | DecisionControls:
        """The controls of the preset shown: the cell's, or one dropdown per decision."""
        return self.cell if "space" not in self.presets[self.preset.value] else self._decisions()

    @property
    def space(self) -> SearchSpace:
        """The space explored: for a cell, the ticked ops on `nodes` nodes."""
        return self.controls.space

    @property
    def arch(self) -> Any:
        """The architecture the controls spell."""
        return self.controls.arch

    @property
    def edges(self) -> list[W.Dropdown]:
        """A cell's edge dropdowns (empty for other spaces)."""
        return self.cell.edges if self.controls is self.cell else []

    @property
    def decisions(self) -> dict[str, W.Dropdown]:
        """The dropdowns of the decisions that apply, by name (empty for a cell)."""
        controls = self.controls
        return {} if controls is self.cell else {name: controls.dropdowns[name] for name in controls.shown}

    def set_arch(self, arch: Any) -> None:
        """Show `arch` (an architecture of the preset's space, or its string; a cell's space takes its number of
        nodes and gains its ops)."""
        self.controls.set_arch(arch)
        self._changed()

    def refresh(self) -> None:
        """Draw and measure now, in this thread (tests, headless notebooks)."""
        self._measurer.poke()
        self._measurer.flush()

    def snapshot_body(self) -> str:
        return (f'<div class="minas-space-size">{self.size.value}</div>'
                f'<div class="minas-arch-string">{self.arch_string.value}</div>'
                f'<div class="row"><div class="minas-box minas-drawing" style="width:520px;height:200px">'
                f'{self.drawing.value}</div><div class="minas-measures">{self.measures.value}</div></div>')

    # --- changes (kernel thread) ----------------------------------------------------------------
    def _decisions(self) -> DecisionControls:
        """The decision controls of the preset shown, made on first use and kept (with their values)."""
        name = self.preset.value
        if name not in self._decision_controls:
            space = self.presets[name]["space"]
            space = space() if isinstance(space, type) else space
            self._decision_controls[name] = DecisionControls(space, self._changed)
        return self._decision_controls[name]

    def _on_preset(self) -> None:
        self._apply_preset()
        self._changed()

    def _apply_preset(self) -> None:
        preset = self.presets[self.preset.value]
        if "space" not in preset:
            self.cell.set_space(preset["ops"], preset["nodes"])
        self.network = dict(preset["network"])
        self.controls_box.children = [self.controls.widget]

    def _changed(self) -> None:
        """The cheap views now, the old drawing and numbers marked stale; drawing and measuring in the
        background."""
        with self._lock:
            self._version += 1
        arch = self.arch
        wide = self.controls is self.cell and self.nodes.value >= 5     # ten edges and more need room
        with held(self.size, self.arch_string, self.message, self.state, self.drawing, self.measures):
            self.size.value = self.controls.size_html()
            self.arch_string.value = f'<code class="minas-mono">{html.escape(str(arch))}</code>'
            self.message.value = ""
            self.state.value = f'<span class="minas-help">measuring {html.escape(str(arch))} …</span>'
            self.drawing.layout.width, self.drawing.layout.height = ("1040px", "300px") if wide else ("520px", "200px")
            for view in (self.drawing, self.measures):
                view.add_class(STALE)
        self._measurer.poke()

    # --- drawing and measuring (background thread) ----------------------------------------------
    def _fresh(self, version: int) -> bool:
        with self._lock:
            return version == self._version

    def _measure(self) -> None:
        from minas.drawing import arch_svg
        with self._lock:
            version = self._version
            space, arch, network = self.space, self.arch, dict(self.network)
        try:
            svg = views.fit_svg(arch_svg(space, arch))
            if self._fresh(version):
                self.drawing.value = svg
                self.drawing.remove_class(STALE)
            start = time.perf_counter()
            key = (repr(space.config()), str(arch), repr(sorted(network.items())))
            if key not in self._cache:
                self._cache[key] = measure(space, arch, network, self.latency_runs)
            numbers = self._cache[key]
            accuracy = benchmark_accuracy(self.benchmarks, space, arch)
            rows = [("parameters", f"{numbers['params']:,}"), ("FLOPs", flops_text(numbers["flops"])),
                    ("CPU latency", f"{numbers['latency'] * 1e3:.2f} ms (median of {self.latency_runs}, batch 1)"),
                    *([("benchmark", accuracy)] if accuracy is not None else []), ("network", network_text(network))]
            table = "".join(f"<tr><td>{name}</td><td>{html.escape(value)}</td></tr>" for name, value in rows)
            if self._fresh(version):
                self.measured = {**numbers, "accuracy": accuracy}
                with held(self.measures, self.state):
                    self.measures.value = f'<table class="minas-table">{table}</table>'
                    self.measures.remove_class(STALE)
                    self.state.value = (f'<span class="minas-help">measured in {time.perf_counter() - start:.2f} s'
                                        f'</span>')
        except Exception as e:                          # shown, never printed
            if self._fresh(version):
                with held(self.message, self.state):
                    self.message.value = views.warning_html("cannot build or measure it", e)
                    self.state.value = ""
