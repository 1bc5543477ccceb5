"""Loading a set or a session for a view, with the object-level check every such view needs."""

from __future__ import annotations

from datetime import date

from flask_login import current_user

from intrapreneur.core.permissions import ensure
from intrapreneur.extensions import db
from intrapreneur.learning.models import LearningSession, LearningSet
from intrapreneur.learning.permissions import can_manage_set, can_view_set


def load_set(set_id: int, *, manage: bool = False) -> LearningSet:
    """The set, or 404 for anyone who may not see it (its existence is not revealed);
    403 for members asking to change what only the facilitator and HR may change."""
    learning_set = db.get_or_404(LearningSet, set_id)
    ensure(can_view_set(current_user, learning_set, date.today()), hide=True)
    if manage:
        ensure(can_manage_set(current_user, learning_set))
    return learning_set


def load_session(session_id: int, *, manage: bool = False) -> LearningSession:
    session = db.get_or_404(LearningSession, session_id)
    load_set(session.set_id, manage=manage)
    return session
