"""Cards written straight into the database (the index follows every flush): for tests of
matching, ranking, snippets, filters and paging, where the services' rules are beside the
point."""

from __future__ import annotations

from datetime import UTC, datetime

from intrapreneur.experiments.models import Column, Decision, Evidence, Experiment, Venture
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person


def learning_card(
    venture: Venture,
    owner: Person,
    title: str,
    learning: str,
    *,
    decision: Decision = Decision.PERSEVERE,
    evidence: Evidence = Evidence.SAY,
    decided_at: datetime | None = None,
    hypothesis: str = "",
) -> Experiment:
    card = Experiment(
        venture_id=venture.id,
        owner_id=owner.id,
        title=title,
        hypothesis=hypothesis,
        column=Column.DECIDED,
        evidence=evidence,
        observation="",
        learning=learning,
        decision=decision,
        decided_at=decided_at or datetime.now(UTC),
    )
    db.session.add(card)
    db.session.flush()
    return card
