"""What the panels show, as plain strings: the status line, the progress label, the log, the leaderboard and the
trial table's rows, fitted SVG drawings and the static snapshot pages. No widgets and no threads here, so every
view can be tested and reused on its own."""
from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import Any

STATUS_COLOURS = {"ready": "#888", "preparing": "#d08c00", "running": "#1f77b4", "stopping": "#d08c00",
                  "pausing": "#d08c00", "paused": "#d08c00", "stepping": "#1f77b4", "finished": "#2ca02c",
                  "stopped": "#d08c00", "failed": "#d62728"}
SORTS = {"index": "trial, newest first", "val_acc": "val acc, best first", "cost": "cost, cheapest first",
         "params": "params, fewest first"}
TRIAL_COLUMNS = f"{'trial':>5}  {'val acc':>8}  {'cost':>8}  {'params':>8}  architecture"

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
.minas-mono, .minas-trial-table select { font-family: var(--jp-code-font-family, monospace); font-size: 11px; }
.minas-trial-head { white-space: pre; color: #555; }
.minas-log { font-family: var(--jp-code-font-family, monospace); font-size: 11px; line-height: 1.35; }
.minas-log div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.minas-log .fail, .minas-warning { color: #d62728; }
.minas-log .note { color: #8a6d00; }
.minas-warning { font-weight: bold; }
table.minas-stats { width: auto; }
table.minas-stats th { text-align: right; }
table.minas-stats th:first-child { text-align: left; }
.minas-measures table.minas-table td { white-space: normal; }
.minas-selected-details code { word-break: break-all; }
.minas-panel .minas-stale { opacity: 0.4; }
.minas-graph svg g.edge text { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
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


def fmt_seconds(s: float) -> str:
    """Seconds as people read them: 1.5 s, 1,234 s, 2.1 h."""
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    return f"{s:.1f} s" if s < 100 else f"{s:,.0f} s"


def fmt_params(p: Any) -> str:
    """A parameter count: 12,345 or 0.40 M; a dash when unknown."""
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
                    f'<td class="num">{t.val_acc:.2f} %</td><td class="num">{fmt_seconds(t.cost)}</td>'
                    f'<td class="num">{fmt_params(t.result.params)}</td>'
                    f'<td class="arch">{html.escape(str(t.arch))}</td></tr>')
    if not rows:
        rows.append('<tr><td colspan="6" class="minas-empty">no finished trial yet</td></tr>')
    failed = sum(not t.ok for t in trials)
    note = f'<div class="minas-help">{failed} failed trial(s) not listed</div>' if failed else ""
    return f'<table class="minas-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'


def status_html(state: str, *, done: int, total: int | None, elapsed: float | None, best: float | None,
                phase: str = "", error: str | None = None, device: str = "", setup: str = "",
                warning: str = "") -> str:
    """Two lines: what happens now (state, trials, time, best) and where (device, search set-up); no time
    before a search has started (`elapsed=None`)."""
    from minas.errors import shorten
    colour = STATUS_COLOURS.get(state, "#333")
    label = f"failed: {shorten(error, total=600)}" if state == "failed" and error else state
    parts = [f'<b style="color:{colour}">● {html.escape(label)}</b>']
    if phase:
        parts.append(html.escape(phase))
    parts.append(f"{done} / {total if total is not None else '∞'} trials")
    if elapsed is not None:
        parts.append(f"{elapsed:.1f} s")
    parts.append(f"best {best:.2f} %" if best is not None else "best –")
    sub = " · ".join(html.escape(s) for s in (device, setup) if s)
    if warning:
        sub = f'<span style="color:#d62728">{html.escape(warning)}</span> · ' + sub
    return (f'<div class="minas-status-line">{" · ".join(parts)}</div>'
            f'<div class="minas-status-sub">{sub or "&nbsp;"}</div>')


def warning_html(what: str, error: Any) -> str:
    """`what` failed and why, as a red line; the error's text escaped (it may quote user input) and shortened."""
    from minas.errors import shorten
    why = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    return f'<span class="minas-warning">{html.escape(what)}: {html.escape(shorten(why, total=600))}</span>'


def table_html(columns: list[str], rows: list[list[Any]], empty: str = "nothing yet") -> str:
    """A small table of results: the first column as text (a name), the others as right-aligned numbers."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr><td>" + html.escape(str(row[0])) + "</td>"
                   + "".join(f'<td class="num">{html.escape(str(c))}</td>' for c in row[1:]) + "</tr>" for row in rows)
    body = body or f'<tr><td colspan="{len(columns)}" class="minas-empty">{html.escape(empty)}</td></tr>'
    return f'<table class="minas-table minas-stats"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def running_phase(running: list) -> str:
    """What runs now, for the status line of a search with several workers: e.g. 'running trials 12, 14'."""
    if not running:
        return ""
    return f"running trial{'s' * (len(running) > 1)} " + ", ".join(str(t.index) for t in running)


def _row_label(t: Any) -> str:
    acc = f"{t.val_acc:.2f} %" if t.ok else "failed"
    cost = fmt_seconds(t.cost) if t.ok else "–"
    params = fmt_params(t.result.params) if t.ok else "–"
    # no-break spaces: a browser collapses runs of ordinary spaces in a <select>'s options
    return f"{t.index:>5}  {acc:>8}  {cost:>8}  {params:>8}  {t.arch}".replace(" ", "\u00a0")


def trial_rows(trials: list, sort: str = "index", limit: int = 500, running: list = ()) -> list[tuple[str, int]]:
    """The trial table's rows as (fixed-width label, trial index): the `running` trials first, then `trials`
    sorted by `sort` (a key of `SORTS`; failed trials last), at most `limit` of them so that a long search stays
    light to send."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")

    def params(t: Any) -> float:
        return t.result.params if t.ok and t.result.params is not None else math.inf

    keys = {"index": lambda t: -t.index, "val_acc": lambda t: (not t.ok, -t.val_acc, t.index),
            "cost": lambda t: (not t.ok, t.cost, t.index), "params": lambda t: (params(t), t.index)}
    now = [(f"{t.index:>5}  {'running':>8}  {'–':>8}  {'–':>8}  {t.arch}".replace(" ", "\u00a0"), t.index)
           for t in running]
    return (now + [(_row_label(t), t.index) for t in sorted(trials, key=keys[sort])])[:limit]


def trial_html(trial: Any) -> str:
    """One trial in two lines: its outcome and numbers, then its architecture string (easy to copy)."""
    if trial.ok:
        facts = (f"trial {trial.index} · {trial.val_acc:.2f} % · cost {fmt_seconds(trial.cost)} · "
                 f"{fmt_params(trial.result.params)} params")
    elif trial.error:
        facts = f"trial {trial.index} · failed: {trial.error}"
    else:
        facts = f"trial {trial.index} · running"
    return f'<div>{html.escape(facts)}</div><code class="minas-mono">{html.escape(str(trial.arch))}</code>'


def budget_progress(search: Any) -> tuple[float, str]:
    """How much of the search's budget is spent (0..1, the tightest of its trials, simulated cost and wall
    seconds) and a label with an estimate of the time left, from the seconds the trials so far took and the
    number of workers sharing what is left (and, with several, how many trials run now)."""
    spent = []
    if search.max_trials is not None:
        spent.append((len(search.trials) / search.max_trials, f"{len(search.trials)} / {search.max_trials} trials"))
    if search.max_cost is not None:
        spent.append((search.spent_cost / search.max_cost,
                      f"simulated cost {search.spent_cost:,.0f} / {search.max_cost:,.0f} s"))
    if search.max_seconds is not None:
        spent.append((search.spent_seconds / search.max_seconds,
                      f"trial time {search.spent_seconds:,.0f} / {search.max_seconds:,.0f} s"))
    fraction, label = max(spent, key=lambda s: s[0])
    fraction = min(1.0, fraction)
    if fraction >= 1.0:
        eta = "budget spent"
    elif fraction <= 0.0:
        eta = "time left known after the first trial"
    else:                                       # N workers spend the trial seconds N at a time
        eta = f"about {fmt_seconds(search.spent_seconds * (1 - fraction) / fraction / search.workers)} left"
    running = f" · {len(search.running)} running" if search.workers > 1 else ""
    return fraction, f"{label}{running} · {fraction:.0%} · {eta}"


def log_line(event: Any) -> tuple[str, str] | None:
    """One readable line, with its class ("ok", "fail" or "note"), for an event worth reading: a finished or
    failed trial, a supernet epoch, the search starting, pausing, resuming and ending. None for the others."""
    kind, t, data = event.kind, event.trial, event.data
    done = len(event.search.trials) if event.search is not None else 0
    if kind == "trial_finished":
        replayed = " (replayed)" if data.get("replayed") else ""
        if t.ok:
            return "ok", f"trial {t.index}{replayed}: {t.val_acc:.2f} % · cost {fmt_seconds(t.cost)} · {t.arch}"
        return "fail", f"trial {t.index}{replayed} failed: {t.error} · {t.arch}"
    if kind == "epoch_finished" and "alphas" in data:
        return "note", (f"supernet epoch {data['epoch']}/{data['epochs']}: train loss {data['train_loss']:.3f} · "
                        f"derived {data['derived']}")
    if kind == "search_finished":
        best = event.search.best
        found = f"best {best.val_acc:.2f} % (trial {best.index})" if best else "no successful trial"
        return "note", f"finished: {done} trials, {found}"
    if kind == "search_failed":
        return "fail", f"search failed: {data.get('error')}"
    if kind == "trial_interrupted" and t is not None:
        return "note", f"trial {t.index} interrupted by Stop: not recorded, evaluated first when the search goes on"
    notes = {"search_started": "search started", "search_paused": f"paused after {done} trials",
             "search_resumed": "resumed", "search_stopped": f"stopped after {done} trials"}
    return ("note", notes[kind]) if kind in notes else None


def log_html(lines: Any) -> str:
    """Log lines (time, class, text), newest first, so the latest is in view without scrolling."""
    rows = [f'<div class="{cls}">{html.escape(when)} {html.escape(text)}</div>' for when, cls, text in reversed(lines)]
    return f'<div class="minas-log">{"".join(rows) or "<div class=minas-empty>nothing yet</div>"}</div>'


def png_html(png: bytes, alt: str) -> str:
    """An <img> with the PNG inline (base64), or a placeholder when there is no image yet."""
    if not png:
        return f'<div class="minas-empty">no {html.escape(alt)} yet</div>'
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(bytes(png)).decode()}">'


def snapshot_page(title: str, body: str) -> str:
    """A self-contained HTML page (the panels' CSS inline) around `body`; it needs no kernel to show."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body {{ margin: 16px; }} {CSS}
.row {{ display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; }}
.graphs {{ display: flex; flex-direction: column; gap: 8px; width: 440px; }}
.graphs .minas-box {{ height: 166px; }}
</style></head>
<body class="minas-panel"><h2>{html.escape(title)}</h2>
{body}
</body></html>
"""


def write_snapshot(path: str | Path, title: str, body: str) -> Path:
    """Write `snapshot_page(title, body)` to `path` and return the path."""
    path = Path(path)
    path.write_text(snapshot_page(title, body), encoding="utf-8")
    return path


def snapshot_body(*, status: str, progress: str, png: bytes, latest_svg: str, best_svg: str, leaderboard: str,
                  selected_svg: str, selected: str, log: str) -> str:
    """The search panel as static HTML: status, progress, plot, drawings, leaderboard, selected trial, log."""
    return f"""<div class="minas-status">{status}</div>
<div class="minas-progress">{progress}</div>
<div class="row"><div class="minas-box minas-plot">{png_html(png, "search progress")}</div>
<div class="graphs"><div class="minas-box minas-latest">{latest_svg}</div>
<div class="minas-box minas-best">{best_svg}</div></div></div>
<div class="minas-leaderboard">{leaderboard}</div>
<div class="row"><div class="graphs"><div class="minas-box minas-selected">{selected_svg}</div>
<div class="minas-selected-details">{selected}</div></div></div>
<div class="minas-box">{log}</div>"""
