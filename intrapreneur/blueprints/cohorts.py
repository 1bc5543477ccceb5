"""Cohorts: employees ask to join or withdraw; HR and the cohort's facilitators decide."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.core.errors import render_error
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import ensure, requires
from intrapreneur.extensions import db
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import ActionForm, DecisionsForm, VersionedForm
from intrapreneur.learning.models import Cohort, Enrolment
from intrapreneur.learning.permissions import (
    can_browse_cohorts,
    can_decide_enrolment,
    can_run_cohort,
    sets_open_to,
)

blueprint = Blueprint("cohorts", __name__, url_prefix="/cohorts")


@blueprint.get("/")
@requires(can_browse_cohorts)
def browse() -> ResponseReturnValue:
    today = date.today()
    return render_template(
        "cohorts/browse.html",
        cohorts=queries.open_cohorts_for(current_user.id, today),
        mine={row[0].cohort_id: row for row in queries.my_enrolments(current_user.id, today)},
        form=ActionForm(),
    )


@blueprint.post("/<int:cohort_id>/join")
@requires(can_browse_cohorts)
def join(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        services.request_place(cohort, current_user, date.today())
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("cohorts.browse"))
    db.session.commit()
    flash(
        _(
            "You asked to join %(cohort)s. The programme team will let you know.",
            cohort=cohort.name,
        ),
        "success",
    )
    return redirect(url_for("cohorts.browse"))


@blueprint.post("/<int:cohort_id>/withdraw")
@requires(can_browse_cohorts)
def withdraw(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        services.withdraw(cohort, current_user, today=date.today(), now=datetime.now(UTC))
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "You have withdrawn from %(cohort)s.",
                cohort=cohort.name,
            ),
            "success",
        )
    return redirect(url_for("cohorts.browse"))


@blueprint.get("/<int:cohort_id>")
@requires(can_run_cohort)
def detail(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    # A facilitator of another cohort learns nothing about this one, not even that it exists.
    ensure(can_decide_enrolment(current_user, cohort), hide=True)
    sets = queries.sets_of_cohort(cohort.id)
    return render_template(
        "cohorts/detail.html",
        cohort=cohort,
        page=paginate(queries.enrolments_in(cohort.id), per_page=50),
        counts=queries.enrolment_counts([cohort.id])[cohort.id],
        sets=sets,
        open_sets=sets_open_to(current_user, sets, date.today()),
        form=ActionForm(),
        decisions_form=DecisionsForm(),
        settings_form=VersionedForm(data={"version": cohort.version}),
    )


@blueprint.post("/enrolments/<int:enrolment_id>/<any(accept, decline):decision>")
@requires(can_run_cohort)
def decide(enrolment_id: int, decision: str) -> ResponseReturnValue:
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    ensure(can_decide_enrolment(current_user, enrolment.cohort), hide=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        decisions = services.decide(
            enrolment, accept=decision == "accept", by=current_user, now=datetime.now(UTC)
        )
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash_decisions(decisions)
    return redirect(url_for("cohorts.detail", cohort_id=enrolment.cohort_id))


def unless_open(cohort: Cohort) -> ResponseReturnValue | None:
    """Back to the cohort's page, with the reason, for a closed cohort's forms."""
    try:
        services.ensure_cohort_open(cohort)
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return None


def names_of(enrolments: list[Enrolment]) -> str:
    return ", ".join(enrolment.person.display_name for enrolment in enrolments)


def flash_decisions(decisions: services.Decisions) -> None:
    """What a decision did, one message per outcome."""
    if decisions.accepted:
        flash(
            _(
                "Accepted: %(names)s.",
                names=names_of(decisions.accepted),
            ),
            "success",
        )
    if decisions.waiting:
        flash(
            _(
                "No place was free for these, so they are on the waiting list in request order "
                "and move up as places free: %(names)s.",
                names=names_of(decisions.waiting),
            ),
            "warning",
        )
    if decisions.declined:
        flash(
            _(
                "Declined: %(names)s.",
                names=names_of(decisions.declined),
            ),
            "success",
        )
