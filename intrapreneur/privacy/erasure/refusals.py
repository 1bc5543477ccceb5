"""When a person may not be erased yet, and what to do first.

Ventures and sets are named by number, not title: the administrator who erases may not
see a private venture or a set they are not in, and the number is enough to ask its team
or HR.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.privacy import queries


class ErasureRefused(Exception):
    """Erasure may not go ahead: ``reasons`` says why, and what to do first."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def _numbers(ids: list[int]) -> str:
    return ", ".join(f"#{number}" for number in ids)


def _signs_in_from_outside(person: Person) -> bool:
    """An account the directory or a single sign-on provider stands behind: erased while it
    is still on there, the next sync or sign-in would bring the person back."""
    return any((person.directory_id, person.directory_dn, person.oidc_subject, person.saml_name_id))


def refusals(person: Person, today: date) -> list[str]:
    """Why ``person`` may not be erased today, each with what to do first; empty when
    erasure may go ahead. A guest may be erased whenever: their access ends with it."""
    return refusals_of([person], today)[person.id]


def refusals_of(people: Sequence[Person], today: date) -> dict[int, list[str]]:
    """``refusals`` for many people, in a fixed number of statements (their roles loaded)."""
    ids = [person.id for person in people]
    owned_alone = queries.ventures_owned_alone(ids, today)
    facilitated = queries.open_sets_facilitated(ids)
    holders = {role: queries.acting_holders(role, today) for role in (Role.HR, Role.ADMIN)}
    return {
        person.id: _reasons(
            person,
            today,
            owned_alone.get(person.id, []),
            facilitated.get(person.id, []),
            {role: bool(holding - {person.id}) for role, holding in holders.items()},
        )
        for person in people
    }


def _reasons(
    person: Person,
    today: date,
    ventures: list[int],
    sets: list[int],
    someone_else_holds: dict[Role, bool],
) -> list[str]:
    if person.erased_at is not None:
        return [_("This person is already erased: there is nothing left to erase.")]
    reasons = []
    if person.kind is PersonKind.EMPLOYEE and person.active and _signs_in_from_outside(person):
        reasons.append(
            _(
                "Their account is still active: the directory sync has not seen them leave. "
                "Switch the account off in the directory (or the sign-in provider) and wait "
                "for the next sync first; erasing an account that is still on would bring "
                "the person back at their next sign-in or sync."
            )
        )
    if ventures:
        reasons.append(
            ngettext(
                "They are the only owner of venture %(ventures)s, which is not archived: "
                "its team makes someone else an owner, or archives it, first.",
                "They are the only owner of ventures %(ventures)s, which are not archived: "
                "their teams make someone else an owner, or archive them, first.",
                len(ventures),
                ventures=_numbers(ventures),
            )
        )
    if sets:
        reasons.append(
            ngettext(
                "They facilitate learning set %(sets)s, which is not closed: HR names another "
                "facilitator for it first.",
                "They facilitate learning sets %(sets)s, which are not closed: HR names "
                "another facilitator for each first.",
                len(sets),
                sets=_numbers(sets),
            )
        )
    if person.may_act(today):
        if person.has_role(Role.HR) and not someone_else_holds[Role.HR]:
            reasons.append(
                _(
                    "They are the only active person with the HR role: grant it to someone "
                    "else first."
                )
            )
        if person.has_role(Role.ADMIN) and not someone_else_holds[Role.ADMIN]:
            reasons.append(
                _(
                    "They are the only active administrator: make someone else an "
                    "administrator first."
                )
            )
    return reasons
