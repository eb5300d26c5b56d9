"""`EstimatorLab`: how well does a cheap estimator rank architectures? Its scores against the benchmark's ground
truth, for several estimators side by side: a scatter each, Kendall's τ, Spearman's ρ, the top-10 % overlap
and the seconds one estimate takes (`minas.analysis.compare` and `scatter_figure`).

The zero-cost proxies (`minas.estimators.proxies`) are offered by name; any other estimator can be passed in,
as an `Estimator` (its `val_acc` is the score) or as a plain function of an architecture returning a score."""
from __future__ import annotations

import html
import math
import random
import time
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as W

from minas.analysis import compare
from minas.benchmarks import NASBench201
from minas.estimators import ZeroCost, proxies

from . import views
from .background import BackgroundPanel, BackgroundRun
from .panel import Panel, classed, frame, held

ZERO_COST = {"input_shape": (3, 32, 32), "num_classes": 10, "channels": 16, "cells": 1, "batch_size": 32}


def stats_html(results: Mapping[str, dict]) -> str:
    """One row per estimator: n, Kendall's τ, Spearman's ρ, top-10 % overlap, seconds per estimate."""
    rows = []
    for name, r in results.items():
        if len(r["scores"]) >= 2:
            s = compare(r["scores"], r["truth"], r["seconds"])
            rows.append([name, s["n"], f"{s['kendall_tau']:.3f}", f"{s['spearman_rho']:.3f}",
                         f"{s['top10pct_overlap']:.0%}", f"{s['seconds_per_estimate']:.3g} s"])
    return views.table_html(["estimator", "n", "Kendall τ", "Spearman ρ", "top-10 %", "per estimate"], rows,
                            "press Run")


class EstimatorLab(BackgroundPanel, Panel):
    """Choose estimators and a number of architectures (drawn at random, seeded, from the benchmark's space);
    Run; compare. `results` maps each estimator to its `scores`, the `truth` and the `seconds` per estimate.

    `bench` is the ground truth (default NAS-Bench-201 CIFAR-10: 200-epoch validation accuracy);
    `estimators` adds named estimators or functions (listed first); `zero_cost` options go to every proxy's
    `ZeroCost` (default: random 3×32×32 inputs, the NAS-Bench-201 network with C = 16 and one cell per stage)."""

    title = "minas estimator lab"

    def __init__(self, estimators: Mapping[str, Any] | None = None, *, bench: Any = None,
                 chosen: Sequence[str] = ("synflow", "params"), archs: int = 50, seed: int = 0,
                 redraw_hz: float = 2.0, **zero_cost: Any):
        self.bench = bench or NASBench201("cifar10")
        self.extra = dict(estimators or {})
        self.zero_cost = ZERO_COST | zero_cost
        self.results: dict[str, dict[str, list]] = {}
        self._pngs: dict[str, tuple[int, bytes]] = {}     # the scatter of each estimator, drawn at n points
        self._images: dict[str, W.Image] = {}
        L, style = W.Layout, {"description_width": "initial"}
        names = [*self.extra, *proxies.names()]                  # those passed in first, in view
        self.choice = W.SelectMultiple(options=names, value=tuple(c for c in chosen if c in names),
                                       rows=min(8, len(names)), description="estimators", style=style,
                                       layout=L(width="260px"))
        self.archs = W.BoundedIntText(archs, min=3, max=self.bench.space.size, description="architectures",
                                      style=style, layout=L(width="170px"))
        self.seed = W.IntText(seed, description="seed", style=style, layout=L(width="100px"))
        self.job = BackgroundRun(self._work, self._draw, (self.choice, self.archs, self.seed), redraw_hz=redraw_hz,
                                 tooltip="score the architectures with every chosen estimator")
        self.run_button, self.stop_button = self.job.run_button, self.job.stop_button
        self.images = W.HBox(layout=L(flex_flow="row wrap", grid_gap="8px"))
        self.stats = W.HTML(stats_html({}))
        classed((self.choice, "minas-estimators"), (self.archs, "minas-archs"), (self.images, "minas-scatters"),
                (self.stats, "minas-stats"))
        self.widget = frame(
            W.HBox([self.choice, W.VBox([self.archs, self.seed, W.HTML(
                f'<div class="minas-help">ground truth: {html.escape(repr(self.bench))}</div>')])],
                layout=L(flex_flow="row wrap", grid_gap="8px 16px")),
            self.job.widget, self.stats, self.images, cls="minas-estimator-lab")
        self.run_button.on_click(lambda _: self.run())

    @property
    def status(self) -> str:
        """ready, running, finished, stopped or failed."""
        return self.job.status

    def run(self, **choices: Any) -> None:
        """Score the architectures with every chosen estimator in a background thread; `choices` (choice,
        archs, seed) set the controls first. `wait()` returns when it is done."""
        if self.job.running:
            raise RuntimeError("the lab is already running: stop it first")
        for name, value in choices.items():
            getattr(self, name).value = tuple(value) if name == "choice" else value
        self.results, self._pngs = {}, {}
        for image in self._images.values():
            image.close()
        self._images, self.images.children = {}, ()
        self.job.start()

    def snapshot_body(self) -> str:
        images = "".join(f'<div class="minas-box">{views.png_html(png, name)}</div>'
                         for name, (_, png) in self._pngs.items())
        return f'{self.stats.value}<div class="row minas-scatters">{images}</div>'

    # --- background ---------------------------------------------------------------------------
    def sample(self, n: int, seed: int) -> tuple[list, list[float]]:
        """`n` distinct architectures drawn with `seed` from the benchmark's space, and their true accuracy
        (architectures a partial table does not know are skipped)."""
        space, rng = self.bench.space, random.Random(seed)
        archs, seen = [], set()
        while len(seen) < min(n, space.size):
            seen.add(space.sample(rng))
        truth = []
        for arch in sorted(seen, key=str):
            try:
                truth.append(self.bench.query(arch)["val_acc"])
                archs.append(arch)
            except KeyError:
                continue
        order = list(range(len(archs)))
        rng.shuffle(order)
        return [archs[i] for i in order], [truth[i] for i in order]

    def _scorer(self, name: str) -> Callable[[Any], float]:
        """A function arch -> score for the estimator called `name`."""
        estimator = self.extra.get(name) or ZeroCost(proxy=name, **self.zero_cost)
        if not hasattr(estimator, "evaluate"):
            return estimator
        estimator.prepare(self.bench.space)

        def score(arch: Any) -> float:
            estimator.bind(self.seed.value)
            return estimator.evaluate(arch).val_acc
        return score

    def _work(self, job: BackgroundRun) -> str:
        names = list(self.choice.value)
        archs, truth = self.sample(self.archs.value, self.seed.value)
        total = max(1, len(names) * len(archs))
        for e, name in enumerate(names):
            score = self._scorer(name)
            result = self.results[name] = {"scores": [], "truth": [], "seconds": []}
            for k, arch in enumerate(archs):
                if job.stopping:
                    return f"{len(self.results)} estimator(s)"
                start = time.perf_counter()
                value = score(arch)
                result["seconds"].append(time.perf_counter() - start)
                result["scores"].append(value if value is not None else math.nan)
                result["truth"].append(truth[k])
                job.report((e * len(archs) + k + 1) / total, f"{name}: {k + 1} / {len(archs)} architectures")
        return f"{len(names)} estimator(s) on {len(archs)} architectures"

    def _draw(self) -> None:
        from minas.analysis import scatter_figure
        from minas.viz import figure_png
        try:
            for name, r in list(self.results.items()):
                n = len(r["scores"])
                if n >= 2 and self._pngs.get(name, (0,))[0] != n:
                    fig = scatter_figure(r["scores"], r["truth"], name, cost=r["seconds"])
                    self._pngs[name] = (n, figure_png(fig))
                    if name not in self._images:
                        self._images[name] = W.Image(format="png", layout=W.Layout(width="400px"))
                    self._images[name].value = self._pngs[name][1]
            with held(self.images, self.stats):
                if len(self.images.children) != len(self._images):
                    self.images.children = tuple(self._images.values())
                self.stats.value = stats_html(self.results)
        except Exception as e:                          # shown, never printed
            self.stats.value = views.warning_html("drawing failed", e)
