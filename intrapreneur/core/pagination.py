"""Page through any SELECT in SQL: LIMIT/OFFSET for the rows plus one COUNT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from intrapreneur.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _positive_arg(name: str, default: int) -> int:
    value = request.args.get(name, type=int)
    return value if value is not None and value > 0 else default


def paginate(statement: Select[Any], *, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """The page the request asks for (``?page=``), or the last one when it asks past it.

    Rows are model instances, or tuples when several entities are selected. Clamping also
    keeps the OFFSET within the database's integers whatever number the URL carries.
    """
    number = _positive_arg("page", 1)
    per_page = min(_positive_arg("per_page", per_page), MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    number = min(number, max(1, -(-(total or 0) // per_page)))
    result = db.session.execute(statement.limit(per_page).offset((number - 1) * per_page))
    rows = list(result.scalars() if len(statement.column_descriptions) == 1 else result.all())
    return Page(rows=rows, number=number, per_page=per_page, total=total or 0)
