"""The architecture explorer, driven by ticking ops, choosing nodes and picking the op on each edge. Networks are
built small (C = 4, one cell per stage, 8×8 inputs) so that measuring them takes milliseconds."""
import pytest
import torch

from minas.benchmarks import MNIST1DBench
from minas.estimators.training import count_flops
from minas.spaces import CellSpace
from widgets import ArchitectureExplorer

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
