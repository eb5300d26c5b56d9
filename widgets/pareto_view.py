"""`ParetoView`: accuracy against a cost (parameters, FLOPs or latency), the non-dominated front drawn, live from
a search's events or from a trials table; pick a point of the front to see its architecture.

A click on a PNG carries no coordinates in ipywidgets, so the front's points are also a list, ordered along the
front from the cheapest to the most accurate: choosing one rings it in the plot and draws its architecture (of
any space: a cell, a chain, a declared network). The space is the followed search's; a trials table names none,
so drawing its architectures needs `space=`."""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from minas.analysis import pareto_front
from minas.search import Search

from . import views
from .panel import Panel, RowSelect, classed, frame, held
from .redraw import Redrawer

OBJECTIVES = {"params": "parameters", "flops": "FLOPs", "latency": "latency"}
ENDS = ("search_finished", "search_stopped", "search_failed")


def point_label(label: Any, row: Any, x: str) -> str:
    """One point of the front in words: its cost, its accuracy, which trial it is (or its label)."""
    value = row[x]
    cost = {"params": lambda v: f"{views.fmt_params(v)} params", "flops": lambda v: f"{v / 1e6:,.1f} MFLOPs",
            "latency": lambda v: f"{v * 1e3:.2f} ms"}.get(x, lambda v: f"{x} {v:.4g}")(value)
    name = f"trial {row['index']}" if "index" in row else str(label)
    return f"{cost} · {row['val_acc']:.2f} % · {name}"


class ParetoView(Panel):
    """`ParetoView(source)`: `source` is a `Search` or a `SearchPanel` (followed live, through its events) or a
    trials DataFrame (columns val_acc, arch and the costs; e.g. `result.trials`). `space` parses the arch
    strings of a DataFrame to draw them (e.g. `CellSpace()`, `ChainSpace()`); without it the front is listed and
    a picked point shows its string, undrawn."""

    title = "minas Pareto front"

    def __init__(self, source: Any = None, *, x: str = "params", space: Any = None, redraw_hz: float = 2.0):
        self.space = space
        self._search: Any = None
        self._frame: Any = None
        L = W.Layout
        self.x = W.Dropdown(options=[(label, key) for key, label in OBJECTIVES.items()], value=x,
                            description="accuracy against", style={"description_width": "initial"},
                            layout=L(width="260px"))
        self.plot = W.Image(format="png", layout=L(width="600px", height="356px", object_fit="contain"))
        self._front = RowSelect(self._on_pick, rows=12, layout=L(width="420px"))
        self.front = self._front.widget
        self.drawing = W.HTML(views.fit_svg("", "choose a point of the front"),
                              layout=L(width="420px", height="166px", margin="0"))
        self.details = W.HTML(layout=L(width="420px"))
        self.note = W.HTML()
        classed((self.x, "minas-pareto-x"), (self.plot, "minas-pareto-plot"), (self.front, "minas-pareto-front"),
                (self.front, "minas-trial-table"), (self.drawing, "minas-selected"), (self.drawing, "minas-box"),
                (self.details, "minas-selected-details"), (self.note, "minas-help"))
        self.widget = frame(W.HBox([self.x, self.note], layout=L(align_items="center", grid_gap="12px")),
                            W.HBox([self.plot, W.VBox([W.HTML("<b>the front, cheapest first</b>"), self.front,
                                                        self.drawing, self.details])],
                                   layout=L(flex_flow="row wrap", grid_gap="8px 12px")),
                            cls="minas-pareto")
        self._redrawer = Redrawer(self._draw, 1.0 / redraw_hz, name="minas-pareto-redraw")
        self.x.observe(lambda _: self._redrawer.poke(), names="value")
        if source is None:
            self.refresh()
        elif hasattr(source, "subscribe"):
            self.watch(source)
        else:
            self.show(source)

    # --- data in --------------------------------------------------------------------------------
    def watch(self, source: Any) -> None:
        """Follow a `Search` or a `SearchPanel` (each new search it starts) through its events."""
        source.subscribe(self._on_event)
        self._search = source if isinstance(source, Search) else getattr(source, "search", None)
        self._frame, self._front.picked = None, None
        self.refresh()

    def show(self, trials: Any, space: Any = None) -> None:
        """Show a trials DataFrame (e.g. `result.trials`) instead of a live search."""
        self._search, self._frame = None, trials
        self.space = space or self.space
        self._front.picked = None
        self.refresh()

    def refresh(self) -> None:
        """Redraw now, in this thread (tests, headless notebooks)."""
        self._redrawer.poke()
        self._redrawer.flush()

    @property
    def selected(self) -> Any:
        """The index label (for a search: the trial index) of the chosen point, or None."""
        return self._front.picked

    def trials(self) -> Any:
        """The successful trials shown: a DataFrame indexed by trial (or by the given frame's labels)."""
        if self._search is not None:
            from minas.trial import trials_frame
            table = trials_frame(list(self._search.trials))
        elif self._frame is not None:
            table = self._frame
        else:
            return None
        return table[table["status"] == "ok"] if "status" in table else table

    def snapshot_body(self) -> str:
        return (f'<div class="minas-help">{self.note.value}</div><div class="row">'
                f'<div class="minas-box minas-pareto-plot">{views.png_html(self.plot.value, "Pareto front")}</div>'
                f'<div class="graphs"><div class="minas-box minas-selected">{self.drawing.value}</div>'
                f'<div class="minas-selected-details">{self.details.value}</div></div></div>')

    # --- events (search thread) -----------------------------------------------------------------
    def _on_event(self, event: Any) -> None:
        if event.search is not self._search and event.kind in ("search_started", "trial_finished"):
            self._search, self._frame, self._front.picked = event.search, None, None
        if event.kind == "trial_finished" or event.kind in ENDS:
            self._redrawer.poke()

    # --- drawing (redraw thread) ----------------------------------------------------------------
    def _draw(self) -> None:
        from minas.viz import figure_png, pareto_figure
        try:
            table, x = self.trials(), self.x.value
            if table is None or not len(table):
                png = figure_png(pareto_figure(_empty(x), x, title="no trials yet"))
                rows, note = [], "no trials yet"
            else:
                if x not in table:
                    table = table.assign(**{x: float("nan")})
                front = pareto_front(table, x)
                rows = [(point_label(label, row, x), label) for label, row in front.iterrows()]
                png = figure_png(pareto_figure(table, x, selected=self.selected))
                known = int(table[x].notna().sum())
                note = html.escape(f"{len(front)} of {len(table)} architectures are on the front"
                                   + (f" ({len(table) - known} without {OBJECTIVES.get(x, x)})" if known < len(table) else ""))
            with held(self.plot, self.note):
                self.plot.value, self.note.value = png, note
            self._front.refill(rows)
        except Exception as e:                          # shown, never printed
            self.note.value = views.warning_html("drawing failed", e)

    def _on_pick(self, label: Any) -> None:
        """A point chosen in the list: draw its architecture now, ring it in the plot at the next redraw."""
        from minas.drawing import arch_svg
        try:
            row = self.trials().loc[label]
            space = self._search.space if self._search is not None else self.space
            details = f'<code class="minas-mono">{html.escape(str(row["arch"]))}</code>'
            if space is None:
                svg = views.fit_svg("", "give ParetoView the search space (space=...) to draw the architectures")
            else:
                arch = space.parse(row["arch"]) if isinstance(row["arch"], str) else row["arch"]
                svg = views.fit_svg(arch_svg(space, arch, point_label(label, row, self.x.value)))
            with held(self.drawing, self.details):
                self.drawing.value, self.details.value = svg, details
        except Exception as e:
            self.details.value = views.warning_html("cannot draw it", e)
        self._redrawer.poke()


def _empty(x: str) -> Any:
    import pandas as pd
    return pd.DataFrame({x: [], "val_acc": []}, dtype=float)
