"""Plotly figures for the culture dashboards, built from suppressed figures only: a hidden
cell is a gap in the chart (and says why in its table), never a zero."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from intrapreneur.core.charts import styled

# Scores sit on the instrument's scale; the axes show all of it so small gaps look small.
HEAT_COLOURS = "RdYlBu"


def heatmap(
    dimensions: list[str],
    departments: list[str],
    means: list[list[float | None]],
    scale: tuple[int, int],
) -> go.Figure:
    """Mean score per dimension (rows) and department (columns); None is a hidden cell."""
    low, high = scale
    figure = go.Figure(
        go.Heatmap(
            z=means,
            x=departments,
            y=dimensions,
            zmin=low,
            zmax=high,
            colorscale=HEAT_COLOURS,
            # Gaps between cells keep plotly.js off its "fast" drawing, which scales a tiny
            # image up with an inline style the CSP refuses: the cells would blur together,
            # hidden ones tinted by their neighbours.
            xgap=2,
            ygap=2,
            hoverongaps=False,
            hovertemplate=_("%(dimension)s in %(department)s: %(mean)s")
            % {"dimension": "%{y}", "department": "%{x}", "mean": "%{z:.2f}"}
            + "<extra></extra>",
            texttemplate="%{z:.2f}",  # each cell says its mean: colour is never all it has
            colorbar={"title": _("Mean")},
        )
    )
    figure.update_xaxes(title=_("Department"))
    figure.update_yaxes(autorange="reversed")  # dimensions top to bottom, as the table lists them
    return styled(figure, _("Mean score by dimension and department")).update_layout(
        height=max(380, 90 + 40 * len(dimensions))
    )


def trend(
    waves: list[str], series: dict[str, list[float | None]], dimension: str, scale: tuple[int, int]
) -> go.Figure:
    """One dimension's mean over the waves, one line per group (a gap where hidden)."""
    figure = go.Figure(
        [
            go.Scatter(x=waves, y=values, mode="lines+markers", name=name, connectgaps=False)
            for name, values in series.items()
        ]
    )
    figure.update_yaxes(range=list(scale), title=_("Mean score"))
    figure.update_xaxes(title=_("Wave"), type="category")
    figure.update_layout(legend={"orientation": "h", "y": -0.25})
    return styled(figure, _("%(dimension)s over the waves", dimension=dimension))


def groups_side_by_side(
    dimensions: list[str], series: dict[str, list[float | None]], scale: tuple[int, int]
) -> go.Figure:
    """Each dimension's mean for participants and the comparison group in one wave."""
    figure = go.Figure(
        [go.Bar(x=dimensions, y=values, name=name) for name, values in series.items()]
    )
    figure.update_yaxes(range=list(scale), title=_("Mean score"))
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.25})
    return styled(figure, _("Participants and comparison group"))


def distribution(bands: list[str], respondents: list[int], dimension: str) -> go.Figure:
    """How many respondents scored in each band (half points, adjacent ones merged until
    each holds at least k people)."""
    figure = go.Figure(go.Bar(x=bands, y=respondents, name=_("Respondents")))
    figure.update_xaxes(title=_("Score (nearest half point)"), type="category")
    figure.update_yaxes(title=_("Respondents"), rangemode="tozero")
    return styled(figure, _("Distribution of %(dimension)s", dimension=dimension))


def experiments_per_month(months: list[str], started: list[int], decided: list[int]) -> go.Figure:
    figure = go.Figure(
        [
            go.Bar(x=months, y=started, name=_("Started")),
            go.Bar(x=months, y=decided, name=_("Decided")),
        ]
    )
    figure.update_xaxes(type="category", title=_("Month"))
    figure.update_yaxes(title=_("Experiments"), rangemode="tozero")
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.25})
    return styled(figure, _("Experiments started and decided per month"))
