"""Hacks: asking an entrepreneur from one's hot-seat challenge or card, answering, the Hack
session's page and calendar file, and HR's figures."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from intrapreneur.blueprints.calendar import calendar_response
from intrapreneur.blueprints.ventures.common import load_card
from intrapreneur.core.charts import embeddable
from intrapreneur.core.errors import render_error
from intrapreneur.core.models import utcnow
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.core.timezones import to_utc
from intrapreneur.extensions import db
from intrapreneur.identity.expertise import queries as expertise
from intrapreneur.identity.expertise.forms import weekday_names
from intrapreneur.identity.models import Person
from intrapreneur.learning.calendar import session_calendar
from intrapreneur.learning.hacks import charts, queries, services
from intrapreneur.learning.hacks.events import hack_event
from intrapreneur.learning.hacks.forms import AcceptForm, DeclineForm, HackRequestForm
from intrapreneur.learning.hacks.models import HackRequest, HackStatus
from intrapreneur.learning.hacks.permissions import (
    can_answer,
    can_read_hack_figures,
    can_request_hacks,
    is_in,
)
from intrapreneur.learning.models import HotSeat, LearningSession
from intrapreneur.learning.permissions import can_view_set

blueprint = Blueprint("hacks", __name__)


# -- asking ------------------------------------------------------------------------------------


def _in_my_zone(moment: datetime | None) -> datetime | None:
    """A wall-clock time typed in the requester's zone, as UTC."""
    if moment is None:
        return None
    return to_utc(moment.date(), moment.time(), current_user.time_zone)


def _form(chosen: Person | None) -> HackRequestForm:
    form = HackRequestForm()
    people = db.session.scalars(expertise.entrepreneurs(date.today())).all()
    form.entrepreneur_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(person.id, person.display_name)
        for person in people
        if person.id != current_user.id
    ]
    tags = expertise.tags_of([chosen.id])[chosen.id] if chosen else []
    form.tag_id.choices = [SelectChoice(0, _("No particular field"))] + [
        SelectChoice(tag.id, tag.name) for tag in tags if tag.retired_at is None
    ]
    if chosen is not None and not form.is_submitted():
        form.entrepreneur_id.data = chosen.id
    return form


def _chosen() -> Person | None:
    """The entrepreneur picked on the page (query string, or the posted form)."""
    raw = request.form.get("entrepreneur_id") or request.args.get("entrepreneur") or ""
    if not raw.isdigit() or int(raw) > 2**31 - 1:
        return None
    return db.session.get(Person, int(raw))


def _ask(challenge: services.Challenge, here: str) -> ResponseReturnValue:
    try:
        services.check_challenge(current_user, challenge, date.today())
    except services.HackRefusal as refusal:
        return render_error(403, refusal.message)
    chosen = _chosen()
    form = _form(chosen)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit() and chosen is None:
            form.entrepreneur_id.errors.append(_("Choose whom to ask."))
        elif not form.errors and chosen is not None:
            try:
                hack = services.request_hack(
                    current_user,
                    chosen,
                    challenge,
                    starts=[_in_my_zone(moment) for moment in form.proposed()],  # type: ignore[misc]
                    message=form.message.data or "",
                    tag_id=form.tag_id.data or None,
                    now=utcnow(),
                )
            except services.HackRefusal as refusal:
                db.session.rollback()
                form.form_errors.append(refusal.message)
                status = refusal.status
            else:
                db.session.commit()
                flash(_("Your request is sent to %(name)s.", name=chosen.display_name), "success")
                return redirect(url_for("hacks.detail", hack_id=hack.id))
    shown = (
        chosen if chosen is not None and expertise.is_entrepreneur(chosen, date.today()) else None
    )
    return render_template(
        "hacks/new.html",
        form=form,
        challenge=challenge,
        here=here,
        chosen=shown,
        windows=expertise.windows_of([shown.id])[shown.id] if shown else [],
        weekdays=weekday_names(),
        length=int(services.hack_length().total_seconds() // 60),
    ), status


@blueprint.route("/hot-seats/<int:hot_seat_id>/hack", methods=["GET", "POST"])
@requires(can_request_hacks)
def from_hot_seat(hot_seat_id: int) -> ResponseReturnValue:
    hot_seat = db.get_or_404(HotSeat, hot_seat_id)
    session = db.session.get(LearningSession, hot_seat.session_id)
    assert session is not None
    ensure(can_view_set(current_user, session.learning_set, date.today()), hide=True)
    here = url_for("hacks.from_hot_seat", hot_seat_id=hot_seat.id)
    return _ask(services.Challenge(hot_seat=hot_seat), here)


@blueprint.route("/experiments/<int:experiment_id>/hack", methods=["GET", "POST"])
@requires(can_request_hacks)
def from_card(experiment_id: int) -> ResponseReturnValue:
    experiment = load_card(experiment_id)
    here = url_for("hacks.from_card", experiment_id=experiment.id)
    return _ask(services.Challenge(experiment=experiment), here)


# -- the two people's pages --------------------------------------------------------------------


def _load(hack_id: int) -> HackRequest:
    """The Hack, or 404 for anyone but its two people (its existence is not revealed)."""
    hack = db.get_or_404(HackRequest, hack_id)
    ensure(is_in(current_user, hack), hide=True)
    return hack


@blueprint.get("/hacks")
@requires(signed_in)
def index() -> ResponseReturnValue:
    return render_template(
        "hacks/index.html",
        asked_of=paginate(queries.asked_of(current_user.id), per_page=20),
        asked_by=db.session.scalars(queries.asked_by(current_user.id).limit(50)).all(),
    )


@blueprint.get("/hacks/<int:hack_id>")
@requires(signed_in)
def detail(hack_id: int) -> ResponseReturnValue:
    hack = _load(hack_id)
    accept_form = AcceptForm()
    accept_form.proposed_id.choices = [SelectChoice(each.id, "") for each in hack.proposed]
    return render_template(
        "hacks/detail.html",
        hack=hack,
        answers=can_answer(current_user, hack),
        accept_form=accept_form,
        decline_form=DeclineForm(),
        now=utcnow(),
    )


def _answer(hack_id: int, form_class, change) -> ResponseReturnValue:  # type: ignore[no-untyped-def]
    hack = _load(hack_id)
    ensure(current_user.id == hack.entrepreneur_id)
    form = form_class()
    if isinstance(form, AcceptForm):
        form.proposed_id.choices = [SelectChoice(each.id, "") for each in hack.proposed]
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("hacks.detail", hack_id=hack.id))
    try:
        change(hack, form)
    except services.HackRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("Your answer is sent."), "success")
    return redirect(url_for("hacks.detail", hack_id=hack.id))


@blueprint.post("/hacks/<int:hack_id>/accept")
@requires(signed_in)
def accept(hack_id: int) -> ResponseReturnValue:
    return _answer(
        hack_id,
        AcceptForm,
        lambda hack, form: services.accept(
            hack, form.proposed_id.data, by=current_user, now=utcnow()
        ),
    )


@blueprint.post("/hacks/<int:hack_id>/decline")
@requires(signed_in)
def decline(hack_id: int) -> ResponseReturnValue:
    return _answer(
        hack_id,
        DeclineForm,
        lambda hack, form: services.decline(
            hack, form.reason.data or "", by=current_user, now=utcnow()
        ),
    )


@blueprint.get("/hacks/<int:hack_id>.ics")
@requires(signed_in)
def calendar_file(hack_id: int) -> ResponseReturnValue:
    hack = _load(hack_id)
    ensure(hack.status is HackStatus.ACCEPTED, hide=True)
    page = url_for("hacks.detail", hack_id=hack.id, _external=True)
    event = hack_event(hack, domain=request.host.split(":")[0], page_url=page)
    return calendar_response(
        session_calendar(event),
        {"Content-Disposition": f'attachment; filename="hack-{hack.id}.ics"'},
    )


# -- HR ----------------------------------------------------------------------------------------


@blueprint.get("/hacks/figures")
@requires(can_read_hack_figures)
def figures() -> ResponseReturnValue:
    demand = queries.tag_demand()
    return render_template(
        "hacks/figures.html",
        figures=queries.figures(),
        demand=demand,
        demand_chart=embeddable(charts.tag_demand(demand)),
    )
