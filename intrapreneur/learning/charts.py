"""Plotly figures for set health: query results in, figures out (see queries.set_health for
what each figure means). The pages show every number again in a table."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from intrapreneur.core.charts import styled
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
    ("Attendance rate", "attendance_rate"),
    ("Actions done on time", "on_time_rate"),
    ("Actions reviewed", "reviewed_rate"),
)


def attendance_trend(sessions: list[SessionAttendance], zone_name: str | None) -> go.Figure:
    """Attendance rate per held session over time; a session without a register is a gap."""
    figure = go.Figure(
        go.Scatter(
            x=[local(session.starts_at, zone_name).date().isoformat() for session in sessions],
            y=[session.attendance_rate for session in sessions],
            mode="lines+markers",
            name="Attendance rate",
            hovertemplate="%{x}: %{y}%<extra></extra>",
        )
    )
    figure.update_xaxes(type="date", title="Session")
    figure.update_yaxes(PERCENT_AXIS, title="Present")
    return styled(figure, "Attendance rate per session")


def feedback_per_session(
    sessions: list[SessionFeedbackFigures], zone_name: str | None
) -> go.Figure:
    """How members rated each session whose answers are released (see queries.feedback):
    one stacked bar per session, a segment per rating. Sessions held back are left out."""
    released = [session for session in sessions if session.figures is not None]
    days = [local(session.starts_at, zone_name).date().isoformat() for session in released]
    figure = go.Figure(
        [
            go.Bar(
                name=f"Rated {rating}",
                x=days,
                y=[_rated(session.figures, rating) for session in released],
            )
            for rating in RATINGS
        ]
    )
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(type="category", title="Session")
    figure.update_yaxes({"rangemode": "tozero", "dtick": 1}, title="Answers")
    return styled(figure, "How useful members found each session")


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
            "Rates",
            "Questions per hot seat",
            "Sessions missed",
            "Usefulness (1 to 5)",
        ),
    )
    for label, attribute in RATES:
        rates = [getattr(health, attribute) for _, health, _ in sets]
        figure.add_trace(go.Bar(name=label, x=names, y=rates), row=1, col=1)
    questions = [health.questions_per_hot_seat for _, health, _ in sets]
    missed = [health.sessions_missed for _, health, _ in sets]
    usefulness = [feedback.mean if feedback else None for _, _, feedback in sets]
    # Their subplot titles name them; the legend names the three rates.
    for column, label, values in (
        (2, "Questions per hot seat", questions),
        (3, "Sessions missed", missed),
        (4, "Usefulness", usefulness),
    ):
        figure.add_trace(go.Bar(name=label, x=names, y=values, showlegend=False), row=1, col=column)
    figure.update_yaxes(PERCENT_AXIS, row=1, col=1)
    figure.update_yaxes({"range": [0, 5.2]}, row=1, col=4)
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15})
    return styled(figure, "Set health across the cohort")


def set_mix(quality: Quality) -> go.Figure:
    """A composer proposal at a glance: each set's department mix, and its guest
    entrepreneurs and repeat pairings (counts, so on an axis of their own)."""
    names = [f"Set {row.index + 1}" for row in quality.sets]
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=("Department mix", "Guest entrepreneurs and repeats")
    )
    mix = [round(100 * row.department_mix, 1) for row in quality.sets]
    figure.add_trace(go.Bar(name="Department mix", x=names, y=mix), row=1, col=1)
    for label, values in (
        ("Guest entrepreneurs", [row.entrepreneurs for row in quality.sets]),
        ("Repeat pairings", [row.repeat_pairings for row in quality.sets]),
    ):
        figure.add_trace(go.Bar(name=label, x=names, y=values), row=1, col=2)
    figure.update_yaxes(PERCENT_AXIS, row=1, col=1)
    figure.update_yaxes({"rangemode": "tozero", "dtick": 1}, row=1, col=2)
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15})
    return styled(figure, "Mix of the proposed sets")
