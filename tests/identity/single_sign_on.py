"""What the OpenID Connect and SAML sign-in tests share: the employee the directory
provided, a provider served on loopback in a thread, and what a refusal must look like."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

NOT_IN_DIRECTORY = "the company directory of this application does not"


def directory_employee(make_person: Callable[..., Person]) -> Person:
    return make_person(
        directory_id="0b5e-employee",
        username="ann",
        email="ann@corp.example",
        display_name="Ann Employee",
    )


@contextmanager
def served(app: Callable[..., Any], host: str) -> Iterator[int]:
    """``app`` answering on ``host`` (a random port, yielded) in a thread, until the end."""
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def signed_in_person(client: FlaskClient) -> Any:
    with client.session_transaction() as session:
        return session.get("_user_id")


def refused_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_refused"))
    )


def assert_refused_and_logged(
    response: Any,
    client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
    shown: str,
    *,
    reason: str,
    status: int,
) -> str:
    """A clear page saying ``shown``, nobody signed in, the refusal audited with ``reason``
    (one of a fixed few) and logged; the log lines of our loggers, for further checks."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[:800]
    assert shown in page and "Traceback" not in page
    assert signed_in_person(client) is None
    assert refused_events()[-1].details["reason"] == reason
    ours = [record for record in caplog.records if record.name.startswith("intrapreneur")]
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in ours)
    assert "sign-in refused" in logged
    return logged
