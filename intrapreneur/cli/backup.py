"""``intrapreneur backup FILE`` and ``intrapreneur restore FILE``: all the data in one file,
encrypted to public keys; ``intrapreneur backup-key FILE``: a new key pair for them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from intrapreneur.core import services as audit
from intrapreneur.core.backup import (
    BackupError,
    Identity,
    Recipient,
    is_encrypted,
    read_header,
    read_identities,
    read_recipients,
    recipient,
    restore_backup,
    write_backup,
    write_identity,
)
from intrapreneur.extensions import db

KEY_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--recipient",
    "-r",
    "recipient_keys",
    multiple=True,
    metavar="PUBLIC_KEY",
    help="Encrypt to this age public key (age1…) or SSH public key; repeatable.",
)
@click.option(
    "--recipients-file",
    "-R",
    "recipient_files",
    multiple=True,
    type=KEY_FILE,
    help="Encrypt to the public keys in this file, one per line (as `age -R` reads it).",
)
@click.option("--plaintext", is_flag=True, help="Write the file unencrypted (gzip'd JSON lines).")
@with_appcontext
def backup(
    file: Path, recipient_keys: tuple[str, ...], recipient_files: tuple[Path, ...], plaintext: bool
) -> None:
    """Write all application data to FILE, from one consistent snapshot, encrypted with age.

    The public keys come from --recipient and --recipients-file, or else from
    INTRAPRENEUR_BACKUP_RECIPIENTS; only a matching private key (`intrapreneur restore
    --identity`, or `age -d -i KEY FILE | gunzip`) reads FILE. Without any, the command
    refuses unless --plaintext is given: an unencrypted FILE holds personal data and the
    audit log in the clear.
    """
    try:
        recipients = _recipients(recipient_keys, recipient_files, plaintext)
        with click.progressbar(length=0, label="Backing up", show_pos=True) as bar:

            def start(total: int) -> None:
                bar.length = total

            summary = write_backup(
                db.engine, file, recipients=recipients, on_progress=bar.update, on_start=start
            )
    except BackupError as problem:
        click.echo(f"Stopped, no file written: {problem}.", err=True)
        sys.exit(1)
    # Who took a copy of everything, and whether it is readable without a key.
    audit.record(
        "data.backed_up",
        actor=None,
        schema_revision=summary.revision,
        rows=sum(summary.rows.values()),
        encrypted=recipients is not None,
        recipients=len(recipients or ()),
    )
    db.session.commit()
    if recipients is None:
        kind = "unencrypted: keep it as safe as the database itself"
    else:
        kind = f"encrypted to {_count(len(recipients), 'public key')}"
    click.echo(f"{summary.describe('Backed up')} File: {file} ({kind}).")


def _recipients(
    keys: tuple[str, ...], files: tuple[Path, ...], plaintext: bool
) -> list[Recipient] | None:
    """The public keys to encrypt to: the options', or else the setting's; None: plaintext."""
    if plaintext:
        if keys or files:
            raise BackupError("--plaintext and --recipient/--recipients-file exclude each other")
        return None
    if keys or files:
        found = [recipient(key, f"--recipient {number}") for number, key in enumerate(keys, 1)]
        found += [key for path in files for key in read_recipients(path)]
    else:
        configured = current_app.config["BACKUP_RECIPIENTS"]
        found = [recipient(key, "INTRAPRENEUR_BACKUP_RECIPIENTS") for key in configured]
    if not found:
        raise BackupError(
            "no public key to encrypt the backup to: give --recipient age1… (or "
            "--recipients-file, or set INTRAPRENEUR_BACKUP_RECIPIENTS), or --plaintext "
            "to write it unencrypted"
        )
    return found


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--identity",
    "-i",
    "identity_files",
    multiple=True,
    type=KEY_FILE,
    help="The private key(s) of an encrypted FILE: an age identity file (as `age-keygen` "
    "or `intrapreneur backup-key` writes it) or an OpenSSH private key; repeatable.",
)
@click.option("--force", is_flag=True, help="Replace everything already in the database.")
@with_appcontext
def restore(file: Path, identity_files: tuple[Path, ...], force: bool) -> None:
    """Load FILE, made by `intrapreneur backup`, into a database at the same schema revision.

    An encrypted FILE (told by its content, not its name) needs --identity. All or nothing:
    on any problem, a wrong key or a damaged file among them, the database is left as it was.
    """
    try:
        identities: list[Identity] = [
            identity for path in identity_files for identity in read_identities(path)
        ]
        encrypted = is_encrypted(file)
        header = read_header(file, identities)
        click.echo(
            f"Backup of {header['created_at']} by Intrapreneur {header['app_version']} "
            f"({header['database']}, schema revision {header['schema_revision']}, "
            f"{'encrypted' if encrypted else 'not encrypted'})"
        )
        total = sum(header["rows"].values())
        with click.progressbar(length=total, label="Restoring", show_pos=True) as bar:
            summary = restore_backup(
                db.engine, file, identities=identities, force=force, on_progress=bar.update
            )
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
        encrypted=encrypted,
    )
    db.session.commit()
    click.echo(summary.describe("Restored"))


@click.command("backup-key")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_key(file: Path) -> None:
    """Write a new private key for encrypted backups to FILE and print its public key.

    FILE is readable by its owner only and never replaced if it exists. Give the public key
    to `intrapreneur backup --recipient` or INTRAPRENEUR_BACKUP_RECIPIENTS; keep FILE
    offline or in a vault, never beside the backups: no backup made for it can be restored
    without it. The standard `age`/`rage` tools read it too (`age -d -i FILE`).
    """
    try:
        public = write_identity(file)
    except BackupError as problem:
        click.echo(f"Stopped, no key written: {problem}.", err=True)
        sys.exit(1)
    click.echo(public)
    click.echo(
        f"Private key written to {file} (readable by you only). Keep it offline or in a "
        "vault, never beside the backups; the line above is its public key.",
        err=True,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
