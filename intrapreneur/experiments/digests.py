"""The managers' daily digest of the cards waiting for their review.

Once a day (the ``review-digests`` job), every manager with at least one card in their review
queue gets one notice in the app and one email (unless they turned the digest off) listing
each card, oldest first, with how long it has waited. A card that has waited longer than
``INTRAPRENEUR_REVIEW_OVERDUE_DAYS`` is marked overdue in that same digest: the reminder
about a card that waits too long is part of the day's one email, never a second one. Both
carry a key per manager and day, so a run repeated or retried the same day adds nothing.
Services flush; the job commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, exists, select

from intrapreneur.core import mail
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.experiments.models import Experiment, Notification, VentureMember
from intrapreneur.experiments.reviews import (
    WaitingCard,
    describe_wait,
    every_waiting_card,
    waiting_card,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.identity.queries import managers_above

QUEUE_PATH = "/reviews"


@dataclass(frozen=True)
class Digest:
    """One manager's waiting cards on one day."""

    manager: Person
    cards: list[WaitingCard]
    overdue_after: timedelta

    def is_overdue(self, card: WaitingCard) -> bool:
        return card.waited > self.overdue_after

    @property
    def headline(self) -> str:
        """The subject and the in-app notice: how many wait, and how many too long (in the
        language being written: the manager's, within ``writing_for``)."""
        count = len(self.cards)
        overdue = sum(self.is_overdue(card) for card in self.cards)
        limit = describe_wait(self.overdue_after)
        if count == 1:
            if overdue:
                return _("A card has waited more than %(limit)s for your review", limit=limit)
            return _("A card waits for your review")
        if overdue:
            return ngettext(
                "%(num)d card waits for your review, %(overdue)d of them more than %(limit)s",
                "%(num)d cards wait for your review, %(overdue)d of them more than %(limit)s",
                count,
                overdue=overdue,
                limit=limit,
            )
        return ngettext(
            "%(num)d card waits for your review", "%(num)d cards wait for your review", count
        )


@dataclass(frozen=True)
class DigestReport:
    notified: int
    emailed: int

    def describe(self) -> str:
        return (
            f"{self.notified} managers told of the cards waiting for their review, "
            f"{self.emailed} of them by email."
        )


def queue_review_digests(now: datetime, overdue_days: int) -> DigestReport:
    """Write today's digests (``now``'s UTC day); repeating it the same day writes nothing."""
    today = now.date()
    overdue_after = timedelta(days=overdue_days)
    digests = [
        Digest(manager, cards, overdue_after) for manager, cards in _queues_of_managers(now, today)
    ]
    keys = {digest.manager.id: _key(digest.manager.id, today) for digest in digests}
    done = set(
        db.session.scalars(
            select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys.values()))
        )
    )
    notified = emailed = 0
    for digest in digests:
        key = keys[digest.manager.id]
        if key in done:
            continue
        # The notice and the email are written in the manager's language and zone.
        with writing_for(digest.manager):
            db.session.add(
                Notification(
                    person_id=digest.manager.id,
                    text=digest.headline,
                    link=QUEUE_PATH,
                    dedupe_key=key,
                )
            )
            emailed += _email(digest, key, now)
        notified += 1
    db.session.flush()
    return DigestReport(notified, emailed)


def waiting_by_reviewer() -> Select[Any]:
    """Every waiting card once per manager whose queue holds it (``reviewer_id`` besides the
    queue's fields), by manager and oldest first, in one statement.

    The same rule as ``reviews.review_queue`` read the other way: that walks down from one
    manager, this walks up from the team members of the boards with a waiting card (few)
    to everyone above them (``identity.queries.managers_above``), leaving out a manager who
    is on the team (nobody reviews their own board).
    """
    waiting_ventures = select(Experiment.venture_id).where(
        Experiment.review_requested_at.is_not(None)
    )
    above = managers_above(
        select(VentureMember.venture_id.label("origin"), Person.manager_id.label("above"))
        .join(Person, Person.id == VentureMember.person_id)
        .where(VentureMember.venture_id.in_(waiting_ventures), Person.manager_id.is_not(None))
    )
    on_the_team = exists().where(
        VentureMember.venture_id == above.c.origin, VentureMember.person_id == above.c.above
    )
    return (
        every_waiting_card()
        .add_columns(above.c.above.label("reviewer_id"))
        .join(above, above.c.origin == Experiment.venture_id)
        .where(~on_the_team)
        .order_by(above.c.above, Experiment.review_requested_at, Experiment.id)
    )


def _queues_of_managers(now: datetime, today: date) -> list[tuple[Person, list[WaitingCard]]]:
    """Each manager who may act today with the cards in their queue; nobody without one."""
    queues: dict[int, list[WaitingCard]] = defaultdict(list)
    for row in db.session.execute(waiting_by_reviewer()).mappings():
        fields = dict(row)
        queues[fields.pop("reviewer_id")].append(waiting_card(fields, now))
    managers = db.session.scalars(
        select(Person).where(Person.id.in_(list(queues))).order_by(Person.id)
    )
    return [
        (manager, queues[manager.id])
        for manager in managers
        if manager.has_role(Role.MANAGER) and manager.may_act(today)
    ]


def _key(manager_id: int, today: date) -> str:
    return f"review_digest:{manager_id}:{today.isoformat()}"


def _email(digest: Digest, key: str, now: datetime) -> int:
    cards = [
        {
            "title": card.title,
            "venture_title": card.venture_title,
            "owner_name": card.owner_name,
            "reasons": card.reasons,
            "waited": describe_wait(card.waited),
            "overdue": digest.is_overdue(card),
            "url": mail.absolute_url("reviews.card", experiment_id=card.experiment_id),
        }
        for card in digest.cards
    ]
    queued = mail.queue(
        digest.manager,
        EmailKind.REVIEW_DIGEST,
        subject=mail.one_line(digest.headline),
        template="review_digest",
        context={
            "headline": digest.headline,
            "cards": cards,
            "overdue_after": describe_wait(digest.overdue_after),
            "queue_url": mail.absolute_url("reviews.queue"),
            "preferences_url": mail.preferences_url(),
        },
        now=now,
        dedupe_key=key,
    )
    return int(queued)
