"""The app logs one JSON object per line, with the request's id and without secrets."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur.core.logs import REDACTED, json_handler, redact_path
from intrapreneur.identity.models import Person
from tests.conftest import run_app_script

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], list[dict]]]:
    """The JSON objects the app's handler writes during the test."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def _refused_sign_in(client: FlaskClient, login: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/sign-in", data={"login": login, "password": "my-secret-attempt-42"}, headers=headers
    )


def test_a_safe_incoming_request_id_is_kept_and_echoed(
    client: FlaskClient, log_lines: Callable[[], list[dict]], make_guest: Callable[..., Person]
) -> None:
    response = _refused_sign_in(client, make_guest().email, **{"X-Request-ID": "edge-7f3a.91:b"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.91:b"
    refused = [line for line in log_lines() if line["message"] == "sign-in refused"]
    assert len(refused) == 1
    assert refused[0]["request_id"] == "edge-7f3a.91:b"
    assert refused[0]["level"] == "WARNING"
    assert refused[0]["reason"] == "wrong_password"
    assert "my-secret-attempt-42" not in json.dumps(log_lines())


@pytest.mark.parametrize(
    "offered",
    [
        "",
        "two words",
        'quote"breaks-json',
        "non-ascii-\u00fc",
        "<script>",
        "x" * 129,
        "-starts-with-dash",
    ],
)
def test_an_unsafe_request_id_is_replaced(
    client: FlaskClient, log_lines: Callable[[], list[dict]], offered: str
) -> None:
    response = _refused_sign_in(client, "nobody@nowhere.example", **{"X-Request-ID": offered})
    chosen = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(chosen)
    assert {line.get("request_id") for line in log_lines()} == {chosen}


def test_every_request_gets_its_own_id(client: FlaskClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert GENERATED_ID.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_secret_looking_fields_are_redacted() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("intrapreneur.tests.redaction")
    logger.addHandler(json_handler(stream))
    logger.propagate = False
    try:
        logger.warning(
            "careless %s",
            "GET /invitations/abc123 HTTP/1.1",
            extra={"password": "p1", "api_token": "t1", "Authorization": "Bearer b1", "user": "u"},
        )
    finally:
        logger.handlers.clear()
        logger.propagate = True
    line = json.loads(stream.getvalue())
    assert line["password"] == line["api_token"] == line["Authorization"] == REDACTED
    assert line["user"] == "u"
    assert line["message"] == "careless GET /invitations/[redacted] HTTP/1.1"
    assert line["logger"] == "intrapreneur.tests.redaction"
    assert "time" in line


SPEAKER = """
import logging
from intrapreneur.core.permissions import public

@public
def speak():
    logging.getLogger("intrapreneur.speaker").warning("spoke", extra={"token": "tok-123"})
    return "ok"

app.add_url_rule("/speak", "speak", speak)
logging.getLogger("intrapreneur.speaker").info("outside any request")
print(app.test_client().get("/speak", headers={"X-Request-ID": "req-0001"}).status_code)
"""


def test_the_app_writes_json_lines_to_stderr(tmp_path: Path) -> None:
    """The real process: nothing but JSON objects on stderr, whatever logger speaks."""
    finished = run_app_script(SPEAKER, tmp_path)
    assert finished.stdout.strip() == "200"
    lines = [json.loads(line) for line in finished.stderr.splitlines()]
    by_message = {line["message"]: line for line in lines}
    assert by_message["spoke"]["request_id"] == "req-0001"
    assert by_message["spoke"]["token"] == REDACTED
    assert "request_id" not in by_message["outside any request"]
    assert "tok-123" not in finished.stderr


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        ("/invitations/AbC.dEf-123", "/invitations/[redacted]"),
        ("POST /password-reset/WzEs.x-Y_z HTTP/1.1", "POST /password-reset/[redacted] HTTP/1.1"),
        ("/calendar/s3cr3t.ics", "/calendar/[redacted]"),
        ("GET /surveys/answer/tok?x=1 HTTP/1.1", "GET /surveys/answer/[redacted]?x=1 HTTP/1.1"),
        ("/sets/12/members", "/sets/12/members"),
        ("/calendar", "/calendar"),
        (
            "GET /sign-in/oidc/callback?code=c0de&state=st4te HTTP/1.1",
            "GET /sign-in/oidc/callback?code=[redacted]&state=[redacted] HTTP/1.1",
        ),
        ("code=c0de&state=st4te", "code=[redacted]&state=[redacted]"),
        ("error=access_denied&state=st4te", "error=access_denied&state=[redacted]"),
        ("/culture?zipcode=1", "/culture?zipcode=1"),
    ],
)
def test_link_secrets_are_taken_out_of_paths(logged: str, kept: str) -> None:
    assert redact_path(logged) == kept


def test_gunicorns_access_log_drops_link_secrets() -> None:
    """The real gunicorn logger's fields, as its access log format reads them."""
    glogging = pytest.importorskip("gunicorn.glogging")
    from gunicorn.config import Config

    from intrapreneur.core.access_log import AccessLogger

    class Answer:
        status = "200 OK"
        headers = [("X-Request-ID", "req-1")]
        sent = 10

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/invitations/secret-token-1?next=/",
        "PATH_INFO": "/invitations/secret-token-1",
        "QUERY_STRING": "next=/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
    }
    logger = AccessLogger(Config())
    assert isinstance(logger, glogging.Logger)
    request_headers = [
        ("X-REQUEST-ID", "req-1"),
        ("REFERER", "https://x/surveys/answer/secret-token-1"),
    ]
    atoms = logger.atoms(Answer(), request_headers, environ, timedelta(seconds=1))
    assert atoms["U"] == "/invitations/[redacted]"
    assert atoms["r"] == "GET /invitations/[redacted]?next=/ HTTP/1.1"
    assert atoms["{x-request-id}o"] == "req-1"
    assert "secret-token-1" not in json.dumps({k: str(v) for k, v in atoms.items()})
