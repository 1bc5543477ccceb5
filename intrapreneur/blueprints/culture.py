"""The culture dashboard: survey scores and behaviour, for HR (the whole organisation) and
managers (the departments their reports work in), under the same anonymity rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.core import jobs
from intrapreneur.core.charts import embeddable
from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import requires
from intrapreneur.culture import behaviour, charts, dashboard, page
from intrapreneur.culture.anonymity import hidden_label, scope_hidden_label
from intrapreneur.culture.models import SurveyGroup
from intrapreneur.culture.permissions import (
    can_export_culture,
    can_read_culture,
    sees_whole_organisation,
)
from intrapreneur.extensions import db

blueprint = Blueprint("culture", __name__, url_prefix="/culture")


@blueprint.get("/")
@requires(can_read_culture)
def index() -> ResponseReturnValue:
    choice = _choice()
    if choice is None:
        return render_error(
            400, _("This dashboard has no such filter. Clear the filters and try again.")
        )
    whole = sees_whole_organisation(current_user)
    departments = None if whole else dashboard.departments_managed_by(current_user.id)
    built = page.build(choice, dashboard.rules_in_force(), date.today(), departments)
    if any(waiting.publishing for waiting in built.waiting):
        # A closed wave not published yet: ask the background job to do it (once).
        jobs.enqueue_unless_waiting("survey-waves", requested_by=current_user)
        db.session.commit()
    return render_template(
        "culture/index.html",
        page=built,
        choice=choice,
        whole=whole,
        can_export=can_export_culture(current_user),
        behaviour=_behaviour() if whole else None,
        hidden_label=hidden_label,
        scope_hidden_label=scope_hidden_label,
    )


def _choice() -> page.Choice | None:
    """The filters in the query string; None when one is not understood."""
    args = request.args
    try:
        return page.Choice(
            wave_id=args.get("wave", type=int),
            cohort_id=args.get("cohort", type=int),
            group=SurveyGroup(args["group"]) if args.get("group") else None,
            dimension=args.get("dimension") or None,
        )
    except ValueError:
        return None


def _behaviour() -> dict[str, object]:
    now = datetime.now(UTC)
    months = behaviour.experiments_per_month()
    return {
        "participation": behaviour.participation(date.today()),
        "places": page.participants_by_place(dashboard.rules_in_force()),
        "sets": behaviour.sets_summed(now),
        "decisions": behaviour.decisions(),
        "reviews": behaviour.reviews(),
        "network": behaviour.network(now),
        "months": months,
        "months_figure": embeddable(
            charts.experiments_per_month(
                [m.month for m in months], [m.started for m in months], [m.decided for m in months]
            )
        ),
    }
