"""Counts of people by business unit, country and location through the anonymity rules.

Behaviour and set-health figures (participants, attendance) split by place come here as the
counts of their finest cells, every combination of the three (a country's sites and a
unit's countries then sit in one table, so that subtracting one from another is checked),
and leave as what each place's figure may show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import ngettext

from intrapreneur.core.dates import percent_text
from intrapreneur.culture.anonymity import Cell, Rules, suppress
from intrapreneur.culture.figures import NONE, PLACE_DIMENSIONS, place_names
from intrapreneur.identity.models import PlaceKey
from intrapreneur.learning import queries as learning


@dataclass(frozen=True)
class PlaceFigure:
    """One value of a place dimension: its name, people counted, and whether it is hidden."""

    value: str
    name: str
    people: int | None  # None when hidden
    hidden: bool
    label: str | None  # what to print instead, when hidden


def by_place(finest: Mapping[PlaceKey, int], rules: Rules) -> dict[str, list[PlaceFigure]]:
    """Per place dimension, its values by name ("none" last) as they may be shown."""
    cells = [Cell(coordinates(key), count) for key, count in finest.items()]
    margins: dict[tuple[str, str], int] = {}
    for key, count in finest.items():
        for dimension, value in coordinates(key).items():
            margins[dimension, value] = margins.get((dimension, value), 0) + count
    cells += [Cell({dimension: value}, count) for (dimension, value), count in margins.items()]
    cells.append(Cell({}, sum(finest.values())))
    shown = {
        next(iter(cell.group.items())): cell
        for cell in suppress(cells, rules)
        if len(cell.group) == 1
    }
    tables = {}
    for dimension in PLACE_DIMENSIONS:
        values = {value for (d, value) in shown if d == dimension}
        named = place_names(dimension, values)
        ordered = sorted(values, key=lambda v: (v == NONE, named[v].casefold()))
        tables[dimension] = [
            PlaceFigure(v, named[v], cell.count, cell.hidden, cell.reason)
            for v in ordered
            if (cell := shown[dimension, v])
        ]
    return tables


def coordinates(key: PlaceKey) -> dict[str, str]:
    return {d: NONE if v is None else v for d, v in zip(PLACE_DIMENSIONS, key, strict=True)}


def hidden_cells_text(hidden: int, total: int) -> str:
    """How much a table by place hides: more dimensions, more suppression, said openly."""
    return ngettext(
        "%(num)d of %(total)d cells is hidden to protect small groups.",
        "%(num)d of %(total)d cells are hidden to protect small groups.",
        hidden,
        total=total,
    )


@dataclass(frozen=True)
class PlaceRates:
    """A rate per value of one place dimension, as printed, and how many are hidden."""

    dimension: str
    rows: list[tuple[str, str]]  # name, "83.3%" or the hidden text
    hidden: int

    @property
    def hidden_text(self) -> str:
        return hidden_cells_text(self.hidden, len(self.rows))


def attendance_rates(set_ids: list[int], now: datetime, rules: Rules) -> list[PlaceRates]:
    """The attendance rate of these sets' registers per business unit, country and location:
    shown where the anonymity rules show the number of people the rate rests on."""
    registers = learning.attendance_by_place(set_ids, now)
    tables = by_place({key: found.people for key, found in registers.items()}, rules)
    rates = []
    for dimension, figures in tables.items():
        rows = []
        for figure in figures:
            if figure.hidden:
                rows.append((figure.name, figure.label or ""))
                continue
            inside = [r for k, r in registers.items() if coordinates(k)[dimension] == figure.value]
            present = sum(r.present for r in inside)
            on_register = sum(r.on_register for r in inside)
            rows.append((figure.name, percent_text(present / on_register, digits=1)))
        rates.append(PlaceRates(dimension, rows, sum(f.hidden for f in figures)))
    return rates
