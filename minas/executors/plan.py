"""How many workers a search runs, with how many CPU threads each and which GPU: decided openly, and shown.

A worker is one trial at a time. On the CPU each worker gets its share of the threads torch would use in this
process (small networks scale poorly with threads: on 2 cores, 2 workers of one thread each ran 1.22 times as
many MNIST-1D trials as one worker of 2 threads, benchmarks/parallel.py); more workers than CPU cores would only share the cores, so they are capped, with a
message. Where the estimator trains on CUDA and several GPUs are present, each worker gets a GPU of its own
(workers beyond the number of GPUs are capped the same way); a device with an explicit index (cuda:1) is shared
by every worker, as asked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import SettingsError, warn

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class Plan:
    """`workers` at once, `threads` CPU threads each, worker k on GPU `gpus[k]` (None: the estimator's own device);
    `note` says what was capped, and why (empty when nothing was)."""
    workers: int
    threads: int
    gpus: tuple[int | None, ...]
    note: str = ""

    def describe(self) -> str:
        gpus = [f"cuda:{g}" for g in self.gpus if g is not None]
        on = f", one GPU each ({', '.join(gpus)})" if gpus else ""
        processes = "process" if self.workers == 1 else "processes"
        return f"{self.workers} local worker {processes}, {self.threads} CPU thread{'s' * (self.threads > 1)} each{on}"


def check_workers(workers: object, executor: object, address: object = None) -> None:
    """SettingsError naming the problem for a `workers`, `executor` or `address` that cannot work."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SettingsError(f"workers must be a whole number >= 1 (1: one trial at a time, in this process), "
                            f"not {workers!r}")
    if executor not in EXECUTORS:
        raise SettingsError(f"unknown executor {executor!r}; choose one of {', '.join(map(repr, EXECUTORS))} "
                            f"(local worker processes, or a Ray cluster)")
    if address is not None and executor != "ray":
        raise SettingsError(f"address={address!r} is a Ray cluster's address: it needs executor='ray'")


def plan_workers(workers: int, device: str | None, cpus: int | None, gpus: int, threads: int) -> Plan:
    """The plan for `workers` on a machine with `cpus` cores and `gpus` CUDA GPUs, where this process uses
    `threads` CPU threads and the estimator trains on `device` ("cpu", "cuda", "cuda:1", ... or None for an
    estimator that trains nothing). Capped plans warn once, with the reason."""
    on_gpus = device == "cuda" and gpus > 0
    cores = cpus or 1
    if on_gpus:
        limit, what = gpus, f"{gpus} GPU{'s' * (gpus > 1)} (one worker per GPU; device='cpu' gives CPU workers)"
    else:
        limit, what = cores, f"{cores} CPU core{'s' * (cores > 1)} (more workers would only share them)"
    note = ""
    if workers > limit:
        note = f"workers={workers}: this machine has {what}, so {limit} worker{'s' if limit > 1 else ''} run"
        warn(note)
        workers = limit
    share = max(1, threads // workers)
    return Plan(workers, share, tuple(range(workers)) if on_gpus else (None,) * workers, note)


def machine_plan(workers: int, estimator: object) -> Plan:
    """`plan_workers` for this machine and `estimator` (its `device` field, resolved as the estimator does)."""
    import torch
    from ..device import resolve_device
    device = getattr(estimator, "device", None)
    kind = None
    if device is not None:
        resolved = resolve_device(device)
        kind = "cuda" if resolved.type == "cuda" and resolved.index is None else str(resolved)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return plan_workers(workers, kind, os.cpu_count(), gpus, torch.get_num_threads())
