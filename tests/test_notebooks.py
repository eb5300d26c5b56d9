"""Execute every notebooks/*.ipynb top to bottom with nbclient, with MINAS_FAST=1 (small budgets) and
MINAS_SOLUTIONS=1 (an exercise left unfilled runs the instructor's solution, so every later cell works).
Each runs in a temporary copy of notebooks/, so nothing is written into the repo. A run fails on an error, on a
check that prints ✗ with the solutions in place, on a figure that shows as its text (`<Figure size 650x380
with 1 Axes>`) instead of an image, and when a number the prose quotes from the run (`CLAIMS`) is not what
the run prints.

Also checks that the notebooks are saved as students get them: without outputs, and with every
exercise still a stub that raises NotImplementedError between its markers."""
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
START, END = "# ---- your code here ----", "# ---- end ----"
FIGURE_TEXT = re.compile(r"^<(\w*Figure) size [\d.]+x[\d.]+ with \d+ Axes>")

# Numbers the prose quotes from a notebook's own output, which the tables and seeds fix on every machine, in
# FAST mode as in the full run: (a phrase of the Markdown, a pattern the outputs must match). When a run changes
# what it prints, the test fails until the prose says it too.
CLAIMS = {
    "02_search_spaces.ipynb": [("Only 28 different sizes", r"28 different parameter counts among 15,625 cells"),
                               ("15,625 cells, 4,930 distinct networks", r"15,625 cells, 4,930 distinct networks"),
                               ("one class — 341 cells — computes nothing", r"no path from input to output\): 341")],
    "03_evaluating.ipynb": [("about 330 GPU-days", r"training every cell once: 33\d GPU-days"),
                            ("About 2 % of random pairs, but about one pair in four", r"wrongly 2% of the time(.|\n)*wrongly 2[3-7]% of"),
                            ("τ ≈ 0.91 over all cells", r"run 1 vs run 2, [\d,]+ cells:  τ = 0.91"),
                            ("only with τ ≈ 0.58 among the best thousand", r"the best 1,000 cells:  τ = 0.58")],
    "04_black_box_search.ipynb": [("about 91.02 %, 0.58 points short", r"after 100 queries random search expects 91.02 % \(regret 0.58")],
    "05_comparing_strategies.ipynb": [("random search still beat evolution in a few single seeds",
                                       r"random search beat evolution in [0-4] of \d+ seeds")],
    "07_multi_fidelity.ipynb": [("agree only with τ ≈ 0.27", r"after 10 epochs: τ = 0.27"),
                                ("moves a cell by 1.3 points on average", r"they differ by 1.2[5-9] points on average")],
    "11_hardware_aware.ipynb": [("Parameters and FLOPs rank the networks almost identically (τ ≈ 0.99)", r"params +0.27 +1.00 +0.99"),
                                ("(τ ≈ 0.61 over all cells)", r"over all cells: 0.61"),
                                ("of the 13 cells on the front by parameters and the 25 on the front by latency, only 6",
                                 r"front by parameters: 13 cells; by latency: 25; on both: 6"),
                                ("from 7,026 to 19,682 parameters", r"7026 +96.1250(.|\n)*19682 +98.1875")],
}


def figures_as_text(nb) -> list[str]:
    """Outputs where a figure shows as its repr, not an image: a cell that ends in a matplotlib Figure made
    without pyplot's inline backend (and without minas.viz.new_figure) looks like this in JupyterLab."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.output_type == "stream" else out.get("data", {}).get("text/plain", "")
            if FIGURE_TEXT.match(text.strip()) and "image/png" not in out.get("data", {}):
                found.append(f"{text.strip()} in:\n{cell.source}")
    return found


def outputs_text(nb) -> str:
    return "\n".join(out.get("text", "") if out.output_type == "stream" else out.get("data", {}).get("text/plain", "")
                     for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, tmp_path, monkeypatch):
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    monkeypatch.setenv("MINAS_FAST", "1")       # the kernel subprocess inherits both
    monkeypatch.setenv("MINAS_SOLUTIONS", "1")
    nb = nbformat.read(work / name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    error = None
    try:
        client.execute()
    except CellExecutionError as e:  # its message holds the failing cell's source and traceback
        error = ANSI.sub("", str(e))
    if error:
        pytest.fail(f"{name}: a cell failed:\n{error}", pytrace=False)
    for cell in nb.cells:          # a check that prints ✗ with solutions filled in is a broken check
        if cell.cell_type == "code" and re.search(r"^check\(", cell.source, re.M):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "✗" not in text and "✓" in text, f"{name}: a check did not pass with the solutions:\n{text}"
    as_text = figures_as_text(nb)
    assert not as_text, f"{name}: figures show as text, not images:\n" + "\n".join(as_text)
    cut = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
           if "...</td>" in o.get("data", {}).get("text/html", "")]
    assert not cut, f"{name}: a table cuts its cells short (pd.set_option('display.max_colwidth', None)):\n{cut[0][:2000]}"
    prose, printed = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"), outputs_text(nb)
    for phrase, pattern in CLAIMS.get(name, []):
        assert phrase in prose, f"{name}: the prose no longer says {phrase!r}: update CLAIMS with it"
        assert re.search(pattern, printed), f"{name}: the prose says {phrase!r}, but the run prints no {pattern!r}"


@pytest.mark.parametrize("name", NAMES)
def test_the_prose_narrates_no_run_of_its_own(name):
    """"In one of our runs ..." tells a student about numbers their run will not show: prose quotes what the
    tables fix (CLAIMS), what the run prints, or ranges."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    found = re.findall(r"[^.\n]*\bour runs?\b[^.\n]*", prose, re.I)
    assert not found, f"{name}: narrates its authors' runs: {found}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_saved_for_students(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None, f"{name}: save it without outputs"
        if "@exercise" in cell.source:
            for stub in cell.source.split("@exercise")[1:]:
                gap = stub.split(START, 1)[1].split(END, 1)[0] if START in stub and END in stub else None
                assert gap is not None, f"{name}: an exercise lacks the markers {START!r} / {END!r}"
                assert gap.strip() == "raise NotImplementedError", f"{name}: an exercise is shipped filled in:\n{gap}"
