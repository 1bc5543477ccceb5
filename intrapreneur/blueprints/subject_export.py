"""Asking for a copy of a person's data (subject access): anyone signed in for their own,
administrators for anyone. The job's page shows its progress, then the file, which only
whoever asked may download (``jobs.download``)."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core.errors import render_error
from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.forms import ActionForm
from intrapreneur.privacy import subject_export

blueprint = Blueprint("subject_export", __name__)


@blueprint.post("/account/my-data")
@requires(signed_in)
def mine() -> ResponseReturnValue:
    return _ask_for(current_user)


@blueprint.post("/admin/people/<int:person_id>/data")
@requires(subject_export.can_export_anyones_data)
def for_person(person_id: int) -> ResponseReturnValue:
    return _ask_for(db.get_or_404(Person, person_id))


def _ask_for(person: Person) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return render_error(400)
    try:
        job_id = subject_export.ask(person, by=current_user)
    except subject_export.ExportRefused as refused:
        return render_error(409, refused.message)
    db.session.commit()
    return redirect(url_for("jobs.detail", job_id=job_id))
