"""One search loop and one event stream for every strategy and estimator, on one worker or many.

    arch = strategy.ask() -> result = estimator.evaluate(arch, budget) -> strategy.tell(trial)

The budget is the search's own, unless the strategy proposes one per trial (`Proposal(arch,
budget)`: multi-fidelity strategies such as successive halving); each trial records its budget.
The estimator is told every finished trial too (`estimator.tell`), e.g. to stop later candidates
whose learning curves cannot catch the best.

Every step emits events (`search_started`, `trial_started`, `epoch_finished`, `trial_finished`,
`trial_interrupted`, `search_paused`, `search_resumed`, `search_finished` / `search_stopped` /
`search_failed`; see `minas.events`) that panels, progress bars, logs and tests subscribe to. With
a `run_dir`, each finished trial is on disk before the search moves on, and a search started again on
the same folder replays the recorded trials into a fresh strategy (no evaluation repeated, `minas.replay`)
and then continues exactly as an uninterrupted run would. While it runs, the search holds the folder's lock
(`minas.runlock`): a second search on the same folder is refused, naming the holder.

Workers: `workers=N` evaluates N trials at once, in local worker processes or on a Ray cluster
(`minas.executors`); the loop (`minas.loop`) asks the strategy whenever a worker is free and records trials in
the order they finish. Each trial's result depends only on its architecture, budget and seed, so one worker or
four give the same numbers. Strategies that cannot run in parallel say so before the first trial.

Interrupts: `stop()` interrupts the trials in flight between two training batches
(`minas.interrupt`), Ctrl-C (KeyboardInterrupt) or any other exception interrupts wherever it
comes. A trial in flight is never recorded nor told to the strategy; its proposal is kept and
evaluated first by the next `run()`, so the results are those of an uninterrupted run. Where the
strategy itself was interrupted (mid-proposal, mid-replay), the object refuses to go on and says
to start a fresh `Search`, which resumes from the run folder.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import SearchError, shorten
from .estimators.base import Estimator
from .events import Event, Listeners
from .executors import check_workers, make_executor
from .loop import Loop
from .objectives import Objective
from .plain import as_json, plain_setting, settings_of
from .runlock import RunLock
from .runlog import RunDirError, RunLog, check_run_dir
from .spaces import SearchSpace
from .strategies import Strategy
from .trial import Trial, trials_frame
from .validate import check_budgets, check_estimator_budgets, check_fit, check_one_worker

log = logging.getLogger("minas")


@dataclass
class SearchResult:
    """The outcome: the best trial, every trial as a DataFrame, and where the run folder is."""
    best: Trial | None
    trials: Any                     # pandas.DataFrame
    run_dir: Path | None
    status: str


class Search(Loop, Listeners):
    """A steppable, stoppable, resumable search. `run()` blocks; `start()` runs it in a thread."""

    fail_fast = 10              # a run whose first this-many trials all fail stops with their error; 0: never

    def __init__(self, space: SearchSpace, strategy: Strategy, estimator: Estimator, *, trials: int | None = 100,
                 seed: int = 0, run_dir: str | Path | None = None, budget: Any = None,
                 max_cost: float | None = None, max_seconds: float | None = None,
                 objective: Objective | None = None, workers: int = 1, executor: str = "local",
                 address: str | None = None, resources: dict[str, float] | None = None):
        """`workers` trials at once: 1 in this process; more in local worker processes, or on a Ray cluster with
        `executor="ray"` (`address` of its head, or None to start Ray here; `resources` of a trial, e.g.
        {"cpus": 2, "gpus": 1}). See `minas.executors`."""
        check_budgets(trials, max_cost, max_seconds)
        check_workers(workers, executor, address)
        self.run_dir = check_run_dir(run_dir) if run_dir is not None else None
        strategy = check_one_worker(strategy, estimator, workers)
        check_fit(space, strategy, estimator)
        estimator.prepare(space)
        check_estimator_budgets(strategy, estimator, budget)
        self.space, self.strategy, self.estimator, self.objective = space, strategy, estimator, objective
        self.max_trials, self.max_cost, self.max_seconds = trials, max_cost, max_seconds
        self.seed, self.budget = seed, budget
        if self.run_dir is not None:
            self.config()                            # every component declares its settings, or no folder
        self._executor = make_executor(workers, executor, address, resources, estimator)
        self.trials: list[Trial] = []
        self.status = "ready"
        self._listeners: list[Callable[[Event], None]] = []
        self._lock = threading.Lock()
        self._stop, self._halt, self._unpaused = threading.Event(), threading.Event(), threading.Event()
        self._unpaused.set()
        self._log: RunLog | None = None
        self._runlock = RunLock(self.run_dir) if self.run_dir is not None else None
        self._thread: threading.Thread | None = None
        self._background = False
        self._begun = False
        self._asked = 0                            # trials asked of the strategy (the next trial's index)
        self._pending: list[Trial] = []            # asked, not recorded: evaluated (or written) first next time
        self._flight: dict[int, Trial] = {}        # evaluated by the workers now, by index
        self._broken: str | None = None            # why this object cannot go on (a fresh Search can)
        self._stepping: int | None = None          # the thread inside step(), to refuse re-entry
        self._loops = 0                            # run() loops going on
        self._run_trials: list[Trial] = []         # trials evaluated by the current run()
        self._warned: set[Any] = set()
        self.strategy_done = False       # the strategy raised StopIteration: nothing more to try

    def config(self) -> dict[str, Any]:
        """What identifies this search: the full settings of its space, strategy and estimator (data
        by fingerprint), seed and budget (the budget of trials or seconds may grow on resume)."""
        from . import __version__
        objective = self.objective.config() if self.objective is not None else None
        return {"minas": __version__, "space": settings_of(self.space, "space"),
                "strategy": settings_of(self.strategy, "strategy"),
                "estimator": settings_of(self.estimator, "estimator"), "seed": self.seed,
                "budget": as_json(self.budget), "objective": plain_setting(objective, "the objective")}

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
        """What the trials cost, simulated or measured; a failed trial costs the seconds it took."""
        return sum(t.cost for t in self.trials)

    @property
    def spent_seconds(self) -> float:
        return sum(t.wall for t in self.trials)

    @property
    def workers(self) -> int:
        """How many trials run at once (fewer than asked for where the machine or the cluster has less room)."""
        return self._executor.workers

    def describe_workers(self) -> str:
        """Where the trials run, e.g. '2 local worker processes, 1 CPU thread each'."""
        return self._executor.describe()

    @property
    def running(self) -> list[Trial]:
        """The trials being evaluated now, oldest first."""
        return sorted(self._flight.values(), key=lambda t: t.index)

    @property
    def current(self) -> Trial | None:
        """The latest trial started and still being evaluated (with one worker: the trial in flight)."""
        return max(self._flight.values(), key=lambda t: t.index, default=None)

    @property
    def exhausted(self) -> bool:
        return ((self.max_trials is not None and len(self.trials) >= self.max_trials)
                or (self.max_cost is not None and self.spent_cost >= self.max_cost)
                or (self.max_seconds is not None and self.spent_seconds >= self.max_seconds))

    # --- the run folder -------------------------------------------------------------------
    def _claim(self) -> None:
        """Hold the run folder's lock (RunDirBusy when another search holds it); on a second
        claim, check that nobody wrote to the folder in between."""
        if self._runlock is None or self._runlock.held:
            return
        self._runlock.acquire()
        if self._log is not None:
            try:
                self._log.check_unchanged()
            except RunDirError as e:
                self._runlock.release()
                self._broken = f"{e}; this Search no longer matches the folder"
                raise

    def _release(self) -> None:
        """Give the run folder back, as `run()` and a `step()` on its own do when they end."""
        if self._runlock is not None:
            self._runlock.release()

    # --- the controls ---------------------------------------------------------------------
    def step(self) -> Trial | None:
        """Evaluate one more architecture (first one an interrupt left pending) and return it once it is
        recorded; None once the budget is spent, the strategy has finished, or a stop interrupted the trial.
        With several workers, it returns the next trial to finish."""
        if self._stepping == threading.get_ident():
            raise RuntimeError("step() was called by a listener of this search, from inside a step: call it "
                               "after the event, from your own code (or use pause() and resume())")
        if self._loops == 0:
            self._halt.clear()                      # a stop meant for an ended run is not for this step
        try:
            return self._step(room=1)
        finally:
            if self._loops == 0:                    # a step on its own holds the folder only meanwhile
                self._release()

    def _step(self, room: int) -> Trial | None:
        """Start up to `room` trials, then record the next to finish (`Loop._advance`), holding the lock."""
        with self._lock:
            self._stepping = threading.get_ident()
            try:
                if self._broken:
                    again = (f" on run_dir {self.run_dir}: it resumes from the folder's {len(self.trials)} recorded "
                             f"trials" if self.run_dir is not None else "")
                    raise SearchError(f"this Search cannot go on: {self._broken}. Start a fresh Search{again}.")
                self._claim()
                if not self._begun:
                    self._guarded("replaying the run folder", self._begin)
                    self._begun, self.status = True, "running"
                return self._advance(room)
            finally:
                self._stepping = None

    @property
    def _ended(self) -> bool:
        """Nothing left to do: the budget is spent or the strategy has finished, and no trial runs."""
        return self._begun and not self._flight and (self.exhausted or self.strategy_done)

    def run(self) -> SearchResult:
        """Run until the budget is spent or `stop()` is called; returns the result. Interrupted
        (Ctrl-C, an exception), it can be run again: it goes on where it was."""
        if self._loops:
            raise RuntimeError("this search is already running (in another thread): stop() it first")
        self._loops += 1
        self._run_trials = []
        try:
            while not self._stop.is_set() and not self._ended:
                if not self._unpaused.is_set():
                    if self._flight:
                        self._step(room=0)          # paused: the trials in flight finish, none starts
                        continue
                    self._emit("search_paused")
                    self._unpaused.wait()
                    self._emit("search_resumed")
                    continue
                if self._step(room=self.workers) is None and not self._flight:
                    break
            self._drain()
        except BaseException as e:
            self.status = "failed"
            self._emit("search_failed", error=shorten(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__))
            raise
        finally:
            with self._lock:                        # a step in another thread (a panel's Step) ends first
                stopped = self._stop.is_set()
                self._stop.clear()                  # a stop is for this run only
                self._halt.clear()
                self._loops -= 1
                self._abandon() if self._flight else self._executor.close()
                self._release()
        ended = self.exhausted or self.strategy_done
        self.status = "stopped" if stopped and not ended else "finished"
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

        self._background = True
        self._thread = threading.Thread(target=work, name="minas-search", daemon=True)
        self._thread.start()
        return self._thread

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background run; True when it has ended."""
        if self._thread:
            self._thread.join(timeout)
        return not (self._thread and self._thread.is_alive())

    def stop(self, finish_trial: bool = False) -> None:
        """End the search within about a second: the trial in flight is interrupted between two
        training batches, not recorded nor told to the strategy, and evaluated first when this
        search runs again (a search resumed from the run folder evaluates it again too), so the
        results are those of an uninterrupted run. With `finish_trial=True`, or with an estimator
        that never checks (`minas.interrupt.checkpoint`), the trial in flight is finished and
        recorded first. A stop before `run()`/`start()` ends that run at once."""
        self._stop.set()
        if not finish_trial:
            self._halt.set()
        self._unpaused.set()

    def close(self) -> None:
        """End the worker processes (or Ray workers) that `step()` left running; `run()` ends them itself."""
        with self._lock:
            self._executor.close()

    def pause(self) -> None:
        """Hand out no new architecture after the trials in flight, until `resume()`."""
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
