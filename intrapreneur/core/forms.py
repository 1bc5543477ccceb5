"""Form helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, Form, IntegerField, SelectChoice
from wtforms.fields.core import Field
from wtforms.validators import InputRequired, ValidationError
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
        raise ValidationError(f"Enter a date from {EARLIEST_DATE.year} to {LATEST_DATE.year}.")


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
