"""Behaviour metrics: exact figures from a small organisation, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from intrapreneur.culture import behaviour, page
from intrapreneur.culture.anonymity import Rules, hidden_label
from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    Review,
    ReviewTag,
    Venture,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning.models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    LearningSession,
)
from tests.experiments.builders import learning_set, venture_for
from tests.learning.builders import session_in

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _session(the_set: object, days_ago: int, present: dict[Person, bool]) -> LearningSession:
    session = session_in(the_set, -days_ago, now=NOW)  # type: ignore[arg-type]
    db.session.add_all(
        Attendance(session_id=session.id, person_id=p.id, present=here)
        for p, here in present.items()
    )
    return session


def _card(venture: Venture, owner: Person, created: datetime, **values: object) -> Experiment:
    card = Experiment(
        venture_id=venture.id, owner_id=owner.id, title="Card", created_at=created, **values
    )
    db.session.add(card)
    db.session.flush()
    return card


@pytest.fixture
def org(make_person: Callable[..., Person]) -> dict[str, Person]:
    people = {
        "ann": make_person(display_name="Ann"),
        "ben": make_person(display_name="Ben"),
        "cat": make_person(display_name="Cat"),
        "gil": make_person(kind=PersonKind.GUEST, display_name="Gil"),
        "fay": make_person(Role.FACILITATOR, kind=PersonKind.GUEST, display_name="Fay"),
        "max": make_person(Role.MANAGER, display_name="Max"),
    }
    return people


def test_the_interaction_network_counts_distinct_pairs_who_met(org: dict[str, Person]) -> None:
    ann, ben, cat, gil, fay = (org[k] for k in ("ann", "ben", "cat", "gil", "fay"))
    with_guest = learning_set(ann, ben, gil, name="Aurora")
    facilitated = learning_set(cat, facilitator=fay, name="Borealis")
    _session(with_guest, 14, {ann: True, ben: False, gil: True})
    _session(with_guest, 7, {ann: True, ben: True, gil: True})  # ann–gil again: one pair
    _session(facilitated, 7, {cat: True})
    future = _session(with_guest, -7, {})  # not held yet: nobody met there
    db.session.add(Attendance(session_id=future.id, person_id=ben.id, present=True))
    db.session.flush()

    network = behaviour.network(NOW)

    assert network.pairs == 3  # ann–gil, ben–gil, cat–fay
    assert network.employees_in_sessions == 3
    assert network.employees_who_met_an_entrepreneur == 3
    assert network.share_who_met == 1.0


def test_experiments_per_month_decisions_and_time_to_decision(org: dict[str, Person]) -> None:
    ann = org["ann"]
    shops, returns = venture_for(ann, "Shops"), venture_for(ann, "Returns")
    october, november = datetime(2026, 10, 5, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    _card(
        shops,
        ann,
        october,
        column=Column.DECIDED,
        decision=Decision.KILL,
        decided_at=october + timedelta(days=10),
    )
    _card(
        shops,
        ann,
        october,
        column=Column.DECIDED,
        decision=Decision.PIVOT,
        decided_at=november + timedelta(days=2),
    )
    _card(returns, ann, november)
    _card(
        returns,
        ann,
        november,
        column=Column.DECIDED,
        decision=Decision.PERSEVERE,
        decided_at=november + timedelta(days=4),
    )

    months = behaviour.experiments_per_month()
    decisions = behaviour.decisions()

    assert [(m.month, m.started, m.decided, m.ventures) for m in months] == [
        ("2026-10", 2, 1, 1),
        ("2026-11", 2, 2, 2),
    ]
    assert months[1].started_per_venture == 1.0
    assert (decisions.decided, decisions.kills, decisions.pivots) == (3, 1, 1)
    assert decisions.kill_rate == pytest.approx(1 / 3)
    # 10 days, 31 days (5 Oct → 5 Nov), 4 days
    assert decisions.mean_days_to_decision == pytest.approx((10 + 31 + 4) / 3)


def test_review_latency_and_balance(org: dict[str, Person]) -> None:
    ann, boss = org["ann"], org["max"]
    venture = venture_for(ann)
    card = _card(venture, ann, NOW)
    for tag, waited in (
        (ReviewTag.SUPPORT, 3600),
        (ReviewTag.SUPPORT, None),
        (ReviewTag.CHALLENGE, 3 * 3600),
    ):
        db.session.add(
            Review(
                venture_id=venture.id,
                experiment_id=card.id,
                reviewer_id=boss.id,
                tag=tag,
                comment="c",
                waited_seconds=waited,
            )
        )
    db.session.flush()

    figures = behaviour.reviews()

    assert (figures.reviews, figures.support, figures.challenge) == (3, 2, 1)
    assert figures.answered_waits == 2 and figures.mean_wait_hours == pytest.approx(2.0)
    assert figures.support_share == pytest.approx(2 / 3)


def test_participation_and_the_sets_summed(org: dict[str, Person]) -> None:
    ann, ben, cat = org["ann"], org["ben"], org["cat"]
    the_set = learning_set(ann, ben, name="Aurora")
    for person in (ann, ben, cat):
        db.session.add(
            Enrolment(cohort=the_set.cohort, person=person, status=EnrolmentStatus.ACCEPTED)
        )
    _session(the_set, 7, {ann: True, ben: False})
    other = learning_set(org["max"], name="Borealis")  # not a participant of any cohort
    _session(other, 3, {org["max"]: True})
    db.session.flush()

    assert behaviour.participation(date.today()) == behaviour.Participation(3, 2)
    summed = behaviour.sets_summed(NOW)
    assert (summed.held_sessions, summed.on_register, summed.present) == (2, 3, 2)  # both sets
    assert summed.attendance_rate == pytest.approx(66.7)


def test_participants_by_place_hide_small_places_and_what_would_reveal_them(
    make_person: Callable[..., Person],
) -> None:
    """With k=5: Spain's two participants are hidden, and so is France's seven, the next
    smallest country, so that the total minus Germany does not give Spain away. Germany's
    two sites would give each other away: Bonn (one) is hidden, and Berlin with it."""
    places = [("DE", "Berlin")] * 9 + [("DE", "Bonn")] + [("FR", "Lyon")] * 7
    places += [("ES", "Madrid")] * 2
    people = [make_person(country=country, location=site) for country, site in places]
    the_set = learning_set(people[0])
    for person in people:
        db.session.add(
            Enrolment(cohort=the_set.cohort, person=person, status=EnrolmentStatus.ACCEPTED)
        )
    db.session.flush()

    tables = {t.caption: t for t in page.participants_by_place(Rules(k=5))}

    countries = {row.label: row.cells[0] for row in tables["Participants by country"].rows}
    hidden = hidden_label(5)
    assert countries == {"Germany": "10", "France": hidden, "Spain": hidden}
    assert tables["Participants by country"].hidden_text == (
        "2 of 3 cells are hidden to protect small groups."
    )
    sites = {row.label: row.cells[0] for row in tables["Participants by location"].rows}
    assert sites["Bonn, DE"] == hidden and sites["Madrid, ES"] == hidden
    # Berlin shown next to Germany would give Bonn's one person away by subtraction.
    assert sites["Berlin, DE"] == hidden or countries["Germany"] == hidden
    units = {row.label: row.cells[0] for row in tables["Participants by business unit"].rows}
    assert units == {"No business unit": "19"}  # everyone: nothing to hide
