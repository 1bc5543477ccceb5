"""Searching: stemming, ranking, snippets that carry no markup but their highlights,
filters, paging, and a page of results in a fixed number of statements."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient

from intrapreneur.experiments.models import Decision, Evidence, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import BusinessUnit, Department, Person
from intrapreneur.search import queries, text
from intrapreneur.search.models import Kind
from tests.conftest import database_url_of, sign_in_as
from tests.experiments.builders import venture_for
from tests.search.corpus import learning_card
from tests.search.pages import results_block, search, titles


def _hits(reader: Person, words: str, **filters: object) -> list[str]:
    results = queries.search(
        reader,
        text.parse(words),
        queries.Filters(**filters),  # type: ignore[arg-type]
        today=date.today(),
        language="en",
        per_page=50,
    )
    return [hit.title for hit in results.hits if hit.kind is Kind.LEARNING]


def test_words_are_found_by_their_stem(make_person: Callable[..., Person]) -> None:
    owner = make_person()
    venture = venture_for(owner, "Stems")
    learning_card(venture, owner, "Card one", "We ran one experiment with paying customers")
    assert _hits(owner, "experiments") == ["Card one"]
    assert _hits(owner, "customer") == ["Card one"]
    assert _hits(owner, "experimenting") == ["Card one"]
    assert _hits(owner, "experiments elsewhere") == []  # every word must match


def test_an_item_in_another_language_is_stemmed_in_its_own_where_the_database_can(
    app, make_person: Callable[..., Person]
) -> None:
    owner = make_person(chosen_locale="de")
    venture = venture_for(owner, "Sprachen")
    learning_card(venture, owner, "Karte", "Die Kunden kaufen lieber Fahrräder")
    # Its words as written are found whatever the reader's language.
    assert _hits(owner, "Fahrräder") == ["Karte"]
    # PostgreSQL stems German ("Kunde" finds "Kunden"); SQLite's porter stemmer is
    # English's only, so there the word must be written as in the text.
    german = database_url_of(app).get_backend_name() == "postgresql"
    found = queries.search(
        owner, text.parse("Kunde"), queries.Filters(), today=date.today(), language="de"
    )
    assert [hit.title for hit in found.hits if hit.kind is Kind.LEARNING] == (
        ["Karte"] if german else []
    )


def test_the_best_match_comes_first(make_person: Callable[..., Person]) -> None:
    owner = make_person()
    venture = venture_for(owner, "Ranks")
    filler = "we spoke to shop owners about opening hours and parking"
    learning_card(venture, owner, "Once", f"a lantern once, {filler}")
    learning_card(venture, owner, "Thrice", f"lantern, lantern and lantern, {filler}")
    learning_card(venture, owner, "Lantern sales", f"the title says it, {filler}")
    assert _hits(owner, "lantern") == ["Lantern sales", "Thrice", "Once"]


_TAG = re.compile(r"<[^>]+>")


def test_snippets_escape_the_text_and_highlight_only_the_match(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    owner = make_person()
    venture = venture_for(owner, "Markup")
    learning_card(
        venture,
        owner,
        "Card <i>x</i>",
        'we <script>alert("lantern")</script> saw <b onclick="x()">lantern</b> & more \ue000',
    )
    db.session.commit()
    sign_in_as(client, owner)
    status, page = search(client, q="lantern")
    assert status == 200
    block = results_block(page)
    snippet = re.search(r'<p class="snippet">(.*?)</p>', block, re.S).group(1)
    assert set(_TAG.findall(snippet)) == {"<mark>", "</mark>"}
    assert "<mark>lantern</mark>" in snippet
    # The text's own markup is shown as text (SQLite) or left out (PostgreSQL's headline
    # parser drops tags): never markup.
    assert "<script>alert" not in page and "<b onclick" not in page
    assert "&amp; more" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>")
    assert "Card &lt;i&gt;x&lt;/i&gt;" in block


def test_filters_narrow_the_results(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    unit = BusinessUnit(name="Retail")
    department = Department(name="Stores", business_unit=unit)
    other = Department(name="Finance")
    db.session.add_all([unit, department, other])
    db.session.flush()
    owner = make_person(department_id=department.id, business_unit_id=unit.id)
    teammate = make_person(department_id=other.id)
    venture = venture_for(owner, "Filters", visibility=Visibility.ORGANISATION)
    old = datetime.now(UTC) - timedelta(days=40)
    learning_card(venture, owner, "Paid kill", "otter", decision=Decision.KILL,
                  evidence=Evidence.PAY)  # fmt: skip
    learning_card(venture, owner, "Said pivot", "otter", decision=Decision.PIVOT, decided_at=old)
    learning_card(venture, teammate, "Finance card", "otter")
    reader = make_person()
    db.session.commit()
    assert sorted(_hits(reader, "otter")) == ["Finance card", "Paid kill", "Said pivot"]
    assert _hits(reader, "otter", decision="kill") == ["Paid kill"]
    assert _hits(reader, "otter", evidence="pay") == ["Paid kill"]
    assert _hits(reader, "otter", until=date.today() - timedelta(days=30)) == ["Said pivot"]
    assert sorted(_hits(reader, "otter", since=date.today() - timedelta(days=1))) == [
        "Finance card",
        "Paid kill",
    ]
    assert sorted(_hits(reader, "otter", department_id=department.id)) == [
        "Paid kill",
        "Said pivot",
    ]
    assert _hits(reader, "otter", department_id=other.id) == ["Finance card"]
    assert sorted(_hits(reader, "otter", unit_id=unit.id)) == ["Paid kill", "Said pivot"]
    # The same through the page's query string.
    sign_in_as(client, reader)
    status, page = search(client, q="otter", kind="learning", decision="kill")
    assert status == 200 and titles(page) == ["Paid kill"]
    status, page = search(client, q="otter", kind="venture")
    assert status == 200 and titles(page) == []
    status, page = search(client, q="otter", department=department.id, to=date.today().isoformat())
    assert status == 200 and sorted(titles(page)) == ["Paid kill", "Said pivot"]
    status, page = search(client, **{"q": "otter", "from": "2020-13-45"})
    assert status == 400 and "YYYY-MM-DD" in page


def test_results_are_paged_and_a_page_costs_the_same_whatever_it_holds(
    client: FlaskClient, make_person: Callable[..., Person], count_queries
) -> None:
    owner = make_person()
    venture = venture_for(owner, "Pages")
    for number in range(45):
        learning_card(venture, owner, f"Otter {number:02d}", "otters hold hands")
    learning_card(venture, owner, "Lone beaver", "beavers build")
    db.session.commit()
    sign_in_as(client, owner)
    seen: list[str] = []
    for number, expected in ((1, 20), (2, 20), (3, 5)):
        status, page = search(client, q="otter", kind="learning", page=number)
        assert status == 200
        assert len(titles(page)) == expected
        assert ('rel="next"' in page) == (number < 3)
        seen += titles(page)
    assert sorted(seen) == [f"Otter {number:02d}" for number in range(45)]
    status, page = search(client, q="otter", page=10**30)
    assert status == 200 and titles(page) == []
    search(client, q="beaver")  # warm: the first request loads what every page needs
    with count_queries() as one:
        search(client, q="beaver", kind="learning")
    with count_queries() as twenty:
        search(client, q="otter", kind="learning")
    with count_queries() as recent:
        search(client, q="", kind="learning")
    assert one.total == twenty.total
    assert recent.total <= twenty.total


def test_without_words_the_newest_items_come_first(make_person: Callable[..., Person]) -> None:
    owner = make_person()
    venture = venture_for(owner, "Recent")
    learning_card(venture, owner, "Older", "a", decided_at=datetime.now(UTC) - timedelta(days=9))
    learning_card(venture, owner, "Newer", "b", decided_at=datetime.now(UTC) - timedelta(days=1))
    assert _hits(owner, "")[:2] == ["Newer", "Older"]
    assert _hits(owner, "  !!! ((( ")[:2] == ["Newer", "Older"]  # no word in it
