"""Local workers: N worker processes on this machine, each evaluating one trial at a time.

Each worker is a fresh interpreter (`python -m minas.executors.worker`, see there why not a fork) with its share
of the CPU threads (OMP_NUM_THREADS and torch's own setting) or a GPU of its own (`minas.executors.plan`). The
search space and the estimator are pickled once per run (cloudpickle: a space declared in a notebook travels by
value) and sent to each worker as it starts; the dataset travels with the estimator, once per worker, never per
trial. A worker that dies in a trial (a crash, the out-of-memory killer) fails that trial, naming its exit code,
and a new worker takes its place; the search goes on. Workers never touch the run folder.

POSIX only (Linux, macOS): the socket is handed to the worker as an inherited file descriptor.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import Any

from ..errors import SettingsError, shorten
from .base import Executor, OnEvent, Outcome, Task
from .plan import Plan

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])     # the folder that holds `minas`


@dataclass
class Worker:
    """One worker process, its end of the socket, the task it runs (if any) and how many trials it was told."""
    process: subprocess.Popen
    conn: Connection
    task: Task | None = None
    told: int = 0
    events: list = field(default_factory=list)


class LocalWorkers(Executor):
    """`plan.workers` processes, started on first use and ended by `close`."""

    def __init__(self, plan: Plan):
        if os.name != "posix":
            raise SettingsError("local workers need Linux or macOS; on this system use workers=1, or "
                                "executor='ray'")
        self.plan, self.workers = plan, plan.workers
        self._slots: list[Worker | None] = [None] * plan.workers
        self._payload: bytes | None = None
        self._told: list = []
        self._done: deque[Outcome] = deque()

    @property
    def started(self) -> bool:
        return self._payload is not None

    def start(self, space: Any, estimator: Any, on_event: OnEvent) -> None:
        import cloudpickle
        try:
            self._payload = cloudpickle.dumps((space, estimator))
        except Exception as e:
            raise SettingsError(f"the search space and the estimator must travel to the worker processes, but "
                                f"cloudpickle cannot pickle them: {shorten(e, total=400)}. Use workers=1, or keep "
                                f"what cannot be pickled (open files, locks, threads) out of them") from None
        self._on_event, self._told = on_event, []

    def _spawn(self, k: int) -> Worker:
        """Start worker `k` and send it its set-up (threads, GPU, the search's path, space and estimator)."""
        ours, theirs = Pipe()
        threads = str(self.plan.threads)
        env = dict(os.environ, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                   PYTHONPATH=os.pathsep.join([PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        process = subprocess.Popen([sys.executable, "-m", "minas.executors.worker", str(theirs.fileno())],
                                   pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        ours.send_bytes(pickle.dumps({"path": list(sys.path), "threads": self.plan.threads,
                                      "gpu": self.plan.gpus[k], "payload": self._payload}))
        return Worker(process, ours)

    def submit(self, task: Task) -> None:
        import cloudpickle
        k = next(k for k, w in enumerate(self._slots) if w is None or w.task is None)
        if self._slots[k] is None:
            self._slots[k] = self._spawn(k)
        worker = self._slots[k]
        worker.conn.send_bytes(cloudpickle.dumps(("task", (self._told[worker.told:], task))))
        worker.told, worker.task = len(self._told), task

    def tell(self, trial: Any) -> None:
        if self.started:
            self._told.append(trial)

    def wait(self, halt: Any) -> Outcome:
        interrupted = False
        while not self._done:
            busy = {w.conn: (k, w) for k, w in enumerate(self._slots) if w is not None and w.task is not None}
            if not busy:
                raise RuntimeError("wait() with no trial in flight")
            if halt.is_set() and not interrupted:
                self.interrupt()
                interrupted = True
            for conn in wait(list(busy), timeout=0.1):
                self._receive(*busy[conn])
        return self._done.popleft()

    def _receive(self, k: int, worker: Worker) -> None:
        """Handle one message of worker `k`: an event, an outcome, or its death (a failed outcome)."""
        import cloudpickle
        try:
            kind, body = cloudpickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError):
            self._slots[k] = None
            code = _exit_code(worker.process)
            self._done.append(Outcome(worker.task.index, error=f"the worker process died (exit code {code}) while "
                                                               f"evaluating this trial; a new worker took its place"))
            worker.conn.close()
            return
        if kind == "event":
            self._on_event(*body)
        else:
            worker.task = None
            self._done.append(body)

    def interrupt(self) -> None:
        import cloudpickle
        for worker in self._slots:
            if worker is not None and worker.task is not None:
                try:
                    worker.conn.send_bytes(cloudpickle.dumps(("interrupt", worker.task.index)))
                except OSError:                     # it died: wait() reports it
                    pass

    def close(self, now: bool = False) -> None:
        import cloudpickle
        for worker in filter(None, self._slots):
            try:
                if now:
                    worker.process.kill()
                else:
                    worker.conn.send_bytes(cloudpickle.dumps(("quit", None)))
            except OSError:
                pass
        for worker in filter(None, self._slots):
            _exit_code(worker.process)
            worker.conn.close()
        self._slots = [None] * self.workers
        self._payload, self._told = None, []
        self._done.clear()

    def describe(self) -> str:
        return self.plan.describe()


def _exit_code(process: subprocess.Popen) -> int:
    """The worker's exit code, once it has exited (killed after 10 seconds if it does not)."""
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
