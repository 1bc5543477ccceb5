"""Survey score aggregates in SQL: the only way dashboards, exports and the API read scores.

Every row comes with its number of respondents, so the anonymity rules can decide
what may be shown; nothing here is shown as it is. Scores are read from
``survey_score`` (one row per response and dimension, snapshots copied in), so
every figure is one GROUP BY without JSON.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import SurveyGroup, SurveyResponse, SurveyScore
from intrapreneur.culture.statistics import Alpha, AlphaAccumulator
from intrapreneur.extensions import db

# A distribution's bars: scores rounded to the nearest half point.
HALF_POINTS = 2


@dataclass(frozen=True)
class Filters:
    """A dashboard's filters; each narrows the respondents counted."""

    department_id: int | None = None
    cohort_id: int | None = None
    group: SurveyGroup | None = None

    def widened(self) -> Filters | None:
        """The filters one step wider (the parent of the remainder rule): the cohort
        filter goes first, then the group, then the department; None at the top."""
        for name in ("cohort_id", "group", "department_id"):
            if getattr(self, name) is not None:
                return replace(self, **{name: None})
        return None

    def conditions(self) -> list[ColumnElement[bool]]:
        chosen = []
        if self.department_id is not None:
            chosen.append(SurveyScore.department_id == self.department_id)
        if self.cohort_id is not None:
            chosen.append(SurveyScore.cohort_id == self.cohort_id)
        if self.group is not None:
            chosen.append(SurveyScore.group == self.group)
        return chosen


@dataclass(frozen=True)
class ScoreRow:
    """One group's figure: its coordinates, respondents and mean score."""

    key: tuple[Any, ...]
    respondents: int
    mean: float | None


def _rows(statement: Select[Any], width: int) -> list[ScoreRow]:
    return [
        ScoreRow(tuple(row[:width]), row[width], float(row[width + 1]))
        for row in db.session.execute(statement)
    ]


def by_wave(wave_ids: Sequence[int], filters: Filters) -> list[ScoreRow]:
    """Mean per (wave, dimension, group): trends, participants against comparison."""
    statement = (
        select(
            SurveyScore.wave_id,
            SurveyScore.dimension,
            SurveyScore.group,
            func.count(),
            func.avg(SurveyScore.score),
        )
        .where(SurveyScore.wave_id.in_(wave_ids), *filters.conditions())
        .group_by(SurveyScore.wave_id, SurveyScore.dimension, SurveyScore.group)
        .order_by(SurveyScore.wave_id, SurveyScore.dimension, SurveyScore.group)
    )
    return _rows(statement, 3)


def by_department(wave_id: int, filters: Filters) -> list[ScoreRow]:
    """Mean per (dimension, department) in one wave: the heatmap."""
    statement = (
        select(
            SurveyScore.dimension,
            SurveyScore.department_id,
            func.count(),
            func.avg(SurveyScore.score),
        )
        .where(SurveyScore.wave_id == wave_id, *filters.conditions())
        .group_by(SurveyScore.dimension, SurveyScore.department_id)
        .order_by(SurveyScore.dimension, SurveyScore.department_id)
    )
    return _rows(statement, 2)


def totals(wave_id: int, filters: Filters) -> list[ScoreRow]:
    """Mean per dimension over everyone the filters keep: the parents of other rows."""
    statement = (
        select(SurveyScore.dimension, func.count(), func.avg(SurveyScore.score))
        .where(SurveyScore.wave_id == wave_id, *filters.conditions())
        .group_by(SurveyScore.dimension)
        .order_by(SurveyScore.dimension)
    )
    return _rows(statement, 1)


def distribution(wave_id: int, dimension: str, filters: Filters) -> list[ScoreRow]:
    """Respondents per half-point band of one dimension's score; the key is the band."""
    band = func.round(SurveyScore.score * HALF_POINTS) / HALF_POINTS
    statement = (
        select(band, func.count())
        .where(
            SurveyScore.wave_id == wave_id,
            SurveyScore.dimension == dimension,
            *filters.conditions(),
        )
        .group_by(band)
        .order_by(band)
    )
    return [ScoreRow((float(b),), n, None) for b, n in db.session.execute(statement)]


def answer_rows(wave_id: int, filters: Filters, batch: int = 2000) -> Iterator[dict[str, int]]:
    """Each response's answers in the wave, streamed: for Cronbach's alpha, which needs
    item-level values. Only the answers leave the database, never the snapshots."""
    statement = select(SurveyResponse.answers).where(SurveyResponse.wave_id == wave_id)
    for condition, column in (
        (filters.department_id, SurveyResponse.department_id),
        (filters.cohort_id, SurveyResponse.cohort_id),
        (filters.group, SurveyResponse.group),
    ):
        if condition is not None:
            statement = statement.where(column == condition)
    yield from db.session.scalars(statement.execution_options(yield_per=batch))


ALPHA_BATCH = 5000  # rows handed to the accumulators at once: numpy works per batch


def alphas(wave_id: int, instrument: Instrument, filters: Filters) -> dict[str, Alpha]:
    """Cronbach's alpha per dimension of the wave's instrument, from the answers streamed
    in batches (reverse items turned round first)."""
    items = {d.id: instrument.items_of(d.id) for d in instrument.dimensions}
    accumulators = {dimension: AlphaAccumulator() for dimension in items}
    batches: dict[str, list[list[float | None]]] = {dimension: [] for dimension in items}
    for number, answers in enumerate(answer_rows(wave_id, filters), start=1):
        for dimension, dimension_items in items.items():
            batches[dimension].append(
                [
                    None if item.id not in answers else instrument.scored(item.id, answers[item.id])
                    for item in dimension_items
                ]
            )
        if number % ALPHA_BATCH == 0:
            _flush(accumulators, batches)
    _flush(accumulators, batches)
    return {dimension: accumulator.result() for dimension, accumulator in accumulators.items()}


def _flush(
    accumulators: dict[str, AlphaAccumulator], batches: dict[str, list[list[float | None]]]
) -> None:
    for dimension, rows in batches.items():
        accumulators[dimension].add_rows(rows)
        rows.clear()


COMMENTS_SHOWN = 200  # the most a dashboard lists per department


def comments(wave_id: int, department_ids: list[int]) -> dict[int, list[str]]:
    """The non-empty comments of these departments in the wave, alphabetically (an order
    that says nothing about who wrote first), at most ``COMMENTS_SHOWN`` each."""
    found: dict[int, list[str]] = {d: [] for d in department_ids}
    rows = db.session.execute(
        select(SurveyResponse.department_id, SurveyResponse.comment)
        .where(
            SurveyResponse.wave_id == wave_id,
            SurveyResponse.department_id.in_(department_ids),
            SurveyResponse.comment != "",
        )
        .order_by(SurveyResponse.department_id, SurveyResponse.comment)
    )
    for department_id, comment in rows:
        if len(found[department_id]) < COMMENTS_SHOWN:
            found[department_id].append(comment)
    return found
