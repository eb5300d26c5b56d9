"""The Pareto front (a pure function in minas.analysis) and the ParetoView panel, live from a search and from a
trials DataFrame."""
import math

import pandas as pd
import pytest

import minas
from minas.analysis import pareto_front
from minas.estimators import Tabular, Training
from minas.spaces import CellSpace, ChainSpace, define
from minas.strategies import RandomSearch
from widgets import ParetoView


def test_pareto_front_keeps_the_non_dominated_rows_along_the_front():
    frame = pd.DataFrame({"params": [5, 1, 3, 3, 2, 4, 2, 9, math.nan, 6],
                          "val_acc": [90, 70, 85, 80, 70, 85, 70, 95, 99, math.nan]},
                         index=list("abcdefghij"))
    front = pareto_front(frame, "params")
    # b (1, 70); e and g equal (2, 70) are dominated by b; c (3, 85) beats d (3, 80) and f (4, 85);
    # a (5, 90); h (9, 95); i and j lack a value
    assert list(front.index) == ["b", "c", "a", "h"]
    assert list(pareto_front(frame.loc[["e", "g"]], "params").index) == ["e", "g"]      # equal rows both stay
    lowest = pareto_front(frame, "params", "val_acc", minimize_x=False, maximize_y=False)
    assert list(lowest.index) == ["h", "a", "f", "d", "e", "g"]                # most params, least accuracy
    assert pareto_front(frame.iloc[:0], "params").empty


def brute_force_front(frame, x, y="val_acc"):
    rows = frame[[x, y]].dropna()
    return {i for i, (a, b) in rows.iterrows()
            if not any((c <= a and d >= b) and (c < a or d > b) for _, (c, d) in rows.iterrows())}


@pytest.fixture
def search(bench):
    s = minas.Search(CellSpace(), RandomSearch(), Tabular(bench), trials=40, seed=3)
    s.run()
    return s


def test_live_view_lists_the_front_and_a_pick_draws_the_cell(bench):
    view = ParetoView()
    fresh = minas.Search(CellSpace(), RandomSearch(), Tabular(bench), trials=40, seed=3)
    view.watch(fresh)
    fresh.run()
    view.refresh()
    frame = fresh.result().trials
    labels = [label for _, label in view.front.options]
    assert set(labels) == brute_force_front(frame, "params")
    assert labels == list(pareto_front(frame, "params").index)                 # ordered along the front
    params = [frame.at[i, "params"] for i in labels]
    assert params == sorted(params) and [frame.at[i, "val_acc"] for i in labels] == sorted(frame.loc[labels, "val_acc"])
    assert f"{len(labels)} of 40 architectures are on the front" in view.note.value
    before = bytes(view.plot.value)

    view.front.value = labels[1]                                               # a pick
    assert view.selected == labels[1]
    assert "<svg" in view.drawing.value and str(fresh.trials[labels[1]].arch) in view.details.value
    view.refresh()
    assert bytes(view.plot.value) != before                                    # the pick is ringed

    view.x.value = "latency"
    view.refresh()
    assert [label for _, label in view.front.options] == list(pareto_front(frame, "latency").index)
    assert " ms · " in view.front.options[0][0]
    view.x.value = "flops"                                                     # a table lookup has no FLOPs
    view.refresh()
    assert view.front.options == () and "40 without FLOPs" in view.note.value


def test_from_a_dataframe_and_snapshot(search, tmp_path):
    view = ParetoView(search.result().trials, space=CellSpace())
    assert view.front.options and view.front.options[0][0].endswith(f"trial {view.front.options[0][1]}")
    view.front.value = view.front.options[-1][1]
    view.refresh()
    page = view.save_snapshot(tmp_path / "pareto.html").read_text()
    assert "data:image/png;base64," in page and "<svg" in page and "on the front" in page


def test_follows_every_search_a_panel_starts(panel):
    view = ParetoView(panel)
    for seed in (0, 1):
        panel.start(trials=8, seed=seed)
        assert panel.wait(30) and panel.status == "finished"
        view.refresh()
        assert view.trials().equals(panel.result().trials)                     # the newest search, not both
        assert {label for _, label in view.front.options} == brute_force_front(panel.result().trials, "params")


# --- any space: the chain and declared spaces ----------------------------------------------------------------

def tiny_cnn(hp, input_shape, num_classes):
    import torch.nn as nn
    width = hp.choice("width", [2, 4, 8])
    layers = [nn.Conv2d(input_shape[0], width, 3, padding=1), nn.ReLU()]
    for i in range(hp.choice("depth", [1, 2])):
        k = hp.choice(f"k{i}", [1, 3])
        layers += [nn.Conv2d(width, width, k, padding=k // 2), nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, num_classes))


def quick_training():
    """One epoch on a tenth of the 8×8 digits, latency timed on 3 passes: a trial in a fraction of a second."""
    return Training(dataset="digits", epochs=1, fraction=0.1, batch_size=64, latency_runs=3)


def test_live_view_of_a_chain_search_draws_its_chains(one_thread):
    space = ChainSpace(widths=((4, 8), (8, 16)), depths=(1, 2), stem=4)
    search = minas.Search(space, RandomSearch(), quick_training(), trials=8, seed=0)
    view = ParetoView(search, x="latency")
    search.run()
    view.refresh()
    frame = search.result().trials
    labels = [label for _, label in view.front.options]
    assert labels == list(pareto_front(frame, "latency").index) and " ms · " in view.front.options[0][0]
    view.front.value = labels[-1]
    arch = search.trials[labels[-1]].arch
    assert "<svg" in view.drawing.value and f"k{space.stages(arch)[0][1][0][0]} e" in view.drawing.value
    assert str(arch) in view.details.value and "minas-warning" not in view.details.value
    view.x.value = "flops"
    view.refresh()
    assert [label for _, label in view.front.options] == list(pareto_front(frame, "flops").index)


def test_a_trials_table_of_a_declared_space_is_drawn_with_its_space(one_thread):
    space = define(tiny_cnn, input_shape=(1, 8, 8))
    frame = minas.Search(space, RandomSearch(), quick_training(), trials=6, seed=1).run().trials
    assert frame["arch"].str.startswith("width=").all()
    bare = ParetoView(frame)                                           # no space: listed, not drawn, no error
    bare.front.value = bare.front.options[0][1]
    assert frame.at[bare.front.options[0][1], "arch"] in bare.details.value
    assert "give ParetoView the search space" in bare.drawing.value and "<svg" not in bare.drawing.value
    view = ParetoView(frame, space=space)
    view.front.value = view.front.options[0][1]
    assert "<svg" in view.drawing.value and "Conv2d" in view.drawing.value
    assert "minas-warning" not in view.details.value + view.note.value
