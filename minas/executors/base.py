"""What every executor shares: the task it is handed, the outcome it hands back, and how one trial is evaluated.

An executor evaluates the trials the search loop hands it (`submit`), as many at once as it has workers, and
gives back their outcomes one at a time, in the order they finish (`wait`). Progress events of the estimator
(e.g. `epoch_finished`) reach the loop through `on_event`, in the search's thread. Workers receive the search
space and the estimator once, when they start, and every finished trial after that (`tell`), so their copy of
the estimator knows what the search's copy knows when the task was sent (early stopping compares curves).
Executors never touch the run folder: only the search process records trials.
"""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import shorten
from ..plain import plain_result

log = logging.getLogger("minas")
OnEvent = Callable[[int, str, dict], None]        # (trial index, event kind, data)


@dataclass(frozen=True)
class Task:
    """One trial to evaluate: its index, architecture, budget and the seed its result depends on."""
    index: int
    arch: Any
    budget: Any
    seed: int


@dataclass
class Outcome:
    """What came back for trial `index`: a plain result, or the error that failed it (with its traceback), or
    `interrupted` when a stop interrupted it (it is then evaluated again later)."""
    index: int
    result: Any = None
    error: str | None = None
    wall: float = 0.0
    trace: str = ""
    interrupted: bool = False


def evaluate(estimator: Any, task: Task, emit: Callable[..., None]) -> Outcome:
    """Evaluate `task` with `estimator`, bound to the task's seed and `emit`; whatever goes wrong with this one
    candidate becomes a failed outcome. A stop (TrialInterrupted), Ctrl-C or SystemExit propagates."""
    estimator.bind(task.seed, emit)
    start = time.perf_counter()
    try:
        result = plain_result(estimator.evaluate(task.arch, task.budget))
        return Outcome(task.index, result, wall=time.perf_counter() - start)
    except Exception as e:
        return Outcome(task.index, error=shorten(f"{type(e).__name__}: {e}"), wall=time.perf_counter() - start,
                       trace=traceback.format_exc())


class Executor:
    """Base class: `workers` trials at once. `start` before the first `submit`; `close` ends the workers."""

    workers: int = 1

    def start(self, space: Any, estimator: Any, on_event: OnEvent) -> None:
        raise NotImplementedError

    @property
    def started(self) -> bool:
        raise NotImplementedError

    def submit(self, task: Task) -> None:
        """Evaluate `task` on a free worker (the loop never submits more than `workers` at once)."""
        raise NotImplementedError

    def wait(self, halt: Any) -> Outcome:
        """The outcome of the next trial to finish (blocks until one does). Once `halt` (a threading.Event) is
        set, the trials in flight are interrupted (`interrupt`)."""
        raise NotImplementedError

    def tell(self, trial: Any) -> None:
        """A trial has finished: the workers' copies of the estimator learn it before their next task."""

    def interrupt(self) -> None:
        """Interrupt the trials in flight (`Search.stop()`): each comes back from `wait` interrupted, or
        finished if it was done first."""

    def close(self, now: bool = False) -> None:
        """End the workers (`now`: at once, without waiting for them); the executor can start again."""

    def describe(self) -> str:
        raise NotImplementedError
