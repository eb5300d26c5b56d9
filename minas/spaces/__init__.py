"""Search spaces: what can be built."""
from ..registry import Registry
from .base import ArchError, ArchGraph, SearchSpace
from .cell import NB201_OPS, Cell, CellSpace

SPACES: Registry[SearchSpace] = Registry("search space")
SPACES.register("cell")(CellSpace)

__all__ = ["ArchError", "ArchGraph", "Cell", "CellSpace", "NB201_OPS", "SearchSpace", "SPACES"]
