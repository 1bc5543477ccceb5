"""The seeded world of the access walk: people, a programme, sets and their sessions.

Every object is made the way the product makes it (the services where they exist, plain rows
where a test must place something in the past), and each piece of human-visible text carries
a marker (``mkq-…``, see ``facts.World.mark``) naming the object it belongs to. Ventures are
seeded in ``boards.py``; surveys, links, tokens and jobs in ``links.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pyotp

from intrapreneur.extensions import db
from intrapreneur.identity import mfa
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.identity.passwords import hash_password
from intrapreneur.learning.models import (
    Action,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SessionFeedback,
    SessionFormat,
    SetMembership,
)
from tests.access import boards, hacks, links
from tests.access.facts import PersonFacts, SessionFacts, SetFacts, Stay, World
from tests.conftest import GUEST_PASSWORD

MakePerson = Callable[..., Person]


def seed(make_person: MakePerson) -> World:
    """The whole world, flushed (never committed: the test's transaction is rolled back)."""
    world = World(now=datetime.now(UTC).replace(microsecond=0), today=date.today())
    _people(world, make_person)
    _programme(world)
    _sessions(world)
    boards.seed(world)
    links.seed(world)
    hacks.seed(world)
    # Switched off by a directory sync after everything above was theirs.
    world.people["gone"].active = world.persons["gone"].active = False
    db.session.flush()
    return world


# -- people ----------------------------------------------------------------------------------

PEOPLE: dict[str, tuple[Role, ...]] = {
    "hr": (Role.HR,),
    "admin": (Role.ADMIN,),
    "facilitator_a": (Role.FACILITATOR,),
    "facilitator_b": (Role.FACILITATOR,),
    "manager_with": (Role.MANAGER,),
    "manager_without": (Role.MANAGER,),
    "boss": (Role.MANAGER,),
    "manager_b": (Role.MANAGER,),
    "member_a": (),
    "member_a2": (),
    "outsider": (),
    "leaver": (),
    "member_b": (),
    "gone": (Role.ADMIN,),
    "sponsor": (Role.SPONSOR,),  # an employee in no set, with the portfolio besides
}
MANAGERS = {
    "member_a": "manager_with",
    "member_a2": "boss",
    "outsider": "manager_without",
    "member_b": "manager_b",
}


def _add(world: World, name: str, person: Person) -> None:
    world.people[name] = person
    world.persons[name] = PersonFacts(
        person.id, person.is_guest, person.role_names, access_ends_on=person.access_ends_on
    )


@cache
def _guest_password_hash() -> str:
    """``make_guest``'s password, hashed once per process: argon2 is slow on purpose."""
    return hash_password(GUEST_PASSWORD)


def _switch_two_step_on(world: World, name: str) -> None:
    """As the person's authenticator app would: its first code switches it on."""
    person = world.people[name]
    secret = mfa.begin_set_up(person)
    mfa.confirm_set_up(person, pyotp.TOTP(secret).now(), datetime.now(UTC))
    world.persons[name].two_step = True


def _people(world: World, make_person: MakePerson) -> None:
    for name, roles in PEOPLE.items():
        _add(world, name, make_person(*roles, display_name=f"{name} person"))
    # Access "ends on" a day and is refused after it: an end yesterday is over today.
    for name, days in (("guest_a", 30), ("guest_ended", -1)):
        ends_on = world.today + timedelta(days=days)
        guest = make_person(
            kind=PersonKind.GUEST,
            password_hash=_guest_password_hash(),
            display_name=f"{name} person",
            access_ends_on=ends_on,
        )
        _add(world, name, guest)
    _switch_two_step_on(world, "guest_a")
    for report, manager in MANAGERS.items():
        world.people[report].manager_id = world.people[manager].id
        world.persons[report].manager = manager
    db.session.flush()


# -- programme, cohorts, sets ---------------------------------------------------------------

A_MEMBERS = ("member_a", "member_a2", "guest_a", "guest_ended", "gone", "leaver")


def _programme(world: World) -> None:
    today = world.today
    programme = Programme(
        name=world.mark("programme", "p", "name"),
        description=world.mark("programme_description", "p", "text"),
    )
    current = Cohort(
        programme=programme,
        name=world.mark("cohort", "current", "name"),
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=90),
        enrolment_open=True,
    )
    earlier = Cohort(
        programme=programme,
        name=world.mark("cohort", "earlier", "name"),
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=200),
    )
    db.session.add_all([current, earlier])
    db.session.flush()
    world.programmes["p"] = programme.id
    world.cohorts |= {"current": current.id, "earlier": earlier.id}
    world.open_cohorts.add("current")
    joined, left = today - timedelta(days=60), today - timedelta(days=10)
    stays = {
        "a": [Stay(name, joined, left if name == "leaver" else None) for name in A_MEMBERS],
        "b": [Stay("member_b", joined)],
    }
    for set_name, facilitator in (("a", "facilitator_a"), ("b", "facilitator_b")):
        learning_set = LearningSet(
            cohort=current,
            name=world.mark("set", set_name, "name"),
            facilitator_id=world.persons[facilitator].id,
        )
        db.session.add(learning_set)
        for stay in stays[set_name]:
            membership = SetMembership(
                learning_set=learning_set,
                person_id=world.persons[stay.person].id,
                joined_on=stay.joined,
                left_on=stay.left,
            )
            db.session.add(membership)
            db.session.flush()
            world.memberships[f"{set_name}_{stay.person}"] = (membership.id, set_name, stay)
        world.sets[set_name] = SetFacts(learning_set.id, "current", facilitator, stays[set_name])
    # Placed people are accepted participants (guests too); the outsider only asked.
    for name in (*A_MEMBERS, "member_b"):
        db.session.add(_enrolment(current, world, name, EnrolmentStatus.ACCEPTED))
    db.session.add(_enrolment(current, world, "outsider", EnrolmentStatus.REQUESTED))
    world.enrolled["current"] = {*A_MEMBERS, "member_b", "outsider"}
    db.session.flush()


def _enrolment(cohort: Cohort, world: World, name: str, status: EnrolmentStatus) -> Enrolment:
    return Enrolment(cohort=cohort, person_id=world.persons[name].id, status=status)


# -- sessions, hot seats, questions, commitments --------------------------------------------

SESSIONS = {  # name → set, days from now, cancelled
    "a_old": ("a", -30, False),
    "a_past": ("a", -7, False),
    "a_next": ("a", 3, False),
    "a_cancelled": ("a", 10, True),
    "b_past": ("b", -7, False),
    "b_next": ("b", 3, False),
}
# Feedback on a_old is released (three answers, answering closed); on a_past it is held back.
FEEDBACK = {  # name → session, who answered
    "old_a": ("a_old", "member_a"),
    "old_a2": ("a_old", "member_a2"),
    "old_leaver": ("a_old", "leaver"),
    "past_a": ("a_past", "member_a"),
    "past_guest": ("a_past", "guest_a"),
}
HOT_SEATS = {  # name → session, person in the seat, who asks, due in days
    "a": ("a_past", "member_a", "member_a2", -1),
    "b": ("b_past", "member_b", "member_b", -1),
    "old": ("a_old", "leaver", "member_a", -20),
}


def _sessions(world: World) -> None:
    for name, (set_name, days, cancelled) in SESSIONS.items():
        starts = world.now + timedelta(days=days)
        session = LearningSession(
            set_id=world.sets[set_name].id,
            format=SessionFormat.POWER_HOUR,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            location=world.mark("session", name, "place"),
            video_url=f"https://video.example/{world.mark('session', name, 'video')}",
            agenda=[],
            cancelled_at=world.now if cancelled else None,
        )
        db.session.add(session)
        db.session.flush()
        world.sessions[name] = SessionFacts(session.id, set_name, starts, cancelled)
    for name, (session_name, person, asker, due_in) in HOT_SEATS.items():
        seat = HotSeat(
            session_id=world.sessions[session_name].id,
            person_id=world.persons[person].id,
            challenge_title=world.mark("hot_seat", name, "challenge"),
            challenge_description=world.mark("hot_seat", name, "description"),
            barrier=BarrierCategory.TIME,
        )
        db.session.add(seat)
        db.session.flush()
        world.hot_seats[name] = (seat.id, session_name)
        # A hot seat's question goes by the hot seat's name.
        db.session.add(
            Question(
                hot_seat_id=seat.id,
                asked_by_id=world.persons[asker].id,
                text=world.mark("question", name, "text"),
            )
        )
        action = Action(
            session_id=world.sessions[session_name].id,
            hot_seat_id=seat.id,
            owner_id=world.persons[person].id,
            description=world.mark("action", name, "description"),
            learning=world.mark("action", name, "learning"),
            due_on=world.today + timedelta(days=due_in),
        )
        db.session.add(action)
        db.session.flush()
        world.actions[name] = (action.id, person, session_name)
    for name, (session_name, author) in FEEDBACK.items():
        db.session.add(
            SessionFeedback(
                session_id=world.sessions[session_name].id,
                person_id=world.persons[author].id,
                usefulness=4,
                next_step=world.mark("feedback", name, "step"),
            )
        )
        world.feedback[name] = (session_name, author)
    db.session.flush()
