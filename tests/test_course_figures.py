"""The lecture figures (course/figures.py) come from minas itself, as SVG and PNG, in a fresh folder."""
import xml.etree.ElementTree as ET

import minas
from course import figures


def test_every_lecture_figure_is_written_as_svg_and_png(tmp_path, one_thread):
    written = figures.main([str(tmp_path / "figs")])
    names = {"cell", "supernet", "successive_halving", "pareto_front"} | ({"chain"} if hasattr(minas.spaces, "ChainSpace") else set())
    assert {p.name for p in written} == {f"{n}.{ext}" for n in names for ext in ("svg", "png")}
    for path in written:
        if path.suffix == ".svg":
            assert ET.parse(path).getroot().tag.endswith("svg"), path.name
        else:
            assert path.read_bytes().startswith(b"\x89PNG"), path.name


def test_a_trained_supernet_draws_each_op_as_thick_as_its_weight():
    space = minas.spaces.CellSpace()
    alphas = {f"{j}->{i}": {op: (0.9 if op == "nor_conv_3x3" else 0.025) for op in space.ops} for i, j in space.edges}
    source = figures.supernet_graph(space, alphas).source
    assert source.count('penwidth=6.00') == len(space.edges)          # 0.6 + 6 × 0.9 on every edge's conv
    assert source.count("dotted") == len(space.edges)                   # none, on every edge
