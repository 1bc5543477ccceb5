"""HTTP security defaults: headers, cookie flags, session lifetimes, signing keys and safe
redirects."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, request, session
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_talisman import Talisman

from intrapreneur.core.errors import render_error

# No inline script or style anywhere: charts pass their data as JSON blocks.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

ONE_YEAR = 365 * 24 * 60 * 60


def content_security_policy(app: Flask) -> dict[str, str]:
    """The policy, with single sign-on's provider allowed as a form's destination: browsers
    apply ``form-action`` to the redirects after a form too, and signing out (a form) ends
    at the provider's sign-out page when the session began there."""
    oidc = app.config.get("OIDC")
    if oidc is None:
        return CONTENT_SECURITY_POLICY
    issuer = urlsplit(oidc.issuer)
    return {**CONTENT_SECURITY_POLICY, "form-action": f"'self' {issuer.scheme}://{issuer.netloc}"}


def init_security_headers(app: Flask) -> None:
    """One Talisman per app: it keeps its options on itself, and tests build several apps."""
    production = app.config["ENV_NAME"] == "production"
    Talisman(
        app,
        # TLS ends at the ingress or proxy; redirecting here would loop behind it.
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=ONE_YEAR,
        session_cookie_secure=production,
        session_cookie_http_only=True,
        content_security_policy=content_security_policy(app),
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )


NUL_REFUSED = _l("The request holds a NUL character, which no field accepts.")


def refuse_nul_characters(app: Flask) -> None:
    """Refuse a request whose query string or form fields hold a NUL, before any view runs:
    no field accepts one, and PostgreSQL refuses it in every string, so it would otherwise
    end as a 500 wherever a text reaches a query (uploaded files are not fields)."""

    @app.before_request
    def _refuse() -> ResponseReturnValue | None:
        fields = [*request.args.items(multi=True)]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields += request.form.items(multi=True)
        if any("\0" in name or "\0" in value for name, value in fields):
            return render_error(400, NUL_REFUSED)
        return None


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it stays on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return default
    return target


def signing_keys() -> list[str]:
    """The keys a signature may carry, in itsdangerous's order: the earlier keys
    (``SECRET_KEY_FALLBACKS``) first, the current one, which signs, last."""
    return [*(current_app.config["SECRET_KEY_FALLBACKS"] or []), current_app.config["SECRET_KEY"]]


# When the session's person signed in (seconds since the epoch), kept in the signed cookie.
SIGNED_IN_AT = "signed_in_at"
FLASK_LOGIN_USER = "_user_id"


def note_signed_in_now() -> None:
    session[SIGNED_IN_AT] = time.time()


def end_sessions_past_their_lifetime(app: Flask) -> None:
    """The absolute lifetime (``SESSION_MAX_HOURS``): however active, a session ends that
    long after its sign-in. (The idle lifetime is the cookie's own, checked by Flask.)"""

    @app.before_request
    def _end() -> None:
        if FLASK_LOGIN_USER not in session:
            return
        hours = app.config["SESSION_MAX_HOURS"]
        started = session.get(SIGNED_IN_AT)
        if not isinstance(started, int | float):
            # A session from before this rule: its lifetime counts from now.
            note_signed_in_now()
        elif time.time() - started > hours * 60 * 60:
            session.clear()
            flash(
                ngettext(
                    "You were signed in for %(num)d hour. Please sign in again.",
                    "You were signed in for %(num)d hours. Please sign in again.",
                    hours,
                ),
                "info",
            )
