"""Signing in and out, and accepting a guest invitation."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
from flask_login import current_user, login_user, logout_user

from intrapreneur.core.errors import render_error
from intrapreneur.core.forms import person_choices
from intrapreneur.core.permissions import public, requires, signed_in
from intrapreneur.core.security import safe_next
from intrapreneur.extensions import db, limiter
from intrapreneur.identity import queries, services
from intrapreneur.identity.forms import DevSignInForm, SetPasswordForm, SignInForm
from intrapreneur.identity.models import Person

blueprint = Blueprint("auth", __name__)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_login() -> str:
    """Rate-limit key per account as well as per address, against distributed guessing."""
    return (
        "login:"
        + (request.form.get("login") or request.form.get("dev-person_id") or "").strip().lower()
    )


def _throttled(view):  # type: ignore[no-untyped-def]
    view = limiter.limit(_login_rate_limit, methods=["POST"], key_func=_submitted_login)(view)
    return limiter.limit(_login_rate_limit, methods=["POST"])(view)


def _start_session(person: Person, method: str) -> None:
    session.clear()
    login_user(person)
    session.permanent = True
    services.note_sign_in(person, method=method, now=datetime.now(UTC))


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


def _after_sign_in() -> ResponseReturnValue:
    return redirect(safe_next(request.args.get("next"), url_for("main.home")))


@blueprint.route("/sign-in", methods=["GET", "POST"])
@_throttled
@public
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return _after_sign_in()
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
            _start_session(person, method)
            db.session.commit()
            return _after_sign_in()
    elif form.is_submitted():
        status = 422
    return render_template("auth/sign_in.html", form=form, dev_form=_dev_sign_in_form()), status


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
    _start_session(person, "development")
    db.session.commit()
    return _after_sign_in()


@blueprint.post("/sign-out")
@requires(signed_in)
def sign_out() -> ResponseReturnValue:
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
@_throttled
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    now = datetime.now(UTC)
    try:
        invitation = services.open_invitation(token, now)
    except services.IdentityError as problem:
        return render_error(problem.status, problem.message)
    form = SetPasswordForm()
    form.password.description = (
        f"At least {current_app.config['PASSWORD_MIN_LENGTH']} characters. "
        "A few unrelated words are easy to remember and hard to guess."
    )
    status = 200
    if form.validate_on_submit():
        try:
            guest = services.accept_invitation(invitation, form.password.data, now)
        except services.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
            status = weak.status
        except services.IdentityError as problem:
            return render_error(problem.status, problem.message)
        else:
            _start_session(guest, "invitation")
            db.session.commit()
            flash(f"Welcome, {guest.display_name}. Your password is set.", "success")
            return redirect(url_for("main.home"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), status
