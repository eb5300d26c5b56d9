"""What every panel shares: the outer box with the panels' CSS, one `hold_sync` over several widgets, display
in a notebook, and a static snapshot that a saved notebook (or a mail) still shows without a kernel."""
from __future__ import annotations

import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable

import ipywidgets as W

from . import views


def held(*widgets: W.Widget) -> ExitStack:
    """One `hold_sync` over several widgets: each sends one state message when the block ends."""
    stack = ExitStack()
    for w in widgets:
        stack.enter_context(w.hold_sync())
    return stack


def frame(*children: W.Widget, cls: str, max_width: str = "1080px") -> W.VBox:
    """The panel's outer box: the CSS, then `children`; classes `minas-panel` and `cls` for browser tests."""
    box = W.VBox([W.HTML(f"<style>{views.CSS}</style>", layout=W.Layout(height="0px")), *children],
                 layout=W.Layout(width="100%", max_width=max_width, padding="4px"))
    box.add_class("minas-panel")
    box.add_class(cls)
    return box


def classed(*pairs: tuple[W.Widget, str]) -> None:
    """Give each widget its `minas-*` class, so that browser tests and CSS find it."""
    for widget, cls in pairs:
        widget.add_class(cls)


class Panel:
    """Base of the panels: `widget` is the whole panel, and a cell ending in the panel shows it."""

    widget: W.Widget
    title = "minas panel"

    def snapshot_body(self) -> str:
        """The panel as it is now, as static HTML (images inline)."""
        raise NotImplementedError

    def save_snapshot(self, path: str | Path) -> Path:
        """Write a static HTML page of the panel as it is now, its images embedded, and return its path."""
        return views.write_snapshot(path, self.title, self.snapshot_body())

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)


class RowSelect:
    """A `Select` whose rows are replaced live (a growing trial table, a moving Pareto front) without the
    replacement looking like a click: `on_pick(value)` runs only for a choice of the user's (or a test's, by
    setting `widget.value`), and the chosen row stays chosen while it is still listed."""

    def __init__(self, on_pick: Callable[[Any], None], **options: Any):
        self.widget = W.Select(options=[], **options)
        self.picked: Any = None
        self._on_pick = on_pick
        self._rows: list[tuple[str, Any]] = []
        self._refilling = False
        self._lock = threading.Lock()
        self.widget.observe(self._changed, names="value")

    def refill(self, rows: list[tuple[str, Any]]) -> None:
        """Show `rows` (label, value) instead; nothing is sent when they did not change."""
        with self._lock:
            if rows == self._rows:
                return
            keep = self.picked if any(value == self.picked for _, value in rows) else None
            self._refilling = True                   # a new options list selects its first row: not a pick
            try:
                with self.widget.hold_sync():
                    self.widget.options = rows
                    self.widget.value = keep
            finally:
                self._refilling = False
            self._rows = list(rows)

    def _changed(self, change: dict) -> None:
        if self._refilling or change["new"] is None:
            return
        self.picked = change["new"]
        self._on_pick(change["new"])
