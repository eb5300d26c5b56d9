"""The MobileNet-like chain: its decisions, its networks on signals and images, its supernet, and every strategy
and estimator on it."""
import random

import pytest
import torch

import minas
from minas.estimators import Estimator, OneShot, Result, Tabular, Training, ZeroCost
from minas.hardware import measure
from minas.spaces import ArchError, ChainSpace
from minas.spaces.chain_net import strides
from minas.strategies import DARTS, ENAS, GDAS, REINFORCE, STRATEGIES, DrNAS
from fakes import bumps

TINY = ChainSpace(widths=((4, 8), (8, 16)), depths=(1, 2), kernels=(3, 5), expansions=(1, 3), stem=4)


class Kernels(Estimator):
    """A free stand-in for training: bigger kernels and more blocks score higher."""
    name = "kernels"

    def evaluate(self, arch, budget=None):
        return Result(val_acc=float(sum(v for k, v in arch.items() if k.startswith("k"))), cost=1.0)


def test_decisions_are_per_stage_width_and_depth_and_per_block_kernel_and_expansion():
    space = ChainSpace()
    names = [d.name for d in space.decisions]
    assert names[:9] == ["w1", "d1", "k1.1", "e1.1", "k1.2", "e1.2", "k1.3", "e1.3", "se1"]
    assert len(names) == 3 * (2 + 3 * 2 + 1)
    arch = space.parse("w1=12,d1=1,k1.1=5,e1.1=3,se1=False,w2=24,d2=2,k2.1=7,e2.1=6,k2.2=3,e2.2=1,se2=True,"
                       "w3=64,d3=1,k3.1=3,e3.1=6,se3=False")
    assert space.stages(arch) == [(12, [(5, 3)], False), (24, [(7, 6), (3, 1)], True), (64, [(3, 6)], False)]
    with pytest.raises(ArchError, match="'4' is not an option of 'k1.1'"):
        space.parse(str(arch).replace("k1.1=5", "k1.1=4"))


def test_size_counts_every_chain():
    assert TINY.size == (2 * (4 + 16) * 2) ** 2 == sum(1 for _ in TINY.enumerate())
    assert ChainSpace().size == (3 * (9 + 81 + 729) * 2) ** 3


@pytest.mark.parametrize("shape, expected", [((1, 8, 8), [2, 1, 1]), ((1, 40), [2, 2, 2]), ((3, 32, 32), [2, 2, 2]),
                                             ((1, 4), [1, 1, 1])])
def test_strides_adapt_to_the_input_and_networks_fit_digits_signals_and_images(shape, expected):
    assert strides(shape, 3) == expected
    space = ChainSpace()
    arch = space.sample(random.Random(0))
    net = space.to_module(arch, input_shape=shape, num_classes=7)
    assert net(torch.zeros(2, *shape)).shape == (2, 7)


def test_a_blocks_kernel_and_expansion_move_parameters_flops_and_latency():
    space = ChainSpace()
    small = space.parse("w1=8,d1=1,k1.1=3,e1.1=1,se1=False,w2=16,d2=1,k2.1=3,e2.1=1,se2=False,w3=32,d3=1,k3.1=3,"
                        "e3.1=1,se3=False")
    costs = {}
    for change in ("", "k3.1=7", "e3.1=6"):
        arch = space.parse(str(small).replace("k3.1=3" if "k" in change else "e3.1=1", change)) if change else small
        costs[change] = measure(space.to_module(arch, input_shape=(1, 40), num_classes=10), (1, 40), runs=3)
    assert costs["k3.1=7"]["params"] > costs[""]["params"] and costs["k3.1=7"]["flops"] > costs[""]["flops"]
    assert costs["e3.1=6"]["params"] > costs["k3.1=7"]["params"]
    assert all(c["latency"] > 0 for c in costs.values())


def _copy_into(child, supernet, space, arch):
    """Load the supernet's weights, sliced to `arch`'s sizes, into the standalone chain `child`."""
    def take(dst, src):
        for name, tensor in dst.state_dict().items():
            source = src.state_dict()[name]
            if tensor.dim() >= 2 and source.shape[1] != 1 and tensor.shape[1] != source.shape[1]:
                source = source[:, :tensor.shape[1]]
            source = source[:tensor.shape[0]] if tensor.dim() else source
            if tensor.dim() >= 3 and tensor.shape[-1] != source.shape[-1]:
                cut = (source.shape[-1] - tensor.shape[-1]) // 2
                source = source[..., cut:cut + tensor.shape[-1]]
            tensor.copy_(source)
    with torch.no_grad():
        take(child.stem, supernet.stem)
        blocks = iter(child.blocks)
        for s, (_, layers, _) in enumerate(space.stages(arch)):
            for b in range(len(layers)):
                block, superblock = next(blocks), supernet.stages[s][b]
                expand, _, depthwise, _, project = block.body
                take(expand[0], superblock.expand[0]), take(expand[1], superblock.expand[1])
                take(depthwise[0], superblock.depthwise), take(depthwise[1], superblock.depthwise_bn)
                take(project[0], superblock.project[0]), take(project[1], superblock.project[1])
        take(child.head[2], supernet.head[2])


def test_a_one_hot_path_through_the_supernet_computes_what_its_chain_computes():
    space = ChainSpace(widths=((4, 8), (8, 16)), depths=(1, 2, 3), kernels=(3, 5, 7), expansions=(1, 3), se=False,
                       stem=4)
    torch.manual_seed(0)
    supernet = space.supernet(input_shape=(1, 16), num_classes=3)
    for m in supernet.modules():                  # non-trivial batch-norm statistics
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.uniform_(-0.5, 0.5), m.running_var.uniform_(0.5, 2.0)
    supernet.eval()
    x, rng = torch.randn(5, 1, 16), random.Random(0)
    for _ in range(10):
        arch = space.sample(rng)
        child = space.to_module(arch, input_shape=(1, 16), num_classes=3).eval()
        _copy_into(child, supernet, space, arch)
        with torch.no_grad():
            assert torch.allclose(supernet(x, supernet.weights_of(arch), one_hot=True), child(x), atol=1e-5), arch
        assert supernet.derive(supernet.weights_of(arch)) == arch


@pytest.mark.parametrize("make", [DARTS, GDAS, DrNAS, lambda **kw: ENAS(controller_steps=5, **kw)],
                         ids=["darts", "gdas", "drnas", "enas"])
def test_one_shot_strategies_search_the_chain(make, one_thread):
    events = []
    search = minas.Search(TINY, make(dataset=bumps(), epochs=2, batch_size=64), Kernels(), trials=5, seed=0)
    search.subscribe(lambda e: events.append(e) if e.kind == "epoch_finished" else None)
    result = search.run()
    assert result.status == "finished" and len(result.trials) == 2
    assert list(events[0].data["alphas"]) == [d.name for d in TINY.decisions]
    assert set(events[0].data["alphas"]["d1"]) == {"1", "2"} and set(events[0].data["alphas"]["se1"]) == {"False", "True"}
    for event, arch in zip(events, result.trials.arch):
        assert event.data["derived"] == arch and TINY.parse(arch)


def test_every_other_strategy_searches_the_chain():
    for name in STRATEGIES.names():
        strategy = STRATEGIES.create(name)
        if "supernet" in strategy.requires:
            continue
        result = minas.Search(TINY, strategy, Kernels(), trials=15, seed=1).run()
        assert (result.trials.status == "ok").all() and all(TINY.parse(a) for a in result.trials.arch), name


def test_reinforce_learns_a_policy_per_decision_including_conditional_ones():
    strategy = REINFORCE(learning_rate=0.3)
    minas.Search(TINY, strategy, Kernels(), trials=60, seed=0).run()
    policy = strategy.state()["probabilities"]
    assert list(policy) == [d.name for d in TINY.decisions]
    assert policy["k1.1"]["5"] > 0.5 and policy["k2.1"]["5"] > 0.5     # bigger kernels score higher


def test_training_zero_cost_and_shared_weights_score_chains(one_thread):
    data = bumps()
    estimators = [Training(dataset=data, epochs=1), ZeroCost(dataset=data, proxy="synflow"),
                  OneShot(dataset=data, epochs=2, batch_size=64)]
    for estimator in estimators:
        result = minas.Search(TINY, minas.strategies.RandomSearch(), estimator, trials=3, seed=0).run()
        assert (result.trials.status == "ok").all(), (estimator.name, list(result.trials.error))
    trials = minas.Search(TINY, minas.strategies.RandomSearch(), estimators[0], trials=1, seed=0).run().trials
    assert trials.params[0] > 0 and trials.flops[0] > 0 and trials.latency[0] > 0


def test_a_table_of_cells_refuses_the_chain_before_the_first_trial():
    with pytest.raises(ArchError, match="only knows cells"):
        minas.Search(ChainSpace(), minas.strategies.RandomSearch(), Tabular(), trials=3)


def test_bad_chain_settings_are_refused():
    with pytest.raises(ArchError, match="kernel sizes must be odd"):
        ChainSpace(kernels=(3, 4))
    with pytest.raises(ArchError, match="positive whole numbers"):
        ChainSpace(widths=((8, 0),))
