"""Spaces users declare themselves, define-by-run: `space = minas.spaces.define(build)`.

`build(hp, input_shape, num_classes)` returns a `torch.nn.Module` and calls `hp.choice(name, options)` for each
decision it makes, as Optuna's `trial.suggest_categorical` and KerasTuner's `hp.Choice` do:

    def build(hp, input_shape, num_classes):
        width = hp.choice("width", [8, 16, 32])
        layers = [nn.Conv1d(input_shape[0], width, 3, padding=1), nn.ReLU()]
        for i in range(hp.choice("depth", [1, 2, 3])):
            k = hp.choice(f"k{i}", [3, 5])                  # exists only when the depth reaches it
            layers += [nn.Conv1d(width, width, k, padding=k // 2), nn.ReLU()]
        return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(width, num_classes))

An architecture is the value of every decision the build made, printed as `width=16,depth=2,k0=3,k1=5`. To
make its decisions (to sample, mutate, count) the space runs `build` on torch's meta device, which allocates
nothing; a build that the meta device cannot run is run on the CPU instead. Those runs use the `input_shape`
given to `define` (by default a 1-D signal, or an image if the build refuses a signal): give the shape you will
search on when your decisions depend on it. A build that fails for some architectures does not stop a search:
each such architecture is a failed trial naming the error.
"""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap
import types
from typing import Any, Callable, Sequence

import torch
import torch.nn as nn

from .base import ArchError, ArchGraph, SpaceError, shorten
from .decisions import Choices, Decision, DecisionSpace, Pick

SHAPES = ((1, 40), (3, 32, 32))      # what decisions are made for when no input_shape is given: a signal, an image
COUNT_LIMIT = 100_000                # a space is counted one architecture at a time, up to this many


class HP:
    """What `build` receives: `hp.choice(name, options)` makes a decision and returns the value taken."""

    def __init__(self, pick: Pick):
        self._pick = pick

    def choice(self, name: str, options: Sequence[Any]) -> Any:
        """One of `options` for the decision `name` (a name used once per architecture, always with the same
        options)."""
        return self._pick(Decision(name, tuple(options)))


def define(build: Callable[..., nn.Module], *, input_shape: Sequence[int] | None = None, num_classes: int = 10,
           name: str | None = None) -> "DeclaredSpace":
    """The search space `build` declares (see the module's docstring)."""
    return DeclaredSpace(build, input_shape=input_shape, num_classes=num_classes, name=name)


class DeclaredSpace(DecisionSpace):
    """The architectures of a user's `build(hp, input_shape, num_classes)`; everything but the networks and
    their drawings follows from its decisions (`DecisionSpace`)."""

    name = "declared"

    def __init__(self, build: Callable[..., nn.Module], *, input_shape: Sequence[int] | None = None,
                 num_classes: int = 10, name: str | None = None):
        if not callable(build):
            raise SpaceError(f"define() takes a function build(hp, input_shape, num_classes), not {build!r}")
        super().__init__()
        self.build, self.title = build, name or getattr(build, "__name__", "build")
        self.num_classes = num_classes
        self.source, self.source_problem = standalone_source(build)
        self.walk_shape = tuple(input_shape) if input_shape is not None else self._shape_for_decisions()
        self._size: int | None = None
        self.decisions                                       # meet them now: a wrong declaration fails here

    def _shape_for_decisions(self) -> tuple:
        """The first of `SHAPES` under which `build` runs with every decision at its first option."""
        for shape in SHAPES:
            try:
                self._run_build(lambda d: d.options[0], shape, "meta")
                return shape
            except (SpaceError, ArchError):
                raise
            except Exception:
                continue
        return SHAPES[0]

    def _run_build(self, pick: Pick, shape: tuple, device: str) -> Any:
        with torch.device(device), torch.random.fork_rng(devices=[]):
            return self.build(HP(pick), shape, self.num_classes)

    def walk(self, pick: Pick) -> None:
        """Run `build` on the meta device (the CPU if it fails there), each decision answered once by `pick`.
        A build that fails after some decisions ends the walk there: that architecture's network fails too."""
        made: list[tuple[str, Any]] = []                  # (name, value) in the order the build asked

        def once(decision: Decision) -> Any:
            if asked[0] < len(made) and made[asked[0]][0] == decision.name:
                value = made[asked[0]][1]                     # a retry on the CPU: the same answers again
            else:
                value = pick(decision)
                made.append((decision.name, value))
            asked[0] += 1
            return value

        for device in ("meta", "cpu"):
            asked = [0]
            try:
                self._run_build(once, self.walk_shape, device)
                return
            except (SpaceError, ArchError):
                raise
            except Exception:
                continue

    def __repr__(self) -> str:
        try:
            size = f"{self.size:,} architectures"
        except SpaceError:
            size = f"more than {COUNT_LIMIT:,} architectures"
        return f"define({self.title}) with {len(self.decisions)} decisions, {size}"

    @property
    def size(self) -> int:
        """The number of architectures, counted one by one (a SpaceError past `COUNT_LIMIT`)."""
        if self._size is None:
            self._size = self.count(limit=COUNT_LIMIT + 1)
        if self._size > COUNT_LIMIT:
            raise SpaceError(f"{self.title} declares more than {COUNT_LIMIT:,} architectures: too many to count "
                             f"one by one")
        return self._size

    def config(self) -> dict[str, Any]:
        """The build's name and standalone source (so a run folder knows which build it searched, and `minas
        export` can write it out), and its decisions."""
        return {"name": self.name, "build": getattr(self.build, "__name__", "build"), "title": self.title,
                "source": self.source, "decisions": {d.name: list(d.options) for d in self.decisions}}

    def to_module(self, arch: Any, *, input_shape: Sequence[int], num_classes: int) -> nn.Module:
        """`build` run with `arch`'s values: ArchError when it asks for a decision `arch` lacks or does not
        make one `arch` has; TypeError when it returns something other than a module."""
        choices = self.choices_of(arch)
        asked: list[str] = []

        def fixed(decision: Decision) -> Any:
            if decision.name not in choices:
                raise ArchError(f"{shorten(arch)} has no value for {decision.name!r}, which {self.title} asks for")
            asked.append(decision.name)
            return choices[decision.name]

        net = self.build(HP(fixed), tuple(input_shape), num_classes)
        unused = [name for name in choices if name not in asked]
        if unused:
            raise ArchError(f"{self.title} did not ask for {', '.join(unused)} with {shorten(arch)}")
        if not isinstance(net, nn.Module):
            raise TypeError(f"{self.title} returned {type(net).__name__} for {shorten(arch)}, not a torch.nn.Module")
        return net

    def describe_graph(self, arch: Any) -> ArchGraph:
        """The network's layers in the order they were defined, from input to output, titled with `arch`."""
        with torch.device("meta"), torch.random.fork_rng(devices=[]):
            net = self.to_module(arch, input_shape=self.walk_shape, num_classes=self.num_classes)
        layers = [m for m in net.modules() if not list(m.children())]
        nodes = [("in", "input", "input")] + [(str(k), layer_label(m), "node") for k, m in enumerate(layers)]
        nodes.append(("out", "output", "output"))
        edges = [(a[0], b[0], "") for a, b in zip(nodes, nodes[1:])]
        return ArchGraph(nodes, edges, title=shorten(arch, 120), rankdir="LR" if len(layers) <= 8 else "TB")

    def export_source(self, arch: Any, *, input_shape: Sequence[int], num_classes: int) -> str:
        """A standalone file building the network of `arch`: the build's source, run with its choices fixed."""
        return declared_export(self.config(), dict(self.choices_of(arch)), input_shape, num_classes,
                               self.source_problem)


def layer_label(m: nn.Module) -> str:
    """A layer as a short label: its type and, for convolutions and linear layers, their sizes."""
    kind = type(m).__name__
    if isinstance(m, nn.modules.conv._ConvNd):
        stride = f" s{m.stride[0]}" if m.stride[0] != 1 else ""
        return f"{kind} {m.in_channels}→{m.out_channels} k{m.kernel_size[0]}{stride}"
    if isinstance(m, nn.Linear):
        return f"{kind} {m.in_features}→{m.out_features}"
    return kind


def declared_export(config: dict[str, Any], choices: dict[str, Any], input_shape: Sequence[int],
                    num_classes: int, problem: str | None = None) -> str:
    """The standalone file for a declared space recorded as `config` (its `config()`), with `choices` fixed."""
    if not config.get("source"):
        raise SpaceError(f"cannot export {config.get('build')}: {problem or 'its source was not recorded'} (define "
                         f"build in a file or a notebook cell, using only modules, functions and plain constants)")
    return f'''{config["source"].rstrip()}


class FixedChoices:
    """Answers each hp.choice(name, options) with the value the search found."""

    def __init__(self, values):
        self.values = values

    def choice(self, name, options):
        return self.values[name]


CHOICES = {choices!r}
INPUT_SHAPE = {tuple(input_shape)!r}
NUM_CLASSES = {num_classes!r}


def build_model():
    """The found network, freshly initialised; load the trained weights with load_state_dict."""
    return {config["build"]}(FixedChoices(CHOICES), INPUT_SHAPE, NUM_CLASSES)
'''


def standalone_source(fn: Callable) -> tuple[str | None, str | None]:
    """`fn`'s source preceded by what it uses from its module: imports of the modules and imported names, the
    source of the functions and classes defined beside it, and plain constants. (source, None), or (None, why
    not) when that cannot be written out."""
    try:
        parts: dict[str, str] = {}
        _collect(fn, parts, set())
    except (OSError, TypeError, SpaceError) as e:
        return None, str(e)
    imports = sorted(v for v in parts.values() if v.startswith(("import ", "from ")))
    rest = [v for v in parts.values() if not v.startswith(("import ", "from "))]
    return "\n".join(imports) + "\n\n\n" + "\n\n\n".join(rest) + "\n", None


def _collect(fn: Callable, parts: dict[str, str], seen: set) -> None:
    """Add to `parts` (in dependency order) the lines that define what `fn` uses, then `fn`'s own source."""
    if id(fn) in seen:
        return
    seen.add(id(fn))
    namespace = getattr(fn, "__globals__", None) or vars(sys.modules[fn.__module__])
    for name in sorted(_names(getattr(fn, "__code__", None)) | _class_names(fn)):
        if name not in parts and name in namespace:
            _define(name, namespace[name], fn, parts, seen)
    code = getattr(fn, "__code__", None)
    for name, cell in zip(code.co_freevars if code else (), getattr(fn, "__closure__", None) or ()):
        _define(name, cell.cell_contents, fn, parts, seen)
    parts[fn.__qualname__] = textwrap.dedent(inspect.getsource(fn)).rstrip()


def _define(name: str, obj: Any, user: Callable, parts: dict[str, str], seen: set) -> None:
    """Add the line (or source) that makes `name` mean `obj` in a standalone file."""
    if isinstance(obj, types.ModuleType):
        parts[name] = f"import {obj.__name__}" if obj.__name__ == name else f"import {obj.__name__} as {name}"
    elif isinstance(obj, (types.FunctionType, type)) and obj.__module__ == user.__module__:
        _collect(obj, parts, seen)
    elif hasattr(obj, "__module__") and hasattr(obj, "__qualname__") and "." not in obj.__qualname__:
        alias = "" if obj.__qualname__ == name else f" as {name}"
        parts[name] = f"from {obj.__module__} import {obj.__qualname__}{alias}"
    elif isinstance(obj, (bool, int, float, str, type(None), tuple, list, dict)) and _literal(obj):
        parts[name] = f"{name} = {obj!r}"
    else:
        raise SpaceError(f"{getattr(user, '__name__', user)} uses {name!r} (a {type(obj).__name__}), which "
                         f"cannot be written into a standalone file")


def _names(code: types.CodeType | None) -> set[str]:
    """The global names a code object (and those nested in it) refers to."""
    if code is None:
        return set()
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _class_names(obj: Any) -> set[str]:
    """The global names the methods of a class refer to."""
    if not isinstance(obj, type):
        return set()
    return set().union(*(_names(getattr(v, "__code__", None)) for v in vars(obj).values()))


def _literal(value: Any) -> bool:
    """Whether `repr(value)` is a Python literal that gives `value` back."""
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError):
        return False
