"""Plotly figures for set health: query results in, figures out (see queries.set_health for
what each figure means). The pages show every number again in a table."""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from plotly.subplots import make_subplots

from intrapreneur.core.charts import styled
from intrapreneur.core.dates import day_text
from intrapreneur.core.timezones import local
from intrapreneur.learning.composer import Quality
from intrapreneur.learning.queries import (
    RATINGS,
    FeedbackFigures,
    SessionAttendance,
    SessionFeedbackFigures,
    SetHealth,
)

# A little headroom above 100% so a full-attendance marker is not cut in half.
PERCENT_AXIS = {"range": [0, 105], "ticksuffix": "%"}
RATES = (
    (_l("Attendance rate"), "attendance_rate"),
    (_l("Actions done on time"), "on_time_rate"),
    (_l("Actions reviewed"), "reviewed_rate"),
)


def attendance_trend(sessions: list[SessionAttendance], zone_name: str | None) -> go.Figure:
    """Attendance rate per held session over time; a session without a register is a gap."""
    figure = go.Figure(
        go.Scatter(
            x=[_day(session.starts_at, zone_name) for session in sessions],
            y=[session.attendance_rate for session in sessions],
            mode="lines+markers",
            name=_("Attendance rate"),
            hovertemplate="%{x}: %{y}%<extra></extra>",
        )
    )
    # The days as the table beside the chart names them, in the reader's language.
    figure.update_xaxes(type="category", title=_("Session"))
    figure.update_yaxes(PERCENT_AXIS, title=_("Present"))
    return styled(figure, _("Attendance rate per session"))


def feedback_per_session(
    sessions: list[SessionFeedbackFigures], zone_name: str | None
) -> go.Figure:
    """How members rated each session whose answers are released (see queries.feedback):
    one stacked bar per session, a segment per rating. Sessions held back are left out."""
    released = [session for session in sessions if session.figures is not None]
    days = [_day(session.starts_at, zone_name) for session in released]
    figure = go.Figure(
        [
            go.Bar(
                name=_("Rated %(rating)d", rating=rating),
                x=days,
                y=[_rated(session.figures, rating) for session in released],
            )
            for rating in RATINGS
        ]
    )
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(type="category", title=_("Session"))
    figure.update_yaxes({"rangemode": "tozero", "dtick": 1}, title=_("Answers"))
    return styled(figure, _("How useful members found each session"))


def _day(moment: datetime, zone_name: str | None) -> str:
    return day_text(local(moment, zone_name).date())


def _rated(figures: FeedbackFigures | None, rating: int) -> int:
    return figures.by_rating[rating - 1] if figures is not None else 0


def cohort_comparison(sets: list[tuple[str, SetHealth, FeedbackFigures | None]]) -> go.Figure:
    """The figures side by side for each set: rates share one axis, the counts and the mean
    usefulness get their own, since percentages, questions, sessions and ratings do not share
    a scale."""
    names = [name for name, _, _ in sets]
    figure = make_subplots(
        rows=1,
        cols=4,
        column_widths=[0.4, 0.2, 0.2, 0.2],
        subplot_titles=(
            _("Rates"),
            _("Questions per hot seat"),
            _("Sessions missed"),
            _("Usefulness (1 to 5)"),
        ),
    )
    for label, attribute in RATES:
        rates = [getattr(health, attribute) for _, health, _ in sets]
        figure.add_trace(go.Bar(name=str(label), x=names, y=rates), row=1, col=1)
    questions = [health.questions_per_hot_seat for _, health, _ in sets]
    missed = [health.sessions_missed for _, health, _ in sets]
    usefulness = [feedback.mean if feedback else None for _, _, feedback in sets]
    # Their subplot titles name them; the legend names the three rates.
    for column, label, values in (
        (2, _("Questions per hot seat"), questions),
        (3, _("Sessions missed"), missed),
        (4, _("Usefulness"), usefulness),
    ):
        figure.add_trace(go.Bar(name=label, x=names, y=values, showlegend=False), row=1, col=column)
    figure.update_yaxes(PERCENT_AXIS, row=1, col=1)
    figure.update_yaxes({"range": [0, 5.2]}, row=1, col=4)
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15})
    return styled(figure, _("Set health across the cohort"))


def set_mix(quality: Quality) -> go.Figure:
    """A composer proposal at a glance: each set's department mix, and its guest
    entrepreneurs and repeat pairings (counts, so on an axis of their own)."""
    names = [_("Set %(number)d", number=row.index + 1) for row in quality.sets]
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=(_("Department mix"), _("Guest entrepreneurs and repeats"))
    )
    mix = [round(100 * row.department_mix, 1) for row in quality.sets]
    figure.add_trace(go.Bar(name=_("Department mix"), x=names, y=mix), row=1, col=1)
    for label, values in (
        (_("Guest entrepreneurs"), [row.entrepreneurs for row in quality.sets]),
        (_("Repeat pairings"), [row.repeat_pairings for row in quality.sets]),
    ):
        figure.add_trace(go.Bar(name=label, x=names, y=values), row=1, col=2)
    figure.update_yaxes(PERCENT_AXIS, row=1, col=1)
    figure.update_yaxes({"rangemode": "tozero", "dtick": 1}, row=1, col=2)
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15})
    return styled(figure, _("Mix of the proposed sets"))
