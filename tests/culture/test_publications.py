"""Closed waves' releases kept once: read back exactly as the raw figures where shown, used
only for the rules and the series they were made in, and cheap to read on every view."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.culture import services
from intrapreneur.culture.dashboard import rules_in_force, wave_figures
from intrapreneur.culture.figures import Figure
from intrapreneur.culture.instruments import available
from intrapreneur.culture.ledger.tables import Totals, wave_totals
from intrapreneur.culture.ledger.waves import EVERYONE
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


def _publications() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyPublication)) or 0


def test_closed_waves_are_published_once_and_read_back_exactly(
    series: list[SurveyWave],
) -> None:
    assert wave_figures(series, rules_in_force()) == []  # nothing is shown before

    assert services.publish_closed_waves(TODAY) == 2  # the open wave is not kept
    assert services.publish_closed_waves(TODAY) == 0
    assert _publications() == 2

    read = wave_figures(series, rules_in_force())
    assert [figures.wave for figures in read] == series[:2]
    for figures in read:
        raw = wave_totals(figures.wave.id)
        everything = {frozenset(f.group.items()): f for f in figures.selected()}
        assert everything.keys() == {key.coordinates for key in raw}
        assert any(f.hidden for f in everything.values())
        assert any(not f.hidden and f.respondents for f in everything.values())
        for key, totals in raw.items():
            _assert_read_back(everything[key.coordinates], totals)
            if len(key.coordinates) <= 1 and "department" not in dict(key.coordinates):
                assert figures.get(**dict(key.coordinates)) == everything[key.coordinates]
        departments = {d for key in raw for name, d in key.coordinates if name == "department"}
        assert figures.values_of("department") == departments
        row = figures.across("department", group="participant")
        assert all(f.group["group"] == "participant" for f in row.values())
        assert figures.get(department="999").label == "no responses"
        assert figures.comment_departments() <= {
            dict(key.coordinates)["department"]
            for key, totals in raw.items()
            if set(dict(key.coordinates)) == {"department"} and totals.respondents >= 10
        }
        for dimension in INSTRUMENT.dimensions:
            bands = figures.distribution(dimension.id)
            if bands is not None:
                assert all(band.respondents >= 5 for band in bands)
                assert (
                    sum(band.respondents for band in bands) == raw[EVERYONE].answers[dimension.id]
                )


def _assert_read_back(figure: Figure, totals: Totals) -> None:
    """A shown figure is the raw one exactly; a hidden one carries nothing."""
    if figure.hidden:
        assert figure.respondents is None and figure.means == {} and figure.answers == {}
        return
    assert figure.respondents == totals.respondents
    for dimension in INSTRUMENT.dimensions:
        if figure.is_hidden(dimension.id):
            assert dimension.id not in figure.means
        elif totals.answers.get(dimension.id):
            assert figure.answers[dimension.id] == totals.answers[dimension.id] >= 5
            assert figure.means[dimension.id] == pytest.approx(totals.mean(dimension.id))


def test_publications_of_other_rules_or_another_series_are_not_used(
    series: list[SurveyWave], make_person: Callable[..., Person]
) -> None:
    services.publish_closed_waves(TODAY)
    # A series that skips January is another series: May was decided after January.
    assert wave_figures(series[1:], rules_in_force()) == []
    admin = make_person(Role.ADMIN)
    services.set_privacy_rules(min_group=4, min_group_comments=10, by=admin, now=NOW)
    assert wave_figures(series, rules_in_force()) == []

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
