"""Decided experiments (learnings) for the library's and the digest's tests."""

from __future__ import annotations

from datetime import UTC, datetime

from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    Experiment,
    Venture,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

DECIDED_AT = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def learning(
    venture: Venture,
    owner: Person,
    title: str,
    *,
    decision: Decision = Decision.PERSEVERE,
    assumption: Assumption = Assumption.DESIRABILITY,
    evidence: Evidence = Evidence.SAY,
    decided_at: datetime = DECIDED_AT,
    learned: str | None = None,
    column: Column = Column.DECIDED,
) -> Experiment:
    """A card in Decided with its learning card, as deciding it on its page leaves it (or in
    another ``column``, undecided, to show it never counts)."""
    is_decided = column is Column.DECIDED
    experiment = Experiment(
        venture_id=venture.id,
        owner_id=owner.id,
        title=title,
        hypothesis="Shop owners would share vans.",
        assumption=assumption,
        evidence=evidence,
        column=column,
        observation="Six of ten said yes.",
        learning=(learned if learned is not None else f"What {title} taught us.")
        if is_decided
        else "",
        decision=decision if is_decided else None,
        decided_at=decided_at if is_decided else None,
        created_at=decided_at,
    )
    db.session.add(experiment)
    db.session.flush()
    return experiment
