"""`SearchControls`: the choices of a search (estimator, dataset, strategy, trials, epochs, seed) and the run
buttons (Start, Pause/Resume, Step, Stop), enabled as the search's state allows. A part of `SearchPanel`."""
from __future__ import annotations

import os
from typing import Any

import ipywidgets as W

import minas
from minas.builder import ESTIMATOR_HELP, dataset_choices

from .panel import classed, held

CHOICES = ("estimator", "dataset", "strategy", "trials", "epochs", "seed")
LIVE = ("preparing", "running", "pausing", "paused", "stepping", "stopping")


def defaults(fast: bool) -> dict[str, Any]:
    """What a new panel offers; small budgets when MINAS_FAST=1 (tests, CI)."""
    return {"estimator": "tabular", "dataset": "cifar10", "strategy": "evolution", "trials": 30 if fast else 100,
            "epochs": 1 if fast else 5, "seed": 0}


class SearchControls:
    """One row of choices, one row of buttons (`buttons`), and a line of help on the chosen estimator."""

    def __init__(self, **choices: Any):
        d = defaults(os.environ.get("MINAS_FAST") == "1") | {k: v for k, v in choices.items() if k in CHOICES}
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
        button = L(width="82px")
        self.start_button = W.Button(description="Start", icon="play", button_style="success",
                                     tooltip="start a new search with these choices", layout=button)
        self.pause_button = W.Button(description="Pause", icon="pause", button_style="warning", disabled=True,
                                     tooltip="finish the trial in flight, then wait", layout=button)
        self.step_button = W.Button(description="Step", icon="step-forward", button_style="info",
                                    tooltip="evaluate exactly one more trial (starts a paused search if none runs)",
                                    layout=button)
        self.stop_button = W.Button(description="Stop", icon="stop", button_style="danger", disabled=True,
                                    tooltip="stop now (the trial in flight is left out)", layout=button)
        self.buttons = (self.start_button, self.pause_button, self.step_button, self.stop_button)
        self.help = W.HTML(layout=L(height="20px"))
        classed((self.start_button, "minas-start"), (self.pause_button, "minas-pause"),
                (self.step_button, "minas-step"), (self.stop_button, "minas-stop"), (self.help, "minas-help"),
                (self.trials, "minas-trials"), (self.epochs, "minas-epochs"), (self.seed, "minas-seed"))
        self.widget = W.HBox([self.estimator, self.dataset, self.strategy, self.trials, self.epochs, self.seed],
                             layout=L(flex_flow="row wrap", align_items="center", grid_gap="4px 8px"))
        self.estimator.observe(self._on_estimator, names="value")
        self._on_estimator()

    def apply(self, choices: dict[str, Any]) -> dict[str, Any]:
        """Set the controls named in `choices` (popped from it); return the arguments of `build_search`, the
        remaining `choices` going to the training estimator. `dataset` may be a `minas.data.Dataset`."""
        dataset = choices.pop("dataset", None)
        for name in CHOICES:
            if name in choices and name != "dataset":
                getattr(self, name).value = choices.pop(name)
        if isinstance(dataset, str):
            self.dataset.value = dataset
        training = {"epochs": self.epochs.value, **choices} if self.estimator.value == "training" else choices
        return dict(estimator=self.estimator.value,
                    dataset=self.dataset.value if dataset is None or isinstance(dataset, str) else dataset,
                    strategy=self.strategy.value, trials=self.trials.value, seed=self.seed.value, **training)

    def set_state(self, state: str) -> None:
        """Enable what makes sense in `state`: choices only when no search runs, Pause/Resume while running or
        paused, Step when paused or idle, Stop while a search runs."""
        live = state in LIVE
        choices = (self.estimator, self.dataset, self.strategy, self.trials, self.seed)
        with held(*self.buttons, self.epochs, *choices):
            self.start_button.disabled = live
            self.stop_button.disabled = not live or state in ("preparing", "stopping")
            self.pause_button.disabled = state not in ("running", "paused")
            resume = state == "paused"
            self.pause_button.description, self.pause_button.icon = ("Resume", "play") if resume else ("Pause", "pause")
            self.pause_button.tooltip = "go on with the search" if resume else "finish the trial in flight, then wait"
            self.step_button.disabled = live and state != "paused"
            for w in choices:
                w.disabled = live
            self.epochs.disabled = live or self.estimator.value != "training"

    def _on_estimator(self, _change: Any = None) -> None:
        name = self.estimator.value
        with held(self.dataset, self.epochs, self.help):
            current, self.dataset.options = self.dataset.value, dataset_choices(name)
            self.dataset.value = current if current in self.dataset.options else self.dataset.options[0]
            self.epochs.disabled = name != "training" or self.estimator.disabled
            self.help.value = f"<b>{name}</b>: {ESTIMATOR_HELP[name]}"
        self.estimator.tooltip = ESTIMATOR_HELP[name]
