"""What every ventures page shares: the blueprint, loading a venture or a card with its
reader's access checked, and saving a change once (or saying why not)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, flash
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core.permissions import ensure
from intrapreneur.experiments.forms import VentureForm
from intrapreneur.experiments.models import Experiment, Stage, Venture, Visibility
from intrapreneur.experiments.permissions import access_to
from intrapreneur.experiments.services import BoardRefusal
from intrapreneur.extensions import db

blueprint = Blueprint("ventures", __name__)


def load_venture(venture_id: int, *, work: bool = False, manage: bool = False) -> Venture:
    """The venture, or 404 for anyone who may not see it (its existence is not revealed);
    403 for those who see it but may not change it."""
    venture = db.get_or_404(Venture, venture_id)
    access = access_to(current_user, venture, date.today())  # one team look-up for all three
    ensure(access.view, hide=True)
    ensure(access.work or not work)
    ensure(access.manage or not manage)
    return venture


def load_card(experiment_id: int, *, work: bool = False) -> Experiment:
    experiment = db.get_or_404(Experiment, experiment_id)
    load_venture(experiment.venture_id, work=work)
    return experiment


def reason(error: Exception) -> str:
    if isinstance(error, BoardRefusal):
        return error.message
    # A save that lost a race with another at the database (the version column noticed).
    return _(
        "Someone else changed this while you were working on it. Reload the page and try again."
    )


def commit_or_flash(change: Callable[[], object]) -> bool:
    """Run a change and commit once; a refusal is flashed and rolled back."""
    try:
        change()
        db.session.commit()
    except (BoardRefusal, StaleDataError) as error:
        db.session.rollback()
        flash(reason(error), "error")
        return False
    return True


def save_or_show_again(
    form: FlaskForm, page: Callable[[], str], change: Callable[[], object]
) -> ResponseReturnValue | None:
    """None once saved; otherwise the page again, with the form's errors (422) or the
    refusal on top of the form (409), nothing saved."""
    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    try:
        change()
        db.session.commit()
    except (BoardRefusal, StaleDataError) as error:
        db.session.rollback()
        form.form_errors.append(reason(error))
        return page(), 409
    return None


# -- ventures ------------------------------------------------------------------------------


def venture_values(form: VentureForm) -> dict[str, Any]:
    return {
        "title": form.title.data,
        "problem": form.problem.data,
        "customer": form.customer.data,
        "stage": Stage(form.stage.data),
        "visibility": Visibility(form.visibility.data),
    }
