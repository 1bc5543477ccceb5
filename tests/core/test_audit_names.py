"""The audit log keeps people by number and names them when read: no name, email address or
username is stored in it, whatever happens (sign-ins, refusals with a known or an unknown
name, reset requests, directory changes, filtered exports), and every page and export shows
the person as they are now, their tombstone once erased."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from intrapreneur.core import services as audit
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import provisioning
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.identity.services import record_provisioning
from tests.conftest import GUEST_PASSWORD, csrf_token, sign_in_as, submit_sign_in
from tests.experiments.builders import venture_for

AUDIT = "/admin/audit"
EXPORT = "/admin/audit/export.jsonl"


def _stored_text() -> str:
    """Every value of every audit row, as text, in lower case."""
    rows = db.session.execute(text("SELECT * FROM audit_event")).all()
    return "\n".join(str(tuple(row)) for row in rows).lower()


def _identifiers(person: Person) -> list[str]:
    return [
        value.lower() for value in (person.display_name, person.email, person.username) if value
    ]


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def guest(make_guest: Callable[..., Person]) -> Person:
    return make_guest(display_name="Gwen Marlowe", email="gwen.marlowe@guest.example")


@pytest.fixture
def employee(make_person: Callable[..., Person]) -> Person:
    return make_person(
        display_name="Kwame Mensah", username="kmensah", email="kwame.mensah@corp.example"
    )


def _ask_for_reset(client: FlaskClient, email: str) -> None:
    token = csrf_token(client, "/forgot-password")
    response = client.post("/forgot-password", data={"csrf_token": token, "email": email})
    assert response.status_code == 303


def test_no_name_address_or_username_is_stored_in_the_log(
    client: FlaskClient,
    app: Any,
    guest: Person,
    employee: Person,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "https://intrapreneur.example")
    admin = make_person(Role.ADMIN, display_name="Amira Haddad", username="ahaddad")
    db.session.commit()
    refused = app.test_client()

    assert submit_sign_in(client, guest.email, GUEST_PASSWORD).status_code == 302
    submit_sign_in(refused, guest.email.upper(), "not-the-password")
    submit_sign_in(refused, "KMensah", "not-the-password")
    for typed in ("nobody.here", " Nobody.Here ", "someone.else"):
        submit_sign_in(refused, typed, "not-the-password")
    _ask_for_reset(refused, guest.email)
    _ask_for_reset(refused, "unknown.person@elsewhere.example")
    old_names = _identifiers(employee)
    record_provisioning(
        provisioning.Outcome(
            person=employee,
            changes={
                "display_name": "Kwame A. Mensah",
                "email": "kwame.a.mensah@corp.example",
                "username": "kamensah",
                "title": "Head of Kwame's Team",
                "directory_dn": "uid=kamensah,ou=people,dc=corp,dc=example",
                "manager_dn": "uid=ahaddad,ou=people,dc=corp,dc=example",
                "department": "Sales",
            },
            roles_added={Role.HR.value},
        ),
        source="directory sync",
    )
    db.session.commit()
    sign_in_as(client, admin)
    exported = client.get(EXPORT, query_string={"person": "Kwame"})
    assert exported.status_code == 200 and exported.get_data(as_text=True)

    stored = _stored_text()
    typed_names = ["nobody.here", "someone.else", "unknown.person", "kwame", "kamensah"]
    for identifier in [*_identifiers(guest), *old_names, *_identifiers(admin), *typed_names]:
        assert identifier not in stored, identifier
    refusals = _events("auth.sign_in_refused")
    assert [(event.object_type, event.object_id) for event in refusals[:2]] == [
        ("person", str(guest.id)),
        ("person", str(employee.id)),
    ]
    assert all("login_hash" not in event.details for event in refusals[:2])
    unknown = [event.details["login_hash"] for event in refusals[2:]]
    # The same name typed twice lines up; another does not; neither can be read back.
    assert unknown[0] == unknown[1] == audit.typed_text_hash("nobody.here") != unknown[2]
    resets = _events("auth.password_reset_requested")
    assert [(event.object_id, event.details) for event in resets] == [
        (str(guest.id), {}),
        (None, {"login_hash": audit.typed_text_hash("unknown.person@elsewhere.example")}),
    ]
    (updated,) = _events("person.updated")
    assert updated.details == {
        "source": "directory sync",
        "changed": [
            "department",
            "directory_dn",
            "display_name",
            "email",
            "manager_dn",
            "title",
            "username",
        ],
        "department": "Sales",
    }
    assert _events("person.roles_changed")[0].details["added"] == ["hr"]
    assert {event.actor_label for event in _events("auth.signed_in")} == {"person"}


def test_pages_and_the_export_name_people_as_they_are_now(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN, display_name="Amira Haddad")
    actor = make_person(display_name="Helen Okafor", username="hokafor")
    subject = make_person(kind=PersonKind.GUEST, display_name="Tom Becker")
    venture = venture_for(actor, "Shop pre-orders")
    audit.record("guest.invited", actor=actor, obj=subject, access_ends_on="2027-01-31")
    db.session.commit()
    sign_in_as(client, admin)

    page = client.get(AUDIT).get_data(as_text=True)
    assert "<td>Helen Okafor</td>" in page
    assert f"Tom Becker (person #{subject.id})" in page
    exported = [json.loads(line) for line in client.get(EXPORT).get_data(as_text=True).splitlines()]
    assert {line["actor"] for line in exported if line["actor_id"] == actor.id} == {"Helen Okafor"}

    # What erasure does to a person's row: a tombstone, no address, no username.
    for person, tombstone in ((actor, "Former participant #1"), (subject, "Former participant #2")):
        person.display_name, person.email, person.username = tombstone, None, None
    db.session.commit()

    page = client.get(AUDIT).get_data(as_text=True)
    assert "<td>Former participant #1</td>" in page
    assert f"Former participant #2 (person #{subject.id})" in page
    assert "Helen" not in page and "Okafor" not in page and "Becker" not in page
    exported = [json.loads(line) for line in client.get(EXPORT).get_data(as_text=True).splitlines()]
    assert {line["actor"] for line in exported if line["actor_id"] == actor.id} == {
        "Former participant #1"
    }
    sign_in_as(client, actor)
    activity = client.get(f"/ventures/{venture.id}/activity").get_data(as_text=True)
    assert "<td>Former participant #1</td>" in activity and "Okafor" not in activity


def test_the_log_page_names_everyone_in_a_fixed_number_of_statements(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    admin = make_person(Role.ADMIN)
    people = [make_person(display_name=f"Someone {number}") for number in range(30)]
    for actor, subject in zip(people, reversed(people), strict=True):
        audit.record("person.checked", actor=actor, obj=subject)
    db.session.commit()
    sign_in_as(client, admin)

    with count_queries() as counted:
        page = client.get(AUDIT).get_data(as_text=True)

    assert all(f"<td>Someone {number}</td>" in page for number in range(30))
    assert all(f"Someone {number} (person #" in page for number in range(30))
    assert counted.total == 6  # person with roles, unread, open surveys, count, rows, kinds


def test_a_typed_name_nobody_has_is_found_by_its_hash(
    client: FlaskClient, app: Any, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN)
    db.session.commit()
    stranger = app.test_client()
    for typed in ("mallory", "Mallory ", "trudy"):
        submit_sign_in(stranger, typed, "guess")
    sign_in_as(client, admin)

    page = client.get(AUDIT, query_string={"person": "MALLORY"}).get_data(as_text=True)

    assert page.count("auth.sign_in_refused</td>") == 2
    assert "mallory" not in _stored_text()
