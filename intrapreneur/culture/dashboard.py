"""The survey figures every view may show, already suppressed: dashboards, exports and the
API read them from here and nowhere else.

For each wave one table is built from two GROUP BY queries: respondents per (department,
cohort, group), and per (department, cohort, group, dimension) the number and sum of
scores. Every margin (each department, cohort and group, their pairs, everyone) is added
up from those rows in Python, so the means of margins are exact, and the whole table of
every wave, oldest first, goes through the anonymity engine in one call: what one view
shows can never be subtracted from what another shows to isolate fewer than k people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from sqlalchemy import String, func, select, type_coerce

from intrapreneur.culture.anonymity import Cell, Rules, Shown, suppress, suppress_waves
from intrapreneur.culture.models import PrivacyRules, SurveyResponse, SurveyScore, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people

TABLE_DIMENSIONS = ("department", "cohort", "group")
NONE = "none"  # the coordinate of respondents with no department, or in no cohort

Key = tuple[str, str, str]  # (department, cohort, group) of a finest cell
# A margin: which coordinates it keeps (their positions in TABLE_DIMENSIONS) and their values.
Margin = tuple[tuple[int, ...], tuple[str, ...]]
MARGINS = [
    kept
    for size in range(len(TABLE_DIMENSIONS) + 1)
    for kept in combinations(range(len(TABLE_DIMENSIONS)), size)
]
Coordinates = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Figure:
    """One group's figures as they may be printed."""

    group: dict[str, str]
    respondents: int | None  # None when hidden
    means: dict[str, float | None]  # dimension id -> mean score; None when hidden
    hidden: bool
    label: str | None  # what to print instead, when hidden (or "no responses")


@dataclass(frozen=True)
class WaveFigures:
    wave: SurveyWave
    figures: dict[Coordinates, Figure]

    def get(self, **coordinates: str) -> Figure:
        """The figure of the group with these coordinates (``department="12"``,
        ``group="participant"``); a group nobody answered from has no responses."""
        key = frozenset(coordinates.items())
        return self.figures.get(key) or Figure(dict(coordinates), 0, {}, False, "no responses")

    def values_of(self, dimension: str) -> set[str]:
        """Every value the coordinate takes in this wave, e.g. the departments."""
        return {
            dict(coords)[dimension]
            for coords in self.figures
            if len(coords) == 1 and dimension in dict(coords)
        }


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
    organisation), as if nobody else had answered."""
    return figures_of(waves, tables(waves, departments), rules)


def tables(waves: Sequence[SurveyWave], departments: set[str] | None = None) -> list[list[Cell]]:
    """Each wave's whole table, before suppression (for a page that needs it twice)."""
    return [_table(wave.id, departments) for wave in waves]


def figures_of(
    waves: Sequence[SurveyWave], tables: Sequence[list[Cell]], rules: Rules
) -> list[WaveFigures]:
    published = suppress_waves(tables, rules)
    return [
        WaveFigures(wave, {frozenset(s.group.items()): _figure(s) for s in shown})
        for wave, shown in zip(waves, published, strict=True)
    ]


def _figure(shown: Shown) -> Figure:
    if shown.hidden:
        return Figure(dict(shown.group), None, {}, True, shown.reason)
    label = "no responses" if shown.count == 0 else None
    return Figure(dict(shown.group), shown.count, dict(shown.values), False, label)


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


def departments_with_comments(table: list[Cell], rules: Rules) -> set[str]:
    """Departments whose free-text comments may be listed: the wave's table, checked with
    the larger minimum for comments (comments can be matched one by one)."""
    shown = suppress(table, rules, comments=True)
    return {
        s.group["department"]
        for s in shown
        if set(s.group) == {"department"} and not s.hidden and s.count
    }
