"""The world the Hack tests share: an entrepreneur with a profile and Monday mornings free in
Berlin, and an employee with a hot-seat challenge in their set and a card on their venture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from intrapreneur.core.timezones import to_utc
from intrapreneur.experiments.models import Experiment, TeamRole, Venture, VentureMember, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.expertise import services as expertise
from intrapreneur.identity.expertise.models import ExpertiseTag
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import BarrierCategory, HotSeat, LearningSession
from tests.learning.builders import cohort_of, session_in, set_of

ZONE = "Europe/Berlin"
MONDAY = 0


def next_monday(today: date | None = None) -> date:
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin, as UTC."""
    return to_utc(day, time(hour, minute), ZONE)


def tag(name: str) -> ExpertiseTag:
    found = ExpertiseTag(name=name, created_at=datetime.now(UTC))
    db.session.add(found)
    db.session.flush()
    return found


def give_profile(
    person: Person,
    tags: list[ExpertiseTag],
    *,
    windows: list[expertise.Window] | None = None,
    bio: str = "Built two companies.",
) -> Person:
    """Monday 09:00–12:00 in Berlin unless ``windows`` say otherwise."""
    person.chosen_time_zone = ZONE
    expertise.save_profile(
        person,
        bio=bio,
        tag_ids=[each.id for each in tags],
        windows=windows if windows is not None else [expertise.Window(MONDAY, 9 * 60, 12 * 60)],
        now=datetime.now(UTC),
    )
    return person


@dataclass
class World:
    employee: Person
    entrepreneur: Person
    pricing: ExpertiseTag
    hot_seat: HotSeat
    session: LearningSession
    card: Experiment
    venture: Venture
    set_peer: Person


def world(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    employee = make_person(display_name="Ana Employee", chosen_time_zone="UTC")
    peer = make_person(display_name="Pat Peer")
    facilitator = make_person(Role.FACILITATOR, display_name="Fay Facilitator")
    entrepreneur = make_guest(display_name="Gil Guest")
    pricing = tag("Pricing")
    give_profile(entrepreneur, [pricing])
    learning_set = set_of(cohort_of(), "Set A", facilitator, [employee, peer])
    session = session_in(learning_set, -2)
    hot_seat = HotSeat(
        session_id=session.id,
        person=employee,
        challenge_title="Nobody buys the premium plan",
        challenge_description="Secret description of the set",
        barrier=BarrierCategory.CUSTOMER_ACCESS,
    )
    db.session.add(hot_seat)
    venture = Venture(
        title="Private venture", problem="p", customer="c", visibility=Visibility.PRIVATE
    )
    db.session.add(venture)
    db.session.flush()
    db.session.add(VentureMember(venture_id=venture.id, person_id=employee.id, role=TeamRole.OWNER))
    card = Experiment(venture_id=venture.id, owner_id=employee.id, title="Will shops pay 20 €?")
    db.session.add(card)
    db.session.flush()
    return World(employee, entrepreneur, pricing, hot_seat, session, card, venture, peer)
