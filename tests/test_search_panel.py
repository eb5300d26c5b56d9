"""The search panel without a browser: ipywidgets builds and updates its models without a kernel (DummyComm),
so the panel is driven with `Button.click()` and checked through its widgets' values."""
import re
import time

import pytest
import torch

import minas
from minas.data import from_tensors


def png(widget) -> bytes:
    return bytes(widget.value)


def test_defaults_and_estimator_switch(panel):
    assert (panel.controls.estimator.value, panel.controls.dataset.value, panel.controls.strategy.value) == ("tabular", "cifar10", "evolution")
    assert panel.controls.trials.value == 30 and panel.controls.epochs.disabled
    assert set(panel.controls.strategy.options) == set(minas.list_strategies())
    assert panel.controls.start_button.disabled is False and panel.controls.stop_button.disabled is True
    panel.controls.estimator.value = "training"
    assert "mnist1d" in panel.controls.dataset.options and "cifar100" not in panel.controls.dataset.options
    assert not panel.controls.epochs.disabled and "train each candidate" in panel.controls.help.value
    panel.controls.estimator.value = "tabular"
    assert list(panel.controls.dataset.options) == ["cifar10", "cifar100", "ImageNet16-120", "mnist1d"] and panel.controls.epochs.disabled
    assert "minas-panel" in panel.widget._dom_classes


def test_start_button_runs_a_search(panel, tmp_path):
    before = png(panel.plot)
    assert before.startswith(b"\x89PNG")
    panel.controls.trials.value = 15
    panel.controls.start_button.click()
    assert panel.wait(60)
    assert panel.status == "finished" and panel.search.status == "finished"
    assert len(panel.search.trials) == 15 and "15 / 15 trials" in panel.status_line.value
    assert "finished" in panel.status_line.value and "table lookup, no training" in panel.status_line.value
    after = png(panel.plot)
    assert after.startswith(b"\x89PNG") and after != before
    assert "<svg" in panel.best.value and "<svg" in panel.latest.value
    assert "latest: trial 14" in panel.latest.value
    assert f"best: {panel.result().best.val_acc:.2f} %" in panel.best.value
    board = panel.leaderboard.value
    assert board.count("<tr") - 1 == 10                        # header + top 10
    assert str(panel.result().best.arch) in board
    assert not panel.controls.start_button.disabled and panel.controls.stop_button.disabled

    page = panel.save_snapshot(tmp_path / "snapshot.html").read_text()
    assert "<svg" in page and "data:image/png;base64," in page and "15 / 15 trials" in page


def test_stop_button_stops_after_the_trial_in_flight(panel):
    def stop_after_third(event):                               # deterministic: click Stop at trial_finished #3
        if event.kind == "trial_finished" and len(event.search.trials) == 3:
            assert not panel.controls.stop_button.disabled and panel.controls.start_button.disabled
            panel.controls.stop_button.click()

    panel.subscribe(stop_after_third)
    panel.start(trials=5000)
    assert panel.wait(60)
    assert panel.status == "stopped" and len(panel.search.trials) == 3
    assert "stopped" in panel.status_line.value and "3 / 5000 trials" in panel.status_line.value
    assert panel.leaderboard.value.count("<tr") - 1 == 3
    assert not panel.controls.start_button.disabled and panel.controls.stop_button.disabled


@pytest.fixture
def one_thread():
    """Tiny networks gain nothing from intra-op threads, and on a busy 2-core machine they spin-wait."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_training_search_shows_epochs_and_device(panel, one_thread):
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(48, 1, 8, generator=g), torch.randint(0, 3, (48,), generator=g)
    data = from_tensors("tiny", x[:40], y[:40], x[40:], y[40:], num_classes=3)
    seen = []
    panel.subscribe(lambda e: e.kind == "epoch_finished" and seen.append(panel.status_line.value))
    panel.start(estimator="training", dataset=data, trials=2, epochs=2, channels=4, batch_size=16, device="cpu")
    assert panel.wait(120), panel.status_line.value
    assert panel.status == "finished", panel.status_line.value
    assert any("trial 1, epoch 2/2" in s for s in seen)
    assert "training on cpu (" in panel.status_line.value and "tiny" in panel.status_line.value


def test_failures_show_in_the_status_line(panel, tmp_path):
    panel.start(estimator="training", dataset="imagefolder")  # cannot even be built: no folder given
    assert panel.status == "failed" and panel.search is None and panel.wait(1)
    assert "failed: DataError" in panel.status_line.value and "imagefolder needs root" in panel.status_line.value
    assert not panel.controls.start_button.disabled and panel.controls.stop_button.disabled

    panel.start(estimator="tabular", trials=3, seed=0, run_dir=tmp_path / "run")
    assert panel.wait(60) and panel.status == "finished"
    panel.start(trials=3, seed=1, run_dir=tmp_path / "run")    # fails inside the search thread
    assert panel.wait(60)
    assert panel.status == "failed" and panel.search.status == "failed"
    assert "failed: RunDirError" in panel.status_line.value and "different search" in panel.status_line.value
    assert not panel.controls.start_button.disabled


def test_heavy_redraws_are_coalesced(panel):
    redraws = []
    panel.plot.observe(lambda change: redraws.append(change), names="value")
    statuses = []
    panel.status_line.observe(lambda change: statuses.append(change), names="value")
    start = time.monotonic()
    panel.start(trials=400)
    assert panel.wait(60) and panel.status == "finished"
    elapsed = time.monotonic() - start
    assert 1 <= len(redraws) <= 2 + 4 * elapsed              # ≤ 4 per second, plus the final one
    assert len(statuses) >= 400                              # the status line follows every trial


def test_start_twice_is_refused(panel):
    panel.subscribe(lambda e: e.kind == "trial_finished" and len(e.search.trials) == 2 and panel.stop())
    gate = []

    def try_again(event):
        if event.kind == "trial_finished" and len(event.search.trials) == 1:
            with pytest.raises(RuntimeError, match="already running"):
                panel.start()
            gate.append(True)

    panel.subscribe(try_again)
    panel.start(trials=1000)
    assert panel.wait(60) and gate and panel.status == "stopped"


def test_code_runs_what_it_says_whatever_the_menus_were_set_to(panel):
    """The quickstart's snag: a student tried the training estimator in the menus, then the next cell's
    panel.start(trials=..., seed=...) ran 100 trainings with those menus instead of the cell's search."""
    c = panel.controls
    c.space.value = "chain"
    c.estimator.value, c.strategy.value, c.trials.value, c.seed.value = "training", "random", 100, 7
    panel.start(trials=12, seed=0)
    assert panel.wait(60) and panel.status == "finished"
    assert len(panel.search.trials) == 12 and panel.search.seed == 0
    assert "NAS-Bench-201 cifar10 · evolution · seed 0" in panel.status_line.value     # the panel's own defaults
    assert (c.space.value, c.estimator.value, c.dataset.value, c.strategy.value, c.trials.value) == \
        ("cell", "tabular", "cifar10", "evolution", 12)

    c.strategy.value, c.trials.value = "random", 5                  # the Start button runs the menus as they stand
    c.start_button.click()
    assert panel.wait(60) and len(panel.search.trials) == 5 and "· random ·" in panel.status_line.value


def test_code_that_names_another_space_gets_that_spaces_defaults(panel):
    panel.controls.strategy.value = "random"                          # clicked, then the cell names a space
    args = panel.controls.apply({"space": "chain"})
    assert args["estimator"] != "tabular" and args["strategy"] == "evolution"   # no table knows the chain
    assert args["dataset"] == "mnist1d"


def test_code_gets_the_choices_the_panel_was_created_with(monkeypatch):
    from widgets import SearchPanel
    monkeypatch.setenv("MINAS_FAST", "1")
    panel = SearchPanel(strategy="local", trials=9)
    panel.controls.strategy.value = "random"
    args = panel.controls.apply({"seed": 3})
    assert (args["strategy"], args["trials"], args["seed"]) == ("local", 9, 3)


def test_each_estimator_starts_on_a_dataset_it_can_load_without_a_download(panel):
    c = panel.controls
    c.estimator.value = "training"                  # cifar10 is offered for training too, but needs a download
    assert c.dataset.value == "mnist1d" and "must be downloaded" in c.help.value
    assert "fidelity" not in c.help.value                          # not a word a first-day student knows yet
    c.dataset.value = "digits"
    c.estimator.value = "tabular"
    assert c.dataset.value == "cifar10"
    assert panel.controls.apply({"estimator": "training"})["dataset"] == "mnist1d"   # from code, too
    assert panel.controls.apply({"estimator": "training", "dataset": "digits"})["dataset"] == "digits"


def test_a_fresh_panel_shows_no_clock_time(panel):
    """Before any search, the status line showed the machine's uptime as the elapsed time ("2641.6 s")."""
    assert panel.status == "ready"
    assert not re.search(r"\d+\.\d s", panel.status_line.value), panel.status_line.value
    panel.start(trials=3)
    assert panel.wait(60) and re.search(r"· \d+\.\d s ·", panel.status_line.value)


def test_a_search_that_cannot_be_built_leaves_no_old_plot_on_screen(panel):
    empty = png(panel.plot)
    panel.start(trials=10)
    assert panel.wait(60) and png(panel.plot) != empty
    panel.start(estimator="training", dataset="imagefolder")        # fails to build
    assert panel.status == "failed" and png(panel.plot) == empty
