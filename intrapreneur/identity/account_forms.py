"""Input shape of each person's own settings: which emails they want."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField


class EmailPreferencesForm(FlaskForm):
    """One box per email kind that can be turned off (``core.mail.OPTIONAL_KINDS``)."""

    action_reminders = BooleanField(
        "Commitments due tomorrow",
        description="The day before your commitments are due, one email listing them.",
    )
    session_reminders = BooleanField(
        "Sessions tomorrow",
        description="The day before each session of your set.",
    )
    review_notifications = BooleanField(
        "Reviews",
        description=(
            "When a manager reviews your card or board, and, for managers, when someone "
            "asks for your review. They stay in your notifications in the app either way."
        ),
    )
