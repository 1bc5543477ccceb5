"""Rate-limit counters live in Redis when it is configured, and sign-in survives its outage."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur.extensions import limiter
from intrapreneur.identity.models import Person
from intrapreneur.settings import load
from tests.conftest import GUEST_PASSWORD, REDIS_TEST_URL, needs_redis

REDIS_URL = REDIS_TEST_URL


@pytest.fixture
def limiter_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Point the shared rate limiter at ``storage_url`` the way the settings do, then back."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")

    def use(storage_url: str) -> None:
        loaded = load(
            {"INTRAPRENEUR_ENV": "test", "INTRAPRENEUR_REDIS_URL": storage_url},
            instance_path=Path(app.instance_path),
        ).flask_config()
        for key in ("RATELIMIT_STORAGE_URI", "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"):
            monkeypatch.setitem(app.config, key, loaded[key])
        limiter.init_app(app)

    yield use
    monkeypatch.undo()
    limiter.init_app(app)
    limiter._storage_dead = False  # the next test starts on the memory storage, not the fallback


def _attempts(client: FlaskClient, login: str, password: str, count: int, address: str) -> list:
    data = {"login": login, "password": password}
    return [
        client.post("/sign-in", data=data, environ_base={"REMOTE_ADDR": address}).status_code
        for _ in range(count)
    ]


def test_settings_choose_redis_when_configured_and_memory_otherwise(tmp_path: Path) -> None:
    with_redis = load(
        {"INTRAPRENEUR_ENV": "test", "INTRAPRENEUR_REDIS_URL": REDIS_URL}, instance_path=tmp_path
    ).flask_config()
    assert with_redis["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert with_redis["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert with_redis["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] <= 2
    alone = load({"INTRAPRENEUR_ENV": "test"}, instance_path=tmp_path).flask_config()
    assert alone["RATELIMIT_STORAGE_URI"] == "memory://"


@needs_redis
def test_counters_are_kept_in_redis(
    client: FlaskClient, limiter_on: Callable[[str], None], make_guest: Callable[..., Person]
) -> None:
    limiter_on(REDIS_URL)
    guest = make_guest(email=f"limited-{secrets.token_hex(4)}@guest.example")
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    server = redis.Redis.from_url(REDIS_URL)
    try:
        assert _attempts(client, guest.email, "wrong-password-1", 4, address) == [401] * 3 + [429]
        kept = server.keys(f"*{guest.email}*")
        assert kept, "the per-account counter is in Redis"
        # Another process (a second web pod) sees the same counter: the limit holds there too.
        assert int(server.get(kept[0])) >= 3
    finally:
        for key in server.keys(f"*{guest.email}*") + server.keys(f"*{address}*"):
            server.delete(key)
        server.close()


def test_sign_in_works_and_is_still_limited_while_redis_is_down(
    client: FlaskClient,
    limiter_on: Callable[[str], None],
    make_guest: Callable[..., Person],
    closed_port: int,
) -> None:
    limiter_on(f"redis://127.0.0.1:{closed_port}/0")
    guest, other = make_guest(), make_guest()
    assert _attempts(client, guest.email, "wrong-password-1", 4, "10.9.8.7") == [401] * 3 + [429]
    assert _attempts(client, other.email, GUEST_PASSWORD, 1, "10.9.8.6") == [302]
