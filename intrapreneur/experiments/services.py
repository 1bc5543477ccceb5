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

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from intrapreneur.core import services as audit
from intrapreneur.core.dates import formatting_locale
from intrapreneur.experiments import queries
from intrapreneur.experiments.labels import COLUMN_LABELS
from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    Experiment,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.experiments.notices import email_notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Action

# Decisions that start a child card, the next step of the venture's lineage.
FOLLOWED_UP = frozenset({Decision.PIVOT, Decision.TEST_AGAIN})


class BoardRefusal(Exception):
    """A refusal with a message for the person in front of the screen."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleCard(BoardRefusal):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this card while you were looking at it. "
                "Reload the board to see where it is now, then try again."
            )
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
            _(
                "%(venture)s has experiments or reviews, which are its record of what was "
                "learned; archive it instead.",
                venture=venture.title,
            )
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
        raise BoardRefusal(_("This commitment is already an experiment."))
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
        raise BoardRefusal(_("A decided experiment is part of the record and no longer changes."))
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
        raise BoardRefusal(_("The card is already in %(column)s.", column=COLUMN_LABELS[to]))
    if experiment.column is Column.DECIDED:
        raise BoardRefusal(
            _("A decided experiment stays decided; decide to test again for a new card.")
        )
    if to is Column.DECIDED:
        raise BoardRefusal(
            _("To move a card to Decided, record its learning card and decision.")
            if experiment.can_be_decided
            else _("A card is decided after it has run: move it to Running first.")
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
        raise BoardRefusal(_("Only a running or analysed experiment can be decided."))
    missing = [
        label
        for label, value in (
            (_("what was observed"), card.observation),
            (_("what was learned"), card.learning),
            (_("the evidence (data points)"), card.evidence_data),
        )
        if not value.strip()
    ]
    if missing:
        raise BoardRefusal(
            _(
                "The learning card needs %(missing)s.",
                missing=format_list(missing, locale=formatting_locale()),
            )
        )
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
    if card.decision not in FOLLOWED_UP:
        return None
    return create_experiment(
        experiment.venture,
        _follow_up_fields(experiment, card.decision),
        owner=experiment.owner,
        by=by,
        now=now,
        parent=experiment,
    )


def is_overdue(experiment: Experiment, today: date) -> bool:
    """Past its time box without a decision."""
    return (
        experiment.column is not Column.DECIDED
        and experiment.ends_on is not None
        and experiment.ends_on < today
    )


def _follow_up_fields(parent: Experiment, decision: Decision) -> CardFields:
    # Titled in the language of whoever decides: the card is theirs to write on.
    if decision is Decision.PIVOT:
        title = _("Pivot of %(title)s", title=parent.title)
    else:
        title = _("Test again: %(title)s", title=parent.title)
    keep = decision is Decision.TEST_AGAIN
    return CardFields(
        title=title[:200],
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
        raise BoardRefusal(_("The time box ends before it starts."))


def _check_ready_to_run(card: CardFields | Experiment) -> None:
    no_criterion = not card.success_criterion.strip()
    no_time_box = card.starts_on is None or card.ends_on is None
    if no_criterion and no_time_box:
        raise BoardRefusal(
            _(
                "A running experiment needs a success criterion (“We are right if…”) "
                "and a time box (start and end dates)."
            )
        )
    if no_criterion:
        raise BoardRefusal(
            _("A running experiment needs a success criterion (“We are right if…”).")
        )
    if no_time_box:
        raise BoardRefusal(_("A running experiment needs a time box (start and end dates)."))


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
            _l(
                "%(owner)s asks for your review of ‘%(title)s’",
                owner=experiment.owner.display_name,
                title=experiment.title,
            ),
            f"/experiments/{experiment.id}/review",
        )


def _record(action: str, experiment: Experiment, by: Person, **details: Any) -> None:
    audit.record(action, actor=by, obj=experiment, venture_id=experiment.venture_id, **details)


# -- venture settings, team and sharing (owners), card owners and exports ----------------


class StaleVenture(BoardRefusal):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this venture while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            )
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
        raise BoardRefusal(
            _("%(name)s is already an owner of this venture.", name=person.display_name)
            if role is TeamRole.OWNER
            else _("%(name)s is already a member of this venture.", name=person.display_name)
        )
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
        raise BoardRefusal(_("%(name)s is not on this venture's team.", name=owner.display_name))
    experiment.owner = owner
    experiment.updated_at = now
    _record("experiment.handed_over", experiment, by, owner_id=owner.id)


def record_export(venture: Venture, filters: dict[str, str], *, by: Person) -> None:
    audit.record("venture.exported", actor=by, obj=venture, format="csv", filters=filters)


def _check_open(venture: Venture) -> None:
    if venture.archived_at is not None:
        raise BoardRefusal(
            _("%(venture)s is archived: it is kept as it is, read-only.", venture=venture.title)
        )


def _keep_an_owner(venture: Venture, member: VentureMember) -> None:
    """Refuse to remove or demote the last owner: someone must be able to run the venture."""
    if member.role is not TeamRole.OWNER:
        return
    owners = [m for m in queries.team_of(venture.id) if m.role is TeamRole.OWNER]
    if owners == [member]:
        raise BoardRefusal(
            _(
                "%(name)s is the only owner; make someone else an owner first.",
                name=member.person.display_name,
            )
        )
