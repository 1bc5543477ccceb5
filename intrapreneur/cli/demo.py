"""``intrapreneur demo``: a believable organisation on the embedded database, served locally,
with its own company directory (a local slapd) for employee sign-in."""

from __future__ import annotations

import os
import signal
import sys

import click
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from intrapreneur.cli.app import create_app_or_exit
from intrapreneur.cli.demo_data import demo_passphrase, seed_demo_organisation
from intrapreneur.cli.demo_directory import start_demo_directory
from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.sync import sync_directory


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-serve", is_flag=True, help="Create and seed the database, then stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the database, seed a demo organisation (idempotently) and serve it."""
    if os.environ.get("INTRAPRENEUR_ENV", "development") != "development":
        click.echo("intrapreneur: the demo runs only with INTRAPRENEUR_ENV=development", err=True)
        sys.exit(2)
    os.environ["INTRAPRENEUR_ENV"] = "development"
    # SIGTERM (`kill`, or make stopping its recipe) and SIGHUP (the terminal closed) stop the
    # demo as Ctrl+C does. Python's default for them ends the process at once: no `finally`
    # runs, and the demo's slapd would be left running.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, signal.default_int_handler)
    employee_password = demo_passphrase()
    server, directory_settings = start_demo_directory(employee_password)
    try:
        # The demo brings its own directory; it replaces any configured one.
        os.environ.update(directory_settings)
        app = create_app_or_exit()
        _prepare(app)
        click.echo(f"Employees sign in with their username and the password {employee_password}")
        if not no_serve:
            click.echo(f"\nIntrapreneur demo: http://{host}:{port}/  (press Ctrl+C to stop)\n")
            run_simple(host, port, app, threaded=True)
    finally:
        server.stop()


def _prepare(app: Flask) -> None:
    with app.app_context():
        click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
        upgrade()
        with click.progressbar(length=0, label="Reading the demo directory") as bar:
            report = sync_directory(Directory(app.config["DIRECTORY"]), on_progress=bar.update)
        click.echo(report.describe())
        summary = seed_demo_organisation()
        db.session.commit()
    click.echo(summary.describe())
