"""The administrators' data protection page: retention periods, what erasure does to each
kind of text, what the retention run would do now, and a button that starts it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from intrapreneur.core import jobs
from intrapreneur.core import queries as core_queries
from intrapreneur.core import services as audit
from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity.permissions import can_manage_data_protection
from intrapreneur.learning.forms import ActionForm
from intrapreneur.privacy import retention
from intrapreneur.privacy import settings as privacy_settings
from intrapreneur.privacy.retention.forms import DataProtectionForm, form_data

blueprint = Blueprint("data_protection", __name__, url_prefix="/admin")

RETENTION_TASK = "retention"


def _page(form: DataProtectionForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "privacy/data_protection.html",
        form=form,
        plan=retention.plan(datetime.now(UTC)),
        rules=privacy_settings.RETENTION_RULES,
        text_kinds=privacy_settings.TEXT_KINDS,
        recent=db.session.scalars(
            core_queries.background_jobs(task=RETENTION_TASK).limit(10)
        ).all(),
    ), status


@blueprint.route("/data-protection", methods=["GET", "POST"])
@requires(can_manage_data_protection)
def page() -> ResponseReturnValue:
    form = DataProtectionForm(data=form_data(privacy_settings.current()))
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    try:
        changed = privacy_settings.change(form.values(), by=current_user, now=datetime.now(UTC))
    except privacy_settings.SettingRefused as refusal:
        db.session.rollback()
        form.form_errors.append(str(refusal))
        return _page(form, 422)
    db.session.commit()
    if changed:
        flash(
            ngettext("%(num)d setting changed.", "%(num)d settings changed.", len(changed)),
            "success",
        )
    else:
        flash(_("Nothing changed: these values were already in force."), "success")
    return redirect(url_for("data_protection.page"))


@blueprint.post("/data-protection/run")
@requires(can_manage_data_protection)
def run() -> ResponseReturnValue:
    """Start a retention run (or follow the one already waiting) on its job page."""
    if not ActionForm().validate_on_submit():
        return render_error(400)
    job_id = jobs.enqueue_unless_waiting(RETENTION_TASK, requested_by=current_user)
    audit.record("privacy.retention_requested", actor=current_user, job=job_id)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job_id))
