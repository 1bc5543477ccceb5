"""Entrepreneurs' profiles and Hacks in the walk's world: set B's member asked guest_a (a
guest of set A, an attacker as far as set B goes) for a Hack on their challenge, accepted; set
A's member asked set B's facilitator, who has not answered yet."""

from __future__ import annotations

from datetime import timedelta

from intrapreneur.extensions import db
from intrapreneur.identity.expertise.models import (
    AvailabilityWindow,
    ExpertiseProfile,
    ExpertiseTag,
    ProfileTag,
)
from intrapreneur.learning.hacks.models import HackProposedTime, HackRequest, HackStatus
from tests.access.facts import World

# name → hot seat it is about, requester, entrepreneur, accepted
HACKS = {
    "b": ("b", "member_b", "guest_a", True),
    "a": ("a", "member_a", "facilitator_b", False),
}


def seed(world: World) -> None:
    tag = ExpertiseTag(name="Pricing", created_at=world.now)
    db.session.add(tag)
    db.session.flush()
    for entrepreneur in ("guest_a", "facilitator_b", "guest_ended"):
        person_id = world.persons[entrepreneur].id
        db.session.add_all(
            [
                ExpertiseProfile(person_id=person_id, bio="", updated_at=world.now),
                ProfileTag(person_id=person_id, tag_id=tag.id),
                AvailabilityWindow(person_id=person_id, weekday=0, start_minute=0, end_minute=1440),
            ]
        )
    starts = world.now + timedelta(days=5)
    ends = starts + timedelta(minutes=85)
    for name, (seat, requester, entrepreneur, accepted) in HACKS.items():
        hack = HackRequest(
            requester_id=world.persons[requester].id,
            entrepreneur_id=world.persons[entrepreneur].id,
            hot_seat_id=world.hot_seats[seat][0],
            expertise_tag_id=tag.id,
            topic=world.mark("hack", name, "topic"),
            message=world.mark("hack", name, "message"),
            status=HackStatus.ACCEPTED if accepted else HackStatus.REQUESTED,
            starts_at=starts if accepted else None,
            ends_at=ends if accepted else None,
            answered_at=world.now if accepted else None,
            proposed=[HackProposedTime(starts_at=starts, ends_at=ends)],
        )
        db.session.add(hack)
        db.session.flush()
        world.hacks[name] = (hack.id, requester, entrepreneur, accepted)
