"""Survey waves, who was invited, and responses that cannot be traced back to a person.

Privacy by construction: an invitation knows who was asked, and nothing about
whether they answered; a response knows what was answered, a keyed pseudonym and
snapshots of department, cohort and group, but no person id and no link to its
invitation. Nothing in the database joins the two: whether someone has answered
is known only to code holding the pseudonym key (see ``pseudonyms.py``), so even
a department where one person answered cannot be matched to that person from
the database alone.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime, string_enum
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Cohort


class SurveyGroup(StrEnum):
    PARTICIPANT = "participant"
    COMPARISON = "comparison"


wave_cohort = Table(
    "wave_cohort",
    db.metadata,
    Column("wave_id", ForeignKey("survey_wave.id"), primary_key=True),
    Column("cohort_id", ForeignKey("cohort.id"), primary_key=True, index=True),
)


class SurveyWave(CreatedAtMixin, db.Model):
    """One round of a pulse survey; the instrument version is fixed for the wave."""

    __tablename__ = "survey_wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    instrument_key: Mapped[str] = mapped_column(String(120))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The last reminder round queued (0: none yet); see ``reminders``. About the wave as a
    # whole: nothing in the database says which invitees a reminder went to.
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    cohorts: Mapped[list[Cohort]] = relationship(secondary=wave_cohort, order_by=Cohort.starts_on)
    created_by: Mapped[Person | None] = relationship()

    def is_open(self, today: date) -> bool:
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    def has_closed(self, today: date) -> bool:
        return self.closed_at is not None or today > self.closes_on


class SurveyInvitation(CreatedAtMixin, db.Model):
    """Who was asked (and in which group): the denominators of the response rates.

    Only a hash of the personal link's secret is kept, so a dump gives no working links.
    """

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("wave_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    group: Mapped[SurveyGroup] = mapped_column(string_enum(SurveyGroup, "survey_group"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    wave: Mapped[SurveyWave] = relationship()
    person: Mapped[Person] = relationship()


class SurveyResponse(db.Model):
    """One person's answers to one wave, without the person.

    ``submitted_on`` is a date on purpose: a time of day helps re-identify.
    The unique pseudonym per wave refuses a second answer in the database too.
    """

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("wave_id", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    group: Mapped[SurveyGroup] = mapped_column(string_enum(SurveyGroup, "survey_group"))
    # Where the respondent worked when answering (identity.models.Person.place): further
    # dimensions of the figures, through the same ledger.
    business_unit_id: Mapped[int | None] = mapped_column(ForeignKey("business_unit.id"), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    location: Mapped[str | None] = mapped_column(String(210))
    answers: Mapped[dict[str, int]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_on: Mapped[date] = mapped_column(Date)
    # The language the questionnaire was shown in ("de"); the answers themselves are item
    # ids and scale points, the same in every language. Answers given before surveys were
    # translated were given in English.
    language: Mapped[str] = mapped_column(String(16), server_default="en")


class SurveyScore(db.Model):
    """A response's score on one dimension, with its snapshots copied in, so dashboards
    aggregate with GROUP BY and never read JSON."""

    __tablename__ = "survey_score"
    __table_args__ = (
        Index("ix_survey_score_wave_dimension_department", "wave_id", "dimension", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"))
    dimension: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    group: Mapped[SurveyGroup] = mapped_column(string_enum(SurveyGroup, "survey_group"))


class PrivacyRules(db.Model):
    """The minimum group sizes in force (one row; none means the defaults, 5 and 10).

    Only an admin changes them, within limits the anonymity engine enforces, and every
    change is in the audit log.
    """

    __tablename__ = "privacy_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_group: Mapped[int] = mapped_column(default=5)
    min_group_comments: Mapped[int] = mapped_column(default=10)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyPublication(CreatedAtMixin, db.Model):
    """A closed wave's release as the ledger decided it, kept once.

    A closed wave takes no more answers and the ledger only looks back, so what it releases
    never changes for the same rules and the same earlier waves: every view, export and
    API answer reads it here, and the next wave's release is checked against it. Only what
    may be printed is stored (hidden figures carry no count and no means).
    """

    __tablename__ = "survey_publication"
    __table_args__ = (UniqueConstraint("wave_id", "min_group", "min_group_comments", "earlier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    min_group: Mapped[int]
    min_group_comments: Mapped[int]
    # The ids of the waves before this one, in order ("3,5,8"): the series it was decided in.
    earlier: Mapped[str] = mapped_column(Text)
    comment_departments: Mapped[list[str]] = mapped_column(JSON)
    # Cronbach's alpha per dimension over the whole wave: [alpha or None, complete responses].
    alphas: Mapped[dict[str, list[float | int | None]]] = mapped_column(JSON)
    # Per dimension, the whole wave's bands [low, high, respondents], or None when hidden.
    distributions: Mapped[dict[str, list[list[float | int]] | None]] = mapped_column(JSON)


class PublishedFigure(db.Model):
    """One group's figure in a publication. A coordinate is None when the figure is a margin
    over it ("all cohorts"); ``department_id`` and ``cohort_id`` repeat the coordinates as
    numbers, for sorting by name with a join. A figure with a ``scope`` is a manager's view:
    the respondents of those departments (ids joined by commas), narrowed by the cohort and
    group coordinates."""

    __tablename__ = "published_figure"
    __table_args__ = (
        Index("ix_published_figure_slice", "publication_id", "width", "cohort", "group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("survey_publication.id", ondelete="CASCADE")
    )
    width: Mapped[int]  # how many coordinates the group names
    department: Mapped[str | None] = mapped_column(String(20))
    cohort: Mapped[str | None] = mapped_column(String(20))
    group: Mapped[str | None] = mapped_column(String(20))
    # The place coordinates (a figure names at most one of them, with or without group).
    business_unit: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(210))
    department_id: Mapped[int | None]
    cohort_id: Mapped[int | None]
    scope: Mapped[str | None] = mapped_column(Text)
    respondents: Mapped[int | None]  # None when hidden
    hidden: Mapped[bool]
    # Per dimension: the mean and the answers behind it, where shown (no mean: no answers).
    means: Mapped[dict[str, float]] = mapped_column(JSON)
    answers: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    hidden_dimensions: Mapped[list[str]] = mapped_column(JSON, default=list)
