"""minas.data: the dataset registry, its loaders (on tiny files written here, never the network) and validation."""
import gzip
import hashlib
import pickle
import random
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from minas import data
from minas.data import DataError

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- module basics

def test_import_is_light_and_names_are_registered():
    code = ("import sys, minas.data as d; print(sorted(d.names()));"
            "print([m for m in ('torchvision', 'mnist1d', 'PIL', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    listed, heavy = out.stdout.strip().splitlines()
    assert listed == str(sorted(["mnist1d", "digits", "mnist", "fashion_mnist", "cifar10", "imagefolder"]))
    assert heavy == "[]"


def test_cache_dir_follows_minas_data(monkeypatch, tmp_path):
    monkeypatch.setenv("MINAS_DATA", str(tmp_path / "here"))
    assert data.cache_dir() == tmp_path / "here"
    monkeypatch.delenv("MINAS_DATA")
    assert data.cache_dir() == REPO / "datasets" / "cache"


def test_unknown_name_lists_the_choices():
    with pytest.raises(DataError, match="choose one of: .*mnist1d"):
        data.load("no_such_set")


# ---------------------------------------------------------------- MNIST-1D

@pytest.fixture(scope="module")
def mnist1d(tmp_path_factory):
    """Generate MNIST-1D once into a temporary cache, recording the global random draws that follow."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        cache = tmp_path_factory.mktemp("minas-data")
        monkeypatch.setenv("MINAS_DATA", str(cache))
        np.random.seed(7)
        random.seed(7)
        first = data.load("mnist1d")  # cold: generates and caches
        draws_after_load = (np.random.rand(), random.random())
        np.random.seed(7)
        random.seed(7)
        yield SimpleNamespace(cache=cache, first=first, draws_after_load=draws_after_load,
                              draws_untouched=(np.random.rand(), random.random()))


def test_mnist1d_shapes_and_cache(mnist1d):
    ds = mnist1d.first
    assert ds.describe() == "mnist1d: 3200 train / 800 val / 1000 test, input (1, 40), 10 classes"
    assert ds.x_train.shape == (3200, 1, 40) and ds.x_train.dtype == torch.float32
    assert ds.y_train.dtype == torch.int64 and set(ds.y_train.tolist()) == set(range(10))
    assert ds.classes == tuple("0123456789")
    assert (mnist1d.cache / "mnist1d.npz").is_file()
    assert [p.name for p in mnist1d.cache.iterdir()] == ["mnist1d.npz"]  # no leftover temporary file


def test_mnist1d_keeps_global_random_state(mnist1d):
    assert mnist1d.draws_after_load == mnist1d.draws_untouched


def test_mnist1d_seed_picks_validation_only(mnist1d):
    same, other = data.load("mnist1d", seed=0), data.load("mnist1d", seed=1)
    base = mnist1d.first
    assert torch.equal(same.x_val, base.x_val) and torch.equal(same.y_train, base.y_train)
    assert not torch.equal(other.x_val, base.x_val)
    assert torch.equal(other.x_test, base.x_test) and torch.equal(other.y_test, base.y_test)
    pooled = [torch.cat([d.y_train, d.y_val]).sort().values for d in (base, other)]
    assert torch.equal(*pooled)  # the same training data, only divided differently
    assert data.load("mnist1d", val_fraction=0.5).x_val.shape[0] == 2000


def test_mnist1d_is_normalised_with_training_statistics(mnist1d):
    pooled = torch.cat([mnist1d.first.x_train, mnist1d.first.x_val])
    assert abs(pooled.mean().item()) < 1e-4 and abs(pooled.std().item() - 1) < 1e-4


@pytest.mark.parametrize("name", ["mnist1d", "digits"])
def test_the_same_inputs_whatever_the_thread_count(name):
    """A worker process of one thread must train on the very inputs a 2-thread notebook loaded: float32 sums
    split over threads round differently, which shifted every trial's accuracy between 1 and 2 workers."""
    before = torch.get_num_threads()
    try:
        loaded = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            loaded.append(data.load(name))
    finally:
        torch.set_num_threads(before)
    assert torch.equal(loaded[0].x_train, loaded[1].x_train) and torch.equal(loaded[0].x_test, loaded[1].x_test)


# ---------------------------------------------------------------- digits

def test_digits_shipped_file_and_splits():
    ds, other_seed = data.load("digits"), data.load("digits", seed=3)
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 1797
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (1150, 288, 359)
    assert ds.input_shape == (1, 8, 8) and ds.num_classes == 10
    for labels in (ds.y_train, ds.y_val, ds.y_test):
        assert set(labels.tolist()) == set(range(10))
    assert torch.equal(ds.x_test, other_seed.x_test)  # the test split is fixed, whatever the search seed
    assert not torch.equal(ds.y_val, other_seed.y_val)
    with gzip.open(REPO / "datasets" / "digits.csv.gz", "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    assert rows.shape == (1797, 65) and rows[:, :64].min() == 0 and rows[:, :64].max() == 16


# ---------------------------------------------------------------- torchvision sets on tiny real-format files

def _write_idx(path: Path, array: np.ndarray) -> None:
    """IDX (MNIST) format: two zero bytes, type code 0x08 = uint8, number of dims, big-endian sizes, raw bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes())


def _expected(train_pixels: np.ndarray, test_pixels: np.ndarray) -> torch.Tensor:
    """Test inputs (N, C, H, W uint8) normalised per channel with the training pixels' mean and std."""
    train, test = (torch.from_numpy(p).float() / 255 for p in (train_pixels, test_pixels))
    mean, std = train.mean(dim=(0, 2, 3), keepdim=True), train.std(dim=(0, 2, 3), keepdim=True)
    return (test - mean) / std


@pytest.mark.parametrize("name, folder, classes", [("mnist", "MNIST", "0 - zero"),
                                                   ("fashion_mnist", "FashionMNIST", "T-shirt/top")])
def test_mnist_like_through_torchvision(tmp_path, name, folder, classes):
    rng = np.random.default_rng(0)
    images = {"train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
              "t10k": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)}
    labels = {"train": rng.integers(0, 10, 20, dtype=np.uint8), "t10k": rng.integers(0, 10, 6, dtype=np.uint8)}
    for split in ("train", "t10k"):
        _write_idx(tmp_path / folder / "raw" / f"{split}-images-idx3-ubyte", images[split])
        _write_idx(tmp_path / folder / "raw" / f"{split}-labels-idx1-ubyte", labels[split])

    ds = data.load(name, root=tmp_path)
    assert (ds.x_train.shape, ds.x_val.shape, ds.x_test.shape) == ((16, 1, 28, 28), (4, 1, 28, 28), (6, 1, 28, 28))
    assert ds.x_train.dtype == torch.float32 and ds.y_train.dtype == torch.int64
    assert ds.num_classes == 10 and ds.classes[0] == classes
    assert sorted(torch.cat([ds.y_train, ds.y_val]).tolist()) == sorted(labels["train"].tolist())
    assert ds.y_test.tolist() == labels["t10k"].tolist()
    assert abs(torch.cat([ds.x_train, ds.x_val]).mean().item()) < 1e-5
    assert torch.allclose(ds.x_test, _expected(images["train"][:, None], images["t10k"][:, None]), atol=1e-5)
    assert data.load(name, root=tmp_path, image_size=14).input_shape == (1, 14, 14)


def test_cifar10_through_torchvision(tmp_path, monkeypatch):
    from torchvision.datasets import CIFAR10

    rng = np.random.default_rng(1)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = {f"data_batch_{i}": 4 for i in range(1, 6)} | {"test_batch": 5}
    pixels, labels, md5 = {}, {}, {}
    for file, n in batches.items():
        pixels[file] = rng.integers(0, 256, (n, 3 * 32 * 32), dtype=np.uint8)  # channel planes, as in CIFAR
        labels[file] = rng.integers(0, 10, n).tolist()
        (folder / file).write_bytes(pickle.dumps({"data": pixels[file], "labels": labels[file]}))
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": names}))
    for file in [*batches, "batches.meta"]:
        md5[file] = hashlib.md5((folder / file).read_bytes()).hexdigest()
    # CIFAR10 checks every file against the md5 sums in its class attributes: point them at our tiny files.
    monkeypatch.setattr(CIFAR10, "train_list", [[f"data_batch_{i}", md5[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(CIFAR10, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                          "md5": md5["batches.meta"]})

    ds = data.load("cifar10", root=tmp_path)
    assert (ds.x_train.shape, ds.x_val.shape, ds.x_test.shape) == ((16, 3, 32, 32), (4, 3, 32, 32), (5, 3, 32, 32))
    assert ds.classes == tuple(names) and ds.y_test.tolist() == labels["test_batch"]
    assert 0 <= int(torch.cat([ds.y_train, ds.y_val, ds.y_test]).min()) and int(ds.y_train.max()) < 10
    channel_means = torch.cat([ds.x_train, ds.x_val]).mean(dim=(0, 2, 3))
    assert torch.allclose(channel_means, torch.zeros(3), atol=1e-5)
    train = np.concatenate([pixels[f"data_batch_{i}"] for i in range(1, 6)]).reshape(-1, 3, 32, 32)
    expected = _expected(train, pixels["test_batch"].reshape(-1, 3, 32, 32))
    assert torch.allclose(ds.x_test, expected, atol=1e-5)  # channels in the right order, not HWC
    assert data.load("cifar10", root=tmp_path, image_size=8).x_train.shape == (16, 3, 8, 8)


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_missing_files_ask_for_download(tmp_path, name):
    with pytest.raises(DataError) as err:
        data.load(name, root=tmp_path, download=False)
    assert str(tmp_path) in str(err.value) and "download=True" in str(err.value)


# ---------------------------------------------------------------- imagefolder

def _write_png(path: Path, size: tuple[int, int], mode: str = "RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(len(str(path))).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).convert(mode).save(path)


def test_imagefolder_split_classes_and_size(tmp_path):
    for i in range(5):
        _write_png(tmp_path / "cat" / f"{i}.png", (20, 12))
        _write_png(tmp_path / "dog" / f"{i}.png", (9, 9), mode="L")  # grayscale becomes RGB
    ds = data.load("imagefolder", root=tmp_path, image_size=16)
    assert ds.classes == ("cat", "dog") and ds.num_classes == 2
    assert ds.input_shape == (3, 16, 16)
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (6, 2, 2)
    assert sorted(torch.cat([ds.y_train, ds.y_val, ds.y_test]).tolist()) == [0] * 5 + [1] * 5
    assert data.load("imagefolder", root=tmp_path).input_shape == (3, 32, 32)


def test_imagefolder_uses_train_and_test_folders(tmp_path):
    for split, n in (("train", 4), ("test", 3)):
        for label in ("a", "b"):
            for i in range(n):
                _write_png(tmp_path / split / label / f"{i}.png", (10, 10))
    ds = data.load("imagefolder", root=tmp_path, image_size=8)
    assert ds.classes == ("a", "b") and len(ds.x_test) == 6 and len(ds.x_train) + len(ds.x_val) == 8
    assert ds.y_test.tolist() == [0, 0, 0, 1, 1, 1]


def test_imagefolder_errors(tmp_path):
    with pytest.raises(DataError, match="root="):
        data.load("imagefolder")
    with pytest.raises(DataError, match=re.escape(str(tmp_path))):
        data.load("imagefolder", root=tmp_path)  # empty folder
    (tmp_path / "cat").mkdir()
    with pytest.raises(DataError, match="no images"):
        data.load("imagefolder", root=tmp_path)  # a class folder without images


# ---------------------------------------------------------------- from_tensors and validation

def test_from_tensors_splits_and_converts():
    x = np.random.default_rng(0).normal(size=(50, 1, 12))  # float64 numpy is accepted
    y = np.arange(50) % 4
    ds = data.from_tensors("toy", x, y, x[:10], y[:10], seed=5, val_fraction=0.2)
    assert ds.describe() == "toy: 40 train / 10 val / 10 test, input (1, 12), 4 classes"
    assert ds.x_train.dtype == torch.float32 and ds.y_val.dtype == torch.int64
    assert not torch.equal(ds.y_val, data.from_tensors("toy", x, y, x[:10], y[:10], seed=6).y_val)
    assert repr(ds) == f"Dataset({ds.describe()})"


def test_two_dimensional_inputs_suggest_unsqueeze():
    x = torch.zeros(10, 40)
    with pytest.raises(DataError, match=r"\(8, 40\).*unsqueeze"):
        data.from_tensors("flat", x, torch.zeros(10, dtype=torch.long), x, torch.zeros(10, dtype=torch.long))


def test_labels_out_of_range_name_num_classes():
    x, y = torch.zeros(10, 1, 5), torch.tensor([0, 1, 2, 5, 0, 1, 2, 0, 1, 2])
    with pytest.raises(DataError, match="num_classes=3"):
        data.from_tensors("toy", x, y, x, y, num_classes=3)


def test_mismatched_split_shapes():
    y = torch.zeros(10, dtype=torch.long)
    with pytest.raises(DataError, match=r"test samples have shape \(1, 30\)"):
        data.from_tensors("toy", torch.zeros(10, 1, 40), y, torch.zeros(10, 1, 30), y)


def test_dataset_rejects_inconsistent_splits():
    x, y = torch.zeros(4, 1, 3), torch.zeros(4, dtype=torch.long)
    with pytest.raises(DataError, match="4 inputs but 3 labels"):
        data.Dataset("toy", x, y, x, y[:3], x, y, num_classes=2)
    with pytest.raises(DataError, match="test split is empty"):
        data.Dataset("toy", x, y, x, y, x[:0], y[:0], num_classes=2)
    with pytest.raises(DataError, match="x.float"):
        data.Dataset("toy", x.double(), y, x, y, x, y, num_classes=2)
