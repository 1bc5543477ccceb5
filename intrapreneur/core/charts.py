"""What every Plotly figure shares: the house style, and safe embedding under the CSP.

Figures travel as JSON inside ``<script type="application/json">`` (data, not
code, so the CSP allows it); ``static/js/charts.js`` draws them.
"""

from __future__ import annotations

import plotly.graph_objects as go
from markupsafe import Markup

# Plotly's "plotly_white" look in a few settings: naming the template would deep-copy all of
# it into every figure (most of a chart's build time) and send it with every figure's JSON.
# Automargin: long category names (the heat map's dimensions) get room instead of being cut.
GRID = {
    "gridcolor": "#ebf0f8",
    "zerolinecolor": "#ebf0f8",
    "linecolor": "#ebf0f8",
    "automargin": True,
}
# Colour is never the only thing telling series apart: each also gets its own bar pattern, or
# line dash and marker shape, unless its chart chose one.
PATTERNS = ("", "/", ".", "x", "\\", "+")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star")


def styled(figure: go.Figure, title: str) -> go.Figure:
    _tell_apart(figure)
    return figure.update_layout(
        title=title,
        template=None,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=GRID,
        yaxis=GRID,
        height=380,
        margin={"l": 50, "r": 20, "t": 70, "b": 50},
        font={"family": "system-ui, sans-serif"},
    )


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
    text = figure.to_json()
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escape)
    return Markup(text)  # noqa: S704 (escaped above for the script-data context)  # nosec B704
