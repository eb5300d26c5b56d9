"""What an executed curriculum notebook must show, whoever ran it: nbclient (tests/test_notebooks.py) or
JupyterLab in a real browser (tests/test_notebook_panels_browser.py, which saves the notebook it ran). It
fails on an error, on a check that prints ✗ with the solutions in place, on a figure that shows as its text
(`<Figure size 650x380 with 1 Axes>`) instead of an image, on a table that cuts its cells short, and when a
number the prose quotes from the run (`CLAIMS`) is not what the run prints."""
import re

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


def check_executed(name: str, nb) -> None:
    """Fail, naming the problem, unless the executed notebook `nb` (called `name`) shows what it must."""
    errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"{name}: a cell failed: {errors[0].get('ename')}: {errors[0].get('evalue')}"
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
