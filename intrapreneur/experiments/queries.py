"""Reads for ventures and their boards: teams, who may see what, cards and lineage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    Subquery,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Experiment,
    Review,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people
from intrapreneur.identity.models import Person
from intrapreneur.learning.queries import current_set_ids


def team_of(venture_id: int) -> list[VentureMember]:
    return list(
        db.session.scalars(
            select(VentureMember)
            .where(VentureMember.venture_id == venture_id)
            .order_by(VentureMember.role.desc(), VentureMember.id)
        )
    )


def team_role(venture_id: int, person_id: int) -> TeamRole | None:
    return db.session.scalar(
        select(VentureMember.role).where(
            VentureMember.venture_id == venture_id, VentureMember.person_id == person_id
        )
    )


def may_see(person: Person, venture_id: int, today: date) -> bool:
    """``visible_to`` asked of one venture."""
    return bool(
        db.session.scalar(
            select(exists().where(Venture.id == venture_id, visible_to(person, today)))
        )
    )


def manages_team(person_id: int, venture_id: int) -> bool:
    """Is this person above any team member in the management chain (at any depth)?"""
    team = [m.person_id for m in team_of(venture_id)]
    chains = people.management_chains(team)
    return any(person_id in chain for chain in chains.values()) and person_id not in team


def shared_set_ids(venture_id: int) -> list[int]:
    return list(
        db.session.scalars(select(VentureShare.set_id).where(VentureShare.venture_id == venture_id))
    )


def experiments_of(venture_id: int) -> list[Experiment]:
    return list(
        db.session.scalars(
            select(Experiment).where(Experiment.venture_id == venture_id).order_by(Experiment.id)
        )
    )


def has_experiments(venture_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Experiment.venture_id == venture_id))))


def has_reviews(venture_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Review.venture_id == venture_id))))


def venture_of(experiment_id: int) -> Venture | None:
    return db.session.scalar(
        select(Venture)
        .join(Experiment, Experiment.venture_id == Venture.id)
        .where(Experiment.id == experiment_id)
    )


@dataclass(frozen=True)
class LineageRow:
    experiment: Experiment
    generation: int  # 0 for a first experiment, its child 1, and so on
    children: int


def lineage(venture_id: int) -> list[LineageRow]:
    """The venture's experiments as a tree read top-down, newest first at every level.

    One query; the walk uses an explicit stack, so a chain of any depth (an MVP
    tested again a hundred times) cannot hit Python's recursion limit.
    """
    experiments = experiments_of(venture_id)
    ids = {e.id for e in experiments}
    children: dict[int | None, list[Experiment]] = {}
    for experiment in experiments:
        parent = experiment.parent_id if experiment.parent_id in ids else None
        children.setdefault(parent, []).append(experiment)
    rows: list[LineageRow] = []
    stack = [(root, 0) for root in children.get(None, [])]  # ascending id: newest popped first
    while stack:
        experiment, generation = stack.pop()
        below = children.get(experiment.id, [])
        rows.append(LineageRow(experiment, generation, len(below)))
        stack.extend((child, generation + 1) for child in below)
    return rows


# -- the ventures list and the board ---------------------------------------------------------


def _report_ids(manager_id: int) -> Select[tuple[int]]:
    """Everyone below this manager at any depth (UNION ends the walk on a cycle)."""
    chain = select(Person.id).where(Person.manager_id == manager_id).cte("reports", recursive=True)
    chain = chain.union(select(Person.id).join(chain, Person.manager_id == chain.c.id))
    return select(chain.c.id)


def visible_to(person: Person, today: date) -> ColumnElement[bool]:
    """The ventures ``permissions.can_view_venture`` lets this person see, as one condition."""
    on_team = exists().where(
        VentureMember.venture_id == Venture.id, VentureMember.person_id == person.id
    )
    shared = exists().where(
        VentureShare.venture_id == Venture.id,
        VentureShare.set_id.in_(current_set_ids(person.id, today)),
    )
    seen = [on_team, (Venture.visibility != Visibility.PRIVATE) & shared]
    if not person.is_guest:
        reports_on_team = exists().where(
            VentureMember.venture_id == Venture.id,
            VentureMember.person_id.in_(_report_ids(person.id)),
        )
        seen += [Venture.visibility == Visibility.ORGANISATION, reports_on_team]
    return or_(*seen)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _card_counts() -> Subquery:
    """Per venture: cards in each column, pivots and kills."""
    return (
        select(
            Experiment.venture_id,
            *(_count_if(Experiment.column == column).label(column.value) for column in Column),
            _count_if(Experiment.decision == Decision.PIVOT).label("pivots"),
            _count_if(Experiment.decision == Decision.KILL).label("kills"),
        )
        .group_by(Experiment.venture_id)
        .subquery("card_counts")
    )


def _owner_names() -> Subquery:
    return (
        select(
            VentureMember.venture_id,
            func.aggregate_strings(Person.display_name, ", ").label("owners"),
        )
        .join(Person, Person.id == VentureMember.person_id)
        .where(VentureMember.role == TeamRole.OWNER)
        .group_by(VentureMember.venture_id)
        .subquery("owner_names")
    )


SUMMARY_COUNTS = (*(column.value for column in Column), "pivots", "kills")


def _with_summary(person_id: int) -> Select[Any]:
    """Ventures with their owners, counts and the person's own team role, in one statement."""
    counts, owners = _card_counts(), _owner_names()
    mine = aliased(VentureMember)
    return (
        select(
            Venture,
            mine.role.label("my_role"),
            owners.c.owners,
            *(func.coalesce(counts.c[name], 0).label(name) for name in SUMMARY_COUNTS),
        )
        .outerjoin(mine, (mine.venture_id == Venture.id) & (mine.person_id == person_id))
        .outerjoin(counts, counts.c.venture_id == Venture.id)
        .outerjoin(owners, owners.c.venture_id == Venture.id)
    )


def ventures_for(person: Person, today: date) -> Select[Any]:
    """The ventures this person may see: their own team's first, then the others by title."""
    statement = _with_summary(person.id).where(visible_to(person, today))
    not_mine = case((statement.selected_columns.my_role.is_(None), 1), else_=0)
    return statement.order_by(not_mine, Venture.title, Venture.id)


def decision_counts(venture_id: int) -> Row[Any]:
    """``pivots`` and ``kills`` on the whole board, whatever it is filtered by."""
    return db.session.execute(
        select(
            func.count().filter(Experiment.decision == Decision.PIVOT).label("pivots"),
            func.count().filter(Experiment.decision == Decision.KILL).label("kills"),
        ).where(Experiment.venture_id == venture_id)
    ).one()


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None
    column: Column | None = None
    assumption: Assumption | None = None
    overdue: bool = False
    awaiting: bool = False

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments: links, exports and the audit log use these."""
        chosen = {
            "owner": str(self.owner_id) if self.owner_id else "",
            "column": self.column.value if self.column else "",
            "assumption": self.assumption.value if self.assumption else "",
            "overdue": "1" if self.overdue else "",
            "awaiting": "1" if self.awaiting else "",
        }
        return {name: value for name, value in chosen.items() if value}


def _overdue(today: date) -> ColumnElement[bool]:
    return (Experiment.column != Column.DECIDED) & (Experiment.ends_on < today)


def _filtered(statement: Select[Any], filters: BoardFilters, today: date) -> Select[Any]:
    if filters.owner_id:
        statement = statement.where(Experiment.owner_id == filters.owner_id)
    if filters.column:
        statement = statement.where(Experiment.column == filters.column)
    if filters.assumption:
        statement = statement.where(Experiment.assumption == filters.assumption)
    if filters.overdue:
        statement = statement.where(_overdue(today))
    if filters.awaiting:
        statement = statement.where(Experiment.review_requested_at.is_not(None))
    return statement


def board_cards(venture_id: int, filters: BoardFilters, today: date) -> Select[tuple[Experiment]]:
    """The venture's cards that pass the filters, oldest first, whole (for the export)."""
    statement = select(Experiment).where(Experiment.venture_id == venture_id)
    return _filtered(statement, filters, today).order_by(Experiment.id)


# What a card on the board shows: plain rows, not ORM objects, because a board may hold
# thousands of cards and building objects for each would cost more than the query.
CARD_FACE = (
    Experiment.id,
    Experiment.title,
    Experiment.column,
    Experiment.assumption,
    Experiment.evidence,
    Experiment.starts_on,
    Experiment.ends_on,
    Experiment.cost_requested,
    Experiment.days_requested,
    Experiment.budget_approved,
    Experiment.review_requested_at,
    Experiment.decision,
    Experiment.version,
    Person.display_name.label("owner_name"),
)


def card_faces(venture_id: int, filters: BoardFilters, today: date) -> Select[Any]:
    """The faces of the cards that pass the filters, oldest first (for paging one column)."""
    statement = (
        select(*CARD_FACE)
        .join(Person, Person.id == Experiment.owner_id)
        .where(Experiment.venture_id == venture_id)
    )
    return _filtered(statement, filters, today).order_by(Experiment.id)


def first_card_faces(
    venture_id: int, filters: BoardFilters, today: date, per_column: int
) -> list[Row[Any]]:
    """The oldest ``per_column`` cards of each column, ranked in SQL: a board with
    thousands of cards shows a page of each column, like every other list."""
    rank = func.row_number().over(partition_by=Experiment.column, order_by=Experiment.id)
    ranked = card_faces(venture_id, filters, today).add_columns(rank.label("rank")).subquery()
    return list(
        db.session.execute(select(ranked).where(ranked.c.rank <= per_column).order_by(ranked.c.id))
    )


def column_counts(venture_id: int, filters: BoardFilters, today: date) -> dict[Column, int]:
    statement = select(Experiment.column, func.count()).where(Experiment.venture_id == venture_id)
    statement = _filtered(statement, filters, today).group_by(Experiment.column)
    counts = dict.fromkeys(Column, 0)
    counts.update(db.session.execute(statement).all())
    return counts


def overdue_of(venture_id: int, today: date, limit: int) -> list[Row[Any]]:
    """The ``limit`` longest-overdue cards, plus one more row when there are more, so the
    page can offer the overdue filter instead without counting them."""
    return list(
        db.session.execute(
            select(*CARD_FACE)
            .join(Person, Person.id == Experiment.owner_id)
            .where(Experiment.venture_id == venture_id, _overdue(today))
            .order_by(Experiment.ends_on, Experiment.id)
            .limit(limit + 1)
        )
    )


def card_owners(venture_id: int) -> list[Row[Any]]:
    """Ids and names of the team and anyone else who owns one of its cards (someone who
    has left the team), by name: the board's owner filter."""
    owners = select(Experiment.owner_id).where(Experiment.venture_id == venture_id)
    team = select(VentureMember.person_id).where(VentureMember.venture_id == venture_id)
    return list(
        db.session.execute(
            select(Person.id, Person.display_name)
            .where(Person.id.in_(owners) | Person.id.in_(team))
            .order_by(Person.display_name)
        )
    )


def children_of(experiment_id: int) -> list[Experiment]:
    return list(
        db.session.scalars(
            select(Experiment).where(Experiment.parent_id == experiment_id).order_by(Experiment.id)
        )
    )


def _events_of(object_type: str, object_ids: Any) -> ColumnElement[bool]:
    return (AuditEvent.object_type == object_type) & AuditEvent.object_id.in_(object_ids)


def _newest_first(condition: ColumnElement[bool]) -> Select[tuple[AuditEvent]]:
    return (
        select(AuditEvent)
        .where(condition)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


def venture_activity(venture_id: int) -> Select[tuple[AuditEvent]]:
    """Audit events of the venture and of its cards (the audit log keeps ids as text)."""
    card_ids = select(cast(Experiment.id, String)).where(Experiment.venture_id == venture_id)
    return _newest_first(
        _events_of("venture", [str(venture_id)]) | _events_of("experiment", card_ids)
    )


def card_activity(experiment_id: int) -> Select[tuple[AuditEvent]]:
    return _newest_first(_events_of("experiment", [str(experiment_id)]))


def active_person(login: str) -> Person | None:
    """An active account by email (any case) or username, to add to a team."""
    login = login.lower()
    return db.session.scalar(
        select(Person).where(
            Person.active, (func.lower(Person.email) == login) | (Person.username == login)
        )
    )


def working_ventures(person_id: int) -> list[Venture]:
    """Ventures this person is on the team of and that are not archived, by title."""
    return list(
        db.session.scalars(
            select(Venture)
            .join(VentureMember, VentureMember.venture_id == Venture.id)
            .where(VentureMember.person_id == person_id, Venture.archived_at.is_(None))
            .order_by(Venture.title)
        )
    )


def membership(venture_id: int, person_id: int) -> VentureMember | None:
    return db.session.scalar(
        select(VentureMember).where(
            VentureMember.venture_id == venture_id, VentureMember.person_id == person_id
        )
    )


def card_titles(experiment_ids: list[int], reader: Person, today: date) -> dict[int, str]:
    """The titles of those cards whose venture the reader may still see (someone who left
    its team keeps the commitment, not a view of the board)."""
    return dict(
        db.session.execute(
            select(Experiment.id, Experiment.title)
            .join(Venture, Venture.id == Experiment.venture_id)
            .where(Experiment.id.in_(experiment_ids), visible_to(reader, today))
        ).all()
    )


@dataclass(frozen=True)
class LearningCards:
    """Learning cards set members recorded between two sessions, as the reader may see them."""

    shown: list[Experiment]
    not_shown: int  # counted only: not shared with this set, or not with this reader


def learning_cards_for_set(
    set_id: int,
    member_ids: list[int],
    since: datetime | None,
    until: datetime,
    *,
    reader: Person,
    today: date,
) -> LearningCards:
    """Cards decided in (since, until] by these members, in one query. Shown when the
    venture is shared into this set or organisation-wide, and only as far as the board's
    own rule (``visible_to``) lets the reader see it: HR, in no set, sees the
    organisation's cards but not a set's shared work. The rest are only counted."""
    shared = exists().where(VentureShare.venture_id == Venture.id, VentureShare.set_id == set_id)
    for_the_set = ((Venture.visibility != Visibility.PRIVATE) & shared) | (
        Venture.visibility == Visibility.ORGANISATION
    )
    shown = case((for_the_set & visible_to(reader, today), 1), else_=0)
    query = (
        select(Experiment, shown)
        .join(Venture, Venture.id == Experiment.venture_id)
        .where(
            Experiment.owner_id.in_(member_ids),
            Experiment.decided_at.is_not(None),
            Experiment.decided_at <= until,
        )
        .order_by(Experiment.decided_at)
    )
    if since is not None:
        query = query.where(Experiment.decided_at > since)
    rows = db.session.execute(query).all()
    return LearningCards(
        [experiment for experiment, is_shown in rows if is_shown],
        sum(1 for _, is_shown in rows if not is_shown),
    )
