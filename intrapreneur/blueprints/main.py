"""The signed-in home page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, render_template
from flask_login import current_user

from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.learning import queries as learning_queries

blueprint = Blueprint("main", __name__)


@blueprint.get("/")
@requires(signed_in)
def home() -> str:
    today, now = date.today(), datetime.now(UTC)
    return render_template(
        "main/home.html",
        sets=learning_queries.current_sets_of(current_user.id, today),
        next_sessions=learning_queries.next_sessions_for(current_user.id, now),
        feedback_awaited=learning_queries.feedback_awaited(current_user.id, now),
        today=today,
    )
