"""Readiness checks: the database always, Redis when configured, and whatever else the
caller names (the health blueprint adds the company directory: core knows no domain)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import redis
from flask import current_app
from sqlalchemy import text

from intrapreneur.core.schema import SchemaNotReady, require_current_schema
from intrapreneur.extensions import db

CHECK_TIMEOUT_SECONDS = 2.0


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
        # Reachable is not enough: pages need the schema this version was written for.
        require_current_schema(db.session.connection())
    finally:
        db.session.rollback()


def _redis() -> None:
    """A PING, not just a TCP connection: a wrong password or a loading Redis fails it too."""
    client = redis.Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


Check = Callable[[], None]


def readiness(more: Mapping[str, Check]) -> dict[str, str]:
    """Name of each configured dependency → "ok" or the reason it is not."""
    checks: dict[str, Check] = {"database": _database}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis
    checks.update(more)
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except SchemaNotReady as problem:
            results[name] = f"not ready: {problem}"
        except Exception as error:
            results[name] = f"unavailable: {type(error).__name__}"
    return results
