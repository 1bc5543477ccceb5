"""The set composer's pages: HR proposes a cohort's sets, adjusts them and publishes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core.charts import embeddable
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people
from intrapreneur.learning import charts, composition, services
from intrapreneur.learning.forms import (
    ActionForm,
    ComposeForm,
    MoveForm,
    PlacementForm,
    VersionedForm,
)
from intrapreneur.learning.models import Cohort, SetComposition
from intrapreneur.learning.permissions import can_create_sets

blueprint = Blueprint("composer", __name__, url_prefix="/cohorts/<int:cohort_id>/composer")


@blueprint.get("")
@requires(can_create_sets)
def page(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    return _page(cohort, _compose_form(cohort))


@blueprint.post("")
@requires(can_create_sets)
def propose(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    form = _compose_form(cohort)
    if not form.validate_on_submit():
        return _page(cohort, form, status=422)
    candidates = people.people_by_id([row.person_id.data for row in form.facilitators])
    chosen = [
        composition.FacilitatorChoice(candidates[row.person_id.data], row.capacity.data)
        for row in form.facilitators
        if row.capacity.data and row.person_id.data in candidates
    ]
    try:
        composition.propose(
            cohort,
            facilitators=chosen,
            set_count=form.set_count.data,
            keep_apart=form.keep_apart_previous.data,
            seed=form.seed.data,
            by=current_user,
            now=datetime.now(UTC),
            today=date.today(),
        )
    except services.LearningRefusal as refusal:
        form.form_errors.append(refusal.message)
        return _page(cohort, form, status=409)
    db.session.commit()
    flash(
        _(
            "Here is a proposal. Move or lock people, recompute the rest, then publish.",
        ),
        "success",
    )
    return _back(cohort)


@blueprint.post("/move")
@requires(can_create_sets)
def move(cohort_id: int) -> ResponseReturnValue:
    form = MoveForm()
    return _change(
        cohort_id,
        form,
        lambda draft, now: composition.move(
            draft,
            form.person_id.data,
            form.target.data - 1,
            version=form.version.data,
            by=current_user,
            now=now,
            today=date.today(),
        ),
        _("Moved and locked there; the others stay where they were."),
    )


@blueprint.post("/lock")
@requires(can_create_sets)
def lock(cohort_id: int) -> ResponseReturnValue:
    form = PlacementForm()
    return _change(
        cohort_id,
        form,
        lambda draft, now: composition.toggle_lock(
            draft, form.person_id.data, version=form.version.data, by=current_user, now=now
        ),
        _("Lock changed."),
    )


@blueprint.post("/recompute")
@requires(can_create_sets)
def recompute(cohort_id: int) -> ResponseReturnValue:
    form = VersionedForm()
    return _change(
        cohort_id,
        form,
        lambda draft, now: composition.recompute(
            draft, version=form.version.data, by=current_user, now=now, today=date.today()
        ),
        _("Recomputed around the locked people."),
    )


@blueprint.post("/publish")
@requires(can_create_sets)
def publish(cohort_id: int) -> ResponseReturnValue:
    form = VersionedForm()
    outcome: list[tuple[int, int]] = []

    def run(draft: SetComposition, now: datetime) -> None:
        outcome.append(
            composition.publish(
                draft, version=form.version.data, by=current_user, now=now, today=date.today()
            )
        )

    response = _change(cohort_id, form, run, None)
    if outcome:
        created, unplaced = outcome[0]
        flash(
            ngettext(
                "Published: %(num)d set created.", "Published: %(num)d sets created.", created
            ),
            "success",
        )
        if unplaced:
            flash(
                ngettext(
                    "%(num)d person still has no set; place them from a set's page.",
                    "%(num)d people still have no set; place them from a set's page.",
                    unplaced,
                ),
                "success",
            )
        return redirect(url_for("cohorts.detail", cohort_id=cohort_id))
    return response


@blueprint.post("/discard")
@requires(can_create_sets)
def discard(cohort_id: int) -> ResponseReturnValue:
    cohort = db.get_or_404(Cohort, cohort_id)
    draft = composition.draft_of(cohort)
    if ActionForm().validate_on_submit() and draft is not None:
        composition.discard(draft, by=current_user)
        db.session.commit()
        flash(_("Proposal discarded."), "success")
    return _back(cohort)


def _change(
    cohort_id: int,
    form: VersionedForm,
    change: Callable[[SetComposition, datetime], object],
    success: str | None,
) -> ResponseReturnValue:
    """Validate, change the draft and commit once; a refusal shows the page with its reason."""
    cohort = db.get_or_404(Cohort, cohort_id)
    draft = composition.draft_of(cohort)
    if draft is None:
        flash(_("There is no proposal for this cohort yet; propose sets first."), "error")
        return _page(cohort, _compose_form(cohort), status=409)
    if not form.validate_on_submit():
        flash(_("That change was not understood; nothing was changed."), "error")
        return _page(cohort, _compose_form(cohort), status=400)
    try:
        change(draft, datetime.now(UTC))
        db.session.commit()
    except (services.LearningRefusal, StaleDataError) as refusal:
        db.session.rollback()
        flash(getattr(refusal, "message", composition.StaleComposition().message), "error")
        return _page(cohort, _compose_form(cohort), status=409)
    if success:
        flash(success, "success")
    return _back(cohort)


def _compose_form(cohort: Cohort) -> ComposeForm:
    """The facilitator table lists everyone who may facilitate, with the draft's capacities."""
    form = ComposeForm()
    if form.is_submitted():
        return form
    draft = composition.draft_of(cohort)
    capacities = {row["person_id"]: row["capacity"] for row in draft.facilitators} if draft else {}
    for person in people.possible_facilitators():
        form.facilitators.append_entry(
            {"person_id": person.id, "capacity": capacities.get(person.id, 0)}
        )
    if draft is not None:
        form.keep_apart_previous.data = draft.keep_apart_previous
        form.seed.data = draft.seed
    return form


def _page(cohort: Cohort, form: ComposeForm, status: int = 200) -> ResponseReturnValue:
    draft = composition.draft_of(cohort)
    # A row whose id was refused names nobody, and is not looked up.
    ids = [row.person_id.data for row in form.facilitators if not row.person_id.errors]
    names = people.people_by_id(ids)
    workspace = composition.workspace(draft, date.today()) if draft else None
    return render_template(
        "composer/page.html",
        cohort=cohort,
        form=form,
        facilitator_names={person_id: p.display_name for person_id, p in names.items()},
        workspace=workspace,
        figure=embeddable(charts.set_mix(workspace.proposal.quality)) if workspace else None,
        action_form=ActionForm(),
    ), status


def _back(cohort: Cohort) -> ResponseReturnValue:
    return redirect(url_for("composer.page", cohort_id=cohort.id))
