"""The Redis and the PostgreSQL server the suite's tests use, found or started once per run.

A server given in the environment is used as it is: ``INTRAPRENEUR_TEST_REDIS_URL``, and for
PostgreSQL ``INTRAPRENEUR_TEST_POSTGRES_URL`` (a server for the tests that need PostgreSQL
even in the SQLite run; in the PostgreSQL run it is ``INTRAPRENEUR_TEST_DATABASE_URL``'s).
Otherwise the usual local server is used when it answers, and else a throwaway one is
started on a free loopback port (tests/reliability/servers.py) and stopped at the end.

The xdist controller decides before it starts its workers and writes the URLs into its own
environment, which the workers inherit: one Redis and one PostgreSQL for the whole run.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from contextlib import ExitStack

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from tests.reliability.servers import (
    POSTGRES_BIN,
    REDIS_SERVER,
    throwaway_postgres,
    throwaway_redis,
)

REDIS_VARIABLE = "INTRAPRENEUR_TEST_REDIS_URL"
POSTGRES_VARIABLE = "INTRAPRENEUR_TEST_POSTGRES_URL"
DATABASE_VARIABLE = "INTRAPRENEUR_TEST_DATABASE_URL"
USUAL_REDIS = "redis://127.0.0.1:6379/0"
USUAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Short: a server this slow to answer is passed over for a throwaway one, which costs seconds.
PROBE_SECONDS = 2


def postgres_run(environ: MutableMapping[str, str] = os.environ) -> bool:
    """True when the suite itself runs on PostgreSQL (INTRAPRENEUR_TEST_DATABASE_URL)."""
    configured = environ.get(DATABASE_VARIABLE)
    return bool(configured) and make_url(configured).get_backend_name() == "postgresql"


def redis_answers(url: str) -> bool:
    try:
        with Redis.from_url(
            url, socket_connect_timeout=PROBE_SECONDS, socket_timeout=PROBE_SECONDS
        ) as client:
            return bool(client.ping())
    except RedisError:
        return False


def postgres_answers(url: str) -> bool:
    """True when the server of ``url`` takes a query from its user without a password prompt."""
    engine = create_engine(
        make_url(url).set(database="postgres"), connect_args={"connect_timeout": PROBE_SECONDS}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        return False
    finally:
        engine.dispose()
    return True


def provide(environ: MutableMapping[str, str]) -> ExitStack:
    """Fill in the Redis and PostgreSQL URLs the environment does not give; the returned stack
    stops the throwaway servers started for them. Without the server programs a URL stays
    unset, and the tests that need it say what is missing."""
    stack = ExitStack()
    try:
        if not environ.get(REDIS_VARIABLE):
            if redis_answers(USUAL_REDIS):
                environ[REDIS_VARIABLE] = USUAL_REDIS
            elif REDIS_SERVER is not None:
                environ[REDIS_VARIABLE] = stack.enter_context(throwaway_redis()).url
        if not environ.get(POSTGRES_VARIABLE):
            if postgres_run(environ):
                environ[POSTGRES_VARIABLE] = environ[DATABASE_VARIABLE]
            elif postgres_answers(USUAL_POSTGRES):
                environ[POSTGRES_VARIABLE] = USUAL_POSTGRES
            elif POSTGRES_BIN is not None:
                environ[POSTGRES_VARIABLE] = stack.enter_context(throwaway_postgres()).url
    except BaseException:
        stack.close()
        raise
    return stack
