"""Closed waves' figures kept once: read back exactly as they were computed, used only for
the rules and the series they were made in, and cheap to read on every view."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.culture import services
from intrapreneur.culture.dashboard import ComputedFigures, rules_in_force, wave_figures
from intrapreneur.culture.figures import Figure, WaveFigures
from intrapreneur.culture.instruments import available
from intrapreneur.culture.models import SurveyPublication, SurveyWave
from intrapreneur.culture.published import StoredFigures
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from intrapreneur.learning.models import Cohort, Programme
from tests.conftest import sign_in_as
from tests.culture import builders as b

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
INSTRUMENT = available()["intrapreneur-culture@1.0"]


@pytest.fixture
def series(app: object) -> list[SurveyWave]:
    """Three waves over five departments and two cohorts with counts on both sides of k;
    the last one still open."""
    departments = [Department(name=name) for name in ("Finance", "Legal", "Sales", "Ops", "IT")]
    programme = Programme(name="Ignite")
    cohorts = [
        Cohort(programme=programme, name=name, starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 1))
        for name in ("Spring", "Autumn")
    ]
    db.session.add_all([*departments, *cohorts])
    db.session.flush()
    rng = random.Random(7)
    waves = [b.wave(title) for title in ("January", "May", "September")]
    for wave in waves:
        for department in departments:
            for cohort in (None, *cohorts):
                n = rng.choice([0, 1, 2, 4, 5, 6, 9, 13])
                group = b.C if cohort is None else b.P
                b.respond(wave, n, department, group, b.answers(rng.randint(1, 5)), cohort=cohort)
    waves[-1].closes_on = date(2026, 12, 31)
    db.session.flush()
    return waves


def _everything(figures: WaveFigures) -> dict[frozenset[tuple[str, str]], Figure]:
    return {frozenset(figure.group.items()): figure for figure in figures.selected()}


def _publications() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyPublication)) or 0


def test_closed_waves_are_published_once_and_read_back_exactly(
    series: list[SurveyWave],
) -> None:
    computed = wave_figures(series, rules_in_force())
    assert all(isinstance(figures, ComputedFigures) for figures in computed)

    assert services.publish_closed_waves(TODAY) == 2  # the open wave is not kept
    assert services.publish_closed_waves(TODAY) == 0
    assert _publications() == 2

    read = wave_figures(series, rules_in_force())
    assert [type(figures) for figures in read] == [StoredFigures, StoredFigures, ComputedFigures]
    # The open wave is suppressed after the published ones exactly as after computed ones.
    assert [_everything(figures) for figures in read] == [_everything(f) for f in computed]
    assert any(figure.hidden for figure in _everything(read[0]).values())
    for stored, fresh in zip(read[:2], computed[:2], strict=True):
        assert stored.values_of("department") == fresh.values_of("department")
        assert stored.values_of("cohort") == fresh.values_of("cohort")
        for coordinates in ({}, {"group": "participant"}, {"group": "comparison"}):
            assert stored.across("department", **coordinates) == fresh.across(
                "department", **coordinates
            )
            assert stored.get(**coordinates) == fresh.get(**coordinates)
        department = sorted(fresh.values_of("department"))[0]
        assert stored.get(department=department) == fresh.get(department=department)
        assert stored.get(department="999").label == "no responses"
        assert stored.comment_departments() == fresh.comment_departments()
        assert stored.alphas(INSTRUMENT) == fresh.alphas(INSTRUMENT)
        for dimension in INSTRUMENT.dimensions:
            assert stored.distribution(dimension.id) == fresh.distribution(dimension.id)
        assert any(band.label for band in fresh.distribution("autonomy"))  # some hidden


def test_a_change_between_a_published_wave_and_an_open_one_is_still_hidden(
    app: object,
) -> None:
    finance, sales = Department(name="Finance"), Department(name="Sales")
    db.session.add_all([finance, sales])
    db.session.flush()
    first, second = b.wave("January"), b.wave("June")
    second.closes_on = date(2026, 12, 31)
    b.respond(first, 10, finance, b.P, b.answers(4))
    b.respond(first, 10, sales, b.P, b.answers(4))
    b.respond(second, 12, finance, b.P, b.answers(4))  # two more than before
    b.respond(second, 10, sales, b.P, b.answers(4))
    services.publish_closed_waves(TODAY)

    before, after = wave_figures([first, second], rules_in_force())

    assert isinstance(before, StoredFigures)
    assert before.get(department=str(finance.id)).respondents == 10
    assert after.get(department=str(finance.id)).hidden


def test_publications_of_other_rules_or_another_series_are_not_used(
    series: list[SurveyWave], make_person: Callable[..., Person]
) -> None:
    services.publish_closed_waves(TODAY)
    admin = make_person(Role.ADMIN)
    services.set_privacy_rules(min_group=4, min_group_comments=10, by=admin, now=NOW)
    assert all(isinstance(f, ComputedFigures) for f in wave_figures(series, rules_in_force()))
    # A series that skips January is another series: May was suppressed after January.
    assert isinstance(wave_figures(series[1:], rules_in_force())[0], ComputedFigures)

    assert services.publish_closed_waves(TODAY) == 2
    assert _publications() == 2  # those made with k = 5 are gone
    stored = wave_figures(series, rules_in_force())[0]
    assert isinstance(stored, StoredFigures) and stored.publication.min_group == 4


def test_the_dashboard_reads_published_waves_in_the_same_queries_however_many(
    client: FlaskClient,
    make_person: Callable[..., Person],
    count_queries: Callable[[], Any],
) -> None:
    finance = Department(name="Finance")
    db.session.add(finance)
    sign_in_as(client, make_person(Role.HR))

    def queries_with_waves(number: int) -> int:
        for title in range(number):
            wave = b.wave(f"Wave {title}")
            b.respond(wave, 7, finance, b.P, b.answers(4))
            b.respond(wave, 6, finance, b.C, b.answers(2))
        services.publish_closed_waves(date.today())
        db.session.commit()
        with count_queries() as counted:
            page = client.get("/culture/").get_data(as_text=True)
        assert page.count("<th") > number  # the trend has a column per wave
        return counted.total

    assert queries_with_waves(2) == queries_with_waves(4)  # 2 waves, then 6
