"""Survey score aggregates: exact means and counts per group, and alpha from the answers."""

from __future__ import annotations

import pytest

from intrapreneur.culture import aggregates
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.instruments import available
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from tests.culture import builders as b


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
    first, second = b.wave("January"), b.wave("June")
    b.respond(first, 6, finance, b.P, b.answers(4))
    b.respond(first, 2, legal, b.C, b.answers(2))
    b.respond(second, 5, finance, b.P, b.answers(5))
    dimension = "experimentation"

    trend = {
        row.key: row
        for row in aggregates.by_wave([first.id, second.id], Filters())
        if row.key[1] == dimension
    }
    heat = {row.key: row for row in aggregates.by_department(first.id, Filters())}
    only_finance = aggregates.totals(first.id, Filters(department_id=finance.id))

    assert trend[(first.id, dimension, b.P)].respondents == 6
    assert trend[(first.id, dimension, b.P)].mean == pytest.approx(b.expected(4, dimension))
    assert trend[(first.id, dimension, b.C)].respondents == 2
    assert trend[(second.id, dimension, b.P)].mean == pytest.approx(b.expected(5, dimension))
    assert heat[(dimension, legal.id)].respondents == 2
    assert heat[(dimension, finance.id)].mean == pytest.approx(b.expected(4, dimension))
    assert {row.key[0]: row.respondents for row in only_finance} == dict.fromkeys(
        (d.id for d in available()["intrapreneur-culture@1.0"].dimensions), 6
    )


def test_the_distribution_counts_respondents_per_half_point(
    departments: tuple[Department, Department],
) -> None:
    finance, _ = departments
    wave = b.wave("January")
    b.respond(wave, 3, finance, b.P, b.answers(4))
    b.respond(wave, 1, finance, b.P, b.answers(2))
    dimension = "experimentation"
    high, low = round(b.expected(4, dimension) * 2) / 2, round(b.expected(2, dimension) * 2) / 2

    bands = aggregates.distribution(wave.id, dimension, Filters())

    assert {row.key[0]: row.respondents for row in bands} == {high: 3, low: 1}


def test_filters_widen_one_step_at_a_time() -> None:
    narrow = Filters(department_id=1, cohort_id=2, group=b.P)
    assert narrow.widened() == Filters(department_id=1, group=b.P)
    assert Filters(department_id=1, group=b.P).widened() == Filters(department_id=1)
    assert Filters(department_id=1).widened() == Filters()
    assert Filters().widened() is None


def test_alpha_per_dimension_from_the_streamed_answers(
    departments: tuple[Department, Department],
) -> None:
    finance, _ = departments
    wave = b.wave("January")
    instrument = available()["intrapreneur-culture@1.0"]
    # Each respondent agrees with themselves across a dimension's items once reverse items
    # are turned round (they answer those 6 − value): the items agree perfectly, alpha 1 …
    for value in (1, 2, 3, 4, 5, 3, 4):
        agreeing = {i.id: 6 - value if i.reverse else value for i in instrument.items}
        b.respond(wave, 1, finance, b.P, agreeing)
    # … and one who skipped an item is left out of alpha (listwise), not of the scores.
    skipped = {i.id: 3 for i in instrument.items[1:]}
    b.respond(wave, 1, finance, b.P, skipped)

    alphas = aggregates.alphas(wave.id, instrument, Filters())

    assert set(alphas) == {d.id for d in instrument.dimensions}
    for dimension in instrument.dimensions:
        assert alphas[dimension.id].alpha == pytest.approx(1.0)
    first_dimension = instrument.items[0].dimension
    assert alphas[first_dimension].respondents == 7
    assert all(a.respondents == 8 for d, a in alphas.items() if d != first_dimension)
