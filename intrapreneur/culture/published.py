"""Closed waves' figures, suppressed once and kept (``SurveyPublication``).

A closed wave takes no more answers and the anonymity engine only looks back, so for the same
rules and the same earlier waves its published figures are final. ``services.publish_closed_waves``
(run on a schedule and when a wave is closed early) stores them; every view reads them here
with a few indexed queries instead of aggregating and suppressing every wave again. A series
is read from its publications only as far as each one was made in exactly that series (the
same earlier waves, in order) and with the rules now in force; the rest is computed.

Only the whole organisation's figures are kept: a manager's view covers their departments
only, and is suppressed as if nobody else had answered, on a table small enough to compute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import astuple
from typing import Any

from sqlalchemy import ColumnElement, case, insert, select
from sqlalchemy.orm import aliased

from intrapreneur.culture.anonymity import LastShown, Rules, hidden_label
from intrapreneur.culture.figures import (
    ALL,
    GROUP_NAMES,
    NO_COHORT,
    NO_DEPARTMENT,
    NONE,
    TABLE_DIMENSIONS,
    Band,
    Figure,
    WaveFigures,
    no_responses,
)
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import PublishedFigure, SurveyPublication, SurveyWave
from intrapreneur.culture.statistics import Alpha
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from intrapreneur.learning.models import Cohort, Programme

ROWS_PER_INSERT = 5000
COLUMNS = {
    "department": PublishedFigure.department,
    "cohort": PublishedFigure.cohort,
    "group": PublishedFigure.group,
}


def earlier_key(earlier: Sequence[SurveyWave]) -> str:
    return ",".join(str(wave.id) for wave in earlier)


class StoredFigures(WaveFigures):
    def __init__(self, wave: SurveyWave, publication: SurveyPublication, margins: _Margins):
        self.wave = wave
        self.publication = publication
        self._margins = margins

    def get(self, **coordinates: str) -> Figure:
        if "department" not in coordinates:  # a margin over departments: read in bulk
            found = self._margins.of(self.publication.id).get(frozenset(coordinates.items()))
            return found or no_responses(coordinates)
        rows = self._figures(PublishedFigure.width == len(coordinates), *_equal(coordinates))
        return next(iter(rows), None) or no_responses(coordinates)

    def across(self, dimension: str, **coordinates: str) -> dict[str, Figure]:
        rows = self._figures(
            PublishedFigure.width == len(coordinates) + 1,
            COLUMNS[dimension].is_not(None),
            *_equal(coordinates),
        )
        return {figure.group[dimension]: figure for figure in rows}

    def values_of(self, dimension: str) -> set[str]:
        column = COLUMNS[dimension]
        return set(
            db.session.scalars(
                select(column).where(
                    PublishedFigure.publication_id == self.publication.id,
                    PublishedFigure.width == 1,
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
            .where(PublishedFigure.publication_id == self.publication.id, *_equal(coordinates))
            .order_by(
                PublishedFigure.width,
                _label(PublishedFigure.department, NO_DEPARTMENT, Department.name),
                _label(
                    PublishedFigure.cohort, NO_COHORT, Cohort.name + " (" + programme.name + ")"
                ),
                case(
                    (PublishedFigure.group.is_(None), ALL),
                    *((PublishedFigure.group == str(g), name) for g, name in GROUP_NAMES.items()),
                ),
                PublishedFigure.id,
            )
            .execution_options(yield_per=1000)
        )
        for row in db.session.scalars(statement):
            yield self._figure(row)

    def comment_departments(self) -> set[str]:
        return set(self.publication.comment_departments)

    def alphas(self, instrument: Instrument) -> dict[str, Alpha]:
        return {dimension: Alpha(*values) for dimension, values in self.publication.alphas.items()}

    def distribution(self, dimension: str) -> list[Band]:
        return [Band(*band) for band in self.publication.distributions.get(dimension, [])]

    def _figures(self, *conditions: ColumnElement[bool]) -> list[Figure]:
        rows = db.session.scalars(
            select(PublishedFigure).where(
                PublishedFigure.publication_id == self.publication.id, *conditions
            )
        )
        return [self._figure(row) for row in rows]

    def _figure(self, row: PublishedFigure) -> Figure:
        return to_figure(row, self.publication.min_group)


def to_figure(row: PublishedFigure, k: int) -> Figure:
    group = {d: value for d in TABLE_DIMENSIONS if (value := getattr(row, d)) is not None}
    if row.hidden:
        return Figure(group, None, {}, True, hidden_label(k))
    label = "no responses" if row.respondents == 0 else None
    return Figure(group, row.respondents, dict(row.means), False, label)


def _equal(coordinates: Mapping[str, str]) -> list[ColumnElement[bool]]:
    return [COLUMNS[dimension] == value for dimension, value in coordinates.items()]


def _label(column: Any, nobody: str, name: Any) -> Any:
    return case((column.is_(None), ALL), (column == NONE, nobody), else_=name)


class _Margins:
    """The figures that are not split by department (groups, cohorts, everyone) of every
    publication in a series, read in one query the first time any is asked for: a trend
    over eight waves is one query, not sixteen."""

    def __init__(self, publications: list[SurveyPublication]) -> None:
        self._k = {publication.id: publication.min_group for publication in publications}
        self._loaded: dict[int, dict[frozenset[tuple[str, str]], Figure]] | None = None

    def of(self, publication_id: int) -> dict[frozenset[tuple[str, str]], Figure]:
        if self._loaded is None:
            self._loaded = defaultdict(dict)
            rows = db.session.scalars(
                select(PublishedFigure).where(
                    PublishedFigure.publication_id.in_(self._k),
                    PublishedFigure.department.is_(None),
                )
            )
            for row in rows:
                figure = to_figure(row, self._k[row.publication_id])
                self._loaded[row.publication_id][frozenset(figure.group.items())] = figure
        return self._loaded[publication_id]


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


def carried_after(figures: StoredFigures) -> LastShown:
    """Rule 4's counts as they stood after this published wave."""
    carried = db.session.scalar(
        select(SurveyPublication.carried).where(SurveyPublication.id == figures.publication.id)
    )
    return {
        frozenset((d, v) for d, v in zip(TABLE_DIMENSIONS, coordinates, strict=True) if v): n
        for *coordinates, n in carried or []
    }


def store(
    wave: SurveyWave,
    earlier: Sequence[SurveyWave],
    rules: Rules,
    figures: Mapping[frozenset[tuple[str, str]], Figure],
    carried: LastShown,
    comment_departments: set[str],
    alphas: Mapping[str, Alpha],
    distributions: Mapping[str, list[Band]],
) -> SurveyPublication:
    """Keep one wave's published figures; the caller has checked that the wave and every
    earlier one have closed."""
    publication = SurveyPublication(
        wave_id=wave.id,
        min_group=rules.k,
        min_group_comments=rules.comment_k,
        earlier=earlier_key(earlier),
        carried=[[*_coordinates(dict(group)), n] for group, n in carried.items()],
        comment_departments=sorted(comment_departments),
        alphas={dimension: list(astuple(alpha)) for dimension, alpha in alphas.items()},
        distributions={
            dimension: [list(astuple(band)) for band in bands]
            for dimension, bands in distributions.items()
        },
    )
    db.session.add(publication)
    db.session.flush()
    rows = [_row(publication.id, figure) for figure in figures.values()]
    for start in range(0, len(rows), ROWS_PER_INSERT):
        db.session.execute(insert(PublishedFigure), rows[start : start + ROWS_PER_INSERT])
    return publication


def _coordinates(group: Mapping[str, str]) -> list[str | None]:
    return [group.get(dimension) for dimension in TABLE_DIMENSIONS]


def _row(publication_id: int, figure: Figure) -> dict[str, Any]:
    department, cohort, status = _coordinates(figure.group)
    return {
        "publication_id": publication_id,
        "width": len(figure.group),
        "department": department,
        "cohort": cohort,
        "group": status,
        "department_id": _number(department),
        "cohort_id": _number(cohort),
        "respondents": figure.respondents,
        "hidden": figure.hidden,
        "means": {} if figure.hidden else figure.means,
    }


def _number(coordinate: str | None) -> int | None:
    return None if coordinate in (None, NONE) else int(coordinate)
