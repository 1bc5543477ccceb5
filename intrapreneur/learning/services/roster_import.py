"""Enrolling a list of people at once: a dry run that says what would happen to every line,
and the import itself, which checks the lines again and enrols all of them or none.

A list is imported only when every line would enrol someone: one wrong line (an unknown
person, someone already enrolled, a duplicate, one person more than the free places, or
someone who is not an employee or may not sign in) and nothing is saved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus
from intrapreneur.learning.roster_file import RosterLine
from intrapreneur.learning.services.enrolment import (
    enrol,
    free_places,
    hold_places,
    may_be_enrolled,
)
from intrapreneur.learning.services.refusals import LearningRefusal, ensure_cohort_open


class Outcome(StrEnum):
    WILL_ENROL = "will enrol"
    UNKNOWN = "unknown person"
    ALREADY_ENROLLED = "already enrolled"
    DUPLICATE = "duplicate line"
    OVER_CAPACITY = "over capacity"
    NOT_ELIGIBLE = "not an employee or cannot sign in"


# How the preview names each outcome.
OUTCOME_LABELS = {
    Outcome.WILL_ENROL: _l("will enrol"),
    Outcome.UNKNOWN: _l("unknown person"),
    Outcome.ALREADY_ENROLLED: _l("already enrolled"),
    Outcome.DUPLICATE: _l("duplicate line"),
    Outcome.OVER_CAPACITY: _l("over capacity"),
    Outcome.NOT_ELIGIBLE: _l("not an employee or cannot sign in"),
}


@dataclass(frozen=True)
class LineOutcome:
    line: RosterLine
    outcome: Outcome
    person: Person | None = None
    enrolment: Enrolment | None = None  # what the person had in the cohort before
    first_line: int | None = None  # for a duplicate: the line that named them first


@dataclass(frozen=True)
class RosterCheck:
    lines: list[LineOutcome]
    free: int  # places free when checked

    @property
    def ok(self) -> bool:
        return all(line.outcome is Outcome.WILL_ENROL for line in self.lines)

    @property
    def counts(self) -> Counter[Outcome]:
        return Counter(line.outcome for line in self.lines)


class RosterRefused(LearningRefusal):
    """The list no longer imports as previewed; ``check`` says what each line does now."""

    def __init__(self, check: RosterCheck) -> None:
        super().__init__(
            _(
                "Nothing was imported: since the preview, some lines no longer enrol anyone. "
                "Each line's outcome is below; correct the file and preview it again.",
            )
        )
        self.check = check


def check_roster(cohort: Cohort, lines: list[RosterLine], today: date) -> RosterCheck:
    """What importing would do to each line, in three queries whatever the length."""
    ensure_cohort_open(cohort)
    people = queries.people_by_login(line.value for line in lines)
    enrolments = queries.enrolments_of(cohort.id, {person.id for person in people.values()})
    free = free_places(cohort)
    first_line_of: dict[int, int] = {}
    outcomes = []
    enrolling = 0
    for line in lines:
        person = people.get(line.value.lower())
        if person is None:
            outcomes.append(LineOutcome(line, Outcome.UNKNOWN))
            continue
        if person.id in first_line_of:
            outcomes.append(
                LineOutcome(line, Outcome.DUPLICATE, person, first_line=first_line_of[person.id])
            )
            continue
        first_line_of[person.id] = line.number
        existing = enrolments.get(person.id)
        if not may_be_enrolled(person, today):
            outcome = Outcome.NOT_ELIGIBLE
        elif existing is not None and existing.status is EnrolmentStatus.ACCEPTED:
            outcome = Outcome.ALREADY_ENROLLED
        elif enrolling >= free:
            outcome = Outcome.OVER_CAPACITY
        else:
            enrolling += 1
            outcome = Outcome.WILL_ENROL
        outcomes.append(LineOutcome(line, outcome, person, existing))
    return RosterCheck(outcomes, free)


def import_roster(
    cohort: Cohort, lines: list[RosterLine], *, by: Person, today: date, now: datetime
) -> int:
    """Enrol everyone on the list, checked again now, all or nothing; returns how many."""
    hold_places(cohort)
    check = check_roster(cohort, lines, today)
    if not check.ok:
        raise RosterRefused(check)
    try:
        with db.session.begin_nested():
            for line in check.lines:
                assert line.person is not None  # every line enrols someone
                enrol(
                    cohort, line.person, line.enrolment, by=by, now=now, action="enrolment.imported"
                )
    except IntegrityError:
        # Someone on the list asked for a place in the moment between the check and now.
        raise LearningRefusal(
            _(
                "Nothing was imported: someone on the list asked for a place at the same "
                "moment. Preview the file again.",
            )
        ) from None
    audit.record("cohort.roster_imported", actor=by, obj=cohort, enrolled=len(check.lines))
    return len(check.lines)
