"""HR's list of guest entrepreneurs and the invitation form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectChoice

from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity import queries, services
from intrapreneur.identity.forms import InviteGuestForm
from intrapreneur.identity.models import Person
from intrapreneur.identity.permissions import can_manage_guests
from intrapreneur.learning import queries as learning_queries
from intrapreneur.learning import services as learning_services
from intrapreneur.learning.models import Cohort, LearningSet

Place = Cohort | LearningSet

blueprint = Blueprint("guests", __name__, url_prefix="/guests")


@blueprint.get("/")
@requires(can_manage_guests)
def index() -> ResponseReturnValue:
    return render_template(
        "guests/index.html",
        page=paginate(queries.guests_with_latest_invitation()),
        now=datetime.now(UTC),
        today=date.today(),
    )


@blueprint.route("/invite", methods=["GET", "POST"])
@requires(can_manage_guests)
def invite() -> ResponseReturnValue:
    form = InviteGuestForm()
    places = _places(date.today())
    form.placement.choices = [
        SelectChoice("", "No cohort yet"),
        *(SelectChoice(key, label) for key, (label, _) in places.items()),
    ]
    if not form.is_submitted():
        form.access_ends_on.data = date.today() + timedelta(
            days=current_app.config["GUEST_ACCESS_DAYS"]
        )
    if form.validate_on_submit():
        try:
            invitation, token = services.invite_guest(
                email=form.email.data,
                display_name=form.display_name.data,
                access_ends_on=form.access_ends_on.data,
                invited_by=current_user,
                now=datetime.now(UTC),
            )
            place = places.get(form.placement.data)
            if place is not None:
                _place(invitation.person, place[1])
        except services.GuestConflict as conflict:
            db.session.rollback()
            form.email.errors.append(conflict.message)
            return render_template("guests/invite.html", form=form), conflict.status
        except learning_services.LearningRefusal as refusal:
            db.session.rollback()
            form.placement.errors.append(refusal.message)
            return render_template("guests/invite.html", form=form), refusal.status
        db.session.commit()
        link = url_for("auth.accept_invitation", token=token, _external=True)
        placed_in = places[form.placement.data][0] if place else None
        return render_template(
            "guests/invited.html", invitation=invitation, link=link, placed_in=placed_in
        ), 201
    return render_template("guests/invite.html", form=form), 422 if form.is_submitted() else 200


def _places(today: date) -> dict[str, tuple[str, Place]]:
    """Where a guest can be invited into: each current cohort, and each of its sets."""
    places: dict[str, tuple[str, Place]] = {}
    for cohort, sets in learning_queries.cohorts_with_sets(today):
        places[f"cohort-{cohort.id}"] = (f"{cohort.name} (no set yet)", cohort)
        for learning_set in sets:
            places[f"set-{learning_set.id}"] = (
                f"{cohort.name} · {learning_set.name}",
                learning_set,
            )
    return places


def _place(guest: Person, place: Place) -> None:
    """The guest becomes an accepted participant of the cohort, and a member of the set."""
    if isinstance(place, LearningSet):
        learning_services.add_member(place, guest, today=date.today(), by=current_user)
    else:
        learning_services.ensure_participant(place, guest, current_user)
