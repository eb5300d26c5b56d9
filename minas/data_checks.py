"""What `minas.data` refuses before a search starts, beyond the shapes and types `Dataset` checks:
text where numbers belong, and labels no classifier can learn from (a single class, test labels
never seen in training, a stray huge label that would make a billion classes)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .errors import DataError


def as_numbers(value: Any, what: str, name: str) -> torch.Tensor:
    """`value` (a tensor, array or list) as a tensor; DataError when it holds text or objects."""
    if isinstance(value, torch.Tensor):
        return value
    try:
        if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
            raise TypeError(value.dtype)
        return torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        sample = ", ".join(repr(v) for v in np.asarray(value, dtype=object).reshape(-1)[:3].tolist())
        fix = ("map them to 0..K-1, e.g. classes, y = np.unique(y, return_inverse=True), and pass classes="
               if "labels" in what else "convert them to numbers first")
        raise DataError(f"dataset {name!r}: the {what} are not numbers ({sample}, ...): {fix}") from None


def check_finite(name: str, x: torch.Tensor, split: str) -> None:
    """DataError naming how many samples of `x` hold NaN or infinite values, and the first one."""
    if not x.is_floating_point():
        return
    bad = ~torch.isfinite(x).reshape(len(x), -1).all(dim=1)
    if bad.any():
        raise DataError(f"dataset {name!r}: {split} inputs hold NaN or infinite values in {int(bad.sum())} sample(s), "
                        f"the first at index {int(bad.nonzero()[0])}: every trial would fail on them; fix or drop "
                        f"those samples")


def check_classes(name: str, y_train: torch.Tensor) -> set[int]:
    """The training labels' distinct values; DataError when there is only one (every candidate
    would score 100 %)."""
    seen = set(y_train.unique().tolist())
    if len(seen) < 2:
        raise DataError(f"dataset {name!r}: every training label is {next(iter(seen), None)}; a classifier needs two "
                        f"classes at least (every candidate would score 100 %)")
    return seen


def check_labels(name: str, y_train: torch.Tensor, y_test: torch.Tensor, num_classes: int, *, inferred: bool) -> None:
    """Labels of your own tensors a classifier can learn from: two classes at least, every test label
    seen in training, and, when the class count is inferred from the largest label, labels that use
    most of 0..K-1 (one stray label 999,999,999 would make a billion classes)."""
    if y_train.dtype != torch.int64 or not y_train.numel():
        return                                      # Dataset names what is wrong with these
    seen = check_classes(name, y_train)
    unseen = sorted(set(y_test.unique().tolist()) - seen) if y_test.dtype == torch.int64 else []
    if unseen:
        listed = ", ".join(map(str, unseen[:10])) + (", ..." if len(unseen) > 10 else "")
        raise DataError(f"dataset {name!r}: test label(s) {listed} never occur in the training labels, so no "
                        f"network can learn them; check the labels of both splits")
    if inferred and num_classes > 2 * len(seen):
        raise DataError(f"dataset {name!r}: the largest label is {num_classes - 1}, which makes {num_classes:,} "
                        f"classes, but only {len(seen)} distinct labels occur: pass num_classes=, or map the labels "
                        f"to 0..K-1 (classes, y = np.unique(y, return_inverse=True))")
