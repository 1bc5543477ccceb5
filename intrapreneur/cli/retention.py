"""``intrapreneur retention run [--dry-run] [--rule NAME]``: the retention rules by hand.

The scheduled task ``retention`` does the same daily; from a shell an operator sees the
counts first, then a progress bar while the batches commit one by one.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db
from intrapreneur.privacy.retention import RetentionReport, apply, plan
from intrapreneur.privacy.settings import RETENTION_RULES

retention = AppGroup("retention", help="Apply the retention rules for personal data.")


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would be removed; change nothing.")
@click.option(
    "--rule",
    "rules",
    multiple=True,
    type=click.Choice([rule.name for rule in RETENTION_RULES]),
    help="Apply only this rule (repeat for more); every rule by default.",
)
def run_command(dry_run: bool, rules: tuple[str, ...]) -> None:
    """Erase, delete or empty what has been kept for its rule's period (settings on the
    admins' data protection page). Safe to stop and run again: it continues."""
    report = plan(utcnow(), dry_run=dry_run, rules=rules or None)
    _show_counts(report)
    if not dry_run:
        try:
            with click.progressbar(length=report.planned, label="Applying", show_pos=True) as bar:
                apply(report, by=None, on_progress=bar.update)
        except Exception as error:
            db.session.rollback()
            click.echo(f"Done before stopping: {report.describe()}", err=True)
            click.echo(
                f"Stopped: {type(error).__name__}: {error}. Each batch finished before this "
                "is kept; run again to continue.",
                err=True,
            )
            sys.exit(1)
    not_erased = "would not erase" if dry_run else "not erased"
    for refusal in report.refused:
        reasons = " ".join(refusal.reasons)
        click.echo(f"  {not_erased}: #{refusal.person_id} {refusal.name}: {reasons}")
    click.echo(report.describe())


def _show_counts(report: RetentionReport) -> None:
    click.echo("Would act on (dry run):" if report.dry_run else "Acting on:")
    for outcome in report.outcomes:
        rule = outcome.rule
        click.echo(
            f"  {rule.name:<20}{outcome.planned:>9}   older than {outcome.period} "
            f"{rule.unit.value} (before {outcome.cutoff:%Y-%m-%d %H:%M} UTC)"
        )
