"""The shipped MNIST-1D table: it covers its whole space, separates good cells from bad ones, its seeds
agree, retraining a cell with the documented protocol lands within the table's seed noise, and every
strategy and estimator can use it through `Tabular`."""
import math
import random
import statistics

import pytest

import minas
from minas.analysis import spearman_rho
from minas.benchmarks import MNIST1DBench
from minas.benchmarks.build_mnist1d import jobs, train
from minas.benchmarks.mnist1d import SEEDS
from minas.estimators import Tabular
from minas.spaces import ArchError, CellSpace
from minas.strategies import RandomSearch, RegularizedEvolution, SuccessiveHalving

BENCH = MNIST1DBench()
SPACE = BENCH.space


def final(row_runs):
    return [run[-1] for run in row_runs]


@pytest.fixture(scope="module")
def rows():
    return [BENCH._row(cell) for cell in {SPACE.canonical(c): c for c in SPACE.enumerate()}.values()]


def test_every_cell_of_the_space_has_a_full_record(rows):
    assert all(BENCH.knows(cell) for cell in SPACE.enumerate())
    assert BENCH.unique() == len(rows) == 871
    for row in rows:
        for key in ("val", "test"):
            assert len(row[key]) == len(SEEDS) and all(len(run) == BENCH.epochs for run in row[key])
        assert row["params"] > 0 and row["flops"] > 0 and row["latency"] > 0 and min(row["train_time"]) > 0


def test_the_table_separates_cells_and_its_seeds_agree(rows):
    """A spread of tens of points, and one seed's final accuracy ranks the space's cells like the other's,
    if weakly: nine cells in ten lie within about two points, where one run's seed noise is near one."""
    means = [statistics.fmean(final(row["val"])) for row in rows]
    assert max(means) - min(means) > 30
    runs = [BENCH.query(cell)["val_acc_runs"] for cell in SPACE.enumerate()]
    assert spearman_rho(*zip(*runs)) > 0.3
    assert 0.5 < seed_noise(rows) < 1.5


def seed_noise(rows) -> float:
    """The standard deviation of one run's final accuracy around its cell's mean, pooled over cells."""
    return math.sqrt(statistics.fmean((a - b) ** 2 / 2 for a, b in (final(row["val"]) for row in rows)))


def test_retraining_with_the_protocol_lands_within_the_seed_noise(rows):
    """Two random cells retrained exactly as the build does: each final accuracy within 4 standard
    deviations of the table's seed noise (pooled over all cells) of the table's mean for that cell."""
    noise = seed_noise(rows)
    for cell in random.Random(7).sample(sorted({arch for arch, _ in jobs()}), 2):    # cells the build trained
        record = train(cell, seed=SEEDS[0])
        table = BENCH.query(cell)
        assert abs(record["val"][-1] - table["val_acc"]) <= 4 * noise * math.sqrt(1.5), (cell, record["val"], table)
        assert record["params"] == table["params"] and record["flops"] == table["flops"]


def test_tabular_lookups_and_searches(rows):
    cell = SPACE.sample(random.Random(0))
    result = Tabular(BENCH).evaluate(cell)
    assert result.val_acc == pytest.approx(BENCH.query(cell)["val_acc"]) and len(result.curve) == BENCH.epochs
    assert Tabular(BENCH).evaluate(cell, budget=3).cost < result.cost
    best = max(statistics.fmean(final(row["val"])) for row in rows)
    for strategy in (RandomSearch(), RegularizedEvolution(), SuccessiveHalving()):
        found = minas.Search(SPACE, strategy, Tabular(BENCH), trials=60, seed=0).run().best
        assert best - 5 < found.val_acc <= best + 1e-9, strategy
    with pytest.raises(ArchError, match="avg_pool_3x3"):     # an op the table never trained
        minas.Search(CellSpace(ops=[*SPACE.ops, "avg_pool_3x3"]), RandomSearch(), Tabular(BENCH), trials=3)
