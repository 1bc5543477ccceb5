"""Reads for the sponsor portfolio: the programme's ventures in figures, each aggregated in
SQL (GROUP BY), a fixed number of statements whatever the portfolio's size.

Definitions (README, "Sponsor portfolio"):

* A venture's **business unit** and **cohorts** are its creator's: the unit they work in
  now, and the cohorts they were accepted into. The filters narrow by these.
* The **period** (from, to: UTC days, both optional) counts each event on its day: a card's
  request on the day the card was made, an approval on its review's day, a decision on its
  day, a review on its day. The funnel (stages, board columns) is today's, of the ventures
  started by the period's end.
* **Funding**: *requested* is the money and person-days cards ask for; *approved* is what
  managers' reviews approved. The data model has no separate release step: an approval
  releases its amount at once (funding is released in steps, card by card), so approved is
  what was released, and the page says "approved (released)". *Refused* and *awaiting
  decision* are the requests of cards whose request was refused or is not decided yet.
* **Evidence behind a release**: a card that grows out of an earlier one asks for money
  against that card's learning; the evidence type (say < do < pay) of its decided parent.
  A release to a card that grows from no decided card is "no earlier decision".
* **Time to decision**: days from a card's creation to its decision, as the culture figures
  count it (``culture.behaviour.decisions``).

Visibility: every figure counts every venture in the filters, and per-venture rows list
only the ventures the reader may see under the boards' own rule (``queries.visible_to``);
the others are counted in the totals and named nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select, true
from sqlalchemy.orm import aliased

from intrapreneur.core.sql import count_if, days_between, utc_day, utc_month
from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    Review,
    ReviewTag,
    Stage,
    Venture,
)
from intrapreneur.experiments.portfolio.figures import (
    ZERO,
    DecisionMonth,
    Decisions,
    EvidenceRow,
    Funding,
    FundingMonth,
    Money,
    Portfolio,
    PortfolioFilters,
    UnitBalance,
    VentureRow,
)
from intrapreneur.experiments.queries import visible_to
from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Person
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus, Programme

# Made once: an alias made per call is costly to build and to key in the statement cache.
CARD, PARENT, CREATOR = aliased(Experiment), aliased(Experiment), aliased(Person)
# Per-venture rows: the ventures the reader may see that asked for the most money.
LISTED = 25

# -- conditions ------------------------------------------------------------------------------


def in_scope(filters: PortfolioFilters) -> ColumnElement[bool]:
    """The ventures the filters select (their creator's cohort and unit, started by the
    period's end)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.cohort_id is not None:
        accepted = select(Enrolment.person_id).where(
            Enrolment.cohort_id == filters.cohort_id,
            Enrolment.status == EnrolmentStatus.ACCEPTED,
        )
        conditions.append(Venture.created_by_id.in_(accepted))
    if filters.business_unit_id is not None:
        in_unit = select(Person.id).where(Person.business_unit_id == filters.business_unit_id)
        conditions.append(Venture.created_by_id.in_(in_unit))
    if filters.until is not None:
        conditions.append(utc_day(Venture.created_at) <= filters.until)
    return and_(true(), *conditions)


def in_period(moment: Any, filters: PortfolioFilters) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conditions.append(utc_day(moment) >= filters.since)
    if filters.until is not None:
        conditions.append(utc_day(moment) <= filters.until)
    return and_(true(), *conditions)


def _sum(value: Any, condition: ColumnElement[bool] | None = None) -> Any:
    summed = value if condition is None else case((condition, value), else_=0)
    return func.coalesce(func.sum(summed), 0)


def _decided(filters: PortfolioFilters) -> ColumnElement[bool]:
    return Experiment.decided_at.is_not(None) & in_period(Experiment.decided_at, filters)


def _approved(filters: PortfolioFilters) -> ColumnElement[bool]:
    return Review.budget_approved.is_(True) & in_period(Review.created_at, filters)


# -- the statements (the benchmark runs them bare) ---------------------------------------------


def statements(
    reader: Person | None, filters: PortfolioFilters, today: date
) -> dict[str, Select[Any]]:
    """Every statement the page runs, by name: each a GROUP BY or one aggregate row; the
    per-venture rows (and their count) only for a reader, whose eyes they are for."""
    scope = in_scope(filters)
    cards = select().select_from(Experiment).join(Venture, Venture.id == Experiment.venture_id)
    reviews = select().select_from(Review).join(Venture, Venture.id == Review.venture_id)
    requested_now = in_period(Experiment.created_at, filters)
    found = {
        "stages": select(Venture.stage, func.count()).where(scope).group_by(Venture.stage),
        "columns": cards.add_columns(Experiment.column, func.count())
        .where(scope)
        .group_by(Experiment.column),
        "requests": cards.add_columns(
            _sum(Experiment.cost_requested),
            _sum(Experiment.days_requested),
            _sum(Experiment.cost_requested, Experiment.budget_approved.is_(False)),
            _sum(Experiment.days_requested, Experiment.budget_approved.is_(False)),
            _sum(Experiment.cost_requested, Experiment.budget_approved.is_(None)),
            _sum(Experiment.days_requested, Experiment.budget_approved.is_(None)),
        ).where(scope, requested_now),
        "approvals": reviews.add_columns(
            func.count(Review.id), _sum(Review.approved_cost), _sum(Review.approved_days)
        ).where(scope, _approved(filters)),
        "requested_months": _by_month(
            cards, Experiment.created_at, Experiment.cost_requested, scope, requested_now
        ),
        "approved_months": _by_month(
            reviews, Review.created_at, Review.approved_cost, scope, _approved(filters)
        ),
        "evidence": _evidence(reviews, scope, filters),
        "decisions": cards.add_columns(
            func.count(Experiment.id),
            *(count_if(Experiment.decision == decision) for decision in Decision),
            func.avg(days_between(Experiment.created_at, Experiment.decided_at)),
        ).where(scope, _decided(filters)),
        "decision_months": cards.add_columns(
            decided_month := utc_month(Experiment.decided_at),
            func.count(Experiment.id),
            func.avg(days_between(Experiment.created_at, Experiment.decided_at)),
        )
        .where(scope, _decided(filters))
        .group_by(decided_month)
        .order_by(decided_month),
        "units": _units(reviews, scope, filters),
    }
    if reader is not None:
        seen = visible_to(reader, today)
        found["visible"] = select(func.count(Venture.id)).where(scope, seen)
        found["rows"] = _venture_rows(scope, filters, seen)
    return found


def _by_month(
    base: Select[Any], moment: Any, amount: Any, *conditions: ColumnElement[bool]
) -> Select[Any]:
    month = utc_month(moment)  # grouped by the expression: a label by name is slow to find
    return base.add_columns(month, _sum(amount)).where(*conditions).group_by(month).order_by(month)


def _evidence(reviews: Select[Any], scope: Any, filters: PortfolioFilters) -> Select[Any]:
    card, parent = CARD, PARENT
    behind = case((parent.decided_at.is_not(None), parent.evidence), else_=None)
    return (
        reviews.add_columns(
            behind.label("behind"),
            func.count(Review.id),
            _sum(Review.approved_cost),
            _sum(Review.approved_days),
        )
        .join(card, card.id == Review.experiment_id)
        .outerjoin(parent, parent.id == card.parent_id)
        .where(scope, _approved(filters))
        .group_by(behind)
    )


def _units(reviews: Select[Any], scope: Any, filters: PortfolioFilters) -> Select[Any]:
    creator = CREATOR
    return (
        reviews.add_columns(
            BusinessUnit.name,
            count_if(Review.tag == ReviewTag.SUPPORT),
            count_if(Review.tag == ReviewTag.CHALLENGE),
        )
        .outerjoin(creator, creator.id == Venture.created_by_id)
        .outerjoin(BusinessUnit, BusinessUnit.id == creator.business_unit_id)
        .where(scope, in_period(Review.created_at, filters))
        .group_by(BusinessUnit.id, BusinessUnit.name)
        .order_by(BusinessUnit.name)
    )


def _venture_rows(scope: Any, filters: PortfolioFilters, seen: Any) -> Select[Any]:
    """The ventures the reader may see, with their figures: three GROUP BYs joined."""
    requested_now, decided = in_period(Experiment.created_at, filters), _decided(filters)
    cards = (
        select(
            Experiment.venture_id,
            _sum(Experiment.cost_requested, requested_now).label("cost"),
            _sum(Experiment.days_requested, requested_now).label("days"),
            count_if(decided).label("decided"),
            count_if(decided & (Experiment.decision == Decision.KILL)).label("kills"),
            count_if(decided & (Experiment.decision == Decision.PIVOT)).label("pivots"),
            func.avg(
                case((decided, days_between(Experiment.created_at, Experiment.decided_at)))
            ).label("mean_days"),
        )
        .group_by(Experiment.venture_id)
        .subquery("cards")
    )
    approved = (
        select(
            Review.venture_id,
            _sum(Review.approved_cost).label("cost"),
            _sum(Review.approved_days).label("days"),
        )
        .where(_approved(filters))
        .group_by(Review.venture_id)
        .subquery("approved")
    )
    requested_cost = func.coalesce(cards.c.cost, 0)
    return (
        select(
            Venture.id,
            Venture.title,
            Venture.stage,
            requested_cost,
            func.coalesce(cards.c.days, 0),
            func.coalesce(approved.c.cost, 0),
            func.coalesce(approved.c.days, 0),
            func.coalesce(cards.c.decided, 0),
            func.coalesce(cards.c.kills, 0),
            func.coalesce(cards.c.pivots, 0),
            cards.c.mean_days,
        )
        .outerjoin(cards, cards.c.venture_id == Venture.id)
        .outerjoin(approved, approved.c.venture_id == Venture.id)
        .where(scope, seen)
        .order_by(requested_cost.desc(), Venture.title, Venture.id)
        .limit(LISTED)
    )


# -- the portfolio ---------------------------------------------------------------------------


def _money(cost: Any, days: Any) -> Money:
    return Money(Decimal(cost or 0), Decimal(days or 0))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def portfolio(reader: Person | None, filters: PortfolioFilters, today: date) -> Portfolio:
    """The figures for ``filters``; per-venture rows only for a reader, of the ventures they
    may see (the digest, written once for every sponsor, has none)."""
    found = statements(reader, filters, today)
    run = db.session.execute
    requests = run(found["requests"]).one()
    approvals, approved_cost, approved_days = run(found["approvals"]).one()
    decided, *counts, mean_days = run(found["decisions"]).one()
    rows = (
        [
            VentureRow(
                row[0],
                row[1],
                row[2],
                _money(row[3], row[4]),
                _money(row[5], row[6]),
                int(row[7]),
                int(row[8]),
                int(row[9]),
                _float(row[10]),
            )
            for row in run(found["rows"])
        ]
        if "rows" in found
        else []
    )
    return Portfolio(
        filters=filters,
        by_stage=dict.fromkeys(Stage, 0) | dict(run(found["stages"]).all()),
        by_column=dict.fromkeys(Column, 0) | dict(run(found["columns"]).all()),
        funding=Funding(
            requested=_money(requests[0], requests[1]),
            approved=_money(approved_cost, approved_days),
            refused=_money(requests[2], requests[3]),
            awaiting=_money(requests[4], requests[5]),
            approvals=approvals,
        ),
        months=_funding_months(run(found["requested_months"]), run(found["approved_months"])),
        evidence=[
            EvidenceRow(behind, releases, _money(cost, days))
            for behind, releases, cost, days in run(found["evidence"])
        ],
        decisions=Decisions(
            decided, {d: int(n) for d, n in zip(Decision, counts, strict=True)}, _float(mean_days)
        ),
        decision_months=[
            DecisionMonth(month, count, _float(days))
            for month, count, days in run(found["decision_months"])
        ],
        units=[UnitBalance(name, int(s), int(c)) for name, s, c in run(found["units"])],
        rows=rows,
        visible=run(found["visible"]).scalar_one() if "visible" in found else 0,
    )


def _funding_months(
    requested: Iterable[tuple[str, Any]], approved: Iterable[tuple[str, Any]]
) -> list[FundingMonth]:
    """Month by month, with the running totals (a few dozen rows, added up here)."""
    asked = {month: Decimal(amount or 0) for month, amount in requested}
    given = {month: Decimal(amount or 0) for month, amount in approved}
    months, asked_so_far, given_so_far = [], ZERO, ZERO
    for month in sorted(set(asked) | set(given)):
        asked_so_far += asked.get(month, ZERO)
        given_so_far += given.get(month, ZERO)
        months.append(
            FundingMonth(
                month,
                asked.get(month, ZERO),
                given.get(month, ZERO),
                asked_so_far,
                given_so_far,
            )
        )
    return months


# -- the filters' choices ----------------------------------------------------------------------


def cohort_choices() -> list[tuple[int, str]]:
    """Every cohort, newest first, named with its programme."""
    return [
        (cohort_id, f"{programme} · {name}")
        for cohort_id, name, programme in db.session.execute(
            select(Cohort.id, Cohort.name, Programme.name)
            .join(Programme, Programme.id == Cohort.programme_id)
            .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        )
    ]


def unit_choices() -> list[tuple[int, str]]:
    return [
        (unit_id, name)
        for unit_id, name in db.session.execute(
            select(BusinessUnit.id, BusinessUnit.name).order_by(BusinessUnit.name)
        )
    ]
