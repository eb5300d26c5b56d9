"""The NAS-Bench-201 cell space: strings, enumeration, networks (vs. the benchmark and a naive forward), errors."""
import random
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from minas.spaces import NB201_OPS, ArchError, Cell, CellSpace
from minas.spaces.cell_net import InferCell

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
CONTRACT = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|"
ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"


pytestmark = pytest.mark.usefixtures("one_thread")


# --- strings and enumeration -----------------------------------------------------------------

def test_contract_string_round_trip(space):
    cell = space.parse(CONTRACT)
    assert isinstance(cell, Cell)
    assert cell.ops == ("nor_conv_3x3", "nor_conv_3x3", "skip_connect", "skip_connect", "nor_conv_1x1", "avg_pool_3x3")
    assert str(cell) == CONTRACT
    assert space.parse(f"  {CONTRACT}\n") == cell          # surrounding whitespace is tolerated


def test_sampled_cells_round_trip(space):
    rng = random.Random(0)
    cells = [space.sample(rng) for _ in range(200)]
    assert len(set(cells)) > 150                              # really random, not one cell 200 times
    for cell in cells:
        assert space.parse(str(cell)) == cell
        assert str(space.parse(str(cell))) == str(cell)


def test_enumerate_size_index(space):
    assert space.size == 15625 == 5 ** 6
    cells = list(space.enumerate())
    assert len(cells) == 15625
    assert len(set(cells)) == 15625
    assert len({str(c) for c in cells}) == 15625
    assert cells[0] == Cell(("none",) * 6) and cells[-1] == Cell(("avg_pool_3x3",) * 6)
    for k, cell in enumerate(cells):
        assert space.parse(str(cell)) == cell
        assert space.index(cell) == k


# --- networks: parameter counts equal NAS-Bench-201's -----------------------------------------

def test_parameter_counts_match_nasbench201(space):
    path = SHARED / "nb201_accuracy.csv"
    if not path.exists():
        pytest.skip(f"benchmark table {path} not found (it lives in ../shared/benchmarks next to the repo)")
    import pandas as pd
    table = pd.read_csv(path, usecols=["arch_str", "c10_params_m"])
    rows = table.sample(25, random_state=0)
    extra = table[table.arch_str.isin([ALL_NONE, ALL_CONV])]
    assert len(extra) == 2
    checked = 0
    for arch_str, params_m in zip(list(rows.arch_str) + list(extra.arch_str), list(rows.c10_params_m) + list(extra.c10_params_m)):
        net = space.to_module(space.parse(arch_str), channels=16, cells=5, input_shape=(3, 32, 32), num_classes=10)
        mine = sum(p.numel() for p in net.parameters())
        assert mine == round(params_m * 1e6), arch_str
        checked += 1
    assert checked == 27


# --- networks: forward -------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 32, 32), (1, 40), (1, 8, 8)])
def test_forward_shapes(space, shape):
    torch.manual_seed(0)
    net = space.to_module(space.parse(CONTRACT), input_shape=shape, num_classes=7, channels=4, cells=1)
    conv = nn.Conv1d if len(shape) == 2 else nn.Conv2d
    assert any(isinstance(m, conv) for m in net.modules())
    out = net(torch.randn(3, *shape))
    assert out.shape == (3, 7)
    assert torch.isfinite(out).all()


def test_all_none_cell_runs(space):
    torch.manual_seed(0)
    net = space.to_module(space.parse(ALL_NONE), input_shape=(3, 16, 16), num_classes=5, channels=4, cells=1)
    out = net(torch.randn(2, 3, 16, 16))
    assert out.shape == (2, 5) and torch.isfinite(out).all()
    out.sum().backward()                                      # still trainable: reductions and head have grads
    assert net.head[-1].weight.grad is not None


def _naive_cell_forward(cell_module: InferCell, cell: Cell, x: torch.Tensor, drop_zero_nodes=False) -> torch.Tensor:
    """NAS-Bench-201's InferCell.forward: every node is the sum over ALL incoming edges, `none` = x * 0.
    `drop_zero_nodes` simulates a wrong optimisation (edges out of a node fed only by `none` ignored)."""
    ops = iter(cell_module.ops)                               # the modules of the non-none edges, in edge order
    modules = {(i, j): (None if op == "none" else next(ops)) for i, j, op in cell.edges()}
    assert next(ops, None) is None                            # as many modules as non-none edges
    nodes, zero = [x], {0: False}
    for i in range(1, cell.nodes):
        terms = [nodes[j] * 0.0 if modules[i, j] is None or (drop_zero_nodes and zero[j]) else modules[i, j](nodes[j])
                 for j in range(i)]
        zero[i] = all(modules[i, j] is None or zero[j] for j in range(i))
        nodes.append(sum(terms))
    return nodes[-1]


def _naive_forward(net: nn.Module, cell: Cell, x: torch.Tensor, drop_zero_nodes=False) -> torch.Tensor:
    x = net.stem(x)
    for layer in net.cells:
        x = _naive_cell_forward(layer, cell, x, drop_zero_nodes) if isinstance(layer, InferCell) else layer(x)
    return net.head(x)


def _randomise_batch_norms(net: nn.Module, gen: torch.Generator) -> None:
    """Non-trivial eval statistics, so that BN(conv(0)) != 0 and a wrongly skipped edge shows."""
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.randn(n, generator=gen))
            m.bias.data.copy_(torch.randn(n, generator=gen))


DEAD_NODE_CELLS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|none~2|",      # nodes 1, 2 dead
    "|none~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_1x1~2|",              # node 1 fed by none only
    "|nor_conv_1x1~0|+|none~0|none~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",      # node 2 is zero, used
    "|skip_connect~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|",                      # output is zero
    ALL_NONE, ALL_CONV,
]


def test_infer_cell_equals_naive_forward(space):
    rng, gen = random.Random(1), torch.Generator().manual_seed(1)
    cells = [space.parse(s) for s in DEAD_NODE_CELLS] + [space.sample(rng) for _ in range(14)]
    # the fixed cells really exercise the optimisation: skipped edges that are not `none`
    assert sum(len(InferCell(c.ops, 2, 4).live) < sum(op != "none" for op in c.ops) for c in cells[:4]) >= 2
    for shape in [(3, 8, 8)]:
        for cell in cells:
            torch.manual_seed(0)
            net = space.to_module(cell, input_shape=shape, num_classes=10, channels=4, cells=2)
            _randomise_batch_norms(net, gen)
            net.eval()
            x = torch.randn(4, *shape, generator=gen)
            with torch.no_grad():
                fast, naive = net(x), _naive_forward(net, cell, x)
            assert torch.isfinite(fast).all()
            assert torch.allclose(fast, naive, atol=1e-5, rtol=1e-4), str(cell)


def test_naive_reference_is_sensitive(space):
    """Guard for the test above: with randomised BN statistics, an op applied to a zero node is not zero,
    so an implementation that dropped the edges out of a `none`-fed node would disagree with the reference."""
    cell = space.parse(DEAD_NODE_CELLS[2])                    # node 2 receives only `none`; 2 -> 3 is a conv
    torch.manual_seed(0)
    net = space.to_module(cell, input_shape=(3, 8, 8), num_classes=10, channels=4, cells=1)
    _randomise_batch_norms(net, torch.Generator().manual_seed(0))
    net.eval()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        right = _naive_forward(net, cell, x)
        buggy = _naive_forward(net, cell, x, drop_zero_nodes=True)
        assert torch.allclose(net(x), right, atol=1e-5, rtol=1e-4)
        assert not torch.allclose(net(x), buggy, atol=1e-3, rtol=1e-3)


# --- mutation, neighbours, encoding ---------------------------------------------------------

def test_mutate_changes_exactly_one_edge(space):
    rng = random.Random(0)
    changed_edges = set()
    for _ in range(200):
        cell = space.sample(rng)
        child = space.mutate(cell, rng)
        diff = [e for e in range(6) if cell.ops[e] != child.ops[e]]
        assert len(diff) == 1
        assert child.ops[diff[0]] in NB201_OPS
        changed_edges.add(diff[0])
    assert changed_edges == set(range(6))


def test_neighbours(space):
    cell = space.parse(CONTRACT)
    ns = space.neighbours(cell)
    assert len(ns) == 24 and len(set(ns)) == 24
    assert cell not in ns
    for n in ns:
        assert sum(a != b for a, b in zip(n.ops, cell.ops)) == 1
        space.check(n)


def test_encode_one_hot(space):
    cell = space.parse(CONTRACT)
    code = space.encode(cell)
    assert len(code) == 30
    assert set(code) == {0.0, 1.0}
    for e, op in enumerate(cell.ops):
        block = code[5 * e: 5 * e + 5]
        assert sum(block) == 1
        assert NB201_OPS[block.index(1.0)] == op
    assert space.encode(space.mutate(cell, random.Random(0))) != code


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "|nor_conv_3x3~0|",                                                                            # one group
    "|nor_conv_3x3~0||nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|",   # missing '+'
    "|nor_conv_3x3~0|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|",    # missing '+'
    "|nor_conv_3x3~0|+|skip_connect~1|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|",  # ~ order
    "|nor_conv_3x3~1|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|",  # wrong index
    CONTRACT + "+|none~0|none~1|none~2|none~3|",                                                   # extra group
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|",             # edge missing
    "nor_conv_3x3~0+nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|",    # no bars
])
def test_malformed_strings(space, text):
    with pytest.raises(ArchError) as err:
        space.parse(text)
    assert text in str(err.value)


def test_empty_string(space):
    with pytest.raises(ArchError) as err:
        space.parse("")
    assert "''" in str(err.value)


def test_unknown_op_is_named_with_known_ops(space):
    text = CONTRACT.replace("nor_conv_3x3~0|+|nor_conv_3x3", "conv_5x5~0|+|nor_conv_3x3", 1)
    assert text.startswith("|conv_5x5~0|+")
    with pytest.raises(ArchError) as err:
        space.parse(text)
    message = str(err.value)
    assert "conv_5x5" in message
    assert all(op in message for op in NB201_OPS)


def test_bad_spaces_and_shapes(space):
    with pytest.raises(ArchError) as err:
        CellSpace(ops=["bogus"])
    assert "bogus" in str(err.value) and "nor_conv_3x3" in str(err.value)
    with pytest.raises(ArchError):
        CellSpace(ops=["none", "none"])
    with pytest.raises(ArchError):
        CellSpace(nodes=1)
    small = CellSpace(ops=["none", "skip_connect"], nodes=3)
    assert small.size == 8 and len(list(small.enumerate())) == 8
    with pytest.raises(ArchError):
        small.check(space.parse(CONTRACT))                    # 6 edges in a 3-edge space
    with pytest.raises(ArchError):
        small.check(Cell(("nor_conv_3x3", "none", "none")))   # op outside this space
    with pytest.raises(ArchError) as err:
        space.to_module(space.parse(CONTRACT), input_shape=(1, 3, 3), num_classes=2)
    assert "too small" in str(err.value)
    with pytest.raises(ArchError):
        space.to_module(space.parse(CONTRACT), input_shape=(1, 3), num_classes=2)
    with pytest.raises(ArchError):
        space.to_module(space.parse(CONTRACT), input_shape=(1, 8, 8, 8), num_classes=2)


# --- drawing ---------------------------------------------------------------------------------

def test_to_graph(space):
    graphviz = pytest.importorskip("graphviz")
    cell = space.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|")
    g = space.to_graph(cell)
    assert isinstance(g, graphviz.Digraph)
    source = g.source
    for op in ("nor_conv_3x3", "skip_connect", "avg_pool_3x3", "nor_conv_1x1"):
        assert op in source
    assert "none" not in source
    assert source.count("->") == 4
    assert space.to_graph(space.parse(ALL_NONE)).source.count("->") == 0
