"""Error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from intrapreneur.core.database import CommitOutcome, commit_outcome
from intrapreneur.core.i18n import API_PREFIX
from intrapreneur.extensions import db, limiter

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood. Go back, check what you entered and try again."),
    401: _l("Please sign in to continue."),
    403: _l(
        "You do not have access to this page. If you think you should, ask the programme team."
    ),
    404: _l("There is no page at this address. It may have moved, or the link may be incomplete."),
    405: _l("This page cannot be used that way."),
    410: _l("This link is no longer valid."),
    413: _l("What you sent is too large. Shorten the text or the file and try again."),
    429: _l("Too many attempts in a short time. Wait a while and try again."),
    500: _l("Something went wrong on our side. Nothing you entered was saved; please try again."),
    503: _l(
        "The database is busy or out of reach for a moment. Nothing you sent was saved; "
        "please try again in a minute."
    ),
}

TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in needed"),
    403: _l("No access"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    410: _l("Link no longer valid"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Try again in a minute"),
}
SAVED_BUT_UNAVAILABLE = _l(
    "Your change was saved, but the database went out of reach before the next page could "
    "be shown. Reload the page in a minute to see it."
)
# The connection was cut while the database was confirming the save: it may have kept it.
MAYBE_SAVED = _l(
    "The database went out of reach just as your change was being saved, so it may or may not "
    "have been kept. In a minute, reload the page to see before you send it again."
)
# How long a client should wait before trying again after a 503.
RETRY_AFTER_SECONDS = 30


def render_error(status: int, message: str | None = None, *, bare: bool = False) -> tuple[str, int]:
    """The error page; ``bare`` leaves out everything that needs the database (the menu)."""
    if request.path.startswith(("/healthz", "/readyz")):
        return {"status": "error", "code": status}, status  # type: ignore[return-value]
    if bare:
        # Chosen without the database: the context processors would look the person up, and
        # so would choosing their language (core/i18n.py reads this mark).
        g.database_unreachable = True
    message = str(message or MESSAGES.get(status, MESSAGES[500]))
    if request.path.startswith(API_PREFIX):
        # API clients are programs: they read the reason as JSON (in English: core.i18n).
        return {"error": message}, status  # type: ignore[return-value]
    context = {"status": status, "title": str(TITLES.get(status, _("Error"))), "message": message}
    if bare:
        # Straight from the template, past the context processors.
        template = current_app.jinja_env.get_template("errors/error.html")
        return template.render(bare_page=True, **context), status
    try:
        return render_template("errors/error.html", **context), status
    except OperationalError:
        # The menu looks the person up; with the database out of reach, that is the news.
        db.session.rollback()
        return render_error(503, bare=True)


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    return render_error(status)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(
        400,
        _(
            "This form had expired or did not come from this site, so nothing was saved. "
            "Reload the page and send it again."
        ),
    )


def _rate_limited(error: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    """Says when the window that was exceeded ends, so nobody has to guess and retry."""
    breached = limiter.current_limit
    resets_at = breached.window[0] if breached else time.time() + 60
    wait = max(1, math.ceil(resets_at - time.time()))
    page, status = render_error(429, _try_again_in(wait))
    return page, status, {"Retry-After": str(wait)}


def _try_again_in(seconds: int) -> str:
    if seconds < 90:
        return ngettext(
            "Too many attempts in a short time. Try again in %(num)d second.",
            "Too many attempts in a short time. Try again in %(num)d seconds.",
            seconds,
        )
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return ngettext(
            "Too many attempts in a short time. Try again in %(num)d minute.",
            "Too many attempts in a short time. Try again in %(num)d minutes.",
            minutes,
        )
    return ngettext(
        "Too many attempts in a short time. Try again in %(num)d hour.",
        "Too many attempts in a short time. Try again in %(num)d hours.",
        math.ceil(minutes / 60),
    )


def _unexpected_error(error: Exception) -> tuple[str, int]:
    # Nothing half-done may be committed after a failure.
    db.session.rollback()
    # The route's pattern, not the path: paths can hold secrets (invitation, calendar links).
    route = request.url_rule.rule if request.url_rule else "(no route)"
    log.exception("unhandled error on %s %s", request.method, route)
    return render_error(500)


def _database_unavailable(error: OperationalError) -> ResponseReturnValue:
    """The database refused or dropped the connection, or a lock wait ran out: the request's
    open transaction is gone as a whole, so nothing is half-written; the pool's pre-ping
    replaces dead connections on the next request. When the request had already committed
    (the outage met the page shown afterwards), the change is kept and the page says so."""
    db.session.rollback()
    route = request.url_rule.rule if request.url_rule else "(no route)"
    # The driver's error class only: SQLAlchemy's message carries the statement's parameters.
    log.warning(
        "database unavailable on %s %s: %s", request.method, route, type(error.orig).__name__
    )
    message = {
        CommitOutcome.SAVED: SAVED_BUT_UNAVAILABLE,
        CommitOutcome.UNKNOWN: MAYBE_SAVED,
    }.get(commit_outcome())
    body, status = render_error(503, message, bare=True)
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)
