"""Search spaces: what can be built. `SPACES` lists those a name makes (the CLI and panels offer them);
`define(build)` declares your own."""
from ..registry import Registry
from .base import CAPABILITIES, ArchError, ArchGraph, CapabilityError, SearchSpace, SpaceError, offers
from .cell import NB201_OPS, Cell, CellSpace
from .chain import ChainSpace
from .decisions import Choices, Decision, DecisionSpace
from .declared import DeclaredSpace, define
from .supernet import Supernet

SPACES: Registry[SearchSpace] = Registry("search space")
SPACES.register("cell")(CellSpace)
SPACES.register("chain")(ChainSpace)

__all__ = ["ArchError", "ArchGraph", "CAPABILITIES", "CapabilityError", "Cell", "CellSpace", "ChainSpace", "Choices", "Decision",
           "DecisionSpace", "DeclaredSpace", "NB201_OPS", "SPACES", "SearchSpace", "SpaceError", "Supernet", "define", "offers"]
