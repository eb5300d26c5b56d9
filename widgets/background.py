"""`BackgroundRun`: the Run and Stop buttons, progress bar and label of a panel that computes a batch (many
searches, many estimates) in a background thread and redraws its views as results come in."""
from __future__ import annotations

import html
import threading
import time
from typing import Callable, Sequence

import ipywidgets as W

from . import views
from .panel import classed, held
from .redraw import Redrawer


class BackgroundRun:
    """`work(run)` runs in a daemon thread: it calls `run.report(fraction, label)` as it goes (which also
    schedules a throttled `draw()`), checks `run.stopping` between items and returns a closing line. The
    panel's `inputs` are disabled meanwhile; an exception ends the run as failed, its message shown.
    `widget` holds the buttons and the progress bar; `status` is ready, running, finished, stopped or failed."""

    def __init__(self, work: Callable[["BackgroundRun"], str], draw: Callable[[], None], inputs: Sequence[W.Widget],
                 *, redraw_hz: float = 2.0, tooltip: str = "run"):
        self._work, self._draw, self.inputs, self.interval = work, draw, list(inputs), 1.0 / redraw_hz
        self.status, self.error = "ready", None
        self.on_stop: list[Callable[[], None]] = []       # e.g. stop the search in flight
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._redrawer: Redrawer | None = None
        self.run_button = W.Button(description="Run", icon="play", button_style="success", tooltip=tooltip,
                                   layout=W.Layout(width="80px"))
        self.stop_button = W.Button(description="Stop", icon="stop", button_style="danger", disabled=True,
                                    tooltip="end after the item in flight", layout=W.Layout(width="80px"))
        self.progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, layout=W.Layout(width="300px"))
        self.label = W.HTML("press Run")
        classed((self.run_button, "minas-run"), (self.stop_button, "minas-stop"), (self.label, "minas-progress-label"))
        self.widget = W.HBox([self.run_button, self.stop_button, self.progress, self.label],
                             layout=W.Layout(align_items="center", grid_gap="8px", flex_flow="row wrap"))
        self.widget.add_class("minas-progress")
        self.stop_button.on_click(lambda _: self.stop())

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def stopping(self) -> bool:
        """True once Stop was clicked: `work` should return at the next item."""
        return self._stop.is_set()

    def start(self) -> None:
        """Start `work` in the background (RuntimeError while a run is in flight)."""
        if self.running:
            raise RuntimeError("already running: stop it first")
        self._stop.clear()
        self.status, self.error = "running", None
        self._set_buttons()
        self.report(0.0, "starting")
        self._redrawer = Redrawer(self._draw, self.interval, then=self._finish, name="minas-run-redraw")
        self._thread = threading.Thread(target=self._main, name="minas-run", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask `work` to end after the item in flight."""
        if self.running:
            self._stop.set()
            self.stop_button.disabled = True
            for callback in self.on_stop:
                callback()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work and the final redraw are done; True when they are."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._thread is not None:
            self._thread.join(timeout)
        if self._redrawer is not None:
            return self._redrawer.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return True

    def report(self, fraction: float, label: str) -> None:
        """Show how far the work is, and redraw the views soon."""
        with held(self.progress, self.label):
            self.progress.value, self.label.value = min(1.0, fraction), html.escape(label)
        if self._redrawer is not None:
            self._redrawer.poke()

    def _main(self) -> None:
        start = time.monotonic()
        try:
            closing = self._work(self)
            self.status = "stopped" if self.stopping else "finished"
        except Exception as e:                          # shown, never printed
            self.status, self.error, closing = "failed", f"{type(e).__name__}: {e}", ""
        self._ending = (views.fmt_seconds(time.monotonic() - start), closing)
        self._redrawer.close()                          # the final redraw, then `_finish`

    def _finish(self) -> None:
        """After the final redraw, so "finished" never stands above the previous views."""
        took, closing = self._ending
        with held(self.progress, self.label):
            self.progress.bar_style = {"finished": "success", "failed": "danger"}.get(self.status, "warning")
            if self.status == "finished":
                self.progress.value = 1.0
            self.label.value = html.escape(f"{self.status} in {took}" + (f": {closing}" if closing else "")
                                           + (f": {self.error}" if self.error else ""))
        self._set_buttons()

    def _set_buttons(self) -> None:
        with held(self.run_button, self.stop_button, self.progress, *self.inputs):
            self.run_button.disabled = self.running
            self.stop_button.disabled = not self.running
            if self.running:
                self.progress.bar_style = ""
            for w in self.inputs:
                w.disabled = self.running


class BackgroundPanel:
    """A panel whose work runs in `self.job` (a BackgroundRun): Stop and wait, the same for each."""

    job: BackgroundRun

    def stop(self) -> None:
        """End after the unit of work in flight."""
        self.job.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work and the final redraw are done; True when they are."""
        return self.job.wait(timeout)
