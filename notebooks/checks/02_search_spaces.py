"""The checks of 02_search_spaces.ipynb's exercises (see checks/__init__.py)."""
import random

from checks.common import Wrong, checks, expect, show, space


def _float_hint(got, wanted: int) -> str:
    """Why a count came out wrong when it went through floating point on its way."""
    if got == wanted:
        return " (return an exact int: use ** on ints, not floats)"
    try:
        rounded = float(got) == float(wanted)
    except (TypeError, ValueError, OverflowError):
        return ""
    return (" — close, but not exact: floating point (math.pow, /, a float exponent) keeps only 16 digits, and "
            "counts above 2 ** 53 lose their last ones. Compute with ints: k ** (n * (n - 1) // 2)") if rounded else ""


@checks("space_size")
def _space_size(fn):
    import minas
    for k in range(1, 11):                  # up to 10 ** 28 cells: far past 2 ** 53, where floats stop counting
        for n in range(2, 9):
            wanted = k ** (n * (n - 1) // 2)
            got = fn(k, n)
            expect(got == wanted and not isinstance(got, float),
                   f"space_size({k}, {n}) returned {show(got)}, but {n} nodes have {n * (n - 1) // 2} edges, so there are "
                   f"{wanted:,} cells" + _float_hint(got, wanted))
            if k <= 5:
                expect(minas.spaces.CellSpace(minas.spaces.NB201_OPS[:k], n).size == got, "disagrees with CellSpace.size")


@checks("decode")
def _decode(fn):
    import minas
    small = minas.spaces.CellSpace(("none", "skip_connect", "nor_conv_3x3"), nodes=3)
    for sp in (space(), small):
        rng = random.Random(1)
        for _ in range(100):
            cell = sp.sample(rng)
            got = fn(sp.encode(cell), sp)
            expect(isinstance(got, minas.spaces.Cell),
                   f"return a Cell, e.g. Cell(tuple(op_names)); got a {type(got).__name__}: {show(got)}")
            expect(got == cell, f"decode(space.encode(cell)) gave {got} instead of {cell}"
                   + (f" in a space with {len(sp.ops)} ops and {len(sp.edges)} edges: use space.ops and "
                      f"len(space.edges), not fixed numbers" if sp is small else ""))


def _dead(cell, sp):
    from minas.spaces import Cell
    out = set()
    for e, (target, source, _) in enumerate(cell.edges()):
        if len({sp.canonical(Cell(cell.ops[:e] + (o,) + cell.ops[e + 1:])) for o in sp.ops}) == 1:
            out.add((source, target))
    return out


@checks("dead_edges")
def _dead_edges(fn):
    sp, rng = space(), random.Random(2)
    cells = [sp.parse("|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")]
    cells += [sp.sample(rng) for _ in range(300)]
    for cell in cells:
        got = fn(cell, sp)
        try:
            got = {tuple(e) for e in got}
        except TypeError:
            raise Wrong(f"return a list of (source, target) pairs, got {show(got)}") from None
        wanted = _dead(cell, sp)
        extra, missing = sorted(got - wanted), sorted(wanted - got)
        expect(not extra, f"for {cell} you call {extra} dead, but some op on {extra[0] if extra else ''} changes the "
                          f"network (pairs are (source, target), source < target)")
        expect(not missing, f"for {cell} the edges {missing} are dead too: no op on them changes space.canonical(cell)")
