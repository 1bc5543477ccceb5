"""Sets over a cohort: facilitators assigned and replaced, members moved and taken out, sets
closed; the composer's hard rules, registers, calendars and emails that follow each change."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning import queries, services
from intrapreneur.learning.models import Attendance, LearningSet, SetMembership
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.learning.builders import cohort_of, session_in, set_of

TODAY = date.today()


@pytest.fixture
def world(make_person: Callable[..., Person]) -> dict[str, Any]:
    """Set A (Fay; Ann, Ben, Cat, Dan, Ivy) and set B (Gus; Mia, Kim, Lee, Max) of one cohort.

    Management chains: Top → Mia → Ann (so Top is above Ann at one remove), Gus → Ivy,
    Ben → Pat. Cat also holds the facilitator role.
    """
    people: dict[str, Person] = {"hr": make_person(Role.HR, display_name="Hana HR")}
    for name in ("Fay", "Gus", "Ned", "Top", "Pat"):
        people[name.lower()] = make_person(Role.FACILITATOR, display_name=name)
    for name in ("Ann", "Ben", "Dan", "Ivy", "Mia", "Kim", "Lee", "Max"):
        people[name.lower()] = make_person(display_name=name)
    people["cat"] = make_person(Role.FACILITATOR, display_name="Cat")
    for report, manager in (("ann", "mia"), ("mia", "top"), ("ivy", "gus"), ("pat", "ben")):
        people[report].manager_id = people[manager].id
    cohort = cohort_of()
    a_members = [people[n] for n in ("ann", "ben", "cat", "dan", "ivy")]
    b_members = [people[n] for n in ("mia", "kim", "lee", "max")]
    a = set_of(cohort, "Aurora", people["fay"], a_members)
    b = set_of(cohort, "Borealis", people["gus"], b_members)
    sessions = {
        "a_past": session_in(a, -3),
        "a_soon": session_in(a, 5),
        "a_later": session_in(a, 19),
        "b_soon": session_in(b, 6),
    }
    db.session.commit()
    return {**people, "cohort": cohort, "a": a, "b": b, **sessions}


def _page_post(client: FlaskClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def _deliver(inbox: SmtpServer) -> list[EmailMessage]:
    before = len(inbox.received)
    mail.deliver_due(datetime.now(UTC))
    return [received.message for received in inbox.received[before:]]


def _set_pages_linked(messages: list[EmailMessage], person: Person) -> dict[str, set[str]]:
    """Per iTIP method, the set pages linked from the emails to ``person`` (body and file)."""
    linked: dict[str, set[str]] = {}
    for message in messages:
        if message["To"] != person.email:
            continue
        texts = [
            part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
        ]
        method = next(
            part.get_param("method")
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        )
        linked.setdefault(method, set()).update(re.findall(r"/sets/\d+", " ".join(texts)))
    return linked


def _calendars(messages: list[EmailMessage], person: Person) -> list[tuple[str, int, int]]:
    """(iTIP method, session id, SEQUENCE) of each calendar email to ``person``."""
    found = []
    for message in messages:
        if message["To"] != person.email:
            continue
        part = next((p for p in message.walk() if p.get_content_type() == "text/calendar"), None)
        if part is None:
            continue
        (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
        session_id = int(str(event["UID"]).split("@")[0].removeprefix("session-"))
        found.append((part.get_param("method"), session_id, int(event["SEQUENCE"])))
    return sorted(found)


def _subjects(messages: list[EmailMessage], person: Person) -> list[str]:
    return [str(m["Subject"]) for m in messages if m["To"] == person.email]


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _stays(person: Person) -> list[tuple[str, date, date | None]]:
    db.session.expire_all()  # the requests changed them in sessions of their own
    rows = db.session.scalars(
        select(SetMembership).where(SetMembership.person_id == person.id).order_by(SetMembership.id)
    )
    return [(row.learning_set.name, row.joined_on, row.left_on) for row in rows]


def _stay_of(person: Person) -> SetMembership:
    return db.session.scalars(
        select(SetMembership).where(SetMembership.person_id == person.id)
    ).one()


def _move_by_hr(world: dict[str, Any], membership: SetMembership, target: LearningSet) -> None:
    services.move_member(
        membership,
        target,
        version=membership.learning_set.version,
        confirmed=True,
        by=world["hr"],
        now=datetime.now(UTC),
        today=TODAY,
    )


def _nothing_queued() -> bool:
    return db.session.scalar(select(OutgoingEmail.id).limit(1)) is None


# -- facilitators ----------------------------------------------------------------------------


def test_hr_replaces_a_facilitator_and_both_calendars_follow(
    client: FlaskClient, inbox: SmtpServer, world: dict[str, Any]
) -> None:
    a, fay, ned = world["a"], world["fay"], world["ned"]
    sign_in_as(client, world["hr"])
    url = f"/sets/{a.id}/facilitator"
    page = client.get(url).get_data(as_text=True)
    assert "Facilitated today by Fay" in page and "2 upcoming sessions" in page

    response = _page_post(client, url, version=a.version, person_id=ned.id)

    assert response.status_code == 302 and response.location == f"/sets/{a.id}"
    db.session.refresh(a)
    assert a.facilitator_id == ned.id
    messages = _deliver(inbox)
    upcoming = [world["a_soon"], world["a_later"]]
    for session in upcoming:
        db.session.refresh(session)
        assert session.sequence == 1  # who takes part changed: every copy is replaced
    assert _calendars(messages, fay) == [("CANCEL", s.id, 1) for s in upcoming]
    assert _calendars(messages, ned) == [("REQUEST", s.id, 1) for s in upcoming]
    assert "You no longer facilitate Aurora" in _subjects(messages, fay)
    assert "You now facilitate Aurora" in _subjects(messages, ned)
    notice = next(m for m in messages if m["Subject"] == "You now facilitate Aurora")
    assert "taking over from Fay" in notice.get_body(("plain",)).get_content()
    # Members hear nothing: their calendars carry no facilitator.
    assert _subjects(messages, world["ann"]) == []
    (event,) = _audited("set.facilitator_changed")
    assert event.details == {"before_id": fay.id, "after_id": ned.id}
    # The set is the new facilitator's now, the old one's no longer.
    assert a.id in set(db.session.scalars(queries.current_set_ids(ned.id, TODAY)))
    assert a.id not in set(db.session.scalars(queries.current_set_ids(fay.id, TODAY)))


def test_a_set_without_a_facilitator_gets_one(
    inbox: SmtpServer, world: dict[str, Any], make_person: Callable[..., Person]
) -> None:
    lone = set_of(world["cohort"], "Corona", None, [make_person() for _ in range(4)])
    now = datetime.now(UTC)

    services.change_facilitator(
        lone, world["ned"], version=lone.version, by=world["hr"], now=now, today=TODAY
    )
    db.session.commit()

    messages = _deliver(inbox)
    assert _subjects(messages, world["ned"]) == ["You now facilitate Corona"]
    notice = messages[0].get_body(("plain",)).get_content()
    assert "You now facilitate Corona in Spring." in notice


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("cat", "Cat is a member of Aurora and cannot also facilitate it."),
        # Top is Mia's manager and Mia is Ann's: above Ann at one remove.
        ("top", "Aurora's facilitator Top is in the management chain of Ann."),
        ("pat", "Aurora's facilitator Pat is in the management chain of Ben."),
        ("fay", "Fay already facilitates Aurora."),
    ],
)
def test_a_facilitator_who_breaks_a_hard_rule_is_refused_with_the_reason(
    world: dict[str, Any], who: str, reason: str
) -> None:
    a = world["a"]
    with pytest.raises(services.LearningRefusal) as refused:
        services.change_facilitator(
            a,
            world[who],
            version=a.version,
            by=world["hr"],
            now=datetime.now(UTC),
            today=TODAY,
        )
    assert refused.value.message == reason


def test_nobody_facilitates_more_sets_of_a_cohort_than_the_composer_allows(
    world: dict[str, Any],
) -> None:
    for number in range(4):
        set_of(world["cohort"], f"Extra {number}", world["ned"], [])
    with pytest.raises(services.LearningRefusal, match="Ned facilitates 5 sets, more than"):
        services.change_facilitator(
            world["a"],
            world["ned"],
            version=world["a"].version,
            by=world["hr"],
            now=datetime.now(UTC),
            today=TODAY,
        )


def test_a_guest_facilitates_only_while_their_access_lasts(
    world: dict[str, Any], make_person: Callable[..., Person]
) -> None:
    guest = make_person(
        Role.FACILITATOR,
        kind=PersonKind.GUEST,
        display_name="Gwen Guest",
        access_ends_on=TODAY + timedelta(days=10),
    )
    a, now = world["a"], datetime.now(UTC)
    last = world["a_later"].starts_at.date()
    with pytest.raises(services.LearningRefusal) as refused:
        services.change_facilitator(
            a, guest, version=a.version, by=world["hr"], now=now, today=TODAY
        )
    assert refused.value.message.startswith(
        f"Gwen Guest's access ends on {guest.access_ends_on:%d %B %Y}, before the set's last "
        f"scheduled session on {last:%d %B %Y}."
    )

    guest.access_ends_on = TODAY + timedelta(days=60)
    services.change_facilitator(a, guest, version=a.version, by=world["hr"], now=now, today=TODAY)
    assert a.facilitator_id == guest.id


def test_a_refused_facilitator_change_is_shown_on_the_form_and_changes_nothing(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    a = world["a"]
    sign_in_as(client, world["hr"])
    url = f"/sets/{a.id}/facilitator"

    refused = _page_post(client, url, version=a.version, person_id=world["top"].id)
    unchosen = _page_post(client, url, version=a.version, person_id=world["ann"].id)

    assert refused.status_code == 409
    assert "in the management chain of Ann" in refused.get_data(as_text=True)
    assert unchosen.status_code == 422  # not someone who facilitates
    db.session.refresh(a)
    assert a.facilitator_id == world["fay"].id and a.version == 1
    assert _nothing_queued() and _audited("set.facilitator_changed") == []


def test_the_second_of_two_changes_of_a_set_is_told_to_reload(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    a = world["a"]
    seen = a.version
    sign_in_as(client, world["hr"])
    url = f"/sets/{a.id}/facilitator"
    assert _page_post(client, url, version=seen, person_id=world["ned"].id).status_code == 302

    second = _page_post(client, url, version=seen, person_id=world["fay"].id)

    assert second.status_code == 409
    assert "Someone else saved this set" in second.get_data(as_text=True)
    db.session.refresh(a)
    assert a.facilitator_id == world["ned"].id


def test_only_hr_changes_a_facilitator(client: FlaskClient, world: dict[str, Any]) -> None:
    sign_in_as(client, world["fay"])  # the set's own facilitator
    assert client.get(f"/sets/{world['a'].id}/facilitator").status_code == 403


# -- moving members --------------------------------------------------------------------------


def test_hr_moves_a_member_and_registers_and_calendars_follow(
    client: FlaskClient, inbox: SmtpServer, world: dict[str, Any]
) -> None:
    a, b, dan = world["a"], world["b"], world["dan"]
    past, soon, b_soon = world["a_past"], world["a_soon"], world["b_soon"]
    services.record_attendance(
        past, {dan.id}, version=past.version, by=world["fay"], now=datetime.now(UTC)
    )
    # Marked ahead for a session he will no longer attend.
    db.session.add(Attendance(session_id=soon.id, person_id=dan.id, present=False))
    db.session.commit()
    membership = _stay_of(dan)
    sign_in_as(client, world["hr"])
    url = f"/memberships/{membership.id}/move"
    page = client.get(url).get_data(as_text=True)
    assert "Aurora keeps 4 members." in page and 'value="' + str(b.id) + '"' in page

    response = _page_post(client, url, version=a.version, target_id=b.id)

    assert response.status_code == 302
    assert _stays(dan) == [
        ("Aurora", TODAY - timedelta(days=30), TODAY),
        ("Borealis", TODAY, None),
    ]
    marks = db.session.scalars(select(Attendance).where(Attendance.person_id == dan.id))
    # The past record stays; the mark made ahead goes.
    assert {(row.session_id, row.present) for row in marks} == {(past.id, True)}
    on_register = {m.person_id for m in queries.current_members(a.id, soon.starts_at.date())}
    assert dan.id not in on_register
    on_b = {m.person_id for m in queries.current_members(b.id, b_soon.starts_at.date())}
    assert dan.id in on_b
    messages = _deliver(inbox)
    assert _calendars(messages, dan) == sorted(
        [("CANCEL", soon.id, 1), ("CANCEL", world["a_later"].id, 1), ("REQUEST", b_soon.id, 1)]
    )
    assert _subjects(messages, world["ann"]) == []
    # The set he left is no longer his to open: its cancellations link to no set page.
    assert _set_pages_linked(messages, dan) == {"CANCEL": set(), "REQUEST": {f"/sets/{b.id}"}}
    feed = {s.id for s in queries.sessions_for_person(dan.id, TODAY)}
    assert feed == {b_soon.id}
    (event,) = _audited("set.member_moved")
    assert event.details == {"person_id": dan.id, "to_set_id": b.id}
    db.session.refresh(b)
    assert b.version == 2  # the set moved into changed too


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("ann", "Ann cannot join Borealis: Mia is above Ann in the management chain."),
        ("ivy", "Ivy cannot join Borealis: its facilitator Gus is in their management chain."),
    ],
)
def test_a_move_that_breaks_a_hard_rule_is_refused_and_changes_nothing(
    client: FlaskClient, world: dict[str, Any], who: str, reason: str
) -> None:
    membership = _stay_of(world[who])
    sign_in_as(client, world["hr"])
    url = f"/memberships/{membership.id}/move"

    response = _page_post(client, url, version=world["a"].version, target_id=world["b"].id)

    assert response.status_code == 409
    assert reason in response.get_data(as_text=True)
    assert _stays(world[who]) == [("Aurora", TODAY - timedelta(days=30), None)]
    assert _nothing_queued() and _audited("set.member_moved") == []


def test_a_move_into_a_full_set_is_refused(
    world: dict[str, Any], make_person: Callable[..., Person]
) -> None:
    for _ in range(4):
        db.session.add(
            SetMembership(learning_set=world["b"], person=make_person(), joined_on=TODAY)
        )
    membership = _stay_of(world["dan"])
    with pytest.raises(services.LearningRefusal, match="Borealis already has 8 members"):
        _move_by_hr(world, membership, world["b"])


def test_only_open_sets_of_the_same_cohort_are_offered_or_taken(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    other = set_of(cohort_of("Autumn"), "Elsewhere", None, [])
    closed = set_of(world["cohort"], "Closed one", None, [])
    closed.closed_at = datetime.now(UTC)
    db.session.commit()
    membership = _stay_of(world["dan"])
    sign_in_as(client, world["hr"])
    url = f"/memberships/{membership.id}/move"
    page = client.get(url).get_data(as_text=True)
    assert "Borealis" in page and "Elsewhere" not in page and "Closed one" not in page

    for target in (other, closed):
        response = _page_post(client, url, version=world["a"].version, target_id=target.id)
        assert response.status_code == 422
    with pytest.raises(services.LearningRefusal, match="another set of Spring"):
        _move_by_hr(world, membership, other)


def test_a_move_leaving_the_set_too_small_asks_to_confirm_what_it_affects(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    b = world["b"]
    membership = _stay_of(world["kim"])
    sign_in_as(client, world["hr"])
    url = f"/memberships/{membership.id}/move"
    page = client.get(url).get_data(as_text=True)
    assert "Borealis is left with 3 members, fewer than the 4 a set needs." in page
    assert 'name="confirmed"' in page
    target = world["a"].id

    unconfirmed = _page_post(client, url, version=b.version, target_id=target)

    assert unconfirmed.status_code == 409
    text = unconfirmed.get_data(as_text=True)
    assert "This leaves Borealis with 3 members, fewer than the 4 a set needs." in text
    assert "leaves the registers of these upcoming sessions" in text
    assert _stays(world["kim"]) == [("Borealis", TODAY - timedelta(days=30), None)]

    confirmed = _page_post(client, url, version=b.version, target_id=target, confirmed="y")

    assert confirmed.status_code == 302
    assert _stays(world["kim"])[-1] == ("Aurora", TODAY, None)
    assert len(queries.current_members(world["a"].id, TODAY)) == 6


# -- taking members out ----------------------------------------------------------------------


def test_the_facilitator_takes_a_member_out_and_their_calendar_follows(
    client: FlaskClient, inbox: SmtpServer, world: dict[str, Any]
) -> None:
    ben = world["ben"]
    membership = _stay_of(ben)
    sign_in_as(client, world["fay"])
    url = f"/memberships/{membership.id}/remove"
    assert "Aurora keeps 4 members." in client.get(url).get_data(as_text=True)

    response = _page_post(client, url, version=world["a"].version)

    assert response.status_code == 302
    assert _stays(ben) == [("Aurora", TODAY - timedelta(days=30), TODAY)]
    cancelled = [("CANCEL", world["a_soon"].id, 1), ("CANCEL", world["a_later"].id, 1)]
    assert _calendars(_deliver(inbox), ben) == cancelled
    (event,) = _audited("set.member_removed")
    assert event.details == {"person_id": ben.id}
    # The history stays; the ended stay is no longer something to change.
    assert client.get(url).status_code == 404


def test_taking_a_member_out_below_the_minimum_asks_to_confirm(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    membership = _stay_of(world["max"])
    sign_in_as(client, world["gus"])
    url = f"/memberships/{membership.id}/remove"

    unconfirmed = _page_post(client, url, version=world["b"].version)
    assert unconfirmed.status_code == 409
    assert membership.left_on is None

    assert _page_post(client, url, version=world["b"].version, confirmed="y").status_code == 302
    db.session.refresh(membership)
    assert membership.left_on == TODAY


def test_members_cannot_take_anyone_out(client: FlaskClient, world: dict[str, Any]) -> None:
    membership = _stay_of(world["ben"])
    sign_in_as(client, world["ann"])
    assert client.get(f"/memberships/{membership.id}/remove").status_code == 403
    sign_in_as(client, world["gus"])  # another set's facilitator learns nothing
    assert client.get(f"/memberships/{membership.id}/remove").status_code == 404


# -- closing a set ---------------------------------------------------------------------------


def test_closing_a_set_cancels_its_upcoming_sessions_and_makes_it_read_only(
    client: FlaskClient, inbox: SmtpServer, world: dict[str, Any]
) -> None:
    a, ann = world["a"], world["ann"]
    sign_in_as(client, world["hr"])
    url = f"/sets/{a.id}/close"
    page = client.get(url).get_data(as_text=True)
    assert "These upcoming sessions are cancelled" in page
    screen = f"/sessions/{world['a_past'].id}"
    assert "/attendance" in client.get(screen).get_data(as_text=True)

    assert _page_post(client, url, version=a.version).status_code == 302

    db.session.refresh(a)
    assert a.closed_at is not None
    for name, cancelled in (("a_past", False), ("a_soon", True), ("a_later", True)):
        db.session.refresh(world[name])
        assert (world[name].cancelled_at is not None) is cancelled
    methods = {method for method, _, _ in _calendars(_deliver(inbox), ann)}
    assert methods == {"CANCEL"}
    (event,) = _audited("set.closed")
    assert sorted(event.details["cancelled"]) == sorted([world["a_soon"].id, world["a_later"].id])
    # Read-only: every change is sent back to the set's page, told why.
    closed = "Aurora is closed: it is kept for the record and takes no more changes."
    for change in (
        f"/sets/{a.id}/sessions/new",
        f"/sets/{a.id}/facilitator",
        f"/sets/{a.id}/close",
        f"/sessions/{world['a_past'].id}/edit",
    ):
        response = client.get(change)
        assert response.location == f"/sets/{a.id}", change
    detail = client.get(f"/sets/{a.id}").get_data(as_text=True)
    assert closed in detail and "This set was closed on" in detail
    after = client.get(screen).get_data(as_text=True)
    assert "Change the agenda" not in after and "/attendance" not in after
    assert "Schedule sessions" not in detail and "/move" not in detail
    with pytest.raises(services.LearningRefusal, match="Aurora is closed"):
        services.add_member(a, world["ned"], today=TODAY, by=world["hr"])
    # Its members still read it.
    sign_in_as(client, ann)
    assert client.get(f"/sets/{a.id}").status_code == 200


def test_a_closed_set_takes_no_register_nor_moves(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    a, past = world["a"], world["a_past"]
    services.close_set(a, version=a.version, by=world["hr"], now=datetime.now(UTC))
    db.session.commit()
    sign_in_as(client, world["fay"])

    response = client.post(
        f"/sessions/{past.id}/attendance",
        data={"csrf_token": csrf_token(client, f"/sets/{a.id}"), "version": past.version},
    )

    assert response.location == f"/sets/{a.id}"
    assert db.session.scalar(select(Attendance.id)) is None
    membership = _stay_of(world["dan"])
    with pytest.raises(services.LearningRefusal, match="Aurora is closed"):
        _move_by_hr(world, membership, world["b"])


def test_only_hr_closes_a_set(client: FlaskClient, world: dict[str, Any]) -> None:
    sign_in_as(client, world["fay"])
    assert client.get(f"/sets/{world['a'].id}/close").status_code == 403
    db.session.refresh(world["a"])
    assert world["a"].closed_at is None


def test_the_set_page_offers_each_change_to_whoever_may_make_it(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    a = world["a"]
    links = ("/facilitator", "/close", "/move", "/remove")

    def offered(person: Person) -> set[str]:
        sign_in_as(client, person)
        page = client.get(f"/sets/{a.id}").get_data(as_text=True)
        return {link for link in links if link in page}

    assert offered(world["hr"]) == set(links)
    assert offered(world["fay"]) == {"/remove"}
    assert offered(world["ann"]) == set()


def test_sessions_of_a_set_are_counted_as_upcoming_only_before_they_start(
    world: dict[str, Any],
) -> None:
    cancelled = session_in(world["a"], 8, cancelled_at=datetime.now(UTC))
    upcoming = queries.upcoming_sessions(world["a"].id, datetime.now(UTC))
    assert [s.id for s in upcoming] == [world["a_soon"].id, world["a_later"].id]
    assert cancelled.id not in {s.id for s in upcoming}
