"""Datasets for the search: explicit, seeded train / validation / test splits held in memory as tensors.

The loaders (minas/data_sources.py) read whole files at once, with no per-item transforms, so they are
fast; `load` normalises what they read and carves the validation split. The test split never depends
on the search seed: `seed` only picks which training samples are held out for validation, and inputs
are normalised per channel with statistics of the whole training split, before validation is carved.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from minas.data_checks import as_numbers, check_classes, check_finite, check_labels
from minas.data_sources import LOADERS, cache_dir, hold_out
from minas.errors import DataError

__all__ = ["Dataset", "DataError", "load", "from_tensors", "names", "cache_dir"]


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Explicit, seeded train / validation / test splits held in memory as tensors."""

    name: str
    x_train: torch.Tensor  # float32, (N, C, L) signals or (N, C, H, W) images
    y_train: torch.Tensor  # int64 labels in [0, num_classes)
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int
    classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.num_classes, int) or self.num_classes < 1:
            raise DataError(f"dataset {self.name!r}: num_classes must be a positive int, got {self.num_classes!r}")
        if self.classes and len(self.classes) != self.num_classes:
            raise DataError(f"dataset {self.name!r}: {len(self.classes)} class names for {self.num_classes} classes")
        for split in ("train", "val", "test"):
            self._check_split(split, getattr(self, f"x_{split}"), getattr(self, f"y_{split}"))

    def _check_split(self, split: str, x: torch.Tensor, y: torch.Tensor) -> None:
        """Raise DataError naming the first problem of one split's inputs `x` and labels `y`."""
        split = dict(train="training", val="validation", test="test")[split]
        where = f"dataset {self.name!r}: {split}"
        if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)):
            raise DataError(f"{where} inputs and labels must be torch tensors")
        if x.dim() not in (3, 4):
            hint = " — add a channel axis with x.unsqueeze(1)" if x.dim() == 2 else ""
            raise DataError(f"{where} inputs have shape {tuple(x.shape)}; "
                            f"expected (N, C, L) signals or (N, C, H, W) images{hint}")
        if x.dtype != torch.float32:
            raise DataError(f"{where} inputs are {x.dtype}; expected torch.float32 — convert with x.float()")
        if y.dim() != 1 or y.dtype != torch.int64:
            raise DataError(f"{where} labels must be a 1-D int64 tensor, got {y.dtype} "
                            f"of shape {tuple(y.shape)} — convert with y.long()")
        if len(x) != len(y):
            raise DataError(f"{where} split has {len(x)} inputs but {len(y)} labels")
        if len(x) == 0:
            raise DataError(f"{where} split is empty")
        check_finite(self.name, x, split)
        if tuple(x.shape[1:]) != tuple(self.x_train.shape[1:]):
            raise DataError(f"{where} samples have shape {tuple(x.shape[1:])} "
                            f"but training samples have {tuple(self.x_train.shape[1:])}")
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= self.num_classes:
            raise DataError(f"{where} labels span [{low}, {high}]; with num_classes={self.num_classes} "
                            f"they must lie in [0, {self.num_classes - 1}]")

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Per-sample shape, e.g. (1, 40) or (3, 32, 32)."""
        return tuple(self.x_train.shape[1:])

    def describe(self) -> str:
        """One line with split sizes, input shape and number of classes."""
        return (f"{self.name}: {len(self.x_train)} train / {len(self.x_val)} val / {len(self.x_test)} test, "
                f"input {self.input_shape}, {self.num_classes} classes")

    def __repr__(self) -> str:  # the tensors would flood a notebook cell
        return f"Dataset({self.describe()})"


def names() -> list[str]:
    """The registered dataset names, in registration order."""
    return LOADERS.names()


def load(name: str, *, seed: int = 0, val_fraction: float = 0.2, root: str | Path | None = None,
         download: bool = False, image_size: int | None = None) -> Dataset:
    """Load a registered dataset (see `names()`), normalised, with a validation split chosen by `seed`.

    `root` is the folder of the files (torchvision downloads, the MNIST-1D cache, or your
    `imagefolder` images); `image_size` resizes images to a square of that side.
    """
    try:
        loader = LOADERS.get(name)
    except ValueError as err:
        raise DataError(str(err)) from None
    raw = loader(root=None if root is None else Path(root).expanduser(), download=download, image_size=image_size)
    x_train, x_test = raw.x_train, raw.x_test
    if image_size is not None:
        if x_train.dim() != 4:
            raise DataError(f"image_size applies to images; {name!r} holds signals of shape {tuple(x_train.shape[1:])}")
        x_train, x_test = _resize(x_train, image_size), _resize(x_test, image_size)
    x_train, x_test = _normalise(x_train, x_test)
    check_classes(name, raw.y_train)
    return _with_validation(name, x_train, raw.y_train, x_test, raw.y_test,
                            num_classes=len(raw.classes), seed=seed, val_fraction=val_fraction, classes=raw.classes)


def from_tensors(name: str, x_train: Any, y_train: Any, x_test: Any, y_test: Any, *,
                 num_classes: int | None = None, seed: int = 0, val_fraction: float = 0.2,
                 classes: tuple[str, ...] | list[str] = ()) -> Dataset:
    """Wrap your own tensors (or arrays): carve a seeded validation split out of the training data and validate.

    Floating inputs become float32 and integer labels int64; nothing is normalised.
    `num_classes` defaults to len(classes), else to the largest label + 1.
    """
    xs = [as_numbers(x, f"{split} inputs", name) for x, split in ((x_train, "training"), (x_test, "test"))]
    xs = [x.float() if x.is_floating_point() else x for x in xs]
    for x, split in zip(xs, ("training", "test")):
        check_finite(name, x, split)                 # named by the user's index, before validation is carved
    ys = [as_numbers(y, f"{split} labels", name) for y, split in ((y_train, "training"), (y_test, "test"))]
    ys = [y if y.is_floating_point() or y.dtype == torch.bool else y.long() for y in ys]
    inferred = num_classes is None
    if inferred:
        num_classes = len(classes) or max((int(y.max()) for y in ys if y.numel()), default=-1) + 1
    dataset = _with_validation(name, xs[0], ys[0], xs[1], ys[1], num_classes=num_classes, seed=seed,
                               val_fraction=val_fraction, classes=tuple(classes))
    check_labels(name, *ys, num_classes, inferred=inferred and not classes)
    return dataset


# ---------------------------------------------------------------- shared helpers

def _with_validation(name: str, x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor,
                     y_test: torch.Tensor, *, num_classes: int, seed: int, val_fraction: float,
                     classes: tuple[str, ...]) -> Dataset:
    """Build the Dataset, holding out `val_fraction` of the training data for validation (seeded)."""
    if len(x_train) != len(y_train):
        raise DataError(f"dataset {name!r}: {len(x_train)} training inputs but {len(y_train)} labels")
    x_tr, y_tr, x_val, y_val = hold_out(x_train, y_train, val_fraction, seed)
    return Dataset(name, x_tr, y_tr, x_val, y_val, x_test, y_test, num_classes, classes)


def _normalise(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Standardise every channel with the mean and std of the training inputs. The statistics are summed in
    float64, so they are the same whatever torch's thread count: float32 sums split over two threads round
    otherwise than over one, and every trial's numbers would depend on the process that loaded the data."""
    dims = (0, *range(2, x_train.dim()))
    count = x_train.numel() // x_train.shape[1]
    mean = x_train.mean(dim=dims, keepdim=True, dtype=torch.float64).float()
    var = ((x_train - mean) ** 2).sum(dim=dims, keepdim=True, dtype=torch.float64) / max(1, count - 1)
    std = var.sqrt().float().clamp_min(1e-8)
    return (x_train - mean) / std, (x_test - mean) / std


def _resize(x: torch.Tensor, size: int) -> torch.Tensor:
    """Resize images to size x size; antialiasing keeps downsized images from aliasing."""
    if tuple(x.shape[-2:]) == (size, size):
        return x
    return torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)


