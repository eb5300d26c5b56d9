"""One-shot strategies (DARTS, GDAS, DrNAS, ENAS) and the weight-sharing estimator, on a tiny
synthetic task: the supernet, the second-order DARTS gradient, events, determinism and resume."""
import random
from dataclasses import dataclass

import pytest
import torch

import minas
from minas import data
from minas.estimators import Estimator, OneShot, Result
from minas.spaces import Cell, CellSpace
from minas.strategies import DARTS, ENAS, GDAS, DrNAS

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
SPACE = CellSpace(OPS)
TINY = dict(channels=2, epochs=3, batch_size=32)


@pytest.fixture(scope="module")
def signals(one_thread):
    """Two classes of 1-D signals, told apart by the sign of a bump: learnable in a few steps."""
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (240,), generator=g)
    x = torch.randn(240, 1, 8, generator=g) * 0.5
    x[:, 0, 3:5] += (2 * y[:, None] - 1).float()
    return data.from_tensors("bumps", x[:200], y[:200], x[200:], y[200:])


@dataclass
class ConvCount(Estimator):
    """A free stand-in for a benchmark: more convolutions score higher."""
    name = "conv_count"

    def evaluate(self, arch, budget=None):
        return Result(val_acc=10.0 * sum(op.startswith("nor_conv") for op in arch.ops), cost=1.0)


def run(strategy, run_dir=None, trials=None, events=None, space=SPACE):
    search = minas.Search(space, strategy, ConvCount(), trials=trials or 100, seed=3, run_dir=run_dir)
    if events is not None:
        search.subscribe(lambda e: events.append(e) if e.kind == "epoch_finished" else None)
    return search.run()


def test_one_hot_weights_run_only_the_chosen_ops(signals):
    net = SPACE.supernet(input_shape=signals.input_shape, num_classes=2, channels=2, cells=1)
    cell = SPACE.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|")
    net(signals.x_train[:8], net.weights_of(cell), one_hot=True).sum().backward()
    first = net.cells[0]
    used = {(k, SPACE.ops.index(op)) for k, op in enumerate(cell.ops)}
    for k, ops in enumerate(first.edges):
        for o, module in enumerate(ops):
            grads = [p.grad for p in module.parameters()]
            touched = any(g is not None and g.abs().sum() > 0 for g in grads)
            assert touched == ((k, o) in used and bool(grads)), (k, SPACE.ops[o])


def test_darts_second_order_gradient_matches_finite_differences(signals):
    """DARTS' unrolled gradient (with its finite-difference Hessian-vector product) equals the
    numerical derivative of L_val(w - xi grad_w L_train(w, alpha), alpha), in float64. The paper's
    step, 0.01 / ||v||, suits wide networks; this 2-channel one bends faster, so a smaller step."""
    torch.set_default_dtype(torch.float64)
    try:
        darts = DARTS(dataset=signals, order=2, fd_scale=1e-5, **TINY)
        darts.setup(SPACE, random.Random(0))
        with torch.no_grad():
            darts.alpha.normal_(0, 0.5, generator=torch.Generator().manual_seed(1))
        train = (signals.x_train[:32].double(), signals.y_train[:32])
        val = (signals.x_val[:32].double(), signals.y_val[:32])
        xi = darts.w_optimizer.param_groups[0]["lr"]
        params = list(darts.net.parameters())
        start = [p.detach().clone() for p in params]

        def unrolled_val_loss(alpha: torch.Tensor) -> float:
            with torch.no_grad():
                darts.alpha.copy_(alpha)
            step = torch.autograd.grad(darts.loss(train), params)
            with torch.no_grad():
                for p, w, g in zip(params, start, step):
                    p.copy_(w - xi * g)
                loss = darts.loss(val).item()
                for p, w in zip(params, start):
                    p.copy_(w)
            return loss

        alpha0 = darts.alpha.detach().clone()
        analytic = darts.arch_gradient(train, val)
        numeric, h = torch.zeros_like(alpha0), 1e-5
        for idx in range(alpha0.numel()):
            bump = torch.zeros_like(alpha0).flatten()
            bump[idx] = h
            numeric.view(-1)[idx] = (unrolled_val_loss(alpha0 + bump.view_as(alpha0))
                                     - unrolled_val_loss(alpha0 - bump.view_as(alpha0))) / (2 * h)
        first_order = torch.autograd.grad(darts.loss(val), darts.alpha)[0]
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.allclose(analytic, numeric, rtol=1e-4, atol=1e-7), (analytic - numeric).abs().max()
    assert not torch.allclose(first_order, numeric, rtol=1e-3, atol=1e-6)   # the unrolled term matters


def test_gdas_sample_is_one_hot_with_soft_gradients(signals):
    gdas = GDAS(dataset=signals, **TINY)
    gdas.setup(SPACE, random.Random(0))
    w = gdas.sample()
    assert torch.equal(w.detach(), torch.nn.functional.one_hot(w.argmax(-1), len(OPS)).float())
    (w * torch.arange(len(OPS)).float()).sum().backward()
    assert gdas.alpha.grad is not None and (gdas.alpha.grad != 0).all()
    assert gdas.tau == gdas.tau_max


def test_gdas_gradient_sees_edge_shares_not_ops(signals):
    """Why GDAS falls to `none` here (README, GDAS' docstring): behind batch norm only an edge's share of its
    node matters. On the all-conv path the scale derivative of the edge that alone feeds node 1 is zero, and
    those of the two edges into node 2 are equal and opposite; `none`'s is zero by construction."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = SPACE.supernet(input_shape=signals.input_shape, num_classes=2, channels=4, cells=1)
    x, y = signals.x_train[:64], signals.y_train[:64]

    def chosen_derivatives(ops: tuple[str, ...]) -> torch.Tensor:
        w = net.weights_of(Cell(ops)).requires_grad_()
        grad = torch.autograd.grad(torch.nn.functional.cross_entropy(net(x, w, one_hot=True), y), w)[0]
        return grad[range(len(ops)), [OPS.index(op) for op in ops]]

    d = chosen_derivatives(("nor_conv_3x3",) * 6)
    scale = d.abs().max()
    assert d[1].abs() > 0.01 * scale                                   # node 2's edges do get a gradient ...
    assert d[0].abs() < 1e-3 * scale and (d[1] + d[2]).abs() < 1e-3 * scale   # ... but only as shares
    assert chosen_derivatives(("nor_conv_3x3",) * 5 + ("none",))[5] == 0


ONE_SHOT = [DARTS, GDAS, DrNAS, lambda **kw: ENAS(controller_steps=5, **kw)]


@pytest.mark.parametrize("strategy", ONE_SHOT, ids=["darts", "gdas", "drnas", "enas"])
def test_one_shot_search_emits_weights_and_ends_after_its_epochs(strategy, signals):
    events = []
    result = run(strategy(dataset=signals, **TINY), events=events)
    assert result.status == "finished" and len(result.trials) == TINY["epochs"]
    assert [e.data["epoch"] for e in events] == [1, 2, 3]
    for event, arch in zip(events, result.trials["arch"]):
        assert event.data["derived"] == arch
        assert set(event.data["alphas"]) == {f"{j}->{i}" for i, j in SPACE.edges}
        for row in event.data["alphas"].values():
            assert set(row) == set(OPS) and sum(row.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("strategy", ONE_SHOT, ids=["darts", "gdas", "drnas", "enas"])
def test_one_shot_search_is_deterministic_and_resumes_exactly(strategy, signals, tmp_path):
    whole_events, events = [], []
    whole = run(strategy(dataset=signals, **TINY), events=whole_events)
    run(strategy(dataset=signals, **TINY), tmp_path / "run", trials=2)
    resumed = run(strategy(dataset=signals, **TINY), tmp_path / "run", events=events)
    assert list(resumed.trials["arch"]) == list(whole.trials["arch"])
    assert events[-1].data["alphas"] == whole_events[-1].data["alphas"]


@pytest.mark.parametrize("strategy", ONE_SHOT, ids=["darts", "gdas", "drnas", "enas"])
def test_one_shot_search_runs_on_the_shipped_digit_images(strategy, one_thread):
    """The 2-D supernet, with NAS-Bench-201's five ops (average pooling too), on the 8x8 digits."""
    space, events = CellSpace(), []
    method = strategy(dataset="digits", channels=2, epochs=1)
    result = run(method, trials=5, events=events, space=space)
    assert isinstance(method.net.stem[0], torch.nn.Conv2d)
    assert result.status == "finished" and len(result.trials) == 1
    space.parse(result.trials["arch"][0])                                   # a cell of the space
    assert all(set(row) == set(space.ops) for row in events[0].data["alphas"].values())


def test_darts_refuses_a_bad_order_and_gdas_a_space_without_a_supernet(signals):
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        DARTS(dataset=signals, order=3, **TINY).setup(SPACE, random.Random(0))

    class Flat:
        """A space of plain vectors: no edges, no ops."""

    with pytest.raises(TypeError, match="GDAS needs a search space with named decisions.*Flat has none"):
        GDAS(dataset=signals, **TINY).setup(Flat(), random.Random(0))


def test_one_shot_estimator_scores_from_one_supernet(signals):
    estimator = OneShot(dataset=signals, epochs=20, channels=4, batch_size=32, lr=0.1, calibration_batches=2)
    estimator.prepare(SPACE)
    estimator.bind(0)
    dead = SPACE.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    convs = SPACE.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    first = estimator.evaluate(convs)
    trainer = estimator.trainer()
    assert estimator.evaluate(dead).val_acc < first.val_acc - 20
    assert estimator.evaluate(convs).val_acc == first.val_acc              # same score whatever came between
    assert estimator.trainer() is trainer and first.extra["supernet_seconds"] > first.cost
