"""Second step for local accounts (guests, the break-glass admin): an authenticator app's
time-based codes (TOTP, RFC 6238) and single-use recovery codes. Directory sign-ins are
never asked: the organisation's directory or identity provider does its own MFA.

Services flush; the request commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from intrapreneur.core import services as audit
from intrapreneur.core.security import signing_keys
from intrapreneur.extensions import db
from intrapreneur.identity.models import LocalMfa, Person, RecoveryCode
from intrapreneur.identity.services import SignInRefused, digest, use_link_once

# How the person was checked before the code: only these are local accounts' sign-ins.
LOCAL_METHODS = frozenset({"password", "invitation", "password_reset"})
RECOVERY_CODE_COUNT = 10
# At this many unused recovery codes or fewer, the settings page urges making new ones.
FEW_RECOVERY_CODES = 2
# Authenticator apps and server clocks disagree a little: one step (30 s) either way.
DRIFT_STEPS = 1
ISSUER = "Intrapreneur"

WRONG_CODE = _l(
    "That code is not right, or it was already used. Enter the current code from your "
    "authenticator app, or one of your recovery codes."
)
NO_SET_UP = _l("This set-up has ended or was replaced. Start again to get a new key.")


class Step:
    """What a local account must do after its password before it is signed in."""

    CODE = "code"
    SET_UP = "set_up"


def is_required() -> bool:
    return bool(current_app.config["LOCAL_MFA_REQUIRED"])


def _set_up_of(person: Person) -> LocalMfa | None:
    return db.session.get(LocalMfa, person.id)


def is_on(person: Person) -> bool:
    mfa = _set_up_of(person)
    return mfa is not None and mfa.enabled_at is not None


def step_after_password(person: Person, method: str) -> str | None:
    """``Step.CODE``, ``Step.SET_UP`` (required, not yet set up) or None (signed in now)."""
    if method not in LOCAL_METHODS:
        return None
    if is_on(person):
        return Step.CODE
    return Step.SET_UP if is_required() else None


def _cipher() -> MultiFernet:
    """Encrypts with the secret key; decrypts with it or any fallback key, so rotating the
    secret key keeps every authenticator working."""
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"local-mfa:{key}".encode()).digest()))
            for key in reversed(signing_keys())
        ]
    )


def _secret_of(mfa: LocalMfa) -> str | None:
    try:
        return _cipher().decrypt(mfa.secret_encrypted.encode()).decode()
    except InvalidToken:
        # Encrypted under a key no longer configured: as good as no authenticator.
        return None


def begin_set_up(person: Person) -> str:
    """A new secret for the person's authenticator, replacing any unconfirmed one; returned
    this once to be shown, and stored encrypted."""
    mfa = _set_up_of(person)
    if mfa is not None and mfa.enabled_at is not None:
        raise SignInRefused(
            reason="mfa_already_on", message=_("Two-step sign-in is already on."), status=409
        )
    secret = pyotp.random_base32()
    encrypted = _cipher().encrypt(secret.encode()).decode()
    if mfa is None:
        db.session.add(LocalMfa(person_id=person.id, secret_encrypted=encrypted))
    else:
        mfa.secret_encrypted, mfa.last_used_step = encrypted, None
    db.session.flush()
    return secret


def qr_code_svg(person: Person, secret: str) -> str:
    """The ``otpauth://`` address as a QR code, an SVG data URI drawn here (no outside call)."""
    address = pyotp.TOTP(secret).provisioning_uri(
        name=person.email or person.username or str(person.id), issuer_name=ISSUER
    )
    return segno.make(address, error="m").svg_data_uri(scale=5, border=2)


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _accept_totp(mfa: LocalMfa, code: str, now: datetime) -> bool:
    """True once per time step: the step is claimed in one conditional UPDATE, so a code
    replayed (even by a racing request) within its window is refused."""
    secret = _secret_of(mfa)
    if secret is None or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            claimed = db.session.execute(
                update(LocalMfa)
                .where(
                    LocalMfa.person_id == mfa.person_id,
                    or_(LocalMfa.last_used_step.is_(None), LocalMfa.last_used_step < step),
                )
                .values(last_used_step=step)
                .execution_options(synchronize_session="fetch")
            )
            return bool(claimed.rowcount == 1)
    return False


def _accept_recovery_code(person: Person, code: str, now: datetime) -> bool:
    row_id = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.person_id == person.id,
            RecoveryCode.code_hash == digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row_id is None or not use_link_once(row_id, RecoveryCode.used_at, now):
        return False
    audit.record(
        "mfa.recovery_code_used", actor=person, obj=person, left=recovery_codes_left(person)
    )
    return True


def check_code(person: Person, code: str, now: datetime) -> None:
    """Accept a current authenticator code or an unused recovery code, each once;
    SignInRefused otherwise."""
    mfa = _set_up_of(person)
    code = _normalised(code)
    if mfa is None or mfa.enabled_at is None:
        raise SignInRefused(reason="mfa_off", message=WRONG_CODE)
    if not (_accept_totp(mfa, code, now) or _accept_recovery_code(person, code, now)):
        raise SignInRefused(reason="wrong_code", message=WRONG_CODE)


def confirm_set_up(person: Person, code: str, now: datetime) -> list[str]:
    """Switch the authenticator on with its first code; the new recovery codes, returned
    this once (any earlier ones stop working)."""
    mfa = _set_up_of(person)
    if mfa is None or mfa.enabled_at is not None:
        raise SignInRefused(reason="no_mfa_set_up", message=NO_SET_UP, status=409)
    if not _accept_totp(mfa, _normalised(code), now):
        raise SignInRefused(reason="wrong_code", message=WRONG_CODE)
    mfa.enabled_at = now
    codes = _new_recovery_codes(person)
    audit.record("mfa.set_up", actor=person, obj=person)
    return codes


def _new_recovery_codes(person: Person) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(person_id=person.id, code_hash=digest(code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def regenerate_recovery_codes(person: Person, code: str, now: datetime) -> list[str]:
    """New recovery codes, returned this once, for a code that would sign the person in (a
    session left open is not enough); every earlier recovery code stops working."""
    check_code(person, code, now)
    codes = _new_recovery_codes(person)
    audit.record("mfa.recovery_codes_regenerated", actor=person, obj=person)
    return codes


def remove(person: Person) -> None:
    """The authenticator and recovery codes gone: the person is back to no second step."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    db.session.execute(delete(LocalMfa).where(LocalMfa.person_id == person.id))


def recovery_codes_left(person: Person) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.person_id == person.id, RecoveryCode.used_at.is_(None))
    )


def turn_off(person: Person, code: str, now: datetime) -> None:
    """Only with a code that would sign the person in: a session left open is not enough."""
    if is_required():
        raise SignInRefused(
            reason="mfa_required",
            message=_(
                "Your organisation requires two-step sign-in for local accounts: it cannot be "
                "turned off."
            ),
            status=409,
        )
    check_code(person, code, now)
    remove(person)
    audit.record("mfa.turned_off", actor=person, obj=person)
