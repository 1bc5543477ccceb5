"""HR enrols a list of people from a CSV file: a dry run that shows every line's outcome and
saves nothing, then a confirmation that checks the list again and enrols all or none."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

from intrapreneur.blueprints.cohorts import unless_open
from intrapreneur.core.dates import number_text
from intrapreneur.core.permissions import requires
from intrapreneur.core.security import signing_keys
from intrapreneur.extensions import db
from intrapreneur.learning import services
from intrapreneur.learning.forms import RosterConfirmForm, RosterUploadForm
from intrapreneur.learning.models import Cohort
from intrapreneur.learning.permissions import can_manage_programmes
from intrapreneur.learning.roster_file import MAX_LINES, RosterFileProblem, RosterLine, read_roster

blueprint = Blueprint("roster", __name__, url_prefix="/cohorts/<int:cohort_id>/import")

# Between the preview and the confirmation the lines travel back in a hidden field, signed
# with the app's secret key (itsdangerous, compressed) and good for an hour, instead of
# being kept on the server:
# - nothing is written for a preview that may never be confirmed (no table, no clean-up);
# - the session cookie (about 4 KB) cannot hold 5,000 lines;
# - the signature ties the lines to this cohort and this HR person, so what is confirmed is
#   exactly what was previewed, and the lines are checked again in full when confirmed.
# Compressed, the lines are usually far smaller than the file, well within the request limit.
PREVIEW_LIFETIME_SECONDS = 60 * 60
SALT = "cohort-roster-import"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(), salt=SALT)


def _sign(cohort: Cohort, lines: list[RosterLine]) -> str:
    return _serializer().dumps(
        {
            "cohort": cohort.id,
            "by": current_user.id,
            "lines": [[line.number, line.value] for line in lines],
        }
    )


def _unsign(cohort: Cohort, token: str) -> list[RosterLine] | None:
    """The previewed lines, or None for a token that is forged, old, or another's."""
    try:
        signed: Any = _serializer().loads(token, max_age=PREVIEW_LIFETIME_SECONDS)
    except BadSignature:
        return None
    if signed.get("cohort") != cohort.id or signed.get("by") != current_user.id:
        return None
    return [RosterLine(number, value) for number, value in signed["lines"]]


def _upload_page(cohort: Cohort, form: RosterUploadForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "cohorts/import.html", cohort=cohort, form=form, max_lines=MAX_LINES
    ), status


@blueprint.get("")
@requires(can_manage_programmes)
def upload(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    return unless_open(cohort) or _upload_page(cohort, RosterUploadForm())


@blueprint.post("")
@requires(can_manage_programmes)
def preview(cohort_id: int) -> ResponseReturnValue:
    """The dry run: every line's outcome; nothing is saved, whatever the lines."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if refused := unless_open(cohort):
        return refused
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return _upload_page(cohort, form, 422)
    try:
        lines = read_roster(form.roster.data.read())
    except RosterFileProblem as problem:
        form.roster.errors.append(problem.message)
        return _upload_page(cohort, form, problem.status)
    check = services.check_roster(cohort, lines, date.today())
    return _preview_page(cohort, lines, check, 200 if check.ok else 422)


def _preview_page(
    cohort: Cohort, lines: list[RosterLine], check: services.RosterCheck, status: int
) -> ResponseReturnValue:
    # Not read from the request: the upload's own field must not fill the confirmation.
    signed = {"signed_lines": _sign(cohort, lines)}
    confirm = RosterConfirmForm(formdata=None, data=signed) if check.ok else None
    return render_template(
        "cohorts/import_preview.html",
        cohort=cohort,
        check=check,
        confirm=confirm,
        outcomes=services.Outcome,
        outcome_labels=services.OUTCOME_LABELS,
    ), status


@blueprint.post("/confirm")
@requires(can_manage_programmes)
def confirm(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    form = RosterConfirmForm()
    lines = _unsign(cohort, form.signed_lines.data) if form.validate_on_submit() else None
    if lines is None:
        upload_form = RosterUploadForm()
        upload_form.form_errors.append(
            _(
                "This preview is more than an hour old or was not made here: upload the file "
                "again to preview it.",
            )
        )
        return _upload_page(cohort, upload_form, 400)
    try:
        enrolled = services.import_roster(
            cohort, lines, by=current_user, today=date.today(), now=datetime.now(UTC)
        )
    except services.RosterRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _preview_page(cohort, lines, refused.check, refused.status)
    except services.LearningRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    db.session.commit()
    flash(
        _(
            "Enrolled from the file: %(enrolled)s. Each has been told by email.",
            enrolled=enrolled,
        ),
        "success",
    )
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """The app's request limit, said where the file was chosen rather than on a bare page."""
    cohort = db.get_or_404(Cohort, (request.view_args or {}).get("cohort_id", 0))
    form = RosterUploadForm(formdata=None)
    limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
    form.roster.errors = [
        _(
            "The file is larger than %(limit)s KB, the most that can be uploaded at once. "
            "Split it into smaller files (at most %(lines)s lines each).",
            limit=number_text(limit),
            lines=number_text(MAX_LINES),
        )
    ]
    return _upload_page(cohort, form, 413)
