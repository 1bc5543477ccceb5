"""The expertise vocabulary and the entrepreneurs' profiles.

Availability is a set of weekly windows (a weekday and a time range) read in the person's
own time zone: a visiting entrepreneur gives "Tuesdays 14:00–17:00", which is how a
programme books them; the guest's access end date closes every window after it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

MINUTES_PER_DAY = 24 * 60


class ExpertiseTag(CreatedAtMixin, db.Model):
    """One word of HR's vocabulary. A retired tag stays on the profiles that had it (and in
    the figures of past requests) but is no longer offered."""

    __tablename__ = "expertise_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExpertiseProfile(db.Model):
    """What one entrepreneur or facilitator tells employees about themself."""

    __tablename__ = "expertise_profile"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(lazy="joined")


class ProfileTag(db.Model):
    """One tag on one profile."""

    __tablename__ = "profile_expertise"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("expertise_tag.id"), primary_key=True, index=True
    )

    tag: Mapped[ExpertiseTag] = relationship(lazy="joined")


class AvailabilityWindow(db.Model):
    """Every week on ``weekday`` (0 = Monday) from ``start_minute`` to ``end_minute`` after
    midnight, in the person's time zone."""

    __tablename__ = "availability_window"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(
            f"start_minute >= 0 AND end_minute <= {MINUTES_PER_DAY} AND start_minute < end_minute",
            name="minute_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
