"""Set health: attendance, actions, questioning and members' feedback, for a set's
facilitator and for HR.

The figures are defined once, beside the queries that compute them (``learning.queries``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core.charts import embeddable
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.culture import places
from intrapreneur.culture.dashboard import rules_in_force
from intrapreneur.extensions import db
from intrapreneur.learning import charts, queries
from intrapreneur.learning.models import Cohort, LearningSet
from intrapreneur.learning.permissions import can_compare_sets, can_view_set_health

blueprint = Blueprint("set_health", __name__)


@blueprint.get("/sets/<int:set_id>/health")
@requires(signed_in)
def for_set(set_id: int) -> ResponseReturnValue:
    learning_set = db.get_or_404(LearningSet, set_id)
    # 404 as on every set page someone may not use: members included, nothing is revealed.
    ensure(can_view_set_health(current_user, learning_set), hide=True)
    now, zone = datetime.now(UTC), current_user.time_zone
    sessions = queries.attendance_by_session(set_id, now)
    feedback = queries.feedback_by_session(set_id, now)
    return render_template(
        "set_health/set.html",
        learning_set=learning_set,
        health=queries.set_health([set_id], now)[set_id],
        sessions=sessions,
        members=queries.sessions_missed_by_member(set_id, now),
        figure=embeddable(charts.attendance_trend(sessions, zone)),
        feedback=feedback,
        set_feedback=queries.feedback_per_set([set_id], now)[set_id],
        next_steps=queries.next_steps_by_session(set_id, now),
        feedback_figure=embeddable(charts.feedback_per_session(feedback, zone)),
        ratings=queries.RATINGS,
        minimum=queries.MIN_ANSWERS,
        answering_days=queries.ANSWERING_DAYS,
        now=now,
    )


@blueprint.get("/cohorts/<int:cohort_id>/health")
@requires(can_compare_sets)
def for_cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    sets, now = queries.sets_of_cohort(cohort.id), datetime.now(UTC)
    set_ids = [learning_set.id for learning_set in sets]
    health, feedback = queries.set_health(set_ids, now), queries.feedback_per_set(set_ids, now)
    rows = [(each, health[each.id], feedback[each.id]) for each in sets]
    figure = charts.cohort_comparison([(each.name, *figures) for each, *figures in rows])
    return render_template(
        "set_health/cohort.html",
        cohort=cohort,
        rows=rows,
        figure=embeddable(figure),
        places=places.attendance_rates(set_ids, now, rules_in_force()),
    )
