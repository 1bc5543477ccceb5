"""Alembic environment: runs inside the Flask app, so it uses the app's database settings.

Logging is left to the application (no ``fileConfig``), so running migrations
never silences the app's own loggers.
"""

import logging

from alembic import context
from flask import current_app

from intrapreneur.search.models import in_models

log = logging.getLogger("alembic.env")

database = current_app.extensions["migrate"].db
configure_args = current_app.extensions["migrate"].configure_args


def _skip_empty_autogenerate(migration_context, revision, directives):
    if (
        getattr(context.config.cmd_opts, "autogenerate", False)
        and directives[0].upgrade_ops.is_empty()
    ):
        directives[:] = []
        log.info("No changes in schema detected.")


def run_offline() -> None:
    context.configure(
        url=database.engine.url.render_as_string(hide_password=False),
        target_metadata=database.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    # Flask-Migrate's defaults include compare_type and render_as_batch (SQLite can only
    # ALTER by copying tables; batch mode does that).
    configure_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    # SQLite's FTS5 search table is the migrations' alone (no model can describe it).
    configure_args.setdefault("include_name", in_models)
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=database.metadata,
            # PostgreSQL runs the whole upgrade in one transaction: a failure leaves nothing behind.
            transaction_per_migration=False,
            **configure_args,
        )
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, "OFF")
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _refuse_dangling_references(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, "ON")


def _sqlite_foreign_keys(connection, state: str) -> None:
    """Batch mode changes a table on SQLite by copying it (drop, then rename the copy), so a
    referenced table such as person is briefly gone: SQLite's own advice is to switch
    foreign keys off around such changes, then check them. The switch works only outside a
    transaction, hence on the driver's connection before SQLAlchemy begins one."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys = {state}")


def _refuse_dangling_references(connection) -> None:
    """Roll the migration back if it left a row pointing at nothing."""
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise RuntimeError(f"the migration left rows referring to nothing: {dangling[:10]}")


if context.is_offline_mode():
    run_offline()
else:
    run_online()
