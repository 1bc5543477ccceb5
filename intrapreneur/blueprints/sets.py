"""Action-learning sets: members and sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from intrapreneur.blueprints.learning_access import load_session, load_set
from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import person_choices
from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.core.timezones import to_utc
from intrapreneur.extensions import db
from intrapreneur.identity import queries as identity_queries
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import ActionForm, AddMemberForm, ScheduleForm, SetForm
from intrapreneur.learning.models import Cohort, SessionFormat
from intrapreneur.learning.permissions import (
    can_create_sets,
    can_manage_set,
    can_reorganise_sets,
)

blueprint = Blueprint("sets", __name__)


@blueprint.route("/cohorts/<int:cohort_id>/sets/new", methods=["GET", "POST"])
@requires(can_create_sets)
def new(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    form = SetForm()
    form.facilitator_id.choices = person_choices(
        identity_queries.possible_facilitators(), nobody=_("— none yet —")
    )
    if form.validate_on_submit():
        try:
            learning_set = services.create_set(
                cohort,
                name=form.name.data,
                facilitator=db.session.get(Person, form.facilitator_id.data),
                default_format=SessionFormat(form.default_format.data),
                cadence_days=form.cadence_days.data,
                by=current_user,
            )
        except services.LearningRefusal as refusal:
            form.form_errors.append(refusal.message)
            return render_template("sets/new.html", form=form, cohort=cohort), refusal.status
        db.session.commit()
        flash(
            _(
                "%(set)s created. Add its members.",
                set=learning_set.name,
            ),
            "success",
        )
        return redirect(url_for("sets.detail", set_id=learning_set.id))
    status = 422 if form.is_submitted() else 200
    return render_template("sets/new.html", form=form, cohort=cohort), status


@blueprint.get("/sets/<int:set_id>")
@requires(signed_in)
def detail(set_id: int) -> ResponseReturnValue:
    learning_set = load_set(set_id)
    today, now = date.today(), datetime.now(UTC)
    manages = can_manage_set(current_user, learning_set)
    # A closed set is read-only: its page offers no changes.
    changes = manages and learning_set.closed_at is None
    add_form = AddMemberForm()
    if changes:
        add_form.person_id.choices = person_choices(
            queries.placeable_people(learning_set.cohort_id, today)
        )
    return render_template(
        "sets/detail.html",
        learning_set=learning_set,
        members=queries.current_members(learning_set.id, today),
        sessions=queries.sessions_of_set(learning_set.id),
        manages=manages,
        changes=changes,
        reorganises=changes and can_reorganise_sets(current_user),
        to_answer=queries.sessions_to_answer(learning_set.id, current_user.id, now),
        add_form=add_form,
        action_form=ActionForm(),
        now=now,
    )


@blueprint.post("/sets/<int:set_id>/members")
@requires(signed_in)
def add_member(set_id: int) -> ResponseReturnValue:
    learning_set = load_set(set_id, manage=True)
    form = AddMemberForm()
    form.person_id.choices = person_choices(
        queries.placeable_people(learning_set.cohort_id, date.today())
    )
    if not form.validate_on_submit():
        flash(_("Choose someone from the list of people who can join this set."), "error")
        return redirect(url_for("sets.detail", set_id=set_id))
    person = db.session.get(Person, form.person_id.data)
    assert person is not None  # the choices only hold existing people
    try:
        services.add_member(learning_set, person, today=date.today(), by=current_user)
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "%(name)s joined %(set)s.",
                name=person.display_name,
                set=learning_set.name,
            ),
            "success",
        )
    return redirect(url_for("sets.detail", set_id=set_id))


@blueprint.route("/sets/<int:set_id>/sessions/new", methods=["GET", "POST"])
@requires(signed_in)
def schedule(set_id: int) -> ResponseReturnValue:
    learning_set = load_set(set_id, manage=True)
    form = ScheduleForm()
    if not form.is_submitted():
        form.session_format.data = learning_set.default_format.value
    if form.validate_on_submit():
        try:
            sessions, warnings = services.schedule_sessions(
                learning_set,
                first_start=to_utc(form.day.data, form.start.data, current_user.time_zone),
                session_format=SessionFormat(form.session_format.data),
                count=form.count.data,
                location=form.location.data or None,
                video_url=form.video_url.data or None,
                now=datetime.now(UTC),
                by=current_user,
            )
        except services.LearningRefusal as refusal:
            form.form_errors.append(refusal.message)
            return render_template(
                "sets/schedule.html", form=form, learning_set=learning_set
            ), refusal.status
        db.session.commit()
        flash(
            ngettext("%(num)d session scheduled.", "%(num)d sessions scheduled.", len(sessions)),
            "success",
        )
        for warning in warnings:
            flash(
                _(
                    "Double booking: %(warning)s",
                    warning=warning,
                ),
                "warning",
            )
        return redirect(url_for("sets.detail", set_id=set_id))
    status = 422 if form.is_submitted() else 200
    return render_template("sets/schedule.html", form=form, learning_set=learning_set), status


@blueprint.post("/sessions/<int:session_id>/cancel")
@requires(signed_in)
def cancel_session(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id, manage=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        services.cancel_session(session, now=datetime.now(UTC), by=current_user)
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("The session is cancelled; calendars will remove it."), "success")
    return redirect(url_for("sets.detail", set_id=session.set_id))
