"""Form handling shared by the learning views that edit something: save and commit once,
or show the refusal on the form; one-button changes of a versioned record; and the agenda
form's rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core.errors import render_error
from intrapreneur.extensions import db
from intrapreneur.learning import services
from intrapreneur.learning.formats import Agenda
from intrapreneur.learning.forms import AgendaForm, VersionedForm

Form = TypeVar("Form", bound=FlaskForm)


def filled_from(form_class: type[Form], record: object) -> Form:
    """An edit form: the record's values on first view, what was sent once submitted."""
    form = form_class()
    if not form.is_submitted():
        form.process(obj=record)
    return form


def save_or_show_again(
    form: FlaskForm,
    page: Callable[[], str],
    change: Callable[[], object],
    *,
    ready: bool,
    what: str = "session",
) -> ResponseReturnValue | None:
    """Run ``change`` and commit once the form is ``ready``; None once saved. Otherwise the
    page again: as first shown, with the form's own errors (422), or with a refusal on top
    of the form or next to the fields it names (the refusal's status), its change rolled
    back. ``what`` names the record in the message to the second of two editors."""
    if not ready:
        return page(), 422 if form.errors else 200
    try:
        change()
        db.session.commit()
    except StaleDataError:
        # Two saves of the same copy at once: the database noticed, not the service.
        db.session.rollback()
        stale = services.StaleEdit(what)
        form.form_errors.append(stale.message)
        return page(), stale.status
    except services.RefusedFields as refusal:
        db.session.rollback()
        for name, messages in refusal.problems.items():
            form[name].errors.extend(messages)
        return page(), refusal.status
    except services.LearningRefusal as refusal:
        db.session.rollback()
        form.form_errors.extend(refusal.messages)
        return page(), refusal.status
    return None


def act_on_version(
    act: Callable[[int], object], *, done: str, back: str, what: str
) -> ResponseReturnValue:
    """A one-button change of a versioned record (closing, archiving): ``act`` gets the
    version the button was shown with; commit and go ``back`` with what happened, or with
    the refusal (nothing changed)."""
    form = VersionedForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        act(form.version.data)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(services.StaleEdit(what).message, "error")
    except services.LearningRefusal as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        flash(done, "success")
    return redirect(back)


def agenda_form(agenda: Agenda, version: int) -> AgendaForm:
    """Filled from the stored agenda on first view, from the request once submitted;
    blank rows to fill in on first view and whenever more are asked for."""
    form = AgendaForm()
    if not form.is_submitted():
        form.process(data={"version": version, "segments": agenda})
    if not form.is_submitted() or form.more_rows.data:
        form.add_blank_rows()
    return form
