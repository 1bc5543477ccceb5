"""The retention rule's one way through the audit log's guard: events older than a declared
cutoff, itself at least a year old, are deleted oldest first in batches; the database
refuses every other DELETE and every UPDATE, whatever SQL asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DatabaseError

from intrapreneur.core import services as audit
from intrapreneur.core.audit_retention import count_events_before, delete_events_before
from intrapreneur.core.models import AuditEvent, AuditRetentionCutoff
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

NOW = datetime.now(UTC)


@pytest.fixture
def aged(make_person: Callable[..., Person]) -> Callable[..., dict[int, int]]:
    """Events that happened so many days ago: age → event id."""
    actor = make_person()

    def make(*ages: int) -> dict[int, int]:
        events = {}
        for age in ages:
            event = audit.record("person.checked", actor=actor, age=age)
            event.occurred_at = NOW - timedelta(days=age)
            events[age] = event
        db.session.commit()
        return {age: event.id for age, event in events.items()}

    return make


def _ages_left() -> list[int]:
    rows = db.session.scalars(
        select(AuditEvent.details["age"].as_integer()).order_by(AuditEvent.occurred_at)
    )
    return list(rows)


def _declare(cutoff: datetime) -> None:
    """Write a cutoff as the retention job does, and leave it there."""
    db.session.execute(insert(AuditRetentionCutoff.__table__).values(id=1, cutoff=cutoff))


def _refused(statement: str, **values: object) -> None:
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement), values)


def test_old_events_go_oldest_first_in_batches_and_no_younger_one(
    aged: Callable[..., dict[int, int]],
) -> None:
    aged(2200, 3000, 10, 800, 2500, 400)
    cutoff = NOW - timedelta(days=1000)
    assert count_events_before(cutoff) == 3

    assert delete_events_before(cutoff, limit=2) == 2
    assert _ages_left() == [2200, 800, 400, 10]
    assert delete_events_before(cutoff, limit=2) == 1
    assert delete_events_before(cutoff, limit=2) == 0
    db.session.commit()

    assert _ages_left() == [800, 400, 10]
    assert count_events_before(cutoff) == 0
    # The declaration lasted only as long as the deletion: the guard is whole again.
    assert db.session.scalar(select(func.count()).select_from(AuditRetentionCutoff)) == 0
    _refused("DELETE FROM audit_event")


def test_a_cutoff_younger_than_a_year_is_refused_before_anything_goes(
    aged: Callable[..., dict[int, int]],
) -> None:
    aged(3000, 100)
    for cutoff in (NOW - timedelta(days=200), NOW, NOW + timedelta(days=1)):
        with pytest.raises(ValueError, match="kept at least a year"):
            delete_events_before(cutoff, limit=10)
    with pytest.raises(ValueError, match="at least one"):
        delete_events_before(NOW - timedelta(days=800), limit=0)
    assert _ages_left() == [3000, 100]


def test_the_database_refuses_deleting_without_a_declared_cutoff(
    aged: Callable[..., dict[int, int]],
) -> None:
    ids = aged(3000)

    _refused("DELETE FROM audit_event WHERE id = :id", id=ids[3000])
    _refused("DELETE FROM audit_event")

    assert _ages_left() == [3000]


def test_the_database_refuses_deleting_recent_events_even_with_a_cutoff_written(
    aged: Callable[..., dict[int, int]],
) -> None:
    ids = aged(3000, 400, 100)

    # A cutoff younger than a year lets nothing go, not even events older than it.
    _declare(NOW - timedelta(days=30))
    _refused("DELETE FROM audit_event WHERE id = :id", id=ids[3000])
    _refused("DELETE FROM audit_event WHERE id = :id", id=ids[100])
    db.session.execute(text("DELETE FROM audit_retention_cutoff"))

    # An old enough cutoff lets only the events before it go.
    _declare(NOW - timedelta(days=730))
    _refused("DELETE FROM audit_event WHERE id = :id", id=ids[400])
    _refused("DELETE FROM audit_event")  # one younger row refuses the whole statement
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[3000]})

    assert _ages_left() == [400, 100]


def test_the_database_refuses_every_update_even_with_a_cutoff_written(
    aged: Callable[..., dict[int, int]],
) -> None:
    ids = aged(3000)
    _declare(NOW - timedelta(days=730))

    _refused("UPDATE audit_event SET action = 'rewritten' WHERE id = :id", id=ids[3000])
    _refused("UPDATE audit_event SET details = '{}', actor_label = 'x'")

    assert db.session.scalar(select(AuditEvent.action)) == "person.checked"
