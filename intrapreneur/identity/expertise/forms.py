"""Input shapes: a tag's name, a person's profile (bio, tags, weekly windows), the finder's
filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from babel.dates import get_day_names
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intrapreneur.core.dates import formatting_locale
from intrapreneur.core.forms import plausible_date, strip_whitespace
from intrapreneur.identity.expertise.services import BIO_LENGTH, Window

WINDOW_ROWS = 7  # free rows shown: enough for one window a day


def weekday_names() -> list[str]:
    """Monday first, in the reader's language."""
    names = get_day_names("wide", locale=formatting_locale())
    return [names[day] for day in range(7)]


class TagForm(FlaskForm):
    name = StringField(
        _l("Tag"),
        validators=[DataRequired(message=_l("Give the tag a name.")), Length(max=80)],
        filters=[strip_whitespace],
        description=_l("A field of expertise, e.g. “Pricing” or “B2B sales”."),
    )


class WindowForm(Form):
    """One weekly window (a sub-form); a row without a day is ignored."""

    weekday = SelectField(_l("Day"), validate_choice=False)
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("Until"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weekday.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(day), name) for day, name in enumerate(weekday_names())
        ]

    @property
    def is_blank(self) -> bool:
        return not self.weekday.data

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        super().validate(extra_validators)
        if self.is_blank:
            return True
        if self.weekday.data not in {str(day) for day in range(7)}:
            self.weekday.errors.append(_("Choose a day of the week."))
        if self.start.data is None:
            self.start.errors.append(_("Give the time the window opens."))
        if self.end.data is None:
            self.end.errors.append(_("Give the time the window closes."))
        elif self.start.data is not None and self.end.data <= self.start.data:
            self.end.errors.append(_("The window must close after it opens, on the same day."))
        return not self.errors


class ProfileForm(FlaskForm):
    bio = TextAreaField(
        _l("Short bio"),
        validators=[Length(max=BIO_LENGTH)],
        description=_l(
            "What you have built and what you can help with. Markdown: **bold**, lists, links."
        ),
    )
    tag_ids = SelectMultipleField(
        _l("Your expertise"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("Tags from HR's vocabulary: employees find you by them."),
    )
    windows = FieldList(FormField(WindowForm), min_entries=WINDOW_ROWS, max_entries=14)

    def filled_windows(self) -> list[Window]:
        return [
            Window(
                int(row.weekday.data),
                row.start.data.hour * 60 + row.start.data.minute,
                _minute_of(row.end.data),
            )
            for row in (entry.form for entry in self.windows)
            if not row.is_blank
        ]


def _minute_of(moment: Any) -> int:
    # 00:00 as an end means midnight, the end of the day.
    minute = moment.hour * 60 + moment.minute
    return minute or 24 * 60


class FinderForm(FlaskForm):
    """The finder's filters, read from the query string (no CSRF: nothing changes)."""

    class Meta:
        csrf = False

    tag = SelectField(_l("Expertise"), validate_choice=False)
    when = SelectField(
        _l("Available"),
        choices=[
            SelectChoice("", _l("Any time")),
            SelectChoice("now", _l("Now")),
            SelectChoice("period", _l("Some time in these days")),
        ],
    )
    first = DateField(_l("From"), validators=[Optional(), plausible_date])
    last = DateField(_l("Until"), validators=[Optional(), plausible_date])
