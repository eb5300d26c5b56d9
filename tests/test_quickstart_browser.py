"""notebooks/00_quickstart.ipynb in JupyterLab + headless Chromium: Run All renders the search panel with its
results (the notebook starts it from code), then a real browser click on Start runs a new search that the page
shows. With MINAS_UPDATE_SCREENSHOT=1 the final screenshot also replaces docs/search_panel.png (for the README)."""
import os
import re
import shutil
from pathlib import Path

import pytest

from browser_util import assert_no_widget_errors, fold_left_sidebar, open_notebook, run_all_cells, wait_for_cells

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
        ok = True
    finally:
        if not ok:
            page.screenshot(path=str(artifacts / "quickstart_panel_failed.png"))
        page.close()
