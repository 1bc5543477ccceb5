"""Every stored time is shown in its reader's zone: pages, flashes and refusals alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from intrapreneur.core.models import AuditEvent
from intrapreneur.core.timezones import to_utc
from intrapreneur.culture import services as survey_services
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning import services as learning_services
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LearningSession,
    Programme,
    SessionFormat,
)
from tests.conftest import sign_in_as
from tests.experiments.builders import learning_set
from tests.formats import day

TEMPLATES = Path(__file__).parents[2] / "intrapreneur" / "templates"
NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_the_audit_log_shows_times_in_the_admins_zone(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    admin = make_person(Role.ADMIN, time_zone="Asia/Tokyo")
    db.session.add(AuditEvent(occurred_at=NOON_UTC, actor_label="system", action="test.event"))
    db.session.commit()
    sign_in_as(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "2026-01-15 21:00:00" in page  # noon in London is nine in the evening in Tokyo


def test_a_cohorts_requests_are_dated_in_the_readers_zone(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    hr = make_person(Role.HR, time_zone="Pacific/Auckland")
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30),
    )
    late_evening = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)  # 16 January in Auckland
    db.session.add(
        Enrolment(
            cohort=cohort,
            person=make_person(),
            status=EnrolmentStatus.REQUESTED,
            created_at=late_evening,
        )
    )
    db.session.commit()
    sign_in_as(client, hr)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "16 Jan 2026" in page and "15 Jan 2026" not in page


def test_a_double_booking_is_told_in_the_schedulers_zone(
    make_person: Callable[..., Person],
) -> None:
    hr = make_person(Role.HR, time_zone="America/New_York")
    busy = make_person(display_name="Busy Bee")
    elsewhere = learning_set(busy, name="Elsewhere")
    here = learning_set(busy, name="Here")
    starts = to_utc(date.today() + timedelta(days=10), time(10, 0), hr.time_zone)
    db.session.add(
        LearningSession(
            learning_set=elsewhere,
            format=SessionFormat.HACK,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            agenda=[],
        )
    )
    _, clashes = learning_services.schedule_sessions(
        here,
        first_start=starts,
        session_format=SessionFormat.HACK,
        count=1,
        location=None,
        video_url=None,
        now=datetime.now(UTC),
        by=hr,
    )
    there = day(starts.astimezone(ZoneInfo(hr.time_zone)).date())
    assert clashes == [f"Busy Bee is also in Elsewhere at {there}, 10:00 (America/New_York)."]


def test_no_template_formats_a_stored_time_without_the_readers_zone() -> None:
    """Stored times (``…_at``) are UTC: a template shows one through ``local_time``, which
    turns it into the reader's zone; ``strftime`` on it would print UTC."""
    unzoned = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in re.finditer(r"\w+_at\.strftime\(", path.read_text())
    ]
    assert unzoned == []


def test_a_survey_closed_early_is_dated_in_the_invitees_zone(
    make_person: Callable[..., Person],
) -> None:
    hr = make_person(Role.HR)
    invitee = make_person(time_zone="Asia/Tokyo")
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30),
    )
    db.session.add(Enrolment(cohort=cohort, person=invitee, status=EnrolmentStatus.ACCEPTED))
    db.session.flush()
    made = survey_services.create_wave(
        title="Pulse",
        instrument_key="intrapreneur-culture@1.0",
        cohorts=[cohort],
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=14),
        seed=1,
        by=hr,
    )
    made.wave.closed_at = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # 16 January in Tokyo

    with pytest.raises(survey_services.SurveyRefusal) as refused:
        survey_services.answer_by_token(
            made.tokens[invitee.id], {}, "", date.today(), language="en"
        )
    assert "closed early on 16 January 2026" in refused.value.message
