"""The portfolio's figures: Plotly for the page (each followed by a table with its numbers),
and plain SVG bars for the PDF, which WeasyPrint draws without any JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
from flask_babel import gettext as _
from markupsafe import Markup, escape

from intrapreneur.core.charts import styled
from intrapreneur.core.dates import number_text
from intrapreneur.experiments.labels import (
    COLUMN_LABELS,
    DECISION_LABELS,
    EVIDENCE_LABELS,
    STAGE_LABELS,
)
from intrapreneur.experiments.portfolio.figures import (
    DecisionMonth,
    Decisions,
    EvidenceRow,
    FundingMonth,
    Portfolio,
    UnitBalance,
)

SUPPORT, CHALLENGE = "#2e7d32", "#c62828"


def evidence_label(row: EvidenceRow) -> str:
    return str(EVIDENCE_LABELS[row.evidence]) if row.evidence else _("no earlier decision")


def unit_label(row: UnitBalance) -> str:
    return row.unit or _("unit not known")


def funnel(portfolio: Portfolio) -> go.Figure:
    """Ventures by stage, idea at the top."""
    figure = go.Figure(
        go.Funnel(
            y=[str(STAGE_LABELS[stage]) for stage in portfolio.by_stage],
            x=list(portfolio.by_stage.values()),
            textinfo="value",
        )
    )
    return styled(figure, _("Ventures by stage"))


def columns(portfolio: Portfolio) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=[str(COLUMN_LABELS[column]) for column in portfolio.by_column],
            y=list(portfolio.by_column.values()),
            name=_("Cards"),
        )
    )
    figure.update_yaxes(title=_("Cards"))
    return styled(figure, _("Cards by board column"))


def funding_over_time(months: Sequence[FundingMonth]) -> go.Figure:
    """Money requested and approved each month (bars) and in total so far (lines)."""
    x = [month.month for month in months]
    figure = go.Figure(
        [
            go.Bar(x=x, y=[float(m.requested) for m in months], name=_("Requested")),
            go.Bar(x=x, y=[float(m.approved) for m in months], name=_("Approved (released)")),
            go.Scatter(
                x=x, y=[float(m.requested_so_far) for m in months], name=_("Requested so far")
            ),
            go.Scatter(
                x=x,
                y=[float(m.approved_so_far) for m in months],
                name=_("Approved (released) so far"),
            ),
        ]
    )
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(title=_("Month"), type="category")
    figure.update_yaxes(title=_("Money"))
    return styled(figure, _("Funding over time"))


def evidence(rows: Sequence[EvidenceRow]) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=[evidence_label(row) for row in rows],
            y=[float(row.approved.cost) for row in rows],
            name=_("Approved (released)"),
        )
    )
    figure.update_yaxes(title=_("Money"))
    return styled(figure, _("Funding released against the evidence of the decision before it"))


def decisions(found: Decisions) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=[str(DECISION_LABELS[decision]).capitalize() for decision in found.counts],
            y=list(found.counts.values()),
            name=_("Decided cards"),
        )
    )
    figure.update_yaxes(title=_("Decided cards"))
    return styled(figure, _("Decisions"))


def time_to_decision(months: Sequence[DecisionMonth]) -> go.Figure:
    figure = go.Figure(
        go.Scatter(
            x=[month.month for month in months],
            y=[month.mean_days for month in months],
            name=_("Mean days from card to decision"),
            mode="lines+markers",
        )
    )
    figure.update_xaxes(title=_("Month decided"), type="category")
    figure.update_yaxes(title=_("Days"), rangemode="tozero")
    return styled(figure, _("Time from start to decision"))


def unit_balance(rows: Sequence[UnitBalance]) -> go.Figure:
    names = [unit_label(row) for row in rows]
    figure = go.Figure(
        [
            go.Bar(
                y=names,
                x=[row.support for row in rows],
                name=_("Support"),
                orientation="h",
                marker={"color": SUPPORT},
            ),
            go.Bar(
                y=names,
                x=[row.challenge for row in rows],
                name=_("Challenge"),
                orientation="h",
                marker={"color": CHALLENGE},
            ),
        ]
    )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(title=_("Reviews"))
    return styled(figure, _("Reviews' support and challenge by business unit"))


# -- for the PDF -------------------------------------------------------------------------------

BAR_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 300, 18, 190


def svg_bars(rows: Sequence[tuple[str, float | int | Decimal]], digits: int = 0) -> Markup:
    """Horizontal bars with their labels and values, as inline SVG: drawn by WeasyPrint
    without JavaScript or any file; the table beside it has the same numbers."""
    largest = max((float(value) for _, value in rows), default=0) or 1
    height = ROW_HEIGHT * max(len(rows), 1)
    width = LABEL_WIDTH + BAR_WIDTH + 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
    ]
    for number, (label, value) in enumerate(rows):
        y = number * ROW_HEIGHT
        length = round(BAR_WIDTH * float(value) / largest, 1)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" font-size="10">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 6}" '
            f'fill="#1565c0"/>'
            f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 13}" font-size="10">'
            f"{escape(number_text(value, digits))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text escaped above)  # nosec B704


def print_bars(portfolio: Portfolio) -> dict[str, Markup]:
    """The PDF's bars, in the reader's language, each beside the table with its numbers."""
    funding = portfolio.funding
    return {
        "stage": svg_bars([(str(STAGE_LABELS[s]), n) for s, n in portfolio.by_stage.items()]),
        "column": svg_bars([(str(COLUMN_LABELS[c]), n) for c, n in portfolio.by_column.items()]),
        "funding": svg_bars(
            [
                (_("Requested"), funding.requested.cost),
                (_("Approved (released)"), funding.approved.cost),
                (_("Refused"), funding.refused.cost),
                (_("Awaiting a decision"), funding.awaiting.cost),
            ],
            2,
        ),
        "evidence": svg_bars([(evidence_label(r), r.approved.cost) for r in portfolio.evidence], 2),
        "decision": svg_bars(
            [
                (str(DECISION_LABELS[d]).capitalize(), n)
                for d, n in portfolio.decisions.counts.items()
            ]
        ),
        "units": svg_bars([(unit_label(r), r.support + r.challenge) for r in portfolio.units]),
    }
