"""Plotly figures for HR's Hack figures (the page shows the same numbers in a table)."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from intrapreneur.core.charts import styled
from intrapreneur.learning.hacks.queries import TagDemand


def tag_demand(rows: list[TagDemand]) -> go.Figure:
    """Requests naming each expertise, with how many of them were accepted."""
    names = [row.name for row in rows]
    figure = go.Figure(
        [
            go.Bar(x=names, y=[row.requests for row in rows], name=_("Requests")),
            go.Bar(x=names, y=[row.accepted for row in rows], name=_("Accepted")),
        ]
    )
    figure.update_xaxes(type="category", title=_("Expertise"))
    figure.update_yaxes(title=_("Hack requests"), rangemode="tozero")
    return styled(figure, _("How often each expertise is asked for"))
