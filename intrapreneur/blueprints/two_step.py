"""Two-step sign-in for local accounts: the code asked for after the password, setting up
an authenticator app (from the account page, or at sign-in when the organisation requires
it), new recovery codes, turning it off, and an administrator's reset of someone else's.

The pages under /sign-in/ are public in the route table's sense but serve only the person
half signed in for that step (``signing_in.pending_person``); anyone else is sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from intrapreneur.blueprints import signing_in
from intrapreneur.core.errors import render_error
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import public, requires
from intrapreneur.extensions import db, limiter
from intrapreneur.identity import mfa, services, two_step_reset
from intrapreneur.identity.forms import CodeForm
from intrapreneur.identity.models import Person
from intrapreneur.identity.permissions import can_reset_two_step, can_use_local_mfa

blueprint = Blueprint("two_step", __name__)
Outcome = TypeVar("Outcome")


def _now() -> datetime:
    return datetime.now(UTC)


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


def _with_code(form: CodeForm, act: Callable[[str], Outcome]) -> tuple[Outcome | None, int]:
    """``act`` on the form's code: (its outcome, 200), or (None, the status) with the
    refusal next to the code field (422 for a form that did not validate)."""
    if not form.validate_on_submit():
        return None, 422
    try:
        return act(form.code.data), 200
    except services.SignInRefused as refusal:
        form.code.errors.append(refusal.message)
        return None, refusal.status


def _recovery_codes_shown(codes: list[str], next_url: str, *, renewed: bool) -> ResponseReturnValue:
    return _no_store(
        render_template(
            "two_step/recovery_codes.html", codes=codes, next_url=next_url, renewed=renewed
        )
    )


def _confirm(
    person: Person, confirm_url: str, start_again_url: str, switched_on: Callable[[], str]
) -> ResponseReturnValue:
    """The first code switches the authenticator on and the recovery codes are shown once;
    ``switched_on`` commits and says where to go next. A wrong code keeps the key hidden."""
    form = CodeForm()
    codes, status = _with_code(form, lambda code: mfa.confirm_set_up(person, code, _now()))
    if codes is not None:
        return _recovery_codes_shown(codes, switched_on(), renewed=False)
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
            mfa.check_code(person, form.code.data, _now())
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


def _new_codes_form() -> CodeForm:
    # Its own prefix: the settings page holds it beside the turn-off form's code field.
    return CodeForm(prefix="new_codes")


@blueprint.get("/account/two-step")
@requires(can_use_local_mfa)
def settings() -> ResponseReturnValue:
    return _settings_page()


def _settings_page(
    form: CodeForm | None = None, new_codes_form: CodeForm | None = None, status: int = 200
) -> ResponseReturnValue:
    """On or off, the recovery codes left, and the forms to set it up, make new recovery
    codes or turn it off (the one just sent keeps its errors)."""
    on = mfa.is_on(current_user)
    return render_template(
        "two_step/settings.html",
        on=on,
        required=mfa.is_required(),
        codes_left=mfa.recovery_codes_left(current_user) if on else 0,
        few_codes=mfa.FEW_RECOVERY_CODES,
        form=form or CodeForm(),
        new_codes_form=new_codes_form or _new_codes_form(),
    ), status


@blueprint.post("/account/two-step/set-up")
@requires(can_use_local_mfa)
def set_up() -> ResponseReturnValue:
    if mfa.is_on(current_user):
        flash(_("Two-step sign-in is already on."), "info")
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
    _done, status = _with_code(form, lambda code: mfa.turn_off(current_user, code, _now()))
    if status != 200:
        return _settings_page(form, status=status)
    db.session.commit()
    flash(_("Two-step sign-in is off. Your recovery codes no longer work."), "success")
    return redirect(url_for("two_step.settings"))


@blueprint.post("/account/two-step/recovery-codes")
@_throttled
@requires(can_use_local_mfa)
def new_recovery_codes() -> ResponseReturnValue:
    form = _new_codes_form()
    codes, status = _with_code(
        form, lambda code: mfa.regenerate_recovery_codes(current_user, code, _now())
    )
    if codes is None:
        return _settings_page(new_codes_form=form, status=status)
    db.session.commit()
    return _recovery_codes_shown(codes, url_for("two_step.settings"), renewed=True)


# -- an administrator's reset of someone else's ------------------------------------------------


@blueprint.get("/admin/two-step")
@requires(can_reset_two_step)
def accounts() -> ResponseReturnValue:
    return render_template(
        "two_step/accounts.html",
        page=paginate(two_step_reset.accounts_with_two_step()),
        few_codes=mfa.FEW_RECOVERY_CODES,
    )


@blueprint.route("/admin/two-step/<int:person_id>/reset", methods=["GET", "POST"])
@requires(can_reset_two_step)
def reset(person_id: int) -> ResponseReturnValue:
    """A confirmation page, then the reset itself (POST with its CSRF token)."""
    person = db.session.get(Person, person_id)
    if person is not None and person.id == current_user.id:
        return render_error(
            403,
            _(
                "You cannot reset your own two-step sign-in here. If you lost your phone and "
                "your recovery codes, reset it on the server: %(command)s.",
                command="intrapreneur users reset-two-step",
            ),
        )
    if person is None or not two_step_reset.resettable(person, current_user):
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        two_step_reset.reset(person, by=current_user, now=_now())
        db.session.commit()
        flash(
            _(
                "%(name)s's two-step sign-in is reset, and they are told by email.",
                name=person.display_name,
            ),
            "success",
        )
        return redirect(url_for("two_step.accounts"))
    return render_template("two_step/reset.html", person=person, form=form)
