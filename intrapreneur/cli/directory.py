"""``intrapreneur directory sync`` and ``intrapreneur directory test USERNAME``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from intrapreneur.identity.directory import DirectoryUnavailable, InvalidCredentials
from intrapreneur.identity.services import configured_directory
from intrapreneur.identity.sync import SyncRefused, sync_directory

directory = AppGroup("directory", help="Check and synchronise the company directory.")


def _configured():  # type: ignore[no-untyped-def]
    found = configured_directory()
    if found is None:
        click.echo("intrapreneur: no directory is configured (set INTRAPRENEUR_LDAP_URL)", err=True)
        sys.exit(2)
    return found


@directory.command("sync")
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
@click.option("--force", is_flag=True, help="Deactivate even more than the allowed share.")
def sync_command(dry_run: bool, force: bool) -> None:
    """Create, update, reactivate and deactivate people to match the directory."""
    target = _configured()
    try:
        with click.progressbar(length=0, label="Reading the directory", show_pos=True) as bar:
            report = sync_directory(
                target,
                dry_run=dry_run,
                force=force,
                max_deactivate_share=current_app.config["SYNC_MAX_DEACTIVATE_SHARE"],
                on_progress=bar.update,
            )
    except SyncRefused as refusal:
        click.echo(f"Stopped: {refusal}", err=True)
        sys.exit(1)
    except DirectoryUnavailable as problem:
        click.echo(
            f"Stopped, nothing changed: the directory is not reachable ({problem}).", err=True
        )
        sys.exit(1)
    for name in report.deactivated_names:
        click.echo(f"  {'would deactivate' if dry_run else 'deactivated'}: {name}")
    click.echo(report.describe())


@directory.command("test")
@click.argument("username")
def test_command(username: str) -> None:
    """Show what the app sees for USERNAME (no password needed)."""
    target = _configured()
    try:
        found = target.lookup(username)
    except DirectoryUnavailable as problem:
        click.echo(f"The directory is not reachable: {problem}", err=True)
        sys.exit(1)
    except InvalidCredentials:
        click.echo(f"{username!r} cannot be a username (empty, too long or a NUL byte).", err=True)
        sys.exit(1)
    if found is None:
        click.echo(f"No entry matches {username!r} under {target.settings.user_base}.")
        sys.exit(1)
    click.echo(f"DN:          {found.dn}")
    for label, value in (
        ("Id", found.directory_id),
        ("Username", found.username),
        ("Email", found.email),
        ("Name", found.display_name),
        ("Department", found.department),
        ("Title", found.title),
        ("Manager DN", found.manager_dn),
        ("Time zone", found.time_zone),
        ("Disabled", "yes" if found.disabled else "no"),
    ):
        click.echo(f"{label + ':':<13}{value or '—'}")
    click.echo("Groups:")
    for group in sorted(found.groups) or ["—"]:
        click.echo(f"  {group}")
    roles = ["employee", *sorted(found.roles)]
    click.echo(f"Roles:       {', '.join(roles)} (manager follows from having reports)")
