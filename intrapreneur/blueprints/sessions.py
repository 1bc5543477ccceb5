"""The facilitator's session screen and everyone's commitments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from intrapreneur.blueprints.editing import agenda_form, save_or_show_again
from intrapreneur.blueprints.learning_access import load_session
from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import person_choices
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.core.timezones import local, to_utc
from intrapreneur.experiments import queries as experiment_queries
from intrapreneur.experiments import services as experiment_services
from intrapreneur.experiments.models import Stage, Venture, Visibility
from intrapreneur.experiments.permissions import can_start_ventures
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries, services
from intrapreneur.learning.formats import FORMATS, NEEDS_HOT_SEAT
from intrapreneur.learning.forms import (
    ACTION_STATUS_NAMES,
    BARRIER_NAMES,
    ChallengeForm,
    CommitmentForm,
    ExperimentFromActionForm,
    HotSeatForm,
    QuestionForm,
    RescheduleForm,
    ReviewForm,
    VersionedForm,
)
from intrapreneur.learning.models import (
    Action,
    ActionStatus,
    BarrierCategory,
    HotSeat,
    LearningSession,
)
from intrapreneur.learning.permissions import can_manage_set

blueprint = Blueprint("sessions", __name__)


def _members(session: LearningSession) -> list[Person]:
    return [m.person for m in queries.current_members(session.set_id, session.starts_at.date())]


def _screen(session_id: int) -> ResponseReturnValue:
    return redirect(url_for("sessions.screen", session_id=session_id))


@blueprint.get("/sessions/<int:session_id>")
@requires(signed_in)
def screen(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id)
    members = _members(session)
    hot_seat_form = HotSeatForm(version=session.version)
    hot_seat_form.person_id.choices = person_choices(members)
    question_form = QuestionForm()
    question_form.asked_by_id.choices = person_choices(members)
    attendance = queries.attendance_of(session.id)
    return render_template(
        "sessions/screen.html",
        session=session,
        format=FORMATS[session.format],
        members=members,
        present={row.person_id for row in attendance if row.present},
        marked=bool(attendance),
        hot_seats=queries.hot_seats_of(session.id),
        to_review=queries.actions_to_review(session),
        learning_cards=experiment_queries.learning_cards_for_set(
            session.set_id,
            [person.id for person in members],
            queries.previous_session_start(session),
            session.starts_at,
            reader=current_user,
            today=date.today(),
        ),
        # A closed set's sessions are kept for the record: nothing on them changes.
        manages=can_manage_set(current_user, session.learning_set)
        and session.learning_set.closed_at is None,
        attendance_form=VersionedForm(version=session.version),
        hot_seat_form=hot_seat_form,
        question_form=question_form,
        commitment_form=CommitmentForm(),
        review_form=ReviewForm(),
        barriers=BARRIER_NAMES,
        action_statuses=ACTION_STATUS_NAMES,
    )


def _save(session_id: int, change) -> ResponseReturnValue:  # type: ignore[no-untyped-def]
    """Run a change and commit once; an edit made on an old copy is refused, never lost."""
    try:
        change()
        db.session.commit()
    except (services.StaleEdit, StaleDataError):
        db.session.rollback()
        flash(services.StaleEdit().message, "error")
    except services.LearningRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        flash(_("Saved."), "success")
    return _screen(session_id)


@blueprint.post("/sessions/<int:session_id>/attendance")
@requires(signed_in)
def attendance(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id, manage=True)
    form = VersionedForm()
    if not form.validate_on_submit():
        return render_error(400)
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    return _save(
        session_id,
        lambda: services.record_attendance(
            session, present, version=form.version.data, by=current_user, now=datetime.now(UTC)
        ),
    )


@blueprint.post("/sessions/<int:session_id>/hot-seats")
@requires(signed_in)
def add_hot_seat(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id, manage=True)
    form = HotSeatForm()
    form.person_id.choices = person_choices(_members(session))
    if not form.validate_on_submit():
        flash(_("A hot seat needs a member and a challenge of at most 200 characters."), "error")
        return _screen(session_id)
    person = db.session.get(Person, form.person_id.data)
    return _save(
        session_id,
        lambda: services.add_hot_seat(
            session, person, **_challenge(form), by=current_user, now=datetime.now(UTC)
        ),
    )


def _challenge(form: ChallengeForm) -> dict[str, Any]:
    """The challenge as the services take it, with the session version the editor saw."""
    return {
        "title": form.challenge_title.data,
        "description": form.challenge_description.data,
        "barrier": BarrierCategory(form.barrier.data),
        "version": form.version.data,
    }


def _load_hot_seat(hot_seat_id: int) -> tuple[HotSeat, LearningSession]:
    hot_seat = db.get_or_404(HotSeat, hot_seat_id)
    return hot_seat, load_session(hot_seat.session_id, manage=True)


@blueprint.post("/hot-seats/<int:hot_seat_id>/questions")
@requires(signed_in)
def add_question(hot_seat_id: int) -> ResponseReturnValue:
    hot_seat, session = _load_hot_seat(hot_seat_id)
    form = QuestionForm()
    form.asked_by_id.choices = person_choices(_members(session))
    if not form.validate_on_submit():
        flash(_("A question is one line of at most 300 characters, asked by a member."), "error")
        return _screen(hot_seat.session_id)
    asked_by = db.session.get(Person, form.asked_by_id.data)
    return _save(
        hot_seat.session_id,
        lambda: services.add_question(hot_seat, asked_by, form.text.data, by=current_user),
    )


@blueprint.post("/hot-seats/<int:hot_seat_id>/commitments")
@requires(signed_in)
def add_commitment(hot_seat_id: int) -> ResponseReturnValue:
    hot_seat = _load_hot_seat(hot_seat_id)[0]
    form = CommitmentForm()
    if not form.validate_on_submit():
        flash(
            _(
                "A commitment needs a description (at most 500 characters) and a due date.",
            ),
            "error",
        )
        return _screen(hot_seat.session_id)
    return _save(
        hot_seat.session_id,
        lambda: services.add_commitment(
            hot_seat, description=form.description.data, due_on=form.due_on.data, by=current_user
        ),
    )


@blueprint.post("/sessions/<int:session_id>/review/<int:action_id>")
@requires(signed_in)
def review(session_id: int, action_id: int) -> ResponseReturnValue:
    session = load_session(session_id, manage=True)
    action = db.get_or_404(Action, action_id)
    ensure(action in queries.actions_to_review(session), hide=True)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_error(400)
    return _save(
        session_id,
        lambda: services.review_action(
            action,
            status=ActionStatus(form.status.data),
            learning=form.learning.data,
            in_session=session,
            by=current_user,
            now=datetime.now(UTC),
        ),
    )


@blueprint.get("/commitments")
@requires(signed_in)
def my_commitments() -> ResponseReturnValue:
    today = date.today()
    actions = queries.actions_of(current_user.id)
    linked = [a.experiment_id for a in actions if a.experiment_id is not None]
    return render_template(
        "sessions/commitments.html",
        actions=actions,
        form=ReviewForm(),
        experiment_form=_experiment_form(),
        experiment_titles=experiment_queries.card_titles(linked, current_user, today),
        today=today,
        action_statuses=ACTION_STATUS_NAMES,
    )


NEW_VENTURE = 0


def _own_action(action_id: int) -> Action:
    """Only its owner changes a commitment between sessions; others learn nothing (404)."""
    action = db.get_or_404(Action, action_id)
    ensure(action.owner_id == current_user.id, hide=True)
    return action


def _experiment_form() -> ExperimentFromActionForm:
    form = ExperimentFromActionForm()
    ventures = experiment_queries.working_ventures(current_user.id)
    form.venture_id.choices = [
        SelectChoice(NEW_VENTURE, _("A new venture named after it")),
        *(SelectChoice(venture.id, venture.title) for venture in ventures),
    ]
    return form


@blueprint.post("/commitments/<int:action_id>/experiment")
@requires(can_start_ventures)
def experiment_from_commitment(action_id: int) -> ResponseReturnValue:
    """Turn one's own commitment into a card on one of one's boards (or a new one)."""
    action = _own_action(action_id)
    form = _experiment_form()
    if not form.validate_on_submit():
        return render_error(400)
    now = datetime.now(UTC)
    if form.venture_id.data == NEW_VENTURE:
        venture = experiment_services.create_venture(
            title=action.description[:200],
            problem=action.learning,
            customer="",
            stage=Stage.IDEA,
            visibility=Visibility.PRIVATE,
            by=current_user,
            now=now,
        )
    else:
        venture = db.get_or_404(Venture, form.venture_id.data)
    try:
        experiment = experiment_services.experiment_from_action(
            action, venture, by=current_user, now=now
        )
    except experiment_services.BoardRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("sessions.my_commitments"))
    db.session.commit()
    flash(
        _(
            "“%(experiment)s” is on the board of %(venture)s, in Backlog.",
            experiment=experiment.title,
            venture=venture.title,
        ),
        "success",
    )
    return redirect(url_for("ventures.card", experiment_id=experiment.id))


@blueprint.post("/commitments/<int:action_id>")
@requires(signed_in)
def update_commitment(action_id: int) -> ResponseReturnValue:
    action = _own_action(action_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_error(400)
    services.review_action(
        action,
        status=ActionStatus(form.status.data),
        learning=form.learning.data,
        in_session=None,
        by=current_user,
        now=datetime.now(UTC),
    )
    db.session.commit()
    flash(_("Your commitment is updated."), "success")
    return redirect(url_for("sessions.my_commitments"))


def _unless_cancelled(session: LearningSession) -> ResponseReturnValue | None:
    """Back to the screen, with the reason, for a session that can no longer change."""
    try:
        services.ensure_changeable(session)
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
        return _screen(session.id)
    return None


@blueprint.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires(signed_in)
def edit(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id, manage=True)
    if refused := _unless_cancelled(session):
        return refused
    form = RescheduleForm()
    if not form.is_submitted():
        starts = local(session.starts_at, current_user.time_zone)
        form.process(
            data={
                "version": session.version,
                "day": starts.date(),
                "start": starts.time(),
                "location": session.location,
                "video_url": session.video_url,
            }
        )
    shown = save_or_show_again(
        form,
        partial(render_template, "sessions/edit.html", form=form, session=session),
        lambda: services.reschedule(
            session,
            starts_at=to_utc(form.day.data, form.start.data, current_user.time_zone),
            location=form.location.data or None,
            video_url=form.video_url.data or None,
            version=form.version.data,
            by=current_user,
            now=datetime.now(UTC),
        ),
        ready=form.validate_on_submit(),
    )
    if shown:
        return shown
    flash(_("Session changed; calendars will show the new details."), "success")
    return _screen(session_id)


@blueprint.route("/sessions/<int:session_id>/agenda", methods=["GET", "POST"])
@requires(signed_in)
def edit_agenda(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id, manage=True)
    if refused := _unless_cancelled(session):
        return refused
    form = agenda_form(session.agenda, version=session.version)
    notes: list[str] = []
    shown = save_or_show_again(
        form,
        partial(
            render_template,
            "sessions/agenda.html",
            form=form,
            session=session,
            needs_hot_seat=session.format in NEEDS_HOT_SEAT,
        ),
        lambda: notes.extend(
            services.change_agenda(
                session,
                form.filled(),
                version=form.version.data,
                by=current_user,
                now=datetime.now(UTC),
            )
        ),
        ready=form.ready_to_save(),
    )
    if shown:
        return shown
    flash(_("Agenda saved."), "success")
    for note in notes:
        flash(note, "warning")
    return _screen(session_id)


@blueprint.route("/hot-seats/<int:hot_seat_id>/edit", methods=["GET", "POST"])
@requires(signed_in)
def edit_hot_seat(hot_seat_id: int) -> ResponseReturnValue:
    hot_seat, session = _load_hot_seat(hot_seat_id)
    if refused := _unless_cancelled(session):
        return refused
    form = ChallengeForm()
    if not form.is_submitted():
        form.process(obj=hot_seat, data={"version": session.version})
    shown = save_or_show_again(
        form,
        partial(
            render_template, "sessions/hot_seat.html", form=form, hot_seat=hot_seat, session=session
        ),
        lambda: services.change_hot_seat(
            hot_seat, session, **_challenge(form), by=current_user, now=datetime.now(UTC)
        ),
        ready=form.validate_on_submit(),
    )
    if shown:
        return shown
    flash(
        _(
            "%(name)s's challenge is saved.",
            name=hot_seat.person.display_name,
        ),
        "success",
    )
    return _screen(session.id)
