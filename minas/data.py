"""Datasets for the search: explicit, seeded train / validation / test splits held in memory as tensors.

Loaders read whole files at once (no per-item transforms, so they are fast) and import torchvision,
mnist1d and PIL only when called, so `import minas.data` stays light. The test split never depends
on the search seed: `seed` only picks which training samples are held out for validation, and inputs
are normalised per channel with statistics of the whole training split, before validation is carved.
"""
from __future__ import annotations

import os
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np
import torch

from minas.data_checks import as_numbers, check_classes, check_finite, check_labels
from minas.errors import DataError
from minas.registry import Registry

__all__ = ["Dataset", "DataError", "load", "from_tensors", "names", "cache_dir"]

_TEST_SEED = 0  # fixed: datasets without an official test split always get the same one
_REPO = Path(__file__).resolve().parent.parent


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


class _Raw(NamedTuple):
    """What a loader returns: the source's train and test split, classes in label order."""
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]


_LOADERS: Registry[_Raw] = Registry("dataset")
_register = _LOADERS.register


def names() -> list[str]:
    """The registered dataset names, in registration order."""
    return _LOADERS.names()


def cache_dir() -> Path:
    """Where downloads and generated arrays go: $MINAS_DATA, else <repo>/datasets/cache, else ~/.cache/minas."""
    if os.environ.get("MINAS_DATA"):
        return Path(os.environ["MINAS_DATA"]).expanduser()
    if (_REPO / "datasets").is_dir():
        return _REPO / "datasets" / "cache"
    return Path.home() / ".cache" / "minas"


def load(name: str, *, seed: int = 0, val_fraction: float = 0.2, root: str | Path | None = None,
         download: bool = False, image_size: int | None = None) -> Dataset:
    """Load a registered dataset (see `names()`), normalised, with a validation split chosen by `seed`.

    `root` is the folder of the files (torchvision downloads, the MNIST-1D cache, or your
    `imagefolder` images); `image_size` resizes images to a square of that side.
    """
    try:
        loader = _LOADERS.get(name)
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

def _split(x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int):
    """Seeded random split into (x_keep, y_keep, x_held, y_held), holding out `fraction` (at least one sample)."""
    if not 0 < fraction < 1:
        raise DataError(f"the held-out fraction must lie strictly between 0 and 1, got {fraction}")
    if len(x) < 2:
        raise DataError(f"cannot split {len(x)} sample(s) into two non-empty parts")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    held = min(max(1, round(len(x) * fraction)), len(x) - 1)
    keep, out = order[held:], order[:held]
    return x[keep], y[keep], x[out], y[out]


def _with_validation(name: str, x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor,
                     y_test: torch.Tensor, *, num_classes: int, seed: int, val_fraction: float,
                     classes: tuple[str, ...]) -> Dataset:
    """Build the Dataset, holding out `val_fraction` of the training data for validation (seeded)."""
    if len(x_train) != len(y_train):
        raise DataError(f"dataset {name!r}: {len(x_train)} training inputs but {len(y_train)} labels")
    x_tr, y_tr, x_val, y_val = _split(x_train, y_train, val_fraction, seed)
    return Dataset(name, x_tr, y_tr, x_val, y_val, x_test, y_test, num_classes, classes)


def _normalise(x_train: torch.Tensor, x_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Standardise every channel with the mean and std of the training inputs."""
    dims = (0, *range(2, x_train.dim()))
    mean = x_train.mean(dim=dims, keepdim=True)
    std = x_train.std(dim=dims, keepdim=True).clamp_min(1e-8)
    return (x_train - mean) / std, (x_test - mean) / std


def _images(pixels: Any, scale: float = 255.0) -> torch.Tensor:
    """(N, H, W) or channels-last (N, H, W, C) pixels -> float32 (N, C, H, W) in [0, 1]."""
    x = torch.as_tensor(pixels).float() / scale
    return x.unsqueeze(1) if x.dim() == 3 else x.permute(0, 3, 1, 2).contiguous()


def _resize(x: torch.Tensor, size: int) -> torch.Tensor:
    """Resize images to size x size; antialiasing keeps downsized images from aliasing."""
    if tuple(x.shape[-2:]) == (size, size):
        return x
    return torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)


# ---------------------------------------------------------------- the registered datasets

@_register("mnist1d")
def _mnist1d(root: Path | None, **_: Any) -> _Raw:
    """MNIST-1D (Greydanus 2020), generated offline by the `mnist1d` package and cached as an .npz."""
    path = (root or cache_dir()) / "mnist1d.npz"
    if not path.exists():
        from mnist1d.data import get_dataset_args, make_dataset  # never get_dataset: it downloads

        saved = np.random.get_state(), random.getstate()
        try:  # make_dataset reseeds the global generators; give the caller theirs back
            data = make_dataset(get_dataset_args())
        finally:
            np.random.set_state(saved[0])
            random.setstate(saved[1])
        arrays = {key: np.asarray(data[key]) for key in ("x", "y", "x_test", "y_test")}
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            np.savez(tmp, **arrays)
        os.chmod(tmp.name, 0o644)  # temporary files are private; the cache is not
        os.replace(tmp.name, path)  # atomic: a concurrent reader never sees half a file
    with np.load(path) as arrays:
        x, y, x_test, y_test = (torch.from_numpy(arrays[key]) for key in ("x", "y", "x_test", "y_test"))
    return _Raw(x.float().unsqueeze(1), y.long(), x_test.float().unsqueeze(1), y_test.long(),
                tuple(str(d) for d in range(10)))


@_register("digits")
def _digits(**_: Any) -> _Raw:
    """The 8x8 UCI handwritten digits shipped as datasets/digits.csv.gz; a fixed-seed 20 % test split."""
    path = _REPO / "datasets" / "digits.csv.gz"
    if not path.exists():
        raise DataError(f"the digits file {path} is missing; it ships with the minas repository")
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)  # per row: 64 pixels in 0..16, then the label
    x, y = _images(table[:, :64].reshape(-1, 8, 8), scale=16.0), torch.from_numpy(table[:, 64])
    x_train, y_train, x_test, y_test = _split(x, y, 0.2, _TEST_SEED)
    return _Raw(x_train, y_train, x_test, y_test, tuple(str(d) for d in range(10)))


def _torchvision(class_name: str) -> Callable[..., _Raw]:
    """A loader reading one torchvision dataset class's files whole (`.data` / `.targets`)."""
    def loader(root: Path | None, download: bool, **_: Any) -> _Raw:
        from torchvision import datasets

        folder = root or cache_dir()
        splits = []
        for train in (True, False):
            try:
                splits.append(getattr(datasets, class_name)(str(folder), train=train, download=download))
            except RuntimeError as err:  # torchvision's "Dataset not found or corrupted"
                advice = ("the download failed" if download else
                          "pass download=True (command line: --download) to fetch them, which needs internet, "
                          "or root= (--root) the folder that holds them")
                raise DataError(f"{class_name} files not found or corrupted in {folder}: {advice} ({err})") from err
        x_train, x_test = (_images(split.data) for split in splits)
        y_train, y_test = (torch.as_tensor(split.targets, dtype=torch.int64) for split in splits)
        return _Raw(x_train, y_train, x_test, y_test, tuple(splits[0].classes))
    return loader


_register("mnist")(_torchvision("MNIST"))
_register("fashion_mnist")(_torchvision("FashionMNIST"))
_register("cifar10")(_torchvision("CIFAR10"))


@_register("imagefolder")
def _imagefolder(root: Path | None, image_size: int | None, **_: Any) -> _Raw:
    """Your own images, one subfolder per class; root/train + root/test are used as splits when present."""
    if root is None:
        raise DataError("imagefolder needs root= (command line: --root): a folder with one subfolder of images per class")
    size = image_size or 32
    if (root / "train").is_dir() and (root / "test").is_dir():
        x_train, y_train, classes = _read_images(root / "train", size)
        x_test, y_test, test_classes = _read_images(root / "test", size)
        if test_classes != classes:
            raise DataError(f"{root}: train classes {classes} differ from test classes {test_classes}")
    else:
        x, y, classes = _read_images(root, size)
        x_train, y_train, x_test, y_test = _split(x, y, 0.2, _TEST_SEED)
    return _Raw(x_train, y_train, x_test, y_test, classes)


def _read_images(folder: Path, size: int) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...]]:
    """Every image below `folder` as RGB size x size, with labels from the class subfolder names."""
    from PIL import Image
    from torchvision.datasets import ImageFolder

    try:
        found = ImageFolder(str(folder))
    except (FileNotFoundError, NotADirectoryError) as err:
        raise DataError(f"no images found in {folder}: expected one subfolder of images per class ({err})") from err
    pixels, unreadable = [], []
    for path, _label in found.samples:
        try:
            with Image.open(path) as image:
                pixels.append(np.asarray(image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)))
        except (OSError, ValueError, SyntaxError) as err:     # PIL's errors for truncated or corrupt files
            unreadable.append(f"{path} ({err})")
    if unreadable:
        listed = "; ".join(unreadable[:5]) + (f"; and {len(unreadable) - 5} more" if len(unreadable) > 5 else "")
        raise DataError(f"{len(unreadable)} image(s) in {folder} cannot be read: {listed}. Remove or replace them")
    return _images(np.stack(pixels)), torch.tensor(found.targets, dtype=torch.int64), tuple(found.classes)
