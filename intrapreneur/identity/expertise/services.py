"""Writes: HR's vocabulary (add, rename, retire) and a person's own profile. Services flush;
the request commits."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.expertise import queries
from intrapreneur.identity.expertise.models import (
    AvailabilityWindow,
    ExpertiseProfile,
    ExpertiseTag,
    ProfileTag,
)
from intrapreneur.identity.models import Person
from intrapreneur.identity.services import IdentityError

BIO_LENGTH = 2000


class ExpertiseRefusal(IdentityError):
    status = 422


@dataclass(frozen=True)
class Window:
    weekday: int
    start_minute: int
    end_minute: int


def _free_name(name: str, other_than: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ExpertiseRefusal(_("Give the tag a name."))
    if queries.tag_named(name, other_than=other_than) is not None:
        raise ExpertiseRefusal(_("The vocabulary already has a tag called “%(name)s”.", name=name))
    return name


def add_tag(name: str, *, by: Person, now: datetime) -> ExpertiseTag:
    tag = ExpertiseTag(name=_free_name(name), created_at=now)
    db.session.add(tag)
    db.session.flush()
    audit.record("expertise.tag_added", actor=by, obj=tag, name=tag.name)
    return tag


def rename_tag(tag: ExpertiseTag, name: str, *, by: Person) -> None:
    """Every profile carrying the tag shows the new name: it is the same tag."""
    old = tag.name
    tag.name = _free_name(name, other_than=tag.id)
    audit.record("expertise.tag_renamed", actor=by, obj=tag, old=old, name=tag.name)


def retire_tag(tag: ExpertiseTag, *, by: Person, now: datetime) -> None:
    """No longer offered; profiles that carry it keep it, marked retired."""
    if tag.retired_at is not None:
        raise ExpertiseRefusal(_("“%(name)s” is already retired.", name=tag.name))
    tag.retired_at = now
    audit.record("expertise.tag_retired", actor=by, obj=tag)


def restore_tag(tag: ExpertiseTag, *, by: Person) -> None:
    if tag.retired_at is None:
        raise ExpertiseRefusal(_("“%(name)s” is offered already.", name=tag.name))
    tag.retired_at = None
    audit.record("expertise.tag_restored", actor=by, obj=tag)


def _checked_windows(windows: Iterable[Window]) -> list[Window]:
    kept = sorted(set(windows), key=lambda each: (each.weekday, each.start_minute))
    for window in kept:
        if window.start_minute >= window.end_minute:
            raise ExpertiseRefusal(_("Each window must end after it starts, on the same day."))
    for before, after in itertools.pairwise(kept):
        if before.weekday == after.weekday and after.start_minute < before.end_minute:
            raise ExpertiseRefusal(_("Two windows on the same day overlap: join them into one."))
    return kept


def save_profile(
    person: Person,
    *,
    bio: str,
    tag_ids: Iterable[int],
    windows: Iterable[Window],
    now: datetime,
) -> ExpertiseProfile:
    """The person's bio, tags and weekly windows, replaced as a whole. Only offered tags can be
    chosen; retired ones the profile already carries stay on it."""
    bio = (bio or "").strip()
    if len(bio) > BIO_LENGTH:
        raise ExpertiseRefusal(
            _("Keep the bio to %(count)d characters or fewer.", count=BIO_LENGTH)
        )
    chosen = set(tag_ids)
    offered = {tag.id for tag in queries.tags(offered_only=True)}
    if not chosen <= offered:
        raise ExpertiseRefusal(_("Choose tags from the list: that one is not offered."))
    kept_windows = _checked_windows(windows)
    profile = queries.profile_of(person.id)
    if profile is None:
        profile = ExpertiseProfile(person_id=person.id)
        db.session.add(profile)
    profile.bio = bio
    profile.updated_at = now
    held = set(
        db.session.scalars(select(ProfileTag.tag_id).where(ProfileTag.person_id == person.id))
    )
    retired_held = held - offered
    db.session.execute(
        delete(ProfileTag).where(
            ProfileTag.person_id == person.id, ProfileTag.tag_id.not_in(retired_held | chosen)
        )
    )
    for tag_id in chosen - held:
        db.session.add(ProfileTag(person_id=person.id, tag_id=tag_id))
    db.session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.person_id == person.id))
    for window in kept_windows:
        db.session.add(
            AvailabilityWindow(
                person_id=person.id,
                weekday=window.weekday,
                start_minute=window.start_minute,
                end_minute=window.end_minute,
            )
        )
    db.session.flush()
    audit.record("expertise.profile_saved", actor=person, obj=person)
    return profile
