"""Input shape for managers' reviews of a board or of one card."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from intrapreneur.core.forms import FiniteDecimalField
from intrapreneur.experiments.models import ReviewTag

MAX_COMMENT = 5000
APPROVE, REFUSE, LATER = "approve", "refuse", "later"


class BoardReviewForm(FlaskForm):
    tag = RadioField(
        "This review is",
        choices=[
            SelectChoice(
                ReviewTag.SUPPORT.value, "Support: what is good here, and what helps it on"
            ),
            SelectChoice(
                ReviewTag.CHALLENGE.value, "Challenge: what is doubtful, and what to test harder"
            ),
        ],
        validators=[InputRequired(message="Choose support or challenge.")],
    )
    comment = TextAreaField(
        "Comment",
        validators=[
            DataRequired(message="Write a comment: a tag alone does not help anyone learn."),
            Length(
                max=MAX_COMMENT,
                message="Keep the comment to %(max)d characters or fewer (it has %(length)d).",
            ),
        ],
        description="Markdown: *emphasis*, lists and links work.",
    )


class CardReviewForm(BoardReviewForm):
    """A card's review; the budget fields count only while its request is undecided."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    budget = RadioField(
        "The time and money requested",
        choices=[
            SelectChoice(APPROVE, "Approve (the amounts below)"),
            SelectChoice(REFUSE, "Refuse"),
            SelectChoice(LATER, "No decision now"),
        ],
        default=LATER,
    )
    approved_cost = FiniteDecimalField(
        "Money approved",
        places=2,
        description="At most the amount requested.",
    )
    approved_days = FiniteDecimalField(
        "Person-days approved",
        places=1,
        description="At most the days requested.",
    )

    def validate_approved_cost(self, field: DecimalField) -> None:
        self._check_amount(field)

    def validate_approved_days(self, field: DecimalField) -> None:
        self._check_amount(field)

    def _check_amount(self, field: DecimalField) -> None:
        """Blank is fine unless approving; never below zero."""
        if field.data is None and self.budget.data == APPROVE:
            raise ValidationError("Give the amount you approve (0 for none).")
        if field.data is not None and field.data < 0:
            raise ValidationError(f"The {field.label.text.lower()} cannot be negative.")
