"""The portfolio's figures on a built portfolio, against values worked out from the test data
(``world.expected``), under each filter; per-venture rows only for ventures the reader may see;
a fixed number of statements whatever the portfolio's size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from intrapreneur.experiments.models import Decision
from intrapreneur.experiments.portfolio.figures import Portfolio, PortfolioFilters
from intrapreneur.experiments.portfolio.queries import portfolio
from intrapreneur.identity.models import Person
from tests.experiments.portfolio import world

TODAY = date(2026, 12, 8)


@pytest.fixture
def built(make_person: Callable[..., Person]) -> world.Built:
    return world.build(make_person)


def _check(found: Portfolio, want: dict[str, Any]) -> None:
    assert found.ventures == want["ventures"]
    assert found.by_stage == want["stages"]
    assert found.by_column == want["columns"]
    assert found.funding.requested.cost == want["requested"]
    assert found.funding.requested.days == want["requested_days"]
    assert found.funding.approved.cost == want["approved"]
    assert found.funding.approved.days == want["approved_days"]
    assert found.funding.refused.cost == want["refused"]
    assert found.funding.awaiting.cost == want["awaiting"]
    assert {row.evidence: row.approved.cost for row in found.evidence} == want["behind"]
    assert found.decisions.decided == want["decided"]
    assert found.decisions.counts[Decision.KILL] == want["kills"]
    assert found.decisions.counts[Decision.PIVOT] == want["pivots"]
    if want["mean_days"] is None:
        assert found.decisions.mean_days is None
    else:
        assert found.decisions.mean_days == pytest.approx(want["mean_days"])
    assert {row.unit: (row.support, row.challenge) for row in found.units} == want["units"]


@pytest.mark.parametrize(
    "choice",
    [
        {},
        {"unit": "Retail"},
        {"unit": "Wholesale"},
        {"cohort": "Autumn"},
        {"cohort": "Winter"},
        {"since": "2026-10-01", "until": "2026-10-31"},
        {"until": "2026-09-30"},
        {"unit": "Retail", "since": "2026-09-10"},
    ],
)
def test_every_figure_matches_the_test_data_under_each_filter(
    built: world.Built, choice: dict[str, str]
) -> None:
    filters = PortfolioFilters(
        cohort_id=built.cohorts[choice["cohort"]].id if "cohort" in choice else None,
        business_unit_id=built.units[choice["unit"]].id if "unit" in choice else None,
        since=date.fromisoformat(choice["since"]) if "since" in choice else None,
        until=date.fromisoformat(choice["until"]) if "until" in choice else None,
    )
    found = portfolio(built.people["sponsor"], filters, TODAY)
    _check(found, world.expected(**choice))


def test_the_whole_portfolio_in_plain_numbers(built: world.Built) -> None:
    """The same figures written out, so a mistake in ``world.expected`` cannot hide one."""
    found = portfolio(built.people["sponsor"], PortfolioFilters(), TODAY)
    assert found.ventures == 4
    assert found.funding.requested.cost == Decimal("13100")
    assert found.funding.approved.cost == Decimal("8000")
    assert found.funding.approvals == 3
    assert found.funding.refused.cost == Decimal("2000")
    assert found.funding.awaiting.cost == Decimal("1100")
    assert found.decisions.decided == 3
    assert found.decisions.rate(Decision.KILL) == pytest.approx(1 / 3)
    assert found.decisions.mean_days == pytest.approx((10 + 20 + 5) / 3)
    assert [(m.month, m.requested, m.approved_so_far) for m in found.months] == [
        ("2026-09", Decimal("8000"), Decimal("4000")),
        ("2026-10", Decimal("4800"), Decimal("8000")),
        ("2026-11", Decimal("300"), Decimal("8000")),
    ]
    assert [(m.month, m.decided) for m in found.decision_months] == [("2026-09", 2), ("2026-10", 1)]


def test_rows_list_only_the_ventures_the_reader_may_see_and_count_the_rest(
    built: world.Built,
) -> None:
    sponsor = portfolio(built.people["sponsor"], PortfolioFilters(), TODAY)
    # The most money requested first: Ann's 6,000, Bob's 4,000.
    assert [row.title for row in sponsor.rows] == ["Ann's open venture", "Bob's open venture"]
    assert sponsor.visible == 2 and sponsor.not_listed == 2
    row = sponsor.rows[0]
    assert (row.requested.cost, row.approved.cost, row.decided) == (6000, 3000 + 1000, 1)

    # Ann is on her private venture's team: she may see it.
    ann = portfolio(built.people["ann"], PortfolioFilters(), TODAY)
    assert world.SECRET_TITLE in {row.title for row in ann.rows}
    assert ann.not_listed == 1


def test_the_digest_s_figures_need_no_reader_and_name_no_venture(built: world.Built) -> None:
    found = portfolio(None, PortfolioFilters(), TODAY)
    assert found.rows == [] and found.ventures == 4


def test_the_number_of_statements_does_not_grow_with_the_portfolio(
    built: world.Built, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    reader = built.people["sponsor"]
    with count_queries() as small:
        portfolio(reader, PortfolioFilters(), TODAY)
    world.build(make_person, " again")  # twice the ventures, cards and reviews
    with count_queries() as large:
        found = portfolio(reader, PortfolioFilters(), TODAY)
    assert found.ventures == 8
    assert large.total == small.total <= 13
