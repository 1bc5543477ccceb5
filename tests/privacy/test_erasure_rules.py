"""What stands in the way of an erasure (each refusal says why and what to do first, and
changes nothing), what erasure does to the text a person wrote under each text mode, and
what it ends: a guest's sign-in, a second erasure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments.models import (
    Notification,
    Review,
    ReviewTag,
    TeamRole,
    VentureMember,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import (
    Invitation,
    LocalMfa,
    PasswordReset,
    Person,
    PersonKind,
    Role,
)
from intrapreneur.learning.models import Action, BarrierCategory, HotSeat, Question
from intrapreneur.privacy import settings
from intrapreneur.privacy.erasure import ErasureRefused, erase, refusals, tombstone
from intrapreneur.privacy.erasure.effects import erasure_effects
from tests.conftest import sign_in_as
from tests.experiments.builders import venture_for
from tests.experiments.test_boards import make_card
from tests.learning.builders import cohort_of, session_in, set_of

NOW = datetime.now(UTC)
TODAY = NOW.date()

MakePerson = Callable[..., Person]


@pytest.fixture
def admin(make_person: MakePerson) -> Person:
    return make_person(Role.ADMIN)


@pytest.fixture
def leaver(make_person: MakePerson) -> Person:
    """An employee the directory sync switched off, with a message waiting for them."""
    person = make_person(
        display_name="Lena Leaver", directory_id="dir-0001-lena", active=False, deactivated_at=NOW
    )
    db.session.add(Notification(person_id=person.id, text="Welcome, Lena Leaver"))
    db.session.flush()
    return person


def assert_refused(person: Person, admin: Person, *fragments: str) -> None:
    """Erasure is refused with reasons saying each of ``fragments``, and nothing changed."""
    before = (person.display_name, person.email, person.username, person.active)
    messages = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.person_id == person.id)
    )
    with pytest.raises(ErasureRefused) as refused:
        erase(person, by=admin, now=NOW)
    for fragment in fragments:
        assert any(fragment in reason for reason in refused.value.reasons), refused.value.reasons
    assert refused.value.reasons == refusals(person, TODAY)
    assert (person.display_name, person.email, person.username, person.active) == before
    assert person.erased_at is None
    assert messages == db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.person_id == person.id)
    )
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.erased")
    )


def test_an_account_still_on_in_the_directory_is_refused_until_the_sync_switches_it_off(
    app: Flask, admin: Person, make_person: MakePerson
) -> None:
    person = make_person(directory_id="dir-0002", directory_dn="uid=x,ou=people")
    assert_refused(person, admin, "the directory sync has not seen them leave", "Switch the")
    person.active, person.deactivated_at = False, NOW
    assert refusals(person, TODAY) == []


def test_a_local_account_and_a_guest_may_be_erased_while_on(
    app: Flask, admin: Person, make_person: MakePerson, make_guest: Callable[..., Person]
) -> None:
    assert refusals(make_person(), TODAY) == []
    assert refusals(make_guest(), TODAY) == []


def test_the_only_owner_of_a_venture_not_archived_is_refused(
    app: Flask, admin: Person, leaver: Person, make_person: MakePerson
) -> None:
    venture = venture_for(leaver, "Pre-orders", now=NOW)
    assert_refused(leaver, admin, f"the only owner of venture #{venture.id}", "archives it")
    other = make_person(active=False)
    db.session.add(VentureMember(venture_id=venture.id, person_id=other.id, role=TeamRole.OWNER))
    db.session.flush()
    assert_refused(leaver, admin, f"venture #{venture.id}")  # a switched-off owner is no owner
    other.active = True
    assert refusals(leaver, TODAY) == []
    other.active = False
    venture.archived_at = NOW
    assert refusals(leaver, TODAY) == []


def test_the_facilitator_of_a_set_not_closed_is_refused(
    app: Flask, admin: Person, leaver: Person
) -> None:
    learning_set = set_of(cohort_of(), "Aurora", leaver, [])
    assert_refused(leaver, admin, f"facilitate learning set #{learning_set.id}", "HR names")
    learning_set.closed_at = NOW
    assert refusals(leaver, TODAY) == []


@pytest.mark.parametrize(
    ("role", "says"),
    [
        (Role.HR, "only active person with the HR role: grant it to someone else first"),
        (Role.ADMIN, "only active administrator: make someone else an administrator first"),
    ],
)
def test_the_only_active_holder_of_hr_or_admin_is_refused(
    app: Flask, make_person: MakePerson, role: Role, says: str
) -> None:
    person = make_person(role)  # a local account: may be erased while on, but for this
    others = db.session.scalars(
        select(Person).where(Person.id != person.id, Person.roles.any(role=role))
    ).all()
    for other in others:
        other.active = False
    switched_off = make_person(role, active=False)
    assert_refused(person, None, says)  # type: ignore[arg-type]
    switched_off.active = True
    assert refusals(person, TODAY) == []


def test_erasing_twice_is_refused(app: Flask, admin: Person, leaver: Person) -> None:
    erase(leaver, by=admin, now=NOW)
    with pytest.raises(ErasureRefused) as refused:
        erase(leaver, by=admin, now=NOW)
    assert refused.value.reasons == [
        "This person is already erased: there is nothing left to erase."
    ]
    assert leaver.display_name == tombstone(leaver.id)


def test_a_guest_erased_is_signed_out_and_their_sign_in_secrets_go(
    app: Flask, client: FlaskClient, admin: Person, make_guest: Callable[..., Person]
) -> None:
    guest = make_guest(display_name="Gita Guest", email="gita@guest.example")
    db.session.add_all(
        [
            Invitation(person_id=guest.id, secret_hash="a" * 64, expires_at=NOW),
            PasswordReset(person_id=guest.id, secret_hash="b" * 64, expires_at=NOW),
            LocalMfa(person_id=guest.id, secret_encrypted="sealed"),
        ]
    )
    db.session.commit()
    sign_in_as(client, guest)
    assert client.get("/").status_code == 200
    report = erase(guest, by=admin, now=NOW)
    db.session.commit()
    assert report.deleted == {
        "invitation": 1,
        "password_reset": 1,
        "local_mfa": 1,
        "person_role": 1,
    }
    refused = client.get("/")
    assert refused.status_code == 302 and refused.location.startswith("/sign-in")
    db.session.refresh(guest)
    assert (guest.kind, guest.active, guest.email, guest.password_hash) == (
        PersonKind.GUEST,
        False,
        None,
        None,
    )
    assert guest.erased_at is not None and guest.deactivated_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased")).one()
    assert event.object_id == str(guest.id) and event.actor_id == admin.id
    assert "Gita" not in str(event.details) and event.details["rows"]["person"] == 1


def _written_by(person: Person, other: Person) -> dict[str, object]:
    """One row of each kind of text ``person`` wrote, with contact details in it."""
    session = session_in(set_of(cohort_of(), "Aurora", None, [person, other]), -7)
    seat = HotSeat(
        session_id=session.id,
        person_id=person.id,
        challenge_title="Budget for pilots",
        barrier=BarrierCategory.RESOURCES,
        challenge_description="Write to lena@home.example, call +44 20 7946 0958 or see "
        "https://lena.example/plan before 2025-03-01.",
    )
    db.session.add(seat)
    db.session.flush()
    question = Question(
        hot_seat_id=seat.id, asked_by_id=person.id, text="Who pays? www.pay.example"
    )
    action = Action(
        session_id=session.id,
        owner_id=person.id,
        description="Ask the five shops",
        learning="Two said yes.",
        due_on=TODAY,
    )
    venture = venture_for(other, "Pre-orders", now=NOW)
    db.session.add(VentureMember(venture_id=venture.id, person_id=person.id, role=TeamRole.MEMBER))
    card = make_card(venture, person, "Lena's price test", hypothesis="Shops pay 5 %.")
    review = Review(
        venture_id=venture.id,
        reviewer_id=person.id,
        tag=ReviewTag.SUPPORT,
        comment="Good. Mail me: lena@home.example",
    )
    db.session.add_all([question, action, review])
    db.session.flush()
    return {"seat": seat, "question": question, "action": action, "card": card, "review": review}


def test_the_text_they_wrote_is_kept_redacted_or_removed_as_the_settings_say(
    app: Flask, client: FlaskClient, admin: Person, leaver: Person, make_person: MakePerson
) -> None:
    settings.change(
        {"hot_seats": "redact", "questions": "keep", "commitments": "remove"}
        | {"experiments": "remove", "reviews": "redact"},
        by=admin,
        now=NOW,
    )
    owner = make_person(display_name="Omar Owner")
    rows = _written_by(leaver, owner)
    erase(leaver, by=admin, now=NOW)
    db.session.commit()
    seat, question, action, card, review = (
        db.session.get(type(row), row.id) for row in rows.values()
    )
    assert seat.challenge_title == "Budget for pilots"
    assert seat.challenge_description == (
        "Write to [removed], call [removed] or see [removed] before 2025-03-01."
    )
    assert question.text == "Who pays? www.pay.example"  # kept as written
    assert (action.description, action.learning) == ("", "")
    assert (card.title, card.hypothesis) == ("", "")
    assert review.comment == "Good. Mail me: [removed]"
    assert review.tag is ReviewTag.SUPPORT  # kept for the figures
    sign_in_as(client, owner)
    page = client.get(f"/experiments/{card.id}").get_data(as_text=True)
    assert "<h1>(removed)</h1>" in page
    board = client.get(f"/ventures/{card.venture_id}").get_data(as_text=True)
    assert f'{card.id}">(removed)</a>' in board


def test_a_mention_is_a_whole_word_in_any_case_and_a_like_pattern_matches_literally(
    app: Flask, admin: Person, make_person: MakePerson
) -> None:
    """The search for mentions escapes LIKE's % and _ (counted on the person's page), and
    the rewrite replaces whole words only, whatever their case, in text and in JSON."""
    person = make_person(display_name="Ann_Lee", username="ann%", active=False)
    reader = make_person()
    texts = {
        "named": "Thanks, ANN_LEE!",
        "longer word": "Ann_Leeds is another person",
        "a LIKE wildcard": "AnnXLee and annX are not her",
    }
    notes = {key: Notification(person_id=reader.id, text=text) for key, text in texts.items()}
    db.session.add_all(notes.values())
    db.session.flush()
    effects = {e.table: e for e in erasure_effects(person, settings.current().text_modes)}
    assert effects["notification"].changed == 2  # the LIKE: "named" and "longer word"
    erase(person, by=admin, now=NOW)
    db.session.flush()
    shown = tombstone(person.id)
    assert db.session.get(Notification, notes["named"].id).text == f"Thanks, {shown}!"
    assert db.session.get(Notification, notes["longer word"].id).text == texts["longer word"]
    assert (
        db.session.get(Notification, notes["a LIKE wildcard"].id).text == texts["a LIKE wildcard"]
    )
