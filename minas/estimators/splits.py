"""Which samples train a candidate and which validate it: the dataset's held-out validation split
(the default), or k-fold cross-validation over training + validation samples. Both are seeded, so
every candidate of a search sees the same data.

k-fold (Stone 1974; Kohavi, IJCAI 1995) costs k trainings per candidate but uses every sample for
validation once, which steadies the estimate on small datasets where one held-out split is noisy.
"""
from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict

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


def prepared(data, resolution: int | None, fraction: float, folds: int, seed: int, device: torch.device) -> dict:
    """The splits and the test set on `device`, resized and subsampled once per fidelity and reused
    (`CACHE`: bounded in bytes, and emptied of a dataset's entries when the dataset is dropped)."""
    key = (resolution, fraction, folds, seed, str(device))
    found = CACHE.get(data, key)
    if found is None:
        found = CACHE.put(data, key, _prepare(data, resolution, fraction, folds, seed, device))
    return found


def _prepare(data, resolution: int | None, fraction: float, folds: int, seed: int, device: torch.device) -> dict:
    def put(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if resolution is not None and resolution != x.shape[-1]:
            mode = "linear" if x.dim() == 3 else "bilinear"
            x = F.interpolate(x, size=(resolution,) * (x.dim() - 2), mode=mode, antialias=x.dim() == 4,
                              align_corners=False)
        return x.to(device), y.to(device)

    runs = [(put(*train), put(*val)) for train, val in splits(data, folds, fraction, seed)]
    return {"runs": runs, "test": put(data.x_test, data.y_test), "shape": tuple(runs[0][0][0].shape[1:])}


class PreparedCache:
    """Prepared data per (dataset, fidelity), least recently used first out once the entries hold
    more than `limit` bytes (the newest entry always stays). Entries belong to their dataset: they
    are dropped when it is garbage-collected, so a dataset the user lets go frees its copies too."""

    def __init__(self, limit: int):
        self.limit = limit
        self._entries: OrderedDict[tuple, tuple[dict, int]] = OrderedDict()
        self._watched: set[int] = set()
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return sum(size for _, size in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, data, key: tuple) -> dict | None:
        with self._lock:
            entry = self._entries.get((id(data), *key))
            if entry is None:
                return None
            self._entries.move_to_end((id(data), *key))
            return entry[0]

    def put(self, data, key: tuple, value: dict) -> dict:
        own = {t.untyped_storage().data_ptr() for t in _tensors(vars(data))}
        size = sum(t.untyped_storage().nbytes() for t in _tensors(value) if t.untyped_storage().data_ptr() not in own)
        with self._lock:
            if id(data) not in self._watched:
                self._watched.add(id(data))
                weakref.finalize(data, self._forget, id(data))
            self._entries[(id(data), *key)] = (value, size)
            while len(self._entries) > 1 and self.nbytes > self.limit:
                self._entries.popitem(last=False)
        return value

    def _forget(self, data_id: int) -> None:
        with self._lock:
            self._watched.discard(data_id)
            for key in [k for k in self._entries if k[0] == data_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _tensors(value) -> list[torch.Tensor]:
    """Every tensor in nested dicts, lists and tuples."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    return []


CACHE = PreparedCache(int(float(os.environ.get("MINAS_PREPARED_MB", "1024")) * 2**20))
