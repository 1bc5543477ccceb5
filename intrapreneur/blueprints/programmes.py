"""HR's programmes and cohorts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import CohortForm, ProgrammeForm
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
        programmes=programmes,
        counts=queries.enrolment_counts(cohort_ids),
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
        flash(f"Programme {programme.name} created. Add its first cohort.", "success")
        return redirect(url_for("programmes.new_cohort", programme_id=programme.id))
    status = 422 if form.is_submitted() else 200
    return render_template("programmes/new_programme.html", form=form), status


@blueprint.route("/<int:programme_id>/cohorts/new", methods=["GET", "POST"])
@requires(can_manage_programmes)
def new_cohort(programme_id: int) -> ResponseReturnValue:
    programme = db.get_or_404(Programme, programme_id)
    form = CohortForm()
    if form.validate_on_submit():
        cohort = services.create_cohort(
            programme,
            name=form.name.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            capacity=form.capacity.data,
            enrolment_open=form.enrolment_open.data,
            by=current_user,
        )
        db.session.commit()
        flash(f"Cohort {cohort.name} created.", "success")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    status = 422 if form.is_submitted() else 200
    return render_template("programmes/new_cohort.html", form=form, programme=programme), status
