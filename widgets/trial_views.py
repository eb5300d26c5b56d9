"""`TrialViews`: what a `SearchPanel` shows of a search's trials so far — the best-so-far plot next to the
drawings of the latest and the best architecture, the top-10 leaderboard and the log. A part of `SearchPanel`,
kept apart so each file has one job: the panel decides when to redraw (its redraw thread), this draws."""
from __future__ import annotations

import time
from collections import deque
from typing import Any

import ipywidgets as W

from . import views
from .panel import classed, held


class TrialViews:
    """The plot, both drawings, the leaderboard and the log; `row` holds the plot and the drawings."""

    def __init__(self, log_lines: int = 200):
        L = W.Layout
        self.plot = W.Image(format="png", layout=L(width="600px", height="340px", object_fit="contain"))
        self.latest = W.HTML(layout=L(width="440px", height="166px", margin="0"))
        self.best = W.HTML(layout=L(width="440px", height="166px", margin="0"))
        self.leaderboard = W.HTML(layout=L(height="250px", overflow="auto", width="1054px", max_width="100%"))
        self.log = W.HTML(layout=L(height="150px", overflow="auto", width="1054px", max_width="100%"))
        self._lines: deque[tuple[str, str, str]] = deque(maxlen=log_lines)
        plot_box = W.Box([self.plot], layout=L(width="602px", height="342px"))
        classed((plot_box, "minas-plot"), (self.latest, "minas-latest"), (self.best, "minas-best"),
                (self.leaderboard, "minas-leaderboard"), (self.log, "minas-log-pane"),
                *((w, "minas-box") for w in (plot_box, self.latest, self.best, self.leaderboard, self.log)))
        self.row = W.HBox([plot_box, W.VBox([self.latest, self.best], layout=L(grid_gap="8px"))],
                          layout=L(flex_flow="row wrap", grid_gap="8px 12px", margin="0 0 8px 0"))

    def note(self, cls: str, text: str) -> None:
        """Add a line to the log (shown at the next redraw); `cls` is its kind: note, ok, fail, ..."""
        self._lines.append((time.strftime("%H:%M:%S"), cls, text))

    def redraw(self, search: Any | None) -> None:
        """Draw everything from `search`'s trials (None: empty views), swapped in at once under hold_sync.
        Raises what drawing raised: the panel shows it in its status line."""
        from minas.drawing import arch_svg
        from minas.viz import figure_png, progress_figure

        trials = list(search.trials) if search is not None else []
        title = "Best so far" + (f" — {len(trials)} trials" if trials else ": no trials yet")
        png = figure_png(progress_figure(trials, title=title, figsize=(6.0, 3.4)))
        latest = best = ""
        if trials:
            latest = arch_svg(search.space, trials[-1].arch, f"latest: trial {trials[-1].index}")
            top = search.best
            if top is not None:
                best = arch_svg(search.space, top.arch, f"best: {top.val_acc:.2f} % (trial {top.index})")
        board, log = views.leaderboard_html(trials), views.log_html(list(self._lines))
        with held(self.plot, self.latest, self.best, self.leaderboard, self.log):
            self.plot.value = png
            self.latest.value = views.fit_svg(latest)
            self.best.value = views.fit_svg(best, "no successful trial yet")
            self.leaderboard.value = board
            self.log.value = log
