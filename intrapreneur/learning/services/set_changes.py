"""A cohort's sets over time: a facilitator assigned or replaced, a member moved to another
set of the cohort or taken out, a set closed.

Each change is made on the copy of the set the person saw (``touch_set``: the second of two
is told to reload) and checked by the composer's hard rules on the sets as they stand
(``set_rules``). A stay in a set ends on a day and a new one starts; nothing is deleted but
the marks saved ahead for sessions the person no longer attends.

Registers follow memberships: a session's register is the set's members on its day
(``record_attendance``), so a stay ended today takes the person off the registers of the
set's sessions from today and a stay begun today puts them on the other set's. What was
recorded for sessions already held stays as it was. Calendars follow by email: whoever stops
taking part in an upcoming session gets its cancellation, whoever starts gets its invitation,
and the session's SEQUENCE grows so that every calendar replaces its copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from intrapreneur.core import services as audit
from intrapreneur.core.dates import day_text
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import emails, queries
from intrapreneur.learning.models import Attendance, LearningSession, LearningSet, SetMembership
from intrapreneur.learning.services import set_rules
from intrapreneur.learning.services.refusals import (
    LearningRefusal,
    NeedsConfirmation,
    ensure_set_open,
    touch_set,
)
from intrapreneur.learning.services.scheduling import bump_sequence, cancel_session
from intrapreneur.learning.services.sets import MIN_SET_SIZE


@dataclass(frozen=True)
class Leaving:
    """What taking a member out of their set changes: for the page that asks to confirm."""

    membership: SetMembership
    members_after: int
    # The set's sessions yet to start: the person leaves their registers and calendars.
    sessions: list[LearningSession]

    @property
    def below_minimum(self) -> bool:
        return self.members_after < MIN_SET_SIZE


def leaving(membership: SetMembership, *, now: datetime, today: date) -> Leaving:
    return Leaving(
        membership=membership,
        members_after=len(queries.current_members(membership.set_id, today)) - 1,
        sessions=queries.upcoming_sessions(membership.set_id, now),
    )


def change_facilitator(
    learning_set: LearningSet,
    person: Person,
    *,
    version: int,
    by: Person,
    now: datetime,
    today: date,
) -> None:
    """Give the set to ``person`` to facilitate, in place of whoever did (if anyone)."""
    touch_set(learning_set, version, now)
    if person.id == learning_set.facilitator_id:
        raise LearningRefusal(
            _(
                "%(name)s already facilitates %(set)s.",
                name=person.display_name,
                set=learning_set.name,
            )
        )
    upcoming = queries.upcoming_sessions(learning_set.id, now)
    _ensure_can_facilitate(person, upcoming, today)
    problems = set_rules.facilitator_problems(learning_set, person, today)
    if problems:
        raise LearningRefusal(" ".join(problems))
    before = learning_set.facilitator
    learning_set.facilitator = person
    for session in upcoming:
        bump_sequence(session, now)
    name = learning_set.name
    if before is not None:
        emails.announce_to(
            upcoming,
            before,
            EmailKind.SESSION_CANCELLATION,
            _l(
                "You no longer facilitate %(set)s: this session is taken off your calendar.",
                set=name,
            ),
            now,
        )
    emails.announce_to(
        upcoming,
        person,
        EmailKind.SESSION_INVITATION,
        _l("You now facilitate %(set)s: this session is added to your calendar.", set=name),
        now,
    )
    emails.tell_facilitators(learning_set, before=before, after=person, now=now)
    audit.record(
        "set.facilitator_changed",
        actor=by,
        obj=learning_set,
        before_id=before.id if before else None,
        after_id=person.id,
    )


def _ensure_can_facilitate(person: Person, upcoming: list[LearningSession], today: date) -> None:
    """A facilitator must be able to sign in for every session already scheduled."""
    if not person.may_act(today):
        raise LearningRefusal(
            _(
                "%(name)s can no longer sign in, so they cannot facilitate a set.",
                name=person.display_name,
            )
        )
    last = upcoming[-1].starts_at.date() if upcoming else today
    if person.access_ends_on is not None and person.access_ends_on < last:
        raise LearningRefusal(
            _(
                "%(name)s's access ends on %(ends)s, before the set's last scheduled session on "
                "%(last)s. Extend their access first, or choose someone else.",
                name=person.display_name,
                ends=day_text(person.access_ends_on, "long"),
                last=day_text(last, "long"),
            )
        )


def move_member(
    membership: SetMembership,
    target: LearningSet,
    *,
    version: int,
    confirmed: bool,
    by: Person,
    now: datetime,
    today: date,
) -> SetMembership:
    """End the member's stay in their set and start one in ``target``, another open set of
    the same cohort; returns the new stay."""
    source, person = membership.learning_set, membership.person
    touch_set(source, version, now)
    _ensure_current(membership, today)
    if target.cohort_id != source.cohort_id or target.id == source.id:
        raise LearningRefusal(
            _(
                "%(name)s can only move to another set of %(cohort)s.",
                name=person.display_name,
                cohort=source.cohort.name,
            )
        )
    ensure_set_open(target)
    refusal = set_rules.move_refusal(membership, target, today)
    if refusal:
        raise LearningRefusal(refusal)
    _confirm_leaving(membership, confirmed, now=now, today=today)
    _end_stay(
        membership,
        _l(
            "You have moved from %(source)s to %(target)s: this session of %(source)s is taken "
            "off your calendar.",
            source=source.name,
            target=target.name,
        ),
        now=now,
        today=today,
    )
    touch_set(target, None, now)
    stay = SetMembership(learning_set=target, person=person, joined_on=today)
    db.session.add(stay)
    upcoming = queries.upcoming_sessions(target.id, now)
    _tell(
        upcoming,
        person,
        EmailKind.SESSION_INVITATION,
        _l("You have moved to %(set)s: this session is added to your calendar.", set=target.name),
        now,
    )
    audit.record("set.member_moved", actor=by, obj=source, person_id=person.id, to_set_id=target.id)
    return stay


def remove_member(
    membership: SetMembership,
    *,
    version: int,
    confirmed: bool,
    by: Person,
    now: datetime,
    today: date,
) -> None:
    """End the stay; the history (who was in which set when) is kept."""
    touch_set(membership.learning_set, version, now)
    _ensure_current(membership, today)
    _confirm_leaving(membership, confirmed, now=now, today=today)
    _take_out(membership, by=by, now=now, today=today)


def leave_with_the_cohort(
    membership: SetMembership, *, by: Person, now: datetime, today: date
) -> None:
    """The person left the cohort (withdrew or was removed): their stay in its set ends too,
    without asking about the set's size — the cohort's decision stands. A closed set keeps
    its members as they were, for the record."""
    if membership.learning_set.closed_at is not None:
        return
    touch_set(membership.learning_set, None, now)
    _take_out(membership, by=by, now=now, today=today)


def _take_out(membership: SetMembership, *, by: Person, now: datetime, today: date) -> None:
    learning_set = membership.learning_set
    _end_stay(
        membership,
        _l(
            "You are no longer in %(set)s: this session is taken off your calendar.",
            set=learning_set.name,
        ),
        now=now,
        today=today,
    )
    audit.record("set.member_removed", actor=by, obj=learning_set, person_id=membership.person_id)


def close_set(
    learning_set: LearningSet, *, version: int, by: Person, now: datetime
) -> list[LearningSession]:
    """Cancel the set's sessions yet to start (calendars remove them) and keep the set,
    members and all, for the record; returns the sessions cancelled."""
    touch_set(learning_set, version, now)
    upcoming = queries.upcoming_sessions(learning_set.id, now)
    for session in upcoming:
        cancel_session(session, now=now, by=by)
    learning_set.closed_at = now
    audit.record(
        "set.closed", actor=by, obj=learning_set, cancelled=[session.id for session in upcoming]
    )
    return upcoming


def _ensure_current(membership: SetMembership, today: date) -> None:
    if membership.left_on is not None and membership.left_on <= today:
        raise LearningRefusal(
            _(
                "%(name)s has already left %(set)s.",
                name=membership.person.display_name,
                set=membership.learning_set.name,
            )
        )


def _confirm_leaving(
    membership: SetMembership, confirmed: bool, *, now: datetime, today: date
) -> None:
    effects = leaving(membership, now=now, today=today)
    if effects.below_minimum and not confirmed:
        raise NeedsConfirmation(
            [
                _(
                    "This leaves %(set)s with %(count)s members, fewer than the "
                    "%(minimum)s a set needs. Check what it changes, then confirm to go ahead.",
                    set=membership.learning_set.name,
                    count=effects.members_after,
                    minimum=MIN_SET_SIZE,
                )
            ]
        )


def _end_stay(
    membership: SetMembership, headline: LazyString, *, now: datetime, today: date
) -> None:
    """The stay ends today: off the registers of the set's sessions from today, marks saved
    ahead for those sessions deleted, and their calendar copies cancelled."""
    membership.left_on = today
    upcoming = queries.upcoming_sessions(membership.set_id, now)
    if upcoming:
        db.session.execute(
            delete(Attendance).where(
                Attendance.person_id == membership.person_id,
                Attendance.session_id.in_([session.id for session in upcoming]),
            )
        )
    _tell(upcoming, membership.person, EmailKind.SESSION_CANCELLATION, headline, now)


def _tell(
    sessions: list[LearningSession],
    person: Person,
    kind: EmailKind,
    headline: LazyString,
    now: datetime,
) -> None:
    for session in sessions:
        bump_sequence(session, now)
    emails.announce_to(sessions, person, kind, headline, now)
