"""Who stands behind each figure: the respondents of every wave of a series, as atoms.

The attacker the ledger guards against knows who answered what and who belongs to which
group, but not the answers; and assumes a person answers alike in every wave, so that the
same person in two waves is the same unknown (a joiner or a leaver then shows up as the
difference of a group's two waves). Responses carry no person, only a keyed pseudonym that
is the same in every wave: that is enough to link them, and it never leaves this module.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from sqlalchemy import String, select, type_coerce

from intrapreneur.culture.models import SurveyResponse, SurveyScore
from intrapreneur.extensions import db

RESPONDENTS = "respondents"  # the family of respondent counts; the others are dimension ids
NONE = "none"
TABLE_DIMENSIONS = ("department", "cohort", "group")
# Where respondents work: each is a table of its own (place × group), decided in the same
# ledger as the organisation's table, so that subtracting one from the other is checked too.
PLACE_DIMENSIONS = ("business_unit", "country", "location")
DIMENSIONS = TABLE_DIMENSIONS + PLACE_DIMENSIONS
# (department, cohort, group, business unit, country, location): the finest group a
# respondent is in.
Cell = tuple[str, str, str, str, str, str]
Coordinates = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class GroupKey:
    """A group of one wave: the respondents whose cell has these coordinates and, for a
    manager's view, whose department is one of ``scope`` (department ids joined by commas)."""

    coordinates: Coordinates
    scope: str | None = None

    def order(self) -> tuple[str, list[tuple[str, str]]]:
        """A total order of groups, so every run decides in the same order."""
        return self.scope or "", sorted(self.coordinates)


def cell_of(
    department: int | None,
    cohort: int | None,
    group: object,
    business_unit: int | None = None,
    country: str | None = None,
    location: str | None = None,
) -> Cell:
    return (
        _coordinate(department),
        _coordinate(cohort),
        str(group),
        _coordinate(business_unit),
        _coordinate(country),
        _coordinate(location),
    )


def _coordinate(value: int | str | None) -> str:
    return NONE if value is None or value == "" else str(value)


PLACE_COLUMNS = (SurveyResponse.business_unit_id, SurveyResponse.country, SurveyResponse.location)


def scope_key(departments: Iterable[str]) -> str:
    return ",".join(sorted(departments, key=lambda d: (len(d), d)))


def answered(wave_ids: Sequence[int], family: str) -> dict[str, list[Cell | None]]:
    """Each pseudonym's cell in each of these waves in which it counts for the family
    (responded at all, or answered the dimension's items), None in the others."""
    if family == RESPONDENTS:
        statement = select(
            SurveyResponse.pseudonym,
            SurveyResponse.wave_id,
            SurveyResponse.department_id,
            SurveyResponse.cohort_id,
            type_coerce(SurveyResponse.group, String),
            *PLACE_COLUMNS,
        ).where(SurveyResponse.wave_id.in_(wave_ids))
    else:
        statement = (
            select(
                SurveyResponse.pseudonym,
                SurveyScore.wave_id,
                SurveyScore.department_id,
                SurveyScore.cohort_id,
                type_coerce(SurveyScore.group, String),
                *PLACE_COLUMNS,
            )
            .join(SurveyResponse, SurveyResponse.id == SurveyScore.response_id)
            .where(SurveyScore.wave_id.in_(wave_ids), SurveyScore.dimension == family)
        )
    position = {wave_id: index for index, wave_id in enumerate(wave_ids)}
    cells: dict[str, list[Cell | None]] = {}
    for pseudonym, wave_id, *coordinates in db.session.execute(statement):
        waves = cells.setdefault(pseudonym, [None] * len(wave_ids))
        waves[position[wave_id]] = cell_of(*coordinates)
    return cells


class Atoms:
    """People with the same cell in every wave, counted: the finest groups any combination
    of released figures can tell apart."""

    def __init__(self, cells: Mapping[str, Sequence[Cell | None]], waves: int) -> None:
        signatures = Counter(tuple(per_wave) for per_wave in cells.values())
        self.signatures = sorted(signatures, key=_signature_order)
        self.weights = [signatures[signature] for signature in self.signatures]
        self.waves = waves
        self._groups: dict[tuple[int, frozenset[str]], dict[GroupKey, frozenset[int]]] = {}

    def groups(self, wave: int, scopes: Iterable[str] = ()) -> dict[GroupKey, frozenset[int]]:
        """The atoms of every group of one wave (by its position in the series): each margin
        of the department × cohort × group table, and each scope × cohort × group."""
        key = (wave, frozenset(scopes))
        if key not in self._groups:
            self._groups[key] = self._grouped(wave, key[1])
        return self._groups[key]

    def _grouped(self, wave: int, scopes: Iterable[str]) -> dict[GroupKey, frozenset[int]]:
        by_cell: dict[Cell, list[int]] = defaultdict(list)
        for atom, signature in enumerate(self.signatures):
            if signature[wave] is not None:
                by_cell[signature[wave]].append(atom)
        scopes_of = scopes_by_department(scopes)
        members: dict[GroupKey, set[int]] = defaultdict(set)
        for cell, atoms in by_cell.items():
            for key in keys_of(cell, tuple(scopes_of.get(cell[0], ()))):
                members[key].update(atoms)
        return {key: frozenset(atoms) for key, atoms in members.items()}


def scopes_by_department(scopes: Iterable[str]) -> dict[str, list[str]]:
    """Each department → the manager scopes it is in."""
    scopes_of: dict[str, list[str]] = defaultdict(list)
    for scope in scopes:
        for department in scope.split(","):
            scopes_of[department].append(scope)
    return scopes_of


@cache
def keys_of(cell: Cell, scopes: tuple[str, ...]) -> list[GroupKey]:
    """Every group a respondent in this cell belongs to: each margin of the department ×
    cohort × group table, each place alone and with the group, and each scope narrowed by
    cohort and group."""
    pairs = list(zip(TABLE_DIMENSIONS, cell, strict=False))
    keys = [
        GroupKey(frozenset(kept))
        for size in range(len(pairs) + 1)
        for kept in combinations(pairs, size)
    ]
    status = pairs[2]
    for place in zip(PLACE_DIMENSIONS, cell[len(TABLE_DIMENSIONS) :], strict=True):
        keys += [GroupKey(frozenset({place})), GroupKey(frozenset({place, status}))]
    below = pairs[1:]  # a scope is narrowed by cohort and group, never by one department
    keys += [
        GroupKey(frozenset(kept), scope)
        for scope in scopes
        for size in range(len(below) + 1)
        for kept in combinations(below, size)
    ]
    return keys


def _signature_order(signature: tuple[Cell | None, ...]) -> tuple[tuple[int, Cell], ...]:
    # A fixed order of atoms (absent waves first) makes every decision reproducible.
    return tuple((0, ("",) * len(DIMENSIONS)) if cell is None else (1, cell) for cell in signature)
