"""Plotly figures for ventures: query results in, figures out. Pages repeat the numbers
in a table."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from intrapreneur.core.charts import styled
from intrapreneur.experiments.labels import DECISION_LABELS
from intrapreneur.experiments.models import Decision
from intrapreneur.experiments.queries import LineageRow

# Shape as well as colour, so a decision never depends on colour alone.
DECISION_MARKERS = {
    Decision.PERSEVERE: ("circle", "#2e7d32"),
    Decision.PIVOT: ("diamond", "#1565c0"),
    Decision.KILL: ("x", "#c62828"),
    Decision.TEST_AGAIN: ("triangle-up", "#ef6c00"),
    None: ("circle-open", "#607080"),
}
ROW_HEIGHT_PX = 28


def lineage_tree(rows: list[LineageRow]) -> go.Figure:
    """The tree as the page lists it: generation across, one row per experiment down,
    a line from each parent to its children, the marker saying the decision (titles, axis
    and legend in the reader's language)."""
    where = {row.experiment.id: (row.generation, -position) for position, row in enumerate(rows)}
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for row in rows:
        parent = where.get(row.experiment.parent_id or -1)
        if parent is not None:
            x, y = where[row.experiment.id]
            edge_x += [parent[0], parent[0], x, None]
            edge_y += [parent[1], y, y, None]
    figure = go.Figure(
        go.Scatter(
            x=edge_x,
            y=edge_y,
            mode="lines",
            line={"color": "#b0bac8"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for decision, (symbol, colour) in DECISION_MARKERS.items():
        chosen = [row for row in rows if row.experiment.decision is decision]
        if chosen:
            figure.add_trace(_markers(chosen, where, decision, symbol, colour))
    deepest = max((row.generation for row in rows), default=0)
    # Room left of the first generation for its markers, right of the last for its titles.
    generations = list(range(deepest + 1))
    figure.update_xaxes(
        title=_("Generation"),
        range=[-0.3, deepest + 1.5],
        tickvals=generations,
        ticktext=[str(g + 1) for g in generations],  # counted from 1, as in the table
    )
    figure.update_yaxes(visible=False, range=[-len(rows) + 0.5, 0.5])
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.2})
    styled(figure, _("Experiments and what grew out of them"))
    return figure.update_layout(height=max(320, 120 + ROW_HEIGHT_PX * len(rows)))


def _markers(
    rows: list[LineageRow],
    where: dict[int, tuple[int, int]],
    decision: Decision | None,
    symbol: str,
    colour: str,
) -> go.Scatter:
    label = str(DECISION_LABELS[decision]) if decision else _("not decided yet")
    return go.Scatter(
        x=[where[row.experiment.id][0] for row in rows],
        y=[where[row.experiment.id][1] for row in rows],
        mode="markers+text",
        name=label.capitalize(),
        marker={"symbol": symbol, "color": colour, "size": 12},
        text=[row.experiment.title[:40] for row in rows],
        textposition="middle right",
        hovertemplate="%{text}<extra>" + label + "</extra>",
    )
