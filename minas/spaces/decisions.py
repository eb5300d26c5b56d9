"""Spaces made of named decisions: choices as the shared language of search spaces.

A decision is a name and its options: `Decision("k1.2", (3, 5, 7))`. An architecture is the value of every
decision that applies (`Choices`), and whether a decision applies may depend on earlier values: a block's
kernel is decided only when the depth reaches that block. A space says how its decisions follow each other in
one method, `walk(pick)`, which calls `pick(decision)` for each decision in turn and uses the value it returns,
as Optuna's define-by-run `trial.suggest_*` and KerasTuner's `hp.Choice` do. From that alone follow:

- `sample`: every decision picks an option at random;
- `mutate`: one decision takes another option; decisions that then apply anew are sampled, the others stay;
- `neighbours`: every single change of one decision (decisions that apply anew take their first option);
- `encode`: one-hot of each decision's value over every decision the space can make (zeros where one does not
  apply), the vector a surrogate model (BANANAS) fits;
- `enumerate` and `size`: every architecture, in order, by walking the tree of decisions depth first;
- `parse` / `str`: `name=value` pairs joined by commas, e.g. `width=32,stem_k=5,depth=1,k0=3,hidden=32`;
- `decisions`: the list REINFORCE keeps a policy over and a supernet keeps weights over.

So a new space writes only its walk, how to build a network and how to draw one. A space may keep its own
architecture type and printed form (the cell space prints NAS-Bench-201's strings) by overriding `arch_of`,
`choices_of`, `parse` and `__str__` of its architectures.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from .base import ArchError, SearchSpace, SpaceError, shorten

Pick = Callable[["Decision"], Any]
PLAIN = (bool, int, float, str, type(None))


@dataclass(frozen=True)
class Decision:
    """One choice a space offers: a name, and its options in order. Options are numbers, strings, booleans or
    None, each printed differently (the printed form is how an architecture is written and read back)."""
    name: str
    options: tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if not isinstance(self.name, str) or not self.name or any(c in self.name for c in ",= \t\n"):
            raise SpaceError(f"decision name {self.name!r} must be a non-empty string without spaces, ',' or '=' "
                             f"(an architecture is printed as name=value pairs joined by commas)")
        if not self.options:
            raise SpaceError(f"decision {self.name!r} has no options; give it at least one")
        odd = [o for o in self.options if not isinstance(o, PLAIN) or (isinstance(o, str) and any(c in o for c in ",="))]
        if odd:
            raise SpaceError(f"decision {self.name!r}: options must be numbers, strings (without ',' or '='), "
                             f"booleans or None, not {odd[0]!r}")
        printed = [str(o) for o in self.options]
        twice = sorted({p for p in printed if printed.count(p) > 1}) or (
            [] if len(set(self.options)) == len(self.options) else printed)
        if twice:
            raise SpaceError(f"decision {self.name!r} lists {', '.join(twice)} more than once; its options must be "
                             f"distinct: {list(self.options)}")

    def value(self, text: str) -> Any:
        """The option printed as `text`; ArchError listing the options otherwise."""
        for option in self.options:
            if str(option) == text:
                return option
        raise ArchError(f"{shorten(text, 60)!r} is not an option of {self.name!r}; its options are: "
                        f"{', '.join(map(str, self.options))}")


class Choices(Mapping[str, Any]):
    """An architecture of a decision space: the value of each decision that applies, in the order they were
    made. Immutable and hashable; printed as `name=value` pairs joined by commas."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: Mapping[str, Any] | Any = ()):
        self._items = tuple(items.items() if isinstance(items, Mapping) else items)
        self._index = dict(self._items)

    def __getitem__(self, name: str) -> Any:
        return self._index[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Choices) and self._items == other._items

    def __str__(self) -> str:
        return ",".join(f"{name}={value}" for name, value in self._items)

    def __repr__(self) -> str:
        return f"Choices('{self}')"


class DecisionSpace(SearchSpace):
    """A search space defined by `walk(pick)`: everything but building and drawing networks follows from it."""

    def __init__(self) -> None:
        self._known: dict[str, Decision] = {}        # every decision met so far, in the order `decisions` lists
        self._discovered = False

    def walk(self, pick: Pick) -> None:
        """Call `pick(decision)` for each decision that applies, in order; later decisions may depend on the
        values `pick` returned for earlier ones."""
        raise NotImplementedError

    def arch_of(self, choices: Choices) -> Any:
        """The architecture these choices make (the `Choices` themselves, unless the space has its own type)."""
        return choices

    def choices_of(self, arch: Any) -> Choices:
        """The choices that make `arch` (inverse of `arch_of`)."""
        if not isinstance(arch, Choices):
            raise ArchError(f"expected Choices (an architecture of {self!r}), got {type(arch).__name__}: "
                            f"{shorten(repr(arch))}")
        return arch

    # --- the decisions -----------------------------------------------------------------------------------
    @property
    def decisions(self) -> list[Decision]:
        """Every decision this space can make, in walk order: one-hot encoding, policies and supernet weights
        follow this list."""
        self._discover()
        return list(self._known.values())

    def _discover(self) -> None:
        """Meet every decision: walk with every decision at its first option, then once more for each option of
        each decision met, until no new decision appears. A decision that only a combination of several
        non-first options reaches is met the first time a walk makes it."""
        if self._discovered:
            return
        self._discovered = True
        self._resolve(lambda d: d.options[0])
        tried: set[tuple[str, int]] = set()
        while True:
            todo = [(d.name, k) for d in list(self._known.values()) for k in range(1, len(d.options))
                    if (d.name, k) not in tried]
            if not todo:
                return
            name, k = todo[0]
            tried.add((name, k))
            self._resolve(lambda d: d.options[k if d.name == name else 0])

    def _resolve(self, pick: Pick) -> Choices:
        """Walk the space with `pick`, checking every decision met against those met before; the choices made."""
        self._discover()
        made: list[tuple[str, Any]] = []
        previous: list[str] = []

        def decide(decision: Decision) -> Any:
            known = self._known.get(decision.name)
            if known is None:
                self._meet(decision, previous[-1] if previous else None)
            elif known != decision:
                raise SpaceError(f"decision {decision.name!r} is declared again with other options: first "
                                 f"{list(known.options)}, now {list(decision.options)}; give it another name")
            if decision.name in previous:
                raise SpaceError(f"decision {decision.name!r} is made twice in one architecture; give each "
                                 f"decision its own name (e.g. with the layer's number in it)")
            value = pick(decision)
            made.append((decision.name, value))
            previous.append(decision.name)
            return value

        self.walk(decide)
        return Choices(made)

    def _meet(self, decision: Decision, after: str | None) -> None:
        """Add a new decision to `_known`, right after the decision made before it in its walk."""
        items = list(self._known.items())
        at = [name for name, _ in items].index(after) + 1 if after is not None else 0
        items.insert(at, (decision.name, decision))
        self._known = dict(items)

    # --- what follows from them ----------------------------------------------------------------------------
    def make(self, pick: Pick) -> Any:
        """The architecture made by answering each decision that applies with `pick(decision)`."""
        return self.arch_of(self._resolve(pick))

    def sample(self, rng: random.Random) -> Any:
        return self.make(lambda d: rng.choice(d.options))

    def mutate(self, arch: Any, rng: random.Random) -> Any:
        """Another option for one decision (among those with a choice); decisions that then apply anew are
        sampled, the others keep their values (Real et al. 2019's mutation, on any space)."""
        choices = self.choices_of(arch)
        movable = [name for name in choices if len(self._known[name].options) > 1]
        if not movable:
            return arch                                      # a space of one architecture
        name = movable[rng.randrange(len(movable))]
        new = rng.choice([o for o in self._known[name].options if o != choices[name]])
        return self.arch_of(self._resolve(
            lambda d: new if d.name == name else choices[d.name] if d.name in choices else rng.choice(d.options)))

    def neighbours(self, arch: Any) -> list:
        """Every architecture that differs in one decision; a decision that then applies anew takes its first
        option."""
        choices = self.choices_of(arch)
        found = []
        for name, value in choices.items():
            for option in self._known[name].options:
                if option != value:
                    found.append(self.arch_of(self._resolve(
                        lambda d: option if d.name == name else choices.get(d.name, d.options[0]))))
        return list(dict.fromkeys(found))

    def encode(self, arch: Any) -> list[float]:
        """One-hot of each decision's value, decisions in `decisions` order (all zeros where one does not apply)."""
        choices = self.choices_of(arch)
        return [float(d.name in choices and choices[d.name] == option) for d in self.decisions for option in d.options]

    def enumerate(self) -> Iterator:
        """Every architecture, depth first: the first decision changes slowest (like `itertools.product`)."""
        prefix: list[int] = []
        while True:
            taken: list[int] = []
            sizes: list[int] = []

            def pick(d: Decision) -> Any:
                k = prefix[len(taken)] if len(taken) < len(prefix) else 0
                taken.append(k)
                sizes.append(len(d.options))
                return d.options[k]

            yield self.arch_of(self._resolve(pick))
            i = len(taken) - 1
            while i >= 0 and taken[i] + 1 >= sizes[i]:
                i -= 1
            if i < 0:
                return
            prefix = taken[:i] + [taken[i] + 1]

    def count(self, limit: int | None = None) -> int:
        """How many architectures the space holds, by walking them all; stops at `limit` (returning it) if given."""
        n = 0
        for _ in self.enumerate():
            n += 1
            if limit is not None and n >= limit:
                break
        return n

    @property
    def size(self) -> int:
        return self.count()

    # --- printed form ----------------------------------------------------------------------------------------
    def parse(self, text: str) -> Any:
        """The architecture printed as `name=value,name=value,...`; ArchError naming an unknown decision, a value
        outside its options, or a decision missing or given where it does not apply."""
        self._discover()
        text = str(text).strip()
        given: dict[str, Any] = {}
        for part in text.split(","):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ArchError(f"malformed architecture {shorten(text)!r}: expected name=value pairs joined by "
                                f"commas, e.g. {str(self.sample(random.Random(0)))!r}")
            if name in given:
                raise ArchError(f"{shorten(text)!r} gives {name!r} twice")
            if name not in self._known:
                raise ArchError(f"{shorten(text)!r} names an unknown decision {shorten(name, 60)!r}; this space's "
                                f"decisions are: {', '.join(self._known)}")
            given[name] = self._known[name].value(value.strip())
        return self.arch_of(self._replay(given, text))

    def _replay(self, given: Mapping[str, Any], text: str) -> Choices:
        """Walk with the values of `given`; ArchError when a decision made is missing from it, or one in it is
        not made."""
        def pick(d: Decision) -> Any:
            if d.name not in given:
                raise ArchError(f"{shorten(text)!r} gives no value for {d.name!r} (options: "
                                f"{', '.join(map(str, d.options))})")
            return given[d.name]

        choices = self._resolve(pick)
        extra = [name for name in given if name not in choices]
        if extra:
            raise ArchError(f"{shorten(text)!r} gives {', '.join(extra)}, which does not apply with the other "
                            f"values (it depends on an earlier decision)")
        return choices

    def check(self, arch: Any) -> Any:
        """`arch` itself if it is an architecture of this space, else an ArchError saying why."""
        choices = self.choices_of(arch)
        self._replay(choices, str(arch))
        return arch
