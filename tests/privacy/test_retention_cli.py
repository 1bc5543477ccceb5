"""``intrapreneur retention run [--dry-run] [--rule NAME]`` as an operator runs it: the
counts first, then the batches, then one summary line; exit 1 only when it fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from click.testing import CliRunner, Result
from flask import Flask

from intrapreneur.cli import cli
from intrapreneur.core.mail_models import EmailStatus, OutgoingEmail
from intrapreneur.core.models import utcnow
from intrapreneur.experiments.models import Notification
from intrapreneur.identity.models import Person
from tests.core.test_jobs_commands import run
from tests.privacy.retention_builders import email, ids, notification
from tests.privacy.test_retention_run import applied_events, failing

RULES = ("--rule", "notifications", "--rule", "sent_emails")


def _old_rows(reader: Person) -> tuple[set[int], int]:
    """Three notifications and an email older than their periods, and one recent notification
    (the command reads the clock: these are far from any boundary)."""
    now = utcnow()
    old = {notification(reader, now - timedelta(days=400)) for _ in range(3)}
    email(EmailStatus.SENT, sent_at=now - timedelta(days=40), last_try=now - timedelta(days=40))
    return old, notification(reader, now)


def _lines(result: Result) -> list[str]:
    return result.output.splitlines()


def test_a_dry_run_prints_the_counts_and_changes_nothing(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    old, recent = _old_rows(make_person())

    result = run(app, "retention", "run", "--dry-run", *RULES)

    assert result.exit_code == 0, result.output
    lines = _lines(result)
    assert lines[0] == "Would act on (dry run):"
    assert lines[1].split()[:2] == ["sent_emails", "1"]
    assert lines[2].split()[:2] == ["notifications", "3"]
    assert "older than 365 days (before " in lines[2]
    assert lines[-1] == (
        "Dry run, nothing changed: 1 sent email to delete, 3 notifications to delete."
    )
    assert ids(Notification) == {*old, recent} and len(ids(OutgoingEmail)) == 1
    assert applied_events() == []


def test_a_run_prints_the_counts_before_acting_then_a_summary(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    _old, recent = _old_rows(make_person())

    result = run(app, "retention", "run", *RULES)

    assert result.exit_code == 0, result.output
    lines = _lines(result)
    assert lines[0] == "Acting on:"
    assert [line.split()[:2] for line in lines[1:3]] == [
        ["sent_emails", "1"],
        ["notifications", "3"],
    ]
    assert "Applying" in result.output  # the progress bar
    assert lines[-1] == "Retention rules applied: 1 sent email deleted, 3 notifications deleted."
    assert ids(Notification) == {recent} and ids(OutgoingEmail) == set()
    assert [(e.details["kind"], e.details["count"], e.actor_label) for e in applied_events()] == [
        ("sent_emails", 1, "system"),
        ("notifications", 3, "system"),
    ]


def test_a_failing_run_says_what_it_kept_and_exits_with_an_error(
    app: Flask, make_person: Callable[..., Person]
) -> None:
    old, recent = _old_rows(make_person())

    with failing("DELETE FROM notification", on=1):
        result = run(app, "retention", "run", *RULES)

    assert result.exit_code == 1
    assert "Done before stopping: Retention rules applied: 1 sent email deleted, " in result.output
    assert "0 notifications deleted." in result.output
    assert "Stopped: ConnectionError: the database went away." in result.output
    assert ids(Notification) == {*old, recent} and ids(OutgoingEmail) == set()

    again = run(app, "retention", "run", *RULES)

    assert again.exit_code == 0, again.output
    assert _lines(again)[-1] == (
        "Retention rules applied: 0 sent emails deleted, 3 notifications deleted."
    )


def test_an_unknown_rule_is_refused_with_the_known_ones(app: Flask) -> None:
    result = CliRunner().invoke(cli, ["retention", "run", "--rule", "everything"])

    assert result.exit_code == 2
    assert "'everything' is not one of 'deactivated_people', 'sent_emails'" in result.output
