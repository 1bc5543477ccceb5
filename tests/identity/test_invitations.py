"""HR invites a guest; the link is signed, single-use and expires."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import invitations, services
from intrapreneur.identity.models import Invitation, Person, PersonKind, Role
from intrapreneur.identity.passwords import verify_password
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSet,
    Programme,
    SetMembership,
)
from intrapreneur.privacy import settings as privacy_settings
from tests import formats
from tests.conftest import GUEST_PASSWORD, csrf_token, sign_in_as

ACCESS_ENDS = date.today() + timedelta(days=60)


@pytest.fixture
def hr(make_person: Callable[..., Person]) -> Person:
    return make_person(Role.HR, display_name="Helen Okafor")


def _invite(
    email: str = "nina@ventures.example", hr: Person | None = None
) -> tuple[Invitation, str]:
    assert hr is not None
    return invitations.invite_guest(
        email=email,
        display_name="Nina Petrova",
        access_ends_on=ACCESS_ENDS,
        invited_by=hr,
        now=datetime.now(UTC),
    )


def _accept(client: FlaskClient, token: str, password: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    url = f"/invitations/{token}"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "password": password,
            "confirm": confirm or password,
        },
    )


def test_hr_invites_a_guest_through_the_form(client: FlaskClient, hr: Person) -> None:
    sign_in_as(client, hr)
    response = client.post(
        "/guests/invite",
        data={
            "csrf_token": csrf_token(client, "/guests/invite"),
            "email": "  Nina@Ventures.Example ",
            "display_name": "Nina Petrova",
            "access_ends_on": ACCESS_ENDS.isoformat(),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    link = re.search(r'value="(http://localhost/invitations/[^"]+)"', page)
    assert link, "the invitation link is shown once"

    guest = db.session.scalars(select(Person).where(Person.email == "nina@ventures.example")).one()
    assert guest.is_guest and guest.role_names == {Role.GUEST}
    assert guest.access_ends_on == ACCESS_ENDS and guest.password_hash is None
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.person_id == guest.id)
    ).one()
    assert invitation.invited_by_id == hr.id
    token = link.group(1).rsplit("/", 1)[1]
    assert token not in invitation.secret_hash  # only a hash of the secret is stored
    assert (invitation.expires_at - datetime.now(UTC)).days in (13, 14)
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == hr.id)
    ).all() == ["guest.invited"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "Invalid email address"),
        ("display_name", "x" * 201, "200 characters"),
        ("access_ends_on", "2001-01-01", "Choose today or a later day"),
        ("access_ends_on", "soon", "Not a valid date value"),
    ],
)
def test_invitation_form_refuses_bad_input_and_saves_nothing(
    client: FlaskClient, hr: Person, field: str, value: str, message: str
) -> None:
    sign_in_as(client, hr)
    data = {
        "csrf_token": csrf_token(client, "/guests/invite"),
        "email": "ok@example.org",
        "display_name": "Okay Name",
        "access_ends_on": ACCESS_ENDS.isoformat(),
        field: value,
    }
    response = client.post("/guests/invite", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.id)) is None


def test_inviting_an_employee_address_is_refused(
    client: FlaskClient, hr: Person, make_person: Callable[..., Person]
) -> None:
    employee = make_person()
    sign_in_as(client, hr)
    response = client.post(
        "/guests/invite",
        data={
            "csrf_token": csrf_token(client, "/guests/invite"),
            "email": employee.email,
            "display_name": "Someone",
            "access_ends_on": ACCESS_ENDS.isoformat(),
        },
    )
    assert response.status_code == 409
    assert "belongs to an employee" in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.id)) is None


def test_guest_accepts_sets_a_password_and_is_signed_in(client: FlaskClient, hr: Person) -> None:
    invitation, token = _invite(hr=hr)
    db.session.commit()
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Welcome, Nina Petrova" in page and "nina@ventures.example" in page

    response = _accept(client, token, GUEST_PASSWORD)

    assert response.status_code == 302 and response.location == "/"
    db.session.refresh(invitation)
    assert invitation.accepted_at is not None
    assert verify_password(invitation.person.password_hash, GUEST_PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert "Hello, Nina Petrova" in home
    assert "Your guest access runs until" in home


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short-one", None, "Use at least 12 characters"),
        ("password1234", None, "commonly used passwords"),
        ("ninapetrova1", None, "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", None, "too easy to guess"),
        (GUEST_PASSWORD, "something-else-entirely", "The two passwords differ"),
    ],
)
def test_weak_or_mismatched_password_is_refused_and_link_stays_usable(
    client: FlaskClient, hr: Person, password: str, confirm: str | None, message: str
) -> None:
    invitation, token = _invite(hr=hr)
    db.session.commit()

    response = _accept(client, token, password, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.accepted_at is None and invitation.person.password_hash is None
    assert client.get("/").status_code == 302  # not signed in


def test_used_link_cannot_be_used_again(client: FlaskClient, hr: Person) -> None:
    _, token = _invite(hr=hr)
    db.session.commit()
    assert _accept(client, token, GUEST_PASSWORD).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})

    again = client.get(f"/invitations/{token}")
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_expired_link_is_refused_with_its_date(client: FlaskClient, hr: Person) -> None:
    invitation, token = _invite(hr=hr)
    invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert f"expired on {formats.long_day(invitation.expires_at)}" in page


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-3] + "abc", lambda t: "garbage", lambda t: t + "x"]
)
def test_tampered_or_malformed_link_is_refused(
    client: FlaskClient, hr: Person, mangle: Callable[[str], str]
) -> None:
    _, token = _invite(hr=hr)
    db.session.commit()
    response = client.get(f"/invitations/{mangle(token)}")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.get_data(as_text=True)


def test_reinviting_replaces_the_earlier_link(client: FlaskClient, hr: Person) -> None:
    _, first = _invite(hr=hr)
    _, second = _invite(hr=hr)
    db.session.commit()
    assert client.get(f"/invitations/{first}").status_code == 410
    assert client.get(f"/invitations/{second}").status_code == 200


def test_accepting_twice_at_once_uses_the_link_only_once(hr: Person) -> None:
    invitation, _ = _invite(hr=hr)
    now = datetime.now(UTC)
    invitations.accept_invitation(invitation, GUEST_PASSWORD, now)
    with pytest.raises(invitations.InvitationGone):
        invitations.accept_invitation(invitation, "another-long-passphrase-here", now)


def _cohort_with_set(members: int) -> tuple[Cohort, LearningSet]:
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Autumn",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=90),
    )
    learning_set = LearningSet(cohort=cohort, name="Set 1")
    db.session.add(learning_set)
    for n in range(members):
        member = Person(kind=PersonKind.GUEST, email=f"m{n}@x.example", display_name=f"M{n}")
        db.session.add(
            SetMembership(learning_set=learning_set, person=member, joined_on=date.today())
        )
    finished = Cohort(
        programme=cohort.programme,
        name="Last year",
        starts_on=date.today() - timedelta(days=400),
        ends_on=date.today() - timedelta(days=300),
    )
    db.session.add(finished)
    db.session.commit()
    return cohort, learning_set


def _invite_into(client: FlaskClient, placement: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/guests/invite",
        data={
            "csrf_token": csrf_token(client, "/guests/invite"),
            "email": "nina@ventures.example",
            "display_name": "Nina Petrova",
            "access_ends_on": ACCESS_ENDS.isoformat(),
            "placement": placement,
        },
    )


def _enrolment(person_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.person_id == person_id))


def test_hr_invites_a_guest_straight_into_a_set(client: FlaskClient, hr: Person) -> None:
    cohort, learning_set = _cohort_with_set(members=3)
    sign_in_as(client, hr)
    form = client.get("/guests/invite").get_data(as_text=True)
    assert "Autumn · Set 1" in form and "Autumn (no set yet)" in form
    assert "Last year" not in form  # cohorts that have ended are not offered

    response = _invite_into(client, f"set-{learning_set.id}")

    assert response.status_code == 201
    assert "They are in <strong>Autumn · Set 1</strong> already" in response.get_data(as_text=True)
    guest = services.queries.person_by_email("nina@ventures.example")
    assert guest is not None
    membership = db.session.scalar(select(SetMembership).where(SetMembership.person_id == guest.id))
    assert membership is not None and membership.set_id == learning_set.id
    enrolment = _enrolment(guest.id)
    assert enrolment is not None and enrolment.cohort_id == cohort.id
    assert enrolment.status is EnrolmentStatus.ACCEPTED


def test_hr_invites_a_guest_into_a_cohort_without_a_set(client: FlaskClient, hr: Person) -> None:
    cohort, _ = _cohort_with_set(members=0)
    sign_in_as(client, hr)

    assert _invite_into(client, f"cohort-{cohort.id}").status_code == 201

    guest = services.queries.person_by_email("nina@ventures.example")
    assert guest is not None
    enrolment = _enrolment(guest.id)
    assert enrolment is not None and enrolment.status is EnrolmentStatus.ACCEPTED
    assert (
        db.session.scalar(select(SetMembership.id).where(SetMembership.person_id == guest.id))
        is None
    )


def test_inviting_into_a_full_set_is_refused_and_saves_nothing(
    client: FlaskClient, hr: Person
) -> None:
    _, learning_set = _cohort_with_set(members=8)
    sign_in_as(client, hr)

    response = _invite_into(client, f"set-{learning_set.id}")

    assert response.status_code == 409
    assert "Set 1 already has 8 members, the most a set can have." in response.get_data(
        as_text=True
    )
    assert services.queries.person_by_email("nina@ventures.example") is None
    assert db.session.scalar(select(Invitation.id)) is None


def test_an_unknown_placement_is_refused(client: FlaskClient, hr: Person) -> None:
    sign_in_as(client, hr)
    response = _invite_into(client, "set-99999")
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.id)) is None


@pytest.mark.parametrize("ended", ["access end date passed", "account switched off"])
def test_an_invitation_is_refused_once_the_guests_access_has_ended(
    client: FlaskClient, hr: Person, ended: str
) -> None:
    invitation, token = _invite(hr=hr)
    if ended == "account switched off":
        invitation.person.active = False
    else:
        invitation.person.access_ends_on = date.today() - timedelta(days=1)
    db.session.commit()

    page = client.get(f"/invitations/{token}")
    # The page is refused, so the form's token comes from the sign-in page's session.
    form = {"password": GUEST_PASSWORD, "confirm": GUEST_PASSWORD}
    post = client.post(
        f"/invitations/{token}", data={"csrf_token": csrf_token(client, "/sign-in"), **form}
    )

    for response in (page, post):
        assert response.status_code == 401
        assert "switched off" in response.get_data(as_text=True) or "access ended" in (
            response.get_data(as_text=True)
        )
    db.session.refresh(invitation)
    assert invitation.accepted_at is None and invitation.person.password_hash is None


def test_the_invitation_says_what_is_kept_and_for_how_long_before_accepting(
    client: FlaskClient, hr: Person, make_person: Callable[..., Person]
) -> None:
    _invitation, token = _invite(hr=hr)
    db.session.commit()
    notice = _notice(client.get(f"/invitations/{token}").get_data(as_text=True))
    assert "hash of your password" in notice and "audit log" in notice
    assert "24 months later it is erased" in notice
    assert "deleted after 30 days, audit log events after 6 years" in notice

    admin = make_person(Role.ADMIN)
    privacy_settings.change(
        {"deactivated_people": "6", "sent_emails": "14", "audit_events": "2"},
        by=admin,
        now=datetime.now(UTC),
    )
    db.session.commit()
    notice = _notice(client.get(f"/invitations/{token}").get_data(as_text=True))
    assert "6 months later it is erased" in notice
    assert "deleted after 14 days, audit log events after 2 years" in notice


def _notice(page: str) -> str:
    found = re.search(r'<section class="[^"]*privacy-notice".*?</section>', page, re.DOTALL)
    assert found, "the invitation page has no notice"
    return " ".join(found.group(0).split())
