"""Where the datasets come from: each registered loader reads one source's files whole and returns its train and
test split as tensors (`Raw`). `minas.data.load` normalises them and carves the validation split.

Loaders import torchvision, mnist1d and PIL only when called, so `import minas.data` stays light. Sources without
an official test split (digits, a single image folder) always hold out the same test samples (`TEST_SEED`).
"""
from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np
import torch

from minas.errors import DataError
from minas.registry import Registry

TEST_SEED = 0  # fixed: datasets without an official test split always get the same one
_REPO = Path(__file__).resolve().parent.parent


class Raw(NamedTuple):
    """What a loader returns: the source's train and test split, classes in label order."""
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]


LOADERS: Registry[Raw] = Registry("dataset")
_register = LOADERS.register


def cache_dir() -> Path:
    """Where downloads and generated arrays go: $MINAS_DATA, else <repo>/datasets/cache, else ~/.cache/minas."""
    if os.environ.get("MINAS_DATA"):
        return Path(os.environ["MINAS_DATA"]).expanduser()
    if (_REPO / "datasets").is_dir():
        return _REPO / "datasets" / "cache"
    return Path.home() / ".cache" / "minas"


def hold_out(x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int):
    """Seeded random split into (x_keep, y_keep, x_held, y_held), holding out `fraction` (at least one sample)."""
    if not 0 < fraction < 1:
        raise DataError(f"the held-out fraction must lie strictly between 0 and 1, got {fraction}")
    if len(x) < 2:
        raise DataError(f"cannot split {len(x)} sample(s) into two non-empty parts")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    held = min(max(1, round(len(x) * fraction)), len(x) - 1)
    keep, out = order[held:], order[:held]
    return x[keep], y[keep], x[out], y[out]


def _images(pixels: Any, scale: float = 255.0) -> torch.Tensor:
    """(N, H, W) or channels-last (N, H, W, C) pixels -> float32 (N, C, H, W) in [0, 1]."""
    x = torch.as_tensor(pixels).float() / scale
    return x.unsqueeze(1) if x.dim() == 3 else x.permute(0, 3, 1, 2).contiguous()



# ---------------------------------------------------------------- the registered datasets

@_register("mnist1d")
def _mnist1d(root: Path | None, **_: Any) -> Raw:
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
    return Raw(x.float().unsqueeze(1), y.long(), x_test.float().unsqueeze(1), y_test.long(),
                tuple(str(d) for d in range(10)))


@_register("digits")
def _digits(**_: Any) -> Raw:
    """The 8x8 UCI handwritten digits shipped as datasets/digits.csv.gz; a fixed-seed 20 % test split."""
    path = _REPO / "datasets" / "digits.csv.gz"
    if not path.exists():
        raise DataError(f"the digits file {path} is missing; it ships with the minas repository")
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)  # per row: 64 pixels in 0..16, then the label
    x, y = _images(table[:, :64].reshape(-1, 8, 8), scale=16.0), torch.from_numpy(table[:, 64])
    x_train, y_train, x_test, y_test = hold_out(x, y, 0.2, TEST_SEED)
    return Raw(x_train, y_train, x_test, y_test, tuple(str(d) for d in range(10)))


def _torchvision(class_name: str) -> Callable[..., Raw]:
    """A loader reading one torchvision dataset class's files whole (`.data` / `.targets`)."""
    def loader(root: Path | None, download: bool, **_: Any) -> Raw:
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
        return Raw(x_train, y_train, x_test, y_test, tuple(splits[0].classes))
    return loader


_register("mnist")(_torchvision("MNIST"))
_register("fashion_mnist")(_torchvision("FashionMNIST"))
_register("cifar10")(_torchvision("CIFAR10"))


@_register("imagefolder")
def _imagefolder(root: Path | None, image_size: int | None, **_: Any) -> Raw:
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
        x_train, y_train, x_test, y_test = hold_out(x, y, 0.2, TEST_SEED)
    return Raw(x_train, y_train, x_test, y_test, classes)


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
