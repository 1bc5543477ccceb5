"""Survey data the culture tests build again and again: waves and responses with scores."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from intrapreneur.culture import services
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import SurveyGroup, SurveyResponse, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from intrapreneur.learning.models import Cohort

P, C = SurveyGroup.PARTICIPANT, SurveyGroup.COMPARISON
PSEUDONYMS = (f"pseudonym-{n}" for n in itertools.count())


def wave(title: str) -> SurveyWave:
    wave = SurveyWave(
        title=title,
        instrument_key="intrapreneur-culture@1.0",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    db.session.add(wave)
    db.session.flush()
    return wave


def respond(
    wave: SurveyWave,
    n: int,
    department: Department,
    group: SurveyGroup,
    answers: dict[str, int],
    cohort: Cohort | None = None,
    people: Sequence[str] = (),
) -> None:
    """``n`` responses alike; ``people`` names their pseudonyms (the same person in two
    waves has the same one), new ones otherwise."""
    instrument = available()[wave.instrument_key]
    names = list(people) or [next(PSEUDONYMS) for _ in range(n)]
    for pseudonym in names[:n]:
        response = _response(
            wave, group, department.id, cohort.id if cohort else None, answers, pseudonym
        )
        db.session.add_all(
            services.score_row(response, dimension, score)
            for dimension, score in instrument.scores(answers).items()
        )
    db.session.flush()


def respond_with_scores(
    wave: SurveyWave,
    group: SurveyGroup,
    dimension: str,
    scores: Sequence[float],
    cohort: Cohort | None = None,
) -> None:
    """One response per score, scored on ``dimension`` only, in no department."""
    for score in scores:
        response = _response(wave, group, None, cohort.id if cohort else None, {}, next(PSEUDONYMS))
        db.session.add(services.score_row(response, dimension, score))
    db.session.flush()


def _response(
    wave: SurveyWave,
    group: SurveyGroup,
    department_id: int | None,
    cohort_id: int | None,
    answers: dict[str, int],
    pseudonym: str,
) -> SurveyResponse:
    response = SurveyResponse(
        wave_id=wave.id,
        pseudonym=pseudonym,
        department_id=department_id,
        cohort_id=cohort_id,
        group=group,
        answers=answers,
        submitted_on=date(2026, 1, 10),
    )
    db.session.add(response)
    db.session.flush()
    return response


def answers(value: int) -> dict[str, int]:
    """Everyone answers every item ``value``; reverse items then score 6 − value."""
    instrument = available()["intrapreneur-culture@1.0"]
    return {item.id: value for item in instrument.items}


def expected(value: int, dimension: str) -> float:
    instrument = available()["intrapreneur-culture@1.0"]
    items = instrument.items_of(dimension)
    scored = [instrument.scored(item.id, value) for item in items]
    return sum(scored) / len(scored)
