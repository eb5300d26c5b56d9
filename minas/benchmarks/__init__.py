"""Tabular benchmarks: precomputed results for every architecture of a space."""
from .nb201 import NASBench201

__all__ = ["NASBench201"]
