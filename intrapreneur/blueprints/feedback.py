"""A member's feedback on a session they were in: how useful it was and the one thing they
will do next. Who reads what of it is in ``learning.queries.feedback``; figures are on the
set's health page."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.editing import save_or_show_again
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.extensions import db
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import FeedbackForm
from intrapreneur.learning.models import LearningSession
from intrapreneur.learning.permissions import can_answer_about

blueprint = Blueprint("feedback", __name__)


@blueprint.route("/sessions/<int:session_id>/feedback", methods=["GET", "POST"])
@requires(signed_in)
def answer(session_id: int) -> ResponseReturnValue:
    session = db.get_or_404(LearningSession, session_id)
    # Members of the set on the session's day, whether still in it or not; to anyone else
    # the page does not exist.
    ensure(can_answer_about(current_user, session), hide=True)
    now = datetime.now(UTC)
    given = queries.own_answer(session.id, current_user.id)
    form = FeedbackForm()
    if not form.is_submitted() and given is not None:
        form.process(obj=given)
    shown = save_or_show_again(
        form,
        partial(
            render_template,
            "feedback/answer.html",
            form=form,
            session=session,
            given=given,
            refusal=services.feedback_refusal(session, now),
            closes_at=queries.answering_closes_at(session.starts_at),
        ),
        lambda: services.save_feedback(
            session,
            current_user,
            usefulness=form.usefulness.data,
            next_step=form.next_step.data,
            now=now,
        ),
        ready=form.validate_on_submit(),
    )
    if shown:
        return shown
    flash(
        _(
            "Thank you: your answer is saved. You can change it until answering closes.",
        ),
        "success",
    )
    return redirect(url_for("feedback.answer", session_id=session.id))
