"""Helpers for driving notebooks in JupyterLab with Playwright (used with the fixtures in conftest.py).

Typical use::

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_notebook(page, base, token, "notebooks/quickstart.ipynb")
    run_all_cells(page)
    wait_for_cells(page)          # every code cell ran; raises with the traceback if one failed
    assert_no_widget_errors(page)
    assert_figures_are_images(page)
"""
import re

# A real kernel, idle. The toolbar's execution indicator already says "idle" while the status bar still reads
# "No Kernel | Initializing"; "Run All Cells" clicked then is silently lost (env-recipe pitfall P1).
KERNEL_IDLE = re.compile(r"^(?!No Kernel).+ \| Idle$")
WIDGET_ERRORS = ("Loading widget", "Error displaying widget")


def open_notebook(page, base: str, token: str, path: str, timeout: float = 90_000):
    """Open `path` (relative to the server root) in Lab and wait until its kernel is started and idle."""
    from playwright.sync_api import expect  # lazily: importing this module must not need playwright

    page.goto(f"{base}/lab/tree/{path.lstrip('/')}?token={token}&reset", wait_until="domcontentloaded")
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=timeout)
    expect(page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE)).to_have_count(1, timeout=timeout)


_STARTED = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')]
    .some(e => /[*\\d]/.test(e.textContent))"""


def run_all_cells(page, tries: int = 20):
    """Run ▸ Run All Cells. The entry stays disabled until the notebook panel is the current widget, so focus a
    cell first and retry while it is disabled (pitfall P2). On a busy machine a click can land after Playwright
    gave up on it: a cell that runs or ran means it did, and clicking again would run the notebook twice."""
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    item = page.locator(".lm-Menu-item:not(.lm-mod-disabled)",
                        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")))
    for _ in range(tries):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        try:
            item.click(timeout=5_000)
            return
        except Exception:
            if page.evaluate(_STARTED):
                return
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
    raise AssertionError("'Run All Cells' never became enabled")


def fold_left_sidebar(page):
    """Close the file browser (JupyterLab opens it on a fresh workspace), for more room; harmless if closed."""
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if tab.count():
        tab.first.click()
        page.wait_for_timeout(300)


_RUN_STATE = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')]
      .map(e => e.textContent.trim());
  const tb = [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')]
      .map(e => e.innerText).find(t => t.includes('Traceback (most recent call last)'));
  if (prompts.some(p => p.includes('*'))) return null;                 // still running or queued
  if (tb) return {error: tb};
  if (prompts.length && prompts.every(p => /^\\[\\d+\\]:?$/.test(p))) return {ok: true};
  return null;
}"""


def wait_for_cells(page, timeout: float = 600_000):
    """Wait until every code cell has an execution count (after run_all_cells on a notebook without saved
    outputs: the jupyter_lab fixture strips them). Raises AssertionError with the traceback if a cell failed."""
    state = page.wait_for_function(_RUN_STATE, timeout=timeout).json_value()
    if "error" in state:
        raise AssertionError("a notebook cell failed in the browser:\n" + state["error"][-4000:])


def assert_no_widget_errors(page):
    """No widget left as "Loading widget..." and no "Error displaying widget" (missing model / front-end error)."""
    text = page.locator("body").inner_text()
    found = [w for w in WIDGET_ERRORS if w in text]
    assert not found, f"widget problems in the page: {found}"


_CLIPPED = """() => [...document.querySelectorAll('.minas-panel button, .minas-panel .widget-label')]
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.trim() || e.title)"""


def assert_no_clipped_labels(page):
    """No button or label of a panel cut off by its box ("Resu…" for Resume)."""
    clipped = page.evaluate(_CLIPPED)
    assert not clipped, f"cut off in the panel: {clipped}"


_TEXT_FIGURES = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')]
    .map(e => e.innerText).filter(t => /^<Figure size [\\d.]+x[\\d.]+ with \\d+ Axes>/.test(t.trim()))"""


def assert_figures_are_images(page):
    """No cell output shows a figure as its text ("<Figure size 650x380 with 1 Axes>") instead of the image."""
    found = page.evaluate(_TEXT_FIGURES)
    assert not found, f"figures shown as text, not images: {found}"


def save_notebook(page, path, timeout: float = 60.0):
    """File ▸ Save (Ctrl+S) the open notebook and wait until `path`, its file on disk, has been rewritten."""
    import time

    before = path.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()
    page.keyboard.press("Escape")                      # command mode: Ctrl+S goes to Lab, not to an editor
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + timeout
    while path.stat().st_mtime_ns == before:
        assert time.monotonic() < deadline, f"{path.name} was not saved in {timeout:.0f} s"
        time.sleep(0.2)
    time.sleep(0.5)                                    # Lab writes it in one go, but let a slow disk finish


def shut_down_kernels(base: str, token: str):
    """End every session of the server with its kernel: a notebook's kernel outlives the page that opened it."""
    import json
    import urllib.request

    auth = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/api/sessions", headers=auth), timeout=30) as r:
        sessions = json.load(r)
    for session in sessions:
        delete = urllib.request.Request(f"{base}/api/sessions/{session['id']}", headers=auth, method="DELETE")
        urllib.request.urlopen(delete, timeout=60).close()
