"""The board's state machine, learning cards and follow-ups, and who may see a venture."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments import permissions, services
from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.experiments.services import BoardRefusal, CardFields, LearningCard
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning.models import Action, LearningSession, SessionFormat
from tests.experiments.builders import learning_set, venture_for

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
READY = CardFields(
    title="Pre-orders from five customers",
    hypothesis="We believe that shop owners will pre-order.",
    success_criterion="We are right if three of five pre-order.",
    starts_on=TODAY,
    ends_on=TODAY + timedelta(days=14),
)


@pytest.fixture
def owner(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Olga Owner")


@pytest.fixture
def venture(owner: Person) -> Venture:
    return venture_for(owner, now=NOW)


def card(venture: Venture, owner: Person, fields: CardFields = READY) -> Experiment:
    return services.create_experiment(venture, fields, owner=owner, by=owner, now=NOW)


def move(experiment: Experiment, to: Column, by: Person) -> None:
    services.move(experiment, to, version=experiment.version, by=by, now=NOW)
    db.session.flush()


LESSON = LearningCard(
    observation="Two of five pre-ordered.",
    learning="Price matters more than timing.",
    evidence_data="5 visits, 2 orders, 1 200 EUR",
    decision=Decision.PERSEVERE,
)


def test_a_new_card_starts_in_the_backlog_and_moves_through_the_columns(
    venture: Venture, owner: Person
) -> None:
    experiment = card(venture, owner)
    assert experiment.column is Column.BACKLOG
    for column in (Column.DESIGNING, Column.RUNNING, Column.ANALYSING, Column.DESIGNING):
        move(experiment, column, owner)
        assert experiment.column is column
    actions = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "experiment.moved")
    ).all()
    assert [(d["moved_from"], d["to"]) for d in actions][-1] == ("analysing", "designing")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (CardFields(title="No criterion", starts_on=TODAY, ends_on=TODAY), "a success criterion"),
        (CardFields(title="No dates", success_criterion="We are right if…"), "a time box"),
    ],
)
def test_running_needs_a_success_criterion_and_a_time_box(
    venture: Venture, owner: Person, fields: CardFields, message: str
) -> None:
    experiment = card(venture, owner, fields)
    with pytest.raises(BoardRefusal, match=message):
        move(experiment, Column.RUNNING, owner)
    assert experiment.column is Column.BACKLOG


def test_decided_is_reached_only_with_a_learning_card_and_stays(
    venture: Venture, owner: Person
) -> None:
    experiment = card(venture, owner)
    with pytest.raises(BoardRefusal, match="decided after it has run: move it to Running first"):
        move(experiment, Column.DECIDED, owner)
    with pytest.raises(BoardRefusal, match="Only a running or analysed experiment"):
        services.decide(experiment, LESSON, version=experiment.version, by=owner, now=NOW)
    move(experiment, Column.RUNNING, owner)
    with pytest.raises(BoardRefusal, match="record its learning card and decision"):
        move(experiment, Column.DECIDED, owner)
    empty = LearningCard(" ", "learned", "", Decision.KILL)
    with pytest.raises(BoardRefusal, match="what was observed and the evidence"):
        services.decide(experiment, empty, version=experiment.version, by=owner, now=NOW)
    assert experiment.column is Column.RUNNING

    follow_up = services.decide(experiment, LESSON, version=experiment.version, by=owner, now=NOW)

    assert follow_up is None
    assert experiment.column is Column.DECIDED and experiment.decision is Decision.PERSEVERE
    assert experiment.review_requested_at == NOW
    with pytest.raises(BoardRefusal, match="stays decided"):
        move(experiment, Column.BACKLOG, owner)


@pytest.mark.parametrize(
    ("decision", "title", "keeps_test"),
    [(Decision.PIVOT, "Pivot of", False), (Decision.TEST_AGAIN, "Test again:", True)],
)
def test_pivot_and_test_again_start_a_child_card(
    venture: Venture, owner: Person, decision: Decision, title: str, keeps_test: bool
) -> None:
    experiment = card(venture, owner)
    move(experiment, Column.RUNNING, owner)
    lesson = LearningCard(LESSON.observation, LESSON.learning, LESSON.evidence_data, decision)

    child = services.decide(experiment, lesson, version=experiment.version, by=owner, now=NOW)

    assert child is not None and child.parent_id == experiment.id
    assert child.column is Column.BACKLOG and child.title == f"{title} {experiment.title}"
    assert child.hypothesis == experiment.hypothesis
    assert (child.success_criterion == READY.success_criterion) is keeps_test


def test_a_move_made_on_an_old_copy_is_refused(venture: Venture, owner: Person) -> None:
    experiment = card(venture, owner)
    old = experiment.version
    move(experiment, Column.DESIGNING, owner)
    with pytest.raises(services.StaleCard):
        services.move(experiment, Column.RUNNING, version=old, by=owner, now=NOW)
    assert experiment.column is Column.DESIGNING


def test_asking_for_money_waits_for_review_and_a_new_amount_asks_again(
    venture: Venture, owner: Person
) -> None:
    experiment = card(venture, owner, CardFields(title="Prototype", cost_requested=Decimal(500)))
    assert experiment.review_requested_at == NOW
    experiment.budget_approved, experiment.review_requested_at = True, None
    later = NOW + timedelta(days=2)

    services.update_experiment(
        experiment,
        CardFields(title="Prototype", cost_requested=Decimal(800)),
        version=experiment.version,
        by=owner,
        now=later,
    )

    assert experiment.budget_approved is None and experiment.review_requested_at == later


def test_time_boxes_ending_before_they_start_are_refused(venture: Venture, owner: Person) -> None:
    backwards = CardFields(title="x", starts_on=TODAY, ends_on=TODAY - timedelta(days=1))
    with pytest.raises(BoardRefusal, match="ends before it starts"):
        card(venture, owner, backwards)


def test_overdue_means_past_the_time_box_without_a_decision(
    venture: Venture, owner: Person
) -> None:
    experiment = card(venture, owner)
    assert not services.is_overdue(experiment, READY.ends_on)  # type: ignore[arg-type]
    assert services.is_overdue(experiment, READY.ends_on + timedelta(days=1))  # type: ignore[operator]
    move(experiment, Column.RUNNING, owner)
    services.decide(experiment, LESSON, version=experiment.version, by=owner, now=NOW)
    assert not services.is_overdue(experiment, READY.ends_on + timedelta(days=1))  # type: ignore[operator]


def test_a_venture_with_experiments_is_archived_not_deleted(
    venture: Venture, owner: Person
) -> None:
    card(venture, owner)
    with pytest.raises(BoardRefusal, match="archive it instead"):
        services.delete_venture(venture, by=owner)
    services.archive_venture(venture, by=owner, now=NOW)
    assert not permissions.can_work_on(owner, venture)


def test_an_empty_venture_can_be_deleted(venture: Venture, owner: Person) -> None:
    services.delete_venture(venture, by=owner)
    db.session.flush()
    assert db.session.scalar(select(Venture.id)) is None


def test_an_action_becomes_an_experiment_once(
    venture: Venture, owner: Person, make_person: Callable[..., Person]
) -> None:
    session = LearningSession(
        learning_set=learning_set(),
        format=SessionFormat.POWER_HOUR,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=1),
        agenda=[],
    )
    db.session.add(session)
    db.session.flush()
    action = Action(
        session_id=session.id, owner_id=owner.id, description="Ask five shops", due_on=TODAY
    )
    db.session.add(action)
    db.session.flush()

    experiment = services.experiment_from_action(action, venture, by=owner, now=NOW)

    assert action.experiment_id == experiment.id and experiment.title == "Ask five shops"
    with pytest.raises(BoardRefusal, match="already an experiment"):
        services.experiment_from_action(action, venture, by=owner, now=NOW)


class People:
    def __init__(self, make_person: Callable[..., Person], owner: Person) -> None:
        self.boss = make_person(Role.MANAGER, display_name="Boss")
        self.middle = make_person(Role.MANAGER, display_name="Middle", manager=self.boss)
        owner.manager = self.middle
        self.peer_manager = make_person(Role.MANAGER, display_name="Peer")
        self.colleague = make_person(display_name="Colleague")
        self.guest = make_person(kind=PersonKind.GUEST, display_name="Guest")
        self.set_mate = make_person(display_name="Set mate")
        db.session.flush()


def test_who_sees_a_venture_follows_its_visibility(
    venture: Venture, owner: Person, make_person: Callable[..., Person]
) -> None:
    people = People(make_person, owner)
    the_set = learning_set(people.guest, people.set_mate)

    def seen() -> set[str]:
        everyone = vars(people)
        return {
            name
            for name, person in everyone.items()
            if permissions.can_view_venture(person, venture, TODAY)
        }

    assert seen() == {"boss", "middle"}  # private: the team and the managers above it
    venture.visibility = Visibility.SETS
    db.session.add(VentureShare(venture_id=venture.id, set_id=the_set.id))
    db.session.flush()
    assert seen() == {"boss", "middle", "guest", "set_mate"}
    venture.visibility = Visibility.ORGANISATION
    db.session.execute(VentureShare.__table__.delete())
    assert seen() == {"boss", "middle", "peer_manager", "colleague", "set_mate"}
    assert permissions.can_review(people.boss, venture)
    assert not permissions.can_review(people.peer_manager, venture)
    assert not permissions.can_review(owner, venture)


def test_team_members_work_on_the_board_and_only_owners_manage_it(
    venture: Venture, owner: Person, make_person: Callable[..., Person]
) -> None:
    member = make_person()
    db.session.add(VentureMember(venture_id=venture.id, person_id=member.id, role=TeamRole.MEMBER))
    db.session.flush()
    assert permissions.can_work_on(member, venture)
    assert not permissions.can_manage_venture(member, venture)
    assert permissions.can_manage_venture(owner, venture)
