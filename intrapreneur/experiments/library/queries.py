"""Reads for the learning library: every decided experiment (column Decided, with its learning
card and decision) that a reader may see, across ventures.

Who may see a card is the boards' own rule, ``experiments.queries.visible_to``, asked in the
same statement: the library never shows what the venture's page would not. Grouping, counting
and paging happen in SQL, so a library of many thousand cards costs the same few statements
as a small one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select

from intrapreneur.core.mail_models import EmailPreference
from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    Experiment,
    Venture,
    Visibility,
)
from intrapreneur.experiments.queries import visible_to
from intrapreneur.extensions import db
from intrapreneur.identity.models import (
    BusinessUnit,
    Department,
    Person,
    PersonKind,
    department_label,
)


@dataclass(frozen=True)
class LibraryFilters:
    """What the reader narrowed the library to. Department and business unit are those of the
    card's owner, who ran the experiment; ``since`` and ``before`` bound when it was decided."""

    assumption: Assumption | None = None
    decision: Decision | None = None
    evidence: Evidence | None = None
    department_id: int | None = None
    business_unit_id: int | None = None
    since: datetime | None = None
    before: datetime | None = None


def decided() -> ColumnElement[bool]:
    """A learning: the card is in Decided with its decision taken."""
    return (
        (Experiment.column == Column.DECIDED)
        & Experiment.decision.is_not(None)
        & Experiment.decided_at.is_not(None)
    )


def _in_order(column: Any, values: list[Any]) -> ColumnElement[int]:
    """Sort by the enum's own order (the method's), not the stored words' alphabet."""
    return case({value: number for number, value in enumerate(values)}, value=column, else_=99)


def _filtered(statement: Select[Any], filters: LibraryFilters) -> Select[Any]:
    conditions = [
        (filters.assumption, Experiment.assumption),
        (filters.decision, Experiment.decision),
        (filters.evidence, Experiment.evidence),
        (filters.department_id, Person.department_id),
        (filters.business_unit_id, Person.business_unit_id),
    ]
    for value, column in conditions:
        if value is not None:
            statement = statement.where(column == value)
    if filters.since is not None:
        statement = statement.where(Experiment.decided_at >= filters.since)
    if filters.before is not None:
        statement = statement.where(Experiment.decided_at < filters.before)
    return statement


def _visible_learnings(statement: Select[Any], reader: Person, today: date) -> Select[Any]:
    """The statement over the reader's visible decided cards, their venture and owner joined.

    The rule is asked once per venture (the ventures the reader sees, as a set), not once per
    card: a venture with a hundred decided cards costs its membership look-ups once."""
    seen = select(Venture.id).where(visible_to(reader, today))
    return (
        statement.select_from(Experiment)
        .join(Venture, Venture.id == Experiment.venture_id)
        .join(Person, Person.id == Experiment.owner_id)
        .where(decided(), Experiment.venture_id.in_(seen))
    )


# What an entry shows: plain rows, not ORM objects (a page never loads more than it shows).
ENTRY = (
    Experiment.id,
    Experiment.title,
    Experiment.assumption,
    Experiment.decision,
    Experiment.evidence,
    Experiment.learning,
    Experiment.decided_at,
    Venture.id.label("venture_id"),
    Venture.title.label("venture_title"),
)


def entries(reader: Person, today: date, filters: LibraryFilters) -> Select[Any]:
    """The entries grouped as the page shows them: by riskiest assumption, then decision,
    newest decision first within each group (for ``core.pagination.paginate``)."""
    statement = _visible_learnings(select(*ENTRY), reader, today)
    return _filtered(statement, filters).order_by(
        _in_order(Experiment.assumption, list(Assumption)),
        _in_order(Experiment.decision, list(Decision)),
        Experiment.decided_at.desc(),
        Experiment.id.desc(),
    )


GroupCounts = dict[tuple[Assumption, Decision], int]


def group_counts(reader: Person, today: date, filters: LibraryFilters) -> GroupCounts:
    """How many entries each (assumption, decision) group holds under the filters: every
    group, the empty ones at 0 (the chart and its table show them all)."""
    statement = _visible_learnings(
        select(Experiment.assumption, Experiment.decision, func.count()), reader, today
    ).group_by(Experiment.assumption, Experiment.decision)
    counts: GroupCounts = {(a, d): 0 for a in Assumption for d in Decision}
    for assumption, decision, count in db.session.execute(_filtered(statement, filters)):
        counts[(assumption, decision)] = count
    return counts


def totals_by_assumption(counts: GroupCounts) -> dict[Assumption, int]:
    return {a: sum(counts[(a, d)] for d in Decision) for a in Assumption}


def departments_offered(reader: Person, today: date) -> list[tuple[int, str]]:
    """The departments (with their unit where units exist) of the owners of the cards this
    reader may see, by label: the filter offers nothing that would find no entry."""
    statement = _visible_learnings(
        select(Department.id, Department.name, BusinessUnit.name).distinct(), reader, today
    )
    rows = db.session.execute(
        statement.join(Department, Department.id == Person.department_id).outerjoin(
            BusinessUnit, BusinessUnit.id == Department.business_unit_id
        )
    )
    labelled = [(id_, department_label(name, unit)) for id_, name, unit in rows]
    return sorted(labelled, key=lambda option: (option[1].casefold(), option[0]))


def business_units_offered(reader: Person, today: date) -> list[tuple[int, str]]:
    statement = _visible_learnings(
        select(BusinessUnit.id, BusinessUnit.name).distinct(), reader, today
    ).join(BusinessUnit, BusinessUnit.id == Person.business_unit_id)
    rows = db.session.execute(statement.order_by(BusinessUnit.name, BusinessUnit.id))
    return [(id_, name) for id_, name in rows]


def _shared_with_organisation(since: datetime, before: datetime) -> ColumnElement[bool]:
    """Learnings decided in [since, before) on ventures shared with the whole organisation:
    what every employee may read (guests never: see ``visible_to``)."""
    return (
        decided()
        & (Venture.visibility == Visibility.ORGANISATION)
        & (Experiment.decided_at >= since)
        & (Experiment.decided_at < before)
    )


def shared_with_organisation(since: datetime, before: datetime, limit: int) -> list[Any]:
    """The newest ``limit`` of those learnings."""
    return list(
        db.session.execute(
            select(*ENTRY)
            .join(Venture, Venture.id == Experiment.venture_id)
            .where(_shared_with_organisation(since, before))
            .order_by(Experiment.decided_at.desc(), Experiment.id.desc())
            .limit(limit)
        )
    )


def count_shared_with_organisation(since: datetime, before: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(Experiment)
        .join(Venture, Venture.id == Experiment.venture_id)
        .where(_shared_with_organisation(since, before))
    )
    return db.session.scalar(statement) or 0


def digest_recipients() -> Select[tuple[Person]]:
    """Employees with an address who are switched on and have not turned the learning digest
    off (no preference row: everything is on). Guests never: the digest is organisation
    content. By id, so a run reads them in a stable order."""
    return (
        select(Person)
        .outerjoin(EmailPreference, EmailPreference.person_id == Person.id)
        .where(
            Person.kind == PersonKind.EMPLOYEE,
            Person.active,
            Person.email.is_not(None),
            Person.erased_at.is_(None),
            EmailPreference.learning_digests.is_not(False),
        )
        .order_by(Person.id)
    )
