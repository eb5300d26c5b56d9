"""The search loop, for one worker or many: ask the strategy whenever a worker is free, hand the trial to the
executor, and when a trial finishes record it, tell the strategy and the estimator, and emit its events.

    while budget left:  fill free workers (pending trials first, then strategy.ask() -> strategy.started(trial))
                        outcome = executor.wait()  ->  record (run folder)  ->  strategy.tell, estimator.tell

With one worker (`minas.executors.inline`) this is exactly the sequential loop: ask, evaluate, record, tell.
With several, trials finish in any order; each is recorded when it finishes, with `asked`, the number of trials
asked for by then, which is what replaying the folder needs (`minas.replay`). A trial is indexed in the order it
was asked for. Trials asked for but not recorded are `_pending`: interrupted by a stop, in flight when the search
was killed (found by the replay), or evaluated but not written (a full disk); the next run takes them first.
`Search` (`minas.search`) holds the settings and the public controls; this mixin is the machinery.
"""
from __future__ import annotations

import logging
import random
from typing import Any, Callable

from .errors import SearchError, shorten
from .estimators.base import derive_seed
from .executors import Outcome, Task
from .interrupt import TrialInterrupted, stoppable
from .replay import replay
from .runlog import RunLog
from .strategies import Proposal, Wait
from .trial import Trial
from .validate import check_first_trials

log = logging.getLogger("minas")


class Loop:
    """The machinery of `Search`: its fields are made in `Search.__init__`."""

    # --- asking -------------------------------------------------------------------------
    def _begin(self) -> None:
        """Open the run folder (refused if it is another search's), set the strategy up and replay whatever the
        folder already holds."""
        if self.run_dir is not None:
            self._log = RunLog(self.run_dir, self.config())
        self.strategy.setup(self.space, random.Random(derive_seed(self.seed, "strategy")))
        self.strategy._emit = lambda kind, **data: self._emit(kind, self.current, **data)
        self._emit("search_started")
        if self._log is not None:
            replay(self, self._log.read())

    def _ask(self) -> tuple[Any, Any]:
        """The strategy's next architecture and the budget to evaluate it at."""
        proposal = self.strategy.ask()
        if isinstance(proposal, Proposal):
            return proposal.arch, proposal.budget
        return proposal, self.budget

    def _ask_new(self) -> Trial:
        """A new trial from the strategy, indexed in the order of asking and told to it as started."""
        arch, budget = self._ask()
        trial = Trial(self._asked, arch, budget=budget)
        self._asked += 1
        self.strategy.started(trial)
        return trial

    def _guarded(self, doing: str, work: Callable[[], Any]) -> Any:
        """`work()`; when it is interrupted or raises, this object's strategy is left half-way (`doing`), so the
        object refuses to go on. StopIteration and Wait are the strategy's normal answers."""
        try:
            return work()
        except (StopIteration, Wait):
            raise
        except BaseException as e:
            self._broken = f"it was interrupted while {doing} ({type(e).__name__})"
            raise

    def _full(self) -> bool:
        """No trial may start now: the budget is spent, or the trials in flight complete the trials budget."""
        return self.exhausted or (self.max_trials is not None
                                  and len(self.trials) + len(self._flight) >= self.max_trials)

    def _next(self) -> Trial | None:
        """The trial to start now: a pending one, or the strategy's next proposal; None when the budget is spent,
        the strategy has finished, or it waits for a running trial."""
        if self._full():
            return None
        if self._pending:
            return self._pending.pop(0)
        if self.strategy_done:
            return None
        try:
            return self._guarded(f"asking the strategy for trial {self._asked}", self._ask_new)
        except StopIteration:
            self.strategy_done = True
        except Wait:
            if not self._flight:
                raise SearchError(f"{type(self.strategy).__name__} waits for a running trial, but none is running: "
                                  "a strategy may raise Wait only while some of its trials run") from None
        return None

    # --- evaluating ---------------------------------------------------------------------
    def _fill(self, room: int) -> None:
        """Start up to `room` trials on the free workers (the executor's workers start on first use)."""
        while room > 0 and len(self._flight) < self.workers and not self._halt.is_set():
            trial = self._next()
            if trial is None:
                return
            if not self._executor.started:
                self._executor.start(self.space, self.estimator, self._worker_event)
            self._flight[trial.index] = trial
            self._emit("trial_started", trial)
            self._executor.submit(Task(trial.index, trial.arch, trial.budget,
                                       derive_seed(self.seed, "trial", trial.index)))
            room -= 1

    def _worker_event(self, index: int, kind: str, data: dict) -> None:
        self._emit(kind, self._flight.get(index), **data)

    def _advance(self, room: int) -> Trial | None:
        """Record a trial evaluated but not yet written, or start up to `room` trials and wait for the next one to
        finish (record it, tell it). That trial; None when nothing is in flight or a stop interrupted a trial."""
        written = next((t for t in self._pending if t.ok or t.error), None)
        if written is not None:
            self._pending.remove(written)
            return self._conclude(written)
        try:
            self._fill(room)
            if not self._flight:
                return None
            with stoppable(self._halt):
                try:
                    outcome = self._executor.wait(self._halt)
                except TrialInterrupted:            # one worker, in this thread: stop() landed in the trial
                    outcome = Outcome(next(iter(self._flight)), interrupted=True)
        except BaseException:
            self._abandon()
            raise
        trial = self._flight.pop(outcome.index)
        if outcome.interrupted:
            self._keep(trial)
            self._emit("trial_interrupted", trial)
            return None
        self._finish(trial, outcome)
        return self._conclude(trial)

    def _finish(self, trial: Trial, outcome: Outcome) -> None:
        """Fill `trial` in from `outcome`; an objective that fails on the result fails the trial."""
        trial.wall, trial.error = outcome.wall, outcome.error
        if outcome.result is not None:
            try:
                if self.objective is not None:
                    trial.objective = self.objective(outcome.result)
                trial.result = outcome.result
            except Exception as e:
                trial.error = shorten(f"{type(e).__name__}: {e}")
        if trial.error:
            log.warning("trial %d failed: %s", trial.index, trial.error)
            log.debug("trial %d (%s) failed:\n%s", trial.index, trial.arch, outcome.trace)
            if not self._background:
                self._warn_once("failed trial", f"trial {trial.index} failed: {trial.error} (later failures are "
                                                f"only in the trials table, status 'failed', and the 'minas' log)")

    def _conclude(self, trial: Trial) -> Trial:
        """Record a finished trial (if that fails it stays pending, evaluated, for the next run), tell it, emit it."""
        if self._log is not None:
            try:
                self._log.append(trial.to_record() | {"asked": self._asked})
            except BaseException:
                self._keep(trial)
                raise
        self._run_trials.append(trial)
        self._guarded(f"telling the strategy trial {trial.index}", lambda: self._learn(trial))
        self._emit("trial_finished", trial, replayed=False)
        check_first_trials(self._run_trials, self.fail_fast, self.run_dir)
        return trial

    def _learn(self, trial: Trial) -> None:
        """Tell the strategy, the estimator and the workers' estimators a recorded trial."""
        self.trials.append(trial)
        self.strategy.tell(trial)
        self.estimator.tell(trial)
        self._executor.tell(trial)

    # --- ending -------------------------------------------------------------------------
    def _keep(self, trial: Trial) -> None:
        """Keep `trial` to be evaluated (or written) first by the next run."""
        self._pending = sorted([*self._pending, trial], key=lambda t: t.index)

    def _abandon(self) -> None:
        """An exception (Ctrl-C) left the loop: the trials in flight are kept for the next run, the workers end."""
        for trial in self._flight.values():
            self._keep(trial)
        self._flight.clear()
        self._executor.close(now=True)

    def _drain(self) -> None:
        """After a stop: the trials in flight finish and are recorded, or come back interrupted and pending."""
        while self._flight:
            with self._lock:
                self._advance(0)
