"""End-to-end check of the browser fixtures on a throwaway notebook written into the SERVED COPY (never the repo):
JupyterLab starts, a real kernel comes up with MINAS_FAST=1, Run All works, ipywidgets render and a real browser
click reaches the kernel's callback and comes back to the page."""
import nbformat
import pytest

from browser_util import assert_no_widget_errors, open_notebook, run_all_cells, wait_for_cells

pytestmark = pytest.mark.browser

CELLS = [
    "import os\nprint('MINAS_FAST=' + os.environ.get('MINAS_FAST', 'unset'))",
    "import ipywidgets as W\n"
    "clicks = 0\n"
    "status = W.HTML('clicks: 0')\n"
    "status.add_class('minas-status')\n"
    "button = W.Button(description='Click me')\n"
    "button.add_class('minas-smoke-button')\n"
    "def on_click(_):\n"
    "    global clicks\n"
    "    clicks += 1\n"
    "    status.value = f'clicks: {clicks}'\n"
    "button.on_click(on_click)\n"
    "W.VBox([button, status])",
]


def test_widget_click_round_trip(browser, jupyter_lab, artifacts):  # browser first: skips before Lab starts
    from playwright.sync_api import expect

    base, token, root = jupyter_lab
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    (root / "smoke").mkdir(exist_ok=True)
    nbformat.write(nb, root / "smoke" / "widget_smoke.ipynb")

    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_notebook(page, base, token, "smoke/widget_smoke.ipynb")
        run_all_cells(page)
        wait_for_cells(page, timeout=120_000)
        expect(page.locator(".jp-OutputArea-output", has_text="MINAS_FAST=1")).to_have_count(1)
        status = page.locator(".minas-status")
        expect(status).to_have_text("clicks: 0", timeout=30_000)
        page.locator("button.minas-smoke-button").click()  # a real click in the browser
        expect(status).to_have_text("clicks: 1", timeout=30_000)
        page.locator("button.minas-smoke-button").click()
        expect(status).to_have_text("clicks: 2", timeout=30_000)
        assert_no_widget_errors(page)
        assert not errors, errors
    finally:
        page.screenshot(path=str(artifacts / "browser_smoke.png"))
        page.close()
