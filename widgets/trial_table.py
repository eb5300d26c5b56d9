"""`TrialTable`: every trial of a search as a row, sortable; clicking a row draws that trial's cell next to
the table with its details. A part of `SearchPanel`, kept apart so each file has one job."""
from __future__ import annotations

from typing import Any, Callable

import ipywidgets as W

from . import views
from .panel import RowSelect, classed, held

EMPTY = "click a row to draw its cell"


class TrialTable:
    """The sort choice, the table and the drawing of the picked trial; `widget` is the whole row.
    `source()` gives the search to show (or None); a drawing that fails is reported to `on_error`."""

    def __init__(self, source: Callable[[], Any], on_error: Callable[[str], None], max_rows: int = 500):
        self.source, self.on_error, self.max_rows = source, on_error, max_rows
        L = W.Layout
        self.sort = W.Dropdown(options=[(label, key) for key, label in views.SORTS.items()], value="index",
                               description="sort by", style={"description_width": "initial"}, layout=L(width="260px"))
        self.head = W.HTML()
        self._rows = RowSelect(self._draw, rows=12, layout=L(width="600px"))
        self.table = self._rows.widget
        self.drawing = W.HTML(views.fit_svg("", EMPTY), layout=L(width="440px", height="166px", margin="0"))
        self.details = W.HTML(layout=L(width="440px"))
        classed((self.sort, "minas-sort"), (self.table, "minas-trial-table"), (self.head, "minas-trial-head"),
                (self.drawing, "minas-selected"), (self.details, "minas-selected-details"), (self.drawing, "minas-box"))
        self.widget = W.HBox([W.VBox([self.sort, self.head, self.table]),
                              W.VBox([self.drawing, self.details], layout=L(grid_gap="4px"))],
                             layout=L(flex_flow="row wrap", grid_gap="8px 12px", margin="8px 0"))
        self.sort.observe(lambda _: self.fill(), names="value")

    @property
    def selected(self) -> int | None:
        """The index of the trial drawn next to the table (clicked, or shown with `show`)."""
        return self._rows.picked

    def clear(self) -> None:
        """No trial picked, nothing drawn: for a new search."""
        self._rows.picked = None
        with held(self.drawing, self.details):
            self.drawing.value, self.details.value = views.fit_svg("", EMPTY), ""

    def show(self, index: int) -> None:
        """Pick trial `index` and draw it, as clicking its row does."""
        self._rows.picked = index
        self._draw(index)

    def fill(self, trials: list | None = None) -> None:
        """Rows in the chosen order; the picked trial stays picked while it is listed."""
        search = self.source()
        if trials is None:
            trials = list(search.trials) if search is not None else []
        running = search.running if search is not None else []
        rows = views.trial_rows(trials, self.sort.value, self.max_rows, running)
        shown = f"{len(trials):,} trials" + (f" and {len(running)} running" if running else "")
        shown += f", the first {len(rows):,} shown" if len(rows) < len(trials) + len(running) else ""
        self.head.value = (f'<div class="minas-help">{shown}</div>'
                           f'<div class="minas-mono">{views.TRIAL_COLUMNS}</div>')
        self._rows.refill(rows)

    def _draw(self, index: int) -> None:
        from minas.drawing import arch_svg
        try:
            search = self.source()
            trial = next((t for t in search.trials if t.index == index), None) or next(
                t for t in search.running if t.index == index)
            outcome = f"{trial.val_acc:.2f} %" if trial.ok else "failed" if trial.error else "running"
            svg = arch_svg(search.space, trial.arch, f"trial {index}: {outcome}")
            with held(self.drawing, self.details):
                self.drawing.value = views.fit_svg(svg)
                self.details.value = views.trial_html(trial)
        except Exception as e:                          # reported by the panel, never printed
            self.on_error(f"drawing failed: {type(e).__name__}: {e}")
