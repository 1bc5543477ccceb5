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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import func, select

from intrapreneur.culture.anonymity import Cell, Rules, Shown, suppress, suppress_waves
from intrapreneur.culture.models import PrivacyRules, SurveyResponse, SurveyScore, SurveyWave
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people

TABLE_DIMENSIONS = ("department", "cohort", "group")
NONE = "none"  # the coordinate of respondents with no department, or in no cohort

Key = tuple[str, str, str]  # (department, cohort, group) of a finest cell
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
    tables = [_table(wave.id, departments) for wave in waves]
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
    respondents, sums, counts = _finest(wave_id)
    if departments is not None:
        respondents = {k: n for k, n in respondents.items() if k[0] in departments}
    cells = []
    for size in range(len(TABLE_DIMENSIONS) + 1):
        for kept in combinations(range(len(TABLE_DIMENSIONS)), size):
            cells += _margin(kept, respondents, sums, counts)
    return cells


def _margin(
    kept: tuple[int, ...],
    respondents: dict[Key, int],
    sums: dict[tuple[Key, str], float],
    counts: dict[tuple[Key, str], int],
) -> Iterable[Cell]:
    """The cells that keep these coordinates and add up over the others."""
    total: dict[tuple[str, ...], int] = defaultdict(int)
    score_sum: dict[tuple[str, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    score_count: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, n in respondents.items():
        total[tuple(key[i] for i in kept)] += n
    for (key, dimension), value in sums.items():
        if key in respondents:
            coarse = tuple(key[i] for i in kept)
            score_sum[coarse][dimension] += value
            score_count[coarse][dimension] += counts[key, dimension]
    for coarse, n in total.items():
        means = {d: score_sum[coarse][d] / c for d, c in score_count[coarse].items()}
        group = {TABLE_DIMENSIONS[i]: value for i, value in zip(kept, coarse, strict=True)}
        yield Cell(group, n, means)


def _finest(
    wave_id: int,
) -> tuple[dict[Key, int], dict[tuple[Key, str], float], dict[tuple[Key, str], int]]:
    respondents = {
        _key(department, cohort, group): n
        for department, cohort, group, n in db.session.execute(
            select(
                SurveyResponse.department_id,
                SurveyResponse.cohort_id,
                SurveyResponse.group,
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
            SurveyScore.group,
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


def departments_with_comments(
    wave: SurveyWave, rules: Rules, departments: set[str] | None = None
) -> set[str]:
    """Departments whose free-text comments may be listed: the same table as the figures,
    checked with the larger minimum for comments (they can be matched one by one)."""
    shown = suppress(_table(wave.id, departments), rules, comments=True)
    return {
        s.group["department"]
        for s in shown
        if set(s.group) == {"department"} and not s.hidden and s.count
    }
