"""Plotly figures for set health: query results in, figures out (see queries.set_health for
what each figure means). The pages show every number again in a table."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from intrapreneur.core.charts import styled
from intrapreneur.core.timezones import local
from intrapreneur.learning.composer import Quality
from intrapreneur.learning.queries import SessionAttendance, SetHealth

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


def cohort_comparison(sets: list[tuple[str, SetHealth]]) -> go.Figure:
    """The five figures side by side for each set: rates share one axis, the two counts
    get their own, since percentages and questions or sessions do not share a scale."""
    names = [name for name, _ in sets]
    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.5, 0.25, 0.25],
        subplot_titles=("Rates", "Questions per hot seat", "Sessions missed"),
    )
    for label, attribute in RATES:
        rates = [getattr(health, attribute) for _, health in sets]
        figure.add_trace(go.Bar(name=label, x=names, y=rates), row=1, col=1)
    questions = [health.questions_per_hot_seat for _, health in sets]
    missed = [health.sessions_missed for _, health in sets]
    # Their subplot titles name them; the legend names the three rates.
    for column, label, values in (
        (2, "Questions per hot seat", questions),
        (3, "Sessions missed", missed),
    ):
        figure.add_trace(go.Bar(name=label, x=names, y=values, showlegend=False), row=1, col=column)
    figure.update_yaxes(PERCENT_AXIS, row=1, col=1)
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
