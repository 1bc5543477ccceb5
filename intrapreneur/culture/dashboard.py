"""The survey figures every view may show: dashboards, exports, the impact page and the API
read them from here and nowhere else.

They are the closed waves' releases, each decided once by the ledger against everything
released of earlier waves to anyone, and kept (``published``). A wave that has closed but
is not published yet shows nothing until the background job has published it: figures
decided per request could differ between two views and be subtracted from each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intrapreneur.culture import published
from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.ledger.people import scope_key
from intrapreneur.culture.models import PrivacyRules, SurveyWave
from intrapreneur.culture.published import StoredFigures
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people


def rules_in_force() -> Rules:
    """The minimum group sizes an admin set, or the defaults (5, and 10 for comments)."""
    stored = db.session.scalar(select(PrivacyRules).limit(1))
    if stored is None:
        return Rules()
    return Rules(k=stored.min_group, comment_k=stored.min_group_comments)


NOT_PUBLISHED_YET = _l(
    "The figures of this survey wave are being published (a background job, usually a minute "
    "or two after it closed). Try again shortly."
)


class NotPublishedYet(LookupError):
    """A closed wave whose release the background job has not made yet."""


def wave_figures(waves: Sequence[SurveyWave], rules: Rules) -> list[StoredFigures]:
    """The published figures of these waves, which must be all waves from the first, in
    order: as far as they are published with these rules (the rest are not shown yet)."""
    return published.stored_series(waves, rules)


def all_published(waves: Sequence[SurveyWave], rules: Rules) -> list[StoredFigures]:
    """The published figures of every one of these waves; ``NotPublishedYet`` if one has
    none yet."""
    figures = wave_figures(waves, rules)
    if len(figures) < len(waves):
        raise NotPublishedYet(str(NOT_PUBLISHED_YET))
    return figures


def departments_managed_by(manager_id: int) -> set[str]:
    """A manager's own organisation for the dashboards: the departments their reports, at
    any depth, work in (responses carry a department, never a person)."""
    below = people.reports_of(manager_id)
    return {str(person.department_id) for person in below if person.department_id is not None}


def manager_scopes() -> set[str]:
    """Every manager's departments as a scope key (the departments of everyone below them,
    at any depth): the views the ledger decides with the organisation's figures. One query,
    then every chain walked upwards in memory; a cycle in the directory's data ends a walk."""
    lines = people.reporting_lines()
    manager_of = {person_id: manager_id for person_id, manager_id, _ in lines}
    scopes: dict[int, set[str]] = {}
    for person_id, manager_id, department_id in lines:
        seen = {person_id}
        while department_id is not None and manager_id is not None and manager_id not in seen:
            scopes.setdefault(manager_id, set()).add(str(department_id))
            seen.add(manager_id)
            manager_id = manager_of.get(manager_id)
    return {scope_key(departments) for departments in scopes.values()}
