"""`DartsMonitor`: watch a one-shot strategy (DARTS and its kin) learn — its architecture weights per decision
(for a cell, per edge) and option over the epochs as heatmaps, the architecture derived from them redrawn each
epoch (a slider and a Play button scrub back through the epochs), and, in a space with skip connections, a
warning when they take the cell over (Zela et al., ICLR 2020).

It listens to the strategy's events: each supernet epoch, an `epoch_finished` event whose data hold `epoch`,
`epochs`, `alphas` ({decision: {option: weight}}, softmaxed per decision: for a cell {"j->i": {op: weight}},
for a chain {"k1.2": {"3": ..., "5": ..., "7": ...}, ...}), `derived` (the architecture's string) and
`train_loss`. Training's own per-epoch events carry no `alphas` and are ignored."""
from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as W

from minas.analysis import dominant_ops, op_share
from minas.spaces import CellSpace
from minas.viz import EDGE

from . import views
from .panel import Panel, classed, frame, held
from .redraw import Redrawer


def space_for(alphas: dict[str, dict[str, float]]) -> CellSpace | None:
    """The cell space the architecture weights describe (their ops, and the nodes their edges join), or None
    when they are not a cell's (then only the search's space, or `space=`, can read the derived strings)."""
    if not alphas or not all(EDGE.match(name) for name in alphas):
        return None
    ops = tuple(next(iter(alphas.values())))
    nodes = 2
    while nodes * (nodes - 1) // 2 < len(alphas):
        nodes += 1
    return CellSpace(ops, nodes)


def skip_decisions(alphas: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The decisions that can take a skip connection (a cell's every edge; none of a chain's)."""
    return {name: row for name, row in alphas.items() if "skip_connect" in row}


def nouns(alphas: dict[str, dict[str, float]]) -> tuple[str, str]:
    """What the weights choose and what they make: ("edges", "cell") for a cell, else ("decisions",
    "architecture")."""
    return ("edges", "cell") if space_for(alphas) is not None else ("decisions", "architecture")


class DartsMonitor(Panel):
    """`DartsMonitor(source)`: `source` is a `Search` or a `SearchPanel` (or anything with `subscribe`); or
    pass none and subscribe the monitor yourself (`search.subscribe(monitor)`), or call `monitor(event)`.
    `space` parses the derived architectures (default: the search's space; a cell's is also read from the
    weights); `skip_share` is the fraction of the decisions that offer skip_connect (a cell's edges) on which
    it must be the strongest option for the warning. A space without skip connections gets no warning."""

    title = "minas DARTS monitor"

    def __init__(self, source: Any = None, *, space: Any = None, skip_share: float = 0.5, redraw_hz: float = 2.0):
        self.space, self.skip_share = space, skip_share
        self.history: list[dict[str, Any]] = []      # one entry per supernet epoch, as the events brought them
        self._svgs: dict[int, str] = {}
        self._space: Any = space
        self._lock = threading.Lock()
        L = W.Layout
        self.status = W.HTML("waiting for the first supernet epoch")
        self.warning = W.HTML()
        self.heatmap = W.Image(format="png", layout=L(width="900px", max_width="100%"))
        self.epoch = W.IntSlider(value=1, min=1, max=1, description="epoch", disabled=True, continuous_update=True,
                                 layout=L(width="420px"))
        self.play = W.Play(value=1, min=1, max=1, interval=700, disabled=True, description="play")
        W.jslink((self.play, "value"), (self.epoch, "value"))
        self.drawing = W.HTML(views.fit_svg("", "no derived architecture yet"), layout=L(width="520px", height="200px"))
        self.caption = W.HTML()
        classed((self.status, "minas-status"), (self.warning, "minas-warning"), (self.heatmap, "minas-heatmap"),
                (self.epoch, "minas-epoch"), (self.play, "minas-play"), (self.drawing, "minas-derived"),
                (self.drawing, "minas-box"), (self.caption, "minas-derived-caption"))
        self.widget = frame(self.status, self.warning, self.heatmap, W.HBox([self.play, self.epoch]),
                            self.drawing, self.caption, cls="minas-darts")
        self._redrawer = Redrawer(self._draw_heatmap, 1.0 / redraw_hz, name="minas-darts-redraw")
        self.epoch.observe(lambda change: self._show_epoch(change["new"]), names="value")
        self.refresh()
        if source is not None:
            source.subscribe(self)

    def __call__(self, event: Any) -> None:
        """A search's listener: `search.subscribe(monitor)`."""
        self.on_event(event)

    def on_event(self, event: Any) -> None:
        """Take a supernet epoch in; a new search starts afresh. Light work here, heatmaps in a redraw thread."""
        try:
            if event.kind == "search_started":
                self.reset()
            if event.kind != "epoch_finished" or "alphas" not in event.data:
                return
            data = event.data
            if not self.history:
                self._space = self.space or getattr(event.search, "space", None) or space_for(data["alphas"])
            with self._lock:
                follow = not self.history or self.epoch.value == len(self.history)
                self.history.append({key: data.get(key) for key in ("epoch", "epochs", "alphas", "derived",
                                                                    "train_loss")})
                n = len(self.history)
            with held(self.epoch, self.play):
                self.epoch.max = self.play.max = n
                self.epoch.disabled = self.play.disabled = False
            if follow:                                   # the user has not scrubbed back: show the newest
                if self.epoch.value == n:
                    self._show_epoch(n)
                else:
                    self.epoch.value = n
            self._show_status()
            self._redrawer.poke()
        except Exception as e:                          # a view must never print or break the search
            self.warning.value = f"monitor: {type(e).__name__}: {html.escape(str(e))}"

    def reset(self) -> None:
        """Forget every epoch (a new search begins)."""
        with self._lock:
            self.history, self._svgs, self._space = [], {}, self.space
        with held(self.epoch, self.play, self.drawing, self.caption, self.status, self.warning):
            self.epoch.value = self.play.value = 1
            self.epoch.max = self.play.max = 1
            self.epoch.disabled = self.play.disabled = True
            self.drawing.value, self.caption.value = views.fit_svg("", "no derived architecture yet"), ""
            self.status.value, self.warning.value = "waiting for the first supernet epoch", ""
        self._redrawer.poke()

    def refresh(self) -> None:
        """Redraw the heatmaps now, in this thread (tests, headless notebooks)."""
        self._redrawer.poke()
        self._redrawer.flush()

    @property
    def skip_warning(self) -> bool:
        """True when skip_connect is the strongest op on at least `skip_share` of the edges, now."""
        return bool(self.history) and self._skipping(self.history[-1]["alphas"])

    def _skipping(self, alphas: dict[str, dict[str, float]]) -> bool:
        skips = skip_decisions(alphas)
        return bool(skips) and op_share(skips) >= self.skip_share

    def snapshot_body(self) -> str:
        return (f'<div class="minas-status">{self.status.value}</div><div class="minas-warning">{self.warning.value}'
                f'</div><div class="minas-box minas-heatmap">{views.png_html(self.heatmap.value, "heatmap")}</div>'
                f'<div class="graphs"><div class="minas-box minas-derived" style="width:520px;height:200px">'
                f'{self.drawing.value}</div></div><div class="minas-derived-caption">{self.caption.value}</div>')

    # --- views ----------------------------------------------------------------------------------
    def _show_epoch(self, k: int) -> None:
        """The architecture derived at the k-th epoch received (1-based), drawn once and kept."""
        from minas.drawing import arch_svg
        if not 1 <= k <= len(self.history):
            return
        entry = self.history[k - 1]
        decisions, made = nouns(entry["alphas"])
        try:
            if self._space is None:
                raise ValueError("no search space to read it with: give the monitor one (DartsMonitor(space=...))")
            if k not in self._svgs:
                title = f"epoch {entry['epoch']}/{entry['epochs']}: derived {made}"
                self._svgs[k] = views.fit_svg(arch_svg(self._space, self._space.parse(entry["derived"]), title))
            svg = self._svgs[k]
        except Exception as e:                          # e.g. ops a cell space cannot build: say so
            svg = views.fit_svg("", f"cannot draw {entry['derived']}: {type(e).__name__}: {e}")
        skips = skip_decisions(entry["alphas"])
        if skips:
            tops = dominant_ops(skips)
            count = sum(op == "skip_connect" for op in tops.values())
            facts = f"skip_connect is the strongest op on {count} of {len(tops)} {decisions}"
        else:
            facts = f"the strongest option of each of {len(entry['alphas'])} {decisions}"
        caption = (f'<code class="minas-mono">{html.escape(str(entry["derived"]))}</code><br>'
                   f"epoch {entry['epoch']}: {facts}")
        with held(self.drawing, self.caption):
            self.drawing.value, self.caption.value = svg, caption

    def _show_status(self) -> None:
        last = self.history[-1]
        decisions, _ = nouns(last["alphas"])
        skips = skip_decisions(last["alphas"])
        share = op_share(skips)
        loss = f" · train loss {last['train_loss']:.3f}" if last["train_loss"] is not None else ""
        status = (f"supernet epoch <b>{last['epoch']}/{last['epochs']}</b>{loss} · "
                  + (f"skip_connect strongest on {share:.0%} of the {decisions}" if skips else
                     f"weights over {len(last['alphas'])} {decisions}"))
        warning = ""
        if self._skipping(last["alphas"]):
            since = next(h["epoch"] for h in self.history if self._skipping(h["alphas"]))
            warning = (f"⚠ skip connections are taking over the cell: skip_connect is the strongest op on "
                       f"{share:.0%} of the edges (since epoch {since}). DARTS tends to collapse into parameter-free "
                       f"cells when trained long; stop early or regularise (RobustDARTS, DARTS-).")
        with held(self.status, self.warning):
            self.status.value, self.warning.value = status, html.escape(warning)

    def _draw_heatmap(self) -> None:
        from minas.viz import alphas_figure, figure_png
        try:
            history = list(self.history)
            self.heatmap.value = figure_png(alphas_figure([h["alphas"] for h in history],
                                                          [h["epoch"] for h in history]))
        except Exception as e:                          # shown, never printed
            self.warning.value = f"heatmap failed: {type(e).__name__}: {html.escape(str(e))}"
