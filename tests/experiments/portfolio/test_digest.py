"""The sponsors' monthly digest, received by the real SMTP server on loopback: last month's
figures to each sponsor in their own language, once per sponsor and month, only in a month's
first week, never to someone who turned it off or may not act, through the job registry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import Message

import pytest
from flask import Flask
from sqlalchemy import select

from intrapreneur.core import jobs, mail
from intrapreneur.core.mail_models import EmailKind, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.experiments.portfolio.digest import queue_sponsor_digests
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import SmtpServer
from tests.experiments.portfolio import world

OCTOBER_1ST = datetime(2026, 10, 1, 7, tzinfo=UTC)


@pytest.fixture
def built(make_person: Callable[..., Person]) -> world.Built:
    return world.build(make_person)


def delivered(inbox: SmtpServer, now: datetime) -> dict[str, Message]:
    before = len(inbox.received)
    mail.deliver_due(now)
    return {str(m.message["To"]): m.message for m in inbox.received[before:]}


def body(message: Message) -> str:
    part = message.get_body(("plain",)) if hasattr(message, "get_body") else message
    return str(part.get_content())  # type: ignore[union-attr]


def test_each_sponsor_gets_last_month_in_figures_in_their_language(
    built: world.Built, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    german = make_person(Role.SPONSOR, chosen_locale="de")
    french = make_person(Role.SPONSOR, chosen_locale="fr")
    hr = make_person(Role.HR)  # reads the page; the digest is the sponsors'

    report = queue_sponsor_digests(OCTOBER_1ST)
    received = delivered(inbox, OCTOBER_1ST)

    assert report.month == "2026-09" and report.emailed == 3
    assert set(received) == {built.people["sponsor"].email, german.email, french.email}
    assert hr.email not in received
    english = received[built.people["sponsor"].email]
    assert english["Subject"] == "The programme's portfolio in September 2026"
    text = body(english)
    # September: e1, e2, e3 asked 1,000 + 5,000 + 2,000; r1 and r2 released 1,000 + 3,000.
    assert "Requested: 8,000.00" in text and "Approved (released): 4,000.00" in text
    assert "Decisions: 2" in text and "Kill rate: 50%" in text
    assert "September 2026" in str(received[german.email]["Subject"])  # de: the same word
    assert "septembre 2026" in str(received[french.email]["Subject"])
    assert "Idee" in body(received[german.email])  # the stage, in German
    for secret in (world.SECRET_TITLE, world.SECRET_TEXT):
        assert all(secret not in message.as_string() for message in received.values())


def test_once_per_sponsor_and_month_and_only_in_the_first_week(
    built: world.Built, inbox: SmtpServer
) -> None:
    queue_sponsor_digests(OCTOBER_1ST)
    assert len(delivered(inbox, OCTOBER_1ST)) == 1
    # A retry the same day, a run the next days: nothing more.
    for day in (1, 2, 7):
        again = OCTOBER_1ST.replace(day=day, hour=9)
        assert queue_sponsor_digests(again).emailed == 0
    assert delivered(inbox, OCTOBER_1ST.replace(day=7)) == {}
    # After the first week nothing is written, even for a sponsor who had none.
    late = OCTOBER_1ST.replace(day=8)
    assert queue_sponsor_digests(late).describe().startswith("No sponsor digest due")
    # The next month's goes out.
    november = queue_sponsor_digests(OCTOBER_1ST.replace(month=11))
    assert (november.month, november.emailed) == ("2026-10", 1)


def test_turned_off_or_switched_off_sponsors_get_none(
    built: world.Built, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    quiet = make_person(Role.SPONSOR)
    mail.save_preferences(quiet, {"sponsor_digests": False}, OCTOBER_1ST)
    gone = make_person(Role.SPONSOR, active=False)
    db.session.flush()

    queue_sponsor_digests(OCTOBER_1ST)
    received = delivered(inbox, OCTOBER_1ST)

    assert quiet.email not in received and gone.email not in received
    assert built.people["sponsor"].email in received


def test_the_scheduled_job_sends_it_through_the_job_registry(
    app: Flask, built: world.Built
) -> None:
    ran = {}
    for day in ("2026-10-01", "2026-10-08"):
        job_id = jobs.enqueue("sponsor-digests", on=day)
        db.session.commit()  # in the tests, jobs run at once in the committing thread
        db.session.expire_all()
        job = db.session.get(BackgroundJob, job_id)
        assert job is not None and job.status is JobStatus.SUCCEEDED
        ran[day] = job.message

    assert ran == {
        "2026-10-01": "1 sponsors emailed the portfolio of 2026-09.",
        "2026-10-08": "No sponsor digest due: it goes out in the first week of a month.",
    }
    emails = db.session.scalars(
        select(OutgoingEmail).where(OutgoingEmail.kind == EmailKind.SPONSOR_DIGEST)
    ).all()
    assert [email.person_id for email in emails] == [built.people["sponsor"].id]
