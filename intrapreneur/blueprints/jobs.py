"""Background jobs on the web: the admins' list, and each job's progress page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core import queries
from intrapreneur.core.models import BackgroundJob, JobStatus
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.extensions import db
from intrapreneur.identity.permissions import can_view_job, can_watch_jobs

blueprint = Blueprint("jobs", __name__)

# Seconds between reloads of an unfinished job's page (a <meta> refresh: the CSP allows no
# inline script, and the page is as useful without JavaScript).
REFRESH_SECONDS = 3


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
    return render_template("jobs/detail.html", job=job, refresh=REFRESH_SECONDS)
