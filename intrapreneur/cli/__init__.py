"""The ``intrapreneur`` command: Flask's CLI (run, routes, shell, db …) plus our own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from intrapreneur.cli.app import create_app_or_exit
from intrapreneur.cli.backup import backup, backup_key, restore
from intrapreneur.cli.demo import demo
from intrapreneur.cli.directory import directory
from intrapreneur.cli.jobs import scheduled, scheduler, worker
from intrapreneur.cli.mail import mail_group
from intrapreneur.cli.people import people
from intrapreneur.cli.privacy import privacy
from intrapreneur.cli.retention import retention
from intrapreneur.cli.serve import serve
from intrapreneur.cli.users import users


@click.group(cls=FlaskGroup, create_app=create_app_or_exit)
def cli() -> None:
    """Intrapreneur: action-learning sets, experiment boards and culture metrics."""


for command in (
    backup,
    backup_key,
    demo,
    directory,
    mail_group,
    privacy,
    people,
    restore,
    retention,
    scheduled,
    scheduler,
    serve,
    users,
    worker,
):
    cli.add_command(command)
