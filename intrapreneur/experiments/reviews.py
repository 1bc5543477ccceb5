"""Manager reviews: the queue of cards waiting for one, reviews tagged support or challenge
with decisions on requested time and money, each manager's balance, approved totals per
venture, and the notifications that tell the team. Services flush; the request commits.

A card waits (``Experiment.review_requested_at``) while it is newly Running, Decided, or
asks for time or money nobody has decided on yet; the review that answers it ends the
wait, unless the request is still undecided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Row, Select, exists, func, select, update

from intrapreneur.core import services as audit
from intrapreneur.core.dates import number_text
from intrapreneur.experiments.labels import COLUMN_LABELS, DECISION_LABELS, TAG_LABELS
from intrapreneur.experiments.models import (
    Column,
    Experiment,
    Notification,
    Review,
    ReviewTag,
    TeamRole,
    Venture,
    VentureMember,
)
from intrapreneur.experiments.notices import notify
from intrapreneur.experiments.queries import visible_to
from intrapreneur.experiments.services import BoardRefusal, StaleCard
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

ZERO = Decimal(0)


class BudgetRefusal(BoardRefusal):
    """An amount that cannot be approved; ``field`` names the form field it belongs to."""

    status = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BudgetDecision:
    approved: bool
    cost: Decimal = ZERO
    days: Decimal = ZERO


@dataclass(frozen=True)
class Balance:
    """How one manager's reviews split between support and challenge."""

    support: int
    challenge: int

    @property
    def total(self) -> int:
        return self.support + self.challenge

    @property
    def support_share(self) -> float | None:
        return self.support / self.total if self.total else None


@dataclass(frozen=True)
class WaitingCard:
    """One row of the review queue, with why and how long it has waited."""

    experiment_id: int
    title: str
    column: Column
    decision: str | None
    cost_requested: Decimal
    days_requested: Decimal
    budget_approved: bool | None
    requested_at: datetime
    venture_id: int
    venture_title: str
    owner_name: str
    waited: timedelta

    @property
    def reasons(self) -> list[str]:
        """Why it waits, in the reader's language."""
        reasons = []
        if self.column is Column.DECIDED:
            reasons.append(
                _("Decided: %(decision)s", decision=DECISION_LABELS[self.decision])
                if self.decision
                else _("Decided")
            )
        elif self.column is Column.RUNNING:
            reasons.append(_("Newly running"))
        if (self.cost_requested or self.days_requested) and self.budget_approved is None:
            request = describe_request(self.cost_requested, self.days_requested)
            reasons.append(_("Asks for %(request)s", request=request))
        # Moved on (to Analysing, say) before anyone reviewed its start: it still waits.
        return reasons or [
            _("Ran without a review, now in %(column)s", column=COLUMN_LABELS[self.column])
        ]


# -- reads ----------------------------------------------------------------------------------


def review_queue(manager_id: int) -> Select[Any]:
    """Waiting cards on the boards of everyone below this manager (at any depth), oldest
    first: one statement whatever the size of the organisation, so it pages in SQL.

    The recursive walk is ``identity.queries.reports_of``'s (UNION ends it on a cycle in
    the directory's data). Boards the manager is on are left out: nobody reviews their own.
    """
    chain = select(Person.id).where(Person.manager_id == manager_id).cte("chain", recursive=True)
    chain = chain.union(select(Person.id).join(chain, Person.manager_id == chain.c.id))
    reports_ventures = select(VentureMember.venture_id).where(
        VentureMember.person_id.in_(select(chain.c.id)), VentureMember.person_id != manager_id
    )
    own_ventures = select(VentureMember.venture_id).where(VentureMember.person_id == manager_id)
    return (
        every_waiting_card()
        .where(
            Experiment.venture_id.in_(reports_ventures),
            Experiment.venture_id.not_in(own_ventures),
        )
        .order_by(Experiment.review_requested_at, Experiment.id)
    )


def every_waiting_card() -> Select[Any]:
    """The queue's rows (``WaitingCard`` fields) for every waiting card of a board that is
    not archived, whoever reviews it: the queue and the managers' digest narrow it."""
    return (
        select(
            Experiment.id.label("experiment_id"),
            Experiment.title,
            Experiment.column,
            Experiment.decision,
            Experiment.cost_requested,
            Experiment.days_requested,
            Experiment.budget_approved,
            Experiment.review_requested_at.label("requested_at"),
            Venture.id.label("venture_id"),
            Venture.title.label("venture_title"),
            Person.display_name.label("owner_name"),
        )
        .join(Venture, Venture.id == Experiment.venture_id)
        .join(Person, Person.id == Experiment.owner_id)
        .where(Experiment.review_requested_at.is_not(None), Venture.archived_at.is_(None))
    )


def waiting_cards(rows: list[Row[Any]], now: datetime) -> list[WaitingCard]:
    return [waiting_card(row._mapping, now) for row in rows]


def waiting_card(fields: Mapping[str, Any], now: datetime) -> WaitingCard:
    return WaitingCard(**fields, waited=now - fields["requested_at"])


def balance_of(reviewer_id: int) -> Balance:
    counts = dict(
        db.session.execute(
            select(Review.tag, func.count())
            .where(Review.reviewer_id == reviewer_id)
            .group_by(Review.tag)
        ).all()
    )
    return Balance(counts.get(ReviewTag.SUPPORT, 0), counts.get(ReviewTag.CHALLENGE, 0))


def reviews_of_card(experiment_id: int) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.experiment_id == experiment_id)
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
    )


def reviews_of_board(venture_id: int) -> list[Review]:
    """Reviews of the whole board, not of one card."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.venture_id == venture_id, Review.experiment_id.is_(None))
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
    )


def approved_totals(venture_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Money and person-days approved so far per venture (zero where none): the funding
    released in steps. Every venture asked about has an entry."""
    rows = db.session.execute(
        select(Review.venture_id, func.sum(Review.approved_cost), func.sum(Review.approved_days))
        .where(Review.venture_id.in_(venture_ids), Review.budget_approved.is_(True))
        .group_by(Review.venture_id)
    )
    totals = {venture_id: (ZERO, ZERO) for venture_id in venture_ids}
    for venture_id, cost, days in rows:
        totals[venture_id] = (Decimal(cost or 0), Decimal(days or 0))
    return totals


def awaits_budget_decision(experiment: Experiment) -> bool:
    return experiment.has_request and experiment.budget_approved is None


def _readable_by(reader: Person, today: date) -> ColumnElement[bool]:
    """A notification about a venture is the venture's content: listed (and counted) only
    while the board's own rule lets its reader see the venture — someone taken off the team
    stops reading its reviews here too."""
    # Correlated, so the rule is asked of the reader's own notifications' ventures only
    # (this runs on every page, for the navigation's count), never of every venture.
    seen = exists().where(Venture.id == Notification.venture_id, visible_to(reader, today))
    return (Notification.person_id == reader.id) & (Notification.venture_id.is_(None) | seen)


def notifications_of(reader: Person, today: date) -> Select[tuple[Notification]]:
    return (
        select(Notification)
        .where(_readable_by(reader, today))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(reader: Person, today: date) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(_readable_by(reader, today), Notification.read_at.is_(None))
        )
        or 0
    )


def describe_request(cost: Decimal, days: Decimal) -> str:
    """ "1,500.00 in money and 2.5 person-days", in the reader's language and numbers."""
    money, person_days = number_text(cost, 2), number_text(days)
    if cost and days:
        return _("%(money)s in money and %(days)s person-days", money=money, days=person_days)
    if cost:
        return _("%(money)s in money", money=money)
    if days:
        return _("%(days)s person-days", days=person_days)
    return _("nothing")


def describe_wait(waited: timedelta) -> str:
    """ "3 days", "5 hours", "under an hour": enough to see what waited longest."""
    days, hours = int(waited.total_seconds() // 86_400), int(waited.total_seconds() // 3_600)
    if days:
        return ngettext("%(num)d day", "%(num)d days", days)
    if hours:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return _("under an hour")


# -- writes ---------------------------------------------------------------------------------


def review_card(
    experiment: Experiment,
    *,
    tag: ReviewTag,
    comment: str,
    budget: BudgetDecision | None,
    version: int,
    by: Person,
    now: datetime,
) -> Review:
    """Review one card and, while its request is undecided, approve or refuse it."""
    if experiment.version != version:
        raise StaleCard
    review = Review(
        venture_id=experiment.venture_id,
        experiment_id=experiment.id,
        reviewer_id=by.id,
        tag=tag,
        comment=comment,
        waited_seconds=_waited_seconds(experiment.review_requested_at, now),
    )
    if budget is not None and awaits_budget_decision(experiment):
        _decide_budget(experiment, review, budget)
    if not awaits_budget_decision(experiment):
        experiment.review_requested_at = None
    db.session.add(review)
    db.session.flush()
    _tell_the_team(
        experiment.venture_id,
        experiment.owner_id,
        _l(
            "%(reviewer)s reviewed ‘%(title)s’: %(outcome)s",
            reviewer=by.display_name,
            title=experiment.title,
            outcome=_outcome(review),
        ),
        f"/experiments/{experiment.id}",
        by,
    )
    _record(review, by)
    return review


def review_board(venture: Venture, *, tag: ReviewTag, comment: str, by: Person) -> Review:
    review = Review(venture_id=venture.id, reviewer_id=by.id, tag=tag, comment=comment)
    db.session.add(review)
    db.session.flush()
    _tell_the_team(
        venture.id,
        None,
        _l(
            "%(reviewer)s reviewed the board ‘%(venture)s’: %(tag)s",
            reviewer=by.display_name,
            venture=venture.title,
            tag=TAG_LABELS[tag],
        ),
        f"/ventures/{venture.id}",
        by,
    )
    _record(review, by)
    return review


def mark_all_read(person: Person, now: datetime) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    return result.rowcount


def _decide_budget(experiment: Experiment, review: Review, budget: BudgetDecision) -> None:
    """Approved amounts never exceed the request: funding is released in steps."""
    if budget.approved:
        _check_money(budget.cost, experiment.cost_requested)
        _check_days(budget.days, experiment.days_requested)
        review.approved_cost, review.approved_days = budget.cost, budget.days
    experiment.budget_approved = review.budget_approved = budget.approved


def _check_money(amount: Decimal, requested: Decimal) -> None:
    if amount < 0:
        raise BudgetRefusal(_("The approved money cannot be negative."), field="approved_cost")
    if amount > requested:
        raise BudgetRefusal(
            _(
                "You can approve at most the %(money)s in money that was requested.",
                money=number_text(requested, 2),
            ),
            field="approved_cost",
        )


def _check_days(amount: Decimal, requested: Decimal) -> None:
    if amount < 0:
        raise BudgetRefusal(
            _("The approved person-days cannot be negative."), field="approved_days"
        )
    if amount > requested:
        raise BudgetRefusal(
            _(
                "You can approve at most the %(days)s person-days that were requested.",
                days=number_text(requested),
            ),
            field="approved_days",
        )


def _waited_seconds(requested_at: datetime | None, now: datetime) -> int | None:
    return None if requested_at is None else max(0, int((now - requested_at).total_seconds()))


def _outcome(review: Review) -> LazyString:
    tag = TAG_LABELS[review.tag]
    if review.budget_approved is None:
        return tag
    if review.budget_approved:
        return _l("%(tag)s; request approved", tag=tag)
    return _l("%(tag)s; request refused", tag=tag)


def _tell_the_team(
    venture_id: int, owner_id: int | None, message: LazyString, link: str, by: Person
) -> None:
    """The card's owner and the venture's owners, each once, never the reviewer."""
    owners = db.session.scalars(
        select(VentureMember.person_id).where(
            VentureMember.venture_id == venture_id, VentureMember.role == TeamRole.OWNER
        )
    )
    told = dict.fromkeys([owner_id, *owners])
    for person_id in told:
        if person_id is not None and person_id != by.id:
            notify(person_id, message, link, venture_id=venture_id)


def _record(review: Review, by: Person) -> None:
    audit.record(
        "review.created",
        actor=by,
        obj=review,
        venture_id=review.venture_id,
        experiment_id=review.experiment_id,
        tag=review.tag.value,
        budget_approved=review.budget_approved,
        approved_cost=str(review.approved_cost or ZERO),
        approved_days=str(review.approved_days or ZERO),
    )
