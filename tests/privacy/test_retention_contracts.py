"""The two rules that act through other parts of issue 22: people switched off for longer
than the period are erased (``privacy.erasure``), refused ones reported and passed by;
audit events older than the period are deleted through the log's one allowed path
(``core.audit_retention``). And with them, every rule's dry run agrees with its real run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.privacy.retention import apply, plan
from intrapreneur.privacy.retention.moments import months_before
from intrapreneur.privacy.settings import RETENTION_RULES
from tests.experiments.builders import venture_for
from tests.privacy.retention_builders import DAY, NOW, SECOND, applied
from tests.privacy.test_retention_run import applied_events, sizes, some_of_everything


def _erased(person: Person) -> bool:
    db.session.expire_all()
    found = db.session.get(Person, person.id)
    assert found is not None  # erasure keeps the row, as a tombstone
    return found.erased_at is not None


def test_people_switched_off_or_ended_longer_than_the_period_are_erased(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    before = months_before(NOW, 24)
    left_long_ago = make_person(active=False, deactivated_at=before - SECOND)
    left_lately = make_person(active=False, deactivated_at=before)
    guest_ended = make_person(kind=PersonKind.GUEST, access_ends_on=before.date() - DAY)
    guest_ended_on_the_day = make_person(kind=PersonKind.GUEST, access_ends_on=before.date())
    still_here = make_person()

    report = applied("deactivated_people")

    assert _erased(left_long_ago) and _erased(guest_ended)
    assert not any(map(_erased, (left_lately, guest_ended_on_the_day, still_here)))
    outcome = report.outcome("deactivated_people")
    assert (outcome.planned, outcome.done, outcome.refused) == (2, 2, [])
    assert plan(NOW, rules=["deactivated_people"]).planned == 0  # erased people are done


def test_a_refused_erasure_is_reported_and_never_stops_the_run(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    long_ago = months_before(NOW, 24) - DAY
    owner = make_person(display_name="Olga Owner")
    venture_for(owner, now=NOW - timedelta(days=900))
    owner.active, owner.deactivated_at = False, long_ago
    others = [make_person(active=False, deactivated_at=long_ago) for _ in range(3)]

    dry = plan(NOW, dry_run=True, rules=["deactivated_people"])
    report = plan(NOW, rules=["deactivated_people"])
    apply(report, by=None, batch_size=2)

    outcome = report.outcome("deactivated_people")
    assert (outcome.planned, outcome.done) == (4, 3)
    assert [(r.person_id, r.name) for r in outcome.refused] == [(owner.id, "Olga Owner")]
    assert outcome.refused[0].reasons  # why, and what to do first
    assert [(r.person_id, r.reasons) for r in dry.outcome("deactivated_people").refused] == [
        (r.person_id, r.reasons) for r in outcome.refused
    ]
    assert not _erased(owner) and all(map(_erased, others))
    refused = [event.details["refused"] for event in applied_events()]
    assert [owner.id] in refused
    assert "1 person was not erased: Olga Owner" in report.describe()
    assert "1 person would not be erased: Olga Owner" in dry.describe()


def test_audit_events_older_than_the_period_are_deleted_oldest_first(app: Flask) -> None:
    before = months_before(NOW, 6 * 12)
    for moment in (before - DAY, before - SECOND, before, NOW):
        db.session.add(AuditEvent(occurred_at=moment, actor_label="system", action="tests.old"))
    db.session.flush()

    dry = plan(NOW, dry_run=True, rules=["audit_events"])
    report = applied("audit_events", batch_size=1)

    left = db.session.scalars(
        select(AuditEvent.occurred_at).where(AuditEvent.action == "tests.old")
    ).all()
    assert sorted(left) == [before, NOW]
    assert dry.outcome("audit_events").planned == report.outcome("audit_events").done == 2
    assert [event.details["count"] for event in applied_events()] == [1, 1]


def test_every_rules_dry_run_agrees_with_its_real_run(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    some_of_everything(make_person)
    long_ago = NOW - timedelta(days=4 * 365)
    make_person(Role.EMPLOYEE, active=False, deactivated_at=long_ago)
    db.session.add(
        AuditEvent(
            occurred_at=long_ago - timedelta(days=3 * 365), actor_label="x", action="tests.old"
        )
    )
    before = sizes()

    dry = plan(NOW, dry_run=True)
    real = plan(NOW)
    apply(real, by=None)

    after = sizes()
    for rule in RETENTION_RULES:
        planned, done = dry.outcome(rule.name).planned, real.outcome(rule.name).done
        assert planned == done + len(real.outcome(rule.name).refused), rule.name
        if rule.name in before:
            assert before[rule.name] - after[rule.name] == done, rule.name
    assert all(outcome.planned for outcome in dry.outcomes)  # every rule had work to do


def test_a_dry_run_tells_every_refusal_in_the_same_statements_for_few_or_many(
    app: Flask, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    long_ago = months_before(NOW, 24) - DAY
    owners: list[Person] = []

    def statements_with_owners_left(how_many: int) -> int:
        for _ in range(how_many):
            owner = make_person(Role.HR)
            venture_for(owner, now=NOW - timedelta(days=900))
            owner.active, owner.deactivated_at = False, long_ago
            owners.append(owner)
        db.session.flush()
        db.session.expire_all()
        with count_queries() as counted:
            dry = plan(NOW, dry_run=True, rules=["deactivated_people"])
        refused = dry.outcome("deactivated_people").refused
        assert sorted(r.person_id for r in refused) == sorted(o.id for o in owners)
        return counted.total

    few = statements_with_owners_left(2)
    assert statements_with_owners_left(10) == few  # ten more refusals, no more statements
