"""Programmes, cohorts, action-learning sets and who was in which set when.

The skeleton holds only what the demo organisation and the home page need;
sessions, challenges and commitments arrive with the learning capability.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime, string_enum
from intrapreneur.core.timezones import DEFAULT_ZONE
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person


class Programme(CreatedAtMixin, db.Model):
    """``archived_at`` set: read-only, listed apart; ``version`` guards against two HR
    editors overwriting each other (optimistic locking)."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class Cohort(CreatedAtMixin, db.Model):
    """``time_zone`` (an IANA name) is the zone the cohort's dates are read in; a closed
    cohort (``closed_at`` set) is read-only: no enrolment, no edits, no new sets or sessions.
    """

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(default=24)
    enrolment_open: Mapped[bool] = mapped_column(Boolean, default=False)
    time_zone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_ZONE, server_default=DEFAULT_ZONE
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    programme: Mapped[Programme] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class EnrolmentStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    # Accepted by HR when no place was free: takes the first place that frees up, in
    # request order, while the cohort is open.
    WAITING = "waiting"
    WITHDRAWN = "withdrawn"  # the person left by themself
    REMOVED = "removed"  # HR took an accepted participant out


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
    """A small peer group (4–8 members) with one facilitator.

    ``version`` guards the set's changes over a cohort (facilitator, members moved in or
    out, closing) against two people making them at once: writing ``updated_at`` bumps it.
    A set with ``closed_at`` is kept for the record and takes no more changes.
    """

    __tablename__ = "learning_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    default_format: Mapped[SessionFormat] = mapped_column(
        string_enum(SessionFormat, "session_format"), default=SessionFormat.MASTERMIND
    )
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    cohort: Mapped[Cohort] = relationship(lazy="joined")
    facilitator: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


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

    ``sequence`` is the iCalendar SEQUENCE, bumped when the time, place or
    cancellation changes so that calendars replace their copy (an agenda change
    leaves it); ``version`` guards against two facilitators overwriting each
    other's edits (optimistic locking).
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


class SessionFeedback(CreatedAtMixin, db.Model):
    """One member's answer about one session they were in: how useful it was (1–5) and the
    one thing they will do next. Nobody but its author reads it as such; facilitators and HR
    read figures over at least three answers (``queries.feedback``)."""

    __tablename__ = "session_feedback"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    usefulness: Mapped[int] = mapped_column(Integer)
    next_step: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaTemplate(db.Model):
    """HR's agenda for one session format: segments of ``title``, ``minutes``, ``hot_seat``.

    A format without a row uses its shipped default (``formats.FORMATS``). Each session
    keeps its own copy of the agenda, so an edit here shapes only sessions scheduled later.
    """

    __tablename__ = "agenda_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[SessionFormat] = mapped_column(
        string_enum(SessionFormat, "session_format"), unique=True
    )
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    updated_by: Mapped[Person] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class BarrierCategory(StrEnum):
    PERMISSION = "permission"
    RESOURCES = "resources"
    TIME = "time"
    SKILLS = "skills"
    CUSTOMER_ACCESS = "customer_access"
    POLITICS = "politics"
    RISK_AVERSION = "risk_aversion"
    OTHER = "other"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    present: Mapped[bool] = mapped_column(Boolean)


class HotSeat(CreatedAtMixin, db.Model):
    """One member's turn: the barrier they bring, the questions asked, what they commit to."""

    __tablename__ = "hot_seat"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    challenge_title: Mapped[str] = mapped_column(String(200))
    challenge_description: Mapped[str] = mapped_column(Text, default="")
    barrier: Mapped[BarrierCategory] = mapped_column(string_enum(BarrierCategory, "barrier"))

    person: Mapped[Person] = relationship(lazy="joined")


class Question(CreatedAtMixin, db.Model):
    """One line, attributed: questions come before advice."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    hot_seat_id: Mapped[int] = mapped_column(ForeignKey("hot_seat.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))

    asked_by: Mapped[Person] = relationship(lazy="joined")


class Action(CreatedAtMixin, db.Model):
    """A commitment made in a session, reviewed when the set next meets.

    ``experiment_id`` links the experiment the action was turned into.
    """

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("learning_session.id"), index=True)
    hot_seat_id: Mapped[int | None] = mapped_column(ForeignKey("hot_seat.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(
        string_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN, index=True
    )
    learning: Mapped[str] = mapped_column(Text, default="")
    reviewed_in_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_session.id"), index=True
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    experiment_id: Mapped[int | None] = mapped_column(ForeignKey("experiment.id"), index=True)

    owner: Mapped[Person] = relationship(lazy="joined")
    session: Mapped[LearningSession] = relationship(foreign_keys=[session_id])


class SetComposition(CreatedAtMixin, db.Model):
    """HR's draft of a cohort's sets between proposing and publishing (one per cohort).

    ``arrangement`` holds ``{"sets": [[person ids], ...], "facilitators": [id | null, ...],
    "locked": [person ids]}``; ``facilitators`` the people asked to facilitate,
    ``[{"person_id": id, "capacity": sets}, ...]``. Reasons and quality are
    recomputed from these on every view, so they never go stale.
    """

    __tablename__ = "set_composition"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), unique=True)
    arrangement: Mapped[dict[str, Any]] = mapped_column(JSON)
    facilitators: Mapped[list[dict[str, int]]] = mapped_column(JSON, default=list)
    keep_apart_previous: Mapped[bool] = mapped_column(Boolean, default=True)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    cohort: Mapped[Cohort] = relationship()

    __mapper_args__ = {"version_id_col": version}
