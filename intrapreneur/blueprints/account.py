"""Each signed-in person's own settings: which emails they get."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.core import mail
from intrapreneur.core.models import utcnow
from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.extensions import db
from intrapreneur.identity.forms import EmailPreferencesForm

blueprint = Blueprint("account", __name__, url_prefix="/account")


@blueprint.route("/notifications", methods=["GET", "POST"])
@requires(signed_in)
def notifications() -> ResponseReturnValue:
    preference = mail.preference_of(current_user)
    # On a POST the boxes come from the form (an unticked box is absent, hence off).
    form = EmailPreferencesForm(obj=preference)
    if form.validate_on_submit():
        mail.save_preferences(current_user, form.data, utcnow())
        db.session.commit()
        flash("Your email choices are saved.", "success")
        return redirect(url_for("account.notifications"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "account/notifications.html", form=form, has_address=bool(current_user.email)
    ), status
