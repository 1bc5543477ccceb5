"""HR changes a cohort after creation: its name, dates, places, enrolment and time zone;
and closes it, after which it is read-only."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.cohorts import names_of, unless_open
from intrapreneur.blueprints.editing import act_on_version, filled_from, save_or_show_again
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.learning import services
from intrapreneur.learning.forms import EditCohortForm
from intrapreneur.learning.models import Cohort, Enrolment
from intrapreneur.learning.permissions import can_manage_programmes

blueprint = Blueprint("cohort_settings", __name__, url_prefix="/cohorts")


def _back(cohort: Cohort) -> ResponseReturnValue:
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


@blueprint.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@requires(can_manage_programmes)
def edit(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    if refused := unless_open(cohort):
        return refused
    form = filled_from(EditCohortForm, cohort)
    moved_up: list[Enrolment] = []
    changed: dict[str, object] = {}

    def change() -> None:
        changes, promoted = services.edit_cohort(
            cohort,
            services.CohortValues(
                name=form.name.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                capacity=form.capacity.data,
                enrolment_open=form.enrolment_open.data,
                time_zone=form.time_zone.data,
            ),
            version=form.version.data,
            by=current_user,
            now=datetime.now(UTC),
        )
        changed.update(changes)
        moved_up.extend(promoted)

    shown = save_or_show_again(
        form,
        partial(render_template, "cohorts/edit.html", form=form, cohort=cohort),
        change,
        ready=form.validate_on_submit(),
        what="cohort",
    )
    if shown:
        return shown
    flash(
        _(
            "%(cohort)s saved.",
            cohort=cohort.name,
        )
        if changed
        else _("Nothing was changed."),
        "success",
    )
    if moved_up:
        flash(
            _(
                "From the waiting list into the new places: %(names)s.",
                names=names_of(moved_up),
            ),
            "success",
        )
    return _back(cohort)


@blueprint.post("/<int:cohort_id>/close")
@requires(can_manage_programmes)
def close(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    return act_on_version(
        lambda version: services.close_cohort(
            cohort, version=version, by=current_user, now=datetime.now(UTC)
        ),
        done=_(
            "%(cohort)s is closed: from now on it is read-only.",
            cohort=cohort.name,
        ),
        back=url_for("cohorts.detail", cohort_id=cohort.id),
        what="cohort",
    )
