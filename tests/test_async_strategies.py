"""Strategies asked while some of their trials still run (issue 18), driven by hand: ask, `started`, tell in any
order. ASHA promotes as soon as a rung allows and never waits, asynchronous Hyperband deals new candidates as a
Hyperband cycle does, BANANAS never proposes a running architecture, local search waits only when every
neighbour left runs. No process is started here."""
import random

import pytest

from minas.estimators import Result
from minas.estimators.base import derive_seed
from minas.spaces import CellSpace
from minas.strategies import ASHA, AsyncHyperband, BayesianOptimization, LocalSearch, Proposal, Wait
from minas.trial import Trial

SPACE = CellSpace()


class Driver:
    """Plays the search loop for `strategy`: asks (with `started`), tells with a hashed score."""

    def __init__(self, strategy, seed: int = 0):
        self.strategy, self.asked = strategy, 0
        strategy.setup(SPACE, random.Random(seed))

    def ask(self) -> Trial:
        proposal = self.strategy.ask()
        arch, budget = (proposal.arch, proposal.budget) if isinstance(proposal, Proposal) else (proposal, None)
        trial = Trial(self.asked, arch, budget=budget)
        self.asked += 1
        self.strategy.started(trial)
        return trial

    def tell(self, trial: Trial, val_acc: float | None = None) -> Trial:
        score = val_acc if val_acc is not None else derive_seed(str(trial.arch)) % 10_000 / 100
        trial.result = Result(val_acc=score, cost=1.0)
        self.strategy.tell(trial)
        return trial


def test_asha_promotes_as_soon_as_a_rung_has_enough_finished_trials():
    run = Driver(ASHA(min_budget=1, max_budget=9, eta=3))
    first = [run.ask() for _ in range(4)]
    assert [t.budget for t in first] == [1, 1, 1, 1] and len({t.arch for t in first}) == 4
    run.tell(first[1], 50.0)
    run.tell(first[0], 40.0)
    assert run.ask().budget == 1                     # 2 finished: floor(2/3) = 0 may go up
    run.tell(first[2], 10.0)                         # 3 finished: the best of them goes up, at once
    promoted = run.ask()
    assert (promoted.arch, promoted.budget) == (first[1].arch, 3)
    assert run.ask().budget == 1                     # never waits: a new candidate while the rung fills
    assert run.strategy.state()["promoted"] == [[1, 0, 0]]


def test_asha_with_brackets_waits_for_running_trials_then_ends():
    run = Driver(ASHA(min_budget=1, max_budget=3, eta=3, brackets=1))
    trials = [run.ask() for _ in range(3)]
    with pytest.raises(Wait):
        run.ask()                                    # one bracket's 3 candidates run: nothing else to start
    for t in trials:
        run.tell(t)
    top = run.ask()
    assert top.budget == 3
    with pytest.raises(Wait):
        run.ask()
    run.tell(top)
    with pytest.raises(StopIteration):
        run.ask()


def test_async_hyperband_deals_new_candidates_as_one_hyperband_cycle():
    strategy = AsyncHyperband(min_budget=1, max_budget=10, eta=3)
    run = Driver(strategy)
    budgets = [run.ask().budget for _ in range(17)]
    assert budgets == [1] * 9 + [3] * 5 + [10] * 3                     # 9 at 1 epoch, 5 at 3, 3 at 10
    assert [ladder.budgets for ladder in strategy.rungs] == [[1, 3, 10], [3, 10], [10]]


def test_bananas_never_proposes_a_running_architecture():
    run = Driver(BayesianOptimization(initial=4, batch=3, steps=10, candidates=30), seed=1)
    running = [run.ask() for _ in range(6)]
    assert len({t.arch for t in running}) == 6
    for t in running[:4]:
        run.tell(t)
    for _ in range(12):                              # fits on what finished; two old trials still run
        trial = run.ask()
        assert trial.arch not in {t.arch for t in run.strategy.running if t is not trial}
        assert trial.arch not in {t.arch for t in run.strategy.history}
        running.append(trial)
    assert len({t.arch for t in running}) == len(running)


def test_local_search_waits_only_when_every_neighbour_left_runs():
    run = Driver(LocalSearch(initial=2), seed=3)
    starts = [run.ask(), run.ask()]
    with pytest.raises(Wait):
        run.ask()                                    # both samples of the start run: the best of them is next
    run.tell(starts[0], 50.0)
    run.tell(starts[1], 60.0)
    centre = run.strategy.centre
    neighbours = [run.ask() for _ in range(len(run.strategy.todo))]
    assert {t.arch for t in neighbours} == set(SPACE.neighbours(centre.arch)) - {starts[0].arch}
    with pytest.raises(Wait):
        run.ask()
    for t in neighbours:
        run.tell(t, 1.0)                             # none better: a local optimum, a restart
    assert run.strategy.optima == [centre] and run.ask().arch not in run.strategy.told
