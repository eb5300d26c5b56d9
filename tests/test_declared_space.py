"""Spaces users declare themselves (`minas.spaces.define`) and what every decision space gets from its decisions:
the issue's 20-line space, conditional decisions, the printed form, and every bad declaration or architecture."""
import inspect
import itertools
import random
from dataclasses import dataclass

import pytest
import torch
import torch.nn as nn

import minas
from minas.errors import MinasWarning
from minas.estimators import Estimator, Result, Training
from minas.spaces import ArchError, CapabilityError, Choices, Decision, SpaceError, define
from minas.strategies import STRATEGIES
from fakes import bumps


def build(hp, input_shape, num_classes):
    """The issue's small CNN: width {8, 16, 32}, stem kernel {3, 5}, 1-3 conv blocks with kernel {3, 5}, hidden {32, 64}."""
    width = hp.choice("width", [8, 16, 32])
    k = hp.choice("stem_k", [3, 5])
    layers = [nn.Conv1d(input_shape[0], width, k, padding=k // 2), nn.ReLU()]
    for i in range(hp.choice("depth", [1, 2, 3])):
        k = hp.choice(f"k{i}", [3, 5])
        layers += [nn.Conv1d(width, width, k, padding=k // 2), nn.BatchNorm1d(width), nn.ReLU(), nn.MaxPool1d(2)]
    hidden = hp.choice("hidden", [32, 64])
    layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(width, hidden), nn.ReLU(),
               nn.Linear(hidden, num_classes)]
    return nn.Sequential(*layers)


@pytest.fixture(scope="module")
def space():
    return define(build)


@dataclass
class Checksum(Estimator):
    """A free stand-in for training: a deterministic score from the printed architecture."""
    name = "checksum"

    def evaluate(self, arch, budget=None):
        return Result(val_acc=float(sum(map(ord, str(arch))) % 97), cost=1.0)


def test_the_issue_space_takes_at_most_20_lines_and_holds_168_architectures(space):
    assert len(inspect.getsource(build).splitlines()) <= 20
    assert space.size == 3 * 2 * (2 + 2 ** 2 + 2 ** 3) * 2 == 168
    archs = list(space.enumerate())
    assert len(archs) == len(set(archs)) == 168
    assert [d.name for d in space.decisions] == ["width", "stem_k", "depth", "k0", "k1", "k2", "hidden"]


def test_architectures_print_as_name_value_pairs_and_parse_back(space):
    text = "width=32,stem_k=5,depth=1,k0=3,hidden=32"
    arch = space.parse(text)
    assert isinstance(arch, Choices) and str(arch) == text and arch["width"] == 32
    rng = random.Random(0)
    for _ in range(50):
        arch = space.sample(rng)
        assert space.parse(str(arch)) == arch and hash(space.parse(str(arch))) == hash(arch)


def test_conditional_decisions_exist_only_when_the_depth_reaches_them(space):
    for arch in space.enumerate():
        assert [f"k{i}" in arch for i in range(3)] == [i < arch["depth"] for i in range(3)]
    rng = random.Random(1)
    for _ in range(200):                               # mutation keeps every architecture valid
        arch = space.mutate(space.sample(rng), rng)
        assert space.parse(str(arch)) == arch
    deeper = space.parse("width=8,stem_k=3,depth=2,k0=5,k1=3,hidden=32")
    neighbours = space.neighbours(deeper)
    assert space.parse("width=8,stem_k=3,depth=3,k0=5,k1=3,k2=3,hidden=32") in neighbours   # the new block: first option
    assert space.parse("width=8,stem_k=3,depth=1,k0=5,hidden=32") in neighbours
    assert len(neighbours) == 2 + 1 + 2 + 1 + 1 + 1


def test_encoding_is_one_hot_over_every_decision_with_zeros_where_one_does_not_apply(space):
    arch = space.parse("width=16,stem_k=3,depth=1,k0=5,hidden=64")
    code = space.encode(arch)
    assert len(code) == sum(len(d.options) for d in space.decisions) == 3 + 2 + 3 + 2 * 3 + 2
    assert sum(code) == len(arch) == 5
    k1 = slice(3 + 2 + 3 + 2, 3 + 2 + 3 + 4)
    assert code[k1] == [0.0, 0.0]


def test_networks_are_built_with_the_choices_and_drawn_layer_by_layer(space):
    arch = space.parse("width=16,stem_k=5,depth=2,k0=3,k1=5,hidden=32")
    net = space.to_module(arch, input_shape=(1, 40), num_classes=10)
    assert net(torch.zeros(2, 1, 40)).shape == (2, 10)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv1d)]
    assert [(c.out_channels, c.kernel_size[0]) for c in convs] == [(16, 5), (16, 3), (16, 5)]
    labels = [label for _, label, _ in space.describe_graph(arch).nodes]
    assert labels[:3] == ["input", "Conv1d 1→16 k5", "ReLU"] and labels[-2:] == ["Linear 32→10", "output"]


def test_every_black_box_strategy_and_reinforce_search_a_declared_space(space):
    for name in STRATEGIES.names():
        strategy = STRATEGIES.create(name)
        if "supernet" in strategy.requires:
            continue
        result = minas.Search(space, strategy, Checksum(), trials=12, seed=0).run()
        assert (result.trials.status == "ok").all() and len(result.trials) >= 1, name
        assert all(space.parse(a) for a in result.trials.arch)


@pytest.mark.parametrize("name", ["darts", "gdas", "drnas", "enas"])
def test_one_shot_strategies_refuse_a_declared_space_before_the_first_trial(space, name):
    with pytest.raises(CapabilityError, match=r"needs a search space with .*supernet.*On this space you can use: "
                                              r"random, evolution, local, reinforce, bayesopt"):
        minas.Search(space, STRATEGIES.create(name), Checksum(), trials=3)
    with pytest.raises(CapabilityError, match="OneShot needs .*supernet.*training, zero_cost"):
        minas.Search(space, minas.strategies.RandomSearch(), minas.estimators.OneShot(), trials=3)


def test_training_and_zero_cost_score_a_declared_space(space, one_thread):
    data = bumps()
    for estimator in (Training(dataset=data, epochs=1), minas.estimators.ZeroCost(dataset=data, proxy="synflow")):
        result = minas.Search(space, minas.strategies.RandomSearch(), estimator, trials=3, seed=0).run()
        assert (result.trials.status == "ok").all() and result.trials.params.notna().all()


def test_options_for_another_space_are_refused_not_ignored(space):
    with pytest.raises(SpaceError, match=r"Training sets channels=32, which .* does not take; its networks take: no"):
        minas.Search(space, minas.strategies.RandomSearch(), Training(dataset=bumps(), channels=32), trials=1)
    minas.Search(space, minas.strategies.RandomSearch(), Training(dataset=bumps(), channels=16), trials=1)


# --- bad declarations, each named with what is wrong ---------------------------------------------------

def _declare(*choices):
    def bad(hp, input_shape, num_classes):
        for name, options in choices:
            hp.choice(name, options)
        return nn.Sequential(nn.Flatten(), nn.LazyLinear(num_classes))
    return bad


@pytest.mark.parametrize("choices, message", [
    ([("width", [])], "decision 'width' has no options"),
    ([("width", [8, 16, 8])], "decision 'width' lists 8 more than once"),
    ([("flag", [1, True])], "decision 'flag' lists .* more than once"),
    ([("width", [8, 16]), ("width", [8, 16])], "decision 'width' is made twice in one architecture"),
    ([("a b", [1, 2])], "decision name 'a b' must be"),
    ([("act", [nn.ReLU, nn.Tanh])], "options must be numbers, strings"),
])
def test_bad_declarations_fail_when_defined(choices, message):
    with pytest.raises(SpaceError, match=message):
        define(_declare(*choices))


def test_a_name_reused_with_other_options_is_refused():
    def reused(hp, input_shape, num_classes):
        if hp.choice("deep", [False, True]):
            hp.choice("width", [16, 32])
        else:
            hp.choice("width", [8, 16])
        return nn.Sequential(nn.Flatten(), nn.LazyLinear(num_classes))
    with pytest.raises(SpaceError, match=r"decision 'width' is declared again with other options: first \[8, 16\], "
                                         r"now \[16, 32\]"):
        define(reused)


@pytest.mark.parametrize("text, message", [
    ("width=7,stem_k=5,depth=1,k0=3,hidden=32", "'7' is not an option of 'width'; its options are: 8, 16, 32"),
    ("width=8,colour=red", "unknown decision 'colour'; this space's decisions are: width, stem_k, depth"),
    ("width=8,stem_k=5,depth=2,k0=3,hidden=32", "gives no value for 'k1' \\(options: 3, 5\\)"),
    ("width=8,stem_k=5,depth=1,k0=3,k2=3,hidden=32", "gives k2, which does not apply"),
    ("width=8,width=16", "gives 'width' twice"),
    ("not an architecture", "expected name=value pairs joined by commas, e.g. 'width="),
    ("width=" + "8" * 1_000_000, "characters\\)"),
])
def test_bad_architecture_strings_say_what_is_wrong(space, text, message):
    with pytest.raises(ArchError, match=message) as caught:
        space.parse(text)
    assert len(str(caught.value)) < 1000                  # a 1 MB string is not repeated back in full


def test_a_build_that_fails_for_some_architectures_gives_failed_trials(one_thread):
    def fragile(hp, input_shape, num_classes):
        width = hp.choice("width", [4, 8])
        kind = hp.choice("kind", ["ok", "raises", "not a module"])
        if kind == "raises":
            raise RuntimeError("no such layer")
        if kind == "not a module":
            return "a network"
        return nn.Sequential(nn.Conv1d(input_shape[0], width, 3), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                             nn.Linear(width, num_classes))
    space = define(fragile)
    assert space.size == 6
    with pytest.warns(MinasWarning, match="failed"):
        result = minas.Search(space, minas.strategies.RandomSearch(), Training(dataset=bumps(), epochs=1),
                              trials=12, seed=0).run()
    failed = result.trials[result.trials.status == "failed"]
    assert 0 < len(failed) < len(result.trials)
    for row in failed.itertuples():
        assert ("kind=raises" in row.arch and "no such layer" in row.error) or (
            "kind=not a module" in row.arch and "returned str" in row.error and row.arch in row.error)


def test_a_space_whose_networks_cannot_take_the_input_is_refused_before_the_first_trial():
    def images_only(hp, input_shape, num_classes):
        width = hp.choice("width", [4, 8])
        return nn.Sequential(nn.Conv2d(input_shape[0], width, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(width, num_classes))
    with pytest.raises(ArchError, match=r"does not fit.*cannot build a network for inputs of shape \(1, 16\)"):
        minas.Search(define(images_only), minas.strategies.RandomSearch(), Training(dataset=bumps()), trials=1)

    def wrong_outputs(hp, input_shape, num_classes):
        return nn.Sequential(nn.Flatten(), nn.LazyLinear(hp.choice("outputs", [5])))
    with pytest.raises(ArchError, match=r"give outputs of shape \(2, 5\).*must give \(2, 3\)"):
        minas.Search(define(wrong_outputs), minas.strategies.RandomSearch(), Training(dataset=bumps()), trials=1)


def test_decisions_and_choices_are_plain_immutable_data():
    d = Decision("k", [3, 5, 7])
    assert d.options == (3, 5, 7) and d.value("5") == 5
    c = Choices([("k", 5), ("e", 3)])
    assert str(c) == "k=5,e=3" and dict(c) == {"k": 5, "e": 3} and c == Choices({"k": 5, "e": 3})
    assert {c: 1}[Choices([("k", 5), ("e", 3)])] == 1
    with pytest.raises(TypeError):
        c["k"] = 7                                         # noqa: the mapping has no item assignment


def test_the_search_run_folder_knows_the_declared_source(space, tmp_path):
    minas.Search(space, minas.strategies.RandomSearch(), Checksum(), trials=3, run_dir=tmp_path).run()
    import json
    config = json.loads((tmp_path / "config.json").read_text())["space"]
    assert config["name"] == "declared" and config["build"] == "build"
    assert "hp.choice(\"width\", [8, 16, 32])" in config["source"] and "import torch.nn as nn" in config["source"]
    assert config["decisions"]["k2"] == [3, 5]


def test_every_architecture_of_a_product_space_is_met_in_product_order():
    def grid(hp, input_shape, num_classes):
        hp.choice("a", [1, 2, 3])
        hp.choice("b", ["x", "y"])
        return nn.Sequential(nn.Flatten(), nn.LazyLinear(num_classes))
    space = define(grid)
    assert [tuple(a.values()) for a in space.enumerate()] == list(itertools.product([1, 2, 3], ["x", "y"]))
