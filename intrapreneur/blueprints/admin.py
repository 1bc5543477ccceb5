"""The administrators' pages: the audit log, the API clients, privacy and the directory sync."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core import jobs
from intrapreneur.core import queries as core_queries
from intrapreneur.core import services as audit
from intrapreneur.core.errors import render_error
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.culture import services as survey_services
from intrapreneur.culture.dashboard import rules_in_force
from intrapreneur.culture.forms import PrivacyRulesForm
from intrapreneur.extensions import db
from intrapreneur.identity import queries, services
from intrapreneur.identity.directory import DirectoryPerson
from intrapreneur.identity.forms import ApiClientForm, DirectoryLookupForm, DirectorySyncForm
from intrapreneur.identity.models import ApiClient, ApiScope
from intrapreneur.identity.permissions import (
    can_change_privacy_rules,
    can_manage_api_clients,
    can_read_audit_log,
    can_sync_directory,
)
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.get("/audit")
@requires(can_read_audit_log)
def audit_log() -> ResponseReturnValue:
    action = request.args.get("action", "").strip()[:80]
    return render_template(
        "admin/audit_log.html",
        page=paginate(core_queries.audit_events(action=action or None), per_page=50),
        action=action,
        actions=core_queries.audit_actions(),
    )


@blueprint.route("/api-clients", methods=["GET", "POST"])
@requires(can_manage_api_clients)
def api_clients() -> ResponseReturnValue:
    form = ApiClientForm()
    if form.validate_on_submit():
        client, token = services.create_api_client(
            name=form.name.data,
            scope=ApiScope(form.scope.data),
            by=current_user,
            now=datetime.now(UTC),
        )
        db.session.commit()
        # Shown once, on this response only: it is never stored or shown again.
        return render_template("admin/api_client_created.html", client=client, token=token), 201
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/api_clients.html",
        form=form,
        page=paginate(queries.api_clients()),
        action_form=ActionForm(),
        today=date.today(),
    ), status


@blueprint.post("/api-clients/<int:client_id>/revoke")
@requires(can_manage_api_clients)
def revoke_api_client(client_id: int) -> ResponseReturnValue:
    client = db.get_or_404(ApiClient, client_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    services.revoke_api_client(client, by=current_user, now=datetime.now(UTC))
    db.session.commit()
    flash(f"{client.name}'s token no longer works.", "success")
    return redirect(url_for("admin.api_clients"))


@blueprint.route("/privacy", methods=["GET", "POST"])
@requires(can_change_privacy_rules)
def privacy() -> ResponseReturnValue:
    rules = rules_in_force()
    form = PrivacyRulesForm(data={"min_group": rules.k, "min_group_comments": rules.comment_k})
    status = 200
    if form.validate_on_submit():
        try:
            survey_services.set_privacy_rules(
                min_group=form.min_group.data,
                min_group_comments=form.min_group_comments.data,
                by=current_user,
                now=datetime.now(UTC),
            )
        except survey_services.SurveyRefusal as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.message)
            status = refusal.status
        else:
            db.session.commit()
            flash(
                "The minimum group sizes are changed for every dashboard, export and API.",
                "success",
            )
            return redirect(url_for("admin.privacy"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/privacy.html", form=form), status


DIRECTORY_SYNC = "directory-sync"


def _directory_page(form: DirectorySyncForm, status: int = 200) -> ResponseReturnValue:
    lookup = DirectoryLookupForm(request.args)
    found = problem = None
    if "username" in request.args:
        if lookup.validate():
            found, problem = _look_up(lookup.username.data)
        else:
            status = 422
    return render_template(
        "admin/directory.html",
        form=form,
        lookup=lookup,
        found=found,
        problem=problem,
        configured=current_app.config["DIRECTORY"] is not None,
        recent=db.session.scalars(
            core_queries.background_jobs(task=DIRECTORY_SYNC).limit(10)
        ).all(),
    ), status


def _look_up(username: str) -> tuple[DirectoryPerson | None, str | None]:
    """The directory's entry for the username asked about, or why it cannot be shown."""
    try:
        return services.look_up_in_directory(username), None
    except services.DirectoryLookupRefused as refusal:
        return None, refusal.message


@blueprint.get("/directory")
@requires(can_sync_directory)
def directory() -> ResponseReturnValue:
    return _directory_page(DirectorySyncForm())


@blueprint.post("/directory")
@requires(can_sync_directory)
def sync_directory() -> ResponseReturnValue:
    """Start a sync (or a dry run) as a job and follow it on its progress page."""
    form = DirectorySyncForm()
    if not form.validate_on_submit():
        return _directory_page(form, 422)
    if current_app.config["DIRECTORY"] is None:
        form.form_errors.append("No directory is configured (INTRAPRENEUR_LDAP_URL).")
        return _directory_page(form, 409)
    dry_run = form.mode.data == "dry-run"
    job_id = jobs.enqueue(DIRECTORY_SYNC, requested_by=current_user, dry_run=dry_run)
    audit.record("directory.sync_requested", actor=current_user, job=job_id, dry_run=dry_run)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job_id))
