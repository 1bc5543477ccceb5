"""Members' feedback on the sessions they were in; who reads what of it, and when, is
written down in ``queries.feedback``."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries
from intrapreneur.learning.models import LearningSession, SessionFeedback
from intrapreneur.learning.services.refusals import LearningRefusal, closed_message


def feedback_refusal(session: LearningSession, now: datetime) -> str | None:
    """Why nobody may answer about this session now; None while answering is open."""
    if session.learning_set.closed_at is not None:
        return closed_message(session.learning_set)
    if session.cancelled_at is not None:
        return _("This session was cancelled: there is nothing to give feedback on.")
    if session.starts_at > now:
        return _("Feedback opens when the session starts.")
    if now >= queries.answering_closes_at(session.starts_at):
        return _("Answering about this session has closed.")
    return None


def save_feedback(
    session: LearningSession, person: Person, *, usefulness: int, next_step: str, now: datetime
) -> SessionFeedback:
    """Record the person's answer, or change it while answering is open. Audited without
    what was answered: the log says who answered, never how."""
    refusal = feedback_refusal(session, now)
    if refusal:
        raise LearningRefusal(refusal)
    if not queries.is_current_member(session.set_id, person.id, session.starts_at.date()):
        raise LearningRefusal(_("Only the set's members on the day of a session answer about it."))
    if not 1 <= usefulness <= 5:
        raise LearningRefusal(_("Rate how useful the session was from 1 to 5."))
    answer = queries.own_answer(session.id, person.id) or SessionFeedback(
        session_id=session.id, person_id=person.id
    )
    answer.usefulness, answer.next_step, answer.updated_at = usefulness, next_step, now
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        # Sent twice at once (a double click): the first one is kept.
        raise LearningRefusal(
            _(
                "Your answer was saved a moment ago. Reload the page to see it, then change it.",
            )
        ) from None
    audit.record("session.feedback_saved", actor=person, obj=session)
    return answer
