"""Search as an attacker: every persona searches for every word, and finds exactly the
things the pages would show them; nothing else reaches a result, a title or a snippet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask.testing import FlaskClient

from intrapreneur.experiments.models import Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import SetMembership
from intrapreneur.search import queries, text
from tests.conftest import sign_in_as
from tests.search.pages import results_block, search
from tests.search.world import World, build

SIGNED_OUT_PEOPLE = {"ended_guest"}  # access ended: no page opens for them at all


def _world(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    world = build(make_person, make_guest)
    db.session.commit()
    return world


def test_every_persona_finds_exactly_what_they_may_see(
    client: FlaskClient, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    for name, person in world.people.items():
        sign_in_as(client, person)
        for word, readers in world.readers.items():
            status, page = search(client, q=word)
            if name in SIGNED_OUT_PEOPLE:
                assert status in (302, 401, 403), (name, status)
                assert results_block(page) == ""
                continue
            assert status == 200, (name, word)
            found = results_block(page)
            if name in readers:
                assert word in found.lower(), (name, word)
            else:
                assert found == "", (name, word, found)
                # The typed word is echoed in the search boxes, and nowhere else.
                assert word not in page.replace(f'value="{word}"', ""), (name, word)


def test_the_query_itself_gives_an_ended_guest_nothing(
    make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    ended = world.people["ended_guest"]
    for query in ("", "pangolin", "marimba", "customers"):
        results = queries.search(
            ended, text.parse(query), queries.Filters(), today=date.today(), language="en"
        )
        assert results.hits == []


def test_a_common_word_leaks_no_other_item_into_titles_or_snippets(
    client: FlaskClient, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    """The word customers is in every venture's text: each reader's page names only theirs."""
    world = _world(make_person, make_guest)
    for name, person in world.people.items():
        if name in SIGNED_OUT_PEOPLE:
            continue
        sign_in_as(client, person)
        for query in ("customers", ""):  # a search, and the recent items without one
            status, page = search(client, q=query)
            assert status == 200
            lowered = page.lower()
            for word, readers in world.readers.items():
                assert (word in lowered) == (name in readers and word in _words_of(query)), (
                    name,
                    query,
                    word,
                )


def _words_of(query: str) -> set[str]:
    """The words whose items a query lists: every word for the recent items; "customers"
    only those of ventures (their problem and learning say it)."""
    ventures = {"zanzibar", "quokka", "marimba", "fjordland"}
    return ventures if query else ventures | {"pangolin", "xylophone", "theremin"}


def test_a_change_of_visibility_or_membership_applies_at_once(
    client: FlaskClient, make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    colleague, member = world.people["colleague"], world.people["member"]
    sign_in_as(client, colleague)
    assert results_block(search(client, q="quokka")[1])
    world.cards["quokka"].venture.visibility = Visibility.PRIVATE
    db.session.commit()
    assert results_block(search(client, q="quokka")[1]) == ""

    sign_in_as(client, member)
    assert results_block(search(client, q="pangolin")[1])
    stay = db.session.scalar(
        db.select(SetMembership).filter_by(person_id=member.id, set_id=world.learning_set.id)
    )
    stay.left_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert results_block(search(client, q="pangolin")[1]) == ""
    assert results_block(search(client, q="marimba")[1]) == ""
