"""SQL expressions that mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Float, String, case, func
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


class utc_month(FunctionElement[str]):
    """'YYYY-MM' of a stored timestamp's UTC date: monthly trends group by it."""

    type = String()
    inherit_cache = True
    name = "utc_month"


@compiles(utc_month)
def _utc_month_sqlite(element: utc_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(utc_month, "postgresql")
def _utc_month_postgresql(element: utc_month, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


class days_between(FunctionElement[float]):
    """Days (with fractions) from the first timestamp to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 86400.0)"


def count_if(condition: Any) -> Any:
    """How many rows of a group meet ``condition``: 0, never NULL, for a group with none."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
