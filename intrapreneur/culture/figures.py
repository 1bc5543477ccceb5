"""A published figure as views print it, and the names they print beside it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intrapreneur.core.i18n import page_locale
from intrapreneur.culture.ledger.people import (
    DIMENSIONS,
    NONE,
    PLACE_DIMENSIONS,
    TABLE_DIMENSIONS,
)
from intrapreneur.culture.ledger.waves import Band
from intrapreneur.culture.models import SurveyGroup
from intrapreneur.extensions import db
from intrapreneur.identity.countries import country_name
from intrapreneur.identity.models import BusinessUnit, Department, department_label
from intrapreneur.learning.models import Cohort, Programme

# Shared with the ledger, printed from here.
__all__ = ["DIMENSIONS", "NONE", "PLACE_DIMENSIONS", "TABLE_DIMENSIONS", "Band"]
ALL = _l("All")
NO_DEPARTMENT, NO_COHORT = _l("No department"), _l("No cohort")
GROUP_NAMES = {
    SurveyGroup.PARTICIPANT: _l("Participants"),
    SurveyGroup.COMPARISON: _l("Comparison group"),
}


@dataclass(frozen=True)
class Figure:
    """One group's figures as they may be printed."""

    group: dict[str, str]
    respondents: int | None  # None when hidden
    means: dict[str, float]  # dimension id -> mean score, where shown
    answers: dict[str, int]  # dimension id -> the answers its mean rests on, where shown
    hidden: bool  # the whole group is hidden: its count and every mean
    label: str | None  # what to print instead, when hidden (or "no responses")
    hidden_dimensions: frozenset[str] = frozenset()  # means hidden in a shown group

    def is_hidden(self, dimension: str) -> bool:
        return self.hidden or dimension in self.hidden_dimensions


def no_responses(coordinates: Mapping[str, str]) -> Figure:
    """The figure of a group nobody answered from."""
    return Figure(dict(coordinates), 0, {}, {}, False, no_responses_label())


def no_responses_label() -> str:
    """What a figure of a group nobody answered from reads."""
    return _("no responses")


def department_names(ids: set[str]) -> dict[str, str]:
    """Department coordinates → names with their business unit ("Finance (Retail)"); "No
    department" for respondents without one."""
    numbers = [int(d) for d in ids if d != NONE]
    found = {
        department_id: department_label(name, unit)
        for department_id, name, unit in db.session.execute(
            select(Department.id, Department.name, BusinessUnit.name)
            .outerjoin(BusinessUnit, BusinessUnit.id == Department.business_unit_id)
            .where(Department.id.in_(numbers))
        )
    }
    return {
        d: str(NO_DEPARTMENT) if d == NONE else found.get(int(d), _("Department %(id)s", id=d))
        for d in ids
    }


# What a place coordinate of respondents without one prints.
NO_PLACE = {
    "business_unit": _l("No business unit"),
    "country": _l("No country"),
    "location": _l("No location"),
}


def place_names(dimension: str, values: set[str]) -> dict[str, str]:
    """A place coordinate's values → names: business units by name, countries in the
    reader's language, locations as the directory spells them ("Berlin, DE")."""
    names: dict[str, str] = {}
    if dimension == "business_unit":
        numbers = [int(v) for v in values if v != NONE]
        names = {
            str(unit_id): name
            for unit_id, name in db.session.execute(
                select(BusinessUnit.id, BusinessUnit.name).where(BusinessUnit.id.in_(numbers))
            )
        }
    elif dimension == "country":
        names = {code: country_name(code, page_locale()) for code in values if code != NONE}
    return {v: str(NO_PLACE[dimension]) if v == NONE else names.get(v, v) for v in values}


def cohort_names(ids: set[str]) -> dict[str, str]:
    """Cohort coordinates → "Cohort (Programme)"; "No cohort" for the comparison group."""
    numbers = [int(c) for c in ids if c != NONE]
    found = db.session.execute(
        select(Cohort.id, Cohort.name, Programme.name)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Cohort.id.in_(numbers))
    ).all()
    names = {str(id_): f"{name} ({programme})" for id_, name, programme in found}
    return {c: str(NO_COHORT) if c == NONE else names.get(c, _("Cohort %(id)s", id=c)) for c in ids}


def group_name(status: str | None) -> str:
    return str(ALL if status is None else GROUP_NAMES[SurveyGroup(status)])
