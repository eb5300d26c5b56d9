"""Settings checked before the first trial, for the API, the command line and the panels alike:
a search's budgets, every knob of a training, and whether the largest network of a search fits in
the machine's memory. A bad setting is refused with a message naming it and the values it may
take, instead of failing every trial (or allocating gigabytes) later."""
from __future__ import annotations

import math
import numbers
import os
import random
from typing import Any

import torch

from .errors import SearchError, SettingsError, shorten

GiB = 2**30


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def at_least(value: Any, low: int, name: str, who: str) -> None:
    if not (_whole(value) and value >= low):
        raise SettingsError(f"{who}: {name} must be a whole number >= {low}, not {value!r}")


def check_budgets(trials: Any, max_cost: Any, max_seconds: Any) -> None:
    """Each budget given must be able to end the search: trials a whole number >= 1, max_cost and
    max_seconds finite numbers > 0; at least one of them given."""
    if trials is None and max_cost is None and max_seconds is None:
        raise SettingsError("give the search a budget: trials, max_cost (simulated seconds) or max_seconds")
    if trials is not None:
        at_least(trials, 1, "trials", "the search's budget")
    for name, value in (("max_cost", max_cost), ("max_seconds", max_seconds)):
        if value is not None and not (_real(value) and value > 0):
            raise SettingsError(f"the search's budget: {name} must be a finite number of seconds > 0, not {value!r}")


def check_training(t: Any) -> None:
    """Every knob of a `Training` estimator, named in the message when it cannot work."""
    who = type(t).__name__
    for name in ("epochs", "channels", "cells", "batch_size", "folds"):
        at_least(getattr(t, name), 1, name, who)
    if not _whole(t.data_seed):
        raise SettingsError(f"{who}: data_seed must be a whole number, not {t.data_seed!r}")
    if not (_real(t.fraction) and 0 < t.fraction <= 1):
        raise SettingsError(f"{who}: fraction (of the training data) must lie in (0, 1], not {t.fraction!r}")
    if t.resolution is not None:
        at_least(t.resolution, 1, "resolution", who)
    if not (_real(t.lr) and t.lr > 0):
        raise SettingsError(f"{who}: lr must be a finite number > 0, not {t.lr!r}")
    if not (_real(t.weight_decay) and t.weight_decay >= 0):
        raise SettingsError(f"{who}: weight_decay must be a finite number >= 0, not {t.weight_decay!r}")
    if not (_real(t.label_smoothing) and 0 <= t.label_smoothing < 1):
        raise SettingsError(f"{who}: label_smoothing must lie in [0, 1), not {t.label_smoothing!r}")
    if getattr(t, "max_params", None) is not None:
        at_least(t.max_params, 1, "max_params", who)
    if t.early_stop is not None and not (_real(t.early_stop) and t.early_stop >= 0):
        raise SettingsError(f"{who}: early_stop must be None (off) or a number of points >= 0, not {t.early_stop!r}")


# --- memory -----------------------------------------------------------------------------------

def available_bytes(device: torch.device) -> int | None:
    """Memory free for a training on `device` now; None when it cannot be told."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        return int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def training_bytes(net: torch.nn.Module, input_shape: tuple[int, ...], batch_size: int) -> int:
    """An estimate of the memory one SGD training of `net` (built on the meta device, so nothing is
    allocated) needs: weights, gradients and two optimiser buffers, plus every layer's output
    kept for the backward pass and its gradient, for one batch of float32."""
    params = sum(p.numel() for p in net.parameters())
    outputs = [0]

    def count(_module, _inputs, out) -> None:
        if isinstance(out, torch.Tensor):
            outputs[0] += out.numel()

    leaves = [m for m in net.modules() if next(m.children(), None) is None]
    hooks = [m.register_forward_hook(count) for m in leaves]
    try:
        with torch.no_grad():
            net(torch.zeros(1, *input_shape, device="meta"))
    finally:
        for h in hooks:
            h.remove()
    return 4 * (4 * params + 2 * batch_size * outputs[0])


def check_network_memory(space: Any, t: Any, shape: tuple[int, ...], options: dict[str, Any], samples: int = 4) -> None:
    """Refuse a `Training` whose networks need more memory than its device has free: the largest
    of a few sampled architectures (seeded), built on the meta device, so nothing is allocated. A
    network that cannot be built there is left unestimated."""
    rng, worst = random.Random(0), 0
    for _ in range(samples):
        try:
            with torch.device("meta"):
                net = space.to_module(space.sample(rng), input_shape=shape, num_classes=t.data.num_classes, **options)
            worst = max(worst, training_bytes(net, shape, t.batch_size))
        except Exception:                           # not buildable on the meta device: not estimated
            continue
    free = available_bytes(t._device)
    if free is not None and worst > free:
        shown = ", ".join(f"{k}={v}" for k, v in options.items())
        raise SettingsError(
            f"{type(t).__name__}: a network of this search ({shown}; input {shape}, {t.data.num_classes} "
            f"classes) needs about {worst / GiB:.1f} GiB to train in batches of {t.batch_size}, but {t._device} "
            f"has {free / GiB:.1f} GiB free; lower channels, cells, batch_size or resolution")


# --- failing searches -------------------------------------------------------------------------

def _cause(trial: Any) -> str:
    """A failed trial's error without its architecture: what it shares with other trials' errors."""
    return (trial.error or "").replace(str(trial.arch), "<arch>")


def check_first_trials(trials: list, n: int, run_dir: Any = None) -> None:
    """SearchError when the first `n` trials of a run (`trials`, just `n` long now) all failed with
    the same error (their architectures aside): a problem no candidate escapes (the data, the
    device) is reported once, instead of spending the whole budget on it. Errors that differ belong
    to the candidates (some networks cannot be built, or are over a cap): the search goes on.
    `n = 0` never stops."""
    causes = {_cause(t) for t in trials}
    if n and len(trials) == n and not any(t.ok for t in trials) and len(causes) == 1:
        where = f" (recorded in {run_dir})" if run_dir is not None else ""
        raise SearchError(f"the first {n} trials all failed{where}, each with {shorten(causes.pop(), total=600)}. "
                          "Fix that before searching further.")


# --- components that must fit together --------------------------------------------------------

def check_fit(space: Any, strategy: Any, estimator: Any) -> None:
    """Fail before any trial, with the strategies or estimators that do apply, when `strategy` or `estimator`
    needs a capability `space` lacks (e.g. DARTS needs a supernet, REINFORCE named decisions)."""
    from .estimators import ESTIMATORS
    from .spaces.base import missing, require
    from .strategies import STRATEGIES
    for part, registry in ((strategy, STRATEGIES), (estimator, ESTIMATORS)):
        fitting = [n for n in registry.names() if not missing(getattr(registry.get(n), "requires", ()), space)]
        require(type(part).__name__, part.requires, space, fitting)


def check_estimator_budgets(strategy: Any, estimator: Any, budget: Any) -> None:
    """Fail before any trial when the estimator cannot evaluate the search's budget or a budget
    the strategy will propose (e.g. successive halving on a table of 200-epoch results only)."""
    estimator.check_budget(budget)
    proposed = strategy.budgets()
    for each in proposed:
        try:
            estimator.check_budget(each)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{type(strategy).__name__} evaluates candidates at budgets {proposed}, which "
                             f"{estimator.describe()} cannot: {e}. A multi-fidelity strategy needs an estimator "
                             f"with low fidelities, e.g. Training or Tabular(MNIST1DBench()).") from None


def check_one_worker(strategy: Any, estimator: Any, workers: int) -> Any:
    """The strategy to run on `workers` (`strategy.for_workers`: successive halving becomes ASHA, said in a
    warning); SettingsError for a strategy or estimator that runs on one worker only."""
    if workers > 1 and getattr(estimator, "one_worker", ""):
        raise SettingsError(f"{type(estimator).__name__} {estimator.one_worker}, so it runs on one worker: use "
                            f"workers=1 (asked for {workers})")
    chosen = strategy.for_workers(workers)
    if chosen is not strategy:
        from .errors import warn
        warn(f"{type(strategy).__name__} waits for each rung's slowest trial; on {workers} workers its asynchronous "
             f"form runs instead: {type(chosen).__name__} (Li et al. 2020), with the same settings")
    return chosen
