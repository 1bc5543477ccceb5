"""HR looks after a guest after the first invitation: the access end date moves, access is
revoked at once, an invitation is sent again or withdrawn; each change is audited, the guest
is told by email where it concerns them, and two HR people never overwrite each other."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core import mail
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity import guest_access, invitations, password_resets
from intrapreneur.identity.models import Invitation, Person, Role
from intrapreneur.learning import services as learning_services
from tests import formats
from tests.conftest import GUEST_PASSWORD, SmtpServer, csrf_token, sign_in_as

TODAY = date.today()


@pytest.fixture
def hr(make_person: Callable[..., Person]) -> Person:
    return make_person(Role.HR, display_name="Helen Okafor")


@pytest.fixture
def guest(make_guest: Callable[..., Person]) -> Person:
    """A guest who accepted and may sign in for 30 more days."""
    person = make_guest(
        email="nina@ventures.example",
        display_name="Nina Petrova",
        access_ends_on=TODAY + timedelta(days=30),
    )
    db.session.commit()
    return person


def _invite(hr: Person, now: datetime | None = None, email: str = "omar@ventures.example"):  # type: ignore[no-untyped-def]
    invitation, token = invitations.invite_guest(
        email=email,
        display_name="Omar Haddad",
        access_ends_on=TODAY + timedelta(days=60),
        invited_by=hr,
        now=now or datetime.now(UTC),
    )
    db.session.commit()
    return invitation, token


def _page_of(client: FlaskClient, person: Person) -> str:
    return client.get(f"/guests/{person.id}").get_data(as_text=True)


def _version(page: str) -> str:
    found = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert found, "the guest's page carries the version HR sees"
    return found.group(1)


def _post(client: FlaskClient, person: Person, action: str, **data: str):  # type: ignore[no-untyped-def]
    """Post a form of the guest's page as a browser would: its CSRF token and version."""
    page = _page_of(client, person)
    values = {"csrf_token": csrf_token(client, f"/guests/{person.id}"), "version": _version(page)}
    return client.post(f"/guests/{person.id}{action}", data={**values, **data})


def _send_again(client: FlaskClient, person: Person, days: int):  # type: ignore[no-untyped-def]
    """HR sends a new invitation, offering access until ``days`` from today."""
    return _post(
        client, person, "/invitation", access_ends_on=(TODAY + timedelta(days=days)).isoformat()
    )


def _link_shown(response) -> str:  # type: ignore[no-untyped-def]
    """The path of the new invitation link the page shows HR once."""
    assert response.status_code == 201
    shown = re.search(
        r'value="http://localhost(/invitations/[^"]+)"', response.get_data(as_text=True)
    )
    assert shown, "the new link is shown to HR once"
    return shown.group(1)


def _deliver(inbox: SmtpServer) -> list[EmailMessage]:
    before = len(inbox.received)
    mail.deliver_due(datetime.now(UTC))
    return [received.message for received in inbox.received[before:]]


def _text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def _actions(person: Person) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_id == str(person.id), AuditEvent.action.startswith("guest."))
            .order_by(AuditEvent.id)
        )
    )


# -- the access end date ------------------------------------------------------------------


def test_hr_extends_access_and_the_guest_is_told_by_email(
    client: FlaskClient, hr: Person, guest: Person, inbox: SmtpServer
) -> None:
    later = TODAY + timedelta(days=90)
    sign_in_as(client, hr)

    response = _post(client, guest, "/access", access_ends_on=later.isoformat())

    assert response.status_code == 302 and response.location == f"/guests/{guest.id}"
    db.session.refresh(guest)
    assert guest.access_ends_on == later
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "guest.access_extended")
    ).one()
    assert event.actor_id == hr.id
    assert event.details == {
        "access_ends_on": later.isoformat(),
        "before": (TODAY + timedelta(days=30)).isoformat(),
    }
    assert "access end date is changed" in client.get(response.location).get_data(as_text=True)
    [message] = _deliver(inbox)
    assert message["To"] == guest.email
    assert message["Subject"] == "Your access to Intrapreneur has been extended"
    assert f"it now lasts until {formats.long_day(later)}" in _text(message)


def test_shortening_to_today_leaves_today_and_tells_the_guest(
    client: FlaskClient, hr: Person, guest: Person, inbox: SmtpServer
) -> None:
    sign_in_as(client, hr)
    response = _post(client, guest, "/access", access_ends_on=TODAY.isoformat())

    assert response.status_code == 302
    db.session.refresh(guest)
    assert guest.access_ends_on == TODAY and guest.may_act(TODAY)  # today is the last day
    assert not guest.may_act(TODAY + timedelta(days=1))
    assert _actions(guest) == ["guest.access_shortened"]
    assert "today is the last day" in _page_of(client, guest)
    [message] = _deliver(inbox)
    assert message["Subject"] == "Your access to Intrapreneur now ends earlier"
    assert f"it now lasts until {formats.long_day(TODAY)}" in _text(message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((TODAY - timedelta(days=1)).isoformat(), "Choose today or a later day."),
        ((TODAY + timedelta(days=30)).isoformat(), "Access already ends on that day."),
        ("soon", "Not a valid date value."),
        ("", "This field is required."),
        ("9999-12-31", "Enter a date from 1970 to 2099."),
    ],
)
def test_a_wrong_end_date_is_refused_next_to_the_field_and_changes_nothing(
    client: FlaskClient, hr: Person, guest: Person, inbox: SmtpServer, value: str, message: str
) -> None:
    sign_in_as(client, hr)
    response = _post(client, guest, "/access", access_ends_on=value)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'id="access_ends_on-error">.*{re.escape(message)}', page), page
    db.session.refresh(guest)
    assert guest.access_ends_on == TODAY + timedelta(days=30) and guest.access_version == 0
    assert _actions(guest) == [] and _deliver(inbox) == []


def test_a_guest_who_has_not_accepted_has_no_access_to_change(
    client: FlaskClient, hr: Person
) -> None:
    invitation, _ = _invite(hr)
    sign_in_as(client, hr)
    page = _page_of(client, invitation.person)
    assert "Change the access end date" not in page and "Send the invitation again" in page

    version = _version(page)
    response = client.post(
        f"/guests/{invitation.person_id}/access",
        data={
            "csrf_token": csrf_token(client, "/guests/"),
            "version": version,
            "access_ends_on": (TODAY + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 409
    assert "has not accepted an invitation yet" in response.get_data(as_text=True)
    assert _actions(invitation.person) == ["guest.invited"]


def test_an_ended_access_can_be_given_again_with_the_old_password(
    client: FlaskClient, hr: Person, guest: Person
) -> None:
    guest.access_ends_on = TODAY - timedelta(days=3)
    db.session.commit()
    sign_in_as(client, hr)
    assert "Give access again" in _page_of(client, guest)

    _post(client, guest, "/access", access_ends_on=(TODAY + timedelta(days=7)).isoformat())

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    signed_in = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token(client, "/sign-in"),
            "login": guest.email,
            "password": GUEST_PASSWORD,
        },
    )
    assert signed_in.status_code == 302 and signed_in.location == "/"


def test_the_second_of_two_hr_people_is_told_to_reload(
    client: FlaskClient, hr: Person, guest: Person, make_person: Callable[..., Person]
) -> None:
    other = client.application.test_client()
    sign_in_as(client, hr)
    sign_in_as(other, make_person(Role.HR))
    seen = _version(_page_of(client, guest))
    token = csrf_token(other, f"/guests/{guest.id}")
    first = (TODAY + timedelta(days=60)).isoformat()
    assert _post(client, guest, "/access", access_ends_on=first).status_code == 302

    second = other.post(f"/guests/{guest.id}/revoke", data={"csrf_token": token, "version": seen})

    assert second.status_code == 409
    assert "Someone else changed this guest" in second.get_data(as_text=True)
    db.session.refresh(guest)
    assert guest.access_ends_on.isoformat() == first and guest.may_act(TODAY)
    assert _actions(guest) == ["guest.access_extended"]


def test_a_post_without_a_version_is_refused(
    client: FlaskClient, hr: Person, guest: Person
) -> None:
    sign_in_as(client, hr)
    response = client.post(
        f"/guests/{guest.id}/revoke", data={"csrf_token": csrf_token(client, "/guests/")}
    )
    assert response.status_code == 400
    db.session.refresh(guest)
    assert guest.may_act(TODAY)


def test_employees_are_not_looked_after_as_guests(
    client: FlaskClient, hr: Person, make_person: Callable[..., Person]
) -> None:
    employee = make_person()
    db.session.commit()
    sign_in_as(client, hr)
    assert client.get(f"/guests/{employee.id}").status_code == 404
    response = client.post(
        f"/guests/{employee.id}/revoke",
        data={"csrf_token": csrf_token(client, "/guests/"), "version": "0"},
    )
    assert response.status_code == 404
    db.session.refresh(employee)
    assert employee.session_version == 0


# -- revoking -----------------------------------------------------------------------------


def test_revoking_ends_access_and_every_open_session_at_once(
    client: FlaskClient, hr: Person, guest: Person, inbox: SmtpServer
) -> None:
    guests_browser = client.application.test_client()
    sign_in_as(guests_browser, guest)
    assert guests_browser.get("/").status_code == 200
    feed = learning_services.reset_calendar_token(guest)
    _, reset_token = password_resets.issue_link(guest, datetime.now(UTC))
    db.session.commit()
    assert guests_browser.get(f"/calendar/{feed}.ics").status_code == 200

    sign_in_as(client, hr)
    response = _post(client, guest, "/revoke")

    assert response.status_code == 302
    db.session.refresh(guest)
    assert guest.access_ends_on == TODAY - timedelta(days=1) and not guest.may_act(TODAY)
    refused = guests_browser.get("/", follow_redirects=True)
    assert refused.request.path == "/sign-in"
    assert "Your guest access ended on" in refused.get_data(as_text=True)  # told why
    assert guests_browser.get(f"/calendar/{feed}.ics").status_code == 404
    assert guests_browser.get(f"/password-reset/{reset_token}").status_code in (404, 410)
    assert _actions(guest) == ["guest.access_revoked"]
    [message] = _deliver(inbox)  # queued while the guest could still be written to
    assert message["Subject"] == "Your access to Intrapreneur has ended"
    assert "ended your access to Intrapreneur today" in _text(message)
    page = _page_of(client, guest)
    assert "Give access again" in page and "Revoke" not in page

    again = client.post(
        f"/guests/{guest.id}/revoke",
        data={"csrf_token": csrf_token(client, "/guests/"), "version": _version(page)},
    )
    assert again.status_code == 409 and "access has already ended" in again.get_data(as_text=True)


def test_sessions_ended_by_a_revocation_stay_ended_when_access_is_given_back(
    client: FlaskClient, hr: Person, guest: Person
) -> None:
    guests_browser = client.application.test_client()
    sign_in_as(guests_browser, guest)
    sign_in_as(client, hr)
    _post(client, guest, "/revoke")
    _post(client, guest, "/access", access_ends_on=(TODAY + timedelta(days=10)).isoformat())

    db.session.refresh(guest)
    assert guest.may_act(TODAY)
    # The cookie from before the revocation stays refused: a new sign-in is needed.
    assert guests_browser.get("/").location.startswith("/sign-in")


# -- invitations sent again, withdrawn, after expiry --------------------------------------


def test_sending_again_gives_a_new_link_and_the_old_one_says_it_was_replaced(
    client: FlaskClient, hr: Person, inbox: SmtpServer
) -> None:
    invitation, old_token = _invite(hr)
    _deliver(inbox)
    sign_in_as(client, hr)

    link = _link_shown(_send_again(client, invitation.person, 20))

    visitor = client.application.test_client()
    assert visitor.get(link).status_code == 200
    old = visitor.get(f"/invitations/{old_token}")
    assert old.status_code == 410
    assert "replaced by a newer one" in old.get_data(as_text=True)
    db.session.refresh(invitation.person)
    assert invitation.person.access_ends_on == TODAY + timedelta(days=20)
    assert _actions(invitation.person) == ["guest.invited", "guest.invited_again"]
    [message] = _deliver(inbox)
    assert message["To"] == "omar@ventures.example"
    assert f"http://localhost{link}" in _text(message)


def test_an_expired_invitation_is_sent_again_with_a_new_end_date(
    client: FlaskClient, hr: Person
) -> None:
    invitation, _ = _invite(hr)
    invitation.expires_at = datetime.now(UTC) - timedelta(days=1)
    invitation.person.access_ends_on = TODAY - timedelta(days=1)
    db.session.commit()
    sign_in_as(client, hr)
    page = _page_of(client, invitation.person)
    assert "Ended: the last day was" in page and "Invite again" in page

    link = _link_shown(_send_again(client, invitation.person, 30))
    assert client.application.test_client().get(link).status_code == 200
    assert "Invited: pending until" in _page_of(client, invitation.person)


def test_a_guest_gets_at_most_three_invitations_a_day(hr: Person) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    invitation, _ = _invite(hr, now=start)
    guest = invitation.person
    ends = start.date() + timedelta(days=30)
    for minutes in (1, 2):
        invitations.send_again(
            guest, ends, version=guest.access_version, by=hr, now=start + timedelta(minutes=minutes)
        )

    with pytest.raises(invitations.TooManyInvitations) as refused:
        invitations.send_again(
            guest, ends, version=guest.access_version, by=hr, now=start + timedelta(hours=5)
        )
    assert refused.value.status == 429
    assert "3 invitations in the last 24 hours" in refused.value.message
    assert "after 3 Mar 2026, 09:00" in refused.value.message  # in HR's zone (London, GMT)
    # The invite form is no way round it.
    with pytest.raises(invitations.TooManyInvitations):
        invitations.invite_guest(
            email=guest.email,
            display_name=guest.display_name,
            access_ends_on=ends,
            invited_by=hr,
            now=start + timedelta(hours=5),
        )
    invitations.send_again(
        guest, ends, version=guest.access_version, by=hr, now=start + timedelta(days=1, minutes=1)
    )


def test_the_rate_limit_is_shown_on_the_page_and_changes_nothing(
    client: FlaskClient, hr: Person
) -> None:
    invitation, _ = _invite(hr)
    for _ in range(2):
        invitations.send_again(
            invitation.person,
            TODAY + timedelta(days=9),
            version=invitation.person.access_version,
            by=hr,
            now=datetime.now(UTC),
        )
    db.session.commit()
    sign_in_as(client, hr)
    response = _send_again(client, invitation.person, 9)
    assert response.status_code == 429
    assert "3 invitations in the last 24 hours" in response.get_data(as_text=True)
    count = select(func.count()).where(Invitation.person_id == invitation.person_id)
    assert db.session.scalar(count) == 3


def test_a_withdrawn_invitation_says_so_and_nothing_more(
    client: FlaskClient, hr: Person, inbox: SmtpServer
) -> None:
    invitation, token = _invite(hr)
    _deliver(inbox)
    sign_in_as(client, hr)

    response = _post(client, invitation.person, "/invitation/withdraw")

    assert response.status_code == 302
    visitor = client.application.test_client()
    refused = visitor.get(f"/invitations/{token}")
    assert refused.status_code == 410
    text = refused.get_data(as_text=True)
    assert "This invitation was withdrawn." in text
    assert "Omar" not in text and "Helen" not in text and "omar@" not in text
    assert _actions(invitation.person) == ["guest.invited", "guest.invitation_withdrawn"]
    assert _deliver(inbox) == []  # the address may be the wrong one: no email
    page = _page_of(client, invitation.person)
    assert "Ended: invitation withdrawn" in page and "Withdraw the invitation" not in page

    again = client.post(
        f"/guests/{invitation.person_id}/invitation/withdraw",
        data={"csrf_token": csrf_token(client, "/guests/"), "version": _version(page)},
    )
    assert again.status_code == 409
    assert "has no pending invitation to withdraw" in again.get_data(as_text=True)


def test_a_guest_accepting_as_hr_withdraws_is_refused(hr: Person) -> None:
    invitation, token = _invite(hr)
    now = datetime.now(UTC)
    opened = invitations.open_invitation(token, now)  # the guest's form is on screen
    invitations.withdraw(
        invitation.person, version=invitation.person.access_version, by=hr, now=now
    )

    with pytest.raises(invitations.InvitationGone, match="withdrawn"):
        invitations.accept_invitation(opened, GUEST_PASSWORD, now)
    assert invitation.person.password_hash is None


def test_withdrawing_or_revoking_the_wrong_kind_of_guest_is_refused(
    hr: Person, guest: Person
) -> None:
    invitation, _ = _invite(hr)
    with pytest.raises(guest_access.GuestRefusal, match="has not accepted"):
        guest_access.revoke(invitation.person, version=0, by=hr, today=TODAY, now=datetime.now(UTC))
    with pytest.raises(guest_access.GuestRefusal, match="already accepted"):
        invitations.send_again(
            guest, TODAY, version=guest.access_version, by=hr, now=datetime.now(UTC)
        )
    with pytest.raises(guest_access.GuestRefusal, match="no pending invitation"):
        invitations.withdraw(guest, version=guest.access_version, by=hr, now=datetime.now(UTC))
