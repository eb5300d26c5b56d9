"""Fakes for tests: a tiny learnable dataset, and a multi-fidelity table with learning curves at every
epoch (nothing trained)."""
from __future__ import annotations

import random
from typing import Any

import torch

from minas.data import from_tensors
from minas.estimators.base import derive_seed


def _bumps(n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """1-D signals of length 16 whose class (0, 1, 2) is where a Gaussian bump sits (3, 8 or 13, +-1)."""
    y = torch.randint(0, 3, (n,), generator=gen)
    pos = torch.arange(16).float()
    centre = (3 + 5 * y).float()[:, None] + torch.randint(-1, 2, (n, 1), generator=gen)
    x = 2 * torch.exp(-0.5 * ((pos - centre) / 1.2) ** 2) + 0.3 * torch.randn(n, 16, generator=gen)
    return x.unsqueeze(1), y


def bumps():
    """300 training signals (240 train, 60 validation) and 90 test ones: learnable in a few epochs."""
    gen = torch.Generator().manual_seed(0)
    return from_tensors("bumps", *_bumps(300, gen), *_bumps(90, gen))


class CurveBench:
    """`MNIST1DBench`'s interface (`fidelities`, `query(arch, rng, epochs)`) over NAS-Bench-201's
    cells. After 10 epochs a cell reaches its NAS-Bench-201 CIFAR-10 validation accuracy; before,
    its error follows a power law, error(e) = final error * (10 / e) ** slope (capped at chance),
    the curve family of Domhan et al. 2015, with a slope of its own drawn from `slopes`, so curves
    of similar cells cross; every epoch but the last adds `noise` points. With the defaults the
    1-epoch accuracy ranks all cells well (Spearman 0.94) and the best tenth only roughly (0.5):
    the regime in which multi-fidelity methods pay off. Two recorded "runs" differ in their
    noise. An epoch costs a tenth of the cell's NAS-Bench-201 training time."""

    epochs = 10
    fidelities = tuple(range(1, 11))

    def __init__(self, base, noise: float = 1.0, slopes: tuple[float, float] = (0.35, 0.45)):
        self.base, self.noise, self.slopes, self.space = base, noise, slopes, base.space

    def __repr__(self) -> str:
        return f"CurveBench(noise={self.noise})"

    def curve(self, arch: Any, run: int = 0) -> list[float]:
        error = 100 - self.base.query(arch)["val_acc"]
        slope = random.Random(derive_seed("slope", arch)).uniform(*self.slopes)
        noise = random.Random(derive_seed("noise", arch, run))
        return [100 - min(90.0, error * (self.epochs / e) ** slope)
                + (noise.gauss(0, self.noise) if e < self.epochs else 0.0) for e in self.fidelities]

    def query(self, arch: Any, rng: random.Random | None = None, epochs: int | None = None) -> dict[str, Any]:
        epochs = self.epochs if epochs is None else epochs
        if epochs not in self.fidelities:
            raise ValueError(f"{self!r} has results after 1 to {self.epochs} epochs, not {epochs}")
        curve = self.curve(arch, rng.choice((0, 1)) if rng else 0)[:epochs]
        row = self.base.query(arch)
        return {"val_acc": curve[-1], "test_acc": curve[-1] - 0.5, "curve": curve,
                "train_time": row["train_time"] * epochs / self.epochs, "params": row["params"],
                "flops": 2 * row["params"], "latency": row["latency"]}

    def check_space(self, space) -> None:
        self.base.check_space(space)
