"""A published figure as views print it, and the names they print beside it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intrapreneur.culture.ledger.people import NONE, TABLE_DIMENSIONS
from intrapreneur.culture.ledger.waves import Band
from intrapreneur.culture.models import SurveyGroup
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from intrapreneur.learning.models import Cohort, Programme

__all__ = ["NONE", "TABLE_DIMENSIONS", "Band"]  # shared with the ledger, printed from here
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
    """Department coordinates → names; "No department" for respondents without one."""
    numbers = [int(d) for d in ids if d != NONE]
    found = dict(
        db.session.execute(
            select(Department.id, Department.name).where(Department.id.in_(numbers))
        ).all()
    )
    return {
        d: str(NO_DEPARTMENT) if d == NONE else found.get(int(d), _("Department %(id)s", id=d))
        for d in ids
    }


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
