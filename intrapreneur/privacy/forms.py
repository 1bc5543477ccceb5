"""The data-protection pages' forms: finding a person, and confirming their erasure."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from intrapreneur.core.forms import strip_whitespace
from intrapreneur.identity.models import Person


class PeopleSearchForm(Form):
    """The people list's search, read from the query string (no CSRF: it changes nothing)."""

    q = StringField(
        _l("Name, email address or username"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=254)],
    )


def confirmation_words(person: Person) -> list[str]:
    """What the administrator may type to confirm an erasure: the person's username or
    email address (a guest has no username), else their number."""
    return [login for login in (person.username, person.email) if login] or [str(person.id)]


class EraseForm(FlaskForm):
    """Erasure cannot be undone: the administrator types who they mean, so that a click on
    the wrong person's page erases nobody."""

    confirm = StringField(
        _l("Type their username or email address to confirm"),
        filters=[strip_whitespace],
        validators=[InputRequired()],
    )

    def __init__(self, person: Person | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Without a person (a form built to be checked on its own) nothing confirms.
        self.expected = [word.lower() for word in confirmation_words(person)] if person else []

    def validate_confirm(self, field: StringField) -> None:
        if (field.data or "").lower() not in self.expected:
            raise ValidationError(
                _("This is not their username or email address: nobody was erased.")
            )
