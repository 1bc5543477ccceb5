"""Error pages: a clear message and the right status, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from intrapreneur.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Go back, check what you entered and try again.",
    401: "Please sign in to continue.",
    403: "You do not have access to this page. If you think you should, ask the programme team.",
    404: "There is no page at this address. It may have moved, or the link may be incomplete.",
    405: "This page cannot be used that way.",
    410: "This link is no longer valid.",
    413: "What you sent is too large. Shorten the text or the file and try again.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you entered was saved; please try again.",
}

TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "No access",
    404: "Page not found",
    405: "Not allowed",
    410: "Link no longer valid",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    if request.path.startswith(("/healthz", "/readyz")):
        return {"status": "error", "code": status}, status  # type: ignore[return-value]
    if request.path.startswith("/api/"):
        # API clients are programs: they read the reason as JSON, as the API's own refusals.
        return {"error": message or MESSAGES.get(status, MESSAGES[500])}, status  # type: ignore[return-value]
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, "Error"),
            message=message or MESSAGES.get(status, MESSAGES[500]),
        ),
        status,
    )


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    return render_error(status)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(
        400,
        "This form had expired or did not come from this site, so nothing was saved. "
        "Reload the page and send it again.",
    )


def _unexpected_error(error: Exception) -> tuple[str, int]:
    # Nothing half-done may be committed after a failure.
    db.session.rollback()
    # The route's pattern, not the path: paths can hold secrets (invitation, calendar links).
    route = request.url_rule.rule if request.url_rule else "(no route)"
    log.exception("unhandled error on %s %s", request.method, route)
    return render_error(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected_error)
    app.register_error_handler(Exception, _unexpected_error)
