"""Ray workers: the trials of one search on a Ray cluster, when one machine is not enough.

Each worker is a Ray actor holding the search space and the estimator (sent once, through Ray's object store)
and asking Ray for the CPUs and GPUs of one trial (`cpus`, `gpus`), so Ray places as many workers on each machine
as its resources allow, and a GPU trial on a machine with a GPU. The search process stays the only writer of the
run folder; events of the workers (epochs) come back through a Ray queue. Without `address`, the search starts a
new Ray instance on this machine, listening on 127.0.0.1 only (`address="auto"` joins one already running here); with it, the search joins an existing cluster
(`ray start --head` on one machine, `ray start --address=HEAD:6379` on the others: see the README), which every
student of a class can point their searches at. minas and its dependencies must be installed on every machine.
Stop ends the actors running trials (each such trial is evaluated again later); a worker that dies fails its
trial and another takes its place.
"""
from __future__ import annotations

import os
import socket
import sys
from collections import deque
from contextlib import contextmanager
from typing import Any, Iterator

from ..errors import SettingsError, shorten, warn
from .base import Executor, OnEvent, Outcome, Task, evaluate

INSTALL = "executor='ray' needs Ray, an optional part of minas: pip install 'minas-kit[ray]' (or pip install ray)"


def import_ray():
    """The `ray` module, or SettingsError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise SettingsError(INSTALL) from None
    return ray


def probe(address: str, timeout: float = 5.0) -> None:
    """SettingsError naming `address` when no Ray head answers there ("auto" finds a local one by itself)."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except (OSError, ValueError) as e:
        raise SettingsError(f"cannot reach a Ray cluster at address={address!r} ({getattr(e, 'strerror', None) or e}); "
                            f"start one with `ray start --head --port=6379` and give HOST:PORT of its head") from None


@contextmanager
def _loopback() -> Iterator[None]:
    """Ray binds a new local instance to the machine's network address unless told so: keep it on 127.0.0.1."""
    before = os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER")
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", None)


class RayWorker:
    """The actor: the space and estimator, unpickled once; evaluates one task at a time."""

    def __init__(self, payload: bytes, threads: int, events: Any, path: list[str]):
        import cloudpickle
        import torch
        sys.path.extend(p for p in path if p not in sys.path and os.path.isdir(p))   # the search's modules, if here
        torch.set_num_threads(threads)
        self.space, self.estimator = cloudpickle.loads(payload)
        self.estimator.arrived()
        self.events = events

    def evaluate(self, message: bytes) -> bytes:
        import cloudpickle
        told, task = cloudpickle.loads(message)
        for trial in told:
            self.estimator.tell(trial)

        def emit(kind: str, **data: Any) -> None:
            self.events.put_nowait((task.index, kind, data))

        return cloudpickle.dumps(evaluate(self.estimator, task, emit))


class RayWorkers(Executor):
    """Up to `workers` actors of `cpus` CPUs and `gpus` GPUs each, on the cluster at `address` (None: a new local
    instance). The address is checked now; Ray starts (or is joined) on first use."""

    def __init__(self, workers: int, address: str | None = None, cpus: float = 1, gpus: float = 0):
        self.ray = import_ray()
        if address is not None:
            probe(address)
        self.workers, self.address, self.cpus, self.gpus = workers, address, cpus, gpus
        self._actors: list[Any] = []
        self._flight: dict[Any, tuple[int, int]] = {}      # result ref -> (slot, trial index)
        self._interrupted: set[int] = set()
        self._told: list = []
        self._sent: list[int] = []
        self._done: deque[Outcome] = deque()
        self._events = None

    @property
    def started(self) -> bool:
        return self._events is not None

    def connect(self) -> None:
        """Join the cluster at `address`, or start a local instance; cap the workers at what it offers."""
        ray = self.ray
        if not ray.is_initialized():
            try:
                if self.address is not None:
                    ray.init(address=self.address, log_to_driver=False)
                else:
                    with _loopback():
                        ray.init(address="local", include_dashboard=False, log_to_driver=False)
            except Exception as e:
                where = f"at address={self.address!r}" if self.address else "on this machine"
                raise SettingsError(f"could not start Ray {where}: {shorten(e, total=500)}") from None
        offered = ray.cluster_resources()
        fits = int(offered.get("CPU", 0) // self.cpus) if self.cpus else self.workers
        if self.gpus:
            fits = min(fits, int(offered.get("GPU", 0) // self.gpus))
        if fits < 1:
            raise SettingsError(f"the Ray cluster offers {offered.get('CPU', 0):g} CPUs and {offered.get('GPU', 0):g} "
                                f"GPUs; a trial asks for {self.cpus:g} CPUs and {self.gpus:g} GPUs")
        if self.workers > fits:
            warn(f"workers={self.workers}: the Ray cluster has room for {fits} trials of {self.cpus:g} CPUs and "
                 f"{self.gpus:g} GPUs at once, so {fits} workers run")
            self.workers = fits

    def start(self, space: Any, estimator: Any, on_event: OnEvent) -> None:
        import cloudpickle
        from ray.util.queue import Queue
        self.connect()
        try:
            payload = cloudpickle.dumps((space, estimator))
        except Exception as e:
            raise SettingsError(f"the search space and the estimator must travel to the Ray workers, but cloudpickle "
                                f"cannot pickle them: {shorten(e, total=400)}") from None
        self._payload = self.ray.put(payload)
        self._on_event, self._events = on_event, Queue()
        self._actors, self._sent, self._told = [None] * self.workers, [0] * self.workers, []

    def _actor(self, k: int) -> Any:
        if self._actors[k] is None:
            remote = self.ray.remote(num_cpus=self.cpus, num_gpus=self.gpus)(RayWorker)
            self._actors[k] = remote.remote(self._payload, max(1, int(self.cpus)), self._events, list(sys.path))
            self._sent[k] = 0
        return self._actors[k]

    def submit(self, task: Task) -> None:
        import cloudpickle
        busy = {slot for slot, _ in self._flight.values()}
        k = next(k for k in range(self.workers) if k not in busy)
        message = cloudpickle.dumps((self._told[self._sent[k]:], task))
        self._flight[self._actor(k).evaluate.remote(message)] = (k, task.index)
        self._sent[k] = len(self._told)

    def tell(self, trial: Any) -> None:
        if self.started:
            self._told.append(trial)

    def wait(self, halt: Any) -> Outcome:
        import cloudpickle
        while not self._done:
            if halt.is_set() and not self._interrupted:
                self.interrupt()
            ready, _ = self.ray.wait(list(self._flight), num_returns=1, timeout=0.2)
            for index, kind, data in self._events.get_nowait_batch(self._events.qsize()):
                self._on_event(index, kind, data)
            for ref in ready:
                k, index = self._flight.pop(ref)
                try:
                    self._done.append(cloudpickle.loads(self.ray.get(ref)))
                except Exception as e:              # the actor died (or a stop ended it)
                    self._actors[k] = None
                    self._done.append(Outcome(index, interrupted=True) if index in self._interrupted else
                                      Outcome(index, error=f"the Ray worker died while evaluating this trial "
                                                           f"({type(e).__name__}: {shorten(e, total=300)}); a new "
                                                           f"worker took its place"))
        return self._done.popleft()

    def interrupt(self) -> None:
        for k, index in self._flight.values():
            self._interrupted.add(index)
            self.ray.kill(self._actors[k])

    def close(self, now: bool = False) -> None:
        for actor in filter(None, self._actors):
            self.ray.kill(actor)
        if self._events is not None:
            self._events.shutdown()
        self._actors, self._flight, self._events = [], {}, None
        self._interrupted.clear()
        self._done.clear()

    def describe(self) -> str:
        where = f"the Ray cluster at {self.address}" if self.address else "Ray on this machine"
        gpus = f" and {self.gpus:g} GPU" if self.gpus else ""
        return f"{self.workers} Ray worker{'s' * (self.workers > 1)} on {where}, {self.cpus:g} CPU{gpus} each"
