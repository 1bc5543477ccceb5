"""Form helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    Form,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.fields.core import Field
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

if TYPE_CHECKING:
    from intrapreneur.identity.models import Person


def strip_whitespace(value: str | None) -> str | None:
    """WTForms filter: people paste names and addresses with stray spaces."""
    return value.strip() if isinstance(value, str) else value


def person_choices(
    people: Iterable[Person],
    label: Callable[[Person], str] = attrgetter("display_name"),
    *,
    nobody: str | None = None,
) -> list[SelectChoice]:
    """Options for a select of people; ``nobody`` adds a first "no one" option (value 0)."""
    options = [SelectChoice(0, nobody)] if nobody else []
    return options + [SelectChoice(person.id, label(person)) for person in people]


# The largest id an INTEGER key holds: a larger one names nothing, and SQLite cannot even look
# it up (an overflow, not a miss).
MAX_ID = 2**31 - 1


# Far outside these years a date is a slip of the keyboard, and the calendar arithmetic done
# with it (a series of sessions, a time zone's offset) overflows Python's years 1 and 9999.
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def plausible_date(form: Form, field: Field) -> None:
    """WTForms validator: a date from 1970 to 2099 (an empty field is for other validators)."""
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            _(
                "Enter a date from %(first)s to %(last)s.",
                first=EARLIEST_DATE.year,
                last=LATEST_DATE.year,
            )
        )


class FiniteDecimalField(DecimalField):
    """A decimal that reads "NaN" and "Infinity" as what they are: not an amount. (WTForms
    lets them through, and a signalling NaN then breaks the range check itself.)"""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if valuelist and self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class VersionedForm(FlaskForm):
    """Carries the version of the record the editor saw, so a stale save is refused, not
    lost (the models' version column makes a concurrent save fail in the database too)."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class DayField(DateField):
    """A date whose unreadable value says how to write one (a browser's date picker sends
    that form; a hand-edited URL may not)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD, e.g. 2027-01-31.")) from None


class PeriodFilter(Form):
    """Two days bounding a filtered list (the audit log, the learning library), both included;
    either may stay empty. The page turns them into moments in its reader's zone."""

    since = DayField(_l("From"), validators=[Optional(), plausible_date])
    until = DayField(
        _l("To"), validators=[Optional(), plausible_date], description=_l("Both days included.")
    )

    def validate_until(self, field: DayField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("Choose a day on or after the “From” day."))

    def chosen_period(self) -> dict[str, str | None]:
        return {
            "since": self.since.data.isoformat() if self.since.data else None,
            "until": self.until.data.isoformat() if self.until.data else None,
        }


class AuditFilterForm(PeriodFilter):
    """The audit log's filters, read from the query string: a filtered view (and its export)
    is a link an admin can keep. ``action.choices`` are the kinds of event recorded."""

    person = StringField(
        _l("Person"),
        validators=[Length(max=200)],
        filters=[strip_whitespace],
        description=_l("A name, username or person id: what they did, and what was done to them."),
    )
    action = SelectField(_l("Kind of event"), default="")

    def validate_person(self, field: StringField) -> None:
        if (
            field.data
            and field.data.isascii()
            and field.data.isdigit()
            and int(field.data) > MAX_ID
        ):
            raise ValidationError(_("No person has an id that large."))

    def chosen(self) -> dict[str, str]:
        """The filters in use, as query-string arguments (for the pager and the export)."""
        values = {
            "person": self.person.data,
            "action": self.action.data,
            **self.chosen_period(),
        }
        return {name: value for name, value in values.items() if value}
