"""A Hack request, the times it proposes, and — once accepted — the Hack session itself.

A Hack is not a meeting of a set: it has exactly two participants (the requester and the
entrepreneur), so it lives in its own rows rather than among a set's sessions. Nothing of
the set or the venture the challenge came from opens to the entrepreneur through it; they
read only what the request itself carries (its topic and message).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime, string_enum
from intrapreneur.extensions import db
from intrapreneur.identity.expertise.models import ExpertiseTag
from intrapreneur.identity.models import Person


class HackStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class HackRequest(CreatedAtMixin, db.Model):
    """``topic`` is the challenge's or card's title when asked: what the requester chose to
    share. Accepted, ``starts_at``/``ends_at`` hold the time the entrepreneur picked and
    ``sequence`` is the iCalendar SEQUENCE of the Hack session."""

    __tablename__ = "hack_request"
    __table_args__ = (
        CheckConstraint("(hot_seat_id IS NULL) <> (experiment_id IS NULL)", name="one_challenge"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    entrepreneur_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    hot_seat_id: Mapped[int | None] = mapped_column(ForeignKey("hot_seat.id"), index=True)
    experiment_id: Mapped[int | None] = mapped_column(ForeignKey("experiment.id"), index=True)
    expertise_tag_id: Mapped[int | None] = mapped_column(ForeignKey("expertise_tag.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[HackStatus] = mapped_column(
        string_enum(HackStatus, "hack_status"), default=HackStatus.REQUESTED, index=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agenda: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    requester: Mapped[Person] = relationship(foreign_keys=[requester_id], lazy="joined")
    entrepreneur: Mapped[Person] = relationship(foreign_keys=[entrepreneur_id], lazy="joined")
    expertise_tag: Mapped[ExpertiseTag | None] = relationship(lazy="joined")
    proposed: Mapped[list[HackProposedTime]] = relationship(
        order_by="HackProposedTime.starts_at",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class HackProposedTime(db.Model):
    """One of the (up to three) times the requester proposes."""

    __tablename__ = "hack_proposed_time"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("hack_request.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
