"""Ventures, their experiment boards, learning cards, manager reviews and notifications.

A venture is an idea someone pursues; its board holds experiments (test cards)
that move Backlog → Designing → Running → Analysing → Decided. An experiment
can grow out of an earlier one (``parent_id``): the venture's MVP lineage.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime, string_enum
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

# Money as a plain amount in the organisation's currency; time in person-days.
Money = Numeric(12, 2)
Days = Numeric(6, 1)


class Stage(StrEnum):
    IDEA = "idea"
    PROBLEM = "problem"  # is the problem real, and for whom?
    SOLUTION = "solution"  # does this solution solve it?
    BUSINESS = "business"  # will it pay, can we deliver it?
    SCALE = "scale"


class Visibility(StrEnum):
    PRIVATE = "private"  # the team (and their managers, who review it)
    SETS = "sets"  # also the members of the sets it is shared into
    ORGANISATION = "organisation"  # also every employee (never guests)


class Venture(CreatedAtMixin, db.Model):
    __tablename__ = "venture"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    customer: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[Stage] = mapped_column(string_enum(Stage, "venture_stage"), default=Stage.IDEA)
    visibility: Mapped[Visibility] = mapped_column(
        string_enum(Visibility, "venture_visibility"), default=Visibility.PRIVATE
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class TeamRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class VentureMember(db.Model):
    """Who is on a venture's team: owners run it, members work on its cards."""

    __tablename__ = "venture_member"
    __table_args__ = (UniqueConstraint("venture_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(string_enum(TeamRole, "venture_role"))

    person: Mapped[Person] = relationship(lazy="joined")


class VentureShare(db.Model):
    """A learning set a venture is shared into (visibility ``sets``)."""

    __tablename__ = "venture_share"
    __table_args__ = (UniqueConstraint("venture_id", "set_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("learning_set.id"), index=True)


class Column(StrEnum):
    BACKLOG = "backlog"
    DESIGNING = "designing"
    RUNNING = "running"
    ANALYSING = "analysing"
    DECIDED = "decided"


# A card is decided on its own page, with its learning card, once it has run.
DECIDABLE_FROM = frozenset({Column.RUNNING, Column.ANALYSING})


class Assumption(StrEnum):
    DESIRABILITY = "desirability"  # do they want it?
    FEASIBILITY = "feasibility"  # can we build and deliver it?
    VIABILITY = "viability"  # should we: does it pay?


class Evidence(StrEnum):
    """Ordered by strength: what people say < what they do < what they pay."""

    SAY = "say"
    DO = "do"
    PAY = "pay"


class Decision(StrEnum):
    PERSEVERE = "persevere"
    PIVOT = "pivot"
    KILL = "kill"
    TEST_AGAIN = "test_again"


class Experiment(CreatedAtMixin, db.Model):
    """A test card and, once analysed, its learning card and decision.

    ``review_requested_at`` is set while the card waits for a manager's review
    (newly Running, Decided, or asking for time or money not yet decided) and
    cleared by the review that answers it; the managers' queue reads it.
    """

    __tablename__ = "experiment"

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("experiment.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    assumption: Mapped[Assumption] = mapped_column(
        string_enum(Assumption, "assumption"), default=Assumption.DESIRABILITY
    )
    test: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str] = mapped_column(Text, default="")
    success_criterion: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    cost_requested: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    days_requested: Mapped[Decimal] = mapped_column(Days, default=Decimal(0))
    evidence: Mapped[Evidence] = mapped_column(
        string_enum(Evidence, "evidence"), default=Evidence.SAY
    )
    column: Mapped[Column] = mapped_column(
        string_enum(Column, "board_column"), default=Column.BACKLOG, index=True
    )
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The learning card, filled in when the experiment is analysed.
    observation: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    evidence_data: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[Decision | None] = mapped_column(string_enum(Decision, "decision"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Whether the requested time and money were approved: None until a manager decides.
    budget_approved: Mapped[bool | None] = mapped_column(Boolean)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    venture: Mapped[Venture] = relationship(lazy="joined")
    owner: Mapped[Person] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_request(self) -> bool:
        return bool(self.cost_requested or self.days_requested)

    @property
    def can_be_decided(self) -> bool:
        return self.column in DECIDABLE_FROM


class ReviewTag(StrEnum):
    SUPPORT = "support"
    CHALLENGE = "challenge"


class Review(CreatedAtMixin, db.Model):
    """A manager's comment on a card (or a whole board when ``experiment_id`` is empty),
    tagged support or challenge, with an optional decision on the requested budget."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("venture.id"), index=True)
    experiment_id: Mapped[int | None] = mapped_column(ForeignKey("experiment.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    tag: Mapped[ReviewTag] = mapped_column(string_enum(ReviewTag, "review_tag"))
    comment: Mapped[str] = mapped_column(Text)
    budget_approved: Mapped[bool | None] = mapped_column(Boolean)
    approved_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    approved_days: Mapped[Decimal] = mapped_column(Days, default=Decimal(0))
    # How long the card had waited when this review answered it (None: it was not waiting).
    waited_seconds: Mapped[int | None] = mapped_column(Integer)

    reviewer: Mapped[Person] = relationship(lazy="joined")


class Notification(CreatedAtMixin, db.Model):
    """An in-app message to one person (email arrives with the deployment capability)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The venture it tells about: listed only while its reader may see that venture.
    venture_id: Mapped[int | None] = mapped_column(
        ForeignKey("venture.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Names a notification that is written once (a manager's digest of one day): a job run
    # twice, or retried, finds it and writes nothing more.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
