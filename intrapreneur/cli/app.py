"""Build the app for a command or a server, turning an unsafe setting into one clear line."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from intrapreneur import create_app
from intrapreneur.core.schema import SchemaNotReady, refuse_unknown_schema
from intrapreneur.extensions import db
from intrapreneur.settings import ConfigError

log = logging.getLogger(__name__)


def create_app_or_exit() -> Flask:
    """The app, or one line on stderr and exit status 2 when a setting is missing or unsafe."""
    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"intrapreneur: {error}", err=True)
        sys.exit(2)


def served_app_or_exit() -> Flask:
    """The app for a server or a worker: also exits when the database was migrated by a newer
    version (``db`` commands do not check, so that an admin can still repair the schema)."""
    app = create_app_or_exit()
    refuse_unknown_schema_or_exit(app)
    return app


def refuse_unknown_schema_or_exit(app: Flask) -> None:
    with app.app_context():
        try:
            refuse_unknown_schema(db.engine)
        except SchemaNotReady as problem:
            click.echo(f"intrapreneur: {problem}", err=True)
            sys.exit(2)
        except SQLAlchemyError as error:
            # Start anyway: /readyz keeps traffic away until the database answers, and
            # checks the schema then.
            log.warning("the database schema was not checked (%s)", type(error).__name__)
