"""HR's list of guest entrepreneurs and the invitation form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity import queries, services
from intrapreneur.identity.forms import InviteGuestForm
from intrapreneur.identity.permissions import can_manage_guests

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
        except services.GuestConflict as conflict:
            form.email.errors.append(conflict.message)
            return render_template("guests/invite.html", form=form), conflict.status
        db.session.commit()
        link = url_for("auth.accept_invitation", token=token, _external=True)
        return render_template("guests/invited.html", invitation=invitation, link=link), 201
    return render_template("guests/invite.html", form=form), 422 if form.is_submitted() else 200
