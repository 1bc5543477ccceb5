"""The learning library as each persona reads it: only what the boards' own rule lets them
see, grouped by riskiest assumption and decision, filtered, paged, in a constant number of
statements however many learnings there are."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from intrapreneur.experiments.models import (
    Assumption,
    Column,
    Decision,
    Evidence,
    Venture,
    VentureShare,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Department, Person, Role
from tests.conftest import sign_in_as
from tests.experiments.builders import learning_set, venture_for
from tests.experiments.library.builders import DECIDED_AT, learning

URL = "/library"


def text(response: Any) -> str:
    """The page's words: tags dropped, entities decoded, whitespace collapsed."""
    words = re.sub(r"<[^>]*>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(words).split())


def read(client: FlaskClient, person: Person, query: str = "") -> Any:
    sign_in_as(client, person)
    return client.get(URL + query)


def shared_into(venture: Venture, *sets: Any) -> Venture:
    for learning_set_ in sets:
        db.session.add(VentureShare(venture_id=venture.id, set_id=learning_set_.id))
    db.session.flush()
    return venture


class World:
    """Olga (employee, reporting to Bea the manager) owns four ventures: private, shared into
    the Aurora set, shared into the Borealis set, shared with the organisation; each has one
    decided learning. Sam and Gus (a guest) are in Aurora, Eve in Borealis; Hana is HR;
    Gus has a private venture of his own. An undecided card never counts."""

    def __init__(self, make_person: Callable[..., Person], make_guest: Callable[..., Person]):
        self.bea = make_person(Role.MANAGER, display_name="Bea Boss")
        self.olga = make_person(display_name="Olga Owner", manager=self.bea)
        self.eve = make_person(display_name="Eve Elsewhere")
        self.hana = make_person(Role.HR, display_name="Hana HR")
        self.sam = make_person(display_name="Sam Setmember")
        self.gus = make_guest(display_name="Gus Guest")
        aurora = learning_set(self.sam, self.gus, name="Aurora")
        borealis = learning_set(self.eve, name="Borealis")
        olga = self.olga
        ventures = {
            "Private": venture_for(olga, "Private vans", visibility=Visibility.PRIVATE),
            "Aurora": shared_into(
                venture_for(olga, "Aurora depot", visibility=Visibility.SETS), aurora
            ),
            "Borealis": shared_into(
                venture_for(olga, "Borealis bikes", visibility=Visibility.SETS), borealis
            ),
            "Organisation": venture_for(olga, "Open canteen", visibility=Visibility.ORGANISATION),
        }
        for name, venture in ventures.items():
            learning(venture, olga, f"{name} learning")
        learning(venture_for(self.gus, "Gus's kiosk"), self.gus, "Gus learning")
        learning(ventures["Organisation"], olga, "Still running", column=Column.RUNNING)
        db.session.commit()


@pytest.fixture
def world(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    return World(make_person, make_guest)


ALL = {"Private", "Aurora", "Borealis", "Organisation", "Gus"}
SEES = {
    "olga": {"Private", "Aurora", "Borealis", "Organisation"},  # her team's
    "bea": {"Private", "Aurora", "Borealis", "Organisation"},  # her report's, private too
    "eve": {"Borealis", "Organisation"},
    "hana": {"Organisation"},  # HR: what any employee sees, no more
    "sam": {"Aurora", "Organisation"},
    "gus": {"Aurora", "Gus"},  # a guest: his sets' and his own, never the organisation's
}


@pytest.mark.parametrize("persona", sorted(SEES))
def test_each_persona_reads_only_the_learnings_they_may_see(
    client: FlaskClient, world: World, persona: str
) -> None:
    page = read(client, getattr(world, persona))

    assert page.status_code == 200
    words = text(page)
    shown = {name for name in ALL if f"{name} learning" in words}
    assert shown == SEES[persona]
    assert f"What {sorted(SEES[persona])[0]} learning taught us." in words
    assert "Still running" not in words
    count = len(SEES[persona])
    assert (f"{count} learnings" if count > 1 else "1 learning") in words


def test_the_chart_and_its_table_count_only_what_the_reader_may_see(
    client: FlaskClient, world: World
) -> None:
    page = read(client, world.eve).get_data(as_text=True)

    figure = re.search(r'id="library-chart-figure"[^>]*>(.*?)</script>', page, re.S)
    assert figure is not None
    bars = {trace["name"]: trace["y"] for trace in json.loads(figure.group(1))["data"]}
    assert bars["Persevere"] == [2, 0, 0]  # Borealis and Organisation, both desirability
    assert sum(sum(ys) for ys in bars.values()) == 2
    assert "Private" not in figure.group(1)


def test_no_one_signed_out_reads_the_library(client: FlaskClient, world: World) -> None:
    answer = client.get(URL)

    assert answer.status_code == 302
    assert "/sign-in" in answer.location


def test_the_navigation_offers_the_library_to_employees_and_guests(
    client: FlaskClient, world: World
) -> None:
    for person in (world.olga, world.hana, world.gus):
        sign_in_as(client, person)
        assert 'href="/library"' in client.get("/").get_data(as_text=True)


def test_an_empty_library_says_what_to_do_next(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    page = text(read(client, make_person()))

    assert "No learnings to show yet." in page
    assert "Go to your ventures and decide a card" in page
    assert "library-chart" not in page


# -- grouping ------------------------------------------------------------------------------


def test_learnings_are_grouped_by_assumption_then_decision_newest_first(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    owner = make_person(display_name="Olga Owner")
    venture = venture_for(owner, "Open canteen", visibility=Visibility.ORGANISATION)
    cards = [
        ("V kill", Assumption.VIABILITY, Decision.KILL, 0),
        ("D pivot", Assumption.DESIRABILITY, Decision.PIVOT, 0),
        ("D persevere old", Assumption.DESIRABILITY, Decision.PERSEVERE, 5),
        ("F test again", Assumption.FEASIBILITY, Decision.TEST_AGAIN, 0),
        ("D persevere new", Assumption.DESIRABILITY, Decision.PERSEVERE, 1),
        ("F persevere", Assumption.FEASIBILITY, Decision.PERSEVERE, 0),
    ]
    for title, assumption, decision, days_ago in cards:
        decided_at = DECIDED_AT - timedelta(days=days_ago)
        learning(
            venture, owner, title, assumption=assumption, decision=decision, decided_at=decided_at
        )
    db.session.commit()

    page = text(read(client, make_person()))

    order = [
        "Riskiest assumption: Desirability",
        "Persevere (2 in all)",
        "D persevere new",
        "D persevere old",
        "Pivot (1 in all)",
        "D pivot",
        "Riskiest assumption: Feasibility",
        "F persevere",
        "Test again (1 in all)",
        "F test again",
        "Riskiest assumption: Viability",
        "Kill (1 in all)",
        "V kill",
    ]
    positions = [page.index(words) for words in order]
    assert positions == sorted(positions)
    entry = "Open canteen · decided 10 Mar 2027 · evidence: what people say (weakest)"
    assert entry in page
    assert 'href="/experiments/' in read(client, owner).get_data(as_text=True)


# -- filters -------------------------------------------------------------------------------


class Spread:
    """Learnings on one organisation-wide venture, by owners in two departments of two units."""

    def __init__(self, make_person: Callable[..., Person]) -> None:
        retail, wholesale = BusinessUnit(name="Retail"), BusinessUnit(name="Wholesale")
        finance = Department(name="Finance", business_unit=retail)
        logistics = Department(name="Logistics", business_unit=wholesale)
        db.session.add_all([finance, logistics])
        db.session.flush()
        self.finance, self.retail, self.wholesale = finance, retail, wholesale
        self.fay = make_person(display_name="Fay", department=finance, business_unit=retail)
        self.lou = make_person(display_name="Lou", department=logistics, business_unit=wholesale)
        venture = venture_for(self.fay, "Open canteen", visibility=Visibility.ORGANISATION)
        learning(venture, self.fay, "Fay kill pay", decision=Decision.KILL, evidence=Evidence.PAY)
        learning(
            venture,
            self.lou,
            "Lou pivot do",
            decision=Decision.PIVOT,
            evidence=Evidence.DO,
            assumption=Assumption.VIABILITY,
            decided_at=DECIDED_AT - timedelta(days=40),
        )
        learning(venture, self.lou, "Lou persevere say", decided_at=DECIDED_AT + timedelta(days=3))
        # A private venture's department is not offered to those who cannot see it.
        hidden = Department(name="Secret lab", business_unit=retail)
        db.session.add(hidden)
        db.session.flush()
        hider = make_person(display_name="Hidden", department=hidden)
        learning(venture_for(hider, "Hidden project"), hider, "Hidden learning")
        self.reader = make_person(display_name="Reader")
        db.session.commit()


@pytest.fixture
def spread(make_person: Callable[..., Person]) -> Spread:
    return Spread(make_person)


def titles(response: Any) -> set[str]:
    words = text(response)
    names = ("Fay kill pay", "Lou pivot do", "Lou persevere say", "Hidden learning")
    return {name for name in names if name in words}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Fay kill pay", "Lou pivot do", "Lou persevere say"}),
        ("?decision=kill", {"Fay kill pay"}),
        ("?evidence=do", {"Lou pivot do"}),
        ("?assumption=viability", {"Lou pivot do"}),
        ("?since=2027-03-01", {"Fay kill pay", "Lou persevere say"}),
        ("?since=2027-03-01&until=2027-03-10", {"Fay kill pay"}),
        ("?until=2027-02-28", {"Lou pivot do"}),
        ("?decision=persevere&evidence=pay", set()),
    ],
)
def test_filters_narrow_the_library(
    client: FlaskClient, spread: Spread, query: str, expected: set[str]
) -> None:
    answer = read(client, spread.reader, query)

    assert answer.status_code == 200
    assert titles(answer) == expected
    if not expected:
        assert "No learnings match these filters." in text(answer)


def test_department_and_business_unit_filters_read_the_owners(
    client: FlaskClient, spread: Spread
) -> None:
    by_department = read(client, spread.reader, f"?department={spread.finance.id}")
    by_unit = read(client, spread.reader, f"?business_unit={spread.wholesale.id}")

    assert titles(by_department) == {"Fay kill pay"}
    assert titles(by_unit) == {"Lou pivot do", "Lou persevere say"}
    offered = text(by_department)
    assert "Finance (Retail)" in offered and "Logistics (Wholesale)" in offered
    assert "Secret lab" not in offered  # only the owner (and her manager) see that venture


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("?decision=maybe", "Not a valid choice"),
        ("?department=987654", "Not a valid choice"),
        ("?since=yesterday", "Enter a date as YYYY-MM-DD"),
        ("?since=2027-03-10&until=2027-03-01", "Choose a day on or after the “From” day."),
    ],
)
def test_a_filter_not_understood_is_refused_with_its_reason(
    client: FlaskClient, spread: Spread, query: str, reason: str
) -> None:
    answer = read(client, spread.reader, query)

    assert answer.status_code == 400
    page = text(answer)
    assert reason in page
    assert "Correct the filters above to see the learnings." in page
    assert titles(answer) == set()


def test_the_hidden_departments_id_is_refused_like_any_unknown_one(
    client: FlaskClient, spread: Spread
) -> None:
    hidden = db.session.scalar(db.select(Department.id).where(Department.name == "Secret lab"))

    answer = read(client, spread.reader, f"?department={hidden}")

    assert answer.status_code == 400
    assert "Hidden learning" not in text(answer)


# -- paging and cost -----------------------------------------------------------------------


def many_learnings(
    make_person: Callable[..., Person], ventures: int, per_venture: int, first: int = 0
) -> None:
    """Organisation-wide ventures, each with its own owner in a department of their own."""
    decisions, assumptions = list(Decision), list(Assumption)
    for number in range(first, first + ventures):
        department = Department(name=f"Department {number}")
        db.session.add(department)
        db.session.flush()
        owner = make_person(department=department)
        venture = venture_for(owner, f"Venture {number}", visibility=Visibility.ORGANISATION)
        for card in range(per_venture):
            learning(
                venture,
                owner,
                f"Card {number}-{card}",
                decision=decisions[card % len(decisions)],
                assumption=assumptions[number % len(assumptions)],
                decided_at=DECIDED_AT - timedelta(hours=number * per_venture + card),
            )
    db.session.commit()


def test_the_library_pages_through_its_entries_keeping_the_filters(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    many_learnings(make_person, ventures=3, per_venture=12)  # 36: 9 kills
    reader = make_person()

    first = text(read(client, reader))
    second = text(read(client, reader, "?page=2"))
    kills = read(client, reader, "?decision=kill").get_data(as_text=True)

    assert first.count("What Card") == 25 and second.count("What Card") == 11
    assert "Page 1 of 2 (36 in all)" in first
    # A group cut by the page break is headed again on the next page.
    assert "Riskiest assumption:" in second
    assert "Page 1 of" not in kills  # 9 kills: one page
    assert html.unescape(kills).count("What Card") == 9


def test_a_large_library_costs_no_more_statements_than_a_small_one(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Any
) -> None:
    reader = make_person()
    many_learnings(make_person, ventures=2, per_venture=2)
    sign_in_as(client, reader)
    with count_queries() as small:
        assert client.get(URL).status_code == 200

    many_learnings(make_person, ventures=40, per_venture=5, first=2)
    with count_queries() as large:
        page = client.get(URL + "?per_page=100")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("What Card") == 100

    assert large.total == small.total
    assert large.total <= 14
