"""What is searchable: for each kind of item, the SELECT that builds its index rows from
the row it copies (and the rows it is read with). The index is written only from these,
whether one edited card is refreshed or every row of a database is rebuilt.

Migration 0036 fills the index for existing rows with its own frozen copy of these
statements (a migration never imports the app); ``tests/search/test_migration.py`` holds
the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    null,
    or_,
    select,
)

from intrapreneur.core.sql import utc_day
from intrapreneur.experiments.models import Experiment, Venture
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Action, HotSeat, LearningSession, Question
from intrapreneur.search.models import Kind, SearchItem

COLUMNS = (
    "kind",
    "object_id",
    "venture_id",
    "set_id",
    "session_id",
    "author_id",
    "title",
    "body",
    "language",
    "evidence",
    "decision",
    "day",
)


# A typed NULL: PostgreSQL reads a bare one in INSERT … SELECT as text.
NO_ID = cast(null(), Integer)
NO_WORD = cast(null(), String)


def _text(*parts: Any) -> ColumnElement[str]:
    """Parts joined by line breaks, an empty part (or NULL) as empty text."""
    joined: Any = func.coalesce(parts[0], "")
    for part in parts[1:]:
        joined = joined.concat("\n").concat(func.coalesce(part, ""))
    return joined


def _language(author: Any) -> ColumnElement[str]:
    default = str(current_app.config["DEFAULT_LOCALE"])
    return func.coalesce(author.chosen_locale, author.directory_locale, literal(default))


def _row(*values: Any) -> Select[Any]:
    """One SELECT list in ``COLUMNS`` order, each value labelled by its column."""
    return select(*(value.label(name) for value, name in zip(values, COLUMNS, strict=True)))


def _ventures() -> Select[Any]:
    return (
        _row(
            literal(Kind.VENTURE.value),
            Venture.id,
            Venture.id,
            NO_ID,
            NO_ID,
            Venture.created_by_id,
            Venture.title,
            _text(Venture.problem, Venture.customer),
            _language(Person),
            NO_WORD,
            NO_WORD,
            utc_day(Venture.created_at),
        )
        .select_from(Venture)
        .outerjoin(Person, Person.id == Venture.created_by_id)
    )


def _experiment_columns(kind: Kind, body: ColumnElement[str], day: Any) -> Select[Any]:
    return (
        _row(
            literal(kind.value),
            Experiment.id,
            Experiment.venture_id,
            NO_ID,
            NO_ID,
            Experiment.owner_id,
            Experiment.title,
            body,
            _language(Person),
            Experiment.evidence,
            Experiment.decision,
            day,
        )
        .select_from(Experiment)
        .join(Person, Person.id == Experiment.owner_id)
    )


def _experiments() -> Select[Any]:
    body = _text(
        Experiment.hypothesis, Experiment.test, Experiment.metric, Experiment.success_criterion
    )
    return _experiment_columns(Kind.EXPERIMENT, body, utc_day(Experiment.created_at))


def _learning_cards() -> Select[Any]:
    """An experiment has a learning card once anything of it is written or decided."""
    body = _text(Experiment.observation, Experiment.learning, Experiment.evidence_data)
    day = func.coalesce(utc_day(Experiment.decided_at), utc_day(Experiment.created_at))
    return _experiment_columns(Kind.LEARNING, body, day).where(
        or_(
            Experiment.decision.is_not(None),
            func.coalesce(Experiment.observation, "") != "",
            func.coalesce(Experiment.learning, "") != "",
        )
    )


def _challenges() -> Select[Any]:
    return (
        _row(
            literal(Kind.CHALLENGE.value),
            HotSeat.id,
            NO_ID,
            LearningSession.set_id,
            LearningSession.id,
            HotSeat.person_id,
            HotSeat.challenge_title,
            _text(HotSeat.challenge_description),
            _language(Person),
            NO_WORD,
            NO_WORD,
            utc_day(LearningSession.starts_at),
        )
        .select_from(HotSeat)
        .join(LearningSession, LearningSession.id == HotSeat.session_id)
        .join(Person, Person.id == HotSeat.person_id)
    )


def _questions() -> Select[Any]:
    """A question is shown under its challenge's title."""
    return (
        _row(
            literal(Kind.QUESTION.value),
            Question.id,
            NO_ID,
            LearningSession.set_id,
            LearningSession.id,
            Question.asked_by_id,
            HotSeat.challenge_title,
            _text(Question.text),
            _language(Person),
            NO_WORD,
            NO_WORD,
            utc_day(Question.created_at),
        )
        .select_from(Question)
        .join(HotSeat, HotSeat.id == Question.hot_seat_id)
        .join(LearningSession, LearningSession.id == HotSeat.session_id)
        .join(Person, Person.id == Question.asked_by_id)
    )


def _commitments() -> Select[Any]:
    return (
        _row(
            literal(Kind.COMMITMENT.value),
            Action.id,
            NO_ID,
            LearningSession.set_id,
            LearningSession.id,
            Action.owner_id,
            literal(""),
            _text(Action.description, Action.learning),
            _language(Person),
            NO_WORD,
            NO_WORD,
            utc_day(Action.created_at),
        )
        .select_from(Action)
        .join(LearningSession, LearningSession.id == Action.session_id)
        .join(Person, Person.id == Action.owner_id)
    )


@dataclass(frozen=True)
class Source:
    """One kind of item: the model whose rows it copies (``key`` their id), the rows it
    builds (``rows``) and, when it also shows another row's text, that row's id column
    (``follows``: a question shows its hot seat's title)."""

    kind: Kind
    model: type[Any]
    key: Any
    rows: Callable[[], Select[Any]]
    follows: tuple[type[Any], Any] | None = None
    # The columns whose change changes the item: any other change leaves it as it is.
    fields: frozenset[str] = frozenset()


SOURCES = (
    Source(Kind.VENTURE, Venture, Venture.id, _ventures,
           fields=frozenset({"title", "problem", "customer", "created_by_id"})),
    Source(Kind.EXPERIMENT, Experiment, Experiment.id, _experiments,
           fields=frozenset({"title", "hypothesis", "test", "metric", "success_criterion",
                             "evidence", "decision", "owner_id", "venture_id"})),
    Source(Kind.LEARNING, Experiment, Experiment.id, _learning_cards,
           fields=frozenset({"title", "observation", "learning", "evidence_data", "evidence",
                             "decision", "decided_at", "owner_id", "venture_id"})),
    Source(Kind.CHALLENGE, HotSeat, HotSeat.id, _challenges,
           fields=frozenset({"challenge_title", "challenge_description", "person_id",
                             "session_id"})),
    Source(Kind.QUESTION, Question, Question.id, _questions,
           follows=(HotSeat, Question.hot_seat_id),
           fields=frozenset({"text", "asked_by_id", "hot_seat_id"})),
    Source(Kind.COMMITMENT, Action, Action.id, _commitments,
           fields=frozenset({"description", "learning", "owner_id", "session_id"})),
)  # fmt: skip
MODELS = frozenset(source.model for source in SOURCES)
# Every column a kind's item is built from, per model (a hot seat's title is a question's too).
WATCHED: dict[type[Any], frozenset[str]] = {}
for _source in SOURCES:
    WATCHED[_source.model] = WATCHED.get(_source.model, frozenset()) | _source.fields
WATCHED[HotSeat] |= frozenset({"challenge_title"})

# Ids per IN list: far below every database's limit on bound parameters.
CHUNK = 500


def _chunks(ids: set[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[start : start + CHUNK] for start in range(0, len(ordered), CHUNK)]


def _insert(rows: Select[Any]) -> Any:
    table = SearchItem.__table__
    return table.insert().from_select([table.c[name] for name in COLUMNS], rows)


def refresh(connection: Any, changed: dict[type[Any], set[int]]) -> None:
    """Rebuild the items of these rows (ids per model): an item whose row is gone, or no
    longer makes one (a learning card emptied), is removed; the others are written anew."""
    table = SearchItem.__table__
    for source in SOURCES:
        for ids in _chunks(changed.get(source.model, set())):
            connection.execute(
                table.delete().where(table.c.kind == source.kind.value, table.c.object_id.in_(ids))
            )
            connection.execute(_insert(source.rows().where(source.key.in_(ids))))
        if source.follows is not None:
            model, column = source.follows
            for ids in _chunks(changed.get(model, set())):
                keys = select(source.key).where(column.in_(ids)).scalar_subquery()
                connection.execute(
                    table.delete().where(
                        table.c.kind == source.kind.value, table.c.object_id.in_(keys)
                    )
                )
                connection.execute(_insert(source.rows().where(column.in_(ids))))


def rebuild() -> None:
    """Every item built anew from its rows (a repair; migration 0036 fills the index)."""
    db.session.execute(SearchItem.__table__.delete())
    for source in SOURCES:
        db.session.execute(_insert(source.rows()))
