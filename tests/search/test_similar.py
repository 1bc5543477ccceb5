"""Similar learnings: other learning cards the reader may see, ranked by the words this
card's learning shares with them, on the card's own page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient

from intrapreneur.experiments.models import Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.search.queries import similar_learnings
from tests.conftest import sign_in_as
from tests.experiments.builders import venture_for
from tests.search.corpus import learning_card


def _cards(make_person: Callable[..., Person]):  # type: ignore[no-untyped-def]
    owner, stranger, reader = make_person(), make_person(), make_person()
    shared = venture_for(owner, "Deliveries", visibility=Visibility.ORGANISATION)
    hidden = venture_for(stranger, "Secret", visibility=Visibility.PRIVATE)
    this = learning_card(
        shared, owner, "Delivery speed", "customers pay more for next-day delivery speed"
    )
    close = learning_card(
        shared, owner, "Courier test", "next-day delivery speed made customers pay more"
    )
    far = learning_card(shared, owner, "Courier price", "delivery was cheap")
    learning_card(shared, owner, "Unrelated", "the office plants grew")
    learning_card(
        hidden, stranger, "Secret delivery", "customers pay more for next-day delivery speed"
    )
    db.session.commit()
    return owner, reader, this, close, far


def test_the_closest_visible_learnings_come_first(make_person: Callable[..., Person]) -> None:
    owner, reader, this, _close, _far = _cards(make_person)
    for person in (owner, reader):
        similar = similar_learnings(person, this, today=date.today(), language="en")
        assert [hit.title for hit in similar] == ["Courier test", "Courier price"]
    assert len(similar_learnings(reader, this, limit=1, today=date.today())) == 1


def test_the_card_page_shows_them(client: FlaskClient, make_person: Callable[..., Person]) -> None:
    _owner, reader, this, close, _far = _cards(make_person)
    sign_in_as(client, reader)
    page = client.get(f"/experiments/{this.id}").get_data(as_text=True)
    section = page.split('id="similar-heading"', 1)[1].split("</section>", 1)[0]
    assert f'href="/experiments/{close.id}"' in section
    assert "Secret" not in section
    assert f'href="/experiments/{this.id}"' not in section
