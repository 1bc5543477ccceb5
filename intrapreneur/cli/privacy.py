"""``intrapreneur privacy record``: the record of processing in docs/privacy.md, from the
registry."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from intrapreneur.privacy.record import TABLES
from intrapreneur.privacy.record_document import END, START, render


@click.group("privacy")
def privacy() -> None:
    """The record of processing of personal data."""


@privacy.command("record")
@click.argument(
    "document", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/privacy.md")
)
@click.option("--check", is_flag=True, help="Only say whether DOCUMENT is up to date.")
def record(document: Path, check: bool) -> None:
    """Rewrite the generated part of DOCUMENT (between its markers) from the registry."""
    text = document.read_text(encoding="utf-8")
    if START not in text or END not in text:
        click.echo(f"{document} has no generated part (its markers are missing).", err=True)
        sys.exit(1)
    before, _start, rest = text.partition(START)
    _old, _end, after = rest.partition(END)
    updated = before + render() + after
    if check:
        if updated != text:
            click.echo(f"{document} is out of date: run `intrapreneur privacy record`.", err=True)
            sys.exit(1)
        click.echo(f"{document} is up to date.")
        return
    document.write_text(updated, encoding="utf-8")
    click.echo(f"Wrote the record of processing ({len(TABLES)} tables) to {document}.")
