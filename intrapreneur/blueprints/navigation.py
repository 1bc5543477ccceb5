"""What the navigation shows besides links: the unread notifications and a waiting survey.

A context processor (registered by the app factory) over the domains' own queries. It
gives templates callables rather than values, so only a page that renders the
navigation asks the database, and a visitor's page asks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_login import current_user

from intrapreneur.culture import queries as survey_queries
from intrapreneur.culture.services import pseudonym_of
from intrapreneur.experiments import reviews


def unread_notifications() -> int:
    """One COUNT, and none at all for visitors."""
    if not current_user.is_authenticated:
        return 0
    return reviews.unread_count(current_user, date.today())


def has_unanswered_survey() -> bool:
    """One EXISTS, and none at all for visitors and guests (never asked)."""
    if not current_user.is_authenticated or current_user.is_guest:
        return False
    return survey_queries.has_unanswered_invitation(
        current_user.id, pseudonym_of(current_user.id), date.today()
    )


def navigation_context() -> dict[str, Callable[[], object]]:
    return {
        "unread_notifications": unread_notifications,
        "has_unanswered_survey": has_unanswered_survey,
    }
