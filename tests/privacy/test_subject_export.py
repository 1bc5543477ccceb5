"""A busy person's copy of their data holds every record the record of processing links to
them, table by table (checked against a query of its own per link, not the export's), and
nothing about anyone else: no other person's name, email or username anywhere in the
archive, and no secret."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import and_, or_, select

from intrapreneur.core.models import AuditEvent, BackgroundJob, ExportFile, JobStatus
from intrapreneur.experiments.models import Review, VentureMember
from intrapreneur.experiments.notices import notify
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy import settings
from intrapreneur.privacy.record import TABLES
from intrapreneur.privacy.registry import Table
from intrapreneur.privacy.subject_export import archive as archive_module
from intrapreneur.privacy.subject_export.sections import TITLES, sections
from tests.privacy.busy_for_export import (
    CALENDAR_SECRET,
    MARKUP,
    OWN_COMMENT,
    Busy,
    ask_for_export,
    downloaded,
    everything_in,
    job_of,
)


def _own_export(client: FlaskClient, busy: Busy) -> zipfile.ZipFile:
    return downloaded(client, job_of(ask_for_export(client, busy.tom, "/account/my-data")))


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    if f"{name}.json" not in archive.namelist():
        return []
    content = json.loads(archive.read(f"{name}.json"))
    assert content["section"] == name
    return content["rows"]


def _linked_keys(table: Table, person_id: int) -> set[tuple[Any, ...]]:
    """The primary keys of the table's rows that name the person in a link column, by a
    query written here (and, for the audit log, the events whose object is the person)."""
    sql = db.metadata.tables[table.name]
    found = [sql.c[link.column] == person_id for link in table.links]
    if table.name == "audit_event":
        found.append(and_(sql.c.object_type == "person", sql.c.object_id == str(person_id)))
    rows = db.session.execute(select(*sql.primary_key.columns).where(or_(*found)))
    return {tuple(row) for row in rows}


def _written_after(job_id: int) -> dict[str, set[tuple[Any, ...]]]:
    """What the export's job wrote once its archive was made: its file, and the event
    saying what it holds."""
    made = db.session.scalars(
        select(AuditEvent.id).where(AuditEvent.action == "privacy.subject_export_made")
    )
    files = db.session.scalars(select(ExportFile.id).where(ExportFile.job_id == job_id))
    return {"audit_event": {(i,) for i in made}, "export_file": {(i,) for i in files}}


def test_the_export_holds_every_row_the_record_links_to_the_person(
    client: FlaskClient, busy: Busy
) -> None:
    job_id = job_of(ask_for_export(client, busy.tom, "/account/my-data"))
    archive = downloaded(client, job_id)

    later = _written_after(job_id)
    assert all(later.values())
    checked = 0
    for table in TABLES:
        if not table.links:
            assert f"{table.name}.json" not in archive.namelist()
            continue
        keys = [column.name for column in db.metadata.tables[table.name].primary_key.columns]
        exported = {tuple(row[key] for key in keys) for row in _rows(archive, table.name)}
        expected = _linked_keys(table, busy.tom.id) - later.get(table.name, set())
        assert exported == expected, table.name
        checked += bool(expected)
    # The busy person is in most of the record: a link that found nothing proves little.
    assert checked >= 15


def test_audit_events_as_actor_and_as_subject_reviews_received_emails_notifications(
    client: FlaskClient, busy: Busy
) -> None:
    archive = _own_export(client, busy)
    tom = busy.tom.id

    events = _rows(archive, "audit_event")
    assert any(event["actor_id"] == tom for event in events)
    done_to = [e for e in events if e["object_type"] == "person" and e["object_id"] == str(tom)]
    assert {e["action"] for e in done_to} >= {"person.roles_changed", "person.updated"}
    assert any(e["actor_id"] == busy.admin.id for e in done_to)  # by number, not by name
    history = _rows(archive, "roles_history")
    assert [(e["action"], e["details"]["added"]) for e in history] == [
        ("person.roles_changed", ["facilitator"])
    ]
    roles = {row["role"] for row in _rows(archive, "person_role")}
    assert roles == {role.value for role in busy.tom.role_names}

    ventures = select(VentureMember.venture_id).where(VentureMember.person_id == tom)
    received = db.session.scalars(select(Review.id).where(Review.venture_id.in_(ventures))).all()
    assert received
    assert sorted(row["id"] for row in _rows(archive, "reviews_received")) == sorted(received)
    assert {row["reviewer_id"] for row in _rows(archive, "reviews_received")} == {busy.manager.id}

    emails = _rows(archive, "outgoing_email")
    assert emails and all(email["to_address"] == busy.tom.email for email in emails)
    assert all("text_body" not in email and "html_body" not in email for email in emails)
    notifications = _rows(archive, "notification")
    assert len(notifications) == 2 and all(row["person_id"] == tom for row in notifications)

    (profile,) = _rows(archive, "person")
    assert (profile["id"], profile["display_name"]) == (tom, busy.tom.display_name)
    assert profile["manager_id"] == busy.manager.id


def test_nothing_about_anyone_else_and_no_secret(client: FlaskClient, busy: Busy) -> None:
    archive = _own_export(client, busy)
    everything = everything_in(archive).casefold()

    others = busy.others
    assert len(others) > 10
    for person in others:
        for identifier in (person.display_name, person.email, person.username):
            if identifier:
                assert identifier.casefold() not in everything, identifier
    # They were there to be found: the texts now carry the marker in their place.
    (question,) = [q for q in _rows(archive, "question") if q["id"] == busy.question.id]
    assert question["text"].startswith("Could [another person] ([another person], or ")
    assert any("[another person]" in row["subject"] for row in _rows(archive, "outgoing_email"))
    texts = {row["text"].split(" ‘")[0] for row in _rows(archive, "notification")}
    assert texts == {"[another person] shared a venture with you", "[another person] reviewed"}
    # His own name stays his.
    assert busy.tom.display_name.casefold() in everything

    secret_columns = {
        (table.name, name) for table in TABLES for name, col in table.columns.items() if col.secret
    }
    for table_name, column in secret_columns:
        for row in _rows(archive, table_name):
            assert column not in row, (table_name, column)
    assert CALENDAR_SECRET.casefold() not in everything
    (profile,) = _rows(archive, "person")
    assert "calendar_token" not in profile and "password_hash" not in profile


def test_a_guests_password_hash_is_never_exported(client: FlaskClient, busy: Busy) -> None:
    guest = db.session.scalar(select(Person).where(Person.email == "leo@santos-labs.example"))
    assert guest is not None and guest.password_hash

    archive = downloaded(client, job_of(ask_for_export(client, guest, "/account/my-data")))

    assert guest.password_hash not in everything_in(archive)
    assert "password_hash" not in _rows(archive, "person")[0]


def test_the_summary_is_readable_html_with_the_person_and_escaped_content(
    client: FlaskClient, busy: Busy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "SHOWN_ROWS", 3)
    archive = _own_export(client, busy)
    page = archive.read("index.html").decode()

    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert '<html lang="en"' in page
    assert f"<title>Personal data of {busy.tom.display_name}</title>" in page
    assert "<h2>Questions asked</h2>" in page and "<h2>Reviews received</h2>" in page
    assert "&lt;script&gt;alert(" in page
    assert MARKUP not in page and "<script" not in page
    assert "Survey answers are included" in page
    assert OWN_COMMENT in page
    # Each section says what it is and why it is kept, from the record of processing.
    question_table = next(table for table in TABLES if table.name == "question")
    assert question_table.purpose.replace("(", "").split(",")[0] in page
    # Every file the summary names is in the archive.
    for name in re.findall(r"\((\w+\.json)\)", page):
        assert name in archive.namelist()
    # A long section shows its first rows; its file holds them all.
    events = len(_rows(archive, "audit_event"))
    assert events > 3
    shown = f"The first 3 of {events} records are shown here; audit_event.json holds them all."
    assert shown in page
    section = page.split('<section id="audit_event">')[1].split("</section>")[0]
    assert section.count("<tr>") == 1 + 3  # the header and three rows


def test_the_job_reports_its_progress_section_by_section(client: FlaskClient, busy: Busy) -> None:
    settings.change({"export_files": "3"}, by=busy.admin, now=datetime.now(UTC))
    db.session.commit()

    job_id = job_of(ask_for_export(client, busy.tom, "/account/my-data"))

    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None and job.status is JobStatus.SUCCEEDED
    assert job.progress_total == len(sections(own=True))
    assert job.progress_done == job.progress_total
    assert job.message is not None and job.message.startswith("Ready to download until")
    file = db.session.scalars(select(ExportFile).where(ExportFile.job_id == job_id)).one()
    # Their own copy holds their survey answers beside their name: a day at most.
    assert file.expires_at - file.created_at == pytest.approx(
        timedelta(days=1), abs=timedelta(minutes=1)
    )
    made = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.subject_export_made")
    ).one()
    assert (made.actor_id, made.object_id) == (busy.tom.id, str(busy.tom.id))
    assert made.details["rows"]["question"] == 1 and made.details["survey_answers"] is True


def test_a_table_without_a_heading_is_exported_under_its_name(
    client: FlaskClient, make_person: Callable[..., Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table added to the record later is exported before anyone writes its heading."""
    person = make_person()
    notify(person.id, "A notice")
    db.session.commit()
    monkeypatch.delitem(TITLES, "notification")

    archive = downloaded(client, job_of(ask_for_export(client, person, "/account/my-data")))

    assert [row["text"] for row in _rows(archive, "notification")] == ["A notice"]
    assert "<h2>notification</h2>" in archive.read("index.html").decode()
