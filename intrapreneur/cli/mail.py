"""``intrapreneur mail deliver | reminders | status | retry``: the outbox by hand.

In production a background job runs ``deliver`` every minute and ``reminders`` once
a day; these commands do the same from a shell (cron, or to see what is stuck).
"""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup

from intrapreneur.core import mail
from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db
from intrapreneur.learning.emails import queue_reminders

mail_group = AppGroup("mail", help="Send queued emails and queue the daily reminders.")


@mail_group.command("deliver")
@click.option("--limit", default=500, show_default=True, help="Send at most this many emails.")
def deliver_command(limit: int) -> None:
    """Send the emails that are due; failures wait and are tried again later."""
    now = utcnow()
    due = min(mail.due_count(now), limit)
    with click.progressbar(length=due, label="Sending", show_pos=True) as bar:
        report = mail.deliver_due(now, limit, on_progress=bar.update)
    click.echo(report.describe())
    if report.disabled:
        sys.exit(2)


@mail_group.command("reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to act as (default: today); reminders are about the day after.",
)
def reminders_command(today: object) -> None:
    """Queue reminders of tomorrow's sessions and commitments (once per day and thing)."""
    day = today.date() if today is not None else date.today()  # type: ignore[attr-defined]
    report = queue_reminders(day)
    db.session.commit()
    click.echo(report.describe())


@mail_group.command("status")
def status_command() -> None:
    """How many emails wait, were sent, or failed; the latest failures with their error."""
    for status, count in mail.counts().items():
        click.echo(f"{status.value + ':':<9}{count}")
    for email in mail.failed_emails():
        click.echo(
            f"  failed #{email.id} {email.kind.value} to {email.to_address} "
            f"after {email.attempts} attempts: {email.last_error}"
        )


@mail_group.command("retry")
def retry_command() -> None:
    """Give failed emails a new round of attempts (once the SMTP problem is fixed)."""
    count = mail.retry_failed(utcnow())
    db.session.commit()
    click.echo(f"{count} failed emails are queued again.")
