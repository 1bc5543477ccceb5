"""The survey figures every view may show, already suppressed: dashboards, exports and the
API read them from here and nowhere else.

For each wave one table is built from two GROUP BY queries: respondents per (department,
cohort, group), and per (department, cohort, group, dimension) the number and sum of
scores. Every margin (each department, cohort and group, their pairs, everyone) is added
up from those rows in Python, so the means of margins are exact, and the whole table of
every wave, oldest first, goes through the anonymity engine: what one view shows can never
be subtracted from what another shows to isolate fewer than k people.

Closed waves are suppressed once and kept (``published``); a view computes only the waves
after the last kept one (in practice the open wave), starting from the counts it carried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from sqlalchemy import String, func, select, type_coerce

from intrapreneur.culture import aggregates, published
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.anonymity import Cell, LastShown, Rules, suppress_wave
from intrapreneur.culture.figures import (
    ALL,
    NONE,
    TABLE_DIMENSIONS,
    Band,
    Figure,
    WaveFigures,
    banded,
    checked_for_comments,
    cohort_names,
    department_names,
    figure_of,
    group_name,
    no_responses,
)
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import PrivacyRules, SurveyResponse, SurveyScore, SurveyWave
from intrapreneur.culture.statistics import Alpha
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people

Key = tuple[str, str, str]  # (department, cohort, group) of a finest cell
# A margin: which coordinates it keeps (their positions in TABLE_DIMENSIONS) and their values.
Margin = tuple[tuple[int, ...], tuple[str, ...]]
MARGINS = [
    kept
    for size in range(len(TABLE_DIMENSIONS) + 1)
    for kept in combinations(range(len(TABLE_DIMENSIONS)), size)
]
Coordinates = frozenset[tuple[str, str]]


class ComputedFigures(WaveFigures):
    """A wave suppressed for this request, held in memory with the table it came from."""

    def __init__(
        self,
        wave: SurveyWave,
        table: list[Cell],
        figures: dict[Coordinates, Figure],
        carried: LastShown,
        rules: Rules,
    ) -> None:
        self.wave = wave
        self.table = table
        self.figures = figures
        self.carried = carried  # rule 4's counts after this wave, for the next one
        self.rules = rules

    def get(self, **coordinates: str) -> Figure:
        return self.figures.get(frozenset(coordinates.items())) or no_responses(coordinates)

    def across(self, dimension: str, **coordinates: str) -> dict[str, Figure]:
        return {
            figure.group[dimension]: figure
            for figure in self.figures.values()
            if len(figure.group) == len(coordinates) + 1
            and dimension in figure.group
            and all(figure.group.get(d) == v for d, v in coordinates.items())
        }

    def values_of(self, dimension: str) -> set[str]:
        return {
            figure.group[dimension]
            for figure in self.figures.values()
            if len(figure.group) == 1 and dimension in figure.group
        }

    def selected(self, **coordinates: str) -> Iterator[Figure]:
        wanted = coordinates.items()
        chosen = [f for f in self.figures.values() if all(f.group.get(d) == v for d, v in wanted)]
        departments = department_names(self.values_of("department"))
        cohorts = cohort_names(self.values_of("cohort"))

        def order(figure: Figure) -> tuple[int, str, str, str]:
            department, cohort, status = (figure.group.get(d) for d in TABLE_DIMENSIONS)
            return (
                len(figure.group),
                ALL if department is None else departments[department],
                ALL if cohort is None else cohorts[cohort],
                group_name(status),
            )

        return iter(sorted(chosen, key=order))

    def comment_departments(self) -> set[str]:
        return checked_for_comments(self.table, self.rules)

    def alphas(self, instrument: Instrument) -> dict[str, Alpha]:
        return aggregates.alphas(self.wave.id, instrument, Filters())

    def distribution(self, dimension: str) -> list[Band]:
        return banded(self.wave.id, dimension, self.rules)


def rules_in_force() -> Rules:
    """The minimum group sizes an admin set, or the defaults (5, and 10 for comments)."""
    stored = db.session.scalar(select(PrivacyRules).limit(1))
    if stored is None:
        return Rules()
    return Rules(k=stored.min_group, comment_k=stored.min_group_comments)


def wave_figures(
    waves: Sequence[SurveyWave], rules: Rules, departments: set[str] | None = None
) -> list[WaveFigures]:
    """The suppressed figures of these waves, which must be all waves from the first, in
    order. ``departments`` limits everything to those departments (a manager's own
    organisation), as if nobody else had answered.

    The whole organisation's figures of closed waves are read from their publications
    (``published``); the waves after the last published one are suppressed here, starting
    from the counts it carried.
    """
    stored = published.stored_series(waves, rules) if departments is None else []
    carried = published.carried_after(stored[-1]) if stored else {}
    series: list[WaveFigures] = list(stored)
    for wave in waves[len(stored) :]:
        computed = compute(wave, rules, carried, departments)
        carried = computed.carried
        series.append(computed)
    return series


def compute(
    wave: SurveyWave, rules: Rules, carried: Mapping[Any, int], departments: set[str] | None
) -> ComputedFigures:
    """One wave's table suppressed after the waves whose counts ``carried`` holds."""
    table = _table(wave.id, departments)
    shown, after = suppress_wave(table, rules, carried)
    figures = {frozenset(s.group.items()): figure_of(s) for s in shown}
    return ComputedFigures(wave, table, figures, after, rules)


def _table(wave_id: int, departments: set[str] | None) -> list[Cell]:
    """Every margin of the wave's table, added up in one pass over the finest rows (each
    row's dimension sums and counts as one vector, so a margin is a handful of additions)."""
    respondents, sums, counts = _finest(wave_id)
    if departments is not None:
        respondents = {k: n for k, n in respondents.items() if k[0] in departments}
    dimensions = sorted({dimension for _, dimension in sums})
    column = {dimension: i for i, dimension in enumerate(dimensions)}
    vectors: dict[Key, np.ndarray] = {k: np.zeros(2 * len(dimensions)) for k in respondents}
    for (key, dimension), value in sums.items():
        if key in vectors:
            vectors[key][column[dimension]] = value
            vectors[key][len(dimensions) + column[dimension]] = counts[key, dimension]
    total: dict[Margin, int] = defaultdict(int)
    summed: dict[Margin, np.ndarray] = {}
    for key, n in respondents.items():
        for kept in MARGINS:
            margin = (kept, tuple(key[i] for i in kept))
            total[margin] += n
            if margin in summed:
                summed[margin] += vectors[key]
            else:
                summed[margin] = vectors[key].copy()
    return [
        Cell(
            {TABLE_DIMENSIONS[i]: value for i, value in zip(kept, values, strict=True)},
            n,
            _means(summed[kept, values], dimensions),
        )
        for (kept, values), n in total.items()
    ]


def _means(vector: np.ndarray, dimensions: list[str]) -> dict[str, float]:
    width = len(dimensions)
    return {
        dimension: float(vector[i] / vector[width + i])
        for i, dimension in enumerate(dimensions)
        if vector[width + i]
    }


def _finest(
    wave_id: int,
) -> tuple[dict[Key, int], dict[tuple[Key, str], float], dict[tuple[Key, str], int]]:
    respondents = {
        _key(department, cohort, group): n
        for department, cohort, group, n in db.session.execute(
            select(
                SurveyResponse.department_id,
                SurveyResponse.cohort_id,
                _as_text(SurveyResponse.group),
                func.count(),
            )
            .where(SurveyResponse.wave_id == wave_id)
            .group_by(SurveyResponse.department_id, SurveyResponse.cohort_id, SurveyResponse.group)
        )
    }
    sums: dict[tuple[Key, str], float] = {}
    counts: dict[tuple[Key, str], int] = {}
    for department, cohort, group, dimension, n, total in db.session.execute(
        select(
            SurveyScore.department_id,
            SurveyScore.cohort_id,
            _as_text(SurveyScore.group),
            SurveyScore.dimension,
            func.count(),
            func.sum(SurveyScore.score),
        )
        .where(SurveyScore.wave_id == wave_id)
        .group_by(
            SurveyScore.department_id,
            SurveyScore.cohort_id,
            SurveyScore.group,
            SurveyScore.dimension,
        )
    ):
        key = _key(department, cohort, group)
        sums[key, dimension], counts[key, dimension] = float(total), n
    return respondents, sums, counts


def _as_text(column: Any) -> Any:
    """The group as the plain text it is stored as: the table's keys are text, and turning
    tens of thousands of rows into enum members first is measurable work."""
    return type_coerce(column, String)


def _key(department: int | None, cohort: int | None, group: object) -> Key:
    return (
        NONE if department is None else str(department),
        NONE if cohort is None else str(cohort),
        str(group),
    )


def departments_managed_by(manager_id: int) -> set[str]:
    """A manager's own organisation for the dashboards: the departments their reports, at
    any depth, work in (responses carry a department, never a person)."""
    below = people.reports_of(manager_id)
    return {str(person.department_id) for person in below if person.department_id is not None}
