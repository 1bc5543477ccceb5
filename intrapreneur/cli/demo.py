"""``intrapreneur demo``: a believable organisation on the embedded database, served locally."""

from __future__ import annotations

import os
import sys

import click
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from intrapreneur.cli.app import create_app_or_exit
from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.extensions import db


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-serve", is_flag=True, help="Create and seed the database, then stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the database, seed a demo organisation (idempotently) and serve it."""
    if os.environ.get("INTRAPRENEUR_ENV", "development") != "development":
        click.echo("intrapreneur: the demo runs only with INTRAPRENEUR_ENV=development", err=True)
        sys.exit(2)
    # The demo is a development server: it may offer the labelled development-only sign-in.
    os.environ.setdefault("INTRAPRENEUR_ENV", "development")
    os.environ.setdefault("INTRAPRENEUR_DEV_SIGN_IN", "true")
    app = create_app_or_exit()
    with app.app_context():
        click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
        upgrade()
        summary = seed_demo_organisation()
        db.session.commit()
    click.echo(summary.describe())
    if no_serve:
        return
    click.echo(f"\nIntrapreneur demo: http://{host}:{port}/  (press Ctrl+C to stop)\n")
    # Werkzeug's server directly: Flask ignores app.run() inside its own CLI.
    run_simple(host, port, app, threaded=True)
