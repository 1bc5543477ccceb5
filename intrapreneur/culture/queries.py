"""Reads for survey waves: who may be invited, invitations, and response rates.

Rates divide responses by invitations per wave and group: who was asked is known,
who answered is not (responses carry no person), and rates are shown per group only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import takewhile
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import contains_eager

from intrapreneur.culture.models import (
    SurveyGroup,
    SurveyInvitation,
    SurveyResponse,
    SurveyScore,
    SurveyWave,
    wave_cohort,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus


@dataclass(frozen=True)
class Rate:
    invited: int
    answered: int

    @property
    def share(self) -> float:
        return self.answered / self.invited if self.invited else 0.0


def _open_on(today: date) -> Any:
    return (
        SurveyWave.closed_at.is_(None)
        & (SurveyWave.opens_on <= today)
        & (SurveyWave.closes_on >= today)
    )


def _accepted_somewhere() -> Any:
    return exists().where(
        Enrolment.person_id == Person.id, Enrolment.status == EnrolmentStatus.ACCEPTED
    )


def _active_employees() -> Any:
    # Culture surveys ask staff about their organisation; guest entrepreneurs (PRODUCT.md:
    # their sets and boards, "nothing else") are neither participants nor comparison here.
    return Person.active & (Person.kind == PersonKind.EMPLOYEE)


def participants_of(cohort_ids: list[int]) -> list[tuple[int, int | None]]:
    """(person id, department id) of the active employees accepted into any of the cohorts."""
    accepted = select(Enrolment.person_id).where(
        Enrolment.cohort_id.in_(cohort_ids), Enrolment.status == EnrolmentStatus.ACCEPTED
    )
    rows = db.session.execute(
        select(Person.id, Person.department_id)
        .where(Person.id.in_(accepted), _active_employees())
        .order_by(Person.id)
    )
    return [(person_id, department_id) for person_id, department_id in rows]


def comparison_candidates(department_ids: set[int | None]) -> dict[int | None, list[int]]:
    """Per department, active employees who never were accepted into any cohort, by id."""
    known = [department_id for department_id in department_ids if department_id is not None]
    in_departments = Person.department_id.in_(known)
    if None in department_ids:
        in_departments = in_departments | Person.department_id.is_(None)
    rows = db.session.execute(
        select(Person.id, Person.department_id)
        .where(_active_employees(), in_departments, ~_accepted_somewhere())
        .order_by(Person.id)
    )
    candidates: dict[int | None, list[int]] = defaultdict(list)
    for person_id, department_id in rows:
        candidates[department_id].append(person_id)
    return candidates


def invitee_language_preferences(wave_id: int) -> set[tuple[str | None, str | None]]:
    """Each distinct (chosen, directory) language pair among a wave's invitees."""
    rows = db.session.execute(
        select(Person.chosen_locale, Person.directory_locale)
        .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)
        .where(SurveyInvitation.wave_id == wave_id)
        .distinct()
    )
    return {(chosen, directory) for chosen, directory in rows}


def response_languages(wave_id: int) -> dict[str, int]:
    """How many of a wave's responses were answered in each language."""
    rows = db.session.execute(
        select(SurveyResponse.language, func.count())
        .where(SurveyResponse.wave_id == wave_id)
        .group_by(SurveyResponse.language)
    )
    return {language: count for language, count in rows}


def opened_waves(today: date) -> list[SurveyWave]:
    """Every wave opened by today, oldest first: the series the dashboards suppress in."""
    return list(
        db.session.scalars(
            select(SurveyWave)
            .where(SurveyWave.opens_on <= today)
            .order_by(SurveyWave.opens_on, SurveyWave.id)
        )
    )


def published_series(today: date) -> list[SurveyWave]:
    """The waves whose figures may be shown (see ``closed_prefix``)."""
    return closed_prefix(opened_waves(today), today)


def closed_prefix(opened: list[SurveyWave], today: date) -> list[SurveyWave]:
    """Of the opened waves, oldest first, those up to the first still open.

    An open wave shows no figures: figures that change as each person answers would let
    anyone who watched the page between two answers work out one person's answers, which
    no suppression of a single view can prevent. A wave that closed after a wave still open
    waits for it, so the series the anonymity engine reads never changes behind a view."""
    return list(takewhile(lambda wave: wave.has_closed(today), opened))


def dimensions_scored(wave_id: int) -> list[str]:
    """The dimensions the wave's responses have scores on, by id."""
    return list(
        db.session.scalars(
            select(SurveyScore.dimension)
            .where(SurveyScore.wave_id == wave_id)
            .distinct()
            .order_by(SurveyScore.dimension)
        )
    )


def waves() -> Select[tuple[SurveyWave]]:
    return select(SurveyWave).order_by(SurveyWave.opens_on.desc(), SurveyWave.id.desc())


def response_rates(wave_ids: list[int]) -> dict[int, dict[SurveyGroup, Rate]]:
    """Per wave and group: invitations and responses, one GROUP BY each."""
    counts = {
        name: {
            (wave_id, group): count
            for wave_id, group, count in db.session.execute(
                select(model.wave_id, model.group, func.count())
                .where(model.wave_id.in_(wave_ids))
                .group_by(model.wave_id, model.group)
            )
        }
        for name, model in (("invited", SurveyInvitation), ("answered", SurveyResponse))
    }
    rates: dict[int, dict[SurveyGroup, Rate]] = {wave_id: {} for wave_id in wave_ids}
    for (wave_id, group), invited in counts["invited"].items():
        rates[wave_id][group] = Rate(invited, counts["answered"].get((wave_id, group), 0))
    return rates


def has_answered(wave_id: int, pseudonym: str) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    SurveyResponse.wave_id == wave_id, SurveyResponse.pseudonym == pseudonym
                )
            )
        )
    )


def answered_waves(wave_ids: list[int], pseudonym: str) -> set[int]:
    """Which of these waves the holder of this pseudonym has answered."""
    return set(
        db.session.scalars(
            select(SurveyResponse.wave_id).where(
                SurveyResponse.wave_id.in_(wave_ids), SurveyResponse.pseudonym == pseudonym
            )
        )
    )


def invitation_of(wave_id: int, person_id: int) -> SurveyInvitation | None:
    return db.session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.wave_id == wave_id, SurveyInvitation.person_id == person_id
        )
    )


def invitation_by_token_hash(token_hash: str) -> SurveyInvitation | None:
    return db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash)
    )


def cohort_in_wave(wave_id: int, person_id: int) -> int | None:
    """The participant's cohort among the wave's (the latest to start, if several)."""
    return db.session.scalar(
        select(Enrolment.cohort_id)
        .join(wave_cohort, wave_cohort.c.cohort_id == Enrolment.cohort_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            wave_cohort.c.wave_id == wave_id,
            Enrolment.person_id == person_id,
            Enrolment.status == EnrolmentStatus.ACCEPTED,
        )
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(1)
    )


def open_invitations_of(person_id: int, today: date) -> list[SurveyInvitation]:
    """The person's invitations to waves open today, answered or not, soonest to close first."""
    return list(
        db.session.scalars(
            select(SurveyInvitation)
            .join(SurveyInvitation.wave)
            .options(contains_eager(SurveyInvitation.wave))
            .where(SurveyInvitation.person_id == person_id, _open_on(today))
            .order_by(SurveyWave.closes_on, SurveyWave.id)
        )
    )


def has_unanswered_invitation(person_id: int, pseudonym: str, today: date) -> bool:
    """For the navigation: one EXISTS over the person's invitations to open waves that
    their pseudonym has not answered."""
    answered = exists().where(
        SurveyResponse.wave_id == SurveyInvitation.wave_id, SurveyResponse.pseudonym == pseudonym
    )
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(
                    SurveyInvitation.person_id == person_id,
                    SurveyInvitation.wave_id == SurveyWave.id,
                    ~answered,
                )
                .where(_open_on(today))
            )
        )
    )
