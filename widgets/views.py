"""What the search panel shows, as plain strings: the status line, the leaderboard, fitted SVG drawings and
the static snapshot page. No widgets and no threads here, so every view can be tested and reused on its own."""
from __future__ import annotations

import base64
import html
import math
import re
from typing import Any

STATUS_COLOURS = {"ready": "#888", "preparing": "#d08c00", "running": "#1f77b4", "stopping": "#d08c00",
                  "paused": "#d08c00", "finished": "#2ca02c", "stopped": "#d08c00", "failed": "#d62728"}

CSS = """
.minas-panel { font-family: var(--jp-ui-font-family, Helvetica, Arial, sans-serif); }
.minas-panel .widget-html-content { line-height: 1.4; }
.minas-panel .minas-box { border: 1px solid #ddd; border-radius: 4px; background: #fff; overflow: hidden; }
.minas-panel .minas-help { color: #666; font-size: 12px; }
.minas-panel .minas-status { line-height: 1.45; }
.minas-status-line { font-size: 14px; }
.minas-status-sub { color: #666; font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.minas-graph { height: 100%; display: flex; align-items: center; justify-content: center; }
.minas-graph svg { width: 100%; height: 100%; }
.minas-empty { color: #999; font-size: 13px; }
table.minas-table { border-collapse: collapse; font-size: 12px; width: 100%; }
table.minas-table th { text-align: left; border-bottom: 2px solid #ccc; padding: 3px 8px; background: #f6f6f6;
                       position: sticky; top: 0; }
table.minas-table td { border-bottom: 1px solid #eee; padding: 2px 8px; white-space: nowrap; }
table.minas-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.minas-table td.arch { font-family: var(--jp-code-font-family, monospace); font-size: 11px; color: #333; }
table.minas-table tr.best td { background: #eaf6ea; font-weight: bold; }
"""


def fit_svg(svg: str, empty: str = "no trial yet") -> str:
    """An SVG that scales to its box (aspect kept): graphviz writes a fixed size in points, which would
    overflow a fixed-height widget. Without a prolog (env-recipe P13)."""
    if not svg:
        return f'<div class="minas-graph minas-empty">{html.escape(empty)}</div>'
    svg = svg[svg.index("<svg"):]
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return f'<div class="minas-graph">{head} preserveAspectRatio="xMidYMid meet">{rest}</div>'


def _fmt_seconds(s: float) -> str:
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    return f"{s:.1f} s" if s < 100 else f"{s:,.0f} s"


def _fmt_params(p: Any) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return f"{p / 1e6:.2f} M" if p >= 100_000 else f"{int(p):,}"


def leaderboard_html(trials: list, top: int = 10) -> str:
    """The `top` successful trials by validation accuracy: rank, trial, val acc, cost, params, architecture."""
    ok = sorted((t for t in trials if t.ok and not math.isnan(t.val_acc)), key=lambda t: (-t.val_acc, t.index))[:top]
    head = "".join(f"<th>{h}</th>" for h in ("rank", "trial", "val acc", "cost", "params", "architecture"))
    rows = []
    for rank, t in enumerate(ok, start=1):
        rows.append(f'<tr{" class=best" if rank == 1 else ""}><td class="num">{rank}</td><td class="num">{t.index}</td>'
                    f'<td class="num">{t.val_acc:.2f} %</td><td class="num">{_fmt_seconds(t.cost)}</td>'
                    f'<td class="num">{_fmt_params(t.result.params)}</td>'
                    f'<td class="arch">{html.escape(str(t.arch))}</td></tr>')
    if not rows:
        rows.append('<tr><td colspan="6" class="minas-empty">no finished trial yet</td></tr>')
    failed = sum(not t.ok for t in trials)
    note = f'<div class="minas-help">{failed} failed trial(s) not listed</div>' if failed else ""
    return f'<table class="minas-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'


def status_html(state: str, *, done: int, total: int | None, elapsed: float, best: float | None,
                phase: str = "", error: str | None = None, device: str = "", setup: str = "",
                warning: str = "") -> str:
    """Two lines: what happens now (state, trials, time, best) and where (device, search set-up)."""
    colour = STATUS_COLOURS.get(state, "#333")
    label = f"failed: {error}" if state == "failed" and error else state
    parts = [f'<b style="color:{colour}">● {html.escape(label)}</b>']
    if phase:
        parts.append(html.escape(phase))
    parts.append(f"{done} / {total if total is not None else '∞'} trials")
    parts.append(f"{elapsed:.1f} s")
    parts.append(f"best {best:.2f} %" if best is not None else "best –")
    sub = " · ".join(html.escape(s) for s in (device, setup) if s)
    if warning:
        sub = f'<span style="color:#d62728">{html.escape(warning)}</span> · ' + sub
    return (f'<div class="minas-status-line">{" · ".join(parts)}</div>'
            f'<div class="minas-status-sub">{sub or "&nbsp;"}</div>')


def snapshot_html(*, status: str, png: bytes, latest_svg: str, best_svg: str, leaderboard: str,
                  title: str = "minas search") -> str:
    """A self-contained page (PNG embedded as base64, SVG inline) that shows the panel without a kernel."""
    img = (f'<img alt="search progress" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
           if png else '<div class="minas-empty">no plot</div>')
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body {{ margin: 16px; }} {CSS}
.row {{ display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; }}
.graphs {{ display: flex; flex-direction: column; gap: 8px; width: 440px; }}
.graphs .minas-box {{ height: 166px; }}
</style></head>
<body class="minas-panel"><h2>{html.escape(title)}</h2>
<div class="minas-status">{status}</div>
<div class="row"><div class="minas-box minas-plot">{img}</div>
<div class="graphs"><div class="minas-box minas-latest">{latest_svg}</div>
<div class="minas-box minas-best">{best_svg}</div></div></div>
<div class="minas-leaderboard">{leaderboard}</div>
</body></html>
"""
