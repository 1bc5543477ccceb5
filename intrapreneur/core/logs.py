"""The app's logs: one JSON object per line on stderr, each carrying the request's id.

A log collector (the container runtime, journald, Loki …) then needs no parsing
rules, and one request id ties together the access log line, the app's own lines
and what the person saw (the ``X-Request-ID`` response header).
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like (UUIDs, hex, nginx's $request_id …); anything else could
# forge log lines or carry a secret, so it is replaced by an id of our own.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# Extra fields whose values must never reach a log, whoever passes them by mistake.
SECRET_FIELD = re.compile(r"pass(word|phrase)?|token|secret|authori[sz]ation|cookie|api_?key", re.I)
REDACTED = "[redacted]"
# Routes whose URL holds the credential (invitation, password reset, calendar feed, survey):
# access logs keep the route and drop the secret.
SECRET_IN_PATH = re.compile(r"(/invitations/|/password-reset/|/calendar/|/surveys/answer/)[^/?\s]+")
# Query parameters that carry a credential: single sign-on's authorisation code and state
# (the callback's query string, logged alone or in a request line).
SECRET_IN_QUERY = re.compile(r"(^|[?&])(code|state|id_token|access_token)=[^&\s\"]*")


class _RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record written while a request is being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines whose secret-looking fields and link secrets are blanked out."""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _redacted(key, value) for key, value in log_data.items()}


def _redacted(key: str, value: Any) -> Any:
    if SECRET_FIELD.search(key):
        return REDACTED
    # Messages may quote a path: the development server's request lines, for instance.
    return redact_path(value) if isinstance(value, str) else value


def json_handler(stream: Any = None) -> logging.Handler:
    """A handler writing the app's JSON lines to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    dress(handler, "intrapreneur-json")
    return handler


def dress(handler: logging.Handler, name: str) -> None:
    """Give ``handler`` the app's JSON lines with the request id, and a name to find it by."""
    handler.setFormatter(
        RedactingJsonFormatter(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    )
    handler.addFilter(_RequestIdFilter())
    handler.set_name(name)


def redact_path(text: str) -> str:
    """``text`` (a path, a query string or a request line) with the secrets of
    link-as-credential routes and credential-carrying query parameters out."""
    text = SECRET_IN_PATH.sub(lambda found: found.group(1) + REDACTED, text)
    return SECRET_IN_QUERY.sub(lambda found: f"{found.group(1)}{found.group(2)}={REDACTED}", text)


QUIET_LIBRARIES = ("saml2", "xmlschema")


def configure_logging(app: Flask) -> None:
    """Send every logger's records through one JSON handler on the root logger.

    Replaces its own handler when called again (tests build several apps), and
    leaves other handlers alone (pytest's, for instance).
    """
    root = logging.getLogger()
    remove_handlers(root, "intrapreneur-json")
    root.addHandler(json_handler())
    root.setLevel(app.config["LOG_LEVEL"])
    # Set before the SAML code is imported: pysaml2 logs whole documents (assertions
    # included) below WARNING, and xmlschema chats at INFO as it loads its schemas; neither
    # belongs in the application's log, nor in a command's one-line refusal.
    for chatty in QUIET_LIBRARIES:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)


def remove_handlers(logger: logging.Logger, name: str) -> None:
    """Take off (and close) the handlers of that name an earlier app put on ``logger``."""
    for handler in list(logger.handlers):
        if handler.get_name() == name:
            logger.removeHandler(handler)
            handler.close()


def _assign_request_id() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if SAFE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def _echo_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response
