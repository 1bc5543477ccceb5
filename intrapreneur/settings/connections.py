"""How the application talks to its database and to Redis: pool and timeout options."""

from __future__ import annotations


def redis_timeouts() -> dict[str, object]:
    # A Redis that does not answer must cost a request a second at most, not a hang.
    return {"socket_connect_timeout": 1, "socket_timeout": 1}


def engine_options(database_url: str) -> dict[str, object]:
    # pre_ping lets the pool survive a database restart without user-visible errors.
    if database_url.startswith("sqlite"):
        return {"pool_pre_ping": True}
    options: dict[str, object] = {"pool_pre_ping": True, "pool_recycle": 1800}
    if database_url.startswith("postgresql+psycopg"):
        # psycopg 3 turns a statement run five times into a server-side prepared one, and
        # PostgreSQL's generic plan for "IN (500 values)" scans the whole table: directory
        # sync went quadratic (bench/README.md). Plain statements are planned per call.
        options["connect_args"] = {"prepare_threshold": None}
    return options
