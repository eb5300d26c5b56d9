"""Which samples train a candidate and which validate it: the dataset's held-out validation split
(the default), or k-fold cross-validation over training + validation samples. Both are seeded, so
every candidate of a search sees the same data.

k-fold (Stone 1974; Kohavi, IJCAI 1995) costs k trainings per candidate but uses every sample for
validation once, which steadies the estimate on small datasets where one held-out split is noisy.
"""
from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

Split = tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]   # (x, y) to train, to validate


def kfold_indices(n: int, folds: int, seed: int) -> list[torch.Tensor]:
    """`folds` disjoint sets of indices that together cover range(n), shuffled by `seed`; their
    sizes differ by at most one."""
    if not 2 <= folds <= n:
        raise ValueError(f"k-fold cross-validation needs 2 <= folds <= {n} samples, got folds={folds}")
    return list(torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tensor_split(folds))


def subsample(x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded random `fraction` of the samples (at least one), for low-fidelity training."""
    keep = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    keep = keep[: max(1, round(fraction * len(keep)))]
    return x[keep], y[keep]


def splits(data, folds: int, fraction: float, seed: int) -> list[Split]:
    """One (train, validation) pair per training run: the held-out split when `folds` is 1, else
    fold k validates a network trained on the other folds. `fraction` thins the training part."""
    if folds == 1:
        return [(subsample(data.x_train, data.y_train, fraction, seed), (data.x_val, data.y_val))]
    x, y = torch.cat([data.x_train, data.x_val]), torch.cat([data.y_train, data.y_val])
    parts = kfold_indices(len(y), folds, seed)
    pairs = []
    for k, held_out in enumerate(parts):
        train = torch.cat([part for j, part in enumerate(parts) if j != k])
        pairs.append((subsample(x[train], y[train], fraction, seed), (x[held_out], y[held_out])))
    return pairs


@lru_cache(maxsize=8)
def prepared(data, resolution: int | None, fraction: float, folds: int, seed: int, device: torch.device) -> dict:
    """The splits and the test set on `device`, resized and subsampled once per fidelity and reused."""
    def put(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if resolution is not None and resolution != x.shape[-1]:
            mode = "linear" if x.dim() == 3 else "bilinear"
            x = F.interpolate(x, size=(resolution,) * (x.dim() - 2), mode=mode, antialias=x.dim() == 4,
                              align_corners=False)
        return x.to(device), y.to(device)

    runs = [(put(*train), put(*val)) for train, val in splits(data, folds, fraction, seed)]
    return {"runs": runs, "test": put(data.x_test, data.y_test), "shape": tuple(runs[0][0][0].shape[1:])}
