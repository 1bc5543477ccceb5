"""Erasing an entrepreneur: their profile, tags and windows go; the Hack requests stay for the
figures, their texts treated by the Hack requests' text mode (redacted by default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from intrapreneur.extensions import db
from intrapreneur.identity.expertise.models import (
    AvailabilityWindow,
    ExpertiseProfile,
    ProfileTag,
)
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.hacks import queries, services
from intrapreneur.learning.hacks.models import HackRequest
from intrapreneur.privacy.erasure import erase
from tests.hacks.builders import berlin, next_monday, world


def _count(model: type, person_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.person_id == person_id)
    )


def test_erasing_the_entrepreneur_deletes_the_profile_and_redacts_the_exchange(
    app: Flask, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    w = world(make_person, make_guest)
    admin = make_person(Role.ADMIN)
    now = datetime.now(UTC)
    hack = services.request_hack(
        w.employee,
        w.entrepreneur,
        services.Challenge(hot_seat=w.hot_seat),
        starts=[berlin(next_monday(), 9)],
        message="Mail me at ana@corp.example",
        tag_id=w.pricing.id,
        now=now,
    )
    services.decline(hack, "Call me on https://gil.example first", by=w.entrepreneur, now=now)
    db.session.flush()
    before = queries.tag_demand()
    guest_id = w.entrepreneur.id

    erase(w.entrepreneur, by=admin, now=now)
    db.session.flush()
    db.session.expire_all()

    assert _count(ExpertiseProfile, guest_id) == 0
    assert _count(ProfileTag, guest_id) == 0
    assert _count(AvailabilityWindow, guest_id) == 0
    kept = db.session.get(HackRequest, hack.id)
    assert kept is not None and kept.entrepreneur_id == guest_id
    assert kept.message == "Mail me at [removed]"
    assert kept.decline_reason == "Call me on [removed] first"
    assert kept.topic == "Nobody buys the premium plan"
    assert queries.tag_demand() == before  # the figures are unchanged
