"""One worker, no process: each trial is evaluated in the search's own thread, as minas always did. It is what
`workers=1` runs, so a sequential search is exactly what it was: the same estimator object, events straight from
the estimator, and `Search.stop()` landing at the estimator's next `checkpoint()` (the loop wraps `wait` in
`minas.interrupt.stoppable`)."""
from __future__ import annotations

from typing import Any

from ..interrupt import checkpoint
from .base import Executor, OnEvent, Outcome, Task, evaluate


class Inline(Executor):
    """Evaluates the one submitted task when the loop waits for it."""

    workers = 1

    def __init__(self) -> None:
        self._task: Task | None = None
        self._estimator: Any = None

    def start(self, space: Any, estimator: Any, on_event: OnEvent) -> None:
        self._estimator, self._on_event = estimator, on_event

    @property
    def started(self) -> bool:
        return self._estimator is not None

    def submit(self, task: Task) -> None:
        self._task = task

    def wait(self, halt: Any) -> Outcome:
        task, self._task = self._task, None

        def emit(kind: str, **data: Any) -> None:
            self._on_event(task.index, kind, data)
            checkpoint()                            # a stop lands at the estimator's next event, at least

        return evaluate(self._estimator, task, emit)

    def close(self, now: bool = False) -> None:
        self._task = None

    def describe(self) -> str:
        return "1 worker (this process)"
