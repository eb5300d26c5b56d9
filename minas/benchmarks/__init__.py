"""Tabular benchmarks: precomputed results for every architecture of a space."""
from .mnist1d import MNIST1DBench
from .nb201 import NASBench201

__all__ = ["MNIST1DBench", "NASBench201"]
