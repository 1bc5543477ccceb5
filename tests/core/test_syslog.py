"""The optional syslog destination: audit events (and, if chosen, the app's log) as JSON lines
to a real syslog receiver on loopback, once their transaction commits; off by default."""

from __future__ import annotations

import json
import logging
import queue
import re
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from logging.handlers import SysLogHandler
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur import create_app
from intrapreneur.core import services as audit
from intrapreneur.core.audit_lines import configure_syslog, forwarding
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiScope, Person, Role
from intrapreneur.settings import ConfigError, load
from intrapreneur.settings.monitoring import SyslogSettings
from tests.conftest import (
    FreshContextClient,
    csrf_token,
    database_url_of,
    environment_for,
    sign_in_as,
)

LOCAL3_INFO = SysLogHandler.LOG_LOCAL3 * 8 + SysLogHandler.LOG_INFO
SYSLOG_LINE = re.compile(r"<(\d+)>intrapreneur: (\{.*\})\x00?")


class Receiver:
    """A UDP syslog server on a free loopback port, in a thread; ``next()`` is a message."""

    def __init__(self) -> None:
        self.messages: queue.Queue[str] = queue.Queue()
        received = self.messages

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                received.put(self.request[0].decode("utf-8"))

        self.server = socketserver.UDPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next(self, timeout: float = 5) -> tuple[int, dict[str, Any]]:
        line = SYSLOG_LINE.fullmatch(self.messages.get(timeout=timeout))
        assert line, "a syslog line: <priority>tag: JSON"
        return int(line.group(1)), json.loads(line.group(2))

    def nothing_more(self) -> bool:
        try:
            self.messages.get(timeout=0.3)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    listening = Receiver()
    listening.thread.start()
    yield listening
    listening.server.shutdown()
    listening.server.server_close()


@pytest.fixture
def to_syslog(receiver: Receiver) -> Iterator[Callable[..., None]]:
    """Send to ``receiver`` as the settings would; stop sending afterwards."""

    def configure(app_log: bool = False) -> None:
        configure_syslog(
            SyslogSettings(("127.0.0.1", receiver.port), SysLogHandler.LOG_LOCAL3, app_log)
        )

    yield configure
    configure_syslog(None)


def test_an_action_in_an_app_set_up_for_syslog_reaches_the_receiver(
    app: Flask,
    receiver: Receiver,
    make_person: Callable[..., Person],
    tmp_path: Path,
) -> None:
    """Through the settings, as an operator sets it up: a second app on the same database."""
    admin = make_person(Role.ADMIN)
    issued, _ = api_tokens.create_api_client(
        name="Warehouse", scope=ApiScope.CULTURE_READ, by=admin, now=datetime.now(UTC)
    )
    db.session.commit()
    environment = environment_for(
        str(database_url_of(app).render_as_string(hide_password=False)),
        tmp_path,
        INTRAPRENEUR_SYSLOG_ADDRESS=f"127.0.0.1:{receiver.port}",
        INTRAPRENEUR_SYSLOG_FACILITY="local3",
    )
    syslogged = create_app(environment, TESTING=True)
    syslogged.test_client_class = FreshContextClient
    try:
        client: FlaskClient = syslogged.test_client()
        sign_in_as(client, admin)
        assert receiver.nothing_more()  # the events before it was set up stay in the database

        client.post(
            f"/admin/api-clients/{issued.id}/revoke",
            data={"csrf_token": csrf_token(client, "/admin/api-clients")},
        )

        priority, line = receiver.next()
        assert priority == LOCAL3_INFO
        assert line["logger"] == "intrapreneur.audit" and line["message"] == "api_client.revoked"
        assert line["audit"]["action"] == "api_client.revoked"
        assert line["audit"]["actor_id"] == admin.id
        assert line["audit"]["object_type"] == "api_client"
        assert line["audit"]["object_id"] == str(issued.id)
        assert line["audit"]["details"] == {"name": "Warehouse"}
        assert line["audit"]["ip"] == "127.0.0.1"
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    finally:
        configure_syslog(None)
        with syslogged.app_context():
            db.engine.dispose()


def test_only_committed_events_are_sent(
    app: Flask,
    receiver: Receiver,
    to_syslog: Callable[..., None],
    make_person: Callable[..., Person],
) -> None:
    to_syslog()
    admin = make_person(Role.ADMIN, display_name="Amira Haddad")
    db.session.commit()

    audit.record("person.checked", actor=admin, round="rolled back")
    db.session.flush()
    db.session.rollback()
    with db.session.begin_nested():
        audit.record("person.checked", actor=admin, round="kept")
    try:
        with db.session.begin_nested():
            audit.record("person.checked", actor=admin, round="savepoint rolled back")
            db.session.flush()
            raise LookupError
    except LookupError:
        pass
    assert receiver.nothing_more()  # nothing is sent before the commit
    db.session.commit()

    _, line = receiver.next()
    assert line["audit"]["details"] == {"round": "kept"}
    # Named as at the commit (the database keeps only the number).
    assert (line["audit"]["actor_id"], line["audit"]["actor"]) == (admin.id, "Amira Haddad")
    assert receiver.nothing_more()


def test_the_apps_own_log_goes_too_when_asked(
    app: Flask, receiver: Receiver, to_syslog: Callable[..., None]
) -> None:
    to_syslog(app_log=False)
    logging.getLogger("intrapreneur.test").warning("not sent", extra={"password": "x"})
    assert receiver.nothing_more()

    to_syslog(app_log=True)
    logging.getLogger("intrapreneur.test").warning("disk nearly full", extra={"password": "x"})

    _, line = receiver.next()
    assert line["message"] == "disk nearly full" and line["level"] == "WARNING"
    assert line["password"] == "[redacted]"


def test_a_unix_socket_receives_the_events_too(
    app: Flask, make_person: Callable[..., Person], tmp_path: Path
) -> None:
    path = tmp_path / "log"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listening:
        listening.bind(str(path))
        listening.settimeout(5)
        configure_syslog(SyslogSettings(str(path), SysLogHandler.LOG_AUTH, False))
        try:
            audit.record("person.checked", actor=make_person(), round="unix")
            db.session.commit()
            message = listening.recv(65536).decode()
        finally:
            configure_syslog(None)
    priority, body = SYSLOG_LINE.fullmatch(message).groups()  # type: ignore[union-attr]
    assert int(priority) == SysLogHandler.LOG_AUTH * 8 + SysLogHandler.LOG_INFO
    assert json.loads(body)["audit"]["details"] == {"round": "unix"}


def test_syslog_is_off_by_default_and_its_settings_are_checked(tmp_path: Path) -> None:
    env = environment_for("sqlite://", tmp_path)
    assert load(env).syslog is None
    create_app(env, TESTING=True)
    assert not forwarding()

    chosen = load({**env, "INTRAPRENEUR_SYSLOG_ADDRESS": "[::1]:1514"}).syslog
    assert chosen == SyslogSettings(("::1", 1514), SysLogHandler.LOG_LOCAL0, False)
    unix = load(
        {**env, "INTRAPRENEUR_SYSLOG_ADDRESS": "/dev/log", "INTRAPRENEUR_SYSLOG_APP_LOG": "true"}
    )
    assert unix.syslog == SyslogSettings("/dev/log", SysLogHandler.LOG_LOCAL0, True)
    for variable, value, message in (
        ("SYSLOG_ADDRESS", "syslog.example", "must be host:port"),
        ("SYSLOG_ADDRESS", "syslog.example:99999", "must be host:port"),
        ("SYSLOG_FACILITY", "local9", "must be a syslog facility"),
    ):
        broken = {
            **env,
            "INTRAPRENEUR_SYSLOG_ADDRESS": "127.0.0.1:514",
            f"INTRAPRENEUR_{variable}": value,
        }
        with pytest.raises(ConfigError, match=message):
            load(broken)
