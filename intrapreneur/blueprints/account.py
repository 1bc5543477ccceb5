"""Each signed-in person's own pages: their profile (who the app knows them as, their
manager and reports, their time zone and language) and which emails they get."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from intrapreneur.core import mail
from intrapreneur.core.i18n import language_name, offered_locales
from intrapreneur.core.models import utcnow
from intrapreneur.core.permissions import requires, signed_in
from intrapreneur.core.timezones import organisation_zone_name
from intrapreneur.extensions import db
from intrapreneur.identity import profile as profiles
from intrapreneur.identity import queries
from intrapreneur.identity.forms import EmailPreferencesForm, LanguageForm, TimeZoneForm
from intrapreneur.identity.models import role_text
from intrapreneur.identity.permissions import can_use_local_mfa

blueprint = Blueprint("account", __name__, url_prefix="/account")


def _fallback_zone() -> str:
    """What "no choice" means for this person, in words."""
    if current_user.directory_time_zone:
        return _(
            "Not chosen: the company directory's %(zone)s",
            zone=current_user.directory_time_zone,
        )
    return _("Not chosen: the organisation's %(zone)s", zone=organisation_zone_name())


def _fallback_language() -> str:
    """What "no choice" means for this person's language, in words."""
    directory_language = current_user.directory_locale
    if directory_language in offered_locales():
        return _(
            "Not chosen: the company directory's %(language)s",
            language=language_name(directory_language),
        )
    return _("Not chosen: your browser's, else the organisation's")


# The profile page holds two forms posting to two routes: each shows what the person posted
# when it was the one sent (and is checked as sent), else their current choice.


def _sent_to(endpoint: str) -> bool:
    return request.method == "POST" and request.endpoint == endpoint


def _zone_form() -> TimeZoneForm:
    form = TimeZoneForm(fallback=_fallback_zone())
    if not _sent_to("account.profile"):
        form.time_zone.data = current_user.chosen_time_zone or ""
    return form


def _language_form() -> LanguageForm:
    form = LanguageForm(fallback=_fallback_language())
    if not _sent_to("account.language"):
        form.language.data = current_user.chosen_locale or ""
    return form


@blueprint.route("/profile", methods=["GET", "POST"])
@requires(signed_in)
def profile() -> ResponseReturnValue:
    form = _zone_form()
    if form.validate_on_submit():
        try:
            profiles.choose_time_zone(current_user, form.time_zone.data or None)
        except profiles.TimeZoneRefused as refusal:
            form.time_zone.errors.append(refusal.message)
        else:
            db.session.commit()
            flash(
                _("Saved. Times are now shown to you in %(zone)s.", zone=current_user.time_zone),
                "success",
            )
            return redirect(url_for("account.profile"))
    return _profile_page(form, _language_form())


@blueprint.post("/language")
@requires(signed_in)
def language() -> ResponseReturnValue:
    form = _language_form()
    if form.validate_on_submit():
        try:
            profiles.choose_locale(current_user, form.language.data or None, offered_locales())
        except profiles.LanguageRefused as refusal:
            form.language.errors.append(refusal.message)
        else:
            db.session.commit()
            flash(_("Saved. Intrapreneur now speaks to you in this language."), "success")
            return redirect(url_for("account.profile"))
    return _profile_page(_zone_form(), form)


def _profile_page(form: TimeZoneForm, language_form: LanguageForm) -> ResponseReturnValue:
    # Guests are nobody's manager and have none here: their page leaves both out.
    employee = not current_user.is_guest
    return render_template(
        "account/profile.html",
        role_text=role_text,
        form=form,
        language_form=language_form,
        now=datetime.now(UTC),
        manager=current_user.manager if employee else None,
        reports=queries.direct_reports(current_user.id) if employee else [],
        everyone_below=queries.count_reports(current_user.id) if employee else 0,
        two_step_available=can_use_local_mfa(current_user),
    ), 422 if form.errors or language_form.errors else 200


@blueprint.route("/notifications", methods=["GET", "POST"])
@requires(signed_in)
def notifications() -> ResponseReturnValue:
    preference = mail.preference_of(current_user)
    # On a POST the boxes come from the form (an unticked box is absent, hence off).
    form = EmailPreferencesForm(obj=preference)
    if current_user.is_guest:
        del form.learning_digests  # organisation content: guests never get the digest
    if form.validate_on_submit():
        mail.save_preferences(current_user, form.data, utcnow())
        db.session.commit()
        flash(_("Your email choices are saved."), "success")
        return redirect(url_for("account.notifications"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "account/notifications.html", form=form, has_address=bool(current_user.email)
    ), status
