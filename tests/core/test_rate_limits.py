"""Sign-in is limited per account and per client address against guessing, with a message
saying when to try again; the counters live in Redis when it is configured, and sign-in
survives its outage."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import limits.storage.memory
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur.extensions import limiter
from intrapreneur.identity.models import Person
from intrapreneur.settings import load
from tests.conftest import GUEST_PASSWORD, csrf_token


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
    configured = "redis://cache.example:6379/0"
    with_redis = load(
        {"INTRAPRENEUR_ENV": "test", "INTRAPRENEUR_REDIS_URL": configured}, instance_path=tmp_path
    ).flask_config()
    assert with_redis["RATELIMIT_STORAGE_URI"] == configured
    assert with_redis["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert with_redis["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] <= 2
    alone = load({"INTRAPRENEUR_ENV": "test"}, instance_path=tmp_path).flask_config()
    assert alone["RATELIMIT_STORAGE_URI"] == "memory://"


def test_counters_are_kept_in_redis(
    client: FlaskClient,
    limiter_on: Callable[[str], None],
    make_guest: Callable[..., Person],
    redis_url: str,
) -> None:
    limiter_on(redis_url)
    guest = make_guest(email=f"limited-{secrets.token_hex(4)}@guest.example")
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    server = redis.Redis.from_url(redis_url)
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


# -- brute force: the default limit (10 per minute), CSRF on, no proxy trusted ----------------

LIMIT = 10


def _guess(client: FlaskClient, login: str, address: str, **headers: str) -> int:
    data = {"csrf_token": csrf_token(client, "/sign-in"), "login": login, "password": "guess-1"}
    return client.post(
        "/sign-in", data=data, environ_base={"REMOTE_ADDR": address}, headers=headers
    ).status_code


def test_the_account_limit_holds_when_the_attacker_changes_address(
    client: FlaskClient, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest()
    statuses = [_guess(client, guest.email, f"10.2.0.{n}") for n in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]


def test_the_address_limit_holds_when_the_attacker_changes_account(client: FlaskClient) -> None:
    statuses = [_guess(client, f"user{n}@guest.example", "10.3.0.1") for n in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]


def test_a_forged_forwarded_for_header_gives_no_fresh_address(
    client: FlaskClient, app: Flask
) -> None:
    """No proxy is trusted by default, so X-Forwarded-For is the sender's own invention."""
    assert app.config["TRUSTED_PROXIES"] == 0
    statuses = [
        _guess(client, f"user{n}@guest.example", "10.4.0.1", **{"X-Forwarded-For": f"10.9.9.{n}"})
        for n in range(LIMIT + 1)
    ]
    assert statuses == [401] * LIMIT + [429]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The rate limiter's clock (its in-memory counters), moved on by ``clock.skip(seconds)``."""
    shifted = SimpleNamespace(offset=0.0)
    monkeypatch.setattr(
        limits.storage.memory, "time", SimpleNamespace(time=lambda: time.time() + shifted.offset)
    )
    shifted.skip = lambda seconds: setattr(shifted, "offset", shifted.offset + seconds)
    return shifted


def test_the_refusal_says_when_to_try_again_and_the_owner_gets_in_after_it(
    client: FlaskClient, make_guest: Callable[..., Person], clock: SimpleNamespace
) -> None:
    guest = make_guest()
    for n in range(LIMIT):
        _guess(client, guest.email, f"10.5.0.{n}")
    data = {"csrf_token": csrf_token(client, "/sign-in"), "login": guest.email}
    refused = client.post("/sign-in", data={**data, "password": GUEST_PASSWORD})

    assert refused.status_code == 429  # even the right password waits: it may be a guess
    page = refused.get_data(as_text=True)
    said = re.search(r"Too many attempts in a short time\. Try again in (\d+) seconds\.", page)
    assert said and 1 <= int(said.group(1)) <= 60
    assert refused.headers["Retry-After"] == said.group(1)

    clock.skip(int(said.group(1)) + 1)
    assert client.post("/sign-in", data={**data, "password": GUEST_PASSWORD}).status_code == 302
