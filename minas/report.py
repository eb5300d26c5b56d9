"""A static HTML report of a search: best cell drawn, progress plot, leaderboard, how to reproduce.
It needs no kernel and no network: images are embedded, so the file can be mailed or archived."""
from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from . import drawing, viz

STYLE = """body{font-family:Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}
td:last-child,th:last-child{text-align:left;font-family:monospace;word-break:break-all}code,pre{background:#f4f4f4;padding:2px 4px}
.facts td{text-align:left}.facts td:first-child{color:#666}"""


def leaderboard(trials: Any, top: int = 10):
    """The `top` successful trials, best first, with the columns a reader compares."""
    ok = trials[trials.status == "ok"].sort_values("val_acc", ascending=False).head(top)
    table = ok[["index", "val_acc", "test_acc", "cost", "params", "arch"]].copy()
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.rename(columns={"index": "trial", "val_acc": "val acc %", "test_acc": "test acc %", "cost": "cost s"})


def write_report(search, path: str | Path, *, command: str = "", final: Any = None) -> Path:
    """Write `path` (an .html file) for a finished `search`; `final` is the best cell's full training."""
    result = search.result()
    best = result.best
    facts = {"search space": repr(search.space), "strategy": repr(search.strategy),
             "estimator": search.estimator.describe(), "workers": search.describe_workers(),
             "seed": search.seed, "status": result.status,
             "trials": f"{len(result.trials)} ({int((result.trials.status != 'ok').sum())} failed)",
             "search time": f"{search.spent_seconds:.0f} s of trials in all (on {search.workers} worker"
                            f"{'s' * (search.workers > 1)}), {search.spent_cost:.0f} s simulated cost",
             "run folder": search.run_dir or "(none)"}
    if best is not None:
        facts["best architecture"] = f"{best.arch}  (trial {best.index}, val acc {best.val_acc:.2f} %)"
    if final is not None:
        facts["final training of the best"] = (f"val acc {final.val_acc:.2f} %, test acc {final.test_acc:.2f} %, "
                                               f"{len(final.curve)} epochs, {final.cost:.0f} s")
    png = base64.b64encode(viz.figure_png(viz.progress_figure(result.trials))).decode()
    parts = [f"<!doctype html><meta charset='utf-8'><title>minas report</title><style>{STYLE}</style>",
             "<h1>minas search report</h1><table class='facts'>",
             *(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in facts.items()),
             "</table>"]
    if best is not None:
        parts += ["<h2>Best architecture</h2>", drawing.arch_svg(search.space, best.arch, f"best: {best.val_acc:.2f} %")]
    parts += ["<h2>Progress</h2>", f"<img alt='search progress' src='data:image/png;base64,{png}'>",
              "<h2>Leaderboard</h2>", leaderboard(result.trials).to_html(index=False, float_format="%.2f", na_rep="")]
    if command:
        parts += ["<h2>Reproduce</h2><p>The same command resumes this run from its folder, or repeats it exactly "
                  "in a fresh one:</p>", f"<pre>{html.escape(command)}</pre>"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts))
    return path
