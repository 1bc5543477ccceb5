"""Managers' reviews: the queue of their reports' waiting cards, reviews of a card or a
whole board (support or challenge, and decisions on requested time and money), and
everyone's notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.experiments import reviews
from intrapreneur.experiments.models import Experiment, ReviewTag, Venture
from intrapreneur.experiments.permissions import can_review, can_review_boards
from intrapreneur.experiments.review_forms import (
    APPROVE,
    LATER,
    BoardReviewForm,
    CardReviewForm,
)
from intrapreneur.experiments.services import BoardRefusal, StaleCard
from intrapreneur.extensions import db
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("reviews", __name__)


@blueprint.get("/reviews")
@requires(can_review_boards)
def queue() -> ResponseReturnValue:
    page = paginate(reviews.review_queue(current_user.id))
    return render_template(
        "reviews/queue.html",
        page=page,
        cards=reviews.waiting_cards(page.rows, datetime.now(UTC)),
        balance=reviews.balance_of(current_user.id),
        describe_wait=reviews.describe_wait,
    )


@blueprint.get("/experiments/<int:experiment_id>/review")
@requires(can_review_boards)
def card(experiment_id: int) -> ResponseReturnValue:
    experiment = _reviewable_card(experiment_id)
    form = CardReviewForm(
        data={
            "version": experiment.version,
            "approved_cost": experiment.cost_requested,
            "approved_days": experiment.days_requested,
        }
    )
    return _card_page(experiment, form)


@blueprint.post("/experiments/<int:experiment_id>/review")
@requires(can_review_boards)
def review_card(experiment_id: int) -> ResponseReturnValue:
    experiment = _reviewable_card(experiment_id)
    form = CardReviewForm()
    budget = _budget_decision(form) if reviews.awaits_budget_decision(experiment) else None
    return _save(
        form,
        lambda: _card_page(experiment, form),
        lambda now: reviews.review_card(
            experiment,
            tag=ReviewTag(form.tag.data),
            comment=form.comment.data,
            budget=budget,
            version=form.version.data,
            by=current_user,
            now=now,
        ),
    )


@blueprint.get("/ventures/<int:venture_id>/review")
@requires(can_review_boards)
def board(venture_id: int) -> ResponseReturnValue:
    venture = _reviewable_board(venture_id)
    return _board_page(venture, BoardReviewForm())


@blueprint.post("/ventures/<int:venture_id>/review")
@requires(can_review_boards)
def review_board(venture_id: int) -> ResponseReturnValue:
    venture = _reviewable_board(venture_id)
    form = BoardReviewForm()
    return _save(
        form,
        lambda: _board_page(venture, form),
        lambda now: reviews.review_board(
            venture, tag=ReviewTag(form.tag.data), comment=form.comment.data, by=current_user
        ),
    )


@blueprint.get("/notifications")
@requires(signed_in)
def notifications() -> ResponseReturnValue:
    return render_template(
        "reviews/notifications.html",
        page=paginate(reviews.notifications_of(current_user, date.today())),
        form=ActionForm(),
    )


@blueprint.post("/notifications/read")
@requires(signed_in)
def mark_read() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        reviews.mark_all_read(current_user, datetime.now(UTC))
        db.session.commit()
        flash(_("All notifications marked as read."), "success")
    return redirect(url_for("reviews.notifications"))


def _reviewable_card(experiment_id: int) -> Experiment:
    experiment = db.get_or_404(Experiment, experiment_id)
    ensure(can_review(current_user, experiment.venture), hide=True)
    return experiment


def _reviewable_board(venture_id: int) -> Venture:
    venture = db.get_or_404(Venture, venture_id)
    ensure(can_review(current_user, venture), hide=True)
    return venture


def _budget_decision(form: CardReviewForm) -> reviews.BudgetDecision | None:
    if form.budget.data == LATER:
        return None
    if form.budget.data != APPROVE:
        return reviews.BudgetDecision(approved=False)
    return reviews.BudgetDecision(True, form.approved_cost.data, form.approved_days.data)


def _save(
    form: BoardReviewForm,
    page: Callable[[], str],
    change: Callable[[datetime], object],
) -> ResponseReturnValue:
    """Save and commit once, then back to the queue; otherwise the page again with the
    form's errors (422) or the refusal next to its field or on top of the form."""
    if not form.validate_on_submit():
        return page(), 422
    try:
        change(datetime.now(UTC))
        db.session.commit()
    except reviews.BudgetRefusal as refusal:
        db.session.rollback()
        form[refusal.field].errors.append(refusal.message)
        return page(), refusal.status
    except (BoardRefusal, StaleDataError) as refusal:
        db.session.rollback()
        form.form_errors.append(getattr(refusal, "message", StaleCard().message))
        return page(), 409
    flash(_("Review saved; the team has been told."), "success")
    return redirect(url_for("reviews.queue"))


def _card_page(experiment: Experiment, form: CardReviewForm) -> str:
    totals = reviews.approved_totals([experiment.venture_id])[experiment.venture_id]
    return render_template(
        "reviews/card.html",
        experiment=experiment,
        venture=experiment.venture,
        form=form,
        asks_budget=reviews.awaits_budget_decision(experiment),
        requested=reviews.describe_request(experiment.cost_requested, experiment.days_requested),
        approved=reviews.describe_request(*totals),
        earlier=reviews.reviews_of_card(experiment.id),
        describe_request=reviews.describe_request,
    )


def _board_page(venture: Venture, form: BoardReviewForm) -> str:
    totals = reviews.approved_totals([venture.id])[venture.id]
    return render_template(
        "reviews/board.html",
        venture=venture,
        form=form,
        approved=reviews.describe_request(*totals),
        earlier=reviews.reviews_of_board(venture.id),
        describe_request=reviews.describe_request,
    )
