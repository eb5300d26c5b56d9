"""`StrategyComparison`: run several strategies with several seeds on a tabular benchmark and compare their
anytime performance — the mean best-so-far with standard-error bands, against evaluations and against
simulated time (the benchmark's recorded training time), as NAS papers and the best-practice checklist ask.
The tables: NAS-Bench-201 on each of its datasets, and minas' MNIST-1D table, whose learning curves let the
multi-fidelity strategies (successive halving, Hyperband) take part.

Lookups are instant, so a few hundred runs take seconds; they run in a background thread, seed by seed (every
strategy's first seed, then every strategy's second, ...), so the figure is useful before the end. Only what a
table can answer at once is offered: not the one-shot strategies (DARTS, GDAS, DrNAS, ENAS train a supernet of
their own, minutes per run, whatever the table), and the multi-fidelity ones only on a table with learning
curves. The y axis is zoomed on where the curves end apart; "full range" shows the whole climb."""
from __future__ import annotations

import html
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as W
import numpy as np

import minas
from minas.benchmarks import MNIST1DBench, NASBench201
from minas.benchmarks.nb201 import DATASETS
from minas.estimators import Tabular
from minas.strategies import STRATEGIES, Strategy

from . import views
from .background import BackgroundPanel, BackgroundRun
from .panel import Panel, classed, frame, held


TABLES = {**{f"NAS-Bench-201 {name}": name for name in DATASETS}, "minas MNIST-1D": "mnist1d"}


@lru_cache(maxsize=len(TABLES))
def benchmark(dataset: str) -> NASBench201 | MNIST1DBench:
    """One table per dataset (a NAS-Bench-201 dataset or "mnist1d"), loaded once however often Run is pressed."""
    return MNIST1DBench() if dataset == "mnist1d" else NASBench201(dataset)


def table_strategies(dataset: str) -> list[str]:
    """The registered strategies that table `dataset` answers at once: none that requires a supernet (a one-shot
    strategy trains its own, minutes per run, whatever the table), and a multi-fidelity one only where the table
    has every budget it asks for."""
    fidelities = set(benchmark(dataset).fidelities)
    offered = []
    for name in minas.list_strategies():
        make = STRATEGIES.get(name)
        if "supernet" not in getattr(make, "requires", ()) and set(make().budgets()) <= fidelities:
            offered.append(name)
    return offered


def summary_html(runs: dict[str, list], errors: dict[str, str]) -> str:
    """Per strategy: runs, final best accuracy (mean ± standard error, where there are several runs) and mean
    simulated cost of a run; then the strategies that could not run, and why."""
    rows = []
    for name, group in runs.items():
        if group:
            finals = np.array([t["val_acc"].max() for t in group])
            spread = (f" ± {finals.std(ddof=1) / np.sqrt(len(finals)):.2f}" if len(finals) > 1 else "")
            cost = np.mean([t["cost"].sum() for t in group])
            rows.append([name, len(group), f"{finals.mean():.2f}{spread} %", views.fmt_seconds(cost)])
    table = views.table_html(["strategy", "runs", "final best (± SE)", "simulated cost per run"], rows, "press Run")
    return table + "".join(f'<div class="minas-warning">{html.escape(name)}: {html.escape(error)}</div>'
                           for name, error in errors.items())


class StrategyComparison(BackgroundPanel, Panel):
    """Choose strategies, a table (`dataset`: a NAS-Bench-201 dataset or "mnist1d"), seeds and trials per run;
    Run; watch the curves fill in.
    `runs` maps each strategy to its finished runs' trials DataFrames (`minas.viz.comparison_figure(runs)`).

    The registered strategies that the chosen table answers at once are offered by name (`table_strategies`);
    `extra` adds more, listed first, each a function returning a fresh strategy (e.g. `{"yours": make_strategy}`
    with your own `Strategy` subclass). `tables` limits the tables offered (e.g. to those a class may tune on)."""

    title = "minas strategy comparison"

    def __init__(self, strategies: Sequence[str] = ("random", "evolution"), *, dataset: str = "cifar10",
                 seeds: int = 5, trials: int = 100, redraw_hz: float = 2.0,
                 extra: Mapping[str, Callable[[], Strategy]] | None = None, tables: Sequence[str] | None = None):
        self.extra = dict(extra or {})
        self.runs: dict[str, list] = {}
        self.errors: dict[str, str] = {}
        self._current: minas.Search | None = None
        L, style = W.Layout, {"description_width": "initial"}
        offered = [(label, name) for label, name in TABLES.items() if tables is None or name in tables]
        if dataset not in [name for _, name in offered]:
            raise ValueError(f"unknown table {dataset!r}; choose one of: {', '.join(name for _, name in offered)}")
        names = self._names(dataset)
        refused = [name for name in strategies if name not in names]
        if refused:
            raise ValueError(f"the {dataset} table cannot run {', '.join(refused)} at once (a one-shot strategy trains "
                             f"a supernet of its own, minutes per run; a multi-fidelity one needs learning curves); "
                             f"choose from: {', '.join(names)}")
        self.strategies = W.SelectMultiple(options=names, value=tuple(strategies), rows=min(6, len(names)),
                                           description="strategies", style=style, layout=L(width="260px"))
        self.dataset = W.Dropdown(options=offered, value=dataset, description="table", style=style,
                                  layout=L(width="270px"))
        self.zoom = W.ToggleButtons(options=[("zoomed", True), ("full range", False)], value=True,
                                    tooltips=["the y axis where the curves end apart", "the whole climb"],
                                    style={"button_width": "90px"})
        self.seeds = W.BoundedIntText(seeds, min=1, max=100, description="seeds", style=style,
                                      layout=L(width="110px"))
        self.trials = W.BoundedIntText(trials, min=2, max=5000, description="trials per run", style=style,
                                       layout=L(width="160px"))
        self.job = BackgroundRun(self._work, self._draw, (self.strategies, self.dataset, self.seeds, self.trials),
                                 redraw_hz=redraw_hz, tooltip="run every strategy with every seed")
        self.job.on_stop.append(lambda: self._current is not None and self._current.stop())
        self.run_button, self.stop_button = self.job.run_button, self.job.stop_button
        self.plot = W.Image(format="png", layout=L(width="1000px", height="364px", object_fit="contain"))
        self.summary = W.HTML()
        classed((self.strategies, "minas-strategies"), (self.dataset, "minas-dataset"), (self.seeds, "minas-seeds"),
                (self.trials, "minas-trials"), (self.plot, "minas-comparison-plot"), (self.summary, "minas-summary"),
                (self.zoom, "minas-zoom"))
        self.widget = frame(
            W.HBox([self.strategies, W.VBox([self.dataset, W.HBox([self.seeds, self.trials]), self.zoom])],
                   layout=L(flex_flow="row wrap", grid_gap="8px 16px")),
            self.job.widget, self.plot, self.summary, cls="minas-comparison")
        self.run_button.on_click(lambda _: self.run())
        self.dataset.observe(self._on_table, names="value")
        self.zoom.observe(lambda _: self._draw(), names="value")     # one click between zoomed and full
        self._draw()

    def _names(self, dataset: str) -> list[str]:
        return [*self.extra, *table_strategies(dataset)]           # yours first, in view

    def _on_table(self, _change: Any = None) -> None:
        """Offer what the new table answers at once; keep the ticked strategies it still offers."""
        names = self._names(self.dataset.value)
        kept = tuple(name for name in self.strategies.value if name in names)
        with held(self.strategies):
            self.strategies.options = names
            self.strategies.value = kept

    @property
    def status(self) -> str:
        """ready, running, finished, stopped or failed."""
        return self.job.status

    def run(self, **choices: Any) -> None:
        """Run every chosen strategy with seeds 0 .. seeds-1 in a background thread; `choices` (strategies,
        dataset, seeds, trials) set the controls first. `wait()` returns when all runs are done."""
        if self.job.running:
            raise RuntimeError("the comparison is already running: stop it first")
        for name in sorted(choices, key=lambda n: n != "dataset"):       # the table first: it sets what is offered
            value = choices[name]
            getattr(self, name).value = tuple(value) if name == "strategies" else value
        self.runs, self.errors = {name: [] for name in self.strategies.value}, {}
        self.job.start()

    def snapshot_body(self) -> str:
        return (f'<div class="minas-progress-label">{self.job.label.value}</div>'
                f'<div class="minas-box minas-comparison-plot">{views.png_html(self.plot.value, "comparison")}</div>'
                f'<div class="minas-summary">{self.summary.value}</div>')

    # --- background ---------------------------------------------------------------------------
    def _work(self, job: BackgroundRun) -> str:
        plan = [(seed, name) for seed in range(self.seeds.value) for name in self.strategies.value]
        bench, trials = benchmark(self.dataset.value), self.trials.value
        for done, (seed, name) in enumerate(plan):
            if job.stopping:
                break
            if name in self.errors:                      # it could not run with an earlier seed either
                continue
            job.report(done / len(plan), f"run {done + 1} / {len(plan)}: {name}, seed {seed}")
            try:
                strategy = self.extra[name]() if name in self.extra else STRATEGIES.create(name)
                search = self._current = minas.Search(bench.space, strategy, Tabular(bench), trials=trials, seed=seed)
                result = search.run()
            except Exception as e:                       # e.g. a strategy that cannot use a lookup table
                self.errors[name] = f"cannot run: {type(e).__name__}: {e}"
                continue
            finally:
                self._current = None
            if result.status == "finished":
                self.runs[name].append(result.trials)
        return f"{sum(len(group) for group in self.runs.values())} runs"

    def _draw(self) -> None:
        from minas.viz import comparison_figure, figure_png
        try:
            runs = {name: group for name, group in self.runs.items() if group}
            png = figure_png(comparison_figure(runs, figsize=(11.0, 4.0), zoom=self.zoom.value))
            with held(self.plot, self.summary):
                self.plot.value = png
                self.summary.value = summary_html(self.runs, self.errors)
        except Exception as e:                          # shown, never printed
            self.summary.value = views.warning_html("drawing failed", e)
