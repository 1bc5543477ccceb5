"""The library's filters, read from the query string so a filtered library is a link to keep."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from intrapreneur.core.forms import PeriodFilter
from intrapreneur.experiments.forms import ASSUMPTION_CHOICES, EVIDENCE_CHOICES
from intrapreneur.experiments.labels import DECISION_LABELS
from intrapreneur.experiments.models import Decision

ANY = SelectChoice("", _l("Any"))


class LibraryFilterForm(PeriodFilter):
    """``department.choices`` and ``business_unit.choices`` are those of the reader's entries;
    the period (from, to) is when the experiment was decided."""

    assumption = SelectField(
        _l("Riskiest assumption"), choices=[ANY, *ASSUMPTION_CHOICES], default=""
    )
    decision = SelectField(_l("Decision"), default="")
    evidence = SelectField(
        _l("Evidence"),
        choices=[ANY, *EVIDENCE_CHOICES],
        default="",
        description=_l("Of the experiment's result, weakest to strongest."),
    )
    department = SelectField(
        _l("Department"), coerce=int, default=0, description=_l("Of the card's owner.")
    )
    business_unit = SelectField(
        _l("Business unit"), coerce=int, default=0, description=_l("Of the card's owner.")
    )

    def offer(self, departments: list[tuple[int, str]], units: list[tuple[int, str]]) -> None:
        decisions = [SelectChoice(d.value, str(DECISION_LABELS[d]).capitalize()) for d in Decision]
        self.decision.choices = [SelectChoice("", _("Any")), *decisions]
        self.department.choices = [SelectChoice(0, _("Any")), *departments]
        self.business_unit.choices = [SelectChoice(0, _("Any")), *units]

    def chosen(self) -> dict[str, str]:
        """The filters in use, as query-string arguments (the pager and the group links)."""
        values = {
            "assumption": self.assumption.data,
            "decision": self.decision.data,
            "evidence": self.evidence.data,
            "department": str(self.department.data) if self.department.data else "",
            "business_unit": str(self.business_unit.data) if self.business_unit.data else "",
            **self.chosen_period(),
        }
        return {name: value for name, value in values.items() if value}
