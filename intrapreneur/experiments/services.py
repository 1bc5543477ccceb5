"""Writes for ventures and their boards. Services flush; the request commits.

The board is a state machine: Backlog → Designing → Running → Analysing →
Decided. Cards move freely among the first four columns, with one rule:
Running needs a success criterion and a time box. Decided is reached only by
``decide``, with a learning card and a decision, from Running or Analysing, and
a decided card stays decided ("test again" makes a new card instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete

from intrapreneur.core import mail
from intrapreneur.core import services as audit
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.core.models import utcnow
from intrapreneur.experiments import queries
from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    Experiment,
    Notification,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Action

FOLLOW_UP_PREFIX = {Decision.PIVOT: "Pivot of", Decision.TEST_AGAIN: "Test again:"}


class BoardRefusal(Exception):
    """A refusal with a message for the person in front of the screen."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleCard(BoardRefusal):
    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this card while you were looking at it. "
            "Reload the board to see where it is now, then try again."
        )


@dataclass(frozen=True)
class CardFields:
    """What a test card says; the same for creating and editing."""

    title: str
    hypothesis: str = ""
    assumption: Assumption = Assumption.DESIRABILITY
    test: str = ""
    metric: str = ""
    success_criterion: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    cost_requested: Decimal = Decimal(0)
    days_requested: Decimal = Decimal(0)
    evidence: Evidence = Evidence.SAY

    def values(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class LearningCard:
    observation: str
    learning: str
    evidence_data: str
    decision: Decision


def create_venture(
    *,
    title: str,
    problem: str,
    customer: str,
    stage: Stage,
    visibility: Visibility,
    by: Person,
    now: datetime,
) -> Venture:
    """A new venture; whoever starts it is its first owner."""
    venture = Venture(
        title=title,
        problem=problem,
        customer=customer,
        stage=stage,
        visibility=visibility,
        created_by_id=by.id,
        updated_at=now,
    )
    db.session.add(venture)
    db.session.flush()
    db.session.add(VentureMember(venture_id=venture.id, person_id=by.id, role=TeamRole.OWNER))
    audit.record("venture.created", actor=by, obj=venture, visibility=visibility.value)
    return venture


def delete_venture(venture: Venture, *, by: Person) -> None:
    """Only a venture without a record is deleted: one with experiments or reviews is
    archived instead."""
    if queries.has_experiments(venture.id) or queries.has_reviews(venture.id):
        raise BoardRefusal(
            f"{venture.title} has experiments or reviews, which are its record of what was "
            "learned; archive it instead."
        )
    audit.record("venture.deleted", actor=by, obj=venture, title=venture.title)
    for model in (VentureMember, VentureShare):
        db.session.execute(delete(model).where(model.venture_id == venture.id))
    db.session.delete(venture)


def archive_venture(venture: Venture, *, by: Person, now: datetime) -> None:
    venture.archived_at = now
    venture.updated_at = now
    audit.record("venture.archived", actor=by, obj=venture)


def create_experiment(
    venture: Venture,
    fields: CardFields,
    *,
    owner: Person,
    by: Person,
    now: datetime,
    parent: Experiment | None = None,
) -> Experiment:
    _check_time_box(fields)
    experiment = Experiment(
        venture_id=venture.id,
        parent_id=parent.id if parent else None,
        owner_id=owner.id,
        column=Column.BACKLOG,
        created_at=now,
        moved_at=now,
        updated_at=now,
        **fields.values(),
    )
    db.session.add(experiment)
    db.session.flush()
    _ask_for_review_of_request(experiment, now)
    _record("experiment.created", experiment, by, parent_id=experiment.parent_id)
    return experiment


def experiment_from_action(
    action: Action, venture: Venture, *, by: Person, now: datetime
) -> Experiment:
    """Turn a commitment from a set into a card on the owner's board, linked both ways."""
    if action.experiment_id is not None:
        raise BoardRefusal("This commitment is already an experiment.")
    experiment = create_experiment(
        venture, CardFields(title=action.description[:200]), owner=by, by=by, now=now
    )
    action.experiment_id = experiment.id
    return experiment


def update_experiment(
    experiment: Experiment, fields: CardFields, *, version: int, by: Person, now: datetime
) -> None:
    _check_version(experiment, version)
    _check_time_box(fields)
    if experiment.column is Column.RUNNING:
        _check_ready_to_run(fields)
    if experiment.column is Column.DECIDED:
        raise BoardRefusal("A decided experiment is part of the record and no longer changes.")
    changed = sorted(k for k, v in fields.values().items() if getattr(experiment, k) != v)
    for key, value in fields.values().items():
        setattr(experiment, key, value)
    if {"cost_requested", "days_requested"} & set(changed):
        experiment.budget_approved = None  # a new request, decided afresh
    experiment.updated_at = now
    _ask_for_review_of_request(experiment, now)
    _record("experiment.updated", experiment, by, fields=changed)


def move(experiment: Experiment, to: Column, *, version: int, by: Person, now: datetime) -> None:
    """Move a card; an illegal move is refused with the reason and the card stays put."""
    _check_version(experiment, version)
    if to is experiment.column:
        raise BoardRefusal(f"The card is already in {to.value.capitalize()}.")
    if experiment.column is Column.DECIDED:
        raise BoardRefusal(
            "A decided experiment stays decided; decide to test again for a new card."
        )
    if to is Column.DECIDED:
        raise BoardRefusal(
            "To move a card to Decided, record its learning card and decision."
            if experiment.can_be_decided
            else "A card is decided after it has run: move it to Running first."
        )
    if to is Column.RUNNING:
        _check_ready_to_run(experiment)
        _ask_for_review(experiment, now)
    moved_from = experiment.column
    experiment.column = to
    experiment.moved_at = experiment.updated_at = now
    _record("experiment.moved", experiment, by, moved_from=moved_from.value, to=to.value)


def decide(
    experiment: Experiment, card: LearningCard, *, version: int, by: Person, now: datetime
) -> Experiment | None:
    """Record the learning card and decision; a pivot or a new test starts a child card,
    which is returned."""
    _check_version(experiment, version)
    if not experiment.can_be_decided:
        raise BoardRefusal("Only a running or analysed experiment can be decided.")
    missing = [
        label
        for label, value in (
            ("what was observed", card.observation),
            ("what was learned", card.learning),
            ("the evidence (data points)", card.evidence_data),
        )
        if not value.strip()
    ]
    if missing:
        raise BoardRefusal("The learning card needs " + ", ".join(missing) + ".")
    moved_from = experiment.column
    experiment.observation = card.observation
    experiment.learning = card.learning
    experiment.evidence_data = card.evidence_data
    experiment.decision = card.decision
    experiment.column = Column.DECIDED
    experiment.decided_at = experiment.moved_at = experiment.updated_at = now
    _ask_for_review(experiment, now, afresh=True)
    _record(
        "experiment.decided",
        experiment,
        by,
        decision=card.decision.value,
        moved_from=moved_from.value,
    )
    if card.decision not in FOLLOW_UP_PREFIX:
        return None
    return create_experiment(
        experiment.venture,
        _follow_up_fields(experiment, card.decision),
        owner=experiment.owner,
        by=by,
        now=now,
        parent=experiment,
    )


def notify(
    person_id: int, text: str, link: str = "", *, venture_id: int | None = None
) -> Notification:
    """Tell someone in the app, and by email unless they turned review emails off."""
    notification = Notification(
        person_id=person_id, text=text[:500], link=link, venture_id=venture_id
    )
    db.session.add(notification)
    person = db.session.get(Person, person_id)
    if person is not None:
        email_notification(person, text, link)
    return notification


def email_notification(person: Person, text: str, link: str) -> None:
    """The one way review news goes out by email (``link`` is a path in the app)."""
    root = mail.site_root()
    mail.queue(
        person,
        EmailKind.REVIEW_NOTIFICATION,
        subject=mail.one_line(text),
        template="review_notification",
        context={
            "text": text,
            "link": root + link if root and link else None,
            "preferences_url": mail.preferences_url(),
        },
        now=utcnow(),
    )


def is_overdue(experiment: Experiment, today: date) -> bool:
    """Past its time box without a decision."""
    return (
        experiment.column is not Column.DECIDED
        and experiment.ends_on is not None
        and experiment.ends_on < today
    )


def _follow_up_fields(parent: Experiment, decision: Decision) -> CardFields:
    title = f"{FOLLOW_UP_PREFIX[decision]} {parent.title}"[:200]
    keep = decision is Decision.TEST_AGAIN
    return CardFields(
        title=title,
        hypothesis=parent.hypothesis,
        assumption=parent.assumption,
        test=parent.test if keep else "",
        metric=parent.metric if keep else "",
        success_criterion=parent.success_criterion if keep else "",
        evidence=parent.evidence,
    )


def _check_version(experiment: Experiment, version: int) -> None:
    if experiment.version != version:
        raise StaleCard


def _check_time_box(fields: CardFields) -> None:
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        raise BoardRefusal("The time box ends before it starts.")


def _check_ready_to_run(card: CardFields | Experiment) -> None:
    missing = []
    if not card.success_criterion.strip():
        missing.append('a success criterion ("We are right if…")')
    if card.starts_on is None or card.ends_on is None:
        missing.append("a time box (start and end dates)")
    if missing:
        raise BoardRefusal("A running experiment needs " + " and ".join(missing) + ".")


def _ask_for_review_of_request(experiment: Experiment, now: datetime) -> None:
    """Asking for time or money puts the card in the managers' queue until decided."""
    if experiment.has_request and experiment.budget_approved is None:
        _ask_for_review(experiment, now)


def _ask_for_review(experiment: Experiment, now: datetime, *, afresh: bool = False) -> None:
    """Put the card in the managers' queue, and email the owner's manager when it enters
    it (``afresh``: a decision restarts the wait and is news even if the card waited)."""
    if experiment.review_requested_at is not None and not afresh:
        return
    experiment.review_requested_at = now
    # The review queue is the manager's list in the app; the email is the nudge to open it.
    manager = experiment.owner.manager
    if manager is not None:
        email_notification(
            manager,
            f"{experiment.owner.display_name} asks for your review of ‘{experiment.title}’",
            f"/experiments/{experiment.id}/review",
        )


def _record(action: str, experiment: Experiment, by: Person, **details: Any) -> None:
    audit.record(action, actor=by, obj=experiment, venture_id=experiment.venture_id, **details)


# -- venture settings, team and sharing (owners), card owners and exports ----------------


class StaleVenture(BoardRefusal):
    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this venture while you were editing it. "
            "Reload the page to see their changes, then make yours again."
        )


def update_venture(
    venture: Venture,
    *,
    title: str,
    problem: str,
    customer: str,
    stage: Stage,
    visibility: Visibility,
    version: int,
    by: Person,
    now: datetime,
) -> None:
    _check_open(venture)
    if venture.version != version:
        raise StaleVenture
    values = {
        "title": title,
        "problem": problem,
        "customer": customer,
        "stage": stage,
        "visibility": visibility,
    }
    changed = sorted(key for key, value in values.items() if getattr(venture, key) != value)
    for key, value in values.items():
        setattr(venture, key, value)
    venture.updated_at = now
    audit.record("venture.updated", actor=by, obj=venture, fields=changed)


def set_team_role(venture: Venture, person: Person, role: TeamRole, *, by: Person) -> None:
    """Add someone to the team, or change their role there (a venture keeps an owner)."""
    _check_open(venture)
    member = queries.membership(venture.id, person.id)
    if member is None:
        db.session.add(VentureMember(venture_id=venture.id, person_id=person.id, role=role))
        audit.record(
            "venture.member_added", actor=by, obj=venture, person_id=person.id, role=role.value
        )
        return
    if member.role is role:
        raise BoardRefusal(f"{person.display_name} is already {role.value} of this venture.")
    _keep_an_owner(venture, member)
    member.role = role
    audit.record(
        "venture.member_changed", actor=by, obj=venture, person_id=person.id, role=role.value
    )


def remove_team_member(venture: Venture, member: VentureMember, *, by: Person) -> None:
    """Their cards stay on the board, with them as owner, until someone takes them over."""
    _check_open(venture)
    _keep_an_owner(venture, member)
    audit.record("venture.member_removed", actor=by, obj=venture, person_id=member.person_id)
    db.session.delete(member)


def share_into(venture: Venture, chosen: set[int], offered: set[int], *, by: Person) -> None:
    """Share into the chosen sets among those offered to this owner; shares another owner
    made into sets this one is not in stay as they are."""
    _check_open(venture)
    current = set(queries.shared_set_ids(venture.id))
    added, removed = (chosen & offered) - current, (offered - chosen) & current
    for set_id in sorted(added):
        db.session.add(VentureShare(venture_id=venture.id, set_id=set_id))
    if removed:
        db.session.execute(
            delete(VentureShare).where(
                VentureShare.venture_id == venture.id, VentureShare.set_id.in_(removed)
            )
        )
    audit.record(
        "venture.shared", actor=by, obj=venture, added=sorted(added), removed=sorted(removed)
    )


def hand_over(experiment: Experiment, owner: Person, *, by: Person, now: datetime) -> None:
    """Give a card to another member of the team."""
    if owner.id == experiment.owner_id:
        return
    if queries.team_role(experiment.venture_id, owner.id) is None:
        raise BoardRefusal(f"{owner.display_name} is not on this venture's team.")
    experiment.owner = owner
    experiment.updated_at = now
    _record("experiment.handed_over", experiment, by, owner_id=owner.id)


def record_export(venture: Venture, filters: dict[str, str], *, by: Person) -> None:
    audit.record("venture.exported", actor=by, obj=venture, format="csv", filters=filters)


def _check_open(venture: Venture) -> None:
    if venture.archived_at is not None:
        raise BoardRefusal(f"{venture.title} is archived: it is kept as it is, read-only.")


def _keep_an_owner(venture: Venture, member: VentureMember) -> None:
    """Refuse to remove or demote the last owner: someone must be able to run the venture."""
    if member.role is not TeamRole.OWNER:
        return
    owners = [m for m in queries.team_of(venture.id) if m.role is TeamRole.OWNER]
    if owners == [member]:
        raise BoardRefusal(
            f"{member.person.display_name} is the only owner; make someone else an owner first."
        )
