"""Strategy comparison: the anytime curves (a pure function), their figure, and the panel's Run and Stop."""
import math
import re

import numpy as np
import pytest

from minas.analysis import best_so_far_curves
from minas.viz import comparison_figure
from widgets import StrategyComparison

NAN = math.nan


def test_best_so_far_curves_by_evaluations():
    runs = [([80, NAN, 90, 85], [1, 1, 1, 1]), ([70, 95, 60], [1, 1, 1]), ([NAN, NAN, 50, 99], [1, 1, 1, 1])]
    curve = best_so_far_curves(runs)
    assert list(curve["x"]) == [1, 2, 3] and curve["n"] == 3             # up to the shortest run
    assert np.allclose(curve["mean"], [75, 87.5, (90 + 95 + 50) / 3])     # run 3 counts once it has a success
    assert curve["se"][0] == pytest.approx(np.std([80, 70], ddof=1) / np.sqrt(2))
    assert curve["se"][2] == pytest.approx(np.std([90, 95, 50], ddof=1) / np.sqrt(3))


def test_best_so_far_curves_by_cost_hold_the_best_between_evaluations():
    runs = [([80, 90], [10, 90]), ([70, 75, 99], [20, 30, 1000])]        # evaluations end at 10, 100 / 20, 50, 1,050 s
    curve = best_so_far_curves(runs, by="cost", points=5)
    assert curve["x"][0] == pytest.approx(20) and curve["x"][-1] == pytest.approx(100)   # the common window
    assert np.allclose(np.diff(np.log(curve["x"])), np.log(5) / 4)        # log-spaced: 20, 29.9, 44.7, 66.9, 100
    by_hand = [(80 + 70) / 2, (80 + 70) / 2, (80 + 70) / 2, (80 + 75) / 2, (90 + 75) / 2]
    assert np.allclose(curve["mean"], by_hand)
    with pytest.raises(ValueError, match="evaluations"):
        best_so_far_curves(runs, by="wall")


@pytest.fixture
def comparison(one_thread):
    return StrategyComparison(("random", "local"), seeds=3, trials=12)


def test_run_button_runs_every_strategy_with_every_seed(comparison, tmp_path):
    empty = bytes(comparison.plot.value)
    comparison.run_button.click()
    assert comparison.status == "running" and comparison.run_button.disabled and comparison.seeds.disabled
    assert comparison.wait(60)
    assert comparison.status == "finished" and not comparison.run_button.disabled and comparison.stop_button.disabled
    assert {name: len(runs) for name, runs in comparison.runs.items()} == {"random": 3, "local": 3}
    assert all(len(run) == 12 for runs in comparison.runs.values() for run in runs)
    assert comparison.job.progress.value == 1.0 and "finished" in comparison.job.label.value
    assert bytes(comparison.plot.value) != empty
    finals = [run["val_acc"].max() for run in comparison.runs["random"]]
    assert f"{np.mean(finals):.2f} ± {np.std(finals, ddof=1) / np.sqrt(3):.2f} %" in comparison.summary.value
    page = comparison.save_snapshot(tmp_path / "comparison.html").read_text()
    assert "data:image/png;base64," in page and "local" in page


def test_stop_ends_after_the_run_in_flight(comparison):
    report = comparison.job.report

    def stop_before_the_second_run(fraction, label):
        report(fraction, label)
        if label.startswith("run 2 /"):
            comparison.stop_button.click()

    comparison.job.report = stop_before_the_second_run
    comparison.run(seeds=4)
    assert comparison.wait(60) and comparison.status == "stopped"
    assert sum(len(runs) for runs in comparison.runs.values()) == 2 < 8
    assert "stopped" in comparison.job.label.value and not comparison.run_button.disabled


def test_a_strategy_that_cannot_run_is_reported(comparison, monkeypatch):
    from minas.strategies import LocalSearch
    calls = []

    def cannot(self, space, rng):
        calls.append(1)
        raise TypeError("LocalSearch needs a supernet")      # as a strategy refusing a space would
    monkeypatch.setattr(LocalSearch, "setup", cannot)
    comparison.run(seeds=3)
    assert comparison.wait(60) and comparison.status == "finished"
    assert len(comparison.runs["random"]) == 3 and comparison.runs["local"] == [] and len(calls) == 1
    assert "cannot run: TypeError: LocalSearch needs a supernet" in comparison.summary.value


def test_comparison_figure_has_both_axes_and_n_in_the_legend(comparison):
    comparison.run(seeds=2)
    assert comparison.wait(60)
    fig = comparison_figure(comparison.runs)
    by_evals, by_time = fig.axes
    assert by_evals.get_xlabel() == "evaluations" and by_time.get_xscale() == "log"
    assert [t.get_text() for t in by_evals.get_legend().get_texts()] == ["random (n = 2)", "local (n = 2)"]
    assert len(by_evals.collections) == 2                                 # a standard-error band per strategy


def test_extra_strategies_are_offered_and_made_fresh_for_every_run(one_thread):
    from minas.strategies import RandomSearch
    made = []

    def mine():
        made.append(RandomSearch())
        return made[-1]

    comparison = StrategyComparison(("random", "mine"), seeds=2, trials=5, extra={"mine": mine})
    assert comparison.strategies.options[0] == "mine"
    comparison.run_button.click()
    assert comparison.wait(60) and comparison.status == "finished"
    assert len(made) == 2 and made[0] is not made[1]
    assert [len(run) for run in comparison.runs["mine"]] == [5, 5]
    archs = {name: [list(run["arch"]) for run in runs] for name, runs in comparison.runs.items()}
    assert archs["mine"] == archs["random"]                        # the same strategy with the same seeds


def test_on_the_mnist1d_table_multi_fidelity_strategies_take_part(one_thread):
    comparison = StrategyComparison(("random", "successive_halving"), dataset="mnist1d", seeds=2, trials=30)
    assert ("minas MNIST-1D", "mnist1d") in comparison.dataset.options
    comparison.run_button.click()
    assert comparison.wait(60) and comparison.status == "finished" and not comparison.errors
    halving, plain = comparison.runs["successive_halving"][0], comparison.runs["random"][0]
    assert set(halving["budget"]) == {1, 3, 10} and set(plain["budget"]) == {None}     # rungs of 1, 3 and 10 epochs
    assert halving["cost"].sum() < plain["cost"].sum() / 3               # partial trainings cost less time
    assert "successive_halving" in comparison.summary.value


def test_only_what_the_table_answers_at_once_is_offered(one_thread):
    """Ticking darts in the comparison sat on "run 4 / 25" for minutes: one-shot strategies train a supernet of
    their own. The panel offers them no more, and multi-fidelity strategies only on a table with learning curves."""
    comparison = StrategyComparison(("random", "local"), seeds=1, trials=5)
    offered = set(comparison.strategies.options)
    assert {"random", "evolution", "local", "bayesopt"} <= offered
    assert not offered & {"darts", "gdas", "drnas", "enas", "successive_halving", "hyperband"}
    comparison.dataset.value = "mnist1d"
    assert {"successive_halving", "hyperband"} <= set(comparison.strategies.options)
    comparison.strategies.value = ("random", "hyperband")
    comparison.dataset.value = "cifar100"
    assert comparison.strategies.value == ("random",)                # what the table cannot run is untick
    with pytest.raises(ValueError, match="supernet"):
        StrategyComparison(("random", "darts"))
    comparison.run(dataset="mnist1d", strategies=["successive_halving"], seeds=1, trials=9)   # table first
    assert comparison.wait(60) and comparison.status == "finished" and len(comparison.runs["successive_halving"]) == 1


def test_full_range_is_one_click_from_the_zoomed_plot(comparison):
    comparison.run(seeds=2)
    assert comparison.wait(60)
    zoomed = bytes(comparison.plot.value)
    comparison.zoom.value = False                                         # the "full range" button
    assert bytes(comparison.plot.value) != zoomed
    comparison.zoom.value = True
    assert bytes(comparison.plot.value) == zoomed


def test_one_seed_shows_no_standard_error(one_thread):
    comparison = StrategyComparison(("random",), seeds=1, trials=6)
    comparison.run()
    assert comparison.wait(60)
    cells = re.findall(r'<td class="num">([^<]*)</td>', comparison.summary.value)
    assert cells[0] == "1" and re.fullmatch(r"\d+\.\d\d %", cells[1]), cells      # "90.71 %", not "90.71 ± 0.00 %"


def test_the_tables_offered_can_be_limited(one_thread):
    comparison = StrategyComparison(("random",), tables=("cifar10", "cifar100"))
    assert [name for _, name in comparison.dataset.options] == ["cifar10", "cifar100"]
    with pytest.raises(ValueError, match="unknown table"):
        StrategyComparison(("random",), dataset="ImageNet16-120", tables=("cifar10",))
