"""The command line, the HTML report and the drawings, as a user meets them."""
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import minas
from minas import cli, drawing, viz

REPO = Path(__file__).resolve().parents[1]
ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|"


def run_cli(*args, cwd, env=None):
    env = dict(os.environ, MINAS_FAST="1", OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "minas.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_demo_runs_headless_and_writes_folder_and_report(tmp_path):
    done = run_cli("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = (tmp_path / "runs").iterdir()
    assert "best architecture: |" in done.stdout and "test accuracy" in done.stdout
    assert "cpu (" in done.stdout                                    # the device is shown, never chosen silently
    assert f"report: {Path('runs') / folder.name / 'report.html'}" in done.stdout
    report = (folder / "report.html").read_text()
    assert "<svg" in report and "data:image/png;base64," in report and "minas search --estimator training" in report
    budget = int(re.search(r"budget: (\d+) trials", done.stdout).group(1))
    assert len((folder / "trials.jsonl").read_text().splitlines()) == budget


def test_same_command_resumes_its_run_folder(tmp_path):
    args = ("search", "--estimator", "tabular", "--dataset", "cifar100", "--strategy", "random", "--trials", "15")
    first = run_cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    more = run_cli(*args[:-1], "25", cwd=tmp_path)
    assert more.returncode == 0, more.stderr[-3000:]
    (folder,) = (tmp_path / "runs").iterdir()
    indices = [json.loads(line)["index"] for line in (folder / "trials.jsonl").read_text().splitlines()]
    assert indices == list(range(25))                                # 15 replayed, 10 new, none repeated


def test_search_help_offers_the_panel_choices():
    text = cli.parser().format_help() + cli.parser()._subparsers._group_actions[0].choices["search"].format_help()
    for word in ("demo", "--estimator", "--dataset", "--strategy", "--trials", "--minutes", "--seed", "--epochs",
                 "--fraction", "--resolution", "evolution", "random"):
        assert word in text


def test_unknown_dataset_is_a_clear_error(tmp_path):
    done = run_cli("search", "--estimator", "tabular", "--dataset", "svhn", cwd=tmp_path)
    assert done.returncode != 0 and "svhn" in done.stderr and "cifar10" in done.stderr


def test_progress_plot_and_drawing():
    result = minas.search(trials=30, seed=3)
    png = viz.figure_png(viz.progress_figure(result.trials))
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    fig = viz.progress_figure(result.trials)
    line = [l for l in fig.axes[0].get_lines() if l.get_label() == "best so far"][0]
    assert list(line.get_ydata()) == list(result.trials.val_acc.cummax())
    svg = drawing.arch_svg(minas.spaces.CellSpace(), minas.spaces.CellSpace().parse(ARCH), "best")
    assert svg.startswith("<svg") and "nor_conv_1x1" in svg and "avg_pool_3x3" in svg and ">none<" not in svg


def test_drawing_falls_back_without_dot(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(drawing, "_warned", False)
    space = minas.spaces.CellSpace()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = drawing.arch_svg(space, space.parse(ARCH))
        drawing.arch_svg(space, space.parse(ARCH))
    assert first.startswith("<svg") and "skip_connect" in first and "nor_conv_3x3" in first
    assert sum("dot" in str(w.message) for w in caught) == 1       # said once, not on every drawing


def test_import_minas_stays_light():
    code = ("import sys, minas; heavy = [m for m in ('IPython', 'ipywidgets', 'matplotlib', 'seaborn', 'graphviz', "
            "'pandas', 'torchvision', 'mnist1d') if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_progress_bar_with_a_time_budget_closes_cleanly(capsys, caplog):
    from minas.progress import ProgressBar
    s = minas.Search(minas.spaces.CellSpace(), minas.strategies.RandomSearch(), minas.estimators.Tabular(),
                     trials=None, max_cost=20_000)
    bar = s.subscribe(ProgressBar())
    s.run()
    assert bar.bar.n == len(s.trials) and bar.bar.disable       # every trial ticked, then closed
    assert "failed" not in caplog.text                              # no listener error was swallowed
