"""Objects the learning tests build again and again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from intrapreneur.extensions import db
from intrapreneur.learning.models import LearningSession, LearningSet, SessionFormat


def session_in(
    learning_set: LearningSet, days_from_now: int, *, now: datetime | None = None, **fields: Any
) -> LearningSession:
    """An hour-long Power Hour that many days from now (negative: in the past), flushed."""
    starts = (now or datetime.now(UTC)) + timedelta(days=days_from_now)
    session = LearningSession(
        learning_set=learning_set,
        format=SessionFormat.POWER_HOUR,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        agenda=[],
        **fields,
    )
    db.session.add(session)
    db.session.flush()
    return session
