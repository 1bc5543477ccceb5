"""What erasing a person would do, table by table, for their data-protection page: counted
in SQL with the same conditions the erasure acts on (``plan``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy.erasure.plan import plans
from intrapreneur.privacy.erasure.text import Mentions
from intrapreneur.privacy.settings import TextMode


@dataclass(frozen=True)
class TableEffect:
    table: str
    deleted: int  # rows about them, deleted
    changed: int  # rows whose values or text change (text: at most, before the word check)
    kept: int  # rows about or by them kept as they are: they then point at the tombstone


def _count(condition: ColumnElement[bool] | None) -> ColumnElement[int]:
    return func.count(case((condition, 1))) if condition is not None else literal(0)


def erasure_effects(person: Person, modes: dict[str, TextMode]) -> list[TableEffect]:
    """Per table, the rows erasing ``person`` would delete, change and keep: one query per
    table that could hold anything of theirs, tables with nothing left out."""
    mentions = Mentions.of(person)
    effects = []
    for plan in plans():
        linked, deleted = plan.linked(person.id), plan.deleted(person.id)
        changing = [
            condition
            for condition in (
                plan.erased(person.id),
                plan.rewritten(person.id, modes),
                plan.mentioning(mentions),
            )
            if condition is not None
        ]
        if linked is None and not changing:
            continue
        changed = or_(*changing) if changing else None
        kept = _unless(_unless(linked, changed), deleted)
        deleted_count, changed_count, kept_count = db.session.execute(
            select(_count(deleted), _count(_unless(changed, deleted)), _count(kept))
            .select_from(plan.table)
            .where(or_(*(c for c in (linked, changed) if c is not None)))
        ).one()
        if deleted_count or changed_count or kept_count:
            effects.append(TableEffect(plan.name, deleted_count, changed_count, kept_count))
    return effects


def _unless(
    condition: ColumnElement[bool] | None, exception: ColumnElement[bool] | None
) -> ColumnElement[bool] | None:
    """``condition`` and not ``exception``, where an unknown exception (a LIKE on NULL
    text) counts as false."""
    if condition is None or exception is None:
        return condition
    return and_(condition, not_(func.coalesce(exception, False)))
