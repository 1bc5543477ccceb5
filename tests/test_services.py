"""The run's Redis and PostgreSQL: a configured server is used as given; without one, throwaway
servers are started and stopped again (tests/services.py)."""

from __future__ import annotations

import pytest

from tests import services
from tests.reliability.servers import (
    POSTGRES_BIN,
    POSTGRES_MISSING,
    REDIS_MISSING,
    REDIS_SERVER,
    free_port,
)


def test_configured_servers_are_used_as_given() -> None:
    environ = {
        services.REDIS_VARIABLE: "redis://cache.example:6379/0",
        services.POSTGRES_VARIABLE: "postgresql+psycopg://tester@db.example/postgres",
    }
    given = dict(environ)
    with services.provide(environ):
        assert environ == given


def test_the_postgresql_run_gives_its_server_to_the_tests_that_need_postgresql() -> None:
    database = "postgresql+psycopg://tester@db.example/intrapreneur_test"
    environ = {
        services.DATABASE_VARIABLE: database,
        services.REDIS_VARIABLE: "redis://cache.example:6379/0",
    }
    with services.provide(environ):
        assert environ[services.POSTGRES_VARIABLE] == database


def test_without_a_server_throwaway_ones_are_started_and_stopped_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if REDIS_SERVER is None:
        pytest.fail(REDIS_MISSING)
    if POSTGRES_BIN is None:
        pytest.fail(POSTGRES_MISSING)
    # The usual addresses, as on a machine where neither server runs.
    nobody = free_port()
    monkeypatch.setattr(services, "USUAL_REDIS", f"redis://127.0.0.1:{nobody}/0")
    monkeypatch.setattr(
        services, "USUAL_POSTGRES", f"postgresql+psycopg://postgres@127.0.0.1:{nobody}/postgres"
    )
    environ: dict[str, str] = {}

    with services.provide(environ):
        redis_url = environ[services.REDIS_VARIABLE]
        postgres_url = environ[services.POSTGRES_VARIABLE]
        assert services.redis_answers(redis_url)
        assert services.postgres_answers(postgres_url)
        assert str(nobody) not in redis_url + postgres_url

    assert not services.redis_answers(redis_url)
    assert not services.postgres_answers(postgres_url)
