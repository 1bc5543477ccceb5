"""Build the app for a command or a server, turning an unsafe setting into one clear line."""

from __future__ import annotations

import sys

import click
from flask import Flask

from intrapreneur import create_app
from intrapreneur.settings import ConfigError


def create_app_or_exit() -> Flask:
    """The app, or one line on stderr and exit status 2 when a setting is missing or unsafe."""
    try:
        return create_app()
    except ConfigError as error:
        click.echo(f"intrapreneur: {error}", err=True)
        sys.exit(2)
