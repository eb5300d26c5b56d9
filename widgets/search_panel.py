"""`SearchPanel`: choose a search, start it, watch it, stop it — in one ipywidgets panel.

The search runs in a background thread (`Search.start()`), so the notebook stays free for clicks. The panel
listens to the search's events and never prints. Light views (the status line) change on every event; heavy
ones (plot, drawings, leaderboard) are redrawn by a second thread at most `redraw_hz` times a second, and once
more when the search ends, however it ends. Everything the buttons do is also a method, so notebooks run
headless (nbclient, CI) drive the same panel: `panel.start(trials=20); panel.wait()`.
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable

import ipywidgets as W

import minas
from minas.builder import ESTIMATOR_HELP, build_search, dataset_choices

from . import views

ENDS = {"search_finished": "finished", "search_stopped": "stopped", "search_failed": "failed"}
CONTROLS = ("estimator", "dataset", "strategy", "trials", "epochs", "seed")


def _defaults(fast: bool) -> dict[str, Any]:
    """What a new panel offers; small budgets when MINAS_FAST=1 (tests, CI)."""
    return {"estimator": "tabular", "dataset": "cifar10", "strategy": "evolution", "trials": 30 if fast else 100,
            "epochs": 1 if fast else 5, "seed": 0}


def _held(*widgets: W.Widget) -> ExitStack:
    """One `hold_sync` over several widgets: each sends one state message when the block ends."""
    stack = ExitStack()
    for w in widgets:
        stack.enter_context(w.hold_sync())
    return stack


class SearchPanel:
    """Controls on top, then the status line, the best-so-far plot next to the drawings of the latest and the
    best architecture, and the top-10 leaderboard. `panel.widget` is the whole panel; a cell ending in
    `panel` shows it."""

    def __init__(self, redraw_hz: float = 4.0, **choices: Any):
        self.interval = 1.0 / redraw_hz
        self.search: minas.Search | None = None
        self.status, self.error = "ready", None
        self._listeners: list[Callable] = []
        self._lock = threading.Lock()                    # the status line is written from two threads
        self._renderer: threading.Thread | None = None
        self._wake, self._ended = threading.Event(), threading.Event()
        self._phase, self._t0, self._t1 = "", 0.0, 0.0
        self._device = self._setup = self._warning = ""
        d = _defaults(os.environ.get("MINAS_FAST") == "1") | {k: v for k, v in choices.items() if k in CONTROLS}
        style, L = {"description_width": "initial"}, W.Layout
        self.estimator = W.Dropdown(options=list(ESTIMATOR_HELP), value=d["estimator"], description="estimator",
                                    style=style, layout=L(width="150px"))
        self.dataset = W.Dropdown(options=dataset_choices(d["estimator"]), value=d["dataset"], description="dataset",
                                  style=style, layout=L(width="180px"))
        self.strategy = W.Dropdown(options=minas.list_strategies(), value=d["strategy"], description="strategy",
                                   style=style, layout=L(width="165px"))
        self.trials = W.BoundedIntText(d["trials"], min=1, max=100_000, description="trials", style=style,
                                       layout=L(width="115px"))
        self.epochs = W.BoundedIntText(d["epochs"], min=1, max=200, description="epochs", style=style,
                                       tooltip="training epochs per candidate", layout=L(width="110px"))
        self.seed = W.IntText(value=d["seed"], description="seed", style=style, layout=L(width="85px"))
        self.start_button = W.Button(description="Start", icon="play", button_style="success",
                                     tooltip="start a new search with these choices", layout=L(width="80px"))
        self.stop_button = W.Button(description="Stop", icon="stop", button_style="danger", disabled=True,
                                    tooltip="finish the trial in flight, then stop", layout=L(width="80px"))
        self.help = W.HTML(layout=L(height="20px"))
        self.status_line = W.HTML(layout=L(min_height="44px", margin="4px 0"))
        self.plot = W.Image(format="png", layout=L(width="600px", height="340px", object_fit="contain"))
        self.latest = W.HTML(layout=L(width="440px", height="166px", margin="0"))
        self.best = W.HTML(layout=L(width="440px", height="166px", margin="0"))
        self.leaderboard = W.HTML(layout=L(height="250px", overflow="auto", width="1054px", max_width="100%"))
        plot_box = W.Box([self.plot], layout=L(width="602px", height="342px"))
        for w, cls in ((self.start_button, "minas-start"), (self.stop_button, "minas-stop"),
                       (self.status_line, "minas-status"), (plot_box, "minas-plot"), (self.latest, "minas-latest"),
                       (self.best, "minas-best"), (self.leaderboard, "minas-leaderboard"), (self.help, "minas-help"),
                       (self.trials, "minas-trials"), (self.epochs, "minas-epochs"), (self.seed, "minas-seed")):
            w.add_class(cls)
        for w in (plot_box, self.latest, self.best, self.leaderboard):
            w.add_class("minas-box")
        controls = W.HBox([self.estimator, self.dataset, self.strategy, self.trials, self.epochs, self.seed,
                           self.start_button, self.stop_button],
                          layout=L(flex_flow="row wrap", align_items="center", grid_gap="4px 8px"))
        views_row = W.HBox([plot_box, W.VBox([self.latest, self.best], layout=L(grid_gap="8px"))],
                           layout=L(flex_flow="row wrap", grid_gap="8px 12px", margin="0 0 8px 0"))
        self.widget = W.VBox([W.HTML(f"<style>{views.CSS}</style>", layout=L(height="0px")), controls, self.help,
                              self.status_line, views_row, self.leaderboard],
                             layout=L(width="100%", max_width="1080px", padding="4px"))
        self.widget.add_class("minas-panel")
        self.estimator.observe(self._on_estimator, names="value")
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self._on_estimator()
        self._redraw()

    # --- programmatic control -------------------------------------------------------------------
    def start(self, run_dir: str | Path | None = None, **choices: Any) -> minas.Search | None:
        """Start a search with the controls' choices; `choices` (same names as the controls) override and set
        them. Other keywords (channels, batch_size, ...) go to the training estimator; `dataset` may also be a
        `minas.data.Dataset`. A search that cannot be built shows its error in the status line."""
        if self.running:
            raise RuntimeError("a search is already running: stop it first (panel.stop())")
        dataset = choices.pop("dataset", None)
        for name in CONTROLS[:1] + CONTROLS[2:]:
            if name in choices:
                getattr(self, name).value = choices.pop(name)
        if isinstance(dataset, str):
            self.dataset.value = dataset
        training = {"epochs": self.epochs.value, **choices} if self.estimator.value == "training" else choices
        args = dict(estimator=self.estimator.value, dataset=self.dataset.value if dataset is None or
                    isinstance(dataset, str) else dataset, strategy=self.strategy.value, trials=self.trials.value,
                    seed=self.seed.value, run_dir=run_dir, **training)
        self.search, self.error, self._warning, self._phase = None, None, "", ""
        self._t0 = self._t1 = time.monotonic()
        name = getattr(args["dataset"], "name", args["dataset"])
        name = f"NAS-Bench-201 {name}" if args["estimator"] == "tabular" else name
        self._device, self._setup = "", f"{name} · {args['strategy']} · seed {args['seed']}"
        for flag in (self._wake, self._ended):
            flag.clear()
        self._set_running(True)
        self._set_status("preparing", phase="loading data and building the search")
        try:
            search = build_search(**args)
            self._device = ("table lookup, no training" if args["estimator"] == "tabular"
                            else search.estimator.describe())
        except Exception as e:                           # shown, never a silent death
            self.error = f"{type(e).__name__}: {e}"
            self._set_running(False)
            self._set_status("failed")
            return None
        self.search = search
        search.subscribe(self._on_event)
        for listener in self._listeners:          # after the panel's own: they see its status up to date
            search.subscribe(listener)
        self._t0 = time.monotonic()
        self._set_status("running")
        self._renderer = threading.Thread(target=self._render_loop, args=(search,), daemon=True)
        self._renderer.start()
        search.start()
        return search

    def stop(self) -> None:
        """Ask the search to finish the trial in flight and stop."""
        if self.search is not None and self.running:
            self.search.stop()
            self.stop_button.disabled = True
            self._set_status("stopping")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the search and the panel's final redraw are done; True when they are."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self.search is not None and not self.search.wait(timeout):
            return False
        if self._renderer is not None:
            self._renderer.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            return not self._renderer.is_alive()
        return True

    def result(self) -> minas.SearchResult | None:
        """The current search's result (best trial, trials table, run folder, status); None before a search."""
        return self.search.result() if self.search is not None else None

    def subscribe(self, listener: Callable) -> Callable:
        """Also call `listener(event)` for every event of every search this panel starts (in the search's
        thread, before it begins), e.g. a logger or a test's hook."""
        self._listeners.append(listener)
        return listener

    @property
    def running(self) -> bool:
        return self.status in ("preparing", "running", "stopping")

    def save_snapshot(self, path: str | Path) -> Path:
        """Write a static HTML page of the panel as it is now (plot as embedded PNG, drawings as SVG)."""
        path = Path(path)
        path.write_text(views.snapshot_html(status=self.status_line.value, png=self.plot.value,
                                            latest_svg=self.latest.value, best_svg=self.best.value,
                                            leaderboard=self.leaderboard.value), encoding="utf-8")
        return path

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)

    # --- events (search thread) ---------------------------------------------------------------
    def _on_event(self, event: minas.Event) -> None:
        """Light work only: remember what happened, rewrite the status line, wake the redraw thread."""
        try:
            if event.search is not self.search:
                return
            kind, trial = event.kind, event.trial
            if kind == "trial_started":
                self._phase = f"trial {trial.index}"
            elif kind == "epoch_finished":
                self._phase = f"trial {trial.index}, epoch {event.data['epoch']}/{event.data['epochs']}"
            elif kind == "trial_finished":
                self._phase = ""
                self._wake.set()
            if kind in ENDS:
                self.error = event.data.get("error")
                self._t1 = time.monotonic()
                self._phase = ""
                self._ended.set()
                self._wake.set()
                return                                   # the redraw thread writes the final status
            self._set_status({"search_paused": "paused", "search_resumed": "running"}.get(kind))
        except Exception as e:                          # a view must never print or break the search
            self._warning = f"panel: {type(e).__name__}: {e}"

    # --- drawing (redraw thread) ----------------------------------------------------------------
    def _render_loop(self, search: minas.Search) -> None:
        last = 0.0
        while not self._ended.is_set():
            self._wake.wait()
            delay = last + self.interval - time.monotonic()
            if delay > 0 and self._ended.wait(delay):
                break
            self._wake.clear()
            if self._ended.is_set():
                break
            self._redraw(search)
            last = time.monotonic()
        final = search.status
        if final not in ("finished", "stopped", "failed"):
            final, self.error = "failed", self.error or f"the search ended as {final!r}"
        self._redraw(search)                             # always, however the search ended
        self._set_running(False)
        self._set_status(final)

    def _redraw(self, search: minas.Search | None = None) -> None:
        """Plot, both drawings and the leaderboard from the trials so far, swapped in under hold_sync."""
        from minas.viz import arch_svg, figure_png, progress_figure
        try:
            trials = list(search.trials) if search is not None else []
            title = "Best so far" + (f" — {len(trials)} trials" if trials else ": no trials yet")
            png = figure_png(progress_figure(trials, title=title, figsize=(6.0, 3.4)))
            latest = best = ""
            if trials:
                latest = arch_svg(search.space, trials[-1].arch, f"latest: trial {trials[-1].index}")
                top = search.best
                if top is not None:
                    best = arch_svg(search.space, top.arch, f"best: {top.val_acc:.2f} % (trial {top.index})")
            board = views.leaderboard_html(trials)
            with _held(self.plot, self.latest, self.best, self.leaderboard):
                self.plot.value = png
                self.latest.value = views.fit_svg(latest)
                self.best.value = views.fit_svg(best, "no successful trial yet")
                self.leaderboard.value = board
        except Exception as e:                          # shown in the status line, never printed
            self._warning = f"drawing failed: {type(e).__name__}: {e}"

    # --- small helpers --------------------------------------------------------------------------
    def _on_estimator(self, _change: Any = None) -> None:
        name = self.estimator.value
        with _held(self.dataset, self.epochs, self.help):
            current, self.dataset.options = self.dataset.value, dataset_choices(name)
            self.dataset.value = current if current in self.dataset.options else self.dataset.options[0]
            self.epochs.disabled = name != "training"
            self.help.value = f"<b>{name}</b>: {ESTIMATOR_HELP[name]}"
        self.estimator.tooltip = ESTIMATOR_HELP[name]

    def _set_running(self, running: bool) -> None:
        controls = (self.estimator, self.dataset, self.strategy, self.trials, self.seed)
        with _held(self.start_button, self.stop_button, self.epochs, *controls):
            self.start_button.disabled = running
            self.stop_button.disabled = not running
            for w in controls:
                w.disabled = running
            self.epochs.disabled = running or self.estimator.value != "training"

    def _set_status(self, state: str | None = None, phase: str | None = None) -> None:
        """Rewrite the status line; `state=None` keeps stopping/paused and otherwise means running."""
        with self._lock:
            if state is None:
                state = self.status if self.status in ("stopping", "paused") else "running"
            self.status = state
            end = self._t1 if state in ("finished", "stopped", "failed") else time.monotonic()
            search = self.search
            total = search.max_trials if search is not None else self.trials.value
            best = search.best if search is not None else None
            value = views.status_html(state, done=len(search.trials) if search is not None else 0, total=total,
                                      elapsed=max(0.0, end - self._t0), best=best.val_acc if best else None, phase=self._phase if phase is None else phase,
                                      error=self.error, device=self._device, setup=self._setup,
                                      warning=self._warning)
            with self.status_line.hold_sync():
                self.status_line.value = value
