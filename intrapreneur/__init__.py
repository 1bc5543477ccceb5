"""Intrapreneur: action-learning sets, experiment boards and culture metrics."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from intrapreneur import settings


def create_app(config: Mapping[str, str] | None = None, **overrides: Any) -> Flask:
    """Build the application from ``INTRAPRENEUR_*`` variables (``config``, default the
    process environment) and Flask config ``overrides`` (tests use these).

    Raises ``settings.ConfigError`` with one clear line when a setting is unsafe.
    """
    app = Flask(__name__)
    env = os.environ if config is None else config
    loaded = settings.load(env, instance_path=Path(app.instance_path))
    app.config.update(loaded.flask_config())
    app.config.update(overrides)
    app.instance_path = str(loaded.instance_path)
    if app.config["TRUSTED_PROXIES"]:
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    _init_observability(app)
    _init_extensions(app)
    _register_blueprints(app)
    _check_survey_instruments(app)
    return app


def _check_survey_instruments(app: Flask) -> None:
    """A malformed survey instrument stops the start, naming its file and line, rather than
    the first survey that needs it."""
    from intrapreneur.culture.instruments import InstrumentError, available

    extra = app.config.get("SURVEY_INSTRUMENTS_DIR")
    try:
        available(Path(extra) if extra else None)
    except InstrumentError as error:
        raise settings.ConfigError(f"survey instrument refused: {error}") from error


def _init_observability(app: Flask) -> None:
    # First, so that the request id and the timer exist before any other hook can refuse.
    from intrapreneur.core.audit_lines import configure_syslog
    from intrapreneur.core.logs import configure_logging
    from intrapreneur.core.metrics import init_metrics, set_queue_depth_source
    from intrapreneur.core.queries import jobs_waiting

    configure_logging(app)
    configure_syslog(app.config["SYSLOG"])
    init_metrics(app)
    set_queue_depth_source(app, jobs_waiting)


def _init_extensions(app: Flask) -> None:
    # Every model module must be imported before Alembic or the mapper looks at the metadata,
    # and every task module before a job is enqueued or run.
    from intrapreneur import models, tasks  # noqa: F401
    from intrapreneur.blueprints.auth import person_of_session
    from intrapreneur.blueprints.navigation import navigation_context
    from intrapreneur.core import dates, markdown
    from intrapreneur.core.database import (
        configure_engine,
        end_sessions_safely,
        note_commits_in_requests,
    )
    from intrapreneur.core.errors import register_error_handlers
    from intrapreneur.core.i18n import init_i18n
    from intrapreneur.core.jobs import dispatch_jobs_after_commit
    from intrapreneur.core.security import (
        end_sessions_past_their_lifetime,
        init_security_headers,
        refuse_nul_characters,
    )
    from intrapreneur.extensions import csrf, db, limiter, login_manager, migrate
    from intrapreneur.learning.formats import segment_title
    from intrapreneur.search.sync import keep_index_in_step

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    end_sessions_safely(app)
    # A job asked for in a request is handed to the queue after that request's commit, and
    # forgotten if it rolls back: Session listeners, on every commit (core/jobs/handoff.py).
    dispatch_jobs_after_commit()
    note_commits_in_requests()
    # Every flush that adds, changes or deletes searchable rows rewrites their search items.
    keep_index_in_step()
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(person_of_session)
    init_security_headers(app)
    refuse_nul_characters(app)
    end_sessions_past_their_lifetime(app)
    register_error_handlers(app)
    init_i18n(app)
    app.jinja_env.globals.update(_template_helpers())
    app.context_processor(navigation_context)
    app.jinja_env.filters.update(dates.FILTERS)
    app.jinja_env.filters["segment_title"] = segment_title
    app.jinja_env.filters["markdown"] = markdown.render


def _template_helpers() -> dict[str, Any]:
    from intrapreneur.culture import permissions as culture_permissions
    from intrapreneur.experiments import labels as experiment_labels
    from intrapreneur.experiments import permissions as experiment_permissions
    from intrapreneur.experiments.library import permissions as library_permissions
    from intrapreneur.experiments.portfolio import permissions as portfolio_permissions
    from intrapreneur.identity import permissions as identity_permissions
    from intrapreneur.identity.expertise import permissions as expertise_permissions
    from intrapreneur.learning import permissions as learning_permissions
    from intrapreneur.learning.formats import FORMATS
    from intrapreneur.learning.hacks import permissions as hack_permissions

    return {
        "can_manage_guests": identity_permissions.can_manage_guests,
        "can_read_audit_log": identity_permissions.can_read_audit_log,
        "can_reset_two_step": identity_permissions.can_reset_two_step,
        "can_watch_jobs": identity_permissions.can_watch_jobs,
        "can_manage_programmes": learning_permissions.can_manage_programmes,
        "can_browse_cohorts": learning_permissions.can_browse_cohorts,
        "can_create_sets": learning_permissions.can_create_sets,
        "can_edit_agenda_templates": learning_permissions.can_edit_agenda_templates,
        "can_compare_sets": learning_permissions.can_compare_sets,
        "can_start_ventures": experiment_permissions.can_start_ventures,
        "can_read_culture": culture_permissions.can_read_culture,
        "can_read_library": library_permissions.can_read_library,
        "can_review_boards": experiment_permissions.can_review_boards,
        "can_run_surveys": culture_permissions.can_run_surveys,
        "can_read_portfolio": portfolio_permissions.can_read_portfolio,
        "can_find_entrepreneurs": expertise_permissions.can_find_entrepreneurs,
        "can_keep_profile": expertise_permissions.can_keep_profile,
        "can_manage_expertise": expertise_permissions.can_manage_expertise,
        "can_request_hacks": hack_permissions.can_request_hacks,
        "can_read_hack_figures": hack_permissions.can_read_hack_figures,
        "formats": FORMATS,
        **experiment_labels.for_templates(),
    }


def _register_blueprints(app: Flask) -> None:
    from intrapreneur.blueprints import (
        account,
        admin,
        agendas,
        api,
        assets,
        auth,
        calendar,
        cohort_settings,
        cohorts,
        composer,
        culture,
        culture_exports,
        data_protection,
        enrolment,
        expertise,
        feedback,
        guests,
        hacks,
        health,
        impact,
        jobs,
        library,
        lineage,
        main,
        metrics,
        people_admin,
        portfolio,
        programmes,
        reviews,
        roster,
        saml,
        search,
        sessions,
        set_changes,
        set_health,
        sets,
        sso,
        subject_export,
        surveys,
        two_step,
        ventures,
    )

    for module in (
        main,
        auth,
        sso,
        saml,
        two_step,
        guests,
        programmes,
        agendas,
        cohorts,
        cohort_settings,
        enrolment,
        roster,
        composer,
        culture,
        culture_exports,
        sets,
        set_changes,
        sessions,
        feedback,
        set_health,
        ventures,
        lineage,
        library,
        search,
        reviews,
        surveys,
        impact,
        portfolio,
        calendar,
        account,
        expertise,
        hacks,
        subject_export,
        admin,
        data_protection,
        people_admin,
        jobs,
        api,
        assets,
        health,
        metrics,
    ):
        app.register_blueprint(module.blueprint)
