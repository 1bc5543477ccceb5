"""An export whose worker is killed, or whose database is full, never serves part of a file.

The file is a row stored in the commit that marks its job succeeded, so a worker killed
after writing it (uncommitted) leaves nothing behind, the person who asked is told it is
not ready, the job is shown stranded once its heartbeat is silent (PostgreSQL) or it has
run longer than any job may (SQLite), and requeue-stranded makes the file again, whole. A
full disk is the database's failure: the statement fails, the transaction rolls back, the job
fails with the reason and, retried once there is room, makes the whole file.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, text, update

from intrapreneur.blueprints import jobs as job_pages
from intrapreneur.core import jobs
from intrapreneur.core.jobs import JOB_TIMEOUT_SECONDS, handoff, heartbeats
from intrapreneur.core.models import BackgroundJob, ExportFile, JobStatus, utcnow
from intrapreneur.culture.services import publish_closed_waves
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Role
from tests.conftest import csrf_token, environment_for
from tests.core.test_jobs_queue import state
from tests.culture import builders as b
from tests.reliability.racing import (
    add_people,
    commit_and_let_go,
    migrated_in_context,
    signed_in,
    wait_for,
)

# The pages' refusals, in English (outside an app, a lazy message is its English).
NO_FILE, NOT_READY = str(job_pages.NO_FILE), str(job_pages.NOT_READY)

ROOT = Path(__file__).resolve().parents[2]
PAUSED = "export file written, not committed"

# A worker process that runs one job and stops for good once the export's file is written
# into its transaction: the moment to kill it.
WORKER = f"""
import sys, threading
from sqlalchemy import event
from sqlalchemy.orm import Session
from intrapreneur import create_app
from intrapreneur.core import jobs
from intrapreneur.core.jobs import heartbeats
from intrapreneur.core.models import ExportFile

heartbeats.HEARTBEAT_SECONDS = 0.1
app = create_app()

@event.listens_for(Session, "after_flush")
def wait_to_be_killed(session, context):
    if any(isinstance(row, ExportFile) for row in session.new):
        print({PAUSED!r}, flush=True)
        threading.Event().wait()

jobs.run_job(app, int(sys.argv[1]))
"""


def survey_to_export() -> tuple[str, int]:
    """HR's session id and a closed, published wave's id, with answers in two departments,
    all committed."""
    (hr,) = add_people(1, "hr", Role.HR)
    wave = b.wave("Spring pulse")
    finance, sales = Department(name="Finance"), Department(name="Sales")
    db.session.add_all([finance, sales])
    db.session.flush()
    b.respond(wave, 12, finance, b.P, b.answers(4))
    b.respond(wave, 9, sales, b.C, b.answers(2))
    publish_closed_waves(date.today())  # the job's work once the wave has closed
    ids = hr.get_id(), wave.id
    commit_and_let_go()
    return ids


def ask_for_export(
    client: FlaskClient, wave_id: int, export_format: str, monkeypatch: pytest.MonkeyPatch
) -> int:
    """HR asks for the export in the background; a worker elsewhere is to run it."""
    with monkeypatch.context() as elsewhere:
        elsewhere.setattr(handoff, "dispatch", lambda app, job_id: None)
        asked = client.post(
            f"/culture/export.{export_format}/background?wave={wave_id}",
            data={"csrf_token": csrf_token(client, "/culture/")},
        )
    assert asked.status_code == 302
    return int(asked.headers["Location"].rsplit("/", 1)[1])


def body(response: Any) -> bytes:
    """The body, then the response closed as a WSGI server would (it holds a temporary file)."""
    data = response.get_data()
    response.close()
    return data


def files() -> int:
    count = db.session.scalar(select(func.count()).select_from(ExportFile))
    db.session.rollback()
    return count


def page_of(client: FlaskClient, job_id: int) -> str:
    return client.get(f"/jobs/{job_id}").get_data(as_text=True)


def heartbeat_after_start(job_id: int) -> bool:
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    beat = job is not None and job.heartbeat_at is not None and job.heartbeat_at > job.started_at
    db.session.rollback()
    return beat


def started_long_ago(job_id: int) -> None:
    """As if the hour RQ allows any job had passed since the killed worker claimed it."""
    db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id)
        .values(started_at=utcnow() - timedelta(seconds=JOB_TIMEOUT_SECONDS + 60))
    )
    db.session.commit()


def test_a_worker_killed_mid_export_leaves_no_file_and_the_export_is_made_again(
    racing_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hr_login, wave_id = survey_to_export()
    hr = signed_in(racing_app, hr_login)
    job_id = ask_for_export(hr, wave_id, "csv", monkeypatch)
    environment = environment_for(
        racing_app.config["SQLALCHEMY_DATABASE_URI"], Path(racing_app.instance_path)
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(job_id)],
        env={**os.environ, **environment, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    try:
        paused = worker.stdout.readline()  # "" if it ended without pausing
        if jobs.writes_heartbeats(db.engine):
            wait_for(lambda: heartbeat_after_start(job_id), "the worker's heartbeat")
    finally:
        worker.kill()
        worker.wait()
        worker.stdout.close()
    assert paused == f"{PAUSED}\n"

    refused = hr.get(f"/jobs/{job_id}/file")
    assert refused.status_code == 409
    assert NOT_READY in refused.get_data(as_text=True)
    assert files() == 0
    assert state(job_id) == (JobStatus.RUNNING, 1)
    assert "Stranded" not in page_of(hr, job_id)  # for now it may just be slow

    if jobs.writes_heartbeats(db.engine):  # the heartbeat went silent with the process
        monkeypatch.setattr(heartbeats, "SILENT_AFTER", timedelta(seconds=0.5))
        wait_for(lambda: "Stranded:" in page_of(hr, job_id), "the page to say stranded")
    else:
        started_long_ago(job_id)
        assert "Stranded:" in page_of(hr, job_id)
    jobs.enqueue("requeue-stranded")
    db.session.commit()  # the suite runs it, and the job it hands on, here and now

    assert state(job_id) == (JobStatus.SUCCEEDED, 2)
    made = hr.get(f"/jobs/{job_id}/file")
    assert made.status_code == 200
    assert made.get_data() == body(hr.get(f"/culture/export.csv.zip?wave={wave_id}"))


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    """SQLite whatever the suite runs on: its page limit fails a write exactly as a full disk
    does (SQLITE_FULL, "database or disk is full"). PostgreSQL fails the same way (ENOSPC,
    the statement fails and its transaction rolls back) only on a filesystem really full,
    which a test cannot make without mounting one."""
    environment = environment_for(f"sqlite:///{tmp_path / 'full.db'}", tmp_path / "instance")
    with migrated_in_context(environment, TESTING=True) as app:
        yield app


def no_room_to_grow(headroom_pages: int) -> Any:
    """Every new connection may add only ``headroom_pages`` pages to the database file."""
    with db.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
    limit = pages + headroom_pages

    def limit_pages(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count = {limit}")
        cursor.close()

    db.engine.dispose()
    event.listen(db.engine, "connect", limit_pages)
    return limit_pages


def scores_sheet(content: bytes) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [tuple(row) for row in workbook["Scores"].iter_rows(values_only=True)]


def test_a_full_disk_fails_the_export_whole_and_a_retry_makes_it(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    hr_login, wave_id = survey_to_export()
    admin_login = add_people(1, "admin", Role.ADMIN)[0].get_id()
    commit_and_let_go()
    hr = signed_in(sqlite_app, hr_login)
    direct = body(hr.get(f"/culture/export.xlsx?wave={wave_id}"))
    page_size = db.session.scalar(text("PRAGMA page_size"))
    db.session.rollback()
    assert len(direct) > 2 * page_size, "the file needs more room than the disk has left"
    job_id = ask_for_export(hr, wave_id, "xlsx", monkeypatch)

    limit = no_room_to_grow(headroom_pages=1)
    jobs.in_process(sqlite_app).submit(job_id)  # every attempt, at once

    job = db.session.get(BackgroundJob, job_id)
    assert job is not None and job.status is JobStatus.FAILED
    assert job.error == "OperationalError: (sqlite3.OperationalError) database or disk is full"
    db.session.rollback()
    assert files() == 0
    refused = hr.get(f"/jobs/{job_id}/file")
    assert refused.status_code == 409
    assert NO_FILE in refused.get_data(as_text=True)

    event.remove(db.engine, "connect", limit)
    db.engine.dispose()  # room again
    admin_client = signed_in(sqlite_app, admin_login)
    retried = admin_client.post(
        f"/admin/jobs/{job_id}/retry",
        data={"csrf_token": csrf_token(admin_client, f"/jobs/{job_id}")},
    )
    assert retried.status_code == 302
    assert state(job_id)[0] is JobStatus.SUCCEEDED
    made = hr.get(f"/jobs/{job_id}/file")
    assert made.status_code == 200
    assert scores_sheet(made.get_data()) == scores_sheet(direct)
