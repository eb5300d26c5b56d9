"""`CellControls`: build a NAS-Bench-201-style cell by hand — tick the ops of the space, choose its number of
nodes, pick the op on each edge. A part of `ArchitectureExplorer` (its cell presets).

Ticking ops or changing the nodes changes the space (`CellSpace(ops, nodes)`) and its size: |ops| ** |edges|,
with nodes * (nodes - 1) / 2 edges; an edge keeps its op while the op is still offered."""
from __future__ import annotations

import html
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import ipywidgets as W

from minas.spaces import Cell, CellSpace
from minas.spaces.cell_net import OPS as ALL_OPS

from .panel import classed, held

DEFAULT_OP = "nor_conv_3x3"


class CellControls:
    """The ops checkboxes, the nodes box and one dropdown per edge; `on_change()` runs after every change the
    user makes (not after changes made in code), `widget` holds them all; `message` (the panel's) says why a
    change was refused."""

    def __init__(self, on_change: Callable[[], None], message: W.HTML):
        self.on_change, self.message = on_change, message
        self._quiet_depth = 0
        L, style = W.Layout, {"description_width": "initial"}
        self.op_boxes = {op: W.Checkbox(value=False, description=op, indent=False, layout=L(width="135px"))
                         for op in ALL_OPS}
        self.nodes = W.BoundedIntText(4, min=2, max=6, description="nodes", style=style, layout=L(width="110px"))
        self.edge_box = W.GridBox(layout=L(grid_template_columns="repeat(3, 250px)", grid_gap="4px 8px"))
        self.edges: list[W.Dropdown] = []
        classed((self.nodes, "minas-nodes"), (self.edge_box, "minas-edges"),
                *((box, "minas-op") for box in self.op_boxes.values()))
        self.widget = W.VBox([
            W.HBox([W.HTML("<b>ops in the space</b>"), *self.op_boxes.values(), self.nodes],
                   layout=L(flex_flow="row wrap", align_items="center", grid_gap="4px 8px")),
            W.HTML("<b>op on each edge</b> (source→target)"), self.edge_box])
        self.nodes.observe(lambda _: self._changed(self.fit_edges), names="value")
        for box in self.op_boxes.values():
            box.observe(self._on_tick, names="value")

    # --- what is chosen -------------------------------------------------------------------------
    @property
    def space(self) -> CellSpace:
        """The space of the ticked ops (in the ops' usual order) on `nodes` nodes."""
        return CellSpace([op for op, box in self.op_boxes.items() if box.value], self.nodes.value)

    @property
    def arch(self) -> Cell:
        """The cell the edge dropdowns spell."""
        return Cell(tuple(dd.value for dd in self.edges))

    def set_space(self, ops: Any, nodes: int) -> None:
        """Tick exactly `ops`, set `nodes`, fit the edges (no `on_change`)."""
        with self.quiet():
            for op, box in self.op_boxes.items():
                box.value = op in ops
            self.nodes.value = nodes
            self.fit_edges()

    def set_arch(self, arch: Any) -> None:
        """Show `arch` (a `Cell` or its string): the space takes its number of nodes and gains its ops."""
        text = str(arch)
        nodes = text.count("+") + 2
        cell = CellSpace(tuple(ALL_OPS), nodes).parse(text)
        with self.quiet():
            for op, box in self.op_boxes.items():
                box.value = box.value or op in cell.ops
            self.nodes.value = nodes
            self.fit_edges()
            for dropdown, op in zip(self.edges, cell.ops):
                dropdown.value = op

    def size_html(self) -> str:
        space = self.space
        return f"<b>{len(space.ops)}</b> ops ^ <b>{len(space.edges)}</b> edges = <b>{space.size:,}</b> cells"

    # --- changes --------------------------------------------------------------------------------
    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Change several widgets without each change calling `on_change`."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _changed(self, update: Callable[[], None]) -> None:
        if self._quiet_depth:
            return
        with self.quiet():
            update()
        self.on_change()

    def _on_tick(self, change: dict) -> None:
        if self._quiet_depth:
            return
        if not any(box.value for box in self.op_boxes.values()):
            with self.quiet():
                change["owner"].value = True
            self.message.value = html.escape("a cell needs at least one op on its edges")
            return
        self._changed(self.fit_edges)

    def fit_edges(self) -> None:
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
            dd.observe(lambda _: self._changed(lambda: None), names="value")
        with held(self.edge_box):
            for old in self.edges:
                old.close()
            self.edges = dropdowns
            self.edge_box.children = dropdowns
