"""Input shape for managers' reviews of a board or of one card."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from intrapreneur.core.forms import FiniteDecimalField
from intrapreneur.experiments.models import ReviewTag

MAX_COMMENT = 5000
APPROVE, REFUSE, LATER = "approve", "refuse", "later"
NEGATIVE = {
    "approved_cost": _l("The money approved cannot be negative."),
    "approved_days": _l("The person-days approved cannot be negative."),
}


class BoardReviewForm(FlaskForm):
    tag = RadioField(
        _l("This review is"),
        choices=[
            SelectChoice(
                ReviewTag.SUPPORT.value, _l("Support: what is good here, and what helps it on")
            ),
            SelectChoice(
                ReviewTag.CHALLENGE.value,
                _l("Challenge: what is doubtful, and what to test harder"),
            ),
        ],
        validators=[InputRequired(message=_l("Choose support or challenge."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(message=_l("Write a comment: a tag alone does not help anyone learn.")),
            Length(
                max=MAX_COMMENT,
                message=_l("Keep the comment to %(max)d characters or fewer (it has %(length)d)."),
            ),
        ],
        description=_l("Markdown: *emphasis*, lists and links work."),
    )


class CardReviewForm(BoardReviewForm):
    """A card's review; the budget fields count only while its request is undecided."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    budget = RadioField(
        _l("The time and money requested"),
        choices=[
            SelectChoice(APPROVE, _l("Approve (the amounts below)")),
            SelectChoice(REFUSE, _l("Refuse")),
            SelectChoice(LATER, _l("No decision now")),
        ],
        default=LATER,
    )
    approved_cost = FiniteDecimalField(
        _l("Money approved"),
        places=2,
        description=_l("At most the amount requested."),
    )
    approved_days = FiniteDecimalField(
        _l("Person-days approved"),
        places=1,
        description=_l("At most the days requested."),
    )

    def validate_approved_cost(self, field: DecimalField) -> None:
        self._check_amount(field)

    def validate_approved_days(self, field: DecimalField) -> None:
        self._check_amount(field)

    def _check_amount(self, field: DecimalField) -> None:
        """Blank is fine unless approving; never below zero."""
        if field.data is None and self.budget.data == APPROVE:
            raise ValidationError(_("Give the amount you approve (0 for none)."))
        if field.data is not None and field.data < 0:
            raise ValidationError(NEGATIVE[field.name])
