"""Two-step sign-in for local accounts: the code asked for after the password, setting up
an authenticator app (from the account page, or at sign-in when the organisation requires
it) and turning it off.

The pages under /sign-in/ are public in the route table's sense but serve only the person
half signed in for that step (``signing_in.pending_person``); anyone else is sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intrapreneur.blueprints import signing_in
from intrapreneur.core.permissions import public, requires
from intrapreneur.extensions import db, limiter
from intrapreneur.identity import mfa, services
from intrapreneur.identity.forms import CodeForm
from intrapreneur.identity.models import Person
from intrapreneur.identity.permissions import can_use_local_mfa

blueprint = Blueprint("two_step", __name__)


def _code_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    """Codes are limited per account as well as per address, as passwords are."""
    owner = current_user.id if current_user.is_authenticated else signing_in.pending_account_key()
    return f"code:{owner}"


def _throttled(view):  # type: ignore[no-untyped-def]
    view = limiter.limit(_code_rate_limit, methods=["POST"], key_func=_account_key)(view)
    return limiter.limit(_code_rate_limit, methods=["POST"])(view)


def _half_signed_in(step: str) -> Callable[[Callable[[Person], ResponseReturnValue]], Any]:
    """Serve only the person half signed in for ``step``; send anyone else to sign in."""

    def decorate(view: Callable[[Person], ResponseReturnValue]) -> Any:
        @wraps(view)
        def serve() -> ResponseReturnValue:
            person = signing_in.pending_person(step)
            return view(person) if person else redirect(url_for("auth.sign_in"))

        return serve

    return decorate


def _no_store(page: str, status: int = 200) -> ResponseReturnValue:
    """A page showing a secret once: no browser or proxy may keep a copy."""
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _new_key(person: Person, confirm_url: str) -> ResponseReturnValue:
    """A new secret for the person's authenticator, shown this once as a QR code and text."""
    secret = mfa.begin_set_up(person)
    db.session.commit()
    return _no_store(
        render_template(
            "two_step/new_key.html",
            form=CodeForm(),
            qr_code=mfa.qr_code_svg(person, secret),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            confirm_url=confirm_url,
        )
    )


def _confirm(
    person: Person, confirm_url: str, start_again_url: str, switched_on: Callable[[], str]
) -> ResponseReturnValue:
    """The first code switches the authenticator on and the recovery codes are shown once;
    ``switched_on`` commits and says where to go next. A wrong code keeps the key hidden."""
    form = CodeForm()
    status = 422
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_set_up(person, form.code.data, datetime.now(UTC))
        except services.SignInRefused as refusal:
            form.code.errors.append(refusal.message)
            status = refusal.status
        else:
            next_url = switched_on()
            return _no_store(
                render_template("two_step/recovery_codes.html", codes=codes, next_url=next_url)
            )
    return render_template(
        "two_step/new_key.html",
        form=form,
        confirm_url=confirm_url,
        start_again_url=start_again_url,
    ), status


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
@_throttled
@public
@_half_signed_in(mfa.Step.CODE)
def code(person: Person) -> ResponseReturnValue:
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            mfa.check_code(person, form.code.data, datetime.now(UTC))
        except services.SignInRefused as refusal:
            services.note_refused_sign_in(refusal, login=person.email or person.username or "")
            db.session.commit()
            form.code.errors.append(refusal.message)
            status = refusal.status
        else:
            return redirect(signing_in.finish_sign_in(person))
    elif form.is_submitted():
        status = 422
    return render_template("two_step/code.html", form=form), status


@blueprint.route("/sign-in/two-step/set-up", methods=["GET", "POST"])
@_throttled
@public
@_half_signed_in(mfa.Step.SET_UP)
def set_up_at_sign_in(person: Person) -> ResponseReturnValue:
    if request.method == "POST":  # CSRFProtect has checked the token
        return _new_key(person, url_for("two_step.confirm_at_sign_in"))
    return render_template("two_step/required.html")


@blueprint.post("/sign-in/two-step/confirm")
@_throttled
@public
@_half_signed_in(mfa.Step.SET_UP)
def confirm_at_sign_in(person: Person) -> ResponseReturnValue:
    return _confirm(
        person,
        url_for("two_step.confirm_at_sign_in"),
        url_for("two_step.set_up_at_sign_in"),
        lambda: signing_in.finish_sign_in(person),
    )


@blueprint.get("/account/two-step")
@requires(can_use_local_mfa)
def settings() -> ResponseReturnValue:
    return _settings_page(CodeForm())


def _settings_page(form: CodeForm, status: int = 200) -> ResponseReturnValue:
    """On or off, the recovery codes left, and the form to set it up or turn it off."""
    on = mfa.is_on(current_user)
    return render_template(
        "two_step/settings.html",
        on=on,
        required=mfa.is_required(),
        codes_left=mfa.recovery_codes_left(current_user) if on else 0,
        form=form,
    ), status


@blueprint.post("/account/two-step/set-up")
@requires(can_use_local_mfa)
def set_up() -> ResponseReturnValue:
    if mfa.is_on(current_user):
        flash("Two-step sign-in is already on.", "info")
        return redirect(url_for("two_step.settings"))
    return _new_key(current_user, url_for("two_step.confirm"))


def _committed_back_to_settings() -> str:
    db.session.commit()
    return url_for("two_step.settings")


@blueprint.post("/account/two-step/confirm")
@_throttled
@requires(can_use_local_mfa)
def confirm() -> ResponseReturnValue:
    return _confirm(
        current_user,
        url_for("two_step.confirm"),
        url_for("two_step.settings"),
        _committed_back_to_settings,
    )


@blueprint.post("/account/two-step/turn-off")
@_throttled
@requires(can_use_local_mfa)
def turn_off() -> ResponseReturnValue:
    form = CodeForm()
    status = 422
    if form.validate_on_submit():
        try:
            mfa.turn_off(current_user, form.code.data, datetime.now(UTC))
        except services.SignInRefused as refusal:
            form.code.errors.append(refusal.message)
            status = refusal.status
        else:
            db.session.commit()
            flash("Two-step sign-in is off. Your recovery codes no longer work.", "success")
            return redirect(url_for("two_step.settings"))
    return _settings_page(form, status)
