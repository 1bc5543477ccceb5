"""``intrapreneur backup FILE`` and ``intrapreneur restore FILE``: all the data in one file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from intrapreneur.core import services as audit
from intrapreneur.core.backup import BackupError, read_header, restore_backup, write_backup
from intrapreneur.extensions import db


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    """Write all application data to FILE (gzip'd JSON lines), from one consistent snapshot.

    FILE holds personal data and the audit log: keep it as safe as the database itself.
    """
    try:
        with click.progressbar(length=0, label="Backing up", show_pos=True) as bar:

            def start(total: int) -> None:
                bar.length = total

            summary = write_backup(db.engine, file, on_progress=bar.update, on_start=start)
    except BackupError as problem:
        click.echo(f"Stopped, no file written: {problem}.", err=True)
        sys.exit(1)
    click.echo(f"{summary.describe('Backed up')} File: {file}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything already in the database.")
@with_appcontext
def restore(file: Path, force: bool) -> None:
    """Load FILE, made by `intrapreneur backup`, into a database at the same schema revision.

    All or nothing: on any problem the database is left as it was.
    """
    try:
        header = read_header(file)
        click.echo(
            f"Backup of {header['created_at']} by Intrapreneur {header['app_version']} "
            f"({header['database']}, schema revision {header['schema_revision']})"
        )
        total = sum(header["rows"].values())
        with click.progressbar(length=total, label="Restoring", show_pos=True) as bar:
            summary = restore_backup(db.engine, file, force=force, on_progress=bar.update)
    except BackupError as problem:
        click.echo(f"Stopped, nothing changed: {problem}.", err=True)
        sys.exit(1)
    # After the restored history, so that the log itself says when and how it was replaced.
    audit.record(
        "data.restored",
        actor=None,
        backup_created_at=header["created_at"],
        schema_revision=header["schema_revision"],
        forced=force,
    )
    db.session.commit()
    click.echo(summary.describe("Restored"))
