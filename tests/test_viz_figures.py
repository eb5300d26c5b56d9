"""minas' figures as a student meets them: shown as images when a notebook cell ends in one (no pyplot needed),
never as an empty axes from -0.05 to 0.05, the comparison zoomed where the curves differ (the full range one
argument away), one colour per strategy everywhere, and error bands only where there are several seeds."""
import math

import numpy as np
import pandas as pd
import pytest
from IPython.core.formatters import DisplayFormatter

from minas import analysis, viz
from minas.palette import COLOURS, strategy_colour, strategy_key, strategy_style


def run(accs, cost=100.0):
    return pd.DataFrame({"val_acc": accs, "status": ["ok"] * len(accs), "cost": [cost] * len(accs)})


def climbing(top, seed, n=60):
    """A best-so-far that starts low (random draws) and creeps up to about `top`."""
    rng = np.random.default_rng(seed)
    return list(np.minimum(top, 30 + (top - 30) * (1 - np.exp(-np.arange(1, n + 1) / 3)) + rng.normal(0, 0.05, n)))


FIGURES = {
    "progress": lambda: viz.progress_figure(run([80.0, 85.0, 90.0, 88.0, 91.0, 70.0])),
    "progress, empty": lambda: viz.progress_figure([]),
    "pareto": lambda: viz.pareto_figure(pd.DataFrame({"params": [1, 2, 3], "val_acc": [50.0, 60.0, 55.0]}), "params"),
    "comparison": lambda: viz.comparison_figure({"random": [run([50.0, 60.0])]}),
    "comparison, empty": lambda: viz.comparison_figure({}),
    "alphas": lambda: viz.alphas_figure([{"0->1": {"none": 0.2, "skip_connect": 0.8}}]),
    "scatter": lambda: analysis.scatter_figure([1, 2, 3, 4], [10.0, 30.0, 20.0, 40.0], "proxy"),
}


@pytest.mark.parametrize("name", FIGURES)
def test_a_cell_ending_in_a_figure_shows_an_image_without_pyplot(name):
    data, _ = DisplayFormatter().format(FIGURES[name]())     # what IPython sends to the notebook
    assert data["image/png"].startswith(b"\x89PNG"), f"{name} would print as {data['text/plain']}"


@pytest.mark.parametrize("make", [lambda: viz.progress_figure([]), lambda: viz.comparison_figure({}),
                                  lambda: viz.progress_figure(run([math.nan]).assign(status="failed"))])
def test_an_empty_plot_says_so_instead_of_showing_meaningless_axes(make):
    for ax in make().axes:
        assert not ax.get_xticks().size and not ax.get_yticks().size       # no -0.04 ... 0.04 ticks
        assert any(t.get_text().startswith("no ") for t in ax.texts)


def test_strategy_names_keep_one_colour_whatever_their_spelling_or_order():
    assert strategy_colour("evolution") == strategy_colour("regularized evolution") == COLOURS["evolution"]
    assert strategy_colour("local search") == strategy_colour("local") != strategy_colour("random search")
    assert strategy_key("successive halving (3 to 10 epochs)") == "successive_halving"
    assert strategy_key("BANANAS") == "bayesopt" and strategy_key("your strategy") == strategy_key("yours") == "yours"
    assert strategy_colour("my clever idea") == strategy_colour("my clever idea")      # a stranger keeps its own
    assert strategy_colour("my clever idea") not in COLOURS.values()
    assert strategy_style("random")["linestyle"] == "--" and strategy_style("yours")["linewidth"] > 2
    halving, hyperband = strategy_style("successive_halving"), strategy_style("Hyperband")   # they overlap:
    assert halving["color"] != hyperband["color"] and halving["linestyle"] != hyperband["linestyle"]  # tell them apart
    assert len(set(COLOURS.values())) == len(COLOURS)

    first = viz.comparison_figure({"random": [run([50.0, 60.0])], "local": [run([55.0, 65.0])]})
    second = viz.comparison_figure({"local": [run([55.0, 65.0])], "random": [run([50.0, 60.0])]})
    colour = {line.get_label().split()[0]: line.get_color() for line in first.axes[0].lines}
    assert colour == {line.get_label().split()[0]: line.get_color() for line in second.axes[0].lines}
    assert colour["local"] == COLOURS["local"]


def test_error_bands_only_where_a_strategy_has_several_seeds():
    one = viz.comparison_figure({"random": [run([50.0, 60.0])], "local": [run([55.0, 65.0])]})
    assert not one.axes[0].collections and "no error band" in one._suptitle.get_text()
    several = viz.comparison_figure({"random": [run([50.0, 60.0]), run([52.0, 58.0])], "local": [run([55.0, 65.0])]})
    assert len(several.axes[0].collections) == 1 and "± 1 standard error" in several._suptitle.get_text()


def test_the_comparison_zooms_on_where_the_curves_differ_and_shows_all_on_request():
    runs = {"random": [run(climbing(97.67, s)) for s in range(3)], "local": [run(climbing(98.04, s + 9)) for s in range(3)]}
    low, high = viz.comparison_figure(runs).axes[0].get_ylim()
    assert 90 < low < 97.67 and 98.04 < high < 99.5           # 97.67 against 98.04 is no longer one flat line
    assert (98.04 - 97.67) / (high - low) > 0.04
    full_low, _ = viz.comparison_figure(runs, zoom=False).axes[0].get_ylim()
    assert full_low < 50                                       # the whole climb, from the first random draws
    assert viz.zoomed_ylim([]) is None
