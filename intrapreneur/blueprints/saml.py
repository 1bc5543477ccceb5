"""Single sign-on with the organisation's SAML 2.0 identity provider: this service
provider's metadata, the redirect to the IdP and the assertion consumer service the IdP
posts its answer to. All answer 404 until ``INTRAPRENEUR_SAML_IDP_METADATA`` is set.

The IdP's answer is a cross-site POST: the session cookie (SameSite=Lax) does not come
with it, and the page posting it is the IdP's, so it cannot carry our CSRF token either.
What binds the answer to the browser that asked is the request kept in the database by
its id (``saml_store``), which the answer must name (InResponseTo, inside the signed
assertion too) and may use once, and a token in a cookie of its own for this trip only:
SameSite=None (so the IdP's POST carries it), Secure, HttpOnly, limited to the ACS path
and to the request's ten minutes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.blueprints.signing_in import after_sign_in, next_url, start_session
from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import public
from intrapreneur.core.security import safe_next
from intrapreneur.extensions import csrf, db, limiter
from intrapreneur.identity import saml, saml_store, services, sso_people

blueprint = Blueprint("saml", __name__)

BROWSER_COOKIE = "intrapreneur_saml"


def _configured() -> None:
    if saml.settings() is None:
        abort(404)


def _acs_url() -> str:
    return url_for("saml.acs", _external=True)


@blueprint.get("/sign-in/saml/metadata")
@public
def metadata() -> ResponseReturnValue:
    """What the IdP's administrator registers (entity id, ACS URL, signing certificate)."""
    _configured()
    try:
        document = saml.sp_metadata(_acs_url())
    except services.SignInRefused as refusal:
        return render_error(refusal.status, refusal.message)
    return Response(document, mimetype="application/samlmetadata+xml")


@blueprint.get("/sign-in/saml")
# Each start keeps a row until answered or ten minutes pass: limited as sign-ins are.
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@public
def start() -> ResponseReturnValue:
    """A plain 302 to the IdP's single sign-on URL carrying the AuthnRequest."""
    _configured()
    if current_user.is_authenticated:
        return after_sign_in()
    try:
        request_id, location = saml.authn_request(_acs_url())
    except services.SignInRefused as refusal:
        return _refused(refusal)
    browser_token = saml_store.remember_request(request_id, next_url(), datetime.now(UTC))
    db.session.commit()
    response = redirect(location)
    response.set_cookie(
        BROWSER_COOKIE,
        browser_token,
        max_age=int(saml_store.REQUEST_LIFETIME.total_seconds()),
        path=url_for("saml.acs"),
        secure=True,
        httponly=True,
        samesite="None",
    )
    return response


@blueprint.post("/sign-in/saml/acs")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@public
def acs() -> ResponseReturnValue:
    _configured()
    now = datetime.now(UTC)
    try:
        posted = saml.posted_response(request.form.get("SAMLResponse"))
        going_to = saml_store.take_request(
            posted.in_response_to, request.cookies.get(BROWSER_COOKIE), now
        )
        saml.refuse_error_status(posted)
        assertion = saml.verified_assertion(posted, _acs_url(), request.remote_addr or "")
        used = [f"request:{posted.in_response_to}", f"assertion:{assertion.id}"]
        saml_store.mark_used(used, assertion.not_on_or_after, now)
        person = sso_people.person_for(saml.identity_of(assertion), date.today())
    except services.SignInRefused as refusal:
        response = _refused(refusal)
    else:
        start_session(person, "saml")
        db.session.commit()
        response = redirect(safe_next(going_to, url_for("main.home")))
    response.delete_cookie(BROWSER_COOKIE, path=url_for("saml.acs"), secure=True, samesite="None")
    return response


# The IdP's page posts here: it cannot hold our CSRF token. The answer's signature and the
# single-use request bound to this browser (see the module's docstring) stand in for it.
csrf.exempt(acs)


def _refused(refusal: services.SignInRefused) -> Response:
    """A clear page and a log line naming the reason (never the assertion), audited as
    every refused sign-in is."""
    services.note_refused_sign_in(refusal, login="")
    db.session.commit()
    return current_app.make_response(render_error(refusal.status, refusal.message))
