"""Fingerprints of data: a content hash, so a run folder knows what it was computed on.

A dataset is known to a run folder by its fingerprint, not by its name: other tensors under the
same name, another `imagefolder` root or a changed file give another fingerprint, and the folder
refuses to replay results computed on other data. A `Dataset`'s fingerprint is computed once and
kept with it (about a second per GiB); it is computed again only if one of its tensors was changed
in place since (torch counts in-place changes in `Tensor._version`).
"""
from __future__ import annotations

import hashlib
import threading
import weakref
from typing import Any

import numpy as np
import torch

_cache: "weakref.WeakKeyDictionary[Any, tuple[tuple, str]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
SPLITS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


def _update(h: "hashlib._Hash", array: Any) -> None:
    """Feed an array's dtype, shape and bytes to `h`."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().contiguous().numpy() if array.dtype != torch.bfloat16 else \
            array.detach().cpu().float().contiguous().numpy()
    array = np.ascontiguousarray(array)
    h.update(f"{array.dtype.str}{array.shape}".encode())
    h.update(memoryview(array).cast("B"))


def tensor_fingerprint(array: Any) -> str:
    """The content hash of one tensor or array (dtype, shape and values)."""
    h = hashlib.blake2b(digest_size=16)
    _update(h, array)
    return h.hexdigest()


def dataset_fingerprint(data: Any) -> str:
    """The content hash of a `minas.data.Dataset`: its six tensors, its classes, its class count."""
    versions = tuple(getattr(data, split)._version for split in SPLITS)
    with _lock:
        cached = _cache.get(data)
    if cached is not None and cached[0] == versions:
        return cached[1]
    h = hashlib.blake2b(digest_size=16)
    for split in SPLITS:
        _update(h, getattr(data, split))
    h.update(repr((data.num_classes, tuple(data.classes))).encode())
    digest = h.hexdigest()
    with _lock:
        _cache[data] = (versions, digest)
    return digest


def describe_data(value: Any) -> dict[str, Any] | None:
    """A dataset, tensor or array as a run folder records it (name or shape, and fingerprint);
    None for anything else."""
    from .data import Dataset
    if isinstance(value, Dataset):
        return {"name": value.name, "fingerprint": dataset_fingerprint(value)}
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return {"shape": list(value.shape), "dtype": str(value.dtype), "fingerprint": tensor_fingerprint(value)}
    return None
