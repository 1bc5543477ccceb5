"""Loading a set or a session for a view, with the object-level check every such view needs;
a closed set is read-only, so every view that changes one sends back to its page."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from intrapreneur.core.permissions import ensure
from intrapreneur.extensions import db
from intrapreneur.learning import services
from intrapreneur.learning.models import LearningSession, LearningSet
from intrapreneur.learning.permissions import can_manage_set, can_view_set


def load_set(set_id: int, *, manage: bool = False) -> LearningSet:
    """The set, or 404 for anyone who may not see it (its existence is not revealed);
    403 for members asking to change what only the facilitator and HR may change, and back
    to the set's page, told why, for a change of a closed set."""
    learning_set = db.get_or_404(LearningSet, set_id)
    ensure(can_view_set(current_user, learning_set, date.today()), hide=True)
    if manage:
        ensure(can_manage_set(current_user, learning_set))
        refuse_if_closed(learning_set)
    return learning_set


def refuse_if_closed(learning_set: LearningSet) -> None:
    if learning_set.closed_at is not None:
        flash(services.closed_message(learning_set), "error")
        abort(redirect(url_for("sets.detail", set_id=learning_set.id)))


def load_session(session_id: int, *, manage: bool = False) -> LearningSession:
    session = db.get_or_404(LearningSession, session_id)
    load_set(session.set_id, manage=manage)
    return session
