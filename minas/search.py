"""One search loop and one event stream for every strategy and estimator.

    arch = strategy.ask() -> result = estimator.evaluate(arch, budget) -> strategy.tell(trial)

The budget is the search's own, unless the strategy proposes one per trial (`Proposal(arch,
budget)`: multi-fidelity strategies such as successive halving); each trial records its budget.
The estimator is told every finished trial too (`estimator.tell`), e.g. to stop later candidates
whose learning curves cannot catch the best.

Every step emits events (`search_started`, `trial_started`, `epoch_finished`, `trial_finished`,
`search_paused`, `search_resumed`, `search_finished` / `search_stopped` / `search_failed`) that
panels, progress bars, logs and tests subscribe to. With a `run_dir`, each finished trial is on
disk before the next starts, and a search started again on the same folder replays the recorded
trials into a fresh strategy (no evaluation repeated) and then continues exactly as an
uninterrupted run would.
"""
from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .estimators.base import Estimator, derive_seed
from .objectives import Objective
from .runlog import RunDirError, RunLog
from .spaces import SearchSpace
from .strategies import Proposal, Strategy
from .trial import Trial, trials_frame

log = logging.getLogger("minas")


@dataclass(frozen=True)
class Event:
    """Something that happened in a search; `data` carries the details (e.g. epoch, replayed)."""
    kind: str
    search: "Search"
    trial: Trial | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResult:
    """The outcome: the best trial, every trial as a DataFrame, and where the run folder is."""
    best: Trial | None
    trials: Any                     # pandas.DataFrame
    run_dir: Path | None
    status: str


class Search:
    """A steppable, stoppable, resumable search. `run()` blocks; `start()` runs it in a thread."""

    def __init__(self, space: SearchSpace, strategy: Strategy, estimator: Estimator, *, trials: int | None = 100,
                 seed: int = 0, run_dir: str | Path | None = None, budget: Any = None,
                 max_cost: float | None = None, max_seconds: float | None = None,
                 objective: Objective | None = None):
        if trials is None and max_cost is None and max_seconds is None:
            raise ValueError("give the search a budget: trials, max_cost (simulated seconds) or max_seconds")
        check_fit(space, strategy, estimator)
        estimator.prepare(space)
        _check_budgets(strategy, estimator, budget)
        self.space, self.strategy, self.estimator, self.objective = space, strategy, estimator, objective
        self.max_trials, self.max_cost, self.max_seconds = trials, max_cost, max_seconds
        self.seed, self.budget = seed, budget
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.trials: list[Trial] = []
        self.status = "ready"
        self._listeners: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()
        self._stop, self._unpaused = threading.Event(), threading.Event()
        self._unpaused.set()
        self._log: RunLog | None = None
        self._thread: threading.Thread | None = None
        self.current: Trial | None = None
        self.strategy_done = False       # the strategy raised StopIteration: nothing more to try

    def config(self) -> dict[str, Any]:
        """What identifies this search (the budget of trials or seconds may grow on resume)."""
        from . import __version__
        return {"minas": __version__, "space": self.space.config(), "strategy": self.strategy.config(),
                "estimator": self.estimator.config(), "seed": self.seed, "budget": self.budget,
                "objective": self.objective.config() if self.objective is not None else None}

    # --- events ---------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[Event], None]:
        """Call `listener(event)` for every event, in the thread that runs the search."""
        self._listeners.append(listener)
        return listener

    def unsubscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.remove(listener)

    def _emit(self, kind: str, trial: Trial | None = None, **data: Any) -> None:
        event = Event(kind, self, trial, data)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:                       # a broken view must not break the search
                log.exception("listener %r failed on %s", listener, kind)

    # --- progress -------------------------------------------------------------------------
    @property
    def best(self) -> Trial | None:
        """The best-scoring trial (most accurate, or best by the objective) among those evaluated at the
        highest budget: a one-epoch score of successive halving does not compete with a ten-epoch one."""
        ok = [t for t in self.trials if t.ok and not math.isnan(t.score)]
        budgets = {t.budget for t in ok if isinstance(t.budget, (int, float))}
        if len(budgets) > 1:
            ok = [t for t in ok if t.budget == max(budgets)]
        return max(ok, key=lambda t: t.score) if ok else None

    @property
    def spent_cost(self) -> float:
        return sum(t.cost for t in self.trials)

    @property
    def spent_seconds(self) -> float:
        return sum(t.wall for t in self.trials)

    @property
    def exhausted(self) -> bool:
        return ((self.max_trials is not None and len(self.trials) >= self.max_trials)
                or (self.max_cost is not None and self.spent_cost >= self.max_cost)
                or (self.max_seconds is not None and self.spent_seconds >= self.max_seconds))

    # --- the loop -------------------------------------------------------------------------
    def _begin(self) -> None:
        """Set the strategy up and replay whatever the run folder already holds."""
        self.strategy.setup(self.space, random.Random(derive_seed(self.seed, "strategy")))
        self.strategy._emit = lambda kind, **data: self._emit(kind, self.current, **data)
        self._emit("search_started")
        if self.run_dir is None:
            return
        self._log = RunLog(self.run_dir, self.config())
        for record in self._log.read():
            if self.exhausted:                      # a smaller budget than the folder holds
                break
            arch, budget = self._ask()
            recorded = (record["arch"], record.get("budget", _as_json(self.budget)))
            if (str(arch), _as_json(budget)) != recorded or record["index"] != len(self.trials):
                raise RunDirError(f"run folder {self.run_dir} diverges from this search at trial {len(self.trials)}: "
                                  f"it recorded {recorded[0]} at budget {recorded[1]!r}, "
                                  f"the strategy now proposes {arch} at budget {budget!r}")
            trial = Trial.from_record(record, arch)
            if trial.ok and self.objective is not None:
                trial.objective = self.objective(trial.result)
            self._finish(trial, replayed=True)

    def _ask(self) -> tuple[Any, Any]:
        """The strategy's next architecture and the budget to evaluate it at."""
        proposal = self.strategy.ask()
        if isinstance(proposal, Proposal):
            return proposal.arch, proposal.budget
        return proposal, self.budget

    def _finish(self, trial: Trial, replayed: bool = False) -> None:
        self.strategy.tell(trial)
        self.estimator.tell(trial)
        self.trials.append(trial)
        if self._log and not replayed:
            self._log.append(trial.to_record())
        self._emit("trial_finished", trial, replayed=replayed)

    def _evaluate(self, trial: Trial) -> None:
        """Run the estimator; whatever goes wrong with this one candidate becomes a failed trial."""
        self.estimator.bind(derive_seed(self.seed, "trial", trial.index),
                            lambda kind, **data: self._emit(kind, trial, **data))
        start = time.perf_counter()
        try:
            result = self.estimator.evaluate(trial.arch, trial.budget)
            if not math.isfinite(result.val_acc):
                raise ValueError(f"the estimator returned val_acc={result.val_acc}")
            if self.objective is not None:
                trial.objective = self.objective(result)
            trial.result = result
        except Exception as e:
            trial.error = f"{type(e).__name__}: {e}"
            log.warning("trial %d failed: %s", trial.index, trial.error)
            log.debug("trial %d (%s) failed:\n%s", trial.index, trial.arch, traceback.format_exc())
        trial.wall = time.perf_counter() - start

    def step(self) -> Trial | None:
        """Evaluate one more architecture; None once the budget is spent."""
        with self._lock:
            if self.status == "ready":
                self._begin()
                self.status = "running"
            if self.exhausted or self.strategy_done:
                return None
            try:
                arch, budget = self._ask()
            except StopIteration:
                self.strategy_done = True
                return None
            trial = self.current = Trial(len(self.trials), arch, budget=budget)
            self._emit("trial_started", trial)
            self._evaluate(trial)
            self.current = None
            self._finish(trial)
            return trial

    def run(self) -> SearchResult:
        """Run until the budget is spent or `stop()` is called; returns the result."""
        self._stop.clear()
        try:
            while not self._stop.is_set():
                if self.status == "running" and (self.exhausted or self.strategy_done):
                    break                           # a search paused after its last trial ends
                if not self._unpaused.is_set():
                    self._emit("search_paused")
                    self._unpaused.wait()
                    self._emit("search_resumed")
                    continue
                if self.step() is None:
                    break
        except BaseException as e:
            self.status = "failed"
            self._emit("search_failed", error=f"{type(e).__name__}: {e}")
            raise
        ended = self.exhausted or self.strategy_done
        self.status = "stopped" if self._stop.is_set() and not ended else "finished"
        self._emit(f"search_{self.status}")
        return self.result()

    def start(self) -> threading.Thread:
        """Run in a background thread (notebooks stay responsive); errors arrive as `search_failed`."""
        if self._thread and self._thread.is_alive():
            raise RuntimeError("this search is already running")

        def work() -> None:
            try:
                self.run()
            except BaseException:
                log.exception("search failed")

        self._thread = threading.Thread(target=work, name="minas-search", daemon=True)
        self._thread.start()
        return self._thread

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background run; True when it has ended."""
        if self._thread:
            self._thread.join(timeout)
        return not (self._thread and self._thread.is_alive())

    def stop(self) -> None:
        """Finish the trial in flight, then end cleanly (the run folder stays resumable)."""
        self._stop.set()
        self._unpaused.set()

    def pause(self) -> None:
        """Hand out no new architecture after the trial in flight, until `resume()`."""
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def result(self) -> SearchResult:
        return SearchResult(self.best, trials_frame(self.trials), self.run_dir, self.status)

    def train_best(self, epochs: int = 30):
        """Train the best architecture fully (all training data, `epochs` epochs) with the search's estimator, a
        `Training`; with a run folder, its weights are saved there for `minas export`. Returns the result."""
        from .export import train_best
        return train_best(self, epochs)


def _as_json(value: Any) -> Any:
    """`value` as the run folder records it (tuples become lists, odd objects strings)."""
    return json.loads(json.dumps(value, default=str))


def check_fit(space: SearchSpace, strategy: Strategy, estimator: Estimator) -> None:
    """Fail before any trial, with the strategies or estimators that do apply, when `strategy` or `estimator`
    needs a capability `space` lacks (e.g. DARTS needs a supernet, REINFORCE named decisions)."""
    from .estimators import ESTIMATORS
    from .spaces.base import missing, require
    from .strategies import STRATEGIES
    for part, registry in ((strategy, STRATEGIES), (estimator, ESTIMATORS)):
        fitting = [n for n in registry.names() if not missing(getattr(registry.get(n), "requires", ()), space)]
        require(type(part).__name__, part.requires, space, fitting)


def _check_budgets(strategy: Strategy, estimator: Estimator, budget: Any) -> None:
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


def search(space: SearchSpace | None = None, strategy: Strategy | None = None, estimator: Estimator | None = None,
           *, trials: int | None = 100, seed: int = 0, run_dir: str | Path | None = None,
           progress: bool = False, **options: Any) -> SearchResult:
    """Run a whole search and return its result. Defaults: the NAS-Bench-201 cell space, regularized
    evolution and a CIFAR-10 lookup in NAS-Bench-201. `options` go to `Search` (budget, max_cost, ...)."""
    from .estimators import Tabular
    from .spaces import CellSpace
    from .strategies import RegularizedEvolution
    s = Search(space or CellSpace(), strategy or RegularizedEvolution(), estimator or Tabular(),
               trials=trials, seed=seed, run_dir=run_dir, **options)
    if progress:
        from .progress import ProgressBar
        s.subscribe(ProgressBar())
    return s.run()
