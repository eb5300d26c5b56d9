"""Stopping within a second: `Search.stop()` interrupts the trial in flight between two batches.

An estimator (or a one-shot strategy training its supernet) calls `checkpoint()` between batches.
Outside a search it does nothing; inside one, once `stop()` was called, it raises
`TrialInterrupted`, which unwinds the evaluation. The search then records nothing for that trial
and tells the strategy nothing: the trial was in flight, and is lost. Its proposal is kept, so the
next `run()` of the same `Search` evaluates it first, and a search resumed from the run folder
proposes it again, so the results are those of an uninterrupted run. An estimator that never calls
`checkpoint()` still works: its trial is finished first, as before.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

_scope = threading.local()


class TrialInterrupted(BaseException):
    """The search was asked to stop during this trial. A BaseException, like KeyboardInterrupt, so
    that an estimator's `except Exception` does not turn a stop into a failed trial."""


@contextmanager
def stoppable(stop: threading.Event) -> Iterator[None]:
    """Within this block (in this thread), `checkpoint()` raises once `stop` is set."""
    outer = getattr(_scope, "stop", None)
    _scope.stop = stop
    try:
        yield
    finally:
        _scope.stop = outer


def checkpoint() -> None:
    """Raise `TrialInterrupted` when the search running this code was asked to stop; call it
    between training batches. It costs one attribute lookup."""
    stop = getattr(_scope, "stop", None)
    if stop is not None and stop.is_set():
        raise TrialInterrupted("the search was stopped during this trial")
