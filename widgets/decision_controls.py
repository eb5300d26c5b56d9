"""`DecisionControls`: build an architecture of any decision space by hand — one dropdown per decision that
applies. A part of `ArchitectureExplorer` (the chain, declared spaces).

A decision may apply only for some values of earlier ones (a block's kernel exists only up to its stage's
depth), so the dropdowns follow the space's walk (`space.make`): raising a depth makes the new blocks'
dropdowns appear, lowering it removes them. A decision keeps the value last chosen for it, so lowering a depth
and raising it again brings the same blocks back."""
from __future__ import annotations

import re
from typing import Any, Callable

import ipywidgets as W

from minas.spaces import SpaceError

from .panel import held


def css_name(name: str) -> str:
    """A decision's name as part of a CSS class (`k1.2` -> `k1-2`), so browser tests can find its dropdown."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


class DecisionControls:
    """One dropdown per decision of `space` (a `DecisionSpace`) that applies, in the walk's order, starting at
    `arch` (default: every decision at its first option); `on_change()` runs after each choice of the user's."""

    def __init__(self, space: Any, on_change: Callable[[], None], arch: Any = None):
        self.space, self.on_change = space, on_change
        self.values: dict[str, Any] = {}                 # every decision's last value, applying now or not
        self.dropdowns: dict[str, W.Dropdown] = {}       # made once per decision, shown while it applies
        width = max((len(d.name) for d in space.decisions), default=4) * 8 + 12
        self._style, self._layout = {"description_width": f"{width}px"}, f"{width + 80}px"
        self.box = W.Box(layout=W.Layout(flex_flow="row wrap", grid_gap="4px 8px"))
        self.box.add_class("minas-decisions")
        self.widget = W.VBox([W.HTML("<b>the value of each decision</b> (only those that apply)"), self.box])
        self._quiet = False
        self.set_arch(arch if arch is not None else space.make(lambda d: d.options[0]))

    @property
    def arch(self) -> Any:
        """The architecture the dropdowns spell."""
        return self.space.make(self._pick)

    @property
    def shown(self) -> list[str]:
        """The names of the decisions whose dropdowns show, in order: those that apply to `arch`."""
        return [dd.description for dd in self.box.children]

    def set_arch(self, arch: Any) -> None:
        """Show `arch` (an architecture of the space, or its string), without calling `on_change`."""
        arch = self.space.parse(arch) if isinstance(arch, str) else self.space.check(arch)
        self.values.update(self.space.choices_of(arch))
        self._fit()

    def size_html(self) -> str:
        decisions, applying = len(self.space.decisions), len(self.space.choices_of(self.arch))
        try:
            size = f"<b>{self.space.size:,}</b> architectures"
        except SpaceError:                                   # a declared space too large to count
            size = "more than <b>100,000</b> architectures"
        return f"<b>{decisions}</b> decisions, <b>{applying}</b> of them apply here · {size}"

    def _pick(self, decision: Any) -> Any:
        value = self.values.get(decision.name, decision.options[0])
        return value if value in decision.options else decision.options[0]

    def _fit(self) -> None:
        """Show the dropdowns of the decisions that apply, each at its value."""
        choices = self.space.choices_of(self.arch)
        self._quiet = True
        try:
            shown = []
            for name, value in choices.items():
                dropdown = self.dropdowns.get(name) or self._dropdown(name)
                dropdown.value = value
                shown.append(dropdown)
            with held(self.box):
                self.box.children = shown
        finally:
            self._quiet = False

    def _dropdown(self, name: str) -> W.Dropdown:
        decision = next(d for d in self.space.decisions if d.name == name)
        dropdown = W.Dropdown(options=[(str(o), o) for o in decision.options], description=name,
                              style=self._style, layout=W.Layout(width=self._layout))
        dropdown.add_class("minas-decision")
        dropdown.add_class(f"minas-decision-{css_name(name)}")
        dropdown.observe(lambda change: self._on_choice(name, change["new"]), names="value")
        self.dropdowns[name] = dropdown
        return dropdown

    def _on_choice(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        self.values[name] = value
        self._fit()                                          # decisions may appear or disappear
        self.on_change()
