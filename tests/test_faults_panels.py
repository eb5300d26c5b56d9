"""Fault injection, panels (issue 16: Stop within a second, settings refused up front, error text escaped in HTML)."""
import threading
import time

import pandas as pd
import pytest

import fakes
from widgets import EstimatorLab, ParetoView, StrategyComparison

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def bumps():
    return fakes.bumps()


def test_stop_ends_a_multi_second_training_trial_within_a_second(panel, bumps, one_thread):
    second_epoch = threading.Event()
    panel.subscribe(lambda e: e.kind == "epoch_finished" and e.data["epoch"] == 2 and second_epoch.set())
    panel.start(estimator="training", dataset=bumps, trials=3, epochs=200, channels=4, batch_size=8, device="cpu")
    assert second_epoch.wait(60), panel.status_line.value          # 200 epochs: a trial of many seconds
    asked = time.monotonic()
    panel.controls.stop_button.click()
    assert panel.search.wait(5)
    assert time.monotonic() - asked < 1.0                          # before: the trial's remaining ~30 s
    assert panel.wait(10) and panel.status == "stopped" and panel.search.trials == []
    assert "interrupted by Stop" in panel.log.value and "0 / 3 trials" in panel.status_line.value


def test_stop_during_a_step_of_a_paused_search_ends_within_a_second(panel, bumps, one_thread):
    second_epoch = threading.Event()
    panel.subscribe(lambda e: e.kind == "epoch_finished" and e.data["epoch"] == 2 and second_epoch.set())
    panel.start(paused=True, estimator="training", dataset=bumps, trials=3, epochs=200, channels=4, batch_size=8,
                device="cpu")
    assert panel.wait(30) and panel.status == "paused"
    panel.step()
    assert second_epoch.wait(60)
    asked = time.monotonic()
    panel.stop()
    assert panel.search.wait(5) and time.monotonic() - asked < 1.0
    assert panel.wait(10) and panel.status == "stopped" and panel.search.trials == []


def test_a_training_knob_that_cannot_work_is_refused_by_the_panel_before_any_trial(panel, bumps):
    panel.start(estimator="training", dataset=bumps, trials=3, channels=0, device="cpu")
    assert panel.status == "failed" and panel.search is None
    assert "SettingsError: Training: channels must be a whole number &gt;= 1, not 0" in panel.status_line.value


def test_pareto_view_escapes_what_it_cannot_draw(monkeypatch):
    frame = pd.DataFrame({"arch": [HOSTILE], "val_acc": [50.0], "params": [10], "status": ["ok"]})
    view = ParetoView(frame)
    view.front.value = 0                                           # a pick: the arch string does not parse
    assert HOSTILE not in view.details.value and "&lt;img src=x" in view.details.value
    monkeypatch.setattr("minas.viz.pareto_figure", lambda *a, **k: (_ for _ in ()).throw(ValueError(HOSTILE)))
    view.refresh()
    assert HOSTILE not in view.note.value and "drawing failed: ValueError: &lt;img" in view.note.value


def test_estimator_lab_escapes_a_failed_drawing(bench, monkeypatch):
    lab = EstimatorLab(bench=bench, archs=3)
    lab.results = {"mine": {"scores": [1.0, 2.0], "truth": [3.0, 4.0], "seconds": [0.1, 0.1]}}
    monkeypatch.setattr("minas.analysis.scatter_figure", lambda *a, **k: (_ for _ in ()).throw(ValueError(HOSTILE)))
    lab._draw()
    assert HOSTILE not in lab.stats.value and "&lt;img src=x" in lab.stats.value


def test_strategy_comparison_escapes_a_failed_drawing(monkeypatch):
    comparison = StrategyComparison(("random",), seeds=1, trials=5)
    monkeypatch.setattr("minas.viz.comparison_figure", lambda *a, **k: (_ for _ in ()).throw(ValueError(HOSTILE)))
    comparison._draw()
    assert HOSTILE not in comparison.summary.value and "&lt;img src=x" in comparison.summary.value
