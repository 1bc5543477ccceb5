"""SQL expressions that mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement[date]):
    """The UTC calendar day of a stored timestamp (``UTCDateTime`` columns hold UTC).

    Named in lower case like the SQL functions it stands beside in a query.
    """

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLite keeps the UTC time as 'YYYY-MM-DD HH:MM:SS…' text; date() keeps the day part,
    # which compares correctly with Date columns (stored as 'YYYY-MM-DD').
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    # A plain ::date would use the connection's time zone, not UTC.
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')::date"
