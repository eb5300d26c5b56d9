"""The architecture explorer, driven by ticking ops, choosing nodes and picking the op on each edge. Networks are
built small (C = 4, one cell per stage, 8×8 inputs) so that measuring them takes milliseconds."""
import itertools
import random
import re
import threading
import time
from pathlib import Path

import nbformat
import pytest
import torch

from minas.benchmarks import MNIST1DBench
from minas.estimators.training import count_flops
from minas.spaces import CellSpace, ChainSpace, define
from minas.drawing import arch_svg
from widgets import ArchitectureExplorer

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SMALL = {"input_shape": (3, 8, 8), "channels": 4, "cells": 1}


@pytest.fixture
def explorer(bench, tmp_path, one_thread):
    """NAS-Bench-201 and an MNIST-1D table that is not built (as on a fresh clone)."""
    return ArchitectureExplorer(benchmarks=[bench, MNIST1DBench(tmp_path / "missing.json.gz")],
                                latency_runs=3, **SMALL)


def test_ticking_ops_and_nodes_changes_the_space(explorer):
    assert "<b>15,625</b> cells" in explorer.size.value and len(explorer.edges) == 6
    explorer.edges[2].value = "avg_pool_3x3"
    explorer.op_boxes["avg_pool_3x3"].value = False                  # untick an op
    assert "<b>4</b> ops ^ <b>6</b> edges = <b>4,096</b> cells" in explorer.size.value
    assert all("avg_pool_3x3" not in dd.options for dd in explorer.edges)
    assert explorer.edges[2].value == "nor_conv_3x3"                 # its edge falls back to a kept op
    explorer.edges[0].value = "skip_connect"
    explorer.nodes.value = 3                                         # fewer nodes, fewer edges
    assert [dd.description for dd in explorer.edges] == ["0→1", "0→2", "1→2"]
    assert "<b>64</b> cells" in explorer.size.value                 # 4 ** 3
    assert explorer.space.size == 64 and explorer.edges[0].value == "skip_connect"      # edge 0→1 kept its op
    assert "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|" in explorer.arch_string.value
    for op in ("none", "skip_connect", "nor_conv_1x1"):
        explorer.op_boxes[op].value = False
    explorer.op_boxes["nor_conv_3x3"].value = False                  # the last op cannot go
    assert explorer.op_boxes["nor_conv_3x3"].value and "at least one op" in explorer.message.value
    assert "<b>1</b> ops ^ <b>3</b> edges = <b>1</b> cells" in explorer.size.value


def test_picking_ops_redraws_and_measures(explorer, bench, tmp_path):
    explorer.set_arch("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|")
    explorer.refresh()
    space, arch = CellSpace(), explorer.arch
    net = space.to_module(arch, num_classes=10, **SMALL)
    params = sum(p.numel() for p in net.parameters())
    assert explorer.measured["params"] == params and f"{params:,}" in explorer.measures.value
    assert explorer.measured["flops"] == count_flops(net, SMALL["input_shape"]) > 0
    assert 0 < explorer.measured["latency"] < 1 and "ms (median of 3, batch 1)" in explorer.measures.value
    truth = bench.query(arch)["val_acc"]
    assert f"{truth:.2f} % validation accuracy" in explorer.measures.value
    assert "<svg" in explorer.drawing.value and "avg_pool_3x3" in explorer.drawing.value

    explorer.edges[0].value = "none"                                 # a conv gone: fewer parameters
    explorer.refresh()
    assert explorer.measured["params"] < params and "avg_pool_3x3~2" in explorer.arch_string.value
    assert f"{truth:.2f} %" not in explorer.measures.value
    page = explorer.save_snapshot(tmp_path / "explorer.html").read_text()
    assert "<svg" in page and "15,625" in page and "parameters" in page


def test_a_missing_benchmark_table_is_said_not_raised(explorer):
    explorer.preset.value = "MNIST-1D"
    assert list(explorer.space.ops) == ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3"]
    assert explorer.network["input_shape"] == (1, 40) and "<b>4,096</b> cells" in explorer.size.value
    explorer.refresh()
    assert "no MNIST-1D table at" in explorer.measures.value and "build_mnist1d" in explorer.measures.value
    assert explorer.message.value == "" and "<svg" in explorer.drawing.value
    explorer.nodes.value = 5
    explorer.refresh()
    assert "no benchmark table knows this space" in explorer.measures.value
    assert torch.get_num_threads() == 1


# --- any decision space: the chain and declared spaces ------------------------------------------------------

def small_cnn(hp, input_shape, num_classes):
    """A declared space: a width, a depth of 1 to 3 convolutions, each with its own kernel (conditional)."""
    import torch.nn as nn
    width = hp.choice("width", [4, 8])
    layers = [nn.Conv1d(input_shape[0], width, 3, padding=1), nn.ReLU()]
    for i in range(hp.choice("depth", [1, 2, 3])):
        k = hp.choice(f"k{i}", [3, 5])
        layers += [nn.Conv1d(width, width, k, padding=k // 2), nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(width, num_classes))


def test_the_chain_has_one_dropdown_per_decision_that_applies(one_thread):
    explorer = ArchitectureExplorer(preset="chain · MNIST-1D", latency_runs=3)
    assert explorer.op_boxes and explorer.edges == []                       # no cell controls on show
    assert list(explorer.decisions)[:5] == ["w1", "d1", "k1.1", "e1.1", "se1"]
    assert "<b>27</b> decisions, <b>15</b> of them apply here" in explorer.size.value
    assert f"<b>{ChainSpace().size:,}</b> architectures" in explorer.size.value

    explorer.decisions["d1"].value = 3                                      # two more blocks in stage 1
    assert list(explorer.decisions)[:9] == ["w1", "d1", "k1.1", "e1.1", "k1.2", "e1.2", "k1.3", "e1.3", "se1"]
    assert "k1.3=3,e1.3=1" in explorer.arch_string.value
    explorer.decisions["k1.3"].value = 7
    explorer.decisions["d1"].value = 1                                      # they go ...
    assert "k1.2" not in explorer.decisions and "k1.3" not in explorer.arch_string.value
    explorer.decisions["d1"].value = 3                                      # ... and come back as they were
    assert explorer.decisions["k1.3"].value == 7 and "k1.3=7" in explorer.arch_string.value

    explorer.refresh()
    before = dict(explorer.measured)
    net = ChainSpace().to_module(explorer.arch, input_shape=(1, 40), num_classes=10)
    assert before["params"] == sum(p.numel() for p in net.parameters())
    assert before["flops"] == count_flops(net, (1, 40)) and before["accuracy"] is None
    assert "benchmark" not in explorer.measures.value and "input 1×40, 10 classes" in explorer.measures.value
    explorer.decisions["k1.1"].value = 7                                    # a bigger kernel costs more
    explorer.refresh()
    bigger = dict(explorer.measured)
    assert bigger["params"] > before["params"] and bigger["flops"] > before["flops"]
    explorer.decisions["e1.1"].value = 6                                    # and so does a wider expansion
    explorer.refresh()
    assert explorer.measured["params"] > bigger["params"] and explorer.measured["flops"] > bigger["flops"]
    assert 0 < explorer.measured["latency"] < 1 and "k7 e6" in explorer.drawing.value
    assert explorer.message.value == ""


def test_a_declared_space_joins_the_presets_and_keeps_the_cell_presets(one_thread):
    space = define(small_cnn, name="small cnn")
    explorer = ArchitectureExplorer(space=space, latency_runs=3)
    assert explorer.preset.value == "small cnn" and "NAS-Bench-201" in explorer.preset.options
    assert list(explorer.decisions) == ["width", "depth", "k0"] and "<b>28</b> architectures" in explorer.size.value
    explorer.decisions["depth"].value = 3
    assert list(explorer.decisions) == ["width", "depth", "k0", "k1", "k2"]
    explorer.refresh()
    net = small_cnn(_Fixed(dict(explorer.arch)), (1, 40), 10)
    assert explorer.measured["params"] == sum(p.numel() for p in net.parameters())
    assert "<svg" in explorer.drawing.value and "Conv1d 4→4 k3" in explorer.drawing.value

    explorer.preset.value = "NAS-Bench-201"                                 # the cell presets work as before
    assert len(explorer.edges) == 6 and explorer.decisions == {} and "<b>15,625</b> cells" in explorer.size.value
    explorer.preset.value = "small cnn"                                     # and the declared one kept its values
    assert list(explorer.decisions) == ["width", "depth", "k0", "k1", "k2"]


class _Fixed:
    def __init__(self, values):
        self.values = values

    def choice(self, name, options):
        return self.values[name]


def test_while_measuring_the_old_numbers_are_marked_stale(explorer, monkeypatch):
    """A change shows the new string at once; the drawing and numbers of the old cell stay, greyed, with a
    "measuring" line, until the background thread has measured the new one."""
    from widgets import architecture_explorer as module
    explorer.refresh()
    old = dict(explorer.measured)
    release, started = threading.Event(), threading.Event()
    real = module.measure

    def slow(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "measure", slow)
    explorer.edges[0].value = "none"
    assert "|none~0|" in explorer.arch_string.value                         # the string is new at once
    assert started.wait(30)                                                 # the background is measuring it
    assert module.STALE in explorer.measures._dom_classes and explorer.measured == old
    assert "measuring |none~0|" in explorer.state.value
    release.set()
    deadline = time.monotonic() + 30
    while module.STALE in explorer.measures._dom_classes and time.monotonic() < deadline:
        time.sleep(0.02)
    assert module.STALE not in explorer.measures._dom_classes + explorer.drawing._dom_classes
    assert explorer.measured["params"] < old["params"] and "measured in" in explorer.state.value


def test_notebook_02_cell_after_choosing_five_nodes_runs(explorer, capsys):
    """Things to try #3 in notebook 02 (untick none and avg_pool_3x3, 5 nodes), then the cell after it."""
    cells = nbformat.read(NOTEBOOKS / "02_search_spaces.ipynb", as_version=4).cells
    after = next(c.source for c in cells if c.cell_type == "code" and "explorer.measured" in c.source)
    explorer.op_boxes["none"].value = explorer.op_boxes["avg_pool_3x3"].value = False
    explorer.nodes.value = 5
    assert "<b>3</b> ops ^ <b>10</b> edges = <b>59,049</b> cells" in explorer.size.value
    exec(after, {"explorer": explorer, "space": CellSpace()})               # `space`: the notebook's 4-node one
    out = capsys.readouterr().out
    assert f"your cell:        {explorer.arch}" in out and "parameters:" in out


def label_boxes(svg):
    """The edge labels of a graphviz SVG as (text, x0, y0, x1, y1), widths as a browser's sans-serif draws them."""
    found = []
    for m in re.finditer(r'<g id="edge\d+" class="edge">.*?</g>', svg, re.S):
        for t in re.finditer(r'<text text-anchor="middle" x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"'
                             r'[^>]*>([^<]+)</text>', m.group(0)):
            x, y, size, text = float(t[1]), float(t[2]), float(t[3]), t[4]
            half = 0.3 * size * len(text)
            found.append((text, x - half, y - size, x + half, y))
    return found


def test_five_node_labels_stand_apart_and_get_a_wider_drawing(explorer):
    for nodes in (5, 6):
        space = CellSpace(("skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"), nodes)
        rng = random.Random(nodes)
        for _ in range(5):
            boxes = label_boxes(arch_svg(space, space.sample(rng)))
            gaps = [max(q[1] - p[3], p[1] - q[3], q[2] - p[4], p[2] - q[4])
                    for p, q in itertools.combinations(boxes, 2)]
            assert min(gaps) >= 20, f"two labels {min(gaps):.1f} points apart on a {nodes}-node cell"
    assert explorer.drawing.layout.width == "520px"
    explorer.nodes.value = 5
    assert explorer.drawing.layout.width == "1040px"
