"""Input shape for ventures, their cards, moves, learning cards and board filters."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from intrapreneur.core.forms import (
    FiniteDecimalField,
    VersionedForm,
    plausible_date,
    strip_whitespace,
)

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_COST = 10_000_000
MAX_DAYS = 1000


def _title(label: LazyString) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=_l("Give it a title.")),
            Length(max=MAX_TITLE, message=_l("A title has at most %(max)d characters.")),
        ],
        filters=[strip_whitespace],
        default="",
    )


def _text(label: LazyString, description: LazyString | str = "") -> TextAreaField:
    """Free text in Markdown, limited so that one card cannot swamp a page or an export."""
    return TextAreaField(
        label,
        validators=[
            Length(
                max=MAX_TEXT,
                message=_l("This is limited to %(max)d characters; shorten it and save again."),
            )
        ],
        filters=[strip_whitespace],
        description=description,
        default="",  # a field left out of the request is empty text, never None
    )


STAGE_CHOICES = [
    SelectChoice("idea", _l("Idea")),
    SelectChoice("problem", _l("Problem: is it real, and for whom?")),
    SelectChoice("solution", _l("Solution: does it solve the problem?")),
    SelectChoice("business", _l("Business: will it pay, can we deliver it?")),
    SelectChoice("scale", _l("Scale")),
]
VISIBILITY_CHOICES = [
    SelectChoice("private", _l("Private: the team (and their managers)")),
    SelectChoice("sets", _l("Shared with our sets: also the sets it is shared into")),
    SelectChoice("organisation", _l("Organisation: every employee (guests only through a set)")),
]
ASSUMPTION_CHOICES = [
    SelectChoice("desirability", _l("Desirability: do they want it?")),
    SelectChoice("feasibility", _l("Feasibility: can we build and deliver it?")),
    SelectChoice("viability", _l("Viability: does it pay?")),
]
# Ordered by strength, weakest first.
EVIDENCE_CHOICES = [
    SelectChoice("say", _l("What people say (weakest)")),
    SelectChoice("do", _l("What people do (stronger)")),
    SelectChoice("pay", _l("What people pay (strongest)")),
]
COLUMN_CHOICES = [
    SelectChoice("backlog", _l("Backlog")),
    SelectChoice("designing", _l("Designing")),
    SelectChoice("running", _l("Running")),
    SelectChoice("analysing", _l("Analysing")),
    SelectChoice("decided", _l("Decided")),
]
DECISION_CHOICES = [
    SelectChoice("persevere", _l("Persevere: keep going")),
    SelectChoice("pivot", _l("Pivot: change course (starts a follow-up card)")),
    SelectChoice("kill", _l("Kill: stop here")),
    SelectChoice("test_again", _l("Test again (starts a follow-up card)")),
]
TEAM_ROLE_CHOICES = [
    SelectChoice("member", _l("Member: works on the cards")),
    SelectChoice("owner", _l("Owner: also runs the venture's settings")),
]


class VentureForm(FlaskForm):
    title = _title(_l("Title"))
    problem = _text(_l("Problem"), _l("Whose problem, and why it matters. Markdown allowed."))
    customer = _text(
        _l("Customer"), _l("Who has the problem and would pay for it solved. Markdown.")
    )
    stage = SelectField(_l("Stage"), choices=STAGE_CHOICES)
    visibility = SelectField(_l("Who can see it"), choices=VISIBILITY_CHOICES)


class VentureSettingsForm(VentureForm, VersionedForm):
    pass


class CardForm(FlaskForm):
    """A test card; ``version`` is only checked when an existing card is edited."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    title = _title(_l("Title"))
    hypothesis = _text(_l("Hypothesis"), _l("We believe that…"))
    assumption = SelectField(_l("Riskiest assumption it tests"), choices=ASSUMPTION_CHOICES)
    test = _text(_l("Test"), _l("To verify that, we will…"))
    metric = _text(_l("Metric"), _l("and measure…"))
    success_criterion = _text(_l("Success criterion"), _l("We are right if…"))
    starts_on = DateField(_l("Starts on"), validators=[Optional(), plausible_date])
    ends_on = DateField(_l("Ends on"), validators=[Optional(), plausible_date])
    cost_requested = FiniteDecimalField(
        _l("Money requested"),
        places=2,
        default=0,
        validators=[
            InputRequired(message=_l("Enter an amount (0 for none).")),
            NumberRange(min=0, max=MAX_COST, message=_l("Between 0 and %(max)s.")),
        ],
    )
    days_requested = FiniteDecimalField(
        _l("Person-days requested"),
        places=1,
        default=0,
        validators=[
            InputRequired(message=_l("Enter a number of days (0 for none).")),
            NumberRange(min=0, max=MAX_DAYS, message=_l("Between 0 and %(max)s days.")),
        ],
    )
    evidence = SelectField(_l("Evidence it will give"), choices=EVIDENCE_CHOICES)
    owner_id = SelectField(_l("Owner"), coerce=int, validators=[InputRequired()])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The time box must end on or after its first day."))


class MoveCardForm(VersionedForm):
    column = SelectField(_l("Move to"), choices=COLUMN_CHOICES)
    back = StringField(widget=HiddenInput(), validators=[Length(max=2000)])


class LearningCardForm(VersionedForm):
    observation = _text(_l("What we observed"))
    learning = _text(_l("What we learned"))
    evidence_data = _text(
        _l("Evidence (data points)"), _l("Numbers, quotes, orders: what the test gave.")
    )
    decision = SelectField(_l("Decision"), choices=DECISION_CHOICES)


class TeamMemberForm(FlaskForm):
    email = StringField(
        _l("Email or username"),
        validators=[DataRequired(message=_l("Whom should we add?")), Length(max=254)],
        filters=[strip_whitespace],
        description=_l("Anyone with an active account: colleagues or guest entrepreneurs."),
    )
    role = SelectField(_l("Role"), choices=TEAM_ROLE_CHOICES)


class ShareForm(FlaskForm):
    set_ids = SelectMultipleField(
        _l("Share into these sets"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l(
            "Sets you are in or facilitate now. Its visibility must be "
            "“Shared with our sets” for their members to see it."
        ),
    )


class BoardFilterForm(Form):
    """The board's filters, read from the query string so a filtered board can be bookmarked."""

    owner = SelectField(_l("Owner"), coerce=int, default=0)
    column = SelectField(
        _l("Column"), choices=[SelectChoice("", _l("Any")), *COLUMN_CHOICES], default=""
    )
    assumption = SelectField(
        _l("Assumption"), choices=[SelectChoice("", _l("Any")), *ASSUMPTION_CHOICES], default=""
    )
    overdue = BooleanField(_l("Overdue only"))
    awaiting = BooleanField(_l("Awaiting review only"))
