"""The library's chart: decisions per riskiest assumption, the numbers of its table."""

from __future__ import annotations

import plotly.graph_objects as go
from flask_babel import gettext as _

from intrapreneur.core.charts import styled
from intrapreneur.experiments.charts import DECISION_MARKERS
from intrapreneur.experiments.labels import ASSUMPTION_LABELS, DECISION_LABELS
from intrapreneur.experiments.library.queries import GroupCounts
from intrapreneur.experiments.models import Assumption, Decision


def decisions_by_assumption(counts: GroupCounts) -> go.Figure:
    """Stacked bars, one per riskiest assumption, one segment per decision (each with the
    colour the lineage gives it, and its own pattern)."""
    assumptions = list(Assumption)
    names = [str(ASSUMPTION_LABELS[a]) for a in assumptions]
    figure = go.Figure(
        [
            go.Bar(
                name=str(DECISION_LABELS[decision]).capitalize(),
                x=names,
                y=[counts[(assumption, decision)] for assumption in assumptions],
                marker={"color": DECISION_MARKERS[decision][1]},
            )
            for decision in Decision
        ]
    )
    figure.update_layout(
        barmode="stack", legend={"orientation": "h", "y": -0.2, "traceorder": "normal"}
    )
    figure.update_yaxes(title=_("Decided experiments"), rangemode="tozero")
    return styled(figure, _("Decisions per riskiest assumption"))
