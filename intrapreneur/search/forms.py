"""The search page's query and filters, read from the query string: a search is a link
anyone can keep or share (it shows each reader only what they may see)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import Form, SearchField, SelectChoice, SelectField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import SearchInput

from intrapreneur.core.forms import DayField, plausible_date
from intrapreneur.experiments.labels import DECISION_LABELS, EVIDENCE_LABELS
from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Department
from intrapreneur.search.models import Kind
from intrapreneur.search.queries import Filters
from intrapreneur.search.text import MAX_QUERY

KIND_LABELS = {
    Kind.LEARNING: _l("Learning cards"),
    Kind.EXPERIMENT: _l("Experiments"),
    Kind.VENTURE: _l("Ventures"),
    Kind.CHALLENGE: _l("Hot-seat challenges"),
    Kind.QUESTION: _l("Questions"),
    Kind.COMMITMENT: _l("Commitments"),
}
# One result's kind, in the singular (a label beside its title).
KIND_NAMES = {
    Kind.LEARNING: _l("Learning card"),
    Kind.EXPERIMENT: _l("Experiment"),
    Kind.VENTURE: _l("Venture"),
    Kind.CHALLENGE: _l("Hot-seat challenge"),
    Kind.QUESTION: _l("Question"),
    Kind.COMMITMENT: _l("Commitment"),
}


def _any(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Any")),
        *(SelectChoice(key.value, label) for key, label in labels.items()),
    ]


def _known_id(value: Any) -> int:
    """A select's id: 0 (any) for a missing or unreadable one, which then fails the choice."""
    try:
        return int(value) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return -1


class SearchForm(Form):
    # Longer text is cut to MAX_QUERY characters, and the page says so: nothing is refused.
    q = SearchField(_l("Search for"), widget=SearchInput(), render_kw={"maxlength": 2000})
    kind = SelectField(_l("Kind"), choices=_any(KIND_LABELS), default="")
    evidence = SelectField(_l("Evidence"), choices=_any(EVIDENCE_LABELS), default="")
    decision = SelectField(_l("Decision"), choices=_any(DECISION_LABELS), default="")
    since = DayField(_l("From"), validators=[Optional(), plausible_date], name="from")
    until = DayField(
        _l("To"),
        validators=[Optional(), plausible_date],
        description=_l("Both days included."),
        name="to",
    )
    department = SelectField(_l("Department"), coerce=_known_id, default=0)
    unit = SelectField(_l("Business unit"), coerce=_known_id, default=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.department.choices = [SelectChoice(0, _("Any")), *_departments()]
        self.unit.choices = [SelectChoice(0, _("Any")), *_units()]

    def validate_until(self, field: DayField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("The last day comes before the first."))

    def filters(self) -> Filters:
        return Filters(
            kind=Kind(self.kind.data) if self.kind.data else None,
            evidence=self.evidence.data or None,
            decision=self.decision.data or None,
            since=self.since.data,
            until=self.until.data,
            department_id=self.department.data or None,
            unit_id=self.unit.data or None,
        )

    def chosen(self) -> dict[str, str]:
        """The query and filters in use, as query-string arguments (for the pager)."""
        values = {
            "q": (self.q.data or "")[:MAX_QUERY],
            "kind": self.kind.data,
            "evidence": self.evidence.data,
            "decision": self.decision.data,
            "from": self.since.data.isoformat() if self.since.data else None,
            "to": self.until.data.isoformat() if self.until.data else None,
            "department": str(self.department.data) if self.department.data else None,
            "unit": str(self.unit.data) if self.unit.data else None,
        }
        return {name: value for name, value in values.items() if value}


def _departments() -> list[SelectChoice]:
    rows = db.session.execute(
        select(Department.id, Department.name, BusinessUnit.name)
        .outerjoin(BusinessUnit, BusinessUnit.id == Department.business_unit_id)
        .order_by(Department.name, BusinessUnit.name, Department.id)
    )
    return [SelectChoice(key, f"{name} ({unit})" if unit else name) for key, name, unit in rows]


def _units() -> list[SelectChoice]:
    rows = db.session.execute(
        select(BusinessUnit.id, BusinessUnit.name).order_by(BusinessUnit.name)
    )
    return [SelectChoice(key, name) for key, name in rows]
