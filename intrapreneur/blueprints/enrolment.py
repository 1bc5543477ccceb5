"""Enrolment at scale on a cohort's page: deciding many requests at once, taking a
participant out, and HR enrolling employees found by a search."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.cohorts import flash_decisions, unless_open
from intrapreneur.core.errors import render_error
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import ensure, requires
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import (
    ActionForm,
    DecisionsForm,
    EnrolPersonForm,
    PeopleSearchForm,
)
from intrapreneur.learning.models import Cohort, Enrolment
from intrapreneur.learning.permissions import (
    can_decide_enrolment,
    can_manage_programmes,
    can_run_cohort,
)

blueprint = Blueprint("enrolment", __name__, url_prefix="/cohorts")


def _back(cohort_id: int) -> ResponseReturnValue:
    return redirect(url_for("cohorts.detail", cohort_id=cohort_id))


@blueprint.post("/<int:cohort_id>/decisions")
@requires(can_run_cohort)
def decide_many(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    ensure(can_decide_enrolment(current_user, cohort), hide=True)
    form = DecisionsForm()
    if not form.validate_on_submit() or form.accept.data == form.decline.data:
        flash(_("Tick one or more requests, then press Accept selected or Decline."), "error")
        return _back(cohort.id)
    try:
        decisions = services.decide_many(
            cohort,
            form.enrolment_ids.data,
            accept=form.accept.data,
            by=current_user,
            now=datetime.now(UTC),
        )
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash_decisions(decisions)
    return _back(cohort.id)


@blueprint.post("/enrolments/<int:enrolment_id>/remove")
@requires(can_manage_programmes)
def remove(enrolment_id: int) -> ResponseReturnValue:
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        promoted = services.remove(
            enrolment, by=current_user, today=date.today(), now=datetime.now(UTC)
        )
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "%(name)s is no longer a participant.",
                name=enrolment.person.display_name,
            ),
            "success",
        )
        for moved_up in promoted:
            flash(
                _(
                    "%(name)s moved up from the waiting list into the freed place and has been "
                    "told by email.",
                    name=moved_up.person.display_name,
                ),
                "success",
            )
    return _back(enrolment.cohort_id)


@blueprint.get("/<int:cohort_id>/people")
@requires(can_manage_programmes)
def people(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    if refused := unless_open(cohort):
        return refused
    search = PeopleSearchForm(request.args)
    text = (search.q.data or "") if search.validate() else ""
    return render_template(
        "cohorts/people.html",
        cohort=cohort,
        search=search,
        text=text,
        page=paginate(queries.people_search(cohort.id, text, date.today())),
        free=services.free_places(cohort),
        form=EnrolPersonForm(),
    )


@blueprint.post("/<int:cohort_id>/people")
@requires(can_manage_programmes)
def enrol(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    form = EnrolPersonForm()
    back = redirect(url_for("enrolment.people", cohort_id=cohort.id, q=request.args.get("q")))
    person = db.session.get(Person, form.person_id.data) if form.validate_on_submit() else None
    if person is None:
        flash(_("Choose someone from the search results."), "error")
        return back
    try:
        services.enrol_directly(
            cohort, person, by=current_user, today=date.today(), now=datetime.now(UTC)
        )
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "%(name)s is enrolled in %(cohort)s and told by email.",
                name=person.display_name,
                cohort=cohort.name,
            ),
            "success",
        )
    return back
