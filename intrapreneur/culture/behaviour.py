"""Behaviour metrics: what the product records people doing, aggregated in SQL.

Survey scores say what people feel; these say what they do. Each function
returns counts with the figures, so the anonymity rules can be applied to any
breakdown before it is shown. Definitions:

* **Participation**: accepted participants of cohorts, and how many of them are
  in a set today; and the participants per business unit, country and location (their
  finest combinations, for the anonymity rules to decide what may be shown).
* **Sessions, actions and questions**: the set-health figures (see
  ``learning.queries``) summed over every set: attendance rate, actions done on
  time, actions reviewed, questions per hot seat.
* **Experiments per month**: cards started (created) and decided per calendar
  month (UTC), with the ventures that had any card that month.
* **Decisions**: decided cards, the shares of kills and pivots among them, and the
  mean days from a card's creation to its decision.
* **Reviews**: manager reviews, support and challenge, and the mean time a card
  had waited when a review answered it.
* **Interaction network**: distinct employee–entrepreneur pairs who met in a held
  session (both marked present, or the guest facilitated a set session the
  employee attended), and the share of employees who attended any session who
  met at least one entrepreneur.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased

from intrapreneur.core.sql import days_between, utc_month
from intrapreneur.experiments.models import Decision, Experiment, Review, ReviewTag
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, PlaceKey, place_key
from intrapreneur.learning import queries as learning
from intrapreneur.learning.models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    LearningSession,
    LearningSet,
    SetMembership,
)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Participation:
    participants: int
    in_a_set: int


@dataclass(frozen=True)
class MonthOfExperiments:
    month: str  # "YYYY-MM"
    started: int
    decided: int
    ventures: int  # ventures with a card started or decided that month

    @property
    def started_per_venture(self) -> float | None:
        return share(self.started, self.ventures)

    @property
    def decided_per_venture(self) -> float | None:
        return share(self.decided, self.ventures)


@dataclass(frozen=True)
class Decisions:
    decided: int
    kills: int
    pivots: int
    mean_days_to_decision: float | None

    @property
    def kill_rate(self) -> float | None:
        return share(self.kills, self.decided)

    @property
    def pivot_rate(self) -> float | None:
        return share(self.pivots, self.decided)


@dataclass(frozen=True)
class Reviews:
    reviews: int
    support: int
    challenge: int
    answered_waits: int  # reviews that answered a waiting card
    mean_wait_hours: float | None

    @property
    def support_share(self) -> float | None:
        return share(self.support, self.reviews)


@dataclass(frozen=True)
class Network:
    pairs: int  # distinct employee–entrepreneur pairs who met
    employees_in_sessions: int
    employees_who_met_an_entrepreneur: int

    @property
    def share_who_met(self) -> float | None:
        return share(self.employees_who_met_an_entrepreneur, self.employees_in_sessions)


def participation(today: date) -> Participation:
    accepted = select(Enrolment.person_id).where(Enrolment.status == EnrolmentStatus.ACCEPTED)
    in_set = select(SetMembership.person_id).where(
        SetMembership.joined_on <= today,
        SetMembership.left_on.is_(None) | (SetMembership.left_on > today),
    )
    participants, placed = db.session.execute(
        select(
            func.count(Person.id.distinct()),
            func.count(Person.id.distinct()).filter(Person.id.in_(in_set)),
        ).where(Person.id.in_(accepted))
    ).one()
    return Participation(participants, placed)


def participants_by_place() -> dict[PlaceKey, int]:
    """Accepted participants per (business unit id, country, location as "site, country")
    they work in now: one GROUP BY."""
    accepted = select(Enrolment.person_id).where(Enrolment.status == EnrolmentStatus.ACCEPTED)
    found: dict[PlaceKey, int] = {}
    for unit, country, location, count in db.session.execute(
        select(
            Person.business_unit_id,
            Person.country,
            Person.location,
            func.count(Person.id.distinct()),
        )
        .where(Person.id.in_(accepted))
        .group_by(Person.business_unit_id, Person.country, Person.location)
    ):
        key = place_key(unit, country, location)
        found[key] = found.get(key, 0) + count
    return found


def sets_summed(now: datetime) -> learning.SetHealth:
    """The set-health figures over every set, in the same three GROUP BY queries."""
    set_ids = list(db.session.scalars(select(LearningSet.id)))
    totals: dict[str, int] = {}
    for health in learning.set_health(set_ids, now).values():
        for name, value in vars(health).items():
            if name != "set_id":
                totals[name] = totals.get(name, 0) + value
    return learning.SetHealth(set_id=0, **totals)


def experiments_per_month() -> list[MonthOfExperiments]:
    started = select(
        utc_month(Experiment.created_at).label("month"),
        Experiment.venture_id,
        literal(1).label("started"),
        literal(0).label("decided"),
    )
    decided = select(
        utc_month(Experiment.decided_at).label("month"),
        Experiment.venture_id,
        literal(0).label("started"),
        literal(1).label("decided"),
    ).where(Experiment.decided_at.is_not(None))
    events = started.union_all(decided).subquery()
    rows = db.session.execute(
        select(
            events.c.month,
            func.sum(events.c.started),
            func.sum(events.c.decided),
            func.count(events.c.venture_id.distinct()),
        )
        .group_by(events.c.month)
        .order_by(events.c.month)
    )
    return [MonthOfExperiments(month, int(s), int(d), v) for month, s, d, v in rows]


def decisions() -> Decisions:
    decided, kills, pivots, mean_days = db.session.execute(
        select(
            func.count(Experiment.id),
            func.count(Experiment.id).filter(Experiment.decision == Decision.KILL),
            func.count(Experiment.id).filter(Experiment.decision == Decision.PIVOT),
            func.avg(days_between(Experiment.created_at, Experiment.decided_at)),
        ).where(Experiment.decided_at.is_not(None))
    ).one()
    return Decisions(decided, kills, pivots, float(mean_days) if mean_days is not None else None)


def reviews() -> Reviews:
    total, support, challenge, answered, mean_seconds = db.session.execute(
        select(
            func.count(Review.id),
            func.count(Review.id).filter(Review.tag == ReviewTag.SUPPORT),
            func.count(Review.id).filter(Review.tag == ReviewTag.CHALLENGE),
            func.count(Review.waited_seconds),
            func.avg(Review.waited_seconds),
        )
    ).one()
    hours = float(mean_seconds) / 3600 if mean_seconds is not None else None
    return Reviews(total, support, challenge, answered, hours)


def network(now: datetime) -> Network:
    met = _meetings(now).subquery()
    pairs = select(met.c.employee_id, met.c.guest_id).distinct().subquery()
    pair_count, met_someone = db.session.execute(
        select(func.count(), func.count(pairs.c.employee_id.distinct()))
    ).one()
    attended = db.session.scalar(
        select(func.count(Attendance.person_id.distinct()))
        .join(LearningSession, LearningSession.id == Attendance.session_id)
        .join(Person, Person.id == Attendance.person_id)
        .where(_held(now), Attendance.present, Person.kind == PersonKind.EMPLOYEE)
    )
    return Network(pair_count, attended or 0, met_someone)


def _held(now: datetime):  # type: ignore[no-untyped-def]
    return (LearningSession.starts_at <= now) & LearningSession.cancelled_at.is_(None)


def _meetings(now: datetime):  # type: ignore[no-untyped-def]
    """(employee, guest) for every held session where both were there: both present, or
    the guest facilitated the set and the employee was present."""
    employee_row, guest_row = aliased(Attendance), aliased(Attendance)
    employee, guest = aliased(Person), aliased(Person)
    side_by_side = (
        select(employee_row.person_id.label("employee_id"), guest_row.person_id.label("guest_id"))
        .join(guest_row, guest_row.session_id == employee_row.session_id)
        .join(employee, employee.id == employee_row.person_id)
        .join(guest, guest.id == guest_row.person_id)
        .join(LearningSession, LearningSession.id == employee_row.session_id)
        .where(
            _held(now),
            employee_row.present,
            guest_row.present,
            employee.kind == PersonKind.EMPLOYEE,
            guest.kind == PersonKind.GUEST,
        )
    )
    facilitated = (
        select(employee_row.person_id, LearningSet.facilitator_id)
        .join(LearningSession, LearningSession.id == employee_row.session_id)
        .join(LearningSet, LearningSet.id == LearningSession.set_id)
        .join(employee, employee.id == employee_row.person_id)
        .join(guest, guest.id == LearningSet.facilitator_id)
        .where(
            _held(now),
            employee_row.present,
            employee.kind == PersonKind.EMPLOYEE,
            guest.kind == PersonKind.GUEST,
        )
    )
    return side_by_side.union_all(facilitated)
