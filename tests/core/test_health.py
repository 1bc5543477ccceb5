"""Liveness and readiness answer in JSON and name what is missing."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


def test_healthz_says_the_process_is_up(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.parametrize(("setting", "check"), [("REDIS_URL", "redis"), ("LDAP_URL", "directory")])
def test_readyz_reports_an_unreachable_dependency(
    client: FlaskClient,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    closed_port: int,
    setting: str,
    check: str,
) -> None:
    scheme = "redis" if check == "redis" else "ldap"
    monkeypatch.setitem(app.config, setting, f"{scheme}://127.0.0.1:{closed_port}")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"][check].startswith("unavailable")


def test_readyz_accepts_a_directory_when_any_listed_server_answers(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        alive = listening.getsockname()[1]
        monkeypatch.setitem(
            app.config, "LDAP_URL", f"ldap://127.0.0.1:{closed_port} ldap://127.0.0.1:{alive}"
        )
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["directory"] == "ok"
