"""HR's programmes and cohorts: creating, editing and archiving programmes, adding cohorts."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.editing import act_on_version, filled_from, save_or_show_again
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import (
    CohortForm,
    EditProgrammeForm,
    ProgrammeForm,
    VersionedForm,
)
from intrapreneur.learning.models import Programme
from intrapreneur.learning.permissions import can_manage_programmes

blueprint = Blueprint("programmes", __name__, url_prefix="/programmes")


@blueprint.get("/")
@requires(can_manage_programmes)
def index() -> ResponseReturnValue:
    programmes = queries.programmes_with_cohorts()
    cohort_ids = [cohort.id for _, cohorts in programmes for cohort in cohorts]
    return render_template(
        "programmes/index.html",
        current=[row for row in programmes if row[0].archived_at is None],
        archived=[row for row in programmes if row[0].archived_at is not None],
        counts=queries.enrolment_counts(cohort_ids),
        form=VersionedForm(),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@requires(can_manage_programmes)
def new_programme() -> ResponseReturnValue:
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = services.create_programme(
                name=form.name.data, description=form.description.data, by=current_user
            )
        except services.LearningRefusal as refusal:
            form.name.errors.append(refusal.message)
            return render_template("programmes/new_programme.html", form=form), refusal.status
        db.session.commit()
        flash(
            _(
                "Programme %(programme)s created. Add its first cohort.",
                programme=programme.name,
            ),
            "success",
        )
        return redirect(url_for("programmes.new_cohort", programme_id=programme.id))
    status = 422 if form.is_submitted() else 200
    return render_template("programmes/new_programme.html", form=form), status


def _unless_archived(programme: Programme) -> ResponseReturnValue | None:
    """Back to the list, with the reason, for a programme that can no longer change."""
    try:
        services.ensure_not_archived(programme)
    except services.LearningRefusal as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("programmes.index"))
    return None


@blueprint.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@requires(can_manage_programmes)
def edit_programme(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    if refused := _unless_archived(programme):
        return refused
    form = filled_from(EditProgrammeForm, programme)
    changed: dict[str, object] = {}
    shown = save_or_show_again(
        form,
        partial(render_template, "programmes/edit_programme.html", form=form, programme=programme),
        lambda: changed.update(
            services.edit_programme(
                programme,
                name=form.name.data,
                description=form.description.data,
                version=form.version.data,
                by=current_user,
            )
        ),
        ready=form.validate_on_submit(),
        what="programme",
    )
    if shown:
        return shown
    flash(
        _(
            "%(programme)s saved.",
            programme=programme.name,
        )
        if changed
        else _("Nothing was changed."),
        "success",
    )
    return redirect(url_for("programmes.index"))


@blueprint.post("/<int:programme_id>/archive")
@requires(can_manage_programmes)
def archive(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    return act_on_version(
        lambda version: services.archive_programme(
            programme, version=version, by=current_user, now=datetime.now(UTC)
        ),
        done=_(
            "%(programme)s is archived; it is listed apart and kept as it is.",
            programme=programme.name,
        ),
        back=url_for("programmes.index"),
        what="programme",
    )


@blueprint.route("/<int:programme_id>/cohorts/new", methods=["GET", "POST"])
@requires(can_manage_programmes)
def new_cohort(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    if refused := _unless_archived(programme):
        return refused
    form = CohortForm()
    if form.validate_on_submit():
        cohort = services.create_cohort(
            programme,
            name=form.name.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            capacity=form.capacity.data,
            enrolment_open=form.enrolment_open.data,
            time_zone=form.time_zone.data,
            by=current_user,
        )
        db.session.commit()
        flash(
            _(
                "Cohort %(cohort)s created.",
                cohort=cohort.name,
            ),
            "success",
        )
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    status = 422 if form.is_submitted() else 200
    return render_template("programmes/new_cohort.html", form=form, programme=programme), status
