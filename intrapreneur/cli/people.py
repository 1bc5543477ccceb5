"""``intrapreneur people erase``: erase a person from the server (a leaver, on request)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import NoReturn

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from intrapreneur.core.i18n import SOURCE_LOCALE
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy import erasure, queries
from intrapreneur.privacy.erasure.plan import plans

people = AppGroup("people", help="People's personal data.")


def _refused(person: Person, reasons: list[str]) -> NoReturn:
    click.echo(f"intrapreneur: {person.display_name} (#{person.id}) cannot be erased:", err=True)
    for reason in reasons:
        click.echo(f"  - {reason}", err=True)
    sys.exit(1)


@people.command("erase")
@click.argument("login")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(login: str, yes: bool) -> None:
    """Erase LOGIN (a username, an email address or a person's number): their name, email
    address, username and directory account replaced by a tombstone everywhere, their rows
    kept so that the figures do not change. Audited; cannot be undone."""
    person = queries.person_by_login(login)
    if person is None:
        click.echo(f"intrapreneur: nobody is {login}", err=True)
        sys.exit(1)
    now = datetime.now(UTC)
    # Operator text: the refusals in English, whatever the organisation's language.
    with force_locale(SOURCE_LOCALE):
        reasons = erasure.refusals(person, now.date())
        if reasons:
            _refused(person, reasons)
        if not yes:
            click.confirm(f"Erase {person.display_name} (#{person.id}) for good?", abort=True)
        try:
            with click.progressbar(length=len(plans()), label="Erasing", file=sys.stderr) as bar:
                report = erasure.erase(person, by=None, now=now, advance=bar.update)
        except erasure.ErasureRefused as refused:
            _refused(person, refused.reasons)
    db.session.commit()
    click.echo(report.describe())
