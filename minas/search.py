"""One search loop and one event stream for every strategy and estimator.

    arch = strategy.ask() -> result = estimator.evaluate(arch, budget) -> strategy.tell(trial)

The budget is the search's own, unless the strategy proposes one per trial (`Proposal(arch,
budget)`: multi-fidelity strategies such as successive halving); each trial records its budget.
The estimator is told every finished trial too (`estimator.tell`), e.g. to stop later candidates
whose learning curves cannot catch the best.

Every step emits events (`search_started`, `trial_started`, `epoch_finished`, `trial_finished`,
`trial_interrupted`, `search_paused`, `search_resumed`, `search_finished` / `search_stopped` /
`search_failed`; see `minas.events`) that panels, progress bars, logs and tests subscribe to. With
a `run_dir`, each finished trial is on disk before the next starts, and a search started again on
the same folder replays the recorded trials into a fresh strategy (no evaluation repeated) and then
continues exactly as an uninterrupted run would. While it runs, the search holds the folder's lock (`minas.runlock`): a
second search on the same folder is refused, naming the holder.

Interrupts: `stop()` interrupts the trial in flight between two training batches
(`minas.interrupt`), Ctrl-C (KeyboardInterrupt) or any other exception interrupts wherever it
comes. A trial in flight is never recorded nor told to the strategy; its proposal is kept and
evaluated first by the next `run()`, so the results are those of an uninterrupted run. Where the
strategy itself was interrupted (mid-proposal, mid-replay), the object refuses to go on and says
to start a fresh `Search`, which resumes from the run folder.
"""
from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import SearchError, shorten
from .estimators.base import Estimator, derive_seed
from .events import Event, Listeners
from .interrupt import TrialInterrupted, checkpoint, stoppable
from .objectives import Objective
from .plain import plain_result, plain_setting, settings_of
from .runlock import RunLock
from .runlog import RunDirError, RunLog, check_run_dir
from .spaces import SearchSpace
from .strategies import Proposal, Strategy
from .trial import Trial, trials_frame
from .validate import check_budgets, check_first_trials

log = logging.getLogger("minas")


@dataclass
class SearchResult:
    """The outcome: the best trial, every trial as a DataFrame, and where the run folder is."""
    best: Trial | None
    trials: Any                     # pandas.DataFrame
    run_dir: Path | None
    status: str


class Search(Listeners):
    """A steppable, stoppable, resumable search. `run()` blocks; `start()` runs it in a thread."""

    fail_fast = 10              # a run whose first this-many trials all fail stops with their error; 0: never

    def __init__(self, space: SearchSpace, strategy: Strategy, estimator: Estimator, *, trials: int | None = 100,
                 seed: int = 0, run_dir: str | Path | None = None, budget: Any = None,
                 max_cost: float | None = None, max_seconds: float | None = None,
                 objective: Objective | None = None):
        check_budgets(trials, max_cost, max_seconds)
        self.run_dir = check_run_dir(run_dir) if run_dir is not None else None
        check_fit(space, strategy, estimator)
        estimator.prepare(space)
        _check_budgets(strategy, estimator, budget)
        self.space, self.strategy, self.estimator, self.objective = space, strategy, estimator, objective
        self.max_trials, self.max_cost, self.max_seconds = trials, max_cost, max_seconds
        self.seed, self.budget = seed, budget
        if self.run_dir is not None:
            self.config()                            # every component declares its settings, or no folder
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
        self._pending: Trial | None = None         # proposed, not yet recorded: evaluated first next time
        self._broken: str | None = None            # why this object cannot go on (a fresh Search can)
        self._stepping: int | None = None          # the thread inside step(), to refuse re-entry
        self._loops = 0                            # run() loops going on
        self._run_trials: list[Trial] = []         # trials evaluated by the current run()
        self._warned: set[Any] = set()
        self.current: Trial | None = None
        self.strategy_done = False       # the strategy raised StopIteration: nothing more to try

    def config(self) -> dict[str, Any]:
        """What identifies this search: the full settings of its space, strategy and estimator (data
        by fingerprint), seed and budget (the budget of trials or seconds may grow on resume)."""
        from . import __version__
        objective = self.objective.config() if self.objective is not None else None
        return {"minas": __version__, "space": settings_of(self.space, "space"),
                "strategy": settings_of(self.strategy, "strategy"),
                "estimator": settings_of(self.estimator, "estimator"), "seed": self.seed,
                "budget": _as_json(self.budget), "objective": plain_setting(objective, "the objective")}

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

    # --- the loop -------------------------------------------------------------------------
    def _begin(self) -> None:
        """Open the run folder (refused if it is another search's), set the strategy up and replay
        whatever the folder already holds."""
        if self.run_dir is not None:
            self._log = RunLog(self.run_dir, self.config())
        self.strategy.setup(self.space, random.Random(derive_seed(self.seed, "strategy")))
        self.strategy._emit = lambda kind, **data: self._emit(kind, self.current, **data)
        self._emit("search_started")
        if self._log is None:
            return
        for record in self._log.read():
            if self.exhausted:                      # a smaller budget than the folder holds
                break
            arch, budget = self._ask()
            recorded = (record["arch"], record.get("budget", _as_json(self.budget)))
            if (str(arch), _as_json(budget)) != recorded or record["index"] != len(self.trials):
                raise RunDirError(f"run folder {self.run_dir} diverges from this search at trial {len(self.trials)}: "
                                  f"it recorded {shorten(recorded[0])} at budget {recorded[1]!r}, "
                                  f"the strategy now proposes {shorten(arch)} at budget {budget!r}")
            trial = Trial.from_record(record, arch)
            if trial.ok and self.objective is not None:
                trial.objective = self.objective(trial.result)
            self._learn(trial)
            self._emit("trial_finished", trial, replayed=True)

    def _ask(self) -> tuple[Any, Any]:
        """The strategy's next architecture and the budget to evaluate it at."""
        proposal = self.strategy.ask()
        if isinstance(proposal, Proposal):
            return proposal.arch, proposal.budget
        return proposal, self.budget

    def _learn(self, trial: Trial) -> None:
        """Tell the strategy and the estimator a recorded trial."""
        self.trials.append(trial)
        self.strategy.tell(trial)
        self.estimator.tell(trial)

    def _guarded(self, doing: str, work: Callable[[], Any]) -> Any:
        """`work()`; when it is interrupted or raises, this object's strategy is left half-way
        (`doing`), so the object refuses to go on. StopIteration is the strategy's normal end."""
        try:
            return work()
        except StopIteration:
            raise
        except BaseException as e:
            self._broken = f"it was interrupted while {doing} ({type(e).__name__})"
            raise

    def _evaluate(self, trial: Trial) -> None:
        """Run the estimator; whatever goes wrong with this one candidate becomes a failed trial.
        A stop (TrialInterrupted), Ctrl-C or SystemExit leaves the trial unevaluated."""
        def emit(kind: str, **data: Any) -> None:
            self._emit(kind, trial, **data)
            checkpoint()                            # a stop lands at the estimator's next event, at least

        self.estimator.bind(derive_seed(self.seed, "trial", trial.index), emit)
        start = time.perf_counter()
        try:
            result = plain_result(self.estimator.evaluate(trial.arch, trial.budget))
            if self.objective is not None:
                trial.objective = self.objective(result)
            trial.result = result
        except Exception as e:
            trial.error = shorten(f"{type(e).__name__}: {e}")
            log.warning("trial %d failed: %s", trial.index, trial.error)
            log.debug("trial %d (%s) failed:\n%s", trial.index, trial.arch, traceback.format_exc())
            if not self._background:
                self._warn_once("failed trial", f"trial {trial.index} failed: {trial.error} (later failures are "
                                                f"only in the trials table, status 'failed', and the 'minas' log)")
        trial.wall = time.perf_counter() - start

    def _record(self, trial: Trial) -> None:
        """Put a finished trial on disk; if that fails it stays pending, evaluated, for the next run."""
        if self._log is not None:
            self._log.append(trial.to_record())
        self._pending = None

    def step(self) -> Trial | None:
        """Evaluate one more architecture (first the one an interrupt left pending); None once the
        budget is spent, the strategy has finished, or a stop interrupted the trial."""
        if self._stepping == threading.get_ident():
            raise RuntimeError("step() was called by a listener of this search, from inside a step: call it "
                               "after the event, from your own code (or use pause() and resume())")
        with self._lock:
            self._stepping = threading.get_ident()
            try:
                return self._step()
            finally:
                self._stepping = None
                if self._loops == 0:                # a step on its own holds the folder only meanwhile
                    self._release()

    def _step(self) -> Trial | None:
        if self._broken:
            again = (f" on run_dir {self.run_dir}: it resumes from the folder's {len(self.trials)} recorded trials"
                     if self.run_dir is not None else "")
            raise SearchError(f"this Search cannot go on: {self._broken}. Start a fresh Search{again}.")
        if self._loops == 0:
            self._halt.clear()                      # a stop meant for an ended run is not for this step
        self._claim()
        with stoppable(self._halt):
            try:
                trial = self._next()
                if trial is None:
                    return None
                if not (trial.ok or trial.error):
                    self.current = trial
                    self._emit("trial_started", trial)
                    self._evaluate(trial)
            except TrialInterrupted:                # stop(): the trial in flight is left out
                self._emit("trial_interrupted", self._pending)
                return None
            finally:
                self.current = None
        self._record(trial)
        self._run_trials.append(trial)
        self._guarded(f"telling the strategy trial {trial.index}", lambda: self._learn(trial))
        self._emit("trial_finished", trial, replayed=False)
        check_first_trials(self._run_trials, self.fail_fast, self.run_dir)
        return trial

    def _next(self) -> Trial | None:
        """The trial to evaluate now: the pending one, or the strategy's next proposal (None when it
        has finished or the budget is spent). Replays the run folder first."""
        if not self._begun:
            self._guarded("replaying the run folder", self._begin)
            self._begun, self.status = True, "running"
        if self.exhausted or self.strategy_done:
            return None
        if self._pending is None:
            try:
                arch, budget = self._guarded(f"asking the strategy for trial {len(self.trials)}", self._ask)
            except StopIteration:
                self.strategy_done = True
                return None
            self._pending = Trial(len(self.trials), arch, budget=budget)
        return self._pending

    def run(self) -> SearchResult:
        """Run until the budget is spent or `stop()` is called; returns the result. Interrupted
        (Ctrl-C, an exception), it can be run again: it goes on where it was."""
        if self._loops:
            raise RuntimeError("this search is already running (in another thread): stop() it first")
        self._loops += 1
        self._run_trials = []
        try:
            while not self._stop.is_set():
                if self._begun and (self.exhausted or self.strategy_done):
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
            self._emit("search_failed", error=shorten(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__))
            raise
        finally:
            with self._lock:                        # a step in another thread (a panel's Step) ends first
                stopped = self._stop.is_set()
                self._stop.clear()                  # a stop is for this run only
                self._halt.clear()
                self._loops -= 1
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
