"""What every Plotly figure shares: the house style, and safe embedding under the CSP.

Figures travel as JSON inside ``<script type="application/json">`` (data, not
code, so the CSP allows it); ``static/js/charts.js`` draws them.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

# No Plotly template: HOUSE_LAYOUT is the whole look. Plotly deep-copies its default template
# into every figure it builds and sends it with every figure's JSON (most of a chart's build
# time), so it is off for the process, whose only Plotly user is this app.
pio.templates.default = None

# Plotly's "plotly_white" look in a few settings. Automargin: long category names (the heat
# map's dimensions) get room instead of being cut.
GRID = {
    "gridcolor": "#ebf0f8",
    "zerolinecolor": "#ebf0f8",
    "linecolor": "#ebf0f8",
    "automargin": True,
}
# Added as plain data when a figure is embedded, under what its chart chose: Plotly checks
# every property set on a figure, and checking these on every figure of a page cost more than
# building the charts themselves. tests/core/test_charts.py checks them once.
HOUSE_LAYOUT: dict[str, Any] = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "xaxis": GRID,
    "yaxis": GRID,
    "height": 380,
    "margin": {"l": 50, "r": 20, "t": 70, "b": 50},
    "font": {"family": "system-ui, sans-serif"},
}
# Colour is never the only thing telling series apart: each also gets its own bar pattern, or
# line dash and marker shape, unless its chart chose one.
PATTERNS = ("", "/", ".", "x", "\\", "+")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star")


def styled(figure: go.Figure, title: str) -> go.Figure:
    """Title the figure and tell its series apart; ``embeddable`` adds the house layout."""
    _tell_apart(figure)
    return figure.update_layout(title=title)


def _tell_apart(figure: go.Figure) -> None:
    for number, trace in enumerate(figure.data):
        if trace.type == "bar" and trace.marker.pattern.shape is None:
            trace.marker.pattern.shape = PATTERNS[number % len(PATTERNS)]
        elif trace.type == "scatter":
            mode = trace.mode or "lines+markers"  # Plotly's choice for short series
            if "lines" in mode and trace.line.dash is None:
                trace.line.dash = DASHES[number % len(DASHES)]
            if "markers" in mode and trace.marker.symbol is None:
                trace.marker.symbol = SYMBOLS[number % len(SYMBOLS)]


def embeddable(figure: go.Figure) -> Markup:
    """The figure as JSON that is safe inside ``<script type="application/json">``: escaping
    ``<``, ``>`` and ``&`` keeps a set named ``</script>…`` from ending the block."""
    plotted = figure.to_plotly_json()
    plotted["layout"] = under(HOUSE_LAYOUT, plotted["layout"])
    text = pio.to_json(plotted, validate=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escape)
    return Markup(text)  # noqa: S704 (escaped above for the script-data context)  # nosec B704


def under(house: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """``own`` laid over ``house``: nested settings merge, and the chart's own value wins."""
    merged = dict(house)
    for key, value in own.items():
        below = merged.get(key)
        merged[key] = (
            under(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
        )
    return merged
