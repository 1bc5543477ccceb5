"""Signing in and out, accepting a guest invitation, and a guest's forgotten password."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, date, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from intrapreneur.blueprints.signing_in import (
    after_sign_in,
    continue_sign_in,
    next_url,
    start_session,
)
from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import person_choices
from intrapreneur.core.i18n import offered_locales
from intrapreneur.core.permissions import public, requires, signed_in
from intrapreneur.extensions import db, limiter
from intrapreneur.identity import invitations, oidc, password_resets, queries, saml, services
from intrapreneur.identity import profile as profiles
from intrapreneur.identity.forms import (
    AcceptInvitationForm,
    DevSignInForm,
    ForgotPasswordForm,
    SetPasswordForm,
    SignInForm,
)
from intrapreneur.identity.models import Invitation, Person
from intrapreneur.privacy import settings as privacy_settings

blueprint = Blueprint("auth", __name__)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_login() -> str:
    """Rate-limit key per account as well as per address, against distributed guessing."""
    return (
        "login:"
        + (request.form.get("login") or request.form.get("dev-person_id") or "").strip().lower()
    )


# Per address asked for, whoever asks: keeps the form from flooding one inbox.
RESET_REQUESTS_PER_ADDRESS = "5 per hour"


def _submitted_email() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


def _throttled(view):  # type: ignore[no-untyped-def]
    view = limiter.limit(_login_rate_limit, methods=["POST"], key_func=_submitted_login)(view)
    return limiter.limit(_login_rate_limit, methods=["POST"])(view)


def _dev_sign_in_form() -> DevSignInForm | None:
    if not current_app.config["DEV_SIGN_IN"]:
        return None
    form = DevSignInForm(prefix="dev")
    form.person_id.choices = person_choices(
        queries.people_for_dev_sign_in(),
        lambda person: f"{person.display_name} ({', '.join(sorted(person.role_names))})",
    )
    return form


def person_of_session(person_id: str) -> Person | None:
    """Flask-Login's loader. A session whose person may no longer sign in (guest access
    ended, account switched off) ends here, and the next page says why, once."""
    try:
        return services.person_for_session(person_id)
    except services.SignInRefused as refusal:
        session.clear()
        flash(refusal.message, "error")
        return None


@blueprint.route("/sign-in", methods=["GET", "POST"])
@_throttled
@public
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return after_sign_in()
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            person, method = services.sign_in(form.login.data, form.password.data, date.today())
        except services.SignInRefused as refusal:
            services.note_refused_sign_in(refusal, login=form.login.data)
            db.session.commit()
            form.form_errors.append(refusal.message)
            status = refusal.status
        else:
            # A local account with two-step sign-in is only half signed in here.
            return continue_sign_in(person, method, next_url())
    elif form.is_submitted():
        status = 422
    return render_template(
        "auth/sign_in.html", form=form, dev_form=_dev_sign_in_form(), sso=_single_sign_on()
    ), status


def _single_sign_on() -> tuple[str, str] | None:
    """The organisation's name and where its sign-in button leads, when one is set up."""
    settings = oidc.settings() or saml.settings()
    if settings is None:
        return None
    start = "sso.start" if oidc.settings() else "saml.start"
    return settings.display_name, url_for(start, next=request.args.get("next"))


@blueprint.post("/sign-in/development")
@_throttled
@public
def dev_sign_in() -> ResponseReturnValue:
    form = _dev_sign_in_form()
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=SignInForm(), dev_form=form), 422
    person = db.session.get(Person, form.person_id.data)
    assert person is not None  # the choices only hold existing people
    start_session(person, "development")
    db.session.commit()
    return after_sign_in()


@blueprint.post("/sign-out")
@requires(signed_in)
def sign_out() -> ResponseReturnValue:
    # The cookie is signed, not stored: only a new session version makes copies of it useless.
    current_user.end_all_sessions()
    db.session.commit()
    at_provider = session.get(oidc.SESSION_MARK) is True
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    signed_out = url_for("auth.sign_in")
    # RP-initiated sign-out: the organisation's sign-in ends its session too, then sends back here.
    if at_provider:
        signed_out = oidc.end_session_url(url_for("auth.sign_in", _external=True)) or signed_out
    return redirect(signed_out)


def _new_password_form(form_class: type[SetPasswordForm] = SetPasswordForm) -> SetPasswordForm:
    form = form_class()
    form.password.description = ngettext(
        "At least %(num)d character. A few unrelated words are easy to remember and hard to guess.",
        "At least %(num)d characters. A few unrelated words are easy to remember and hard "
        "to guess.",
        current_app.config["PASSWORD_MIN_LENGTH"],
    )
    return form


def _choose_password(
    set_password: Callable[[Any], Person],
    method: str,
    welcome: str,
    template: str,
    form: SetPasswordForm,
    **context: Any,
) -> ResponseReturnValue:
    """The page where a guest chooses a password (invitation or reset): one policy, and the
    guest is signed in afresh once it is set (after their code, if they use two steps).
    ``set_password`` is given the valid form."""
    status = 200
    if form.validate_on_submit():
        try:
            guest = set_password(form)
        except services.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
            status = weak.status
        except services.IdentityError as problem:
            return render_error(problem.status, problem.message)
        else:
            # A new password is no way around the second step.
            return continue_sign_in(guest, method, url_for("main.home"), welcome)
    elif form.is_submitted():
        status = 422
    return render_template(template, form=form, **context), status


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
@_throttled
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    now = datetime.now(UTC)
    try:
        invitation = invitations.open_invitation(token, now)
    except services.IdentityError as problem:
        return render_error(problem.status, problem.message)
    return _choose_password(
        lambda form: _accept(invitation, form, now),
        "invitation",
        _welcome(invitation.person),
        "auth/accept_invitation.html",
        _new_password_form(AcceptInvitationForm),
        invitation=invitation,
        retention=privacy_settings.current(),
    )


def _welcome(guest: Person) -> str:
    """The greeting after the password is set, in the language the guest has just chosen
    (the pages that follow speak it too), else in this page's."""
    chosen = request.form.get("language")
    with force_locale(chosen) if chosen in offered_locales() else nullcontext():
        return _("Welcome, %(name)s. Your password is set.", name=guest.display_name)


def _accept(invitation: Invitation, form: AcceptInvitationForm, now: datetime) -> Person:
    """The password set, and the language the guest chose kept as their own (as on their
    profile) when they were offered a choice."""
    guest = invitations.accept_invitation(invitation, form.password.data, now)
    if "language" in form:
        profiles.choose_locale(guest, form.language.data, offered_locales())
    return guest


@blueprint.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(RESET_REQUESTS_PER_ADDRESS, methods=["POST"], key_func=_submitted_email)
@limiter.limit(_login_rate_limit, methods=["POST"])
@public
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    available = password_resets.can_send_links()
    if available and form.validate_on_submit():
        password_resets.request_reset(form.email.data, datetime.now(UTC))
        db.session.commit()
        # The same answer whether or not the address has an account.
        return redirect(url_for("auth.reset_link_sent"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form, available=available), status


@blueprint.get("/forgot-password/sent")
@public
def reset_link_sent() -> ResponseReturnValue:
    return render_template("auth/reset_link_sent.html")


@blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    now = datetime.now(UTC)
    try:
        reset = password_resets.open_link(token, now)
    except services.IdentityError as problem:
        return render_error(problem.status, problem.message)
    return _choose_password(
        lambda form: password_resets.reset_password(reset, form.password.data, now),
        "password_reset",
        _("Your new password is set. You are signed in."),
        "auth/reset_password.html",
        _new_password_form(),
        reset=reset,
    )
