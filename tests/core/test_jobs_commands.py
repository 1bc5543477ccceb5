"""``intrapreneur scheduled`` and ``intrapreneur worker`` as an operator or a CronJob runs them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from intrapreneur.cli import cli
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.extensions import db
from intrapreneur.settings import DirectorySettings
from tests.identity.test_directory_sync import IN_DIRECTORY


def run(app: Flask, *arguments: str) -> Result:
    return CliRunner().invoke(cli, list(arguments), obj=ScriptInfo(create_app=lambda: app))


def only_job() -> BackgroundJob:
    (job,) = db.session.scalars(db.select(BackgroundJob)).all()
    return job


@pytest.mark.ldap
def test_scheduled_directory_sync_runs_once_now_and_says_how_it_went(
    app: Flask, use_directory: Callable[..., DirectorySettings]
) -> None:
    use_directory()

    result = run(app, "scheduled", "directory-sync")

    assert result.exit_code == 0, result.output
    job = only_job()
    assert result.output == (
        f"directory-sync succeeded (job {job.id}): Changed: {IN_DIRECTORY} created, 0 updated, "
        f"0 reactivated, 0 deactivated ({IN_DIRECTORY} people in the directory).\n"
    )
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.SUCCEEDED, 1, IN_DIRECTORY)
    assert job.requested_by_id is None and job.arguments == {}


@pytest.mark.ldap
def test_scheduled_task_failing_exits_with_an_error_and_is_recorded(
    app: Flask, use_directory: Callable[..., DirectorySettings], closed_port: int
) -> None:
    use_directory(LDAP_URL=f"ldap://127.0.0.1:{closed_port}")

    result = run(app, "scheduled", "directory-sync")

    assert result.exit_code == 1
    job = only_job()
    assert result.output.startswith(f"directory-sync failed (job {job.id}): DirectoryUnavailable: ")
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.FAILED, 1, 1)


def test_a_scheduled_task_that_is_off_here_does_nothing(app: Flask) -> None:
    result = run(app, "scheduled", "directory-sync")  # no directory configured

    assert result.exit_code == 0
    assert result.output == "directory-sync is off (not configured): nothing to do.\n"
    assert db.session.scalars(db.select(BackgroundJob)).all() == []


def test_scheduled_refuses_a_task_that_is_not_scheduled(app: Flask) -> None:
    result = run(app, "scheduled", "sync-everything")

    assert result.exit_code == 2
    assert (
        "'sync-everything' is not a scheduled task "
        "(known: directory-sync, reminders, review-digests, survey-reminders, "
        "learning-digests, sponsor-digests, survey-waves, mail-delivery, requeue-stranded, "
        "retention)"
    ) in result.output
    assert db.session.scalars(db.select(BackgroundJob)).all() == []


def test_the_worker_needs_redis(app: Flask) -> None:
    result = run(app, "worker", "--burst")

    assert result.exit_code == 2
    assert "the worker needs Redis: set INTRAPRENEUR_REDIS_URL" in result.output


def test_the_worker_says_when_redis_does_not_answer(
    app: Flask, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{closed_port}/0")

    result = run(app, "worker", "--burst")

    assert result.exit_code == 1
    assert result.output == "intrapreneur: Redis is not answering (ConnectionError)\n"
