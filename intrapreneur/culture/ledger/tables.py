"""One wave's figures before any suppression: respondents, and per dimension the answers
and their sum, for every group any view may show.

Two GROUP BY queries give the finest cells (department × cohort × group × business unit ×
country × location); every margin, every place and every manager's scope is added up from
them in Python, so the means of margins are exact
and every view's figure of a group is the same number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import String, func, select, type_coerce

from intrapreneur.culture.ledger.people import (
    PLACE_COLUMNS,
    RESPONDENTS,
    Cell,
    GroupKey,
    cell_of,
    keys_of,
    scopes_by_department,
)
from intrapreneur.culture.models import SurveyResponse, SurveyScore
from intrapreneur.extensions import db


@dataclass
class Totals:
    """A group's respondents, and per dimension its answers and their sum."""

    respondents: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)

    def people(self, family: str) -> int:
        return self.respondents if family == RESPONDENTS else self.answers.get(family, 0)

    def mean(self, dimension: str) -> float | None:
        answers = self.answers.get(dimension, 0)
        return self.sums[dimension] / answers if answers else None

    def add(self, other: Totals) -> None:
        self.respondents += other.respondents
        for dimension, answers in other.answers.items():
            self.answers[dimension] = self.answers.get(dimension, 0) + answers
            self.sums[dimension] = self.sums.get(dimension, 0.0) + other.sums[dimension]


def wave_totals(wave_id: int, scopes: Iterable[str] = ()) -> dict[GroupKey, Totals]:
    """Every group of the wave with at least one respondent: each margin of the department ×
    cohort × group table, and each manager scope narrowed by cohort and group."""
    scopes_of = scopes_by_department(scopes)
    totals: dict[GroupKey, Totals] = defaultdict(Totals)
    for cell, finest in _finest(wave_id).items():
        for key in keys_of(cell, tuple(scopes_of.get(cell[0], ()))):
            totals[key].add(finest)
    return dict(totals)


def _finest(wave_id: int) -> dict[Cell, Totals]:
    cells: dict[Cell, Totals] = defaultdict(Totals)
    coordinates = (
        SurveyResponse.department_id,
        SurveyResponse.cohort_id,
        _as_text(SurveyResponse.group),
        *PLACE_COLUMNS,
    )
    for *cell, n in db.session.execute(
        select(*coordinates, func.count())
        .where(SurveyResponse.wave_id == wave_id)
        .group_by(*coordinates)
    ):
        cells[cell_of(*cell)].respondents = n
    for *cell, dimension, n, total in db.session.execute(
        select(*coordinates, SurveyScore.dimension, func.count(), func.sum(SurveyScore.score))
        .join(SurveyResponse, SurveyResponse.id == SurveyScore.response_id)
        .where(SurveyScore.wave_id == wave_id)
        .group_by(*coordinates, SurveyScore.dimension)
    ):
        finest = cells[cell_of(*cell)]
        finest.answers[dimension], finest.sums[dimension] = n, float(total)
    return cells


def _as_text(column: object) -> object:
    """The group as the plain text it is stored as: turning tens of thousands of rows into
    enum members first is measurable work."""
    return type_coerce(column, String)
