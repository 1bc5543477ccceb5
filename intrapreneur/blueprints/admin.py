"""The administrators' pages: the audit log, the API clients, privacy and the directory sync."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from intrapreneur.core import audit_lines, jobs
from intrapreneur.core import queries as core_queries
from intrapreneur.core import services as audit
from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import AuditFilterForm
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.core.queries import AuditFilters
from intrapreneur.core.timezones import day_end, day_start
from intrapreneur.culture import services as survey_services
from intrapreneur.culture.dashboard import rules_in_force
from intrapreneur.culture.forms import PrivacyRulesForm
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens, queries, services
from intrapreneur.identity.directory import DirectoryPerson
from intrapreneur.identity.forms import ApiClientForm, DirectoryLookupForm, DirectorySyncForm
from intrapreneur.identity.models import ApiClient, ApiScope, role_text
from intrapreneur.identity.permissions import (
    can_change_privacy_rules,
    can_manage_api_clients,
    can_read_audit_log,
    can_sync_directory,
)
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _audit_filters() -> tuple[AuditFilterForm, AuditFilters | None]:
    """The audit log's filters from the query string, or None when one is not understood.
    Days are the reader's own: "to 31 January" ends at their midnight."""
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("All")), *core_queries.audit_actions()]
    if not form.validate():
        return form, None
    zone_name = current_user.time_zone
    person = form.person.data
    return form, AuditFilters(
        people=queries.people_matching(person) if person else None,
        login_hashes=tuple(audit.typed_text_hashes(person)) if person else (),
        action=form.action.data or None,
        since=day_start(form.since.data, zone_name) if form.since.data else None,
        before=day_end(form.until.data, zone_name) if form.until.data else None,
    )


@blueprint.get("/audit")
@requires(can_read_audit_log)
def audit_log() -> ResponseReturnValue:
    form, filters = _audit_filters()
    page = None if filters is None else paginate(core_queries.audit_events(filters), per_page=50)
    return render_template(
        "admin/audit_log.html", form=form, page=page, chosen=form.chosen()
    ), 200 if filters else 400


# Rows fetched per round trip: memory stays flat however long the log is.
EXPORT_BATCH = 500


@blueprint.get("/audit/export.jsonl")
@requires(can_read_audit_log)
def export_audit_log() -> ResponseReturnValue:
    """The filtered log as JSON lines for a SIEM, streamed; the export is itself audited."""
    form, filters = _audit_filters()
    if filters is None:
        problems = "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        return render_error(
            400, _("The audit log has no such filter (%(problems)s).", problems=problems)
        )
    chosen = form.chosen()
    # The typed person filter may be a name: the log keeps its keyed hash.
    if "person" in chosen:
        chosen["person_filter_hash"] = audit.typed_text_hash(chosen.pop("person"))
    audit.record("audit_log.exported", actor=current_user, **chosen)
    db.session.commit()
    statement = core_queries.audit_events(filters).execution_options(yield_per=EXPORT_BATCH)
    lines = (audit_lines.json_line(event) for event in db.session.scalars(statement))
    name = f"audit-log-{datetime.now(UTC):%Y%m%d-%H%M%S}.jsonl"
    return Response(
        stream_with_context(lines),
        mimetype="application/jsonl",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# Tokens stopping within this many days are listed first: time to issue their successors.
EXPIRING_SOON_DAYS = 14


@blueprint.route("/api-clients", methods=["GET", "POST"])
@requires(can_manage_api_clients)
def api_clients() -> ResponseReturnValue:
    form = ApiClientForm()
    if form.validate_on_submit():
        client, token = api_tokens.create_api_client(
            name=form.name.data,
            scope=ApiScope(form.scope.data),
            # The chosen day is the token's last: it stops at the admin's next midnight.
            expires_at=day_end(form.expires_on.data, current_user.time_zone),
            by=current_user,
            now=datetime.now(UTC),
        )
        db.session.commit()
        # Shown once, on this response only: it is never stored or shown again.
        return render_template("admin/api_client_created.html", client=client, token=token), 201
    status = 422 if form.is_submitted() else 200
    now = datetime.now(UTC)
    return render_template(
        "admin/api_clients.html",
        form=form,
        page=paginate(queries.api_clients()),
        expiring=queries.api_clients_expiring(now, EXPIRING_SOON_DAYS),
        expiring_soon_days=EXPIRING_SOON_DAYS,
        action_form=ActionForm(),
        today=date.today(),
        now=now,
    ), status


@blueprint.post("/api-clients/<int:client_id>/revoke")
@requires(can_manage_api_clients)
def revoke_api_client(client_id: int) -> ResponseReturnValue:
    client = db.get_or_404(ApiClient, client_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    api_tokens.revoke_api_client(client, by=current_user, now=datetime.now(UTC))
    db.session.commit()
    flash(_("%(name)s's token no longer works.", name=client.name), "success")
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
                _("The minimum group sizes are changed for every dashboard, export and API."),
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
        role_text=role_text,
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
        form.form_errors.append(_("No directory is configured (INTRAPRENEUR_LDAP_URL)."))
        return _directory_page(form, 409)
    dry_run = form.mode.data == "dry-run"
    job_id = jobs.enqueue(DIRECTORY_SYNC, requested_by=current_user, dry_run=dry_run)
    audit.record("directory.sync_requested", actor=current_user, job=job_id, dry_run=dry_run)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job_id))
