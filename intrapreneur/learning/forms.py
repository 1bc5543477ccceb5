"""Input shape for programmes, cohorts and enrolment decisions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

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
