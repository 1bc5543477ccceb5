"""Single sign-on with the organisation's OpenID provider: the redirect there and the
callback. Both answer 404 until ``INTRAPRENEUR_OIDC_ISSUER`` is set."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.blueprints.signing_in import after_sign_in, start_session
from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import public
from intrapreneur.core.security import safe_next
from intrapreneur.extensions import db, limiter
from intrapreneur.identity import oidc, oidc_people, services

blueprint = Blueprint("sso", __name__)

# Where to go after the callback, kept across the trip to the provider.
NEXT_KEY = "oidc_next"


def _configured() -> None:
    if oidc.settings() is None:
        abort(404)


@blueprint.get("/sign-in/oidc")
@public
def start() -> ResponseReturnValue:
    """A plain 302 to the provider (no form posts anywhere outside this site)."""
    _configured()
    if current_user.is_authenticated:
        return after_sign_in()
    session[NEXT_KEY] = safe_next(request.args.get("next"), url_for("main.home"))
    try:
        return oidc.authorisation_redirect(url_for("sso.callback", _external=True))
    except services.SignInRefused as refusal:
        return _refused(refusal)


@blueprint.get("/sign-in/oidc/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@public
def callback() -> ResponseReturnValue:
    _configured()
    next_url = session.pop(NEXT_KEY, None) or url_for("main.home")
    try:
        claims = oidc.verified_claims()
        person = oidc_people.person_for(claims, date.today())
    except services.SignInRefused as refusal:
        return _refused(refusal)
    start_session(person, "oidc")
    session[oidc.SESSION_MARK] = True
    db.session.commit()
    return redirect(safe_next(next_url, url_for("main.home")))


def _refused(refusal: services.SignInRefused) -> ResponseReturnValue:
    """A clear page and a log line naming the reason (never a token or code), audited as
    every refused sign-in is."""
    services.note_refused_sign_in(refusal, login="")
    db.session.commit()
    return render_error(refusal.status, refusal.message)
