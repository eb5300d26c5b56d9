"""The DARTS monitor, fed with synthetic supernet epochs (the event contract of the one-shot strategies), and the
heatmap figure it draws."""
import pytest
import torch

import minas
from minas.data import from_tensors
from minas.estimators import ZeroCost
from minas.search import Event
from minas.spaces import Cell, CellSpace, ChainSpace
from minas.strategies import STRATEGIES
from minas.viz import alphas_figure
from widgets import DartsMonitor

SPACE = CellSpace()
EDGES = ["0->1", "0->2", "1->2", "0->3", "1->3", "2->3"]


def epoch_event(epoch, skips, epochs=6, search=None):
    """Epoch `epoch`: skip_connect strongest on the first `skips` edges, nor_conv_3x3 on the others."""
    alphas, ops = {}, []
    for k, edge in enumerate(EDGES):
        top = "skip_connect" if k < skips else "nor_conv_3x3"
        alphas[edge] = {op: (0.6 if op == top else 0.1) for op in SPACE.ops}
        ops.append(top)
    data = {"epoch": epoch, "epochs": epochs, "alphas": alphas, "derived": str(Cell(tuple(ops))),
            "train_loss": 2.0 / epoch}
    return Event("epoch_finished", search, None, data)


@pytest.fixture
def monitor():
    return DartsMonitor(space=SPACE)


def test_epochs_fill_the_slider_and_the_drawing_follows(monitor):
    empty = bytes(monitor.heatmap.value)
    for epoch, skips in enumerate([0, 1, 2], start=1):
        monitor(epoch_event(epoch, skips))
    monitor.refresh()
    assert (monitor.epoch.min, monitor.epoch.max, monitor.epoch.value) == (1, 3, 3) and not monitor.epoch.disabled
    assert monitor.play.max == 3
    assert "epoch 3/6: derived cell" in monitor.drawing.value and "<svg" in monitor.drawing.value
    assert "supernet epoch <b>3/6</b>" in monitor.status.value and "train loss 0.667" in monitor.status.value
    assert monitor.warning.value == "" and not monitor.skip_warning
    heatmap = bytes(monitor.heatmap.value)
    assert heatmap.startswith(b"\x89PNG") and heatmap != empty

    monitor.epoch.value = 1                                     # scrub back
    assert "epoch 1/6: derived cell" in monitor.drawing.value
    assert "strongest op on 0 of 6 edges" in monitor.caption.value
    monitor(epoch_event(4, 3))                                  # a new epoch does not yank the slider forward
    assert monitor.epoch.max == 4 and monitor.epoch.value == 1 and "epoch 1/6" in monitor.drawing.value
    monitor.epoch.value = 4                                     # back at the newest: follow again
    monitor(epoch_event(5, 3))
    assert monitor.epoch.value == 5 and "epoch 5/6: derived cell" in monitor.drawing.value


def test_skip_connections_taking_over_raise_a_warning(monitor):
    monitor(epoch_event(1, 2))
    assert monitor.warning.value == ""
    monitor(epoch_event(2, 3))                                  # half of the edges
    assert monitor.skip_warning and "taking over the cell" in monitor.warning.value
    assert "50% of the edges (since epoch 2)" in monitor.warning.value
    monitor(epoch_event(3, 6))
    assert "100% of the edges (since epoch 2)" in monitor.warning.value


def test_other_events_are_ignored_and_a_new_search_starts_afresh(monitor, tmp_path):
    monitor(epoch_event(1, 0))
    monitor(Event("epoch_finished", None, None, {"epoch": 1, "epochs": 5}))   # a trial's training epoch
    monitor(Event("trial_finished", None, None))
    assert len(monitor.history) == 1
    monitor.refresh()
    page = monitor.save_snapshot(tmp_path / "darts.html").read_text()
    assert "data:image/png;base64," in page and "<svg" in page and "supernet epoch" in page

    monitor(Event("search_started", None))
    assert monitor.history == [] and monitor.epoch.disabled and monitor.epoch.max == 1
    assert "waiting for the first supernet epoch" in monitor.status.value


def test_space_is_read_from_the_weights_without_a_search():
    monitor = DartsMonitor()
    monitor(epoch_event(1, 1))
    assert "<svg" in monitor.drawing.value and "epoch 1/6" in monitor.drawing.value


def test_alphas_figure_one_heatmap_per_edge_on_one_scale():
    history = [epoch_event(e, e).data["alphas"] for e in range(1, 5)]
    fig = alphas_figure(history, [1, 2, 3, 4])
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert len(heatmaps) == 6 and [ax.get_title() for ax in heatmaps] == [f"edge {e}" for e in EDGES]
    assert all(ax.images[0].get_clim() == (0.0, 1.0) for ax in heatmaps)
    grid = heatmaps[0].images[0].get_array()
    assert grid.shape == (len(SPACE.ops), 4)                    # ops as rows, epochs as columns
    assert grid[SPACE.ops.index("skip_connect"), 0] == 0.6
    assert [t.get_text() for t in heatmaps[0].get_yticklabels()] == list(SPACE.ops)
    assert len(fig.axes) == 7                                   # six heatmaps and one shared colour bar


# --- any space: the chain's decisions -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_images():
    """128 random 8×8 images of 3 classes: a supernet epoch in a fraction of a second."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(160, 1, 8, 8, generator=g), torch.randint(0, 3, (160,), generator=g)
    return from_tensors("tiny", x[:128], y[:128], x[128:], y[128:])


def test_a_gdas_search_on_the_chain_is_watched_per_decision(tiny_images, one_thread, tmp_path):
    space = ChainSpace()
    strategy = STRATEGIES.create("gdas", dataset=tiny_images, epochs=2, batch_size=32)
    search = minas.Search(space, strategy, ZeroCost(dataset=tiny_images), trials=5, seed=0)
    monitor = DartsMonitor(search, redraw_hz=0.2)                          # one heatmap while it runs
    search.run()
    monitor.refresh()
    assert len(monitor.history) == 2 and monitor.epoch.max == 2
    alphas = monitor.history[-1]["alphas"]
    assert list(alphas) == [d.name for d in space.decisions]                # one row per decision ...
    assert {len(row) for row in alphas.values()} == {2, 3} and list(alphas["k1.2"]) == ["3", "5", "7"]
    derived = monitor.history[-1]["derived"]
    assert derived == str(search.trials[-1].arch)
    assert "epoch 2/2: derived architecture" in monitor.drawing.value and "<svg" in monitor.drawing.value
    assert "skip_connect" not in monitor.status.value + monitor.caption.value and not monitor.skip_warning
    assert f"weights over {len(space.decisions)} decisions" in monitor.status.value
    assert "strongest option of each of 27 decisions" in monitor.caption.value
    assert monitor.warning.value == "" and bytes(monitor.heatmap.value).startswith(b"\x89PNG")
    monitor.epoch.value = 1
    assert "epoch 1/2: derived architecture" in monitor.drawing.value
    page = monitor.save_snapshot(tmp_path / "chain.html").read_text()
    assert "data:image/png;base64," in page and "<svg" in page


def test_alphas_figure_rows_are_each_decisions_options():
    rows = {"w1": {"8": 0.2, "12": 0.3, "16": 0.5}, "se1": {"False": 0.9, "True": 0.1},
            "k1.1": {"3": 0.1, "5": 0.1, "7": 0.8}, "d1": {"1": 0.4, "2": 0.3, "3": 0.3}}
    fig = alphas_figure([rows, rows, rows])
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in heatmaps] == ["w1", "se1", "k1.1", "d1"]        # the decisions' names
    assert [ax.images[0].get_array().shape for ax in heatmaps] == [(3, 3), (2, 3), (3, 3), (3, 3)]
    assert [t.get_text() for t in heatmaps[1].get_yticklabels()] == ["False", "True"]
    assert [t.get_text() for t in heatmaps[0].get_yticklabels()] == ["8", "12", "16"]
    assert heatmaps[2].images[0].get_array()[2, 0] == 0.8
    assert "per decision" in fig.get_suptitle() and "weight (softmax per decision)" in fig.axes[-1].get_ylabel()


def test_a_monitor_without_a_space_says_why_it_cannot_draw_a_chain():
    monitor = DartsMonitor()
    rows = {d.name: {str(o): 1 / len(d.options) for o in d.options} for d in ChainSpace().decisions}
    derived = str(ChainSpace().make(lambda d: d.options[0]))
    monitor(Event("epoch_finished", None, None, {"epoch": 1, "epochs": 3, "alphas": rows, "derived": derived,
                                                  "train_loss": 1.0}))
    assert "no search space to read it with" in monitor.drawing.value and derived in monitor.caption.value
    monitor.refresh()
    assert monitor.warning.value == "" and bytes(monitor.heatmap.value).startswith(b"\x89PNG")
    assert not monitor.skip_warning
