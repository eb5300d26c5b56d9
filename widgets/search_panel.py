"""`SearchPanel`: choose a search, start it, pause it, step it, watch it, stop it — in one ipywidgets panel.

The space menu offers the cell, the chain and any space handed in from Python (`SearchPanel(space=space)` or
`spaces={"label": space}`); the other menus offer only what applies to the chosen space (`SearchControls`).

The search runs in a background thread (`Search.start()`), so the notebook stays free for clicks. The panel
listens to the search's events and never prints. Light views (the status line, the progress bar) change on
every event; heavy ones (plot, drawings, leaderboard, trial table, log) are redrawn by a second thread at most
`redraw_hz` times a second, and once more when the search ends, however it ends. Everything the buttons do is
also a method, so notebooks run headless (nbclient, CI) drive the same panel: `panel.start(trials=20);
panel.wait()`.

Run controls, with the verbs users know from W&B sweeps and Optuna's ask-and-tell:
* Pause: finish the trial in flight, then wait; Resume goes on.
* Step: evaluate exactly one more trial (`Search.step()`, in a background thread) while paused; before any
  search runs, Step starts one paused, so a class can walk through a search trial by trial.
* Stop: end within a second: the trial in flight is interrupted between two training batches and not recorded
  (`Search.stop()`); a search started again on the same run folder evaluates it again, so nothing is lost.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

import ipywidgets as W

import minas
from minas.builder import build_search

from . import views
from .panel import Panel, classed, frame, held
from .redraw import Redrawer
from .search_controls import LIVE, SearchControls
from .trial_table import TrialTable
from .trial_views import TrialViews

ENDS = {"search_finished": "finished", "search_stopped": "stopped", "search_failed": "failed"}
BAR_STYLES = {"finished": "success", "failed": "danger", "stopped": "warning", "paused": "warning"}


class SearchPanel(Panel):
    """Choices on top, then the run controls with the progress bar, the status line, the best-so-far plot next
    to the drawings of the latest and the best architecture, the top-10 leaderboard, the sortable table of every trial (click a
    row to draw it) and the log. `panel.widget` is the whole panel; a cell ending in `panel` shows it."""

    title = "minas search"

    def __init__(self, redraw_hz: float = 4.0, log_lines: int = 200, table_rows: int = 500,
                 spaces: dict[str, Any] | None = None, **choices: Any):
        """`choices` set the controls (space, estimator, dataset, strategy, trials, epochs, seed); `space` may be
        a name or a space (e.g. `minas.spaces.define(build)`), which joins the space menu, as do `spaces`
        ({label: space})."""
        self.interval = 1.0 / redraw_hz
        self.search: minas.Search | None = None
        self.status, self.error = "ready", None
        self._listeners: list[Callable] = []
        self._lock = threading.Lock()                    # the status line is written from several threads
        self._renderer: Redrawer | None = None
        self._stepping = self._paused_ack = self._stop_requested = False
        self._step_error: str | None = None
        self._phase, self._t0, self._t1 = "", 0.0, 0.0
        self._device = self._setup = self._warning = ""
        self.controls = SearchControls(spaces, **choices)
        self.trial_table = TrialTable(lambda: self.search, self._warn, table_rows)
        self.trial_views = TrialViews(log_lines)
        t = self.trial_views                             # its widgets by name too, for notebooks and tests
        self.plot, self.latest, self.best, self.leaderboard, self.log = t.plot, t.latest, t.best, t.leaderboard, t.log
        L = W.Layout
        self.status_line = W.HTML(layout=L(min_height="44px", margin="4px 0"))
        self.progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, layout=L(width="320px"))
        self.progress_label = W.HTML()
        progress_row = W.HBox([*self.controls.buttons, self.progress, self.progress_label],
                              layout=L(flex_flow="row wrap", align_items="center", grid_gap="4px 8px",
                                       margin="4px 0 0 0"))
        classed((self.status_line, "minas-status"), (progress_row, "minas-progress"))
        self.widget = frame(self.controls.widget, progress_row, self.controls.help, self.status_line, t.row,
                            self.leaderboard, self.trial_table.widget, self.log, cls="minas-search-panel")
        c = self.controls
        c.start_button.on_click(lambda _: self._launch(self._menus(), None, paused=False))
        c.pause_button.on_click(lambda _: self.resume() if self.status == "paused" else self.pause())
        c.step_button.on_click(lambda _: self._step(lambda: self._launch(self._menus(), None, paused=True)))
        c.stop_button.on_click(lambda _: self.stop())
        self._redraw()
        self._set_status("ready")

    # --- programmatic control -------------------------------------------------------------------
    def start(self, run_dir: str | Path | None = None, paused: bool = False, **choices: Any) -> minas.Search | None:
        """Start a search from code with `choices` (same names as the controls) and, for those not named, the
        panel's initial choices — never what the menus were last set to by hand, so a cell runs the same search
        whatever a student clicked before it (the Start button runs the menus). The menus then show this
        search's choices; a dataset not named follows the estimator. Other keywords (channels, batch_size, ...)
        go to the training estimator; `dataset` may also be a `minas.data.Dataset`. `paused=True` starts it
        paused (for `step()`). A search that cannot be built shows its error in the status line."""
        self._refuse_if_running()
        return self._launch(self.controls.apply(choices), run_dir, paused)

    def _menus(self) -> dict[str, Any]:
        """The arguments of a search as the menus stand (what the Start and Step buttons run)."""
        self._refuse_if_running()
        return self.controls.apply({}, from_menus=True)

    def _refuse_if_running(self) -> None:
        if self.running:
            raise RuntimeError("a search is already running: stop it first (panel.stop())")

    def _launch(self, args: dict[str, Any], run_dir: str | Path | None, paused: bool) -> minas.Search | None:
        args = args | {"run_dir": run_dir}
        self.search, self.error, self._warning, self._phase = None, None, "", ""
        self.trial_table.clear()
        self._stepping = self._paused_ack = self._stop_requested = False
        self._step_error = None
        self._t0 = self._t1 = time.monotonic()
        name = getattr(args["dataset"], "name", args["dataset"])
        name = f"NAS-Bench-201 {name}" if args["estimator"] == "tabular" else name
        where = f"{self.controls.space.value} · {name}"
        self._device, self._setup = "", f"{where} · {args['strategy']} · seed {args['seed']}"
        self.trial_views.note("note", f"new search: {self._setup}")
        self._set_status("preparing", phase="loading data and building the search")
        try:
            search = build_search(**args)
            self._device = ("table lookup, no training" if args["estimator"] == "tabular"
                            else search.estimator.describe())
            if search.workers > 1:
                self._device += f" · {search.describe_workers()}"
        except Exception as e:                           # shown, never a silent death
            self.error = f"{type(e).__name__}: {e}"
            self.trial_views.note("fail", f"could not build the search: {self.error}")
            self._set_status("failed")
            self._redraw()                               # no plot of an earlier search above this error
            return None
        self.search = search
        search.subscribe(self._on_event)
        for listener in self._listeners:          # after the panel's own: they see its status up to date
            search.subscribe(listener)
        if paused:
            search.pause()
        self._t0 = time.monotonic()
        self._renderer = Redrawer(lambda: self._redraw(search), self.interval, then=lambda: self._finish(search),
                                  name="minas-panel-redraw")
        self._renderer.poke()                            # the new search's empty views
        self._set_status()
        search.start()
        return search

    def pause(self) -> None:
        """Finish the trial in flight, then wait until `resume()` (or `step()` one trial at a time)."""
        if self.status == "running":
            self.search.pause()
            self._set_status()

    def resume(self) -> None:
        """Go on after `pause()`."""
        if self.status == "paused":
            self.search.resume()
            self._set_status()

    def step(self) -> minas.Search | None:
        """Evaluate exactly one more trial, in a background thread: while paused, or, when no search runs,
        in a new search started paused (with the panel's initial choices, as `start()`; the Step button uses
        the menus). `wait()` returns when it is done."""
        return self._step(lambda: self.start(paused=True))

    def _step(self, begin: Callable[[], minas.Search | None]) -> minas.Search | None:
        if not self.running:
            if begin() is None:
                return None
        elif self.status != "paused":
            raise RuntimeError(f"the search is {self.status}: pause it before stepping (panel.pause())")
        search = self.search
        self._stepping = True
        self._set_status()
        threading.Thread(target=self._step_once, args=(search,), name="minas-step", daemon=True).start()
        return search

    def stop(self) -> None:
        """End the search within a second: the trial in flight is interrupted between batches and left out
        (`Search.stop()`); a paused search stops at once."""
        if self.search is not None and self.running and not self._stop_requested:
            self._stop_requested = True
            self.search.stop()
            self._set_status()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing more happens without a click: the search has ended and the panel's final redraw
        is done, or the search is paused with no step in flight (its views then drawn). True when so."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.status not in LIVE:
                renderer = self._renderer
                return renderer is None or renderer.join(None if deadline is None
                                                         else max(0.0, deadline - time.monotonic()))
            if self.status == "paused" and not self._stepping:
                self._renderer.flush()
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def result(self) -> minas.SearchResult | None:
        """The current search's result (best trial, trials table, run folder, status); None before a search."""
        return self.search.result() if self.search is not None else None

    def subscribe(self, listener: Callable) -> Callable:
        """Also call `listener(event)` for every event of every search this panel starts (in the search's
        thread, before it begins), e.g. a logger, another panel (`ParetoView(panel)`) or a test's hook."""
        self._listeners.append(listener)
        return listener

    def show_trial(self, index: int) -> None:
        """Draw trial `index` of the current search next to the table, as clicking its row does."""
        self.trial_table.show(index)

    @property
    def selected(self) -> int | None:
        """The index of the trial drawn next to the table (clicked, or shown with `show_trial`)."""
        return self.trial_table.selected

    @property
    def running(self) -> bool:
        """True from Start until the search has ended, paused included."""
        return self.status in LIVE

    def snapshot_body(self) -> str:
        """The panel as static HTML: the plot as an embedded PNG, the drawings as SVG."""
        progress = f'<progress max="1" value="{self.progress.value:.3f}"></progress> {self.progress_label.value}'
        return views.snapshot_body(status=self.status_line.value, progress=progress, png=self.plot.value,
                                   latest_svg=self.latest.value, best_svg=self.best.value,
                                   leaderboard=self.leaderboard.value, selected_svg=self.trial_table.drawing.value,
                                   selected=self.trial_table.details.value, log=self.log.value)

    # --- events (search and step threads) -------------------------------------------------------
    def _on_event(self, event: minas.Event) -> None:
        """Light work only: remember what happened, log it, rewrite the status line, wake the redraw thread."""
        try:
            search = event.search
            if search is not self.search:
                return
            kind, trial, data = event.kind, event.trial, event.data
            line = views.log_line(event)
            if line is not None:
                self.trial_views.note(*line)
            if search.workers > 1 and kind in ("trial_started", "trial_finished", "trial_interrupted"):
                self._phase = views.running_phase(search.running)
            elif kind == "trial_started":
                self._phase = f"trial {trial.index}"
            elif kind == "epoch_finished" and search.workers == 1:
                self._phase = (f"supernet epoch {data['epoch']}/{data['epochs']}" if trial is None else
                               f"trial {trial.index}, epoch {data['epoch']}/{data['epochs']}")
            elif kind == "trial_finished":
                self._phase = ""
            elif kind == "search_paused":
                self._paused_ack = True
            elif kind == "search_resumed":
                self._paused_ack = False
            if kind in ENDS:
                self.error = self.error or data.get("error")
                self._t1 = time.monotonic()
                self._phase = ""
                self._renderer.close()                   # its last redraw writes the final status
                return
            if line is not None:
                self._renderer.poke()
            self._set_status()
        except Exception as e:                          # a view must never print or break the search
            self._warning = f"panel: {type(e).__name__}: {e}"

    def _step_once(self, search: minas.Search) -> None:
        try:
            search.step()
        except Exception as e:                          # e.g. a run folder of another search: end, and say why
            self._step_error = self.error = f"{type(e).__name__}: {e}"
            search.stop()
        finally:
            self._stepping = False
            if search.exhausted or search.strategy_done:   # the last step spent the budget: let the search end
                search.resume()
            self._set_status()

    def _finish(self, search: minas.Search) -> None:
        """After the final redraw: the search's own ending, or failed when it ended in another way."""
        final = search.status
        if self._step_error is not None:
            final = "failed"
        elif final not in ("finished", "stopped", "failed"):
            final, self.error = "failed", self.error or f"the search ended as {final!r}"
        self._set_status(final)

    # --- drawing (redraw thread) ----------------------------------------------------------------
    def _redraw(self, search: minas.Search | None = None) -> None:
        """The plot, drawings, leaderboard and log, then the trial table, from the trials so far."""
        try:
            self.trial_views.redraw(search)
            self.trial_table.fill(list(search.trials) if search is not None else [])
        except Exception as e:                          # shown in the status line, never printed
            self._warning = f"drawing failed: {type(e).__name__}: {e}"

    # --- small helpers --------------------------------------------------------------------------
    def _warn(self, text: str) -> None:
        """Show `text` in the status line (a view that failed), never print it."""
        self._warning = text
        self._set_status()

    def _live_state(self) -> str:
        if self._stop_requested:
            return "stopping"
        if self._stepping:
            return "stepping"
        if self.search is not None and self.search.paused:
            return "paused" if self._paused_ack else "pausing"
        return "running"

    def _set_status(self, state: str | None = None, phase: str | None = None) -> None:
        """Rewrite the status line and the progress bar; `state=None` means the live state (running, pausing,
        paused, stepping or stopping) and leaves an ended search's final state alone."""
        with self._lock:
            if state is None:
                if self.status not in LIVE:
                    return
                state = self._live_state()
            changed, self.status = state != self.status, state
            end = self._t1 if state in ("finished", "stopped", "failed") else time.monotonic()
            elapsed = max(0.0, end - self._t0) if self._t0 else None     # no clock before the first Start
            search = self.search
            total = search.max_trials if search is not None else self.controls.trials.value
            best = search.best if search is not None else None
            value = views.status_html(state, done=len(search.trials) if search is not None else 0, total=total,
                                      elapsed=elapsed, best=best.val_acc if best else None,
                                      phase=self._phase if phase is None else phase, error=self.error,
                                      device=self._device, setup=self._setup, warning=self._warning)
            fraction, label = (views.budget_progress(search) if search is not None
                               else (0.0, f"0 / {self.controls.trials.value} trials"))
            with held(self.status_line, self.progress, self.progress_label):
                self.status_line.value = value
                self.progress.value = fraction
                self.progress.bar_style = BAR_STYLES.get(state, "")
                self.progress_label.value = label
            if changed:
                self.controls.set_state(state)
