"""Where a search's trials are evaluated: in its own thread (`workers=1`, as minas always did), in local worker
processes (`workers=N`), or on a Ray cluster (`executor="ray"`). The search loop is the same for all three: it
hands an executor trials, collects their outcomes in the order they finish, records them and tells the strategy.
"""
from __future__ import annotations

from typing import Any

from .base import Executor, Outcome, Task
from .plan import EXECUTORS, Plan, check_workers, machine_plan, plan_workers


def make_executor(workers: int, executor: str = "local", address: str | None = None,
                  resources: dict[str, float] | None = None, estimator: Any = None) -> Executor:
    """The executor for `workers` trials at once: `Inline` for one local worker, `LocalWorkers` for several, and
    `RayWorkers` on a Ray cluster (`address`, or a local instance) with `resources` ({"cpus": 1, "gpus": 0})
    per trial. Bad settings, a missing Ray or an unreachable address raise SettingsError now."""
    check_workers(workers, executor, address)
    if executor == "ray":
        from .ray import RayWorkers
        extra = set(resources or {}) - {"cpus", "gpus"}
        if extra:
            from ..errors import SettingsError
            raise SettingsError(f"resources per trial are 'cpus' and 'gpus', not {sorted(extra)}")
        return RayWorkers(workers, address, **(resources or {}))
    if resources:
        from ..errors import SettingsError
        raise SettingsError("resources per trial apply to executor='ray'; local workers share this machine's "
                            "threads and GPUs between them (see minas.executors.plan)")
    if workers == 1:
        from .inline import Inline
        return Inline()
    from .local import LocalWorkers
    return LocalWorkers(machine_plan(workers, estimator))


__all__ = ["EXECUTORS", "Executor", "Outcome", "Plan", "Task", "check_workers", "make_executor", "machine_plan",
           "plan_workers"]
