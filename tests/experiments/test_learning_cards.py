"""The session screen lists the learning cards set members recorded since the set last
met, as far as the reader may see them: the loop from evidence back to the set."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient

from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    VentureShare,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning.models import LearningSession, SessionFormat
from tests.conftest import sign_in_as
from tests.experiments.builders import learning_set, venture_for

NOW = datetime.now(UTC)


def _card(owner: Person, title: str, visibility: Visibility, days_ago: int, set_id: int) -> None:
    venture = venture_for(owner, f"{title} venture", visibility=visibility)
    if visibility is Visibility.SETS:
        db.session.add(VentureShare(venture_id=venture.id, set_id=set_id))
    db.session.add(
        Experiment(
            venture_id=venture.id,
            owner_id=owner.id,
            title=title,
            column=Column.DECIDED,
            decision=Decision.PIVOT,
            learning=f"*{title}* taught us something",
            decided_at=NOW - timedelta(days=days_ago),
        )
    )


def test_learning_cards_since_the_last_session_respect_each_boards_sharing(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    facilitator, hr = make_person(Role.FACILITATOR), make_person(Role.HR)
    ann, ben, cat = (make_person(display_name=name) for name in ("Ann", "Ben", "Cat"))
    guest = make_person(kind=PersonKind.GUEST, access_ends_on=date.today() + timedelta(days=9))
    the_set = learning_set(ann, ben, cat, guest, facilitator=facilitator)
    sessions = [
        LearningSession(
            learning_set=the_set,
            format=SessionFormat.POWER_HOUR,
            starts_at=NOW + timedelta(days=offset),
            ends_at=NOW + timedelta(days=offset, hours=1),
            agenda=[],
        )
        for offset in (-14, 1)
    ]
    db.session.add_all(sessions)
    db.session.flush()
    _card(ann, "Old shared card", Visibility.SETS, 20, the_set.id)
    _card(ann, "Shared card", Visibility.SETS, 3, the_set.id)
    _card(ben, "Private card", Visibility.PRIVATE, 2, the_set.id)
    _card(cat, "Company card", Visibility.ORGANISATION, 1, the_set.id)
    db.session.commit()
    url = f"/sessions/{sessions[1].id}"

    sign_in_as(client, facilitator)
    page = client.get(url).get_data(as_text=True)
    section = page.split('id="learning-cards-heading"', 1)[1].split("</section>", 1)[0]
    assert "Shared card" in section and "Company card" in section
    assert "<em>Shared card</em> taught us something" in section
    assert "Old shared card" not in section and "Private card" not in section
    assert "1 more on boards not shared with you here." in section

    sign_in_as(client, guest)
    section = client.get(url).get_data(as_text=True).split('id="learning-cards-heading"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "Shared card" in section and "Company card" not in section
    assert "2 more on boards" in section

    # HR may open every set's screen but is in no set: a board shared with this set is the
    # set's, not HR's (its board answers HR 404), so only the organisation's card shows.
    sign_in_as(client, hr)
    section = client.get(url).get_data(as_text=True).split('id="learning-cards-heading"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "Company card" in section and "Shared card" not in section
    assert "2 more on boards not shared with you here." in section
