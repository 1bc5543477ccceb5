"""Programmes, cohorts, action-learning sets and who was in which set when.

The skeleton holds only what the demo organisation and the home page need;
sessions, challenges and commitments arrive with the learning capability.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, string_enum


class Programme(CreatedAtMixin, db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Cohort(CreatedAtMixin, db.Model):
    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(default=24)
    enrolment_open: Mapped[bool] = mapped_column(Boolean, default=False)

    programme: Mapped[Programme] = relationship(lazy="joined")


class EnrolmentStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Enrolment(CreatedAtMixin, db.Model):
    """A person's request to join a cohort and its outcome; accepted ones are the participants."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        string_enum(EnrolmentStatus, "enrolment_status"), index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")


class SessionFormat(StrEnum):
    POWER_HOUR = "power_hour"
    MASTERMIND = "mastermind"
    HACK = "hack"
    ENABLEMENT = "enablement"


class LearningSet(CreatedAtMixin, db.Model):
    """A small peer group (4–8 members) with one facilitator."""

    __tablename__ = "learning_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    default_format: Mapped[SessionFormat] = mapped_column(
        string_enum(SessionFormat, "session_format"), default=SessionFormat.MASTERMIND
    )
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)

    cohort: Mapped[Cohort] = relationship(lazy="joined")
    facilitator: Mapped[Person | None] = relationship()


class SetMembership(CreatedAtMixin, db.Model):
    """One stay of one person in one set; ``left_on`` is empty while they are still in it."""

    __tablename__ = "set_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("learning_set.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    learning_set: Mapped[LearningSet] = relationship(lazy="joined")
    person: Mapped[Person] = relationship()


class LearningSession(CreatedAtMixin, db.Model):
    """One meeting of a set. Times are stored in UTC and shown in the reader's zone.

    ``sequence`` is the iCalendar SEQUENCE, bumped on every change so that
    calendars replace their copy; ``version`` guards against two facilitators
    overwriting each other's edits (optimistic locking).
    """

    __tablename__ = "learning_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("learning_set.id"), index=True)
    format: Mapped[SessionFormat] = mapped_column(string_enum(SessionFormat, "session_format"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(300))
    video_url: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    learning_set: Mapped[LearningSet] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
