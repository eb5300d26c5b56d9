"""Every curriculum notebook that teaches with a panel, in JupyterLab + headless Chromium: Run All fills the
panel (each notebook drives its panel from code), then a real browser interaction with one of the panel's
controls must change what the panel shows, with no widget or page error on the way. Before that, the notebook
is saved and its outputs must pass `notebook_checks.check_executed` (so tests/test_notebooks.py need not run it
again). The panel's screenshot is kept as test-artifacts/<notebook>_panel.png; with MINAS_UPDATE_SCREENSHOT=1
the cases that name a `docs` file also replace docs/<file> (the README's "Panels" section shows them).

To cover another notebook, add a `Case` to CASES."""
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_util import (assert_figures_are_images, assert_no_clipped_labels, assert_no_widget_errors,
                          fold_left_sidebar, open_notebook, run_all_cells, save_notebook, shut_down_kernels,
                          wait_for_cells)
from notebook_checks import check_executed

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[1] / "docs"


@dataclass(frozen=True)
class Case:
    """One notebook and its panel. Selectors are looked up inside the panel (CSS, or Playwright's extensions
    such as :has-text() where the selector only goes to Playwright); an action acts on the first match:
    ("click", selector), ("fill", selector, text) (typed, then Enter to send it to the kernel),
    ("select", selector, option) for a <select>, or ("press", selector, key) (a key pressed on it)."""

    notebook: str                      # file name in notebooks/
    panel: str                         # CSS class of the panel's root
    ready: str                         # shows once Run All has filled the panel
    actions: tuple[tuple[str, ...], ...]
    changes: tuple[str, ...]           # CSS: each of these must look different after the actions
    done: tuple[str, ...] = ()         # all of these show once the work the actions started is over
    docs: str | None = None            # the screenshot's name in docs/

    def __str__(self) -> str:
        return self.notebook.removesuffix(".ipynb")


PICK_A_TRIAL = (("click", ".minas-trial-table option:nth-child(2)"),)      # draws that trial next to the table
DRAWN_TRIAL = (".minas-selected", ".minas-selected-details")
# a BackgroundRun panel: the label says it first, the Run button comes back after the last redraw
FINISHED = (".minas-progress-label:has-text('finished in')", "button.minas-run:enabled")
# the explorer: the drawing and the numbers are greyed (minas-stale) from a change until they show the new network
MEASURED = (".minas-drawing:not(.minas-stale)", ".minas-measures:not(.minas-stale)")
CASES = [
    Case("01_what_is_nas.ipynb", "minas-search-panel", ".minas-trial-table option", PICK_A_TRIAL, DRAWN_TRIAL),
    Case("02_search_spaces.ipynb", "minas-explorer", ".minas-drawing svg",
         (("select", ".minas-edge select", "avg_pool_3x3"),),
         (".minas-arch-string", ".minas-drawing", ".minas-measures"), done=MEASURED, docs="architecture_explorer.png"),
    Case("03_evaluating.ipynb", "minas-estimator-lab", ".minas-scatters img",
         (("fill", ".minas-archs input", "150"), ("click", "button.minas-run")),
         (".minas-stats", ".minas-scatters"), done=FINISHED, docs="estimator_lab.png"),
    Case("04_black_box_search.ipynb", "minas-search-panel", ".minas-trial-table option", PICK_A_TRIAL, DRAWN_TRIAL),
    Case("05_comparing_strategies.ipynb", "minas-comparison", "img.minas-comparison-plot",
         (("fill", ".minas-seeds input", "3"), ("click", "button.minas-run")),
         (".minas-comparison-plot", ".minas-summary"), done=FINISHED, docs="strategy_comparison.png"),
    Case("06_model_based.ipynb", "minas-search-panel", ".minas-trial-table option", PICK_A_TRIAL, DRAWN_TRIAL),
    Case("07_multi_fidelity.ipynb", "minas-comparison", "img.minas-comparison-plot",
         (("fill", ".minas-seeds input", "4"), ("click", "button.minas-run")),
         (".minas-comparison-plot", ".minas-summary"), done=FINISHED),
    Case("08_zero_cost.ipynb", "minas-estimator-lab", ".minas-scatters img",
         (("fill", ".minas-archs input", "10"), ("click", "button.minas-run")),   # proxies take a while
         (".minas-stats", ".minas-scatters"), done=FINISHED),
    Case("09_weight_sharing.ipynb", "minas-estimator-lab", ".minas-scatters img",
         (("fill", ".minas-archs input", "12"), ("click", "button.minas-run")),
         (".minas-stats", ".minas-scatters"), done=FINISHED),
    Case("10_darts.ipynb", "minas-darts", "img.minas-heatmap",
         (("press", ".minas-epoch .noUi-handle", "ArrowLeft"),),             # the slider goes back one epoch
         (".minas-derived-caption",), docs="darts_monitor.png"),
    Case("11_hardware_aware.ipynb", "minas-pareto", "img.minas-pareto-plot",
         (("select", ".minas-pareto-x select", "FLOPs"), ("click", ".minas-pareto-front option:nth-child(1)")),
         (".minas-pareto-plot", ".minas-selected-details"), docs="pareto_view.png"),
    Case("12_capstone.ipynb", "minas-comparison", "img.minas-comparison-plot",
         (("select", ".minas-dataset select", "NAS-Bench-201 cifar100"), ("click", "button.minas-run")),
         (".minas-comparison-plot", ".minas-summary"), done=FINISHED),
    Case("13_designing_spaces.ipynb", "minas-explorer", ".minas-drawing svg",
         (("select", ".minas-decision-k1-1 select", "7"),),                 # the first block's kernel
         (".minas-arch-string", ".minas-drawing", ".minas-measures"), done=MEASURED,
         docs="architecture_explorer_chain.png"),
    Case("14_real_data_lab.ipynb", "minas-search-panel", ".minas-trial-table option", PICK_A_TRIAL, DRAWN_TRIAL),
]


def act(panel, kind: str, selector: str, *value: str) -> None:
    target = panel.locator(selector).first
    if kind == "click":
        target.click()
    elif kind == "fill":
        target.fill(*value)
        target.press("Enter")
    elif kind == "select":
        target.select_option(*value)
    elif kind == "press":
        target.press(*value)
    else:
        raise ValueError(f"unknown action {kind!r}")


_HTML = "([panel, selector]) => document.querySelector(`.${panel} ${selector}`)?.outerHTML ?? null"
_CHANGED = "([panel, selector, before]) => document.querySelector(`.${panel} ${selector}`)?.outerHTML !== before"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_panel_renders_and_reacts(case, browser, jupyter_lab, artifacts):  # browser first: skips before Lab
    from playwright.sync_api import expect

    import nbformat

    base, token, root = jupyter_lab
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    shot = artifacts / f"{case}_panel.png"
    ok = False
    try:
        open_notebook(page, base, token, f"notebooks/{case.notebook}", timeout=180_000)
        fold_left_sidebar(page)
        run_all_cells(page)
        wait_for_cells(page, timeout=600_000)
        assert_figures_are_images(page)
        panel = page.locator(f".{case.panel}")
        expect(panel).to_have_count(1)
        panel.scroll_into_view_if_needed()
        expect(panel.locator(case.ready).first).to_be_visible(timeout=60_000)
        for sel in case.done:                                                 # the notebook's own run is over
            expect(panel.locator(sel).first).to_be_visible(timeout=60_000)
        saved = root / "notebooks" / case.notebook        # what Run All printed, checked as tests/test_notebooks.py
        save_notebook(page, saved)                         # checks the notebooks no browser test runs
        check_executed(case.notebook, nbformat.read(saved, as_version=4))
        before = [page.evaluate(_HTML, [case.panel, sel]) for sel in case.changes]
        assert None not in before, f"missing in the panel: {case.changes}"

        for action in case.actions:                                           # real input in the browser
            act(panel, *action)
        for sel, old in zip(case.changes, before):
            page.wait_for_function(_CHANGED, arg=[case.panel, sel, old], timeout=180_000)
        for sel in case.done:      # the views changed after the work began, so this is the work's end
            expect(panel.locator(sel).first).to_be_visible(timeout=180_000)
        after = [page.evaluate(_HTML, [case.panel, sel]) for sel in case.changes]
        assert all(a != b for a, b in zip(after, before)), "it ended showing what it showed before"

        expect(panel.locator(".minas-warning", has_text=re.compile(r"\S"))).to_have_count(0)
        assert_no_widget_errors(page)
        assert_no_clipped_labels(page)
        assert not errors, errors
        page.set_viewport_size({"width": 1500, "height": max(1100, int(panel.bounding_box()["height"]) + 300)})
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")      # all of it in view, below Lab's menus
        panel.screenshot(path=str(shot))
        if case.docs and os.environ.get("MINAS_UPDATE_SCREENSHOT") == "1":
            DOCS.mkdir(exist_ok=True)
            shutil.copyfile(shot, DOCS / case.docs)
        ok = True
    finally:
        if not ok:
            page.screenshot(path=str(artifacts / f"{case}_failed.png"))
        page.close()
        shut_down_kernels(base, token)                 # one kernel at a time: CI has two cores
