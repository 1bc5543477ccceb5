"""The managers' daily digest of the cards waiting for their review, received by a real SMTP
server on loopback, on fixed dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur import settings
from intrapreneur.core import jobs, mail
from intrapreneur.core.mail_models import EmailKind, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.experiments import reviews
from intrapreneur.experiments.digests import queue_review_digests, waiting_by_reviewer
from intrapreneur.experiments.models import Notification, TeamRole, VentureMember
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.settings import ConfigError
from tests.conftest import SmtpServer, sign_in_as
from tests.experiments.test_reviews import Org, card, venture_of

# The job's hour on a fixed day; the cards' waits are counted back from it.
NOW = datetime(2027, 3, 10, 7, 0, tzinfo=UTC)
OVERDUE_DAYS = 5
BASE = "https://intrapreneur.example"


@pytest.fixture
def org(make_person: Callable[..., Person], app: Flask, monkeypatch: pytest.MonkeyPatch) -> Org:
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    return Org(make_person)


@pytest.fixture
def waiting(org: Org, inbox: SmtpServer) -> dict[str, Any]:
    """Dan's card has waited 6 days (overdue), Dina's 1 day, Paul's 2 days; Dan's backlog card
    waits for nothing. The review requests these emailed at once are delivered and forgotten."""
    cards = {
        "dan": card(org.dans_venture, org.dan, "Dan's old card", waiting_since=NOW - days(6)),
        "dina": card(org.dinas_venture, org.dina, "Dina's card", waiting_since=NOW - days(1)),
        "paul": card(org.pauls_venture, org.paul, "Paul's card", waiting_since=NOW - days(2)),
        "backlog": card(org.dans_venture, org.dan, "Dan's backlog card", waiting_since=None),
    }
    db.session.commit()
    mail.deliver_due(NOW)
    inbox.received.clear()
    return cards


def days(days: int) -> timedelta:
    return timedelta(days=days)


def digests(
    inbox: SmtpServer, now: datetime = NOW, overdue_days: int = OVERDUE_DAYS
) -> dict[str, EmailMessage]:
    """Run the day's digests, commit as the job does, deliver: each message by recipient."""
    queue_review_digests(now, overdue_days)
    db.session.commit()
    before = len(inbox.received)
    mail.deliver_due(now)
    return {str(m.message["To"]): m.message for m in inbox.received[before:]}


def text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def notices(person: Person) -> list[Notification]:
    """The person's digest notices (the only notifications written with a key)."""
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.person_id == person.id, Notification.dedupe_key.is_not(None)
            )
        )
    )


def digest_emails() -> list[OutgoingEmail]:
    return list(
        db.session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.kind == EmailKind.REVIEW_DIGEST)
        )
    )


def test_each_manager_gets_one_digest_of_their_queue_with_waits_and_overdue_marks(
    client: FlaskClient, org: Org, waiting: dict[str, Any], inbox: SmtpServer
) -> None:
    received = digests(inbox)

    assert set(received) == {org.bea.email, org.mia.email, org.pete.email}
    beas = received[org.bea.email]
    assert beas["Subject"] == "2 cards wait for your review, 1 of them more than 5 days"
    body = text(beas)
    # Oldest first, each with its wait; only the one over the limit is marked.
    assert body.index("Dan's old card") < body.index("Dina's card")
    assert (
        "‘Dan's old card’ (Dan's van sharing, Dan Deep): Newly running. Waiting for 6 days." in body
    )
    assert "Overdue: it has waited more than 5 days." in body
    assert body.count("Overdue") == 1
    assert "Waiting for 1 day." in body
    assert "backlog" not in body and "Paul" not in body
    assert f"{BASE}/experiments/{waiting['dan'].id}/review" in body
    assert f"Your review queue: {BASE}/reviews" in body
    assert f"{BASE}/account/notifications" in body  # it can be turned off
    html = beas.get_body(("html",)).get_content()
    assert f'<a href="{BASE}/reviews">Open your review queue</a>' in html
    assert "<strong>Overdue: it has waited more than 5 days.</strong>" in html

    assert (
        received[org.mia.email]["Subject"] == "A card has waited more than 5 days for your review"
    )
    assert received[org.pete.email]["Subject"] == "A card waits for your review"
    [notice] = notices(org.bea)
    assert (notice.text, notice.link) == (beas["Subject"], "/reviews")
    assert notice.venture_id is None  # about the queue, so listed whatever the boards
    sign_in_as(client, org.bea)
    assert beas["Subject"] in client.get("/notifications").get_data(as_text=True)


def test_a_second_run_the_same_day_sends_and_notes_nothing_and_the_next_day_does(
    org: Org, waiting: dict[str, Any], inbox: SmtpServer
) -> None:
    assert len(digests(inbox)) == 3
    counts = (
        db.session.scalar(select(func.count()).select_from(OutgoingEmail)),
        db.session.scalar(select(func.count()).select_from(Notification)),
    )

    assert digests(inbox, NOW + timedelta(hours=9)) == {}  # the same UTC day: a repeat or a retry
    assert counts == (
        db.session.scalar(select(func.count()).select_from(OutgoingEmail)),
        db.session.scalar(select(func.count()).select_from(Notification)),
    )
    again = digests(inbox, NOW + timedelta(days=1))
    assert set(again) == {org.bea.email, org.mia.email, org.pete.email}
    assert (
        again[org.bea.email]["Subject"]
        == "2 cards wait for your review, 1 of them more than 5 days"
    )
    assert len(notices(org.bea)) == 2


def test_only_managers_with_a_waiting_card_hear_and_a_review_ends_the_wait(
    org: Org, waiting: dict[str, Any], inbox: SmtpServer
) -> None:
    reviews.review_card(
        waiting["paul"],
        tag=reviews.ReviewTag.SUPPORT,
        comment="Go on.",
        budget=None,
        version=waiting["paul"].version,
        by=org.pete,
        now=NOW - timedelta(hours=1),
    )
    db.session.commit()
    mail.deliver_due(NOW)
    inbox.received.clear()

    received = digests(inbox)

    assert org.pete.email not in received
    assert notices(org.pete) == []
    assert notices(org.dan) == [] and notices(org.dina) == []


def test_turning_the_digest_off_stops_the_email_but_not_the_notice(
    org: Org, waiting: dict[str, Any], inbox: SmtpServer
) -> None:
    mail.save_preferences(org.bea, {"review_digests": False}, NOW)
    db.session.commit()

    received = digests(inbox)

    assert org.bea.email not in received and org.mia.email in received
    assert len(notices(org.bea)) == 1
    assert {email.person_id for email in digest_emails()} == {org.mia.id, org.pete.id}


def test_nobody_who_may_not_act_and_nobody_without_the_manager_role_hears(
    org: Org, waiting: dict[str, Any], inbox: SmtpServer
) -> None:
    org.mia.active = False  # left the company; the directory sync switched her off
    org.pete.roles = [grant for grant in org.pete.roles if grant.role is not Role.MANAGER]
    db.session.commit()

    received = digests(inbox)

    assert set(received) == {org.bea.email}
    assert notices(org.mia) == [] and notices(org.pete) == []


@pytest.mark.parametrize(
    ("waited", "overdue_days", "subject"),
    [
        (timedelta(days=5), 5, "A card waits for your review"),
        (timedelta(days=5, minutes=1), 5, "A card has waited more than 5 days for your review"),
        (timedelta(hours=25), 1, "A card has waited more than 1 day for your review"),
        (timedelta(days=30), 31, "A card waits for your review"),
    ],
)
def test_a_card_is_overdue_once_it_has_waited_longer_than_the_setting(
    org: Org, inbox: SmtpServer, waited: timedelta, overdue_days: int, subject: str
) -> None:
    card(org.pauls_venture, org.paul, "Paul's card", waiting_since=NOW - waited)
    db.session.commit()
    mail.deliver_due(NOW)
    inbox.received.clear()

    received = digests(inbox, overdue_days=overdue_days)

    assert received[org.pete.email]["Subject"] == subject
    assert ("Overdue" in text(received[org.pete.email])) is ("more than" in subject)


def test_the_digest_lists_exactly_what_each_managers_queue_lists(
    org: Org, make_person: Callable[..., Person]
) -> None:
    """The walk up from the boards agrees with the queue's walk down, for indirect reports,
    a manager on the team, an archived board and a cycle in the directory's data."""
    card(org.dans_venture, org.dan, "Dan's card")
    card(org.dinas_venture, org.dina, "Dina's card")
    card(org.pauls_venture, org.paul, "Paul's card")
    db.session.add(
        VentureMember(venture_id=org.dinas_venture.id, person_id=org.mia.id, role=TeamRole.MEMBER)
    )
    archived = venture_of(org.dina, "Dina's old idea")
    card(archived, org.dina, "Archived card")
    archived.archived_at = NOW
    # Two people each other's manager: the directory says so, the walk must still end.
    loop_a = make_person(Role.MANAGER, display_name="Loop A")
    loop_b = make_person(Role.MANAGER, display_name="Loop B", manager=loop_a)
    loop_a.manager = loop_b
    card(venture_of(loop_b, "Loop venture"), loop_b, "Loop card")
    db.session.commit()

    by_reviewer: dict[int, list[int]] = {}
    for row in db.session.execute(waiting_by_reviewer()):
        by_reviewer.setdefault(row.reviewer_id, []).append(row.experiment_id)
    for manager in (org.bea, org.mia, org.pete, loop_a, loop_b, org.dan):
        queue = db.session.execute(reviews.review_queue(manager.id)).all()
        assert by_reviewer.get(manager.id, []) == [row.experiment_id for row in queue]
    assert by_reviewer[loop_a.id]  # Loop B's card reaches Loop A …
    assert loop_b.id not in by_reviewer  # … and not Loop B, who is on its team


def test_the_scheduled_job_sends_the_digest_through_the_job_system(
    app: Flask, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The job reads the clock, so this one card waits from the clock's now.
    card(org.dans_venture, org.dan, "Dan's card", waiting_since=utcnow() - timedelta(days=6))
    monkeypatch.setitem(app.config, "REVIEW_OVERDUE_DAYS", 7)
    job_id = jobs.enqueue("review-digests")
    db.session.commit()  # in the tests, jobs run at once in the committing thread

    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None and job.status is JobStatus.SUCCEEDED
    assert (
        job.message == "2 managers told of the cards waiting for their review, 2 of them by email."
    )
    rows = digest_emails()
    assert {row.person_id for row in rows} == {org.bea.id, org.mia.id}
    assert {row.subject for row in rows} == {"A card waits for your review"}  # 6 days: not over 7


# -- the setting ------------------------------------------------------------------------------


def _overdue_days(tmp_path: Path, **variables: str) -> object:
    environment = {f"INTRAPRENEUR_{k}": v for k, v in {"ENV": "development", **variables}.items()}
    return settings.load(environment, instance_path=tmp_path).flask_config()["REVIEW_OVERDUE_DAYS"]


def test_the_overdue_limit_is_five_days_unless_set(tmp_path: Path) -> None:
    assert _overdue_days(tmp_path) == 5
    assert _overdue_days(tmp_path, REVIEW_OVERDUE_DAYS="10") == 10


@pytest.mark.parametrize("value", ["0", "366", "a week", "-3", "2.5"])
def test_a_bad_overdue_limit_is_refused_in_one_line(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        _overdue_days(tmp_path, REVIEW_OVERDUE_DAYS=value)
    assert str(refused.value) == (
        f"INTRAPRENEUR_REVIEW_OVERDUE_DAYS must be a whole number from 1 to 365, not {value!r}"
    )
