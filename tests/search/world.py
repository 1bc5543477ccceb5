"""A small organisation with something searchable of every kind, each visible to a known
set of people: the attacker tests below name by hand who may find what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from intrapreneur.experiments import services
from intrapreneur.experiments.models import Column, Decision, Experiment, Stage, Venture, Visibility
from intrapreneur.experiments.services import CardFields, LearningCard
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import (
    Action,
    BarrierCategory,
    HotSeat,
    LearningSession,
    LearningSet,
    Question,
    SessionFormat,
)
from tests.learning.builders import cohort_of, set_of

NOW = datetime.now(UTC)


def decided_card(
    venture: Venture,
    owner: Person,
    title: str,
    *,
    learning: str,
    hypothesis: str = "",
    decision: Decision = Decision.PERSEVERE,
) -> Experiment:
    """A card run and decided through the services, with ``learning`` on its learning card."""
    card = services.create_experiment(
        venture,
        CardFields(
            title=title,
            hypothesis=hypothesis,
            metric="sign-ups",
            success_criterion="ten sign-ups",
            test="a landing page",
            starts_on=date.today(),
            ends_on=date.today() + timedelta(days=7),
        ),
        owner=owner,
        by=owner,
        now=NOW,
    )
    services.move(card, Column.RUNNING, version=card.version, by=owner, now=NOW)
    db.session.flush()
    services.decide(
        card,
        LearningCard(
            observation=f"We observed {learning}.",
            learning=learning,
            evidence_data="12 data points",
            decision=decision,
        ),
        version=card.version,
        by=owner,
        now=NOW,
    )
    db.session.flush()
    return card


def venture_with_card(
    owner: Person, word: str, visibility: Visibility, *, shared_into: LearningSet | None = None
) -> Experiment:
    """A venture whose problem, card and learning each carry ``word``, with a title naming
    the word (the results list shows titles)."""
    venture = services.create_venture(
        title=f"Venture {word}",
        problem=f"Customers struggle with {word}",
        customer="shop owners",
        stage=Stage.PROBLEM,
        visibility=visibility,
        by=owner,
        now=NOW,
    )
    if shared_into is not None:
        services.share_into(venture, {shared_into.id}, {shared_into.id}, by=owner)
    db.session.flush()
    return decided_card(
        venture, owner, f"Card {word}", learning=f"customers love {word}", hypothesis=word
    )


@dataclass
class World:
    people: dict[str, Person]
    learning_set: LearningSet
    other_set: LearningSet
    session: LearningSession
    cards: dict[str, Experiment]
    # word → the people (by persona name) who may find the things carrying it
    readers: dict[str, set[str]]


def build(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    manager = make_person(Role.MANAGER, display_name="Mara Manager")
    people = {
        "manager": manager,
        "owner": make_person(display_name="Otto Owner", manager_id=manager.id),
        "colleague": make_person(display_name="Cleo Colleague"),
        "member": make_person(display_name="Mia Member"),
        "facilitator": make_person(Role.FACILITATOR, display_name="Fay Facilitator"),
        "hr": make_person(Role.HR, display_name="Hal HR"),
        "guest": make_guest(display_name="Gus Guest"),
        "outside_guest": make_guest(display_name="Olga Outside"),
        "ended_guest": make_guest(
            display_name="Ed Ended", access_ends_on=date.today() - timedelta(days=1)
        ),
        "other_member": make_person(display_name="Oskar Other"),
    }
    cohort = cohort_of()
    learning_set = set_of(
        cohort,
        "Aurora",
        people["facilitator"],
        [people["member"], people["guest"], people["owner"], people["ended_guest"]],
    )
    other_set = set_of(cohort, "Borealis", None, [people["other_member"]])
    owner = people["owner"]
    cards = {
        "zanzibar": venture_with_card(owner, "zanzibar", Visibility.PRIVATE),
        "quokka": venture_with_card(owner, "quokka", Visibility.ORGANISATION),
        "marimba": venture_with_card(owner, "marimba", Visibility.SETS, shared_into=learning_set),
        "fjordland": venture_with_card(owner, "fjordland", Visibility.SETS, shared_into=other_set),
    }
    session = LearningSession(
        set_id=learning_set.id,
        format=SessionFormat.MASTERMIND,
        starts_at=NOW - timedelta(days=2),
        ends_at=NOW - timedelta(days=2) + timedelta(hours=2),
    )
    db.session.add(session)
    db.session.flush()
    hot_seat = HotSeat(
        session_id=session.id,
        person_id=people["member"].id,
        challenge_title="Challenge pangolin",
        challenge_description="Nobody answers my pangolin emails",
        barrier=BarrierCategory.PERMISSION,
    )
    db.session.add(hot_seat)
    db.session.flush()
    db.session.add(
        Question(hot_seat_id=hot_seat.id, asked_by=people["guest"], text="Why xylophone?")
    )
    db.session.add(
        Action(
            session_id=session.id,
            hot_seat_id=hot_seat.id,
            owner_id=people["member"].id,
            description="Call the theremin people",
            due_on=date.today() + timedelta(days=7),
        )
    )
    db.session.flush()
    team = {"owner", "manager"}  # the team and the manager above a member
    employees = {"owner", "manager", "colleague", "member", "facilitator", "hr", "other_member"}
    in_aurora = {"owner", "member", "guest", "facilitator"}  # today (not the ended guest)
    aurora_page = in_aurora | {"hr"}  # a set's page: its members, facilitator, and HR
    readers = {
        "zanzibar": team,
        "quokka": employees,
        "marimba": team | in_aurora,
        "fjordland": team | {"other_member"},
        "pangolin": aurora_page,
        "xylophone": aurora_page,
        "theremin": aurora_page,
    }
    return World(people, learning_set, other_set, session, cards, readers)
