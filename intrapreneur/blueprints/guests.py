"""HR's guest entrepreneurs: the list by status, the invitation form, and each guest's page,
where their access end date moves, access is revoked, and invitations are sent again or
withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from wtforms import SelectChoice

from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import VersionedForm
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity import guest_access, invitations, mfa, queries
from intrapreneur.identity.forms import AccessEndForm, InviteGuestForm
from intrapreneur.identity.models import Invitation, Person
from intrapreneur.identity.permissions import can_manage_guests
from intrapreneur.identity.services import IdentityError
from intrapreneur.learning import queries as learning_queries
from intrapreneur.learning import services as learning_services
from intrapreneur.learning.models import Cohort, LearningSet

Place = Cohort | LearningSet
Outcome = TypeVar("Outcome")

blueprint = Blueprint("guests", __name__, url_prefix="/guests")


@blueprint.get("/")
@requires(can_manage_guests)
def index() -> ResponseReturnValue:
    now = datetime.now(UTC)
    shown = request.args.get("status")
    shown = shown if shown in queries.GUEST_FILTERS else None
    return render_template(
        "guests/index.html",
        page=paginate(queries.guest_list(shown, now.date(), now)),
        counts=queries.guest_counts(now.date(), now),
        shown=shown,
        now=now,
        today=now.date(),
    )


@blueprint.route("/invite", methods=["GET", "POST"])
@requires(can_manage_guests)
def invite() -> ResponseReturnValue:
    form = InviteGuestForm()
    places = _places(date.today())
    form.placement.choices = [
        SelectChoice("", _("No cohort yet")),
        *(SelectChoice(key, label) for key, (label, _) in places.items()),
    ]
    if not form.is_submitted():
        form.access_ends_on.data = _default_access_end()
    if form.validate_on_submit():
        try:
            invitation, token = invitations.invite_guest(
                email=form.email.data,
                display_name=form.display_name.data,
                access_ends_on=form.access_ends_on.data,
                invited_by=current_user,
                now=datetime.now(UTC),
            )
            place = places.get(form.placement.data)
            if place is not None:
                _place(invitation.person, place[1])
        except IdentityError as conflict:
            db.session.rollback()
            form.email.errors.append(conflict.message)
            return render_template("guests/invite.html", form=form), conflict.status
        except learning_services.LearningRefusal as refusal:
            db.session.rollback()
            form.placement.errors.append(refusal.message)
            return render_template("guests/invite.html", form=form), refusal.status
        db.session.commit()
        placed_in = places[form.placement.data][0] if place else None
        return _link_shown(invitation, token, placed_in)
    return render_template("guests/invite.html", form=form), 422 if form.is_submitted() else 200


def _default_access_end() -> date:
    return date.today() + timedelta(days=current_app.config["GUEST_ACCESS_DAYS"])


def _link_shown(
    invitation: Invitation, token: str, placed_in: str | None = None
) -> ResponseReturnValue:
    """The new link, shown to HR this once (it is stored only as a hash)."""
    link = url_for("auth.accept_invitation", token=token, _external=True)
    return render_template(
        "guests/invited.html", invitation=invitation, link=link, placed_in=placed_in
    ), 201


def _places(today: date) -> dict[str, tuple[str, Place]]:
    """Where a guest can be invited into: each current cohort, and each of its sets."""
    places: dict[str, tuple[str, Place]] = {}
    for cohort, sets in learning_queries.cohorts_with_sets(today):
        places[f"cohort-{cohort.id}"] = (_("%(cohort)s (no set yet)", cohort=cohort.name), cohort)
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


# -- one guest -----------------------------------------------------------------------------


def _load(guest_id: int) -> tuple[Person, Invitation | None, str]:
    """The guest with their newest invitation and status; 404 for anyone else (employees
    are not looked after here)."""
    now = datetime.now(UTC)
    found = queries.guest_with_status(guest_id, now.date(), now)
    if found is None:
        abort(404)
    return found


def _page(guest_id: int, sent: VersionedForm | None = None) -> str:
    """The guest's page: the form just sent keeps what was typed and its errors; the others
    start from the guest as stored, with the version they were read at."""
    guest, invitation, status = _load(guest_id)
    today = date.today()
    current_end = (
        guest.access_ends_on if guest.access_ends_on and guest.access_ends_on >= today else None
    )
    stored = {"formdata": None, "version": guest.access_version}
    forms = {
        "access_form": AccessEndForm(**stored, access_ends_on=current_end or _default_access_end()),
        "plain_form": VersionedForm(**stored),
    }
    if sent is not None:
        forms["access_form" if isinstance(sent, AccessEndForm) else "plain_form"] = sent
    return render_template(
        "guests/detail.html",
        guest=guest,
        invitation=invitation,
        status=status,
        two_step_on=mfa.is_on(guest),
        invitations=queries.invitations_of(guest.id),
        history=paginate(queries.guest_history(guest.id), per_page=20),
        today=today,
        now=datetime.now(UTC),
        sent=sent,
        **forms,
    )


def _act(
    guest_id: int,
    form: VersionedForm,
    change: Callable[[Person], Outcome],
    done: Callable[[Person, Outcome], ResponseReturnValue],
) -> ResponseReturnValue:
    """Run ``change`` on the guest and commit once, then ``done``; otherwise the guest's
    page with the form's errors (422) or the refusal (its status), nothing changed."""
    guest = _load(guest_id)[0]
    if not form.validate_on_submit():
        if form.version.errors:  # a page that never carried a version: not a browser's post
            return render_error(400)
        return _page(guest_id, form), 422
    try:
        outcome = change(guest)
    except IdentityError as refusal:
        db.session.rollback()
        if isinstance(refusal, guest_access.AccessDateRefused) and isinstance(form, AccessEndForm):
            form.access_ends_on.errors.append(refusal.message)
        else:
            form.form_errors.append(refusal.message)
        return _page(guest_id, form), refusal.status
    db.session.commit()
    return done(guest, outcome)


def _back_with(message: LazyString) -> Callable[[Person, object], ResponseReturnValue]:
    """Back to the guest's page with ``message``, a lazy message naming the guest as %(name)s."""

    def done(guest: Person, outcome: object) -> ResponseReturnValue:
        flash(str(message) % {"name": guest.display_name}, "success")
        return redirect(url_for("guests.detail", guest_id=guest.id))

    return done


@blueprint.get("/<int:guest_id>")
@requires(can_manage_guests)
def detail(guest_id: int) -> ResponseReturnValue:
    return _page(guest_id)


@blueprint.post("/<int:guest_id>/access")
@requires(can_manage_guests)
def change_access(guest_id: int) -> ResponseReturnValue:
    form = AccessEndForm()
    return _act(
        guest_id,
        form,
        lambda guest: guest_access.change_end_date(
            guest,
            form.access_ends_on.data,
            version=form.version.data,
            by=current_user,
            today=date.today(),
            now=datetime.now(UTC),
        ),
        _back_with(_l("%(name)s's access end date is changed, and they are told by email.")),
    )


@blueprint.post("/<int:guest_id>/revoke")
@requires(can_manage_guests)
def revoke(guest_id: int) -> ResponseReturnValue:
    form = VersionedForm()
    return _act(
        guest_id,
        form,
        lambda guest: guest_access.revoke(
            guest,
            version=form.version.data,
            by=current_user,
            today=date.today(),
            now=datetime.now(UTC),
        ),
        _back_with(_l("%(name)s's access has ended, and they are signed out everywhere.")),
    )


@blueprint.post("/<int:guest_id>/invitation")
@requires(can_manage_guests)
def send_again(guest_id: int) -> ResponseReturnValue:
    form = AccessEndForm()
    return _act(
        guest_id,
        form,
        lambda guest: invitations.send_again(
            guest,
            form.access_ends_on.data,
            version=form.version.data,
            by=current_user,
            now=datetime.now(UTC),
        ),
        lambda guest, made: _link_shown(*made),
    )


@blueprint.post("/<int:guest_id>/invitation/withdraw")
@requires(can_manage_guests)
def withdraw(guest_id: int) -> ResponseReturnValue:
    form = VersionedForm()
    return _act(
        guest_id,
        form,
        lambda guest: invitations.withdraw(
            guest, version=form.version.data, by=current_user, now=datetime.now(UTC)
        ),
        _back_with(_l("The invitation to %(name)s is withdrawn: its link now says so.")),
    )
