"""SQL expressions that must mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy import literal, select, text

from intrapreneur.core.models import UTCDateTime
from intrapreneur.core.sql import utc_day
from intrapreneur.extensions import db


def test_a_stored_time_falls_on_its_utc_day_whatever_the_connection_zone(app: Flask) -> None:
    if db.engine.dialect.name == "postgresql":
        # UTC+14: a day cut in the connection's zone would be the next one. The test's
        # rollback undoes the SET.
        db.session.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))
    late_evening = literal(datetime(2024, 5, 1, 23, 30, tzinfo=UTC), UTCDateTime())

    assert db.session.scalar(select(utc_day(late_evening))) == date(2024, 5, 1)
