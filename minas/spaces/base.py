"""What every search space offers, and the optional capabilities a method may need from one.

The core is small: `sample`, `parse` (and `str(arch)` back), `to_module` and `describe_graph`. Everything else
is a capability: `mutate`, `neighbours`, `encode`, `enumerate`, `decisions` (a space built from named decisions,
see `decisions.py`) and `supernet` (weight sharing). A strategy or estimator lists the capabilities it needs in
`requires`, and a search checks them before its first trial (`require`), naming what is missing, in the manner of
Archai's capability mixins. A space offers a capability by implementing its method.
"""
from __future__ import annotations

import inspect
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterator, Sequence

import torch.nn as nn


class ArchError(ValueError):
    """A malformed or invalid architecture (bad string, unknown op, wrong size)."""

    def __str__(self) -> str:                  # a pasted 1 MB string is quoted cut, not whole
        from ..errors import shorten
        return shorten(super().__str__())


class SpaceError(ValueError):
    """A search space declared wrongly (no options, an option twice, a name reused with other options), or one
    that lacks what a method needs from it."""


class CapabilityError(SpaceError, TypeError):
    """A strategy or estimator needs a capability that the search space does not offer."""


def named(space: Any) -> str:
    """How messages name a space: its repr, or its class's name when it has no repr of its own."""
    return repr(space) if type(space).__repr__ is not object.__repr__ else type(space).__name__


def shorten(text: Any, limit: int = 200) -> str:
    """`text` as a string of at most `limit` characters, for error messages."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


@dataclass(frozen=True)
class ArchGraph:
    """A drawing of an architecture as plain data: `to_digraph` (graphviz) and `viz` render it."""
    nodes: list[tuple[str, str, str]]                 # (id, label, kind: "input" | "node" | "output")
    edges: list[tuple[str, str, str]]                    # (source id, target id, label)
    title: str = ""
    dashed: set[str] = field(default_factory=set)        # edge labels drawn dashed (e.g. skip connections)
    rankdir: str = "LR"                                  # graphviz layout direction: "LR" or "TB"

    def to_digraph(self):
        """A `graphviz.Digraph` in the DARTS drawing style (left to right, ops on the edges)."""
        import graphviz
        colours = {"input": "darkseagreen2", "node": "lightblue", "output": "palegoldenrod"}
        g = graphviz.Digraph(graph_attr={"rankdir": self.rankdir, "label": self.title, "labelloc": "t",
                                         "fontname": "Helvetica"},
                             node_attr={"style": "filled", "shape": "rect", "fontname": "Helvetica"},
                             edge_attr={"fontname": "Helvetica", "fontsize": "11"})
        for node_id, label, kind in self.nodes:
            g.node(node_id, label, fillcolor=colours[kind])
        for src, dst, label in self.edges:
            g.edge(src, dst, label=label, style="dashed" if label in self.dashed else "solid")
        return g


class SearchSpace(ABC):
    """The set of architectures a search may build. Architectures are small, immutable, hashable, printable:
    `parse(str(arch)) == arch`.

    The network contract, `to_module(arch, *, input_shape, num_classes, **options)`: a freshly initialised
    `torch.nn.Module` (drawn from torch's global random state: seed it first) mapping a batch of shape
    `(N, *input_shape)` to logits of shape `(N, num_classes)`. `options` are the space's own network settings,
    keyword-only and with defaults (the cell space: `channels`, `cells`); `network_options()` lists them, and
    estimators pass a space only those. It raises `ArchError` for an architecture of another space or an input
    shape its networks cannot take."""

    name: str = "space"

    @property
    @abstractmethod
    def size(self) -> int:
        """How many architectures the space holds."""

    @abstractmethod
    def sample(self, rng: random.Random) -> Hashable:
        """One architecture drawn at random."""

    @abstractmethod
    def parse(self, text: str) -> Hashable:
        """The architecture printed as `text` (inverse of `str(arch)`)."""

    @abstractmethod
    def to_module(self, arch: Any, *, input_shape: Sequence[int], num_classes: int, **options: Any) -> nn.Module:
        """A trainable PyTorch network for inputs of `input_shape` (without the batch axis): see the class doc."""

    @abstractmethod
    def describe_graph(self, arch: Any) -> ArchGraph:
        """The architecture as nodes and labelled edges."""

    # --- optional capabilities: a space offers one by implementing it ------------------------------------
    def mutate(self, arch: Any, rng: random.Random) -> Hashable:
        """A random neighbour: the smallest change the space allows (capability `mutate`)."""
        raise NotImplementedError(f"{type(self).__name__} cannot mutate architectures")

    def neighbours(self, arch: Any) -> list:
        """Every architecture one mutation away (capability `neighbours`)."""
        raise NotImplementedError(f"{type(self).__name__} cannot list neighbours")

    def encode(self, arch: Any) -> list[float]:
        """A fixed-length numeric vector, for surrogates and plots (capability `encode`)."""
        raise NotImplementedError(f"{type(self).__name__} cannot encode architectures")

    def enumerate(self) -> Iterator:
        """Every architecture, in a fixed order (capability `enumerate`: finite, small spaces)."""
        raise NotImplementedError(f"{type(self).__name__} cannot enumerate its architectures")

    def supernet(self, *, input_shape: Sequence[int], num_classes: int, **options: Any) -> nn.Module:
        """One network holding every architecture, with shared weights (capability `supernet`; see
        `minas.spaces.supernet.Supernet` for what it must offer)."""
        raise NotImplementedError(f"{type(self).__name__} has no supernet")

    # --- what every space has ---------------------------------------------------------------------------
    def to_graph(self, arch: Any):
        """A graphviz drawing of `arch`."""
        return self.describe_graph(arch).to_digraph()

    def config(self) -> dict[str, Any]:
        """What identifies this space in a run folder: its name and settings."""
        return {"name": self.name}

    def network_options(self) -> dict[str, Any]:
        """The options `to_module` takes besides the architecture, input shape and classes, with their defaults."""
        params = inspect.signature(self.to_module).parameters.values()
        return {p.name: p.default for p in params
                if p.kind is p.KEYWORD_ONLY and p.name not in ("input_shape", "num_classes")}

    def check_input(self, input_shape: Sequence[int], num_classes: int, options: dict[str, Any] | None = None,
                    tries: int = 20) -> None:
        """Build up to `tries` sampled architectures for `input_shape` and pass a batch of two through each (on
        torch's meta device where it can: no memory, no time); raise ArchError, before any trial, when none of
        them can take the input, or when they do not give `num_classes` logits per input. A space whose networks
        fail for some architectures only passes: those become failed trials."""
        rng, errors = random.Random(0), []
        for _ in range(tries):
            arch = self.sample(rng)
            try:
                out = _forward_two(self, arch, tuple(input_shape), num_classes, options or {})
            except Exception as e:
                errors.append(f"{shorten(arch, 100)}: {type(e).__name__}: {shorten(e, 300)}")
                continue
            if tuple(out.shape) != (2, num_classes):
                raise ArchError(f"the networks of {self!r} give outputs of shape {tuple(out.shape)} for a batch of 2 "
                                f"inputs of shape {tuple(input_shape)}; they must give (2, {num_classes}): "
                                f"num_classes={num_classes} logits per input")
            return
        raise ArchError(f"{self!r} cannot build a network for inputs of shape {tuple(input_shape)} and "
                        f"{num_classes} classes; e.g. {errors[0]}")

    def select_options(self, given: dict[str, Any], defaults: dict[str, Any], who: str) -> dict[str, Any]:
        """Of the network options `given` by `who` (e.g. a Training estimator), those this space takes. An option
        the space does not take is dropped when it is at its default in `defaults`, refused otherwise: a width
        set for a space without one must not be silently ignored."""
        takes = self.network_options()
        refused = {k: v for k, v in given.items() if k not in takes and (k not in defaults or v != defaults[k])}
        if refused:
            offered = ", ".join(f"{k}={v!r}" for k, v in takes.items()) or "no options"
            raise SpaceError(f"{who} sets {', '.join(f'{k}={v!r}' for k, v in refused.items())}, which {self!r} does "
                             f"not take; its networks take: {offered}")
        return {k: v for k, v in given.items() if k in takes}


def _forward_two(space: SearchSpace, arch: Any, input_shape: tuple, num_classes: int, options: dict) -> Any:
    """The output of `arch`'s network for two zero inputs: on the meta device, or on the CPU where that fails
    (the CPU's error is the one that counts)."""
    import torch
    with torch.random.fork_rng():                           # building draws weights: leave the seed alone
        for device in ("meta", "cpu"):
            try:
                with torch.device(device), torch.no_grad():
                    net = space.to_module(arch, input_shape=input_shape, num_classes=num_classes, **options)
                    if not isinstance(net, nn.Module):
                        raise TypeError(f"to_module gave {type(net).__name__}, not a torch.nn.Module")
                    return net.eval()(torch.zeros(2, *input_shape))
            except Exception:
                if device == "cpu":
                    raise


CAPABILITIES = {
    "mutate": "a random neighbour of an architecture (`mutate`)",
    "neighbours": "every architecture one change away (`neighbours`)",
    "encode": "a fixed-length vector per architecture (`encode`)",
    "enumerate": "every architecture in turn (`enumerate`)",
    "decisions": "named decisions with options (a `DecisionSpace`, e.g. one made by `minas.spaces.define`)",
    "supernet": "a weight-sharing supernet holding every architecture (`supernet`)",
}


def offers(space: SearchSpace, capability: str) -> bool:
    """Whether `space` offers `capability`, one of `CAPABILITIES`."""
    if capability == "decisions":
        from .decisions import DecisionSpace
        return isinstance(space, DecisionSpace)
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; known: {', '.join(CAPABILITIES)}")
    method = getattr(type(space), capability, None)
    return method is not None and method is not getattr(SearchSpace, capability)


def missing(needs: Sequence[str], space: SearchSpace) -> list[str]:
    """The capabilities of `needs` that `space` lacks."""
    return [c for c in needs if not offers(space, c)]


def require(who: str, needs: Sequence[str], space: SearchSpace, alternatives: Sequence[str] = ()) -> None:
    """Raise `CapabilityError` unless `space` offers every capability in `needs`, saying which are missing and,
    when given, the `alternatives` that do apply."""
    lacking = missing(needs, space)
    if lacking:
        what = "; ".join(CAPABILITIES[c] for c in lacking)
        also = f". On this space you can use: {', '.join(alternatives)}" if alternatives else ""
        raise CapabilityError(f"{who} needs a search space with {what}; {named(space)} has none{also}")
