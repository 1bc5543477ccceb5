"""Readiness checks: the database always, Redis and the directory when configured."""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import text

from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory

CHECK_TIMEOUT_SECONDS = 2.0


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def _tcp_reachable(url: str, default_port: int) -> None:
    parts = urlsplit(url)
    address = (parts.hostname or "localhost", parts.port or default_port)
    socket.create_connection(address, CHECK_TIMEOUT_SECONDS).close()


def _redis() -> None:
    _tcp_reachable(current_app.config["REDIS_URL"], 6379)


def _directory() -> None:
    Directory(current_app.config["DIRECTORY"]).ping()


def readiness() -> dict[str, str]:
    """Name of each configured dependency → "ok" or the reason it is not."""
    checks: dict[str, Callable[[], None]] = {"database": _database}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis
    if current_app.config.get("DIRECTORY"):
        checks["directory"] = _directory
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:
            results[name] = f"unavailable: {type(error).__name__}"
    return results
