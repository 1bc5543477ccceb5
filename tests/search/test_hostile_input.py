"""Whatever is typed into the search box or put in its URL, the answer is a page: results,
or the filters' mistakes named; never a server error, never full-text syntax obeyed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.search import text
from tests.conftest import sign_in_as
from tests.experiments.builders import venture_for
from tests.fuzz.bounds import bounded
from tests.search.corpus import learning_card
from tests.search.pages import search, titles

STOP = {"not", "and", "or", "the"}
NASTY = [
    '"',
    '""',
    "'",
    "(",
    ")",
    "((a)",
    "a)) OR ((b",
    "NEAR(a b)",
    "a AND",
    "OR",
    "NOT lantern",
    "-lantern",
    "lantern*",
    "^lantern",
    "title:lantern",
    "body : lantern",
    "lantern & | ! <-> :*",
    "\\",
    "%_",
    "'; DROP TABLE search_item; --",
    "<script>alert(1)</script>",
    "😀 lantern 😀",
    "فانوس",
    "灯笼 ランタン",
    "\u202elantern",
    "\ue000lantern\ue001",
    "a" * 5000,
    "lantern " * 500,
]


@pytest.fixture
def signed_in(client: FlaskClient, make_person: Callable[..., Person]) -> FlaskClient:
    owner = make_person()
    venture = venture_for(owner, "Hostile")
    learning_card(venture, owner, "Lantern card", "a lantern lit the (dark) shop")
    db.session.commit()
    sign_in_as(client, owner)
    return client


@pytest.mark.parametrize("typed", NASTY)
def test_operators_quotes_and_any_script_only_ever_mean_their_words(
    signed_in: FlaskClient, typed: str
) -> None:
    status, page = search(signed_in, q=typed)
    assert status == 200
    words = text.parse(typed).terms
    # Found only where every word it holds is in the card (operators are words, or nothing).
    if words and all(word.lower() in {"lantern"} for word in words):
        assert set(titles(page)) == {"Lantern card"}, typed
    # Not found where a word is in no card; English stop words ("not", "and", "or") are
    # ignored by PostgreSQL's English stemming, as in any other search.
    elif words and not {word.lower() for word in words} <= {"a", "lantern", "shop"} | STOP:
        assert titles(page) == [], typed


def test_a_long_search_is_cut_and_the_page_says_so(signed_in: FlaskClient) -> None:
    status, page = search(signed_in, q="lantern " + "x" * 5000)
    assert status == 200
    assert "Only the first 200 characters" in page
    assert len(text.parse("y" * 5000).text) == text.MAX_QUERY


def test_a_nul_in_the_query_is_refused_with_a_message(signed_in: FlaskClient) -> None:
    status, page = search(signed_in, q="lan\x00tern")
    assert status == 400 and "Traceback" not in page


@bounded(60)
@given(
    typed=st.text(max_size=300),
    kind=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["learning", "venture"])),
    day=st.one_of(st.none(), st.text(max_size=12), st.dates().map(str)),
    number=st.one_of(st.none(), st.text(max_size=8), st.integers().map(str)),
    department=st.one_of(st.none(), st.text(max_size=8), st.integers().map(str)),
)
def _any_request(client: FlaskClient, typed, kind, day, number, department) -> None:
    args = {"q": typed, "kind": kind, "from": day, "page": number, "department": department}
    args = {name: value for name, value in args.items() if value is not None}
    response = client.get("/search", query_string=args)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400), (args, response.status_code)
    assert "Traceback" not in page
    if response.status_code == 400 and "\x00" not in "".join(args.values()):
        assert 'class="error"' in page  # the filter at fault is named


def test_generated_queries_and_filters_never_break_the_page(signed_in: FlaskClient) -> None:
    _any_request(signed_in)
