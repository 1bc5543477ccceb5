"""The portfolio's filters, read from the query string (no CSRF: they change nothing), so a
filtered portfolio can be bookmarked, printed and exported with the same address."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectChoice, SelectField
from wtforms.validators import Optional, ValidationError

from intrapreneur.core.dates import day_text
from intrapreneur.experiments.portfolio.figures import PortfolioFilters

EVERY = 0


class PortfolioForm(Form):
    cohort = SelectField(
        _l("Cohort"),
        coerce=int,
        default=EVERY,
        description=_l("Ventures started by someone accepted into this cohort."),
    )
    business_unit = SelectField(
        _l("Business unit"),
        coerce=int,
        default=EVERY,
        description=_l("Ventures started by someone who works in this unit."),
    )
    since = DateField(
        _l("From"),
        validators=[Optional()],
        description=_l("Requests, approvals, decisions and reviews from this day on (UTC)."),
    )
    until = DateField(
        _l("To"),
        validators=[Optional()],
        description=_l("…up to and including this day; empty for up to today."),
    )

    def __init__(
        self,
        *args: Any,
        cohorts: list[tuple[int, str]],
        units: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cohort.choices = [
            SelectChoice(EVERY, _("Every cohort")),
            *(SelectChoice(key, name) for key, name in cohorts),
        ]
        self.business_unit.choices = [
            SelectChoice(EVERY, _("Every business unit")),
            *(SelectChoice(key, name) for key, name in units),
        ]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("The period must end on or after the day it starts."))

    def described(self) -> list[tuple[str, str]]:
        """The choices as a printout names them: (filter, chosen)."""
        return [
            (str(self.cohort.label.text), _chosen(self.cohort)),
            (str(self.business_unit.label.text), _chosen(self.business_unit)),
            (str(self.since.label.text), day_text(self.since.data) or _("the first record")),
            (str(self.until.label.text), day_text(self.until.data) or _("today")),
        ]

    @property
    def filters(self) -> PortfolioFilters:
        return PortfolioFilters(
            cohort_id=self.cohort.data or None,
            business_unit_id=self.business_unit.data or None,
            since=self.since.data,
            until=self.until.data,
        )


def _chosen(field: SelectField) -> str:
    return next((str(c.label) for c in field.choices if c.value == field.data), "")
