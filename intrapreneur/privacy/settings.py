"""Retention periods per kind of data and what erasure does to each kind of text a person
wrote: their definitions, defaults and limits, and the values in force.

Defaults are chosen for an organisation in the EU or the UK that has not yet decided
otherwise: long enough for the programme's own figures and for security reviews, short
enough that nothing is kept "just in case". An administrator changes them on the data
protection page; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy.models import PrivacySetting


class Unit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


@dataclass(frozen=True)
class RetentionRule:
    """Data of one kind is removed ``default`` units after the moment ``starts`` names."""

    name: str
    label: object  # a lazy string: the kind of data, for the settings page
    starts: object  # a lazy string: from when the period counts
    unit: Unit
    default: int
    minimum: int
    maximum: int


RETENTION_RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        "deactivated_people",
        _l("People whose account is switched off (erased, as on request)"),
        _l("after the account was switched off or the guest access ended"),
        Unit.MONTHS,
        24,
        1,
        120,
    ),
    RetentionRule(
        "sent_emails",
        _l("Emails sent or given up (address and subject)"),
        _l("after sending or giving up"),
        Unit.DAYS,
        30,
        1,
        3650,
    ),
    RetentionRule(
        "export_files",
        _l("Export files made for download"),
        _l("after they were made"),
        Unit.DAYS,
        7,
        1,
        90,
    ),
    RetentionRule(
        "job_rows",
        _l("Background jobs' records (what ran, its outcome)"),
        _l("after the job finished"),
        Unit.DAYS,
        90,
        7,
        3650,
    ),
    RetentionRule(
        "notifications",
        _l("In-app notifications"),
        _l("after they were written"),
        Unit.DAYS,
        365,
        7,
        3650,
    ),
    RetentionRule(
        "tokens",
        _l("Invitations, password reset links and sign-in handshakes"),
        _l("after they were used, withdrawn or expired"),
        Unit.DAYS,
        30,
        1,
        3650,
    ),
    RetentionRule(
        "audit_events",
        _l("Audit log events"),
        _l("after the event"),
        Unit.YEARS,
        6,
        1,
        20,
    ),
    RetentionRule(
        "survey_comments",
        _l("Survey comments (free text of pseudonymous answers)"),
        _l("after the wave closed"),
        Unit.YEARS,
        3,
        1,
        20,
    ),
)


class TextMode(StrEnum):
    """What erasure does to one kind of text the erased person wrote. Whatever the mode,
    their name, email and username are replaced by their tombstone in every text of
    every table (``erasure``)."""

    KEEP = "keep"  # as written: the organisation's record needs it
    REDACT = "redact"  # kept, with contact details (emails, phone numbers, links) blanked
    REMOVE = "remove"  # emptied; the record itself stays, so counts do not change


TEXT_MODE_LABELS = {
    TextMode.KEEP: _l("keep as written"),
    TextMode.REDACT: _l("keep, with email addresses, phone numbers and links removed"),
    TextMode.REMOVE: _l("remove the text (the record stays, so figures do not change)"),
}


@dataclass(frozen=True)
class TextKind:
    name: str
    label: object  # a lazy string
    default: TextMode


TEXT_KINDS: tuple[TextKind, ...] = (
    TextKind("hot_seats", _l("Challenges they brought to a hot seat"), TextMode.REDACT),
    TextKind("questions", _l("Questions they asked"), TextMode.KEEP),
    TextKind("commitments", _l("Commitments they made and what they learned"), TextMode.REDACT),
    TextKind("session_feedback", _l("Their feedback on sessions"), TextMode.REMOVE),
    TextKind("experiments", _l("Experiments and learning cards they own"), TextMode.KEEP),
    TextKind("reviews", _l("Review comments they gave"), TextMode.KEEP),
    TextKind(
        "hack_requests",
        _l("Hack requests they sent or answered, with their messages"),
        TextMode.REDACT,
    ),
)

RETENTION_BY_NAME = {rule.name: rule for rule in RETENTION_RULES}
TEXT_KIND_BY_NAME = {kind.name: kind for kind in TEXT_KINDS}


class SettingRefused(ValueError):
    """A value outside a setting's definition; the message says what is allowed."""


@dataclass(frozen=True)
class Settings:
    """The values in force: retention periods by rule name, text modes by kind name."""

    retention: dict[str, int]
    text_modes: dict[str, TextMode]

    def period(self, name: str) -> int:
        return self.retention[name]

    def text_mode(self, kind: str) -> TextMode:
        return self.text_modes[kind]


def current() -> Settings:
    """The settings in force: an administrator's choice where made, else the default. A
    stored value outside today's limits (a limit tightened since) counts as the nearest
    allowed one, so the retention job never acts on a value the page would refuse."""
    stored = dict(db.session.execute(select(PrivacySetting.name, PrivacySetting.value)).all())
    retention = {}
    for rule in RETENTION_RULES:
        value = stored.get(rule.name)
        number = int(value) if value is not None and value.isdigit() else rule.default
        retention[rule.name] = min(max(number, rule.minimum), rule.maximum)
    modes = {
        kind.name: TextMode(stored[kind.name])
        if stored.get(kind.name) in TextMode.__members__.values()
        else kind.default
        for kind in TEXT_KINDS
    }
    return Settings(retention, modes)


def _checked(name: str, value: str) -> str:
    if name in RETENTION_BY_NAME:
        rule = RETENTION_BY_NAME[name]
        if not value.isdigit() or not rule.minimum <= int(value) <= rule.maximum:
            raise SettingRefused(
                _l(
                    "%(kind)s: give a whole number from %(minimum)s to %(maximum)s.",
                    kind=rule.label,
                    minimum=rule.minimum,
                    maximum=rule.maximum,
                )
            )
        return str(int(value))
    if name in TEXT_KIND_BY_NAME:
        if value not in TextMode.__members__.values():
            raise SettingRefused(_l("%(kind)s: choose one of the offered options.", kind=name))
        return value
    raise SettingRefused(_l("There is no setting called %(name)s.", name=name))


def change(values: dict[str, str], *, by: Person, now: datetime) -> list[str]:
    """Store the settings given (all checked before any is written) and audit what changed;
    returns the names of the settings whose value changed."""
    checked = {name: _checked(name, value) for name, value in values.items()}
    before = current()
    old = {**{k: str(v) for k, v in before.retention.items()}, **before.text_modes}
    changed = [name for name, value in checked.items() if str(old[name]) != value]
    for name in changed:
        row = db.session.get(PrivacySetting, name) or PrivacySetting(name=name)
        row.value, row.updated_by_id, row.updated_at = checked[name], by.id, now
        db.session.add(row)
    if changed:
        audit.record(
            "privacy.settings_changed",
            actor=by,
            changes={name: [str(old[name]), checked[name]] for name in changed},
        )
    return changed
