"""The attacker and the places: with few people per country, site or business unit, nothing
any audience reads (HR's page, the CSV and XLSX exports, the API's JSON) gives away a group
of fewer than k, by itself or by subtraction across departments and places.

The organisation is fixed: two large departments, and countries, sites and units that cut
across them, with France (two people, both in Alder) and Spain (one, in Birch) below k. The
attacker is shown to find them when the places' figures are released raw, so that its
silence about the real release means something.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from flask.testing import FlaskClient

from tests.conftest import sign_in_as
from tests.culture.attack.algebra import Fact, determined_groups
from tests.culture.attack.collect import Reading, _scores, everything, facts
from tests.culture.attack.organisations import (
    COMPARISON,
    PARTICIPANT,
    Member,
    Organisation,
    Selection,
    dimensions,
    raw_sums,
    write,
)
from tests.culture.attack.test_attacker import report, rolled_back

PLACES = ("business_unit", "country", "location")


def _member(key: str, department: str, group: str, place: tuple[str, str | None, str | None]):
    unit, country, site = place
    return Member(
        key=key,
        departments=(department,),
        group=group,
        cohort="Spark" if group == PARTICIPANT else None,
        answered=(frozenset(dimensions()),),
        manager="m2",
        seed=int(key[1:]),
        unit=unit,
        country=country,
        site=site,
    )


BERLIN, BONN, LYON, MADRID = ("North", "DE", "Berlin"), ("South", "DE", "Bonn"), (
    "North", "FR", "Lyon"), ("South", "ES", "Madrid")  # fmt: skip
PLACED = Organisation(
    k=5,
    departments=("Alder", "Birch"),
    cohorts=("Spark",),
    waves=("Wave 1",),
    members=tuple(
        _member(f"p{n:02d}", department, group, place)
        for n, (department, group, place) in enumerate(
            [
                *(("Alder", PARTICIPANT, BERLIN),) * 4,
                *(("Alder", COMPARISON, BONN),) * 3,
                *(("Alder", COMPARISON, LYON),) * 2,  # France: two people
                *(("Birch", PARTICIPANT, BONN),) * 3,
                *(("Birch", COMPARISON, BERLIN),) * 3,
                ("Birch", COMPARISON, MADRID),  # Spain: one person
            ],
            start=1,
        )
    ),
)
FRANCE, SPAIN = frozenset({"p08", "p09"}), frozenset({"p16"})


def _every_place(organisation: Organisation) -> list[Selection]:
    people = organisation.members
    return (
        [
            Selection(0, group=group, place=(place, name))
            for place in PLACES
            for name in {m.place(place) for m in people}
            for group in (None, PARTICIPANT, COMPARISON)
        ]
        + [Selection(0, frozenset({d})) for d in organisation.departments]
        + [Selection(0)]
    )


def test_the_attacker_finds_the_small_countries_in_raw_figures_by_place() -> None:
    released = [
        Fact(f"score:{dimension}", people, f"raw {selection.describe(PLACED.waves)}")
        for selection, dimension, people, _ in raw_sums(PLACED, _every_place(PLACED))
        if people
    ]

    found = {exposure.group for exposure in determined_groups(released, PLACED.k)}

    assert FRANCE in found and SPAIN in found


def _xlsx(client: FlaskClient, wave_id: int) -> list[Reading]:
    """The workbook's Scores sheet, read as the CSV's rows are."""
    url = f"/culture/export.xlsx?wave={wave_id}"
    response = client.get(url)
    assert response.status_code == 200
    content = response.get_data()
    response.close()
    header, *rows = openpyxl.load_workbook(io.BytesIO(content))["Scores"].iter_rows(
        values_only=True
    )
    records = [
        {
            str(name): "" if value is None else str(value)
            for name, value in zip(header, row, strict=True)
        }
        for row in rows
    ]
    return [
        Reading("XLSX export", reading.place, reading.selection, reading.measure, reading.value)
        for reading in _scores(records, url, PLACED)
    ]


def test_nothing_read_anywhere_isolates_a_small_country_site_or_unit(
    client: FlaskClient,
) -> None:
    with rolled_back():
        written = write(PLACED, date.today())
        readings = everything(client, PLACED, written)
        sign_in_as(client, written.hr)
        readings += _xlsx(client, written.wave_ids["Wave 1"])
        page = client.get("/culture/").get_data(as_text=True)

    by_place = [r for r in readings if r.selection.place is not None]
    assert {r.selection.place[0] for r in by_place} == set(PLACES)
    # Figures by place were read from every source, and the small countries were hidden.
    assert {r.audience for r in by_place} >= {"HR", "CSV export", "XLSX export", "API"}
    small = [
        r for r in by_place if r.selection.place in {("country", "France"), ("country", "Spain")}
    ]
    assert small and all(r.hidden for r in small)
    # Not everything is hidden: Germany, which holds most people, is shown in every source.
    germany = {r.audience for r in by_place if r.selection.place == ("country", "Germany")
               and not r.hidden}  # fmt: skip
    assert germany == {"HR", "CSV export", "XLSX export", "API"}
    assert "cells are hidden to protect small groups" in page
    exposures = determined_groups(facts(readings, PLACED), PLACED.k)
    assert not exposures, report(PLACED, exposures)
