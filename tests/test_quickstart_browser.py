"""notebooks/00_quickstart.ipynb in JupyterLab + headless Chromium: Run All renders the search panel with its
results (the notebook starts it from code), then a real browser click on Start runs a new search that the page
shows. Then the student's path of issue 17: Step starts a paused search (its Resume button must read in full);
the menus switched to the training estimator must neither leave the dataset on a download nor leak into the
next cell's `panel.start(...)`, run again by hand. With MINAS_UPDATE_SCREENSHOT=1 the screenshot after the
Start click also replaces docs/search_panel.png (for the README)."""
import os
import re
import shutil
from pathlib import Path

import pytest

from browser_util import (assert_figures_are_images, assert_no_clipped_labels, assert_no_widget_errors,
                          fold_left_sidebar, open_notebook, run_all_cells, wait_for_cells)

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_quickstart_panel_in_the_browser(browser, jupyter_lab, artifacts):  # browser first: skips before Lab
    from playwright.sync_api import expect

    base, token, _root = jupyter_lab
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    shot = artifacts / "quickstart_panel.png"
    ok = False
    try:
        open_notebook(page, base, token, "notebooks/00_quickstart.ipynb")
        run_all_cells(page)
        wait_for_cells(page, timeout=180_000)
        panel = page.locator(".minas-panel")
        expect(panel).to_have_count(1)
        status = page.locator(".minas-status")
        expect(status).to_contain_text("finished", timeout=30_000)      # the notebook started it from code
        expect(status).to_contain_text("20 / 20 trials")
        expect(page.locator(".minas-best svg")).to_have_count(1)
        expect(page.locator(".minas-latest svg")).to_have_count(1)
        expect(page.locator(".minas-leaderboard tbody tr")).to_have_count(10)
        plot = page.locator(".minas-plot img")
        expect(plot).to_be_visible()
        fold_left_sidebar(page)                                          # more room for the panel
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(artifacts / "quickstart_panel_run_all.png"))

        before = plot.get_attribute("src")
        trials = page.locator(".minas-trials input")
        trials.fill("45")
        trials.press("Enter")                                            # commits the value to the kernel
        page.locator("button.minas-start").click()                       # a real click in the browser
        expect(status).to_contain_text(re.compile(r"finished.*45 / 45 trials"), timeout=60_000)
        expect(plot).not_to_have_attribute("src", before, timeout=30_000)
        expect(page.locator("button.minas-start")).to_be_enabled()
        expect(page.locator("button.minas-stop")).to_be_disabled()
        assert_no_widget_errors(page)
        assert not errors, errors
        panel.evaluate("e => e.scrollIntoView({block: 'start'})")
        panel.screenshot(path=str(shot))
        if os.environ.get("MINAS_UPDATE_SCREENSHOT") == "1":
            DOCS.mkdir(exist_ok=True)
            shutil.copyfile(shot, DOCS / "search_panel.png")

        page.locator("button.minas-step").click()                        # a new search, paused after one trial
        expect(page.locator("button.minas-pause")).to_have_text(re.compile("Resume"), timeout=60_000)
        expect(status).to_contain_text("paused", timeout=60_000)
        assert_no_clipped_labels(page)                                   # "Resume" in full, not "Resu…"
        page.locator("button.minas-stop").click()
        expect(status).to_contain_text("stopped", timeout=60_000)

        estimator = panel.locator(".widget-dropdown", has_text="estimator").locator("select")
        estimator.select_option("training")                              # what 00 invites a student to try
        expect(panel.locator(".widget-dropdown", has_text="dataset").locator("select")).to_have_value("mnist1d")
        trials.fill("100")
        trials.press("Enter")
        cell = page.locator(".jp-CodeCell", has_text="panel.start(").first   # the notebook's own cell, run again
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        expect(status).to_contain_text(re.compile(r"finished.*20 / 20 trials"), timeout=120_000)
        expect(status).to_contain_text("NAS-Bench-201 cifar10 · evolution")   # the cell's search, not the menus'
        expect(estimator).to_have_value("tabular")
        expect(cell.locator(".jp-InputArea-prompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=30_000)
        wait_for_cells(page, timeout=60_000)                             # the cell's asserts held
        assert_figures_are_images(page)
        assert_no_widget_errors(page)
        assert not errors, errors
        ok = True
    finally:
        if not ok:
            page.screenshot(path=str(artifacts / "quickstart_panel_failed.png"))
        page.close()
