"""A small portfolio, written as plain rows with their dates, and what it should show,
worked out here from the same lists by plain Python (never by the app's queries).

Ventures: two open to the organisation, two private (one of them the attacker's target,
whose title and text must never reach a sponsor who may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from intrapreneur.experiments.models import (
    Column,
    Decision,
    Evidence,
    Experiment,
    Review,
    ReviewTag,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Person, Role
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme

SECRET_TITLE = "Secret Falcon xq17"
SECRET_TEXT = "falcon-problem-zz41"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


# name: (title, creator, visibility, stage, created)
VENTURES = {
    "v1": ("Ann's open venture", "ann", Visibility.ORGANISATION, Stage.SOLUTION, "2026-09-01"),
    "v2": (SECRET_TITLE, "ann", Visibility.PRIVATE, Stage.BUSINESS, "2026-09-05"),
    "v3": ("Bob's open venture", "bob", Visibility.ORGANISATION, Stage.PROBLEM, "2026-10-01"),
    "v4": ("Cy's idea", "cy", Visibility.PRIVATE, Stage.IDEA, "2026-11-01"),
}


@dataclass(frozen=True)
class Card:
    venture: str
    created: str
    column: Column
    cost: str = "0"
    days: str = "0"
    approved: bool | None = None
    decision: Decision | None = None
    decided: str | None = None
    evidence: Evidence = Evidence.SAY
    parent: str | None = None


CARDS = {
    "e1": Card("v1", "2026-09-02", Column.DECIDED, "1000", "2", True, Decision.PERSEVERE,
               "2026-09-12", Evidence.DO),
    "e2": Card("v1", "2026-09-15", Column.RUNNING, "5000", "5", True, parent="e1"),
    "e3": Card("v2", "2026-09-06", Column.DECIDED, "2000", "0", False, Decision.KILL,
               "2026-09-26", Evidence.SAY),
    "e4": Card("v2", "2026-10-01", Column.DESIGNING, "800", "1", parent="e3"),
    "e5": Card("v3", "2026-10-02", Column.DECIDED, decision=Decision.PIVOT,
               decided="2026-10-07", evidence=Evidence.PAY),
    "e6": Card("v3", "2026-10-10", Column.RUNNING, "4000", "1", True, parent="e5"),
    "e7": Card("v4", "2026-11-02", Column.BACKLOG, "300", "0"),
}  # fmt: skip

# name: (venture, card or None for the board, tag, day, approved, cost, days)
REVIEWS = {
    "r1": ("v1", "e1", ReviewTag.SUPPORT, "2026-09-03", True, "1000", "2"),
    "r2": ("v1", "e2", ReviewTag.CHALLENGE, "2026-09-16", True, "3000", "4"),
    "r3": ("v2", "e3", ReviewTag.CHALLENGE, "2026-09-07", False, "0", "0"),
    "r4": ("v3", "e6", ReviewTag.SUPPORT, "2026-10-12", True, "4000", "1"),
    "r5": ("v3", None, ReviewTag.SUPPORT, "2026-10-20", None, "0", "0"),
    "r6": ("v4", None, ReviewTag.CHALLENGE, "2026-11-03", None, "0", "0"),
}
UNITS = {"ann": "Retail", "bob": "Wholesale", "cy": None}
COHORTS = {"ann": "Autumn", "bob": "Winter", "cy": None}


@dataclass
class Built:
    people: dict[str, Person] = field(default_factory=dict)
    ventures: dict[str, Venture] = field(default_factory=dict)
    units: dict[str, BusinessUnit] = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)


def build(make_person: Callable[..., Person], again: str = "") -> Built:
    """The portfolio; ``again`` names a second copy's units and cohorts apart."""
    built = Built()
    programme = Programme(name="Ignite" + again)
    for name in ("Autumn", "Winter"):
        built.cohorts[name] = Cohort(
            programme=programme,
            name=name + again,
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 3, 1),
        )
    for name in ("Retail", "Wholesale"):
        built.units[name] = BusinessUnit(name=name + again)
    db.session.add_all([*built.cohorts.values(), *built.units.values()])
    db.session.flush()
    for name, unit in UNITS.items():
        person = make_person(
            display_name=f"{name} maker",
            business_unit_id=built.units[unit].id if unit else None,
        )
        built.people[name] = person
        if COHORTS[name]:
            db.session.add(
                Enrolment(
                    cohort=built.cohorts[COHORTS[name]],
                    person_id=person.id,
                    status=EnrolmentStatus.ACCEPTED,
                )
            )
    built.people["sponsor"] = make_person(Role.SPONSOR, display_name="Sally Sponsor")
    for name, (title, creator, visibility, stage, day) in VENTURES.items():
        venture = Venture(
            title=title,
            problem=SECRET_TEXT if name == "v2" else f"The problem of {name}",
            stage=stage,
            visibility=visibility,
            created_by_id=built.people[creator].id,
            created_at=at(day),
        )
        db.session.add(venture)
        db.session.flush()
        db.session.add(
            VentureMember(
                venture_id=venture.id, person_id=built.people[creator].id, role=TeamRole.OWNER
            )
        )
        built.ventures[name] = venture
    cards: dict[str, Experiment] = {}
    for name, card in CARDS.items():
        experiment = Experiment(
            venture_id=built.ventures[card.venture].id,
            owner_id=built.ventures[card.venture].created_by_id,
            title=f"Card {name}" + (f" of {SECRET_TITLE}" if card.venture == "v2" else ""),
            column=card.column,
            cost_requested=Decimal(card.cost),
            days_requested=Decimal(card.days),
            budget_approved=card.approved,
            decision=card.decision,
            decided_at=at(card.decided) if card.decided else None,
            evidence=card.evidence,
            parent_id=cards[card.parent].id if card.parent else None,
            created_at=at(card.created),
        )
        db.session.add(experiment)
        db.session.flush()
        cards[name] = experiment
    for venture, card_name, tag, day, approved, cost, days in REVIEWS.values():
        db.session.add(
            Review(
                venture_id=built.ventures[venture].id,
                experiment_id=cards[card_name].id if card_name else None,
                reviewer_id=built.people["sponsor"].id,
                tag=tag,
                comment=f"About {SECRET_TITLE}" if venture == "v2" else "A review",
                budget_approved=approved,
                approved_cost=Decimal(cost),
                approved_days=Decimal(days),
                created_at=at(day),
            )
        )
    db.session.flush()
    return built


# -- what the figures should be, from the lists above --------------------------------------------


def in_filters(venture: str, unit: str | None, cohort: str | None, until: str | None) -> bool:
    _, creator, _, _, created = VENTURES[venture]
    return (
        (unit is None or UNITS[creator] == unit)
        and (cohort is None or COHORTS[creator] == cohort)
        and (until is None or created <= until)
    )


def between(day: str | None, since: str | None, until: str | None) -> bool:
    return day is not None and (since is None or day >= since) and (until is None or day <= until)


def expected(
    unit: str | None = None,
    cohort: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, object]:
    chosen = {v for v in VENTURES if in_filters(v, unit, cohort, until)}
    cards = {n: c for n, c in CARDS.items() if c.venture in chosen}
    asked = [c for c in cards.values() if between(c.created, since, until)]
    approvals = [
        r for r in REVIEWS.values() if r[0] in chosen and r[4] and between(r[3], since, until)
    ]
    decided = [c for c in cards.values() if between(c.decided, since, until)]
    behind: dict[Evidence | None, Decimal] = {}
    for review in approvals:
        parent = CARDS[review[1]].parent
        evidence = CARDS[parent].evidence if parent and CARDS[parent].decided else None
        behind[evidence] = behind.get(evidence, Decimal(0)) + Decimal(review[5])
    units: dict[str | None, list[int]] = {}
    for venture, _, tag, day, *_ in REVIEWS.values():
        if venture in chosen and between(day, since, until):
            counts = units.setdefault(UNITS[VENTURES[venture][1]], [0, 0])
            counts[tag is ReviewTag.CHALLENGE] += 1
    waits = [
        (datetime.fromisoformat(c.decided) - datetime.fromisoformat(c.created)).days
        for c in decided
        if c.decided
    ]
    return {
        "ventures": len(chosen),
        "stages": {s: sum(VENTURES[v][3] is s for v in chosen) for s in Stage},
        "columns": {col: sum(c.column is col for c in cards.values()) for col in Column},
        "requested": sum((Decimal(c.cost) for c in asked), Decimal(0)),
        "requested_days": sum((Decimal(c.days) for c in asked), Decimal(0)),
        "approved": sum((Decimal(r[5]) for r in approvals), Decimal(0)),
        "approved_days": sum((Decimal(r[6]) for r in approvals), Decimal(0)),
        "refused": sum((Decimal(c.cost) for c in asked if c.approved is False), Decimal(0)),
        "awaiting": sum((Decimal(c.cost) for c in asked if c.approved is None), Decimal(0)),
        "behind": behind,
        "decided": len(decided),
        "kills": sum(c.decision is Decision.KILL for c in decided),
        "pivots": sum(c.decision is Decision.PIVOT for c in decided),
        "mean_days": sum(waits) / len(waits) if waits else None,
        "units": {u: tuple(c) for u, c in units.items()},
    }
