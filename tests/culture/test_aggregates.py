"""Survey score aggregates: exact means and counts per group, and alpha from the answers."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from intrapreneur.culture import aggregates
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import SurveyGroup, SurveyResponse, SurveyScore, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department

P, C = SurveyGroup.PARTICIPANT, SurveyGroup.COMPARISON
PSEUDONYMS = (f"pseudonym-{n}" for n in itertools.count())


def _wave(title: str) -> SurveyWave:
    wave = SurveyWave(
        title=title,
        instrument_key="intrapreneur-culture@1.0",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    db.session.add(wave)
    db.session.flush()
    return wave


def _respond(
    wave: SurveyWave, n: int, department: Department, group: SurveyGroup, answers: dict[str, int]
) -> None:
    instrument = available()[wave.instrument_key]
    for _ in range(n):
        response = SurveyResponse(
            wave_id=wave.id,
            pseudonym=next(PSEUDONYMS),
            department_id=department.id,
            group=group,
            answers=answers,
            submitted_on=date(2026, 1, 10),
        )
        db.session.add(response)
        db.session.flush()
        db.session.add_all(
            SurveyScore(
                response_id=response.id,
                wave_id=wave.id,
                dimension=dimension,
                score=score,
                department_id=department.id,
                group=group,
            )
            for dimension, score in instrument.scores(answers).items()
        )
    db.session.flush()


def _answers(value: int) -> dict[str, int]:
    """Everyone answers every item ``value``; reverse items then score 6 − value."""
    instrument = available()["intrapreneur-culture@1.0"]
    return {item.id: value for item in instrument.items}


def _expected(value: int, dimension: str) -> float:
    instrument = available()["intrapreneur-culture@1.0"]
    items = instrument.items_of(dimension)
    scored = [instrument.scored(item.id, value) for item in items]
    return sum(scored) / len(scored)


@pytest.fixture
def departments(app: object) -> tuple[Department, Department]:
    finance, legal = Department(name="Finance"), Department(name="Legal")
    db.session.add_all([finance, legal])
    db.session.flush()
    return finance, legal


def test_means_and_counts_per_wave_group_and_department(
    departments: tuple[Department, Department],
) -> None:
    finance, legal = departments
    first, second = _wave("January"), _wave("June")
    _respond(first, 6, finance, P, _answers(4))
    _respond(first, 2, legal, C, _answers(2))
    _respond(second, 5, finance, P, _answers(5))
    dimension = "experimentation"

    trend = {
        row.key: row
        for row in aggregates.by_wave([first.id, second.id], Filters())
        if row.key[1] == dimension
    }
    heat = {row.key: row for row in aggregates.by_department(first.id, Filters())}
    only_finance = aggregates.totals(first.id, Filters(department_id=finance.id))

    assert trend[(first.id, dimension, P)].respondents == 6
    assert trend[(first.id, dimension, P)].mean == pytest.approx(_expected(4, dimension))
    assert trend[(first.id, dimension, C)].respondents == 2
    assert trend[(second.id, dimension, P)].mean == pytest.approx(_expected(5, dimension))
    assert heat[(dimension, legal.id)].respondents == 2
    assert heat[(dimension, finance.id)].mean == pytest.approx(_expected(4, dimension))
    assert {row.key[0]: row.respondents for row in only_finance} == dict.fromkeys(
        (d.id for d in available()["intrapreneur-culture@1.0"].dimensions), 6
    )


def test_the_distribution_counts_respondents_per_half_point(
    departments: tuple[Department, Department],
) -> None:
    finance, _ = departments
    wave = _wave("January")
    _respond(wave, 3, finance, P, _answers(4))
    _respond(wave, 1, finance, P, _answers(2))
    dimension = "experimentation"
    high, low = round(_expected(4, dimension) * 2) / 2, round(_expected(2, dimension) * 2) / 2

    bands = aggregates.distribution(wave.id, dimension, Filters())

    assert {row.key[0]: row.respondents for row in bands} == {high: 3, low: 1}


def test_filters_widen_one_step_at_a_time() -> None:
    narrow = Filters(department_id=1, cohort_id=2, group=P)
    assert narrow.widened() == Filters(department_id=1, group=P)
    assert Filters(department_id=1, group=P).widened() == Filters(department_id=1)
    assert Filters(department_id=1).widened() == Filters()
    assert Filters().widened() is None


def test_alpha_per_dimension_from_the_streamed_answers(
    departments: tuple[Department, Department],
) -> None:
    finance, _ = departments
    wave = _wave("January")
    instrument = available()["intrapreneur-culture@1.0"]
    # Each respondent agrees with themselves across a dimension's items once reverse items
    # are turned round (they answer those 6 − value): the items agree perfectly, alpha 1 …
    for value in (1, 2, 3, 4, 5, 3, 4):
        agreeing = {i.id: 6 - value if i.reverse else value for i in instrument.items}
        _respond(wave, 1, finance, P, agreeing)
    # … and one who skipped an item is left out of alpha (listwise), not of the scores.
    skipped = {i.id: 3 for i in instrument.items[1:]}
    _respond(wave, 1, finance, P, skipped)

    alphas = aggregates.alphas(wave.id, instrument, Filters())

    assert set(alphas) == {d.id for d in instrument.dimensions}
    for dimension in instrument.dimensions:
        assert alphas[dimension.id].alpha == pytest.approx(1.0)
    first_dimension = instrument.items[0].dimension
    assert alphas[first_dimension].respondents == 7
    assert all(a.respondents == 8 for d, a in alphas.items() if d != first_dimension)
