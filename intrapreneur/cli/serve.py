"""``intrapreneur serve``: the production web server (gunicorn with config/gunicorn.conf.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from intrapreneur.cli.app import served_app_or_exit

# The source checkout's config folder; the container image points INTRAPRENEUR_GUNICORN_CONFIG
# at its own copy, since an installed wheel has no config folder beside the package.
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


@click.command("serve")
@click.option(
    "--bind",
    metavar="HOST:PORT",
    help="Address to listen on (default INTRAPRENEUR_BIND, else 0.0.0.0:8000).",
)
@click.option(
    "--config",
    "config_path",
    envvar="INTRAPRENEUR_GUNICORN_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Gunicorn config file (or INTRAPRENEUR_GUNICORN_CONFIG).",
)
def serve(bind: str | None, config_path: Path) -> None:
    """Serve the app with gunicorn: several workers, JSON access log on stdout."""
    if not config_path.is_file():
        click.echo(
            f"intrapreneur: the gunicorn config {config_path} does not exist; "
            "give --config or set INTRAPRENEUR_GUNICORN_CONFIG",
            err=True,
        )
        sys.exit(2)
    # Each gunicorn worker would exit on a bad setting (or a schema it does not know) and be
    # restarted for ever; checking here turns that into one clear line before anything starts.
    served_app_or_exit()
    command = [sys.executable, "-m", "gunicorn", "--config", str(config_path)]
    if bind:
        command += ["--bind", bind]
    # exec, not a child process: the container runtime's SIGTERM reaches gunicorn itself,
    # which then stops its workers gracefully.
    os.execv(sys.executable, command)  # noqa: S606 -- fixed arguments, no shell wanted
