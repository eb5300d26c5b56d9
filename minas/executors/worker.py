"""A local worker process: `python -m minas.executors.worker FD`, started by `minas.executors.local`.

It is a fresh interpreter (not a fork: torch's thread pools do not survive a fork, and nothing of the notebook or
script that started the search is imported again), talking to the search over the socket FD. The first message
sets it up: the search's `sys.path`, its CPU threads and GPU, then the search space and the estimator, pickled
by cloudpickle so that a space declared in a notebook (`build` defined in `__main__`) arrives by value. Then it
evaluates one task at a time and sends back progress events and outcomes. A reader thread takes the messages
in: tasks, finished trials to tell the estimator, and interrupts (a stop), which `checkpoint()` turns into
`TrialInterrupted` within a batch. When the search process is gone (killed, crashed), the socket closes and the
worker exits at once, whatever it was doing: it never writes anything but to its search.
"""
from __future__ import annotations

import os
import pickle
import queue
import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any


class Interrupts:
    """The stop flag `checkpoint()` reads for the task in flight: set once its index was interrupted."""

    def __init__(self) -> None:
        self.indices: set[int] = set()
        self.current: int | None = None

    def is_set(self) -> bool:
        return self.current in self.indices


def read(conn: Connection, inbox: queue.Queue, interrupts: Interrupts) -> None:
    """Take the search's messages in until it says quit; exit the process when the search is gone."""
    import cloudpickle
    try:
        while True:
            kind, body = cloudpickle.loads(conn.recv_bytes())
            if kind == "quit":
                break
            if kind == "interrupt":
                interrupts.indices.add(body)
            else:
                inbox.put(body)
    except (EOFError, OSError):
        os._exit(0)                             # the search process is gone: nobody to report to
    inbox.put(None)


def serve(conn: Connection) -> None:
    """Set up from the first message, then evaluate tasks until told to quit."""
    setup = pickle.loads(conn.recv_bytes())
    sys.path[:] = setup["path"]
    import cloudpickle
    import torch

    from minas.executors.base import Outcome, evaluate
    from minas.interrupt import TrialInterrupted, checkpoint, stoppable
    torch.set_num_threads(setup["threads"])
    if setup["gpu"] is not None:
        torch.cuda.set_device(setup["gpu"])
    space, estimator = cloudpickle.loads(setup["payload"])
    estimator.arrived()
    interrupts, inbox = Interrupts(), queue.Queue()
    threading.Thread(target=read, args=(conn, inbox, interrupts), daemon=True, name="minas-worker-inbox").start()
    while (message := inbox.get()) is not None:
        told, task = message
        for trial in told:
            estimator.tell(trial)

        def emit(kind: str, **data: Any) -> None:
            conn.send_bytes(cloudpickle.dumps(("event", (task.index, kind, data))))
            checkpoint()

        interrupts.current = task.index
        with stoppable(interrupts):
            try:
                outcome = evaluate(estimator, task, emit)
            except TrialInterrupted:
                outcome = Outcome(task.index, interrupted=True)
        interrupts.current = None
        conn.send_bytes(cloudpickle.dumps(("done", outcome)))


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is for the search, which then ends its workers
    serve(Connection(int(sys.argv[1])))


if __name__ == "__main__":
    main()
