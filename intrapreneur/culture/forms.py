"""Input shape for survey waves and the questionnaire."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from intrapreneur.core.forms import plausible_date, strip_whitespace
from intrapreneur.culture.instruments import Instrument

MAX_COMMENT_LENGTH = 2000
SKIP = ""  # the "prefer not to answer" choice


class WaveForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip_whitespace],
        description=_l("What invitees see, e.g. “Culture pulse, spring 2027”."),
    )
    instrument = SelectField(
        _l("Instrument"),
        validators=[DataRequired()],
        description=_l(
            "The questionnaire and its version; the wave keeps this version. Its texts must "
            "be written in every language the invitees read."
        ),
    )
    cohort_ids = SelectMultipleField(
        _l("Cohorts"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one cohort."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l(
            "Their accepted participants are invited, with as many non-participants "
            "per department as a comparison group."
        ),
    )
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(), plausible_date])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired(), plausible_date])
    seed = IntegerField(
        _l("Seed"),
        default=1,
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
        description=_l(
            "The same people and seed draw the same comparison group; keep the seed "
            "across waves to ask the same people again."
        ),
    )

    def validate_closes_on(self, field: DateField) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_("The survey must close on or after the day it opens."))


def item_field_name(item_id: str) -> str:
    # Prefixed so that no item id can collide with "comment" or "csrf_token".
    return f"item-{item_id}"


class AnswerForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=MAX_COMMENT_LENGTH)],
        description=_l(
            "Comments are shown to HR only for groups of at least 10 people and are "
            "never exported. Leave out names and anything that points to you or a colleague."
        ),
    )


def answer_form(instrument: Instrument) -> AnswerForm:
    """A form with one group of radio buttons per item, labelled with the scale's labels."""

    class InstrumentAnswerForm(AnswerForm):
        pass

    scale = range(instrument.scale_min, instrument.scale_max + 1)
    choices = [SelectChoice(str(point), instrument.scale_labels.get(point)) for point in scale]
    for item in instrument.items:
        setattr(
            InstrumentAnswerForm,
            item_field_name(item.id),
            # Skipping is the starting point, so an item left alone counts as not answered.
            RadioField(
                item.text,
                choices=[*choices, SelectChoice(SKIP, _("Prefer not to answer"))],
                default=SKIP,
            ),
        )
    return InstrumentAnswerForm()


def answers_of(form: AnswerForm, instrument: Instrument) -> dict[str, int]:
    """The chosen points by item id; skipped and unanswered items are left out."""
    answers: dict[str, int] = {}
    for item in instrument.items:
        value = form[item_field_name(item.id)].data
        if value not in (None, SKIP):
            answers[item.id] = int(value)
    return answers


class PrivacyRulesForm(FlaskForm):
    min_group = IntegerField(
        _l("Minimum respondents behind a figure"),
        validators=[InputRequired(), NumberRange(min=3, max=50)],
        description=_l(
            "5 unless there is a reason; 3 or 4 only for a small organisation, and "
            "the change is written to the audit log."
        ),
    )
    min_group_comments = IntegerField(
        _l("Minimum respondents behind shown comments"),
        validators=[InputRequired(), NumberRange(min=3, max=100)],
        description=_l("10 unless there is a reason; never below the minimum for figures."),
    )
