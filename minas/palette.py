"""One colour and line style per strategy, the same in every plot, panel and notebook, so that evolution is
blue in notebook 04, in the comparison panel and in the capstone's scoreboard alike (colours that followed
the order of a list changed from plot to plot).

Names are matched loosely, as notebooks and panels write them: the registry's name (`"local"`), a longer
one (`"local search"`, `"regularized evolution"`, `"BANANAS"`), or a variant in brackets
(`"successive halving (3 to 10 epochs)"`). The student's own strategy (`"yours"`, `"your strategy"`) is
black and drawn heavier; any other name gets a colour of its own from a reserve, chosen by its spelling, so
it too keeps its colour everywhere. The colours are Okabe & Ito's, which colour-blind readers can tell
apart, with grey for the random-search baseline, drawn dashed."""
from __future__ import annotations

import re
import zlib

COLOURS = {"random": "#7f7f7f", "evolution": "#0072B2", "local": "#009E73", "bayesopt": "#CC79A7",
           "reinforce": "#8c564b", "successive_halving": "#E69F00", "hyperband": "#D55E00",
           "darts": "#56B4E9", "gdas": "#9467bd", "drnas": "#17becf", "enas": "#bcbd22", "yours": "#000000"}
LINESTYLES = {"random": "--", "hyperband": "-.", "yours": "-"}
RESERVE = ("#e377c2", "#1f3b73", "#6a3d9a", "#b15928", "#33a02c", "#fb9a99", "#a6761d", "#666600")
ALIASES = {"random search": "random", "regularized evolution": "evolution", "aging evolution": "evolution",
           "local search": "local", "bananas": "bayesopt", "bayesian optimization": "bayesopt",
           "successive halving": "successive_halving", "your strategy": "yours", "mine": "yours",
           "my strategy": "yours"}


def strategy_key(name: str) -> str:
    """The strategy a display name stands for (a key of COLOURS), or the name itself, lower-cased."""
    plain = re.sub(r"\s*\(.*\)\s*$", "", str(name)).strip().lower()
    spaced = plain.replace("_", " ").replace("-", " ")
    for candidate in (plain, spaced, spaced.replace(" ", "_")):
        if candidate in COLOURS:
            return candidate
    return ALIASES.get(spaced, plain)


def strategy_colour(name: str) -> str:
    """The colour of strategy `name` in every plot (a hex string)."""
    key = strategy_key(name)
    return COLOURS.get(key) or RESERVE[zlib.crc32(key.encode()) % len(RESERVE)]


def strategy_style(name: str) -> dict:
    """Matplotlib keywords for a line of strategy `name`: its colour, line style and width."""
    key = strategy_key(name)
    return {"color": strategy_colour(name), "linestyle": LINESTYLES.get(key, "-"),
            "linewidth": 2.6 if key == "yours" else 1.8}
