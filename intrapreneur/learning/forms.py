"""Input shape for programmes, cohorts and enrolment decisions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from intrapreneur.core.forms import strip_whitespace


class ProgrammeForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    description = TextAreaField(
        "Description",
        validators=[Length(max=5000)],
        description="What the programme is for and who it is meant for.",
    )


class CohortForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    starts_on = DateField("Starts on", validators=[InputRequired()])
    ends_on = DateField("Ends on", validators=[InputRequired()])
    capacity = IntegerField(
        "Places",
        validators=[InputRequired(), NumberRange(min=1, max=2000)],
        description="How many participants the cohort accepts.",
    )
    enrolment_open = BooleanField("Open for employees to request a place")

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The cohort must end on or after its first day.")


class ActionForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions (join, accept, decline)."""


FORMAT_CHOICES = [
    SelectChoice("power_hour", "Power Hour (one hot seat, 60 min)"),
    SelectChoice("mastermind", "Mastermind (a hot seat per member)"),
    SelectChoice("hack", "Hack (timed group sprint on one problem)"),
    SelectChoice("enablement", "Enablement (skills session)"),
]


class SetForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    facilitator_id = SelectField("Facilitator", coerce=int, validators=[InputRequired()])
    default_format = SelectField("Usual format", choices=FORMAT_CHOICES)
    cadence_days = IntegerField(
        "Meets every (days)",
        default=14,
        validators=[InputRequired(), NumberRange(min=1, max=90)],
        description="Used to schedule a series of sessions.",
    )


class AddMemberForm(FlaskForm):
    person_id = SelectField("Person", coerce=int, validators=[InputRequired()])


class ScheduleForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired()])
    start = TimeField("Starts at", validators=[InputRequired()])
    session_format = SelectField("Format", choices=FORMAT_CHOICES)
    count = IntegerField(
        "Number of sessions",
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=20)],
        description="More than one schedules a series at the set's usual interval.",
    )
    location = StringField(
        "Place", validators=[Optional(), Length(max=300)], filters=[strip_whitespace]
    )
    video_url = URLField(
        "Video link",
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
        filters=[strip_whitespace],
    )
