"""The audit log is append-only, in the ORM and in the database itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from intrapreneur.core import services as audit
from intrapreneur.core.models import AuditEvent, AuditLogIsAppendOnly
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role


def test_record_keeps_who_what_and_which_object(make_person: Callable[..., Person]) -> None:
    actor = make_person(Role.HR, display_name="Helen Okafor")
    subject = make_person()

    audit.record("person.checked", actor=actor, obj=subject, reason="demo")
    db.session.flush()

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.checked")
    ).one()
    assert (event.actor_id, event.object_type, event.object_id) == (
        actor.id,
        "person",
        str(subject.id),
    )
    assert event.actor_label == "person"  # who it was is the number, never the name
    assert event.details == {"reason": "demo"}
    assert event.occurred_at.tzinfo is not None


def test_the_actor_is_named_when_read_as_they_are_now(make_person: Callable[..., Person]) -> None:
    actor = make_person(display_name="Helen Okafor")
    recorded = audit.record("person.checked", actor=actor)
    by_system = audit.record("person.checked", actor=None)
    db.session.flush()
    assert (recorded.actor_name, by_system.actor_name) == ("Helen Okafor", "system")

    actor.display_name = "Former participant #7"
    db.session.commit()

    names = db.session.execute(
        select(AuditEvent.actor_label, AuditEvent.actor_name).order_by(AuditEvent.id)
    ).all()
    assert [tuple(row) for row in names] == [
        ("person", "Former participant #7"),
        ("system", "system"),
    ]


def test_orm_refuses_to_change_or_delete_an_event(make_person: Callable[..., Person]) -> None:
    event = audit.record("person.checked", actor=make_person())
    db.session.flush()
    event.action = "something.else"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event"],
)
def test_database_refuses_to_change_or_delete_events(
    make_person: Callable[..., Person], statement: str
) -> None:
    audit.record("person.checked", actor=make_person())
    db.session.flush()
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert (
        db.session.scalar(text("SELECT count(*) FROM audit_event WHERE action = 'person.checked'"))
        == 1
    )
