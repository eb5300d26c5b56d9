"""`SearchControls`: the choices of a search (space, estimator, dataset, strategy, trials, epochs, seed, workers)
and the run buttons (Start, Pause/Resume, Step, Stop), enabled as the search's state allows. A part of
`SearchPanel`.

The space menu offers minas' spaces (`minas.spaces.SPACES`: cell, chain) and any space handed in from Python
(`spaces={"my cnn": space}`, or `space=space`); the estimator, strategy and dataset menus then offer only what
applies to the chosen space (`minas.builder.estimator_choices`, `strategy_choices`, `dataset_choices`: the
capabilities each method `requires`), so a declared space is never offered a table or DARTS."""
from __future__ import annotations

import os
from typing import Any

import ipywidgets as W

from minas.builder import ESTIMATOR_HELP, dataset_choices, estimator_choices, strategy_choices
from minas.spaces import SPACES, SearchSpace

from .panel import classed, held

CHOICES = ("space", "estimator", "dataset", "strategy", "trials", "epochs", "seed", "workers")
LIVE = ("preparing", "running", "pausing", "paused", "stepping", "stopping")
# what each estimator starts on: a dataset that needs no download (the same name can mean a lookup table for
# one estimator and a download for the other: NAS-Bench-201's cifar10 table, torchvision's CIFAR-10 files)
DEFAULT_DATASET = {"tabular": "cifar10", "training": "mnist1d"}
# the help line under the menus, in words a first-day student knows (the CLI's ESTIMATOR_HELP is terser)
HELP = {"tabular": "look each candidate up in NAS-Bench-201's table: instant; the cost shown is the training time "
                   "it stands for",
        "training": "train each candidate: real seconds per candidate · mnist1d and digits ship with minas; "
                    "mnist, fashion_mnist and cifar10 must be downloaded first"}


def default_dataset(estimator: str, space: Any = "cell") -> str:
    """The dataset a search with `estimator` on `space` starts on when none is named."""
    offered = dataset_choices(estimator, space)
    return DEFAULT_DATASET.get(estimator) if DEFAULT_DATASET.get(estimator) in offered else offered[0]


def defaults(fast: bool) -> dict[str, Any]:
    """What a new panel offers; small budgets when MINAS_FAST=1 (tests, CI)."""
    return {"space": "cell", "estimator": "tabular", "dataset": "cifar10", "strategy": "evolution",
            "trials": 30 if fast else 100, "epochs": 1 if fast else 5, "seed": 0, "workers": 1}


class SearchControls:
    """One row of choices, one row of buttons (`buttons`), and a line of help on the chosen estimator."""

    def __init__(self, spaces: dict[str, Any] | None = None, **choices: Any):
        """`spaces` adds spaces to the menu by label; `choices` set the menus (`space` may be a name or a space)."""
        d = defaults(os.environ.get("MINAS_FAST") == "1") | {k: v for k, v in choices.items() if k in CHOICES}
        if "estimator" in choices and "dataset" not in choices:
            d["dataset"] = default_dataset(d["estimator"])
        self.initial = dict(d)                   # what code gets for the choices it does not name
        style, L = {"description_width": "initial"}, W.Layout
        self.spaces: dict[str, Any] = {name: name for name in SPACES.names()} | dict(spaces or {})
        label = self._label(d["space"])
        self.space = W.Dropdown(options=list(self.spaces), value=label, description="space", style=style,
                                layout=L(width="160px"))
        space, fits = self.chosen_space(), estimator_choices(self.chosen_space())
        estimator = d["estimator"] if d["estimator"] in fits or "estimator" in choices else fits[0]  # a default
        self.estimator = W.Dropdown(options=fits, description="estimator", style=style, layout=L(width="150px"))
        datasets = dataset_choices(estimator, space)
        dataset = d["dataset"] if estimator == d["estimator"] or "dataset" in choices else datasets[0]
        self.dataset = W.Dropdown(options=datasets, description="dataset", style=style, layout=L(width="180px"))
        self.strategy = W.Dropdown(options=strategy_choices(space), description="strategy", style=style,
                                   layout=L(width="165px"))
        for menu, value in ((self.estimator, estimator), (self.dataset, dataset), (self.strategy, d["strategy"])):
            self._pick(menu, value)
        self.trials = W.BoundedIntText(d["trials"], min=1, max=100_000, description="trials", style=style,
                                       layout=L(width="115px"))
        self.epochs = W.BoundedIntText(d["epochs"], min=1, max=200, description="epochs", style=style,
                                       tooltip="training epochs per candidate", layout=L(width="110px"))
        self.seed = W.IntText(value=d["seed"], description="seed", style=style, layout=L(width="85px"))
        self.workers = W.BoundedIntText(d["workers"], min=1, max=max(os.cpu_count() or 1, d["workers"]),
                                        description="workers", style=style, layout=L(width="110px"),
                                        tooltip="candidates evaluated at once, each in its own process with its "
                                                "share of the CPU threads (or one GPU each)")
        button = L(width="100px")                # wide enough for "Resume" beside its icon
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
        classed((self.space, "minas-space"), (self.start_button, "minas-start"), (self.pause_button, "minas-pause"),
                (self.step_button, "minas-step"), (self.stop_button, "minas-stop"), (self.help, "minas-help"),
                (self.trials, "minas-trials"), (self.epochs, "minas-epochs"), (self.seed, "minas-seed"),
                (self.workers, "minas-workers"))
        self.widget = W.HBox([self.space, self.estimator, self.dataset, self.strategy, self.trials, self.epochs,
                              self.seed, self.workers],
                             layout=L(flex_flow="row wrap", align_items="center", grid_gap="4px 8px"))
        self.estimator.observe(self._on_estimator, names="value")
        self.space.observe(self._on_space, names="value")
        self._on_estimator()

    def chosen_space(self) -> Any:
        """The space the menu shows: a name of `minas.spaces.SPACES`, or a space handed in."""
        return self.spaces[self.space.value]

    def _label(self, space: Any) -> str:
        """The menu's label of `space` (a label, a name or a space), added to the menu when it is a new space."""
        if isinstance(space, str):
            if space not in self.spaces:
                raise ValueError(f"unknown search space {space!r}; the panel offers: {', '.join(self.spaces)} (or "
                                 f"pass a space: SearchPanel(space=minas.spaces.define(build)))")
            return space
        if not isinstance(space, SearchSpace):
            raise TypeError(f"space must be a name or a minas search space, not {type(space).__name__}")
        for label, known in self.spaces.items():
            if known is space:
                return label
        base = getattr(space, "title", None) or space.name
        label, n = base, 2
        while label in self.spaces:
            label, n = f"{base} ({n})", n + 1
        self.spaces[label] = space
        if getattr(self, "space", None) is not None:
            self.space.options = list(self.spaces)
        return label

    def apply(self, choices: dict[str, Any], from_menus: bool = False) -> dict[str, Any]:
        """Set the controls named in `choices` (popped from it); return the arguments of `build_search`, the
        remaining `choices` going to the training estimator. `dataset` may be a `minas.data.Dataset`.
        From code (`from_menus=False`) a choice not named takes the panel's initial value (`_from_code`), not
        what the menus were last set to by hand, so a cell runs the same search whatever was clicked before it."""
        if "space" in choices:
            self.space.value = self._label(choices.pop("space"))
        elif not from_menus:
            self.space.value = self._label(self.initial["space"])
        if not from_menus:
            self._from_code(choices)
        dataset = choices.pop("dataset", None)
        for name in CHOICES:
            if name in choices and name not in ("dataset", "space"):
                self._pick(getattr(self, name), choices.pop(name))
        if isinstance(dataset, str):
            self._pick(self.dataset, dataset)
        training = {"epochs": self.epochs.value, **choices} if self.estimator.value == "training" else choices
        return dict(space=self.chosen_space(), estimator=self.estimator.value,
                    dataset=self.dataset.value if dataset is None or isinstance(dataset, str) else dataset,
                    strategy=self.strategy.value, trials=self.trials.value, seed=self.seed.value,
                    workers=self.workers.value, **training)

    def _from_code(self, choices: dict[str, Any]) -> None:
        """Fill in `choices` what code did not name: the initial choice where it applies to the space now chosen,
        else that space's default; a dataset not named follows the estimator (`default_dataset`)."""
        fallback = {"estimator": "training", "strategy": "evolution"}
        for name in ("estimator", "strategy", "trials", "epochs", "seed"):
            menu = getattr(self, name)
            if name not in choices:
                offered = getattr(menu, "options", None)
                initial = self.initial[name]
                choices[name] = (initial if offered is None or initial in offered else
                                 fallback[name] if fallback[name] in offered else offered[0])
        if "dataset" not in choices:
            estimator = choices["estimator"]
            keep = estimator == self.initial["estimator"] and self.initial["dataset"] in dataset_choices(
                estimator, self.chosen_space())
            choices["dataset"] = self.initial["dataset"] if keep else default_dataset(estimator, self.chosen_space())

    def _pick(self, menu: W.ValueWidget, value: Any) -> None:
        """Set a control; a menu refuses, naming what it offers, a value that does not apply to the space."""
        if isinstance(menu, W.Dropdown) and value not in menu.options:
            raise ValueError(f"{menu.description} {value!r} does not apply to the space {self.space.value!r} "
                             f"(with this estimator); the panel offers: {', '.join(map(str, menu.options))}")
        menu.value = value

    def set_state(self, state: str) -> None:
        """Enable what makes sense in `state`: choices only when no search runs, Pause/Resume while running or
        paused, Step when paused or idle, Stop while a search runs."""
        live = state in LIVE
        choices = (self.space, self.estimator, self.dataset, self.strategy, self.trials, self.seed, self.workers)
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

    def _on_space(self, _change: Any = None) -> None:
        """Offer the estimators and strategies that apply to the chosen space; keep those still offered."""
        space = self.chosen_space()
        with held(self.estimator, self.strategy):
            for menu, fits, fallback in ((self.estimator, estimator_choices(space), "training"),
                                         (self.strategy, strategy_choices(space), "evolution")):
                current, menu.options = menu.value, fits
                menu.value = current if current in fits else fallback if fallback in fits else fits[0]
        self._on_estimator()

    def _on_estimator(self, change: Any = None) -> None:
        """A new estimator starts on its own default dataset (otherwise the one shown is kept while it applies)."""
        name = self.estimator.value
        with held(self.dataset, self.epochs, self.help):
            current, self.dataset.options = self.dataset.value, dataset_choices(name, self.chosen_space())
            keep = change is None and current in self.dataset.options
            self.dataset.value = current if keep else default_dataset(name, self.chosen_space())
            self.epochs.disabled = name != "training" or self.estimator.disabled
            self.help.value = f"<b>{name}</b>: {HELP.get(name, ESTIMATOR_HELP[name])}"
        self.estimator.tooltip = ESTIMATOR_HELP[name]
