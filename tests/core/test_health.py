"""Liveness and readiness answer in JSON and name what is missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur import create_app
from intrapreneur.settings import DirectorySettings
from tests.conftest import environment_for


def test_healthz_says_the_process_is_up(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_reports_an_unreachable_redis(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{closed_port}/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"].startswith("unavailable")


@pytest.mark.ldap
def test_readyz_binds_to_the_directory(
    client: FlaskClient, use_directory: Callable[..., DirectorySettings], closed_port: int
) -> None:
    use_directory()
    assert client.get("/readyz").json["checks"]["directory"] == "ok"
    use_directory(LDAP_BIND_PASSWORD="not-the-service-password")
    refused = client.get("/readyz")
    assert refused.status_code == 503
    assert refused.json["checks"]["directory"] == "unavailable: DirectoryUnavailable"
    use_directory(LDAP_URL=f"ldap://127.0.0.1:{closed_port}")
    assert client.get("/readyz").status_code == 503


def test_readyz_pings_a_running_redis(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_reports_a_redis_that_refuses_the_password(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    # A TCP connection alone would pass; the PING sees that the app cannot really use Redis.
    server = urlsplit(redis_url)
    wrong = f"redis://:not-the-password@{server.hostname}:{server.port or 6379}/99"
    monkeypatch.setitem(app.config, "REDIS_URL", wrong)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"].startswith("unavailable: ")


def test_readyz_reports_an_unreachable_database(tmp_path: Path, closed_port: int) -> None:
    # No `app` fixture here: the suite's isolation binds db.session to the suite's database.
    cut_off = create_app(
        environment_for(f"postgresql+psycopg://nobody@127.0.0.1:{closed_port}/gone", tmp_path),
        TESTING=True,
    )
    response = cut_off.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "unavailable: OperationalError"},
    }
