"""The administrators' people pages: everyone, found by name, email address or username,
and each person's data-protection page: who they are, what erasing them would do, what
stands in its way, and the erasure itself (or, once done, what it did)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, role_text
from intrapreneur.privacy import erasure, queries, settings
from intrapreneur.privacy.erasure.effects import erasure_effects
from intrapreneur.privacy.forms import EraseForm, PeopleSearchForm, confirmation_words
from intrapreneur.privacy.permissions import can_erase_people

blueprint = Blueprint("people_admin", __name__, url_prefix="/admin/people")


@blueprint.get("")
@requires(can_erase_people)
def index() -> ResponseReturnValue:
    form = PeopleSearchForm(request.args)
    valid = form.validate()
    page = paginate(queries.people(form.q.data if valid else None))
    return render_template(
        "privacy/people.html", form=form, page=page, today=date.today()
    ), 200 if valid else 422


def _person_page(person: Person, form: EraseForm, status: int = 200) -> ResponseReturnValue:
    today = date.today()
    modes = settings.current().text_modes
    erased = person.erased_at is not None
    return render_template(
        "privacy/person.html",
        person=person,
        roles=role_text(person.role_names),
        form=form,
        confirmation_words=confirmation_words(person),
        tombstone=erasure.tombstone(person.id),
        refusals=[] if erased else erasure.refusals(person, today),
        effects=[] if erased else erasure_effects(person, modes),
        text_modes=[
            (kind.label, settings.TEXT_MODE_LABELS[modes[kind.name]])
            for kind in settings.TEXT_KINDS
        ],
        event=queries.erasure_event(person.id) if erased else None,
        today=today,
    ), status


@blueprint.get("/<int:person_id>")
@requires(can_erase_people)
def detail(person_id: int) -> ResponseReturnValue:
    person = db.get_or_404(Person, person_id)
    return _person_page(person, EraseForm(person))


@blueprint.post("/<int:person_id>/erase")
@requires(can_erase_people)
def erase(person_id: int) -> ResponseReturnValue:
    person = db.get_or_404(Person, person_id)
    form = EraseForm(person)
    if not form.validate_on_submit():
        return _person_page(person, form, 422)
    try:
        erasure.erase(person, by=current_user, now=datetime.now(UTC))
    except erasure.ErasureRefused as refused:
        db.session.rollback()
        form.form_errors.extend(refused.reasons)
        return _person_page(person, form, 409)
    db.session.commit()
    flash(
        _("Erased: the records now name them %(tombstone)s.", tombstone=person.display_name),
        "success",
    )
    return redirect(url_for("people_admin.detail", person_id=person.id))
