"""Background jobs on the web: the admins' list, each job's progress page, trying again."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from intrapreneur.core import jobs, queries
from intrapreneur.core import services as audit
from intrapreneur.core.errors import render_error
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.extensions import db
from intrapreneur.identity.permissions import can_view_job, can_watch_jobs
from intrapreneur.learning.forms import ActionForm

blueprint = Blueprint("jobs", __name__)

# Seconds between reloads of an unfinished job's page (a <meta> refresh: the CSP allows no
# inline script, and the page is as useful without JavaScript).
REFRESH_SECONDS = 3
NOT_READY = _l("The file is not ready: its job has not finished. Its page shows how far it is.")
NO_FILE = _l("This job failed, so there is no file. Its page says why.")


@blueprint.get("/admin/jobs")
@requires(can_watch_jobs)
def index() -> ResponseReturnValue:
    raw = request.args.get("status", "")
    status = JobStatus(raw) if raw in set(JobStatus) else None
    return render_template(
        "jobs/index.html",
        page=paginate(queries.background_jobs(status=status), per_page=50),
        status=status,
        statuses=list(JobStatus),
    )


@blueprint.get("/jobs/<int:job_id>")
@requires(signed_in)
def detail(job_id: int) -> ResponseReturnValue:
    job = db.session.get(BackgroundJob, job_id)
    # Someone else's job is not theirs to know about.
    ensure(job is not None and can_view_job(current_user, job), hide=True)
    now = utcnow()
    return render_template(
        "jobs/detail.html",
        job=job,
        file=queries.file_of_job(job_id, current_user.id, now),
        stranded=jobs.abandoned(job, now),
        refresh=REFRESH_SECONDS,
        action_form=ActionForm(),
    )


@blueprint.get("/jobs/<int:job_id>/file")
@requires(signed_in)
def download(job_id: int) -> ResponseReturnValue:
    """The file a job made, for the person who asked for it, until it expires. Never a
    part of one: the file is stored in the same commit that marks its job succeeded."""
    file = queries.file_of_job(job_id, current_user.id, utcnow(), content=True)
    if file is None:
        job = db.session.get(BackgroundJob, job_id)
        ensure(job is not None and job.requested_by_id == current_user.id, hide=True)
        ensure(job.status is not JobStatus.SUCCEEDED, hide=True)  # its file has expired
        return render_error(409, NO_FILE if job.status is JobStatus.FAILED else NOT_READY)
    return Response(
        file.content,
        mimetype=file.content_type,
        headers={"Content-Disposition": f'attachment; filename="{file.file_name}"'},
    )


@blueprint.post("/admin/jobs/<int:job_id>/retry")
@requires(can_watch_jobs)
def retry(job_id: int) -> ResponseReturnValue:
    """Try a failed job again, once its cause is fixed (the directory is back, say)."""
    job = db.get_or_404(BackgroundJob, job_id)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    if not jobs.retry_failed(job):
        return render_error(409, _("Only a failed job can be tried again."))
    audit.record("job.retried", actor=current_user, obj=job, task=job.task)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job.id))
