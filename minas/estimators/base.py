"""What every performance estimator offers: `evaluate(arch, budget) -> Result`."""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Result:
    """How good an architecture is, and what finding out cost.

    `val_acc` and `test_acc` are percentages; `cost` is the (possibly simulated) seconds the
    estimate cost: training seconds for real training, the benchmark's recorded training time for
    a tabular lookup. `curve` is the validation accuracy after each epoch, when known."""
    val_acc: float
    cost: float
    test_acc: float | None = None
    params: int | None = None
    flops: int | None = None
    curve: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class EstimationError(RuntimeError):
    """A candidate could not be evaluated (diverged, raised); the search records a failed trial."""


def derive_seed(*parts: Any) -> int:
    """A stable 31-bit seed from any printable parts (same on every machine and Python run)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return getattr(value, "name", None) if isinstance(getattr(value, "name", None), str) else str(value)


class Estimator:
    """Base class. `Search` calls `prepare(space)` once, before any trial, `bind` before each `evaluate`,
    handing over the trial's seed and a function that emits progress events (e.g. one per training
    epoch), and `tell` after each trial has finished. `requires` names the capabilities the estimator
    needs from a space (e.g. a supernet), checked before the first trial."""

    name: str = "estimator"
    seed: int = 0
    requires: tuple[str, ...] = ()
    one_worker: str = ""             # why this estimator runs on one worker only; empty: it runs on several

    def bind(self, seed: int, emit: Callable[..., None] | None = None) -> None:
        self.seed, self._emit = seed, emit

    def emit(self, kind: str, **data: Any) -> None:
        if getattr(self, "_emit", None):
            self._emit(kind, **data)

    def evaluate(self, arch: Any, budget: Any = None) -> Result:
        raise NotImplementedError

    def check_budget(self, budget: Any) -> None:
        """Raise ValueError or TypeError, naming the problem, when `evaluate` cannot take `budget`
        (None is the estimator's default fidelity). `Search` checks its budget and every budget
        its strategy proposes before the first trial."""

    def tell(self, trial) -> None:
        """Learn from a finished trial (replayed ones included, so a resumed search behaves exactly
        like an uninterrupted one), e.g. the learning curves that early stopping compares with."""

    def arrived(self) -> None:
        """Called in a worker process (local or on a Ray machine) when this estimator has arrived there: resolve
        what belongs to that machine, e.g. the device "auto"."""

    def prepare(self, space) -> None:
        """Called once by `Search`, before any trial: raise if this estimator cannot score `space`'s
        architectures, and forget what earlier searches told it. Subclasses call this first."""
        from ..spaces.base import require
        require(type(self).__name__, self.requires, space)
        self.space = space

    def searched_space(self, arch: Any = None):
        """The space this estimator scores, as `prepare` set it. Used on its own, a `Cell` builds its own network
        (any cell space holding it builds the same one); any other architecture needs `prepare(space)` first."""
        space = getattr(self, "space", None)
        if space is not None:
            return space
        from ..spaces.cell import Cell, CellSpace
        if isinstance(arch, Cell):
            return CellSpace(tuple(dict.fromkeys(arch.ops)), arch.nodes)
        what = f"the search space of {arch}" if arch is not None else "its search space"
        raise RuntimeError(f"{type(self).__name__} does not know {what}: run it in a search, or call "
                           f"estimator.prepare(space) first")

    def config(self) -> dict[str, Any]:
        """Name and settings, as plain JSON values (a dataset by its name; the search's space left out)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)} if dataclasses.is_dataclass(self) else {}
        return {"name": self.name, **{k: _plain(v) for k, v in fields.items() if k != "space"}}

    def describe(self) -> str:
        """One line for the user: what this estimator does and where (device, threads)."""
        return self.name
