"""A wave's suppressed figures, whichever way a view obtained them: computed for this request
(an open wave, a manager's own organisation) or read from a closed wave's publication. Both
answer the same questions, so dashboards, exports and the API never care which it was.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from intrapreneur.culture import aggregates
from intrapreneur.culture.aggregates import Filters
from intrapreneur.culture.anonymity import Cell, Rules, Shown, suppress
from intrapreneur.culture.instruments import Instrument
from intrapreneur.culture.models import SurveyGroup, SurveyWave
from intrapreneur.culture.statistics import Alpha
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from intrapreneur.learning.models import Cohort, Programme

TABLE_DIMENSIONS = ("department", "cohort", "group")
NONE = "none"  # the coordinate of respondents with no department, or in no cohort
ALL = "All"
NO_DEPARTMENT, NO_COHORT = "No department", "No cohort"
GROUP_NAMES = {SurveyGroup.PARTICIPANT: "Participants", SurveyGroup.COMPARISON: "Comparison group"}


@dataclass(frozen=True)
class Figure:
    """One group's figures as they may be printed."""

    group: dict[str, str]
    respondents: int | None  # None when hidden
    means: dict[str, float | None]  # dimension id -> mean score; None when hidden
    hidden: bool
    label: str | None  # what to print instead, when hidden (or "no responses")


@dataclass(frozen=True)
class Band:
    """A distribution's bar: respondents whose score rounds to ``score`` (half points)."""

    score: float
    respondents: int | None  # None when hidden
    label: str | None  # the hidden text


def banded(wave_id: int, dimension: str, rules: Rules) -> list[Band]:
    """The whole wave's distribution of one dimension, through the anonymity engine as a
    table of its own (bands are not split by department)."""
    bands = aggregates.distribution(wave_id, dimension, Filters())
    cells = [Cell({"band": str(row.key[0])}, row.respondents) for row in bands]
    cells.append(Cell({}, sum(row.respondents for row in bands)))
    shown = suppress(cells, rules)[:-1]
    return [
        Band(row.key[0], None if s.hidden else s.count, s.reason if s.hidden else None)
        for row, s in zip(bands, shown, strict=True)
    ]


def no_responses(coordinates: Mapping[str, str]) -> Figure:
    """The figure of a group nobody answered from."""
    return Figure(dict(coordinates), 0, {}, False, "no responses")


class WaveFigures(ABC):
    """One wave's published figures; ``get`` and the others never reveal a hidden count."""

    wave: SurveyWave

    @abstractmethod
    def get(self, **coordinates: str) -> Figure:
        """The figure of the group with exactly these coordinates (``department="12"``,
        ``group="participant"``); a group nobody answered from has no responses."""

    @abstractmethod
    def across(self, dimension: str, **coordinates: str) -> dict[str, Figure]:
        """Each value of ``dimension`` with these other coordinates → its figure: a
        heatmap's row. Values nobody answered from are left out."""

    @abstractmethod
    def values_of(self, dimension: str) -> set[str]:
        """Every value the coordinate takes in this wave, e.g. the departments."""

    @abstractmethod
    def selected(self, **coordinates: str) -> Iterator[Figure]:
        """Every figure whose group has these coordinates (and any others), everyone first
        (fewest coordinates), then by department, cohort and group name."""

    @abstractmethod
    def comment_departments(self) -> set[str]:
        """Departments whose free-text comments may be listed (``Rules.comment_k``)."""

    @abstractmethod
    def alphas(self, instrument: Instrument) -> dict[str, Alpha]:
        """Cronbach's alpha per dimension over the whole wave."""

    @abstractmethod
    def distribution(self, dimension: str) -> list[Band]:
        """The whole organisation's scores on one dimension, per half point."""


def figure_of(shown: Shown) -> Figure:
    if shown.hidden:
        return Figure(dict(shown.group), None, {}, True, shown.reason)
    label = "no responses" if shown.count == 0 else None
    return Figure(dict(shown.group), shown.count, dict(shown.values), False, label)


def comment_departments(shown: list[Shown]) -> set[str]:
    """The departments a table checked with the comments' minimum shows."""
    return {
        s.group["department"]
        for s in shown
        if set(s.group) == {"department"} and not s.hidden and s.count
    }


def checked_for_comments(cells: list, rules: Rules) -> set[str]:
    """The wave's table checked with the larger minimum for comments (comments can be
    matched one by one between two lists, so subtraction matters with ``comment_k``)."""
    return comment_departments(suppress(cells, rules, comments=True))


def department_names(ids: set[str]) -> dict[str, str]:
    """Department coordinates → names; "No department" for respondents without one."""
    numbers = [int(d) for d in ids if d != NONE]
    found = dict(
        db.session.execute(
            select(Department.id, Department.name).where(Department.id.in_(numbers))
        ).all()
    )
    return {d: "No department" if d == NONE else found.get(int(d), f"Department {d}") for d in ids}


def cohort_names(ids: set[str]) -> dict[str, str]:
    """Cohort coordinates → "Cohort (Programme)"; "No cohort" for the comparison group."""
    numbers = [int(c) for c in ids if c != NONE]
    found = db.session.execute(
        select(Cohort.id, Cohort.name, Programme.name)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Cohort.id.in_(numbers))
    ).all()
    names = {str(id_): f"{name} ({programme})" for id_, name, programme in found}
    return {c: NO_COHORT if c == NONE else names.get(c, f"Cohort {c}") for c in ids}


def group_name(status: str | None) -> str:
    return ALL if status is None else GROUP_NAMES[SurveyGroup(status)]
