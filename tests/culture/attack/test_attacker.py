"""An attacker in the test suite (issue 15).

Threat model, from PRODUCT.md's "Anonymity and export rules": a reader of *everything* — HR's
dashboard, every manager's dashboard, the API, every export, the impact estimate, every wave —
who knows the organisation (who was in which department, cohort and group in each wave, who
answered which dimensions) but not the answers. Nothing they can read may, by any sum or
difference, isolate the answers or the number of fewer than k people, within a wave or across
waves (``algebra`` states the model exactly).

The attacker reads the pages through the real routes (``collect``), never the engine's code,
and judges with exact linear algebra (``algebra``). The first test shows the attacker at work
on figures released without any suppression: it must find people there, or its silence about
the real release would mean nothing.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from itertools import combinations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from intrapreneur.extensions import db, limiter
from tests.conftest import sign_in_as
from tests.culture.attack.algebra import Exposure, Fact, determined_groups, explain
from tests.culture.attack.collect import Reading, dashboards, everything, facts
from tests.culture.attack.collect import api as api_readings
from tests.culture.attack.collect import csv_exports as csv_readings
from tests.culture.attack.organisations import (
    COMPARISON,
    NO_COHORT,
    NO_DEPARTMENT,
    PARTICIPANT,
    Member,
    Organisation,
    Selection,
    dimensions,
    organisations,
    raw_sums,
    write,
)

# Each example writes an organisation and reads about two hundred pages (about 5 seconds), so
# examples are few per shape of organisation (the shapes run in parallel under ``-n``),
# reproducible, and not shrunk: a failure prints the organisation and the figures that isolate
# someone, which is what an engineer needs to rebuild it. ATTACK_EXAMPLES=50 searches harder.
EXAMPLES = int(os.environ.get("ATTACK_EXAMPLES", "7"))
SHAPES = [(3, 2), (3, 3), (4, 2), (4, 3)]  # (k, waves)
attacks = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # each example rolls its own rows back
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's rows inside a savepoint of the test's transaction, rolled back after, so
    every example meets the same empty organisation."""
    db.session.commit()  # the test's own savepoint must not enclose the example's
    connection = db.session.get_bind()
    example = connection.begin_nested()  # type: ignore[union-attr]
    limiter.reset()
    try:
        yield
    finally:
        db.session.close()
        example.rollback()


def report(organisation: Organisation, exposures: list[Exposure], shown: int = 6) -> str:
    lines = [
        f"{len(exposures)} group(s) of fewer than k={organisation.k} people determined by what "
        "the audiences read. The organisation (key, group/cohort, manager: per wave department"
        ":answers):",
        organisation.describe(),
        "",
    ]
    lines += [exposure.describe() for exposure in exposures[:shown]]
    if len(exposures) > shown:
        lines.append(f"… and {len(exposures) - shown} more.")
    return "\n".join(lines)


# -- the attacker at work on an unprotected release -----------------------------------------


def _member(key: str, departments: tuple[str | None, ...], group: str, seed: int) -> Member:
    every = frozenset(dimensions())
    return Member(
        key=key,
        departments=departments,
        group=group,
        cohort="Spark" if group == PARTICIPANT else None,
        answered=tuple(every if d is not None else frozenset() for d in departments),
        manager="m2",
        seed=seed,
    )


# Alder has four people and a fifth, p05, who joins in the second wave; Birch has two.
SMALL = Organisation(
    k=3,
    departments=("Alder", "Birch"),
    cohorts=("Spark",),
    waves=("Wave 1", "Wave 2"),
    members=(
        _member("p01", ("Alder", "Alder"), PARTICIPANT, 1),
        _member("p02", ("Alder", "Alder"), PARTICIPANT, 2),
        _member("p03", ("Alder", "Alder"), COMPARISON, 3),
        _member("p04", ("Alder", "Alder"), COMPARISON, 4),
        _member("p05", (None, "Alder"), COMPARISON, 5),
        _member("p06", ("Birch", "Birch"), COMPARISON, 6),
        _member("p07", ("Birch", "Birch"), COMPARISON, 7),
    ),
)


def every_group(organisation: Organisation) -> Iterator[Selection]:
    """Every department × cohort × group margin and every manager's scope, in every wave."""
    departments = [None, *(frozenset({d}) for d in (*organisation.departments, NO_DEPARTMENT))]
    cohorts = [None, *organisation.cohorts, NO_COHORT]
    groups = [None, PARTICIPANT, COMPARISON]
    for wave in range(len(organisation.waves)):
        for department in departments:
            for cohort in cohorts:
                for group in groups:
                    yield Selection(wave, department, cohort, group)
        for manager in organisation.managers:
            for group in groups:
                yield Selection(wave, organisation.scope(manager), None, group)


def test_the_attacker_finds_individuals_in_raw_group_figures() -> None:
    """Released without the engine, every group's raw mean gives away the two people of
    Birch, and the difference of Alder's means between the waves gives away the joiner —
    and solving the system recovers the joiner's exact score."""
    released: dict[Fact, Fraction] = {}
    for selection, dimension, people, total in raw_sums(SMALL, every_group(SMALL)):
        if people:
            mean = total / len(people)  # as printed, unrounded
            source = f"raw mean of {selection.describe(SMALL.waves)}"
            # The attacker knows how many answered, so a mean is a sum.
            released[Fact(f"score:{dimension}", people, source)] = mean * len(people)

    exposures = determined_groups(list(released), SMALL.k)

    found = {(e.family, e.group) for e in exposures}
    assert ("score:experimentation", frozenset({"p06", "p07"})) in found  # Birch
    assert ("score:experimentation", frozenset({"p05"})) in found  # the joiner
    joiner = next(
        e for e in exposures if e.family == "score:autonomy" and e.group == frozenset({"p05"})
    )
    recovered = sum(coefficient * released[fact] for coefficient, fact in joiner.combination)
    assert recovered == SMALL.members[4].score("autonomy")


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(
    st.lists(st.sets(st.sampled_from("abcdefghij"), max_size=10), max_size=8),
    st.integers(2, 4),
)
def test_the_judge_agrees_with_solving_for_every_small_group(sets: list[set[str]], k: int) -> None:
    """The fast test (atoms, residues) against the slow one: solve for each small group."""
    released = [Fact("score:x", frozenset(people), f"figure {n}") for n, people in enumerate(sets)]
    people = sorted(set().union(*sets)) if sets else []
    solvable = {
        frozenset(group)
        for size in range(1, k)
        for group in combinations(people, size)
        if explain(released, frozenset(group)) is not None
    }
    minimal = {group for group in solvable if not any(other < group for other in solvable)}

    assert {e.group for e in determined_groups(released, k)} == minimal


# -- the real release ------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "waves"), SHAPES, ids=[f"k={k}, {w} waves" for k, w in SHAPES])
@attacks
@given(data=st.data())
def test_nothing_every_audience_reads_determines_a_small_group(
    client: FlaskClient, k: int, waves: int, data: st.DataObject
) -> None:
    organisation = data.draw(organisations(k=k, waves=waves), label="organisation")
    with rolled_back():
        written = write(organisation, date.today())
        readings = everything(client, organisation, written)
    exposures = determined_groups(facts(readings, organisation), organisation.k)
    assert not exposures, report(organisation, exposures)


@settings(attacks, max_examples=max(EXAMPLES // 2, 3))
@given(organisation=organisations())
def test_the_dashboard_the_export_and_the_api_agree_figure_for_figure(
    client: FlaskClient, organisation: Organisation
) -> None:
    """HR's dashboard, the CSV export and the API show the same organisation-wide figures:
    the same hidden, the same means to two decimals, the same counts."""
    with rolled_back():
        written = write(organisation, date.today())
        sign_in_as(client, written.hr)
        read = {
            "dashboard": dashboards(client, organisation, "HR", scope=None),
            "CSV": csv_readings(client, organisation, written),
            "API": api_readings(client, organisation, written),
        }
    by_source = {source: _figures(readings) for source, readings in read.items()}
    for key, shown in by_source["dashboard"].items():
        for other in ("CSV", "API"):
            figure = f"{key[1]} of {key[0].describe(organisation.waves)}"
            assert key in by_source[other], f"{other} lacks the dashboard's {figure}"
            assert by_source[other][key] == shown, (
                f"{figure}: the dashboard reads {shown}, {other} {by_source[other][key]} "
                "(None: hidden)"
            )
    for key in by_source["CSV"].keys() & by_source["API"].keys():
        assert by_source["CSV"][key] == by_source["API"][key], (
            f"{key[1]} of {key[0].describe(organisation.waves)}: CSV reads "
            f"{by_source['CSV'][key]}, the API {by_source['API'][key]} (None: hidden)"
        )


def _figures(readings: list[Reading]) -> dict[tuple[Selection, str], set[float | None]]:
    """Each figure's values as printed (rounded to two decimals; None when hidden); a figure
    read twice must read the same, so each set should hold one value."""
    values: dict[tuple[Selection, str], set[float | None]] = defaultdict(set)
    for reading in readings:
        if reading.measure == "respondents" and reading.value == 0:
            continue  # a group nobody answered from describes no one: the API lists none
        if reading.measure == "respondents" or reading.measure.startswith("score:"):
            value = None if reading.value is None else round(reading.value, 2)
            values[reading.selection, reading.measure].add(value)
    return values
