"""Members' feedback on sessions: each person's own answer, and the figures a set's
facilitator and HR may read, aggregated in SQL.

Definitions:

- An *answer* is one member's rating of how useful a session was (1 to 5) and the one thing
  they will do next. Members of the set on the session's day answer once the session has
  started (not a cancelled one), one answer each, which they may change until answering
  closes ``ANSWERING_DAYS`` after the start: soon enough to be remembered, and before the
  set meets again at its usual fortnightly cadence.
- A session's answers are *released* once answering has closed and at least ``MIN_ANSWERS``
  members answered. Released, they show as a count, a mean, a distribution over the five
  ratings, and the "next things" in alphabetical order without names. Until then a page
  shows how many have answered (and how many more are needed) and nothing derived from
  what they answered.
- A set's figures add up its released sessions only.

Why (the reader is anyone who sees everything a facilitator or HR sees, over time):

- Under three answers a mean or a distribution tells each answer to someone who knows who
  answered, or to one of the two who did.
- A set's figures over all its sessions, less the released sessions' figures, would give
  away the answers of the sessions held back: the set's figures are the released sessions'
  sum, nothing more, so every difference of figures shown is a sum of released ones.
- Figures that moved with each answer or change would show what one person answered to
  someone comparing two views of a page (the culture dashboard keeps an open wave's figures
  back for the same reason): nothing is shown until answering closes, after which no answer
  changes.
- "Next things" come in alphabetical order, never in the order they were given.

How many have answered is shown as it grows (participation, not what was said), as for an
open survey wave. Three identical ratings still tell all three; that is the threshold's
price, as with any minimum group size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from intrapreneur.core.sql import count_if, utc_day
from intrapreneur.extensions import db
from intrapreneur.learning.models import LearningSession, SessionFeedback, SetMembership
from intrapreneur.learning.queries.set_health import held
from intrapreneur.learning.queries.sets import in_force_on

MIN_ANSWERS = 3
ANSWERING_DAYS = 7
RATINGS = (1, 2, 3, 4, 5)


def answering_closes_at(starts_at: datetime) -> datetime:
    return starts_at + timedelta(days=ANSWERING_DAYS)


@dataclass(frozen=True)
class FeedbackFigures:
    """Released answers: how many, their sum and how many gave each rating (1 to 5)."""

    answers: int
    total: int
    by_rating: tuple[int, ...]

    @property
    def mean(self) -> float:
        return round(self.total / self.answers, 2)


@dataclass(frozen=True)
class SessionFeedbackFigures:
    """A held session's answers as its facilitator and HR may see them."""

    session_id: int
    starts_at: datetime
    answers: int
    figures: FeedbackFigures | None  # None until released

    @property
    def closes_at(self) -> datetime:
        return answering_closes_at(self.starts_at)

    @property
    def more_needed(self) -> int:
        return max(0, MIN_ANSWERS - self.answers)


def _answering_closed(now: datetime) -> Any:
    return held(now) & (LearningSession.starts_at <= now - timedelta(days=ANSWERING_DAYS))


def _figures_columns() -> list[Any]:
    return [
        func.count(SessionFeedback.id),
        func.coalesce(func.sum(SessionFeedback.usefulness), 0),
        *(count_if(SessionFeedback.usefulness == rating) for rating in RATINGS),
    ]


def _figures(answers: int, total: int, *by_rating: int) -> FeedbackFigures:
    return FeedbackFigures(answers, total, tuple(by_rating))


def feedback_by_session(set_id: int, now: datetime) -> list[SessionFeedbackFigures]:
    """Each held session of the set, oldest first, with its answers counted; the figures of
    released sessions only (one GROUP BY query)."""
    closed_before = now - timedelta(days=ANSWERING_DAYS)
    rows = db.session.execute(
        select(LearningSession.id, LearningSession.starts_at, *_figures_columns())
        .outerjoin(SessionFeedback, SessionFeedback.session_id == LearningSession.id)
        .where(LearningSession.set_id == set_id, held(now))
        .group_by(LearningSession.id, LearningSession.starts_at)
        .order_by(LearningSession.starts_at, LearningSession.id)
    )
    sessions = []
    for session_id, starts_at, answers, *sums in rows:
        released = answers >= MIN_ANSWERS and starts_at <= closed_before
        figures = _figures(answers, *sums) if released else None
        sessions.append(SessionFeedbackFigures(session_id, starts_at, answers, figures))
    return sessions


def _released_sessions(set_ids: list[int], now: datetime) -> Any:
    return (
        select(SessionFeedback.session_id)
        .join(LearningSession, LearningSession.id == SessionFeedback.session_id)
        .where(LearningSession.set_id.in_(set_ids), _answering_closed(now))
        .group_by(SessionFeedback.session_id)
        .having(func.count(SessionFeedback.id) >= MIN_ANSWERS)
    )


def feedback_per_set(set_ids: list[int], now: datetime) -> dict[int, FeedbackFigures | None]:
    """Each set's figures over its released sessions (None without any), in one query."""
    rows = db.session.execute(
        select(LearningSession.set_id, *_figures_columns())
        .select_from(SessionFeedback)
        .join(LearningSession, LearningSession.id == SessionFeedback.session_id)
        .where(SessionFeedback.session_id.in_(_released_sessions(set_ids, now)))
        .group_by(LearningSession.set_id)
    )
    figures: dict[int, FeedbackFigures | None] = dict.fromkeys(set_ids)
    for set_id, *sums in rows:
        figures[set_id] = _figures(*sums)
    return figures


def next_steps_by_session(set_id: int, now: datetime) -> dict[int, list[str]]:
    """What members of the set's released sessions will do next, without names, each
    session's in alphabetical order."""
    steps: dict[int, list[str]] = {}
    for session_id, step in db.session.execute(
        select(SessionFeedback.session_id, SessionFeedback.next_step).where(
            SessionFeedback.session_id.in_(_released_sessions([set_id], now))
        )
    ):
        steps.setdefault(session_id, []).append(step)
    # Sorted here, not by the database, whose collation differs from one to another.
    return {session_id: sorted(listed, key=str.casefold) for session_id, listed in steps.items()}


# -- a member's own answers ------------------------------------------------------------------


def own_answer(session_id: int, person_id: int) -> SessionFeedback | None:
    return db.session.scalar(
        select(SessionFeedback).where(
            SessionFeedback.session_id == session_id, SessionFeedback.person_id == person_id
        )
    )


def sessions_to_answer(set_id: int, person_id: int, now: datetime) -> dict[int, bool]:
    """The set's sessions the person may answer about now (held, answering open, and they
    were in the set that day), each with whether they already have."""
    rows = db.session.execute(
        _answerable(person_id, now, LearningSession.id, SessionFeedback.id.is_not(None)).where(
            LearningSession.set_id == set_id
        )
    )
    return {session_id: bool(answered) for session_id, answered in rows}


def feedback_awaited(person_id: int, now: datetime) -> list[LearningSession]:
    """The sessions of any of the person's sets they may still say something about and have
    not yet, oldest first (the home page asks)."""
    return list(
        db.session.scalars(
            _answerable(person_id, now, LearningSession)
            .where(SessionFeedback.id.is_(None))
            .order_by(LearningSession.starts_at)
        )
    )


def _answerable(person_id: int, now: datetime, *columns: Any) -> Select[Any]:
    """Held sessions whose answering is open, of sets the person was in on the day, joined
    to the person's own answer (if any)."""
    return (
        select(*columns)
        .join(
            SetMembership,
            (SetMembership.set_id == LearningSession.set_id)
            & (SetMembership.person_id == person_id)
            & in_force_on(utc_day(LearningSession.starts_at)),
        )
        .outerjoin(
            SessionFeedback,
            (SessionFeedback.session_id == LearningSession.id)
            & (SessionFeedback.person_id == person_id),
        )
        .where(held(now), LearningSession.starts_at > now - timedelta(days=ANSWERING_DAYS))
    )
