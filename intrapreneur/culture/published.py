"""Closed waves' releases, decided once by the ledger and kept (``SurveyPublication``).

A closed wave takes no more answers and the ledger only looks back, so for the same rules
and the same earlier waves its release is final. ``services.publish_closed_waves`` (run on a
schedule and when a wave is closed early) stores it; every view, export and API answer reads
it here with a few indexed queries, and nothing else shows a survey figure. A series is read
from its publications only as far as each one was made in exactly that series (the same
earlier waves, in order) and with the rules now in force: a wave not published that way yet
shows nothing until the job has published it.

The release holds the whole organisation's figures and every manager's scope (their
departments, narrowed by cohort and group) as the ledger decided them together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import astuple
from typing import Any

from sqlalchemy import ColumnElement, case, insert, select
from sqlalchemy.orm import aliased

from intrapreneur.culture.anonymity import Rules, hidden_label, scope_hidden_label
from intrapreneur.culture.figures import (
    ALL,
    DIMENSIONS,
    GROUP_NAMES,
    NO_COHORT,
    NO_DEPARTMENT,
    NONE,
    PLACE_DIMENSIONS,
    TABLE_DIMENSIONS,
    Band,
    Figure,
    no_responses,
    no_responses_label,
)
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.ledger.people import RESPONDENTS, GroupKey
from intrapreneur.culture.ledger.waves import Earlier, WaveRelease
from intrapreneur.culture.models import PublishedFigure, SurveyPublication, SurveyWave
from intrapreneur.culture.statistics import Alpha
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from intrapreneur.learning.models import Cohort, Programme

ROWS_PER_INSERT = 5000
COLUMNS = {dimension: getattr(PublishedFigure, dimension) for dimension in DIMENSIONS}


# A figure not split by department: the manager scope it narrows (None: the organisation)
# and its cohort and group coordinates.
MarginKey = tuple[str | None, frozenset[tuple[str, str]]]


def earlier_key(earlier: Sequence[SurveyWave]) -> str:
    return ",".join(str(wave.id) for wave in earlier)


class StoredFigures:
    """One published wave's figures; none of these ever reveals a hidden count."""

    def __init__(self, wave: SurveyWave, publication: SurveyPublication, margins: _Margins):
        self.wave = wave
        self.publication = publication
        self._margins = margins

    def get(self, **coordinates: str) -> Figure:
        """The organisation's figure of the group with exactly these coordinates
        (``department="12"``, ``group="participant"``); nobody in it: no responses."""
        if "department" not in coordinates:  # a margin over departments: read in bulk
            found = self._margins.of(self.publication.id).get((None, _key(coordinates)))
            return found or no_responses(coordinates)
        rows = self._figures(PublishedFigure.width == len(coordinates), *_equal(coordinates))
        return next(iter(rows), None) or no_responses(coordinates)

    def scoped(self, scope: str, **coordinates: str) -> Figure | None:
        """A manager's scope narrowed by cohort and group coordinates; None when this
        publication holds no such scope (the organisation changed since)."""
        if scope not in self._margins.scopes(self.publication.id):
            return None
        found = self._margins.of(self.publication.id).get((scope, _key(coordinates)))
        return found or no_responses(coordinates)

    def across(self, dimension: str, **coordinates: str) -> dict[str, Figure]:
        """Each value of ``dimension`` with these other coordinates → its figure: a
        heatmap's row. Values nobody answered from are left out."""
        rows = self._figures(
            PublishedFigure.width == len(coordinates) + 1,
            COLUMNS[dimension].is_not(None),
            *_equal(coordinates),
        )
        return {figure.group[dimension]: figure for figure in rows}

    def values_of(self, dimension: str) -> set[str]:
        """Every value the coordinate takes in this wave, e.g. the departments."""
        column = COLUMNS[dimension]
        return set(
            db.session.scalars(
                select(column).where(
                    PublishedFigure.publication_id == self.publication.id,
                    PublishedFigure.width == 1,
                    PublishedFigure.scope.is_(None),
                    column.is_not(None),
                )
            )
        )

    def selected(self, **coordinates: str) -> Iterator[Figure]:
        """Streamed in the database's order of the names, so an export of any size holds
        one batch of rows at a time."""
        programme = aliased(Programme)
        statement = (
            select(PublishedFigure)
            .outerjoin(Department, Department.id == PublishedFigure.department_id)
            .outerjoin(Cohort, Cohort.id == PublishedFigure.cohort_id)
            .outerjoin(programme, programme.id == Cohort.programme_id)
            .where(
                PublishedFigure.publication_id == self.publication.id,
                PublishedFigure.scope.is_(None),
                *_equal(coordinates),
            )
            .order_by(
                PublishedFigure.width,
                _label(PublishedFigure.department, NO_DEPARTMENT, Department.name),
                _label(
                    PublishedFigure.cohort, NO_COHORT, Cohort.name + " (" + programme.name + ")"
                ),
                case(
                    (PublishedFigure.group.is_(None), str(ALL)),
                    *(
                        (PublishedFigure.group == str(g), str(name))
                        for g, name in GROUP_NAMES.items()
                    ),
                ),
                *(COLUMNS[place] for place in PLACE_DIMENSIONS),
                PublishedFigure.id,
            )
            .execution_options(yield_per=1000)
        )
        for row in db.session.scalars(statement):
            yield self._figure(row)

    def dimensions(self) -> list[str]:
        """The dimensions the wave was scored on (a distribution is kept, or hidden, for
        each), by id."""
        return sorted(self.publication.distributions)

    def comment_departments(self) -> set[str]:
        """Departments whose free-text comments may be listed."""
        return set(self.publication.comment_departments)

    def alphas(self, instrument: Instrument) -> dict[str, Alpha]:
        """Cronbach's alpha per dimension over the whole wave."""
        return {dimension: Alpha(*values) for dimension, values in self.publication.alphas.items()}

    def distribution(self, dimension: str) -> list[Band] | None:
        """The whole organisation's scores on one dimension in merged half-point bands;
        None when hidden."""
        bands = self.publication.distributions.get(dimension)
        return None if bands is None else [Band(*band) for band in bands]

    def _figures(self, *conditions: ColumnElement[bool]) -> list[Figure]:
        rows = db.session.scalars(
            select(PublishedFigure).where(
                PublishedFigure.publication_id == self.publication.id,
                PublishedFigure.scope.is_(None),
                *conditions,
            )
        )
        return [self._figure(row) for row in rows]

    def _figure(self, row: PublishedFigure) -> Figure:
        return to_figure(row, self.publication.min_group)


def to_figure(row: PublishedFigure, k: int) -> Figure:
    group = {d: value for d in DIMENSIONS if (value := getattr(row, d)) is not None}
    if row.hidden:
        label = scope_hidden_label(k) if row.scope else hidden_label(k)
        return Figure(group, None, {}, {}, True, label)
    label = no_responses_label() if row.respondents == 0 else None
    hidden = frozenset(row.hidden_dimensions)
    return Figure(group, row.respondents, dict(row.means), dict(row.answers), False, label, hidden)


def _key(coordinates: Mapping[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(coordinates.items())


def _equal(coordinates: Mapping[str, str]) -> list[ColumnElement[bool]]:
    return [COLUMNS[dimension] == value for dimension, value in coordinates.items()]


def _label(column: Any, nobody: object, name: Any) -> Any:
    """A coordinate's printed name, for sorting by it (in the reader's language)."""
    return case((column.is_(None), str(ALL)), (column == NONE, str(nobody)), else_=name)


class _Margins:
    """The figures that are not split by department (groups, cohorts, everyone, and every
    manager's scope) of every publication in a series, read in one query the first time any
    is asked for: a trend over eight waves is one query, not sixteen."""

    def __init__(self, publications: list[SurveyPublication]) -> None:
        self._k = {publication.id: publication.min_group for publication in publications}
        self._loaded: dict[int, dict[MarginKey, Figure]] = {}

    def of(self, publication_id: int) -> dict[MarginKey, Figure]:
        if not self._loaded:
            self._loaded = {publication_id: {} for publication_id in self._k}
            rows = db.session.scalars(
                select(PublishedFigure).where(
                    PublishedFigure.publication_id.in_(self._k),
                    PublishedFigure.department.is_(None),
                )
            )
            for row in rows:
                figure = to_figure(row, self._k[row.publication_id])
                self._loaded[row.publication_id][row.scope, _key(figure.group)] = figure
        return self._loaded[publication_id]

    def scopes(self, publication_id: int) -> set[str]:
        return {scope for scope, _ in self.of(publication_id) if scope is not None}


def stored_series(waves: Sequence[SurveyWave], rules: Rules) -> list[StoredFigures]:
    """The longest start of this series that was published with these rules."""
    found = {
        (publication.wave_id, publication.earlier): publication
        for publication in db.session.scalars(
            select(SurveyPublication).where(
                SurveyPublication.wave_id.in_([wave.id for wave in waves]),
                SurveyPublication.min_group == rules.k,
                SurveyPublication.min_group_comments == rules.comment_k,
            )
        )
    }
    publications = []
    for number, wave in enumerate(waves):
        publication = found.get((wave.id, earlier_key(waves[:number])))
        if publication is None:
            break
        publications.append(publication)
    margins = _Margins(publications)
    return [
        StoredFigures(wave, publication, margins)
        for wave, publication in zip(waves, publications, strict=False)
    ]


def earlier_release(publication: SurveyPublication) -> Earlier:
    """What a publication released, as the ledger of the next waves reads it."""
    shown: dict[str, set[GroupKey]] = {RESPONDENTS: set()}
    scopes: set[str] = set()
    for row in db.session.scalars(
        select(PublishedFigure).where(
            PublishedFigure.publication_id == publication.id, PublishedFigure.hidden.is_(False)
        )
    ):
        coordinates = {d: value for d in DIMENSIONS if (value := getattr(row, d)) is not None}
        key = GroupKey(frozenset(coordinates.items()), row.scope)
        if row.scope:
            scopes.add(row.scope)
        if row.respondents:
            shown[RESPONDENTS].add(key)
        for dimension, answers in row.answers.items():
            if answers:
                shown.setdefault(dimension, set()).add(key)
    bands = {d for d, released in publication.distributions.items() if released is not None}
    return Earlier(publication.wave_id, shown, scopes, bands, set(publication.comment_departments))


def store(
    wave: SurveyWave,
    earlier: Sequence[SurveyWave],
    rules: Rules,
    release: WaveRelease,
    alphas: Mapping[str, Alpha],
) -> SurveyPublication:
    """Keep one wave's release; the caller has checked that the wave and every earlier one
    have closed."""
    publication = SurveyPublication(
        wave_id=wave.id,
        min_group=rules.k,
        min_group_comments=rules.comment_k,
        earlier=earlier_key(earlier),
        comment_departments=sorted(release.comments),
        alphas={dimension: list(astuple(alpha)) for dimension, alpha in alphas.items()},
        distributions={
            dimension: None if bands is None else [list(astuple(band)) for band in bands]
            for dimension, bands in release.bands.items()
        },
    )
    db.session.add(publication)
    db.session.flush()
    rows = [
        _row(publication.id, key, release) for key in sorted(release.totals, key=GroupKey.order)
    ]
    for start in range(0, len(rows), ROWS_PER_INSERT):
        db.session.execute(insert(PublishedFigure), rows[start : start + ROWS_PER_INSERT])
    return publication


def _row(publication_id: int, key: GroupKey, release: WaveRelease) -> dict[str, Any]:
    group = dict(key.coordinates)
    department, cohort, status = (group.get(dimension) for dimension in TABLE_DIMENSIONS)
    totals = release.totals[key]
    hidden = key not in release.shown[RESPONDENTS]
    dimensions = [family for family in release.shown if family != RESPONDENTS]
    shown = [] if hidden else [d for d in dimensions if key in release.shown[d]]
    return {
        "publication_id": publication_id,
        "width": len(group),
        "department": department,
        "cohort": cohort,
        "group": status,
        **{place: group.get(place) for place in PLACE_DIMENSIONS},
        "department_id": _number(department),
        "cohort_id": _number(cohort),
        "scope": key.scope,
        "respondents": None if hidden else totals.respondents,
        "hidden": hidden,
        "means": {d: mean for d in shown if (mean := totals.mean(d)) is not None},
        "answers": {d: totals.answers.get(d, 0) for d in shown},
        "hidden_dimensions": [] if hidden else [d for d in dimensions if d not in shown],
    }


def _number(coordinate: str | None) -> int | None:
    return None if coordinate in (None, NONE) else int(coordinate)
