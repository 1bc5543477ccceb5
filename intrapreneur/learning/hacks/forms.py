"""Input shapes: a Hack request, and the entrepreneur's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from intrapreneur.learning.hacks.services import MESSAGE_LENGTH, REASON_LENGTH

TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class HackRequestForm(FlaskForm):
    entrepreneur_id = SelectField(
        _l("Entrepreneur"),
        coerce=int,
        validate_choice=False,  # one whose access has ended is refused with the reason
        validators=[DataRequired(message=_l("Choose whom to ask."))],
    )
    tag_id = SelectField(
        _l("Expertise you need"),
        coerce=int,
        validate_choice=False,
        description=_l("One of the entrepreneur's fields (optional)."),
    )
    first = DateTimeLocalField(_l("First proposed time"), format=TIME_FORMATS)
    second = DateTimeLocalField(
        _l("Second proposed time"), format=TIME_FORMATS, validators=[Optional()]
    )
    third = DateTimeLocalField(
        _l("Third proposed time"), format=TIME_FORMATS, validators=[Optional()]
    )
    message = TextAreaField(
        _l("Message"),
        validators=[Length(max=MESSAGE_LENGTH)],
        description=_l("What you hope to get out of the Hack."),
    )

    def proposed(self) -> list:  # type: ignore[type-arg]
        return [field.data for field in (self.first, self.second, self.third) if field.data]


class AcceptForm(FlaskForm):
    proposed_id = RadioField(
        _l("Time"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose one of the times proposed."))],
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Length(max=REASON_LENGTH)],
        description=_l("The requester reads it."),
    )
