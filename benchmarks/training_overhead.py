"""How much does minas cost on top of plain PyTorch? Prints a table of ratios (goal: <= 1.05).

1. In process: `Training.evaluate` against a plain PyTorch loop doing the same work: the same network,
   data, optimizer, schedule and batch order, validation accuracy after every epoch (the learning
   curve minas returns) and test accuracy at the end. A second row shows what that curve itself
   costs (the plain loop with and without per-epoch validation). Interleaved repeats, median times.
2. Whole processes: a small search (10 candidates x 2 epochs on the 8x8 digits) run as
   `python -c "...minas.search..."` against a plain PyTorch script training the same 10 networks,
   Python start-up and imports included.

    python benchmarks/training_overhead.py [--epochs 10] [--repeats 3]
"""
from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

import minas
from minas.data import load
from minas.estimators import Training

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

PLAIN_SEARCH = """
import random, torch, torch.nn.functional as F
from minas.data import load
from minas.spaces import CellSpace
data, space, rng = load("digits"), CellSpace(), random.Random(0)
x, y = data.x_train, data.y_train
for candidate in range(10):
    torch.manual_seed(candidate)
    net = space.to_module(space.sample(rng), input_shape=(1, 8, 8), num_classes=10, channels=16, cells=1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    for epoch in range(2):
        net.train()
        for idx in torch.randperm(len(x)).split(128):
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    net.eval()
    with torch.no_grad():
        acc = (net(data.x_val).argmax(1) == data.y_val).float().mean().item()
"""
MINAS_SEARCH = """
import minas
minas.search(minas.spaces.CellSpace(), minas.strategies.RandomSearch(),
             minas.estimators.Training(dataset="digits", epochs=2), trials=10, seed=0)
"""


def accuracy(net, x, y) -> float:
    net.eval()
    with torch.no_grad():
        return (net(x).argmax(1) == y).float().mean().item() * 100


def plain_training(net, data, epochs: int, curve: bool, batch_size: int = 128, seed: int = 0) -> list[float]:
    """What a practitioner would write by hand: the same recipe as `Training`, nothing else."""
    x, y = data.x_train, data.y_train
    steps = epochs * math.ceil(len(x) / batch_size)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(len(x), generator=order).split(batch_size):
            loss = F.cross_entropy(net(x[idx]), y[idx], label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            schedule.step()
        if curve:
            accuracy(net, data.x_val, data.y_val)
    return [accuracy(net, data.x_val, data.y_val), accuracy(net, data.x_test, data.y_test)]


def in_process(epochs: int, repeats: int) -> tuple[float, float, float]:
    """Median seconds of: the plain loop without and with per-epoch validation, and `Training`."""
    data, space = load("mnist1d"), minas.spaces.CellSpace()
    arch = space.parse(ARCH)
    estimator = Training(dataset=data, epochs=epochs)
    times: dict[str, list[float]] = {"bare": [], "plain": [], "minas": []}
    for r in range(repeats):
        for name in times:
            torch.manual_seed(r)
            net = space.to_module(arch, input_shape=data.input_shape, num_classes=10, channels=16, cells=1)
            estimator.bind(r)
            start = time.perf_counter()
            estimator.evaluate(arch) if name == "minas" else plain_training(net, data, epochs, curve=name == "plain", seed=r)
            times[name].append(time.perf_counter() - start)
    return tuple(statistics.median(t) for t in times.values())


def whole_process(code: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; medians of {args.repeats} runs\n")
    bare, plain, ours = in_process(args.epochs, args.repeats)
    rows = [(f"one candidate, {args.epochs} epochs on MNIST-1D, same work (in process)", plain, ours)]
    rows.append(("10 candidates x 2 epochs on digits (whole process)",
                 whole_process(PLAIN_SEARCH, args.repeats), whole_process(MINAS_SEARCH, args.repeats)))
    rows.append(("start-up: `import torch` vs `import minas` (whole process)",
                 whole_process("import torch", args.repeats), whole_process("import minas", args.repeats)))
    print(f"{'measurement':<66} {'plain s':>7} {'minas s':>8} {'ratio':>6}")
    for name, base, ours in rows:
        print(f"{name:<66} {base:7.2f} {ours:8.2f} {ours / base:6.2f}")
    print(f"\n(the learning curve's own cost, in the plain loop: {bare:.2f} s without per-epoch validation, "
          f"{plain:.2f} s with it, ratio {plain / bare:.2f})")


if __name__ == "__main__":
    main()
