"""Input shape for ventures, their cards, moves, learning cards and board filters."""

from __future__ import annotations

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


def _title(label: str, description: str = "") -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message="Give it a title."),
            Length(max=MAX_TITLE, message="A title has at most %(max)d characters."),
        ],
        filters=[strip_whitespace],
        description=description,
        default="",
    )


def _text(label: str, description: str = "") -> TextAreaField:
    """Free text in Markdown, limited so that one card cannot swamp a page or an export."""
    return TextAreaField(
        label,
        validators=[
            Length(
                max=MAX_TEXT,
                message="This is limited to %(max)d characters; shorten it and save again.",
            )
        ],
        filters=[strip_whitespace],
        description=description,
        default="",  # a field left out of the request is empty text, never None
    )


STAGE_CHOICES = [
    SelectChoice("idea", "Idea"),
    SelectChoice("problem", "Problem: is it real, and for whom?"),
    SelectChoice("solution", "Solution: does it solve the problem?"),
    SelectChoice("business", "Business: will it pay, can we deliver it?"),
    SelectChoice("scale", "Scale"),
]
VISIBILITY_CHOICES = [
    SelectChoice("private", "Private: the team (and their managers)"),
    SelectChoice("sets", "Shared with our sets: also the sets it is shared into"),
    SelectChoice("organisation", "Organisation: every employee (guests only through a set)"),
]
ASSUMPTION_CHOICES = [
    SelectChoice("desirability", "Desirability: do they want it?"),
    SelectChoice("feasibility", "Feasibility: can we build and deliver it?"),
    SelectChoice("viability", "Viability: does it pay?"),
]
# Ordered by strength, weakest first.
EVIDENCE_CHOICES = [
    SelectChoice("say", "What people say (weakest)"),
    SelectChoice("do", "What people do (stronger)"),
    SelectChoice("pay", "What people pay (strongest)"),
]
COLUMN_CHOICES = [
    SelectChoice("backlog", "Backlog"),
    SelectChoice("designing", "Designing"),
    SelectChoice("running", "Running"),
    SelectChoice("analysing", "Analysing"),
    SelectChoice("decided", "Decided"),
]
DECISION_CHOICES = [
    SelectChoice("persevere", "Persevere: keep going"),
    SelectChoice("pivot", "Pivot: change course (starts a follow-up card)"),
    SelectChoice("kill", "Kill: stop here"),
    SelectChoice("test_again", "Test again (starts a follow-up card)"),
]
TEAM_ROLE_CHOICES = [
    SelectChoice("member", "Member: works on the cards"),
    SelectChoice("owner", "Owner: also runs the venture's settings"),
]


class VentureForm(FlaskForm):
    title = _title("Title")
    problem = _text("Problem", "Whose problem, and why it matters. Markdown allowed.")
    customer = _text("Customer", "Who has the problem and would pay for it solved. Markdown.")
    stage = SelectField("Stage", choices=STAGE_CHOICES)
    visibility = SelectField("Who can see it", choices=VISIBILITY_CHOICES)


class VentureSettingsForm(VentureForm, VersionedForm):
    pass


class CardForm(FlaskForm):
    """A test card; ``version`` is only checked when an existing card is edited."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    title = _title("Title")
    hypothesis = _text("Hypothesis", "We believe that…")
    assumption = SelectField("Riskiest assumption it tests", choices=ASSUMPTION_CHOICES)
    test = _text("Test", "To verify that, we will…")
    metric = _text("Metric", "and measure…")
    success_criterion = _text("Success criterion", "We are right if…")
    starts_on = DateField("Starts on", validators=[Optional(), plausible_date])
    ends_on = DateField("Ends on", validators=[Optional(), plausible_date])
    cost_requested = FiniteDecimalField(
        "Money requested",
        places=2,
        default=0,
        validators=[
            InputRequired(message="Enter an amount (0 for none)."),
            NumberRange(min=0, max=MAX_COST, message="Between 0 and %(max)s."),
        ],
    )
    days_requested = FiniteDecimalField(
        "Person-days requested",
        places=1,
        default=0,
        validators=[
            InputRequired(message="Enter a number of days (0 for none)."),
            NumberRange(min=0, max=MAX_DAYS, message="Between 0 and %(max)s days."),
        ],
    )
    evidence = SelectField("Evidence it will give", choices=EVIDENCE_CHOICES)
    owner_id = SelectField("Owner", coerce=int, validators=[InputRequired()])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The time box must end on or after its first day.")


class MoveCardForm(VersionedForm):
    column = SelectField("Move to", choices=COLUMN_CHOICES)
    back = StringField(widget=HiddenInput(), validators=[Length(max=2000)])


class LearningCardForm(VersionedForm):
    observation = _text("What we observed")
    learning = _text("What we learned")
    evidence_data = _text("Evidence (data points)", "Numbers, quotes, orders: what the test gave.")
    decision = SelectField("Decision", choices=DECISION_CHOICES)


class TeamMemberForm(FlaskForm):
    email = StringField(
        "Email or username",
        validators=[DataRequired(message="Whom should we add?"), Length(max=254)],
        filters=[strip_whitespace],
        description="Anyone with an active account: colleagues or guest entrepreneurs.",
    )
    role = SelectField("Role", choices=TEAM_ROLE_CHOICES)


class ShareForm(FlaskForm):
    set_ids = SelectMultipleField(
        "Share into these sets",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Sets you are in or facilitate now. Its visibility must be "
        "“Shared with our sets” for their members to see it.",
    )


class BoardFilterForm(Form):
    """The board's filters, read from the query string so a filtered board can be bookmarked."""

    owner = SelectField("Owner", coerce=int, default=0)
    column = SelectField("Column", choices=[SelectChoice("", "Any"), *COLUMN_CHOICES], default="")
    assumption = SelectField(
        "Assumption", choices=[SelectChoice("", "Any"), *ASSUMPTION_CHOICES], default=""
    )
    overdue = BooleanField("Overdue only")
    awaiting = BooleanField("Awaiting review only")
