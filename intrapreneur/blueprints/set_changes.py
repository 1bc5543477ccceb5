"""A cohort's sets over time: a facilitator assigned or replaced, a member moved to another set
or taken out, a set closed. Each page shows what the change reaches before it is made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import TypeVar

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from intrapreneur.blueprints.editing import save_or_show_again
from intrapreneur.blueprints.learning_access import load_set, refuse_if_closed
from intrapreneur.core.forms import VersionedForm, person_choices
from intrapreneur.core.permissions import ensure, requires, signed_in
from intrapreneur.extensions import db
from intrapreneur.identity import queries as identity_queries
from intrapreneur.identity.models import Person
from intrapreneur.learning import queries, services
from intrapreneur.learning.forms import FacilitatorForm, LeaveSetForm, MoveMemberForm
from intrapreneur.learning.models import LearningSet, SetMembership
from intrapreneur.learning.permissions import can_reorganise_sets

blueprint = Blueprint("set_changes", __name__)

Versioned = TypeVar("Versioned", bound=VersionedForm)


def _set_page(learning_set: LearningSet) -> ResponseReturnValue:
    return redirect(url_for("sets.detail", set_id=learning_set.id))


def _open_set(set_id: int) -> LearningSet:
    """A set HR may change: any set, unless it is closed (then back to its page)."""
    learning_set = db.get_or_404(LearningSet, set_id)
    refuse_if_closed(learning_set)
    return learning_set


def _form_for(form_class: type[Versioned], learning_set: LearningSet) -> Versioned:
    """The form, carrying on first view the version of the set its change is made on."""
    form = form_class()
    if not form.is_submitted():
        form.version.data = learning_set.version
    return form


def _ensure_current(membership: SetMembership, today: date) -> None:
    """A stay that has ended is history, not something to change."""
    ensure(membership.left_on is None or membership.left_on > today, hide=True)


@blueprint.route("/sets/<int:set_id>/facilitator", methods=["GET", "POST"])
@requires(can_reorganise_sets)
def facilitator(set_id: int) -> ResponseReturnValue:
    learning_set = _open_set(set_id)
    form = _form_for(FacilitatorForm, learning_set)
    form.person_id.choices = person_choices(
        person
        for person in identity_queries.possible_facilitators()
        if person.id != learning_set.facilitator_id
    )
    now, ready = datetime.now(UTC), form.validate_on_submit()
    # Looked up once valid: only then is the id one of the choices.
    chosen = db.session.get(Person, form.person_id.data) if ready else None
    shown = save_or_show_again(
        form,
        partial(
            render_template,
            "set_changes/facilitator.html",
            form=form,
            learning_set=learning_set,
            upcoming=queries.upcoming_sessions(learning_set.id, now),
        ),
        lambda: services.change_facilitator(
            learning_set,
            chosen,
            version=form.version.data,
            by=current_user,
            now=now,
            today=date.today(),
        ),
        ready=ready and chosen is not None,
    )
    if shown:
        return shown
    flash(
        _(
            "%(facilitator)s now facilitates %(set)s; both facilitators are told "
            "by email, with the set's upcoming sessions.",
            facilitator=learning_set.facilitator.display_name,
            set=learning_set.name,
        ),
        "success",
    )
    return _set_page(learning_set)


@blueprint.route("/memberships/<int:membership_id>/move", methods=["GET", "POST"])
@requires(can_reorganise_sets)
def move(membership_id: int) -> ResponseReturnValue:
    today = date.today()
    membership = db.get_or_404(SetMembership, membership_id)
    _ensure_current(membership, today)
    source = _open_set(membership.set_id)
    form = _form_for(MoveMemberForm, source)
    form.target_id.choices = [
        (other.id, other.name)
        for other in queries.sets_of_cohort(source.cohort_id)
        if other.id != source.id and other.closed_at is None
    ]
    ready = form.validate_on_submit()
    target = db.session.get(LearningSet, form.target_id.data) if ready else None
    shown = _take_out(
        membership,
        form,
        "set_changes/move.html",
        partial(services.move_member, target=target),
        ready=ready and target is not None,
    )
    if shown:
        return shown
    flash(
        _(
            "%(name)s moved from %(source)s to %(target)s; their calendar follows by email.",
            name=membership.person.display_name,
            source=source.name,
            target=target.name,
        ),
        "success",
    )
    return _set_page(source)


@blueprint.route("/memberships/<int:membership_id>/remove", methods=["GET", "POST"])
@requires(signed_in)
def remove(membership_id: int) -> ResponseReturnValue:
    today = date.today()
    membership = db.get_or_404(SetMembership, membership_id)
    learning_set = load_set(membership.set_id, manage=True)
    _ensure_current(membership, today)
    form = _form_for(LeaveSetForm, learning_set)
    shown = _take_out(
        membership,
        form,
        "set_changes/remove.html",
        services.remove_member,
        ready=form.validate_on_submit(),
    )
    if shown:
        return shown
    flash(
        _(
            "%(name)s left %(set)s.",
            name=membership.person.display_name,
            set=learning_set.name,
        ),
        "success",
    )
    return _set_page(learning_set)


def _take_out(
    membership: SetMembership,
    form: LeaveSetForm,
    template: str,
    leave: Callable[..., object],
    *,
    ready: bool,
) -> ResponseReturnValue | None:
    """The page of what taking the member out of their set changes; once ``ready``, ``leave``
    (moving or removing them) with the version and confirmation the form carries."""
    today, now = date.today(), datetime.now(UTC)
    page = partial(
        render_template,
        template,
        form=form,
        membership=membership,
        leaving=services.leaving(membership, now=now, today=today),
        minimum=services.MIN_SET_SIZE,
    )
    return save_or_show_again(
        form,
        page,
        lambda: leave(
            membership,
            version=form.version.data,
            confirmed=form.confirmed.data,
            by=current_user,
            now=now,
            today=today,
        ),
        ready=ready,
    )


@blueprint.route("/sets/<int:set_id>/close", methods=["GET", "POST"])
@requires(can_reorganise_sets)
def close(set_id: int) -> ResponseReturnValue:
    learning_set = _open_set(set_id)
    form = _form_for(VersionedForm, learning_set)
    now = datetime.now(UTC)
    cancelled: list[object] = []
    shown = save_or_show_again(
        form,
        partial(
            render_template,
            "set_changes/close.html",
            form=form,
            learning_set=learning_set,
            members=queries.current_members(learning_set.id, date.today()),
            upcoming=queries.upcoming_sessions(learning_set.id, now),
        ),
        lambda: cancelled.extend(
            services.close_set(learning_set, version=form.version.data, by=current_user, now=now)
        ),
        ready=form.validate_on_submit(),
    )
    if shown:
        return shown
    flash(
        ngettext(
            "%(set)s is closed; %(num)d upcoming session cancelled and calendars told.",
            "%(set)s is closed; %(num)d upcoming sessions cancelled and calendars told.",
            len(cancelled),
            set=learning_set.name,
        ),
        "success",
    )
    return _set_page(learning_set)
