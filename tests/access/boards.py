"""Ventures of every visibility, their cards (some decided between two sessions of a set, so
session screens list them), managers' reviews and the notifications those send."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from intrapreneur.experiments import queries as venture_rows
from intrapreneur.experiments import reviews
from intrapreneur.experiments import services as ventures
from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    ReviewTag,
    Stage,
    TeamRole,
    Venture,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.learning.models import Action
from tests.access.facts import VentureFacts, World

PRIVATE, SETS, ORGANISATION = Visibility.PRIVATE, Visibility.SETS, Visibility.ORGANISATION
MEMBER = TeamRole.MEMBER

# name → visibility, owner (who starts it), others on the team, sets it is shared into
VENTURES: dict[str, tuple[Visibility, str, dict[str, TeamRole], set[str]]] = {
    "private_a": (PRIVATE, "member_a", {}, set()),
    "shared_a": (SETS, "member_a2", {"member_a": MEMBER}, {"a"}),
    "org": (ORGANISATION, "member_a2", {}, set()),
    # Organisation-wide and shared into set A: the one organisation venture guests may see.
    "org_shared_a": (ORGANISATION, "member_a2", {}, {"a"}),
    "shared_b": (SETS, "member_b", {"member_a2": MEMBER}, {"b"}),
    "private_b": (PRIVATE, "member_b", {}, set()),
    "archived": (ORGANISATION, "member_a", {}, set()),
    # The leaver turned a commitment into a card here, then left the team (and set A).
    "linked": (SETS, "member_a2", {"leaver": MEMBER}, {"a"}),
    "guest": (SETS, "guest_a", {}, {"a"}),
    # Shared into set A, then made private again: the share row stays and counts for nothing.
    "private_shared": (SETS, "member_a2", {}, {"a"}),
}
# name → venture, owner, decided (now: between the sets' last and next sessions)
CARDS: dict[str, tuple[str, str, bool]] = {
    "private_a": ("private_a", "member_a", False),
    "private_a_decided": ("private_a", "member_a", True),
    "shared_a": ("shared_a", "member_a2", True),
    "org": ("org", "member_a2", True),
    "org_shared_a": ("org_shared_a", "member_a2", False),
    "shared_b_by_a2": ("shared_b", "member_a2", True),
    "shared_b": ("shared_b", "member_b", True),
    "private_b": ("private_b", "member_b", False),
    "archived": ("archived", "member_a", False),
    "guest": ("guest", "guest_a", True),
    "private_shared": ("private_shared", "member_a2", True),
}
# name → card (or None for a review of the whole board), venture, reviewer above the team
REVIEWS: dict[str, tuple[str | None, str, str]] = {
    "private_a_card": ("private_a", "private_a", "manager_with"),
    "private_a_board": (None, "private_a", "manager_with"),
    "shared_a_card": ("shared_a", "shared_a", "boss"),
    "linked_card": ("linked", "linked", "boss"),
    "shared_b_card": ("shared_b", "shared_b", "manager_b"),
}


def seed(world: World) -> None:
    made = {name: _venture(world, name) for name in VENTURES}
    for name, (venture, owner, decided) in CARDS.items():
        _card(world, name, made[venture], venture, owner, decided=decided)
    _linked_commitment(world, made["linked"])
    for name, (card, venture, reviewer) in REVIEWS.items():
        _review(world, name, card, made[venture], reviewer)
        world.reviews[name] = venture
    # Changes after the fact, each of which must take effect everywhere at once.
    made["private_shared"].visibility = world.ventures["private_shared"].visibility = PRIVATE
    leaver = venture_rows.membership(made["linked"].id, world.persons["leaver"].id)
    assert leaver is not None
    ventures.remove_team_member(made["linked"], leaver, by=world.people["member_a2"])
    del world.ventures["linked"].team["leaver"]
    ventures.archive_venture(made["archived"], by=world.people["member_a"], now=world.now)
    world.ventures["archived"].archived = True
    _deleted(world)
    db.session.flush()


def _venture(world: World, name: str) -> Venture:
    visibility, owner, others, shares = VENTURES[name]
    venture = ventures.create_venture(
        title=world.mark("venture", name, "title"),
        problem=world.mark("venture", name, "problem"),
        customer=world.mark("venture", name, "customer"),
        stage=Stage.PROBLEM,
        visibility=visibility,
        by=world.people[owner],
        now=world.now,
    )
    db.session.flush()
    for person, role in others.items():
        ventures.set_team_role(venture, world.people[person], role, by=world.people[owner])
    set_ids = {world.sets[set_name].id for set_name in shares}
    ventures.share_into(venture, set_ids, set_ids, by=world.people[owner])
    db.session.flush()
    world.ventures[name] = VentureFacts(
        venture.id, visibility, {owner: TeamRole.OWNER, **others}, set(shares)
    )
    return venture


def _card(
    world: World,
    name: str,
    venture: Venture,
    venture_name: str,
    owner: str,
    *,
    decided: bool,
) -> None:
    by = world.people[owner]
    fields = ventures.CardFields(
        title=world.mark("experiment", name, "title"),
        hypothesis=world.mark("experiment", name, "hypothesis"),
        success_criterion="Three of ten say yes",
        starts_on=world.today - timedelta(days=3),
        ends_on=world.today + timedelta(days=11),
        # Money asked for: the card waits in its reviewers' queue.
        cost_requested=Decimal(0 if decided else 250),
    )
    card = ventures.create_experiment(venture, fields, owner=by, by=by, now=world.now)
    if decided:
        ventures.move(card, Column.RUNNING, version=card.version, by=by, now=world.now)
        db.session.flush()
        learning = ventures.LearningCard(
            observation="Seven of ten said yes",
            learning=world.mark("experiment", name, "learning"),
            evidence_data="10 interviews",
            decision=Decision.PERSEVERE,
        )
        ventures.decide(card, learning, version=card.version, by=by, now=world.now)
    db.session.flush()
    world.experiments[name] = (card.id, venture_name)


def _linked_commitment(world: World, venture: Venture) -> None:
    """The leaver's commitment from set A, turned into a card on a board of set A."""
    action = db.session.get(Action, world.actions["old"][0])
    assert action is not None
    card = ventures.experiment_from_action(
        action, venture, by=world.people["leaver"], now=world.now
    )
    # Its own title, so the action's marker stays the action's.
    card.title = world.mark("experiment", "linked", "title")
    db.session.flush()
    world.experiments["linked"] = (card.id, "linked")


def _review(world: World, name: str, card: str | None, venture: Venture, reviewer: str) -> None:
    comment = world.mark("review", name, "comment")
    by = world.people[reviewer]
    if card is None:
        reviews.review_board(venture, tag=ReviewTag.CHALLENGE, comment=comment, by=by)
    else:
        experiment = db.session.get(Experiment, world.experiments[card][0])
        assert experiment is not None
        reviews.review_card(
            experiment,
            tag=ReviewTag.SUPPORT,
            comment=comment,
            budget=None,
            version=experiment.version,
            by=by,
            now=world.now,
        )
    db.session.flush()


def _deleted(world: World) -> None:
    """A venture started and deleted: nobody may read its title anywhere any more."""
    venture = ventures.create_venture(
        title=world.mark("venture", "deleted", "title"),
        problem="",
        customer="",
        stage=Stage.IDEA,
        visibility=ORGANISATION,
        by=world.people["member_a"],
        now=world.now,
    )
    db.session.flush()
    world.ventures["deleted"] = VentureFacts(venture.id, ORGANISATION, {}, deleted=True)
    ventures.delete_venture(venture, by=world.people["member_a"])
