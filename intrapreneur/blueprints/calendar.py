"""Calendar files: one session as .ics, and each person's subscription feed."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.learning_access import load_session
from intrapreneur.core.errors import render_error
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.permissions import public, requires, signed_in
from intrapreneur.extensions import db, limiter
from intrapreneur.learning import queries, services
from intrapreneur.learning.calendar import SessionEvent, feed_calendar, session_calendar
from intrapreneur.learning.calendar_feed import session_event
from intrapreneur.learning.forms import ActionForm
from intrapreneur.learning.hacks.events import hack_event
from intrapreneur.learning.hacks.models import HackRequest
from intrapreneur.learning.hacks.queries import accepted_for
from intrapreneur.learning.models import LearningSession

blueprint = Blueprint("calendar", __name__)

# The whole header, given as content_type: as a mimetype, Werkzeug would add its own
# charset parameter to this one (``charset=utf-8; charset=utf-8``, which strict clients refuse).
ICS = "text/calendar; charset=utf-8"


def calendar_response(body: bytes, headers: dict[str, str]) -> Response:
    """Every calendar the app serves goes through here, so each says its charset once."""
    return Response(body, content_type=ICS, headers=headers)


def _event(session: LearningSession) -> SessionEvent:
    page = url_for("sets.detail", set_id=session.set_id, _external=True)
    return session_event(session, domain=request.host.split(":")[0], page_url=page)


def _hack_event(hack: HackRequest) -> SessionEvent:
    """A Hack session in its two people's feeds (``learning.hacks``: not a set's session)."""
    page = url_for("hacks.detail", hack_id=hack.id, _external=True)
    return hack_event(hack, domain=request.host.split(":")[0], page_url=page)


@blueprint.get("/sessions/<int:session_id>.ics")
@requires(signed_in)
def session_file(session_id: int) -> ResponseReturnValue:
    session = load_session(session_id)
    return calendar_response(
        session_calendar(_event(session)),
        {"Content-Disposition": f'attachment; filename="session-{session.id}.ics"'},
    )


@blueprint.get("/calendar")
@requires(signed_in)
def page() -> ResponseReturnValue:
    token = current_user.calendar_token
    feed = url_for("calendar.feed", token=token, _external=True) if token else None
    return render_template("calendar/page.html", feed=feed, form=ActionForm())


@blueprint.post("/calendar/reset")
@requires(signed_in)
def reset() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return render_error(400)
    had_one = current_user.calendar_token is not None
    services.reset_calendar_token(current_user)
    db.session.commit()
    flash(
        _("New calendar link made; the old one no longer works.")
        if had_one
        else _("Your calendar link is ready."),
        "success",
    )
    return redirect(url_for("calendar.page"))


@blueprint.get("/calendar/<token>.ics")
@limiter.limit("60 per minute")
@public
def feed(token: str) -> ResponseReturnValue:
    """Calendar apps cannot sign in, so the unguessable token is the credential."""
    today = date.today()
    person = queries.person_by_calendar_token(token, today) if len(token) <= 64 else None
    if person is None:
        abort(404)
    # Read by the person's calendar app, which sends no language: written in theirs.
    with writing_for(person):
        events = [_event(session) for session in queries.sessions_for_person(person.id, today)]
        events += [_hack_event(hack) for hack in db.session.scalars(accepted_for(person.id))]
        name = _("Intrapreneur — %(name)s", name=person.display_name)
    return calendar_response(
        feed_calendar(events, name=name), {"Cache-Control": "private, max-age=300"}
    )
