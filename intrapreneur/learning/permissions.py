"""Who may do what with programmes, cohorts and enrolment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import queries
from intrapreneur.learning.models import Cohort, LearningSession, LearningSet


def can_manage_programmes(person: Person) -> bool:
    """Programme leads create programmes and cohorts."""
    return person.has_role(Role.HR)


def can_browse_cohorts(person: Person) -> bool:
    """Employees choose cohorts to join; guests are invited into theirs."""
    return person.has_role(Role.EMPLOYEE)


def facilitates_in(person: Person, cohort: Cohort) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    LearningSet.cohort_id == cohort.id, LearningSet.facilitator_id == person.id
                )
            )
        )
    )


def can_run_cohort(person: Person) -> bool:
    """Route-level: people who may look after some cohort's participants."""
    return person.has_role(Role.HR, Role.FACILITATOR)


def can_decide_enrolment(person: Person, cohort: Cohort) -> bool:
    """HR, or a facilitator of one of the cohort's sets."""
    return person.has_role(Role.HR) or facilitates_in(person, cohort)


def can_edit_agenda_templates(person: Person) -> bool:
    """Programme leads shape the agenda every set's sessions start from."""
    return person.has_role(Role.HR)


def can_create_sets(person: Person) -> bool:
    return person.has_role(Role.HR)


def can_reorganise_sets(person: Person) -> bool:
    """Programme leads replace facilitators, move members between sets and close sets:
    changes that reach beyond one set's own running."""
    return person.has_role(Role.HR)


def can_manage_set(person: Person, learning_set: LearningSet) -> bool:
    """HR and the set's own facilitator run its membership and sessions."""
    return person.has_role(Role.HR) or learning_set.facilitator_id == person.id


def can_view_set(person: Person, learning_set: LearningSet, today: date) -> bool:
    """Its members (guests included, but only for their own sets), facilitator and HR."""
    return can_manage_set(person, learning_set) or queries.is_current_member(
        learning_set.id, person.id, today
    )


def sets_open_to(person: Person, sets: list[LearningSet], today: date) -> set[int]:
    """Which of these sets ``can_view_set`` opens to the person, in at most one query: a
    list of sets links only those (a cohort's facilitators see its other sets' names, not
    their pages)."""
    if person.has_role(Role.HR):
        return {learning_set.id for learning_set in sets}
    mine = set(db.session.scalars(queries.current_set_ids(person.id, today)))
    return {learning_set.id for learning_set in sets if learning_set.id in mine}


def can_view_set_health(person: Person, learning_set: LearningSet) -> bool:
    """The set's facilitator and HR: members see their set, not figures about one another."""
    return can_manage_set(person, learning_set)


def can_answer_about(person: Person, session: LearningSession) -> bool:
    """Members of the set on the session's day give feedback on it (whether they are still
    in the set or not); nobody else, facilitator and HR included."""
    return queries.is_current_member(session.set_id, person.id, session.starts_at.date())


def can_compare_sets(person: Person) -> bool:
    """HR reads the health of every set in a cohort side by side."""
    return person.has_role(Role.HR)
