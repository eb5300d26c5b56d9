"""The search panel's space menu: minas' spaces and those handed in from Python, the estimators, strategies and
datasets offered for each (only what applies), and searches of the chain and of a declared space drawn in the
panel (latest, best, a picked trial)."""
import pytest
import torch.nn as nn

import minas
from minas.builder import estimator_choices, strategy_choices
from widgets import SearchPanel

ONE_SHOT = {"darts", "gdas", "drnas", "enas"}


def small_cnn(hp, input_shape, num_classes):
    width = hp.choice("width", [4, 8])
    layers = [nn.Conv2d(input_shape[0], width, 3, padding=1), nn.ReLU()]
    for i in range(hp.choice("depth", [1, 2])):
        k = hp.choice(f"k{i}", [1, 3])
        layers += [nn.Conv2d(width, width, k, padding=k // 2), nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, num_classes))


@pytest.fixture
def declared():
    return minas.spaces.define(small_cnn, input_shape=(1, 8, 8), name="my cnn")


@pytest.fixture
def panel_with(monkeypatch, one_thread):
    """Make SearchPanels with small budgets; each is stopped and joined after the test."""
    monkeypatch.setenv("MINAS_FAST", "1")
    made = []

    def make(**options):
        made.append(SearchPanel(**options))
        return made[-1]

    yield make
    for p in made:
        if p.running:
            p.stop()
        p.wait(30)


def test_each_space_is_offered_only_what_applies_to_it(panel_with, declared):
    panel = panel_with(spaces={"my cnn": declared})
    c = panel.controls
    assert c.space.options == ("cell", "chain", "my cnn") and c.space.value == "cell"
    assert c.estimator.value == "tabular" and set(c.strategy.options) == set(minas.list_strategies())
    c.strategy.value = "darts"
    c.space.value = "chain"                                     # no table knows the chain; it has a supernet
    assert "tabular" not in c.estimator.options and {"training", "zero_cost", "one_shot"} <= set(c.estimator.options)
    assert c.estimator.value == "training" and c.strategy.value == "darts" and "mnist1d" in c.dataset.options
    c.estimator.value = "one_shot"
    c.space.value = "my cnn"                                    # a declared space has no supernet
    assert set(c.estimator.options) == {"training", "zero_cost"} and c.estimator.value == "training"
    assert not ONE_SHOT & set(c.strategy.options) and c.strategy.value == "evolution"
    assert "reinforce" in c.strategy.options                    # it needs decisions only
    assert list(c.strategy.options) == strategy_choices(declared)
    assert list(c.estimator.options) == estimator_choices(declared)
    c.space.value = "cell"
    assert "tabular" in c.estimator.options and set(c.strategy.options) >= ONE_SHOT
    with pytest.raises(ValueError, match="'darts' does not apply to the space 'my cnn'.*reinforce"):
        panel.start(space="my cnn", strategy="darts")
    assert panel.search is None and not panel.running


def test_a_space_handed_in_joins_the_menu_and_is_searched_and_drawn(panel_with, declared):
    panel = panel_with(space=declared, estimator="zero_cost", dataset="digits", trials=4)
    assert panel.controls.space.options == ("cell", "chain", "my cnn") and panel.controls.space.value == "my cnn"
    panel.start()
    assert panel.wait(120) and panel.status == "finished", panel.status_line.value
    assert panel.search.space is declared and len(panel.search.trials) == 4
    assert "my cnn · digits · evolution" in panel.status_line.value
    for view in (panel.latest, panel.best):
        assert "<svg" in view.value and "Conv2d 1→" in view.value
    panel.show_trial(1)
    details = panel.trial_table.details.value
    assert "<svg" in panel.trial_table.drawing.value and str(panel.search.trials[1].arch) in details
    assert "drawing failed" not in panel.status_line.value


def test_a_chain_search_started_from_code_draws_its_chains(panel_with):
    panel = panel_with()
    panel.start(space="chain", estimator="zero_cost", dataset="digits", strategy="reinforce", trials=4)
    assert panel.wait(120) and panel.status == "finished", panel.status_line.value
    assert panel.controls.space.value == "chain" and panel.search.space.name == "chain"
    assert str(panel.search.trials[-1].arch).startswith("w1=")
    for view in (panel.latest, panel.best):
        assert "<svg" in view.value and "stem · 8" in view.value and "classifier" in view.value
    panel.show_trial(2)
    assert "<svg" in panel.trial_table.drawing.value and "stem · 8" in panel.trial_table.drawing.value
    assert "drawing failed" not in panel.status_line.value and "chain · digits · reinforce" in panel.status_line.value
