"""A venture's settings, for its owners: details, team, sharing, archive and delete."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.blueprints.ventures.common import (
    blueprint,
    commit_or_flash,
    load_venture,
    save_or_show_again,
    venture_values,
)
from intrapreneur.core.errors import render_error
from intrapreneur.core.models import utcnow
from intrapreneur.core.permissions import ensure, requires
from intrapreneur.experiments import queries, services
from intrapreneur.experiments.forms import ShareForm, TeamMemberForm, VentureSettingsForm
from intrapreneur.experiments.models import TeamRole, Venture, VentureMember
from intrapreneur.experiments.permissions import can_review, can_start_ventures
from intrapreneur.extensions import db
from intrapreneur.learning import queries as learning_queries
from intrapreneur.learning.forms import ActionForm


def _share_form(**data: Any) -> tuple[ShareForm, set[int]]:
    """Sharing offers the sets the owner is in today or facilitates."""
    offered = learning_queries.current_sets_of(current_user.id, date.today())
    form = ShareForm(**data)
    form.set_ids.choices = [(s.id, f"{s.name} ({s.cohort.name})") for s in offered]
    return form, {s.id for s in offered}


def _settings_page(
    venture: Venture,
    *,
    details: VentureSettingsForm | None = None,
    team_form: TeamMemberForm | None = None,
) -> str:
    """The owners' page; forms other than the one just sent show the stored values."""
    shared = set(queries.shared_set_ids(venture.id))
    share_form, offered = _share_form(formdata=None, set_ids=sorted(shared))
    return render_template(
        "ventures/settings.html",
        venture=venture,
        details=details or VentureSettingsForm(formdata=None, obj=venture),
        team=queries.team_of(venture.id),
        team_form=team_form or TeamMemberForm(formdata=None),
        share_form=share_form,
        shared_elsewhere=len(shared - offered),
        action_form=ActionForm(),
        manages=True,
        reviews=can_review(current_user, venture),
    )


def _role_given(name: str, role: TeamRole, venture: str) -> str:
    if role is TeamRole.OWNER:
        return _("%(name)s is owner of %(venture)s.", name=name, venture=venture)
    return _("%(name)s is member of %(venture)s.", name=name, venture=venture)


def _to_settings(venture: Venture) -> ResponseReturnValue:
    return redirect(url_for("ventures.settings", venture_id=venture.id))


@blueprint.route("/ventures/<int:venture_id>/settings", methods=["GET", "POST"])
@requires(can_start_ventures)
def settings(venture_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id, manage=True)
    form = VentureSettingsForm()
    if not form.is_submitted():
        form.process(obj=venture)
    shown = save_or_show_again(
        form,
        partial(_settings_page, venture, details=form),
        lambda: services.update_venture(
            venture,
            **venture_values(form),
            version=form.version.data,
            by=current_user,
            now=utcnow(),
        ),
    )
    if shown:
        return shown
    flash(_("Venture saved."), "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/team")
@requires(can_start_ventures)
def add_to_team(venture_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id, manage=True)
    form = TeamMemberForm()
    if not form.validate_on_submit():
        return _settings_page(venture, team_form=form), 422
    person = queries.active_person(form.email.data)
    if person is None:
        form.email.errors.append(_("Nobody with an active account has that email or username."))
        return _settings_page(venture, team_form=form), 422
    role = TeamRole(form.role.data)
    if commit_or_flash(lambda: services.set_team_role(venture, person, role, by=current_user)):
        flash(_role_given(person.display_name, role, venture.title), "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/team/<int:member_id>/remove")
@requires(can_start_ventures)
def remove_from_team(venture_id: int, member_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id, manage=True)
    member = db.get_or_404(VentureMember, member_id)
    ensure(member.venture_id == venture.id, hide=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    if commit_or_flash(lambda: services.remove_team_member(venture, member, by=current_user)):
        flash(_("%(name)s has left the team.", name=member.person.display_name), "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/shares")
@requires(can_start_ventures)
def share(venture_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id, manage=True)
    form, offered = _share_form()
    if not form.validate_on_submit():
        return render_error(400, _("Those sets were not understood, so sharing did not change."))
    chosen = set(form.set_ids.data or [])
    if commit_or_flash(lambda: services.share_into(venture, chosen, offered, by=current_user)):
        flash(_("Sharing saved."), "success")
    return _to_settings(venture)


@blueprint.post("/ventures/<int:venture_id>/archive")
@requires(can_start_ventures)
def archive(venture_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id, manage=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    if commit_or_flash(lambda: services.archive_venture(venture, by=current_user, now=utcnow())):
        flash(
            _("%(venture)s is archived: kept as it is, read-only.", venture=venture.title),
            "success",
        )
    return redirect(url_for("ventures.board", venture_id=venture.id))


@blueprint.post("/ventures/<int:venture_id>/delete")
@requires(can_start_ventures)
def delete(venture_id: int) -> ResponseReturnValue:
    venture = load_venture(venture_id, manage=True)
    if not ActionForm().validate_on_submit():
        return render_error(400)
    title = venture.title
    if not commit_or_flash(lambda: services.delete_venture(venture, by=current_user)):
        return _to_settings(venture)
    flash(_("%(venture)s is deleted.", venture=title), "success")
    return redirect(url_for("ventures.index"))
