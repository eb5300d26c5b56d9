"""Solutions to the exercises of 02_search_spaces.ipynb (for instructors; see notebooks/README.md)."""
from minas.spaces import Cell


def space_size(num_ops, num_nodes):
    edges = num_nodes * (num_nodes - 1) // 2
    return num_ops ** edges


def decode(vector, space):
    k = len(space.ops)
    return Cell(tuple(space.ops[list(vector[e * k:(e + 1) * k]).index(1)] for e in range(len(space.edges))))


def dead_edges(cell, space):
    dead = []
    for e, (target, source, op) in enumerate(cell.edges()):
        variants = {space.canonical(Cell(cell.ops[:e] + (other,) + cell.ops[e + 1:])) for other in space.ops}
        if len(variants) == 1:
            dead.append((source, target))
    return dead
