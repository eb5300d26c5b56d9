"""Search strategies on NAS-Bench-201: determinism, resume, the issue's statistical checks, each strategy's rules."""
import dataclasses
import math
import random
import statistics

import pandas as pd
import pytest

import minas
from minas.strategies.one_shot import OneShotStrategy
from minas.benchmarks import NASBench201
from minas.estimators import Result, Tabular
from minas.spaces import CellSpace, SearchSpace
from minas.strategies import (STRATEGIES, REINFORCE, BayesianOptimization, LocalSearch, RandomSearch,
                              RegularizedEvolution, Strategy)
from minas.trial import Trial
from fakes import CurveBench

SEEDS, QUERIES = 50, 100
NEW = [LocalSearch, lambda: LocalSearch(first_improvement=False), REINFORCE, BayesianOptimization]
NEW_IDS = ["local", "local-best-improvement", "reinforce", "bayesopt"]


def _archs(space, strategy, bench, seed, trials=30):
    result = minas.Search(space, strategy, Tabular(bench), trials=trials, seed=seed).run()
    return list(result.trials.arch)


@pytest.mark.parametrize("make", [RandomSearch, RegularizedEvolution, lambda: RegularizedEvolution(aging=False)] + NEW,
                         ids=["random", "evolution", "evolution-no-aging"] + NEW_IDS)
def test_deterministic_given_seed(space, bench, make):
    first = _archs(space, make(), bench, seed=0)
    assert len(first) == 30
    assert _archs(space, make(), bench, seed=0) == first
    assert _archs(space, make(), bench, seed=1) != first


def _best_of_runs(space, bench, make):
    bests = []
    for seed in range(SEEDS):
        search = minas.Search(space, make(), Tabular(bench), trials=QUERIES, seed=seed)
        while search.step() is not None:             # step() avoids building a DataFrame per run
            pass
        assert len(search.trials) == QUERIES
        bests.append(search.best.val_acc)
    return statistics.fmean(bests), statistics.stdev(bests) / SEEDS ** 0.5


def test_random_search_matches_order_statistics_and_evolution_beats_it(space, bench):
    values = sorted(bench.query(cell)["val_acc"] for cell in space.enumerate())
    n = len(values)
    assert n == 15625
    # E[max of 100 draws with replacement] = sum_k v_(k) [(k/n)^100 - ((k-1)/n)^100]
    expected = sum(v * ((k / n) ** QUERIES - ((k - 1) / n) ** QUERIES) for k, v in enumerate(values, start=1))
    assert 90.9 < expected < 91.1                        # the issue quotes ~91.02
    assert expected < values[-1]

    rs_mean, rs_se = _best_of_runs(space, bench, RandomSearch)
    assert abs(rs_mean - expected) < 3 * rs_se, (rs_mean, expected, rs_se)
    assert rs_se > 0

    re_mean, re_se = _best_of_runs(space, bench, RegularizedEvolution)
    assert re_mean - rs_mean > 4 * (rs_se ** 2 + re_se ** 2) ** 0.5, (re_mean, rs_mean, re_se, rs_se)


# --- regularized evolution's population --------------------------------------------------------

def _trial(index, space, rng, val_acc):
    arch = space.sample(rng)
    if val_acc is None:
        return Trial(index, arch, None, error="RuntimeError: boom")
    return Trial(index, arch, Result(val_acc=val_acc, cost=1.0))


def _population_after(space, accs, **settings):
    strategy = RegularizedEvolution(**settings)
    strategy.setup(space, random.Random(0))
    rng = random.Random(1)
    for index, acc in enumerate(accs):
        strategy.ask()
        strategy.tell(_trial(index, space, rng, acc))
    return strategy


def test_aging_removes_the_oldest(space):
    s = _population_after(space, [50, 90, 10, 70, 20], population_size=3, sample_size=2, aging=True)
    assert [t.index for t in s.population] == [2, 3, 4]
    assert len(s.history) == 5
    assert s.state()["population_val_acc"] == [10, 70, 20]


def test_without_aging_the_worst_is_removed(space):
    s = _population_after(space, [50, 90, 10, 70, 20], population_size=3, sample_size=2, aging=False)
    assert [t.index for t in s.population] == [0, 1, 3]
    s = _population_after(space, [50, 90, 10, 70, 20, 95], population_size=3, sample_size=2, aging=False)
    assert [t.index for t in s.population] == [1, 3, 5]


def test_failed_trials_never_join(space):
    s = _population_after(space, [50, None, 90, None, 10, None], population_size=3, sample_size=2)
    assert [t.index for t in s.population] == [0, 2, 4]
    assert all(t.ok for t in s.population)
    assert len(s.history) == 6                           # but the strategy was told about them


def test_population_never_exceeds_its_size(space, bench):
    strategy = RegularizedEvolution(population_size=5, sample_size=2)
    search = minas.Search(space, strategy, Tabular(bench), trials=40, seed=0)
    sizes = []
    search.subscribe(lambda e: sizes.append(len(strategy.population)) if e.kind == "trial_finished" else None)
    search.run()
    assert len(sizes) == 40
    assert max(sizes) == 5 and sizes[:5] == [1, 2, 3, 4, 5]
    # once full, children are mutations of population members: one edge away from some earlier trial
    archs = [t.arch for t in search.trials]
    for k in range(5, 40):
        assert any(sum(a != b for a, b in zip(archs[k].ops, earlier.ops)) == 1 for earlier in archs[:k])


def test_sample_size_larger_than_population_is_refused(space, bench):
    with pytest.raises(ValueError, match="sample_size"):
        RegularizedEvolution(population_size=3, sample_size=5).setup(space, random.Random(0))
    with pytest.raises(ValueError):
        RegularizedEvolution(population_size=3, sample_size=0).setup(space, random.Random(0))
    search = minas.Search(space, RegularizedEvolution(population_size=3, sample_size=5), Tabular(bench), trials=5)
    with pytest.raises(ValueError):
        search.run()
    assert search.trials == [] and search.status == "failed"


# --- the registry ---------------------------------------------------------------------------

def test_every_registered_strategy_constructs_without_arguments(space, bench):
    names = STRATEGIES.names()
    assert {"random", "evolution"} <= set(names)
    assert set(minas.list_strategies()) == set(names)
    for name in names:
        strategy = STRATEGIES.create(name)
        assert isinstance(strategy, Strategy)
        assert strategy.config()["name"] == name
        table = CurveBench(bench) if strategy.budgets() else bench        # multi-fidelity ones need epochs
        if isinstance(strategy, OneShotStrategy):                          # a small supernet: seconds, not minutes
            strategy = dataclasses.replace(strategy, channels=2, batch_size=512)
        result = minas.Search(space, strategy, Tabular(table), trials=3, seed=0).run()
        assert len(result.trials) == 3
    with pytest.raises(ValueError, match="random"):
        STRATEGIES.get("no-such-strategy")


# --- local search, REINFORCE, BANANAS -------------------------------------------------------------

@pytest.mark.parametrize("make", NEW, ids=NEW_IDS)
def test_resume_through_a_run_folder_matches_an_uninterrupted_run(space, bench, make, tmp_path, one_thread):
    straight, resumed = make(), make()
    expected = minas.Search(space, straight, Tabular(bench), trials=60, seed=3).run().trials
    minas.Search(space, make(), Tabular(bench), trials=30, seed=3, run_dir=tmp_path).run()
    got = minas.Search(space, resumed, Tabular(bench), trials=60, seed=3, run_dir=tmp_path).run().trials
    assert list(got.arch) == list(expected.arch)
    assert list(got.val_acc) == list(expected.val_acc)
    assert resumed.state() == straight.state()


@pytest.mark.parametrize("make, seeds, queries", list(zip(NEW, [20, 20, 100, 20], [60, 60, 100, 60])), ids=NEW_IDS)
def test_beats_random_search(space, bench, make, seeds, queries, one_thread):
    """Mean best over `seeds` searches of `queries` trials, against random search's exact expectation.
    REINFORCE learns slowly (it is barely ahead of random search after 60 queries), so it gets the
    issue's full 100 queries, and more seeds (it is cheap). Each margin held on five seed ranges."""
    values = sorted(bench.query(cell)["val_acc"] for cell in space.enumerate())
    n = len(values)
    random_best = sum(v * ((k / n) ** queries - ((k - 1) / n) ** queries) for k, v in enumerate(values, start=1))
    bests = []
    for seed in range(seeds):
        search = minas.Search(space, make(), Tabular(bench), trials=queries, seed=seed)
        while search.step() is not None:
            pass
        bests.append(search.best.val_acc)
    mean, se = statistics.fmean(bests), statistics.stdev(bests) / seeds ** 0.5
    assert mean - random_best > 3 * se, (mean, random_best, se)


def test_local_search_never_asks_twice_and_climbs_by_single_edits(space, bench):
    for make in (lambda: LocalSearch(initial=3), lambda: LocalSearch(initial=3, first_improvement=False)):
        for seed in range(3):
            strategy = make()
            search = minas.Search(space, strategy, Tabular(bench), trials=200, seed=seed)
            told, optima = {}, []

            def check(event):
                state = strategy.state()
                if event.kind == "trial_started" and state["centre"] is not None:   # climbing: one edit away
                    assert event.trial.arch in space.neighbours(space.parse(state["centre"]))
                if event.kind == "trial_finished":
                    told[event.trial.arch] = event.trial.val_acc
                    for arch, acc in list(zip(state["local_optima"], state["local_optima_val_acc"]))[len(optima):]:
                        assert all(told.get(n, -1) <= acc for n in space.neighbours(space.parse(arch)))
                        optima.append(arch)                                         # no told neighbour is better

            search.subscribe(check)
            while search.step() is not None:
                pass
            archs = [t.arch for t in search.trials]
            assert len(set(archs)) == len(archs) == 200
            assert len(optima) >= 2


def test_reinforce_probabilities_sum_to_one_and_follow_the_reward(space):
    strategy = REINFORCE()
    strategy.setup(space, random.Random(0))
    target = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+"
                         "|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|")
    edges = [f"{j}->{i}" for i, j in space.edges]
    probabilities = strategy.state()["probabilities"]
    assert list(probabilities) == edges
    assert all(p == pytest.approx(1 / len(space.ops)) for row in probabilities.values() for p in row.values())
    rng = random.Random(1)
    for k in range(30):                                  # the target always scores well, random cells poorly
        strategy.tell(Trial(3 * k, target, Result(val_acc=90.0, cost=1.0)))
        strategy.tell(Trial(3 * k + 1, space.sample(rng), Result(val_acc=60.0, cost=1.0)))
        strategy.tell(Trial(3 * k + 2, space.sample(rng), None, error="failed trials are skipped"))
    probabilities = strategy.state()["probabilities"]
    for edge, op in zip(edges, target.ops):
        assert sum(probabilities[edge].values()) == pytest.approx(1)
        assert probabilities[edge][op] == max(probabilities[edge].values()) > 0.5
    asked = [strategy.ask() for _ in range(50)]
    assert sum(a == target for a in asked) > 5


class _Numbers(SearchSpace):
    """A search space that is not a cell: the numbers 0..9."""
    size = 10

    def sample(self, rng):
        return rng.randrange(10)

    def mutate(self, arch, rng):
        return (arch + 1) % 10

    def neighbours(self, arch):
        return [(arch - 1) % 10, (arch + 1) % 10]

    def encode(self, arch):
        return [float(arch)]

    def parse(self, text):
        return int(text)

    def to_module(self, arch, *, input_shape, num_classes, **options):
        raise NotImplementedError

    def describe_graph(self, arch):
        raise NotImplementedError


def test_reinforce_refuses_a_space_without_decisions():
    with pytest.raises(TypeError, match="REINFORCE needs a search space with named decisions.*_Numbers has none"):
        REINFORCE().setup(_Numbers(), random.Random(0))


def test_bayesopt_predictions_follow_the_table(space, bench, one_thread):
    strategy = BayesianOptimization()
    strategy.setup(space, random.Random(0))
    with pytest.raises(RuntimeError, match="no predictor yet"):
        strategy.predict([space.sample(random.Random(0))])
    search = minas.Search(space, strategy, Tabular(bench), trials=60, seed=0)
    search.run()
    rng = random.Random(2)
    archs = [space.sample(rng) for _ in range(200)]
    mean, std = strategy.predict(archs)
    assert len(mean) == len(std) == 200
    assert all(math.isfinite(m) and math.isfinite(s) and s >= 0 for m, s in zip(mean, std))
    truth = [bench.query(a)["val_acc"] for a in archs]
    ranks = [pd.Series(v).rank().tolist() for v in (mean, truth)]
    assert statistics.correlation(*ranks) > 0.1              # Spearman's rank correlation
    state = strategy.state()
    assert state["fits"] == 5 and len(state["proposed"]) == strategy.batch
    assert len(state["candidates"]) == len(state["predicted_mean"]) == len(state["predicted_std"]) > strategy.batch
    told = {str(t.arch) for t in search.trials}
    assert not told & set(state["candidates"][strategy.batch:])   # candidates are never evaluated ones
