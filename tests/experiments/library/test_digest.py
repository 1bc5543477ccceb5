"""The weekly digest of learnings shared with the organisation, received by a real SMTP
server on loopback, on fixed dates: who gets it, what it lists, in which language, once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core import jobs, mail
from intrapreneur.core.mail_models import EmailKind, EmailPreference, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.core.schedule import SCHEDULE, latest_slot
from intrapreneur.experiments.library.digest import (
    DIGEST_LIMIT,
    queue_learning_digests,
    reported_week,
)
from intrapreneur.experiments.models import Decision, Evidence, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.experiments.builders import learning_set, venture_for
from tests.experiments.library.builders import learning

# Monday morning; the digest reports Monday 8 to Sunday 14 March 2027 (UTC).
NOW = datetime(2027, 3, 15, 7, 0, tzinfo=UTC)
LAST_WEEK = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
BASE = "https://intrapreneur.example"


class Org:
    """Olga owns an organisation-wide venture, a private one and one shared into her set
    (with Gus, a guest). Anna reads English, Bernd German; Otto turned the digest off."""

    def __init__(self, make_person: Callable[..., Person], make_guest: Callable[..., Person]):
        self.olga = make_person(display_name="Olga Owner")
        self.anna = make_person(display_name="Anna", chosen_locale="en")
        self.bernd = make_person(display_name="Bernd", chosen_locale="de")
        self.otto = make_person(display_name="Otto")
        self.gus = make_guest(display_name="Gus Guest")
        learning_set(self.olga, self.gus)
        self.open = venture_for(self.olga, "Open canteen", visibility=Visibility.ORGANISATION)
        self.private = venture_for(self.olga, "Private vans")
        self.shared = venture_for(self.olga, "Set depot", visibility=Visibility.SETS)
        mail.save_preferences(self.otto, {"learning_digests": False}, NOW)
        db.session.commit()

    @property
    def employees(self) -> set[str]:
        return {p.email for p in (self.olga, self.anna, self.bernd)}  # type: ignore[misc]


@pytest.fixture
def org(
    app: Flask,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
) -> Org:
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    return Org(make_person, make_guest)


def digests(inbox: SmtpServer, now: datetime = NOW) -> dict[str, EmailMessage]:
    """Run the week's digests, commit as the job does, deliver: each message by recipient."""
    queue_learning_digests(now)
    db.session.commit()
    before = len(inbox.received)
    mail.deliver_due(now)
    return {str(m.message["To"]): m.message for m in inbox.received[before:]}


def body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def test_the_week_reported_is_the_whole_utc_week_before_the_run() -> None:
    for now in (NOW, NOW + timedelta(days=2, hours=15)):
        assert reported_week(now) == (
            datetime(2027, 3, 8, tzinfo=UTC),
            datetime(2027, 3, 15, tzinfo=UTC),
        )


def test_employees_get_last_weeks_organisation_learnings_and_nothing_else(
    org: Org, inbox: SmtpServer
) -> None:
    learning(
        org.open,
        org.olga,
        "Canteen pre-orders",
        decision=Decision.PIVOT,
        evidence=Evidence.PAY,
        decided_at=LAST_WEEK,
        learned="People pay for lunch boxes.",
    )
    learning(org.open, org.olga, "Too early", decided_at=datetime(2027, 3, 7, 23, 59, tzinfo=UTC))
    learning(org.open, org.olga, "This week", decided_at=datetime(2027, 3, 15, 0, 0, tzinfo=UTC))
    learning(org.private, org.olga, "Private learning", decided_at=LAST_WEEK)
    learning(org.shared, org.olga, "Set learning", decided_at=LAST_WEEK)

    received = digests(inbox)

    assert set(received) == org.employees  # not Otto (opted out), never Gus (a guest)
    message = received[org.anna.email]  # type: ignore[index]
    assert message["Subject"] == "1 new learning shared with the organisation last week"
    text = body(message)
    assert "‘Canteen pre-orders’ (Open canteen): pivot, on what people pay." in text
    assert "People pay for lunch boxes." in text
    assert f"{BASE}/experiments/" in text
    assert f"{BASE}/library?since=2027-03-08&until=2027-03-14" in text
    assert f"{BASE}/account/notifications" in text or "turn these emails off" in text
    for hidden in ("Too early", "This week", "Private learning", "Set learning"):
        assert hidden not in text
        assert hidden not in message.get_body(("html",)).get_content()


def test_each_recipient_reads_it_in_their_language(org: Org, inbox: SmtpServer) -> None:
    learning(
        org.open,
        org.olga,
        "Canteen pre-orders",
        decision=Decision.PIVOT,
        evidence=Evidence.DO,
        decided_at=LAST_WEEK,
    )

    received = digests(inbox)

    german = body(received[org.bernd.email])  # type: ignore[index]
    english = body(received[org.anna.email])  # type: ignore[index]
    # Words the shipped catalogue already translates (the digest's own sentences follow
    # with i18n-wip/library.de.po).
    assert "Hallo Bernd," in german and "Hello Bernd" not in german
    assert "pivotieren" in german and "was Menschen tun" in german
    assert "Hello Anna," in english and "what people do" in english


def test_a_week_without_new_learnings_sends_nothing(org: Org, inbox: SmtpServer) -> None:
    learning(org.private, org.olga, "Private learning", decided_at=LAST_WEEK)

    report = queue_learning_digests(NOW)

    assert (report.learnings, report.emailed) == (0, 0)
    assert digests(inbox) == {}
    kinds = db.session.scalars(select(OutgoingEmail.kind))
    assert EmailKind.LEARNING_DIGEST not in set(kinds)


def test_the_digest_goes_out_once_per_week_however_often_it_runs(
    org: Org, inbox: SmtpServer
) -> None:
    learning(org.open, org.olga, "Canteen pre-orders", decided_at=LAST_WEEK)

    first = digests(inbox)
    again = digests(inbox)
    on_wednesday = digests(inbox, NOW + timedelta(days=2))
    next_week = digests(inbox, NOW + timedelta(days=7))  # nothing new in the week after

    assert set(first) == org.employees
    assert again == on_wednesday == next_week == {}
    assert queue_learning_digests(NOW).emailed == 0


def test_a_long_week_lists_the_newest_and_points_to_the_library(
    org: Org, inbox: SmtpServer
) -> None:
    for number in range(DIGEST_LIMIT + 2):
        decided_at = LAST_WEEK + timedelta(minutes=number)
        learning(org.open, org.olga, f"Card number {number:02d}", decided_at=decided_at)

    text = body(digests(inbox)[org.anna.email])  # type: ignore[index]

    assert f"{DIGEST_LIMIT + 2} new learnings" in digests_subject(org.anna)
    assert "Card number 21" in text and "Card number 02" in text
    assert "Card number 01" not in text and "Card number 00" not in text
    assert "And 2 more in the learning library." in text


def digests_subject(person: Person) -> str:
    return db.session.scalars(
        select(OutgoingEmail.subject).where(
            OutgoingEmail.person_id == person.id, OutgoingEmail.kind == EmailKind.LEARNING_DIGEST
        )
    ).one()


def test_an_employee_turns_the_digest_off_on_the_email_settings_page(
    client: FlaskClient, org: Org, inbox: SmtpServer
) -> None:
    learning(org.open, org.olga, "Canteen pre-orders", decided_at=LAST_WEEK)
    sign_in_as(client, org.anna)
    page = client.get("/account/notifications").get_data(as_text=True)
    box = re.search(r"<input[^>]*name=\"learning_digests\"[^>]*>", page)
    assert box is not None and "checked" in box.group(0)  # on until turned off

    token = csrf_token(client, "/account/notifications")
    answer = client.post("/account/notifications", data={"csrf_token": token})

    assert answer.status_code == 302
    assert db.session.get(EmailPreference, org.anna.id).learning_digests is False  # type: ignore[union-attr]
    assert org.anna.email not in digests(inbox)


def test_a_guest_is_not_offered_the_digest(client: FlaskClient, org: Org) -> None:
    sign_in_as(client, org.gus)

    page = client.get("/account/notifications").get_data(as_text=True)

    assert "learning_digests" not in page
    assert "New learnings shared with the organisation" not in page


def test_the_scheduled_job_sends_the_digest_through_the_job_system(org: Org) -> None:
    # The job reads the clock: the learning was decided in the week before this one.
    last_week = reported_week(utcnow())[0] + timedelta(days=2)
    learning(org.open, org.olga, "Canteen pre-orders", decided_at=last_week)
    job_id = jobs.enqueue("learning-digests")
    db.session.commit()  # in the tests, jobs run at once in the committing thread

    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None and job.status is JobStatus.SUCCEEDED
    assert job.message == (
        "1 learnings shared with the organisation last week, emailed to 3 people."
    )
    people = db.session.scalars(
        select(OutgoingEmail.person_id).where(OutgoingEmail.kind == EmailKind.LEARNING_DIGEST)
    )
    assert set(people) == {org.olga.id, org.anna.id, org.bernd.id}


def test_the_digest_is_scheduled_on_mondays_at_the_reminders_hour(app: Flask) -> None:
    (entry,) = [entry for entry in SCHEDULE if entry.task == "learning-digests"]
    offset = entry.offset(app.config)

    assert entry.describe(app.config) == "learning-digests: weekly on Mondays at 07:00 UTC"
    # From Monday 07:00 to the next Monday 07:00, one slot: a scheduler started mid-week
    # catches up that Monday's, once.
    for now in (NOW, NOW + timedelta(days=3), NOW + timedelta(days=7) - timedelta(seconds=1)):
        assert latest_slot(now, entry.every, offset) == NOW
    assert latest_slot(NOW - timedelta(seconds=1), entry.every, offset) == NOW - timedelta(days=7)
