"""Writes: asking for a Hack, accepting it (it becomes a Hack session) or declining it. Each
refusal says why; services flush, the request commits."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _

from intrapreneur.core import mail
from intrapreneur.core import services as audit
from intrapreneur.core.dates import moment_text
from intrapreneur.core.timezones import local
from intrapreneur.experiments.models import Experiment
from intrapreneur.experiments.permissions import can_view_venture, can_work_on
from intrapreneur.extensions import db
from intrapreneur.identity.expertise import queries as expertise
from intrapreneur.identity.models import Person
from intrapreneur.learning.agenda_templates import default_agenda
from intrapreneur.learning.calendar import session_calendar
from intrapreneur.learning.formats import agenda_minutes
from intrapreneur.learning.hacks.events import hack_event
from intrapreneur.learning.hacks.models import HackProposedTime, HackRequest, HackStatus
from intrapreneur.learning.hacks.notices import tell
from intrapreneur.learning.models import HotSeat, LearningSession, SessionFormat
from intrapreneur.learning.permissions import can_view_set

MAX_PROPOSED = 3
MESSAGE_LENGTH = 2000
REASON_LENGTH = 1000


class HackRefusal(Exception):
    """A refusal with its reason, for the person in front of the screen."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class Challenge:
    """What a Hack is about: one of the requester's hot-seat challenges or cards."""

    hot_seat: HotSeat | None = None
    experiment: Experiment | None = None

    @property
    def title(self) -> str:
        if self.hot_seat is not None:
            return self.hot_seat.challenge_title
        assert self.experiment is not None
        return self.experiment.title


def _page(hack: HackRequest) -> str:
    """The Hack's page, as a path in the app (notices link to it; emails make it absolute)."""
    return f"/hacks/{hack.id}"


def hack_agenda() -> list[dict[str, object]]:
    """The Hack format's agenda as HR shaped it (or as shipped), for two people."""
    return default_agenda(SessionFormat.HACK, 2)


def hack_length() -> timedelta:
    return timedelta(minutes=agenda_minutes(hack_agenda()))


def check_challenge(requester: Person, challenge: Challenge, today: date) -> None:
    """The requester's own hot-seat challenge in a set they are in, or a card of a venture
    whose team they are on: nobody shares what they may not see, or someone else's turn."""
    if challenge.hot_seat is not None:
        session = db.session.get(LearningSession, challenge.hot_seat.session_id)
        assert session is not None
        if not can_view_set(requester, session.learning_set, today):
            raise HackRefusal(_("You may not see this challenge, so you cannot ask about it."))
        if challenge.hot_seat.person_id != requester.id:
            raise HackRefusal(_("Only the member whose challenge it is may ask for a Hack on it."))
        return
    experiment = challenge.experiment
    if experiment is None:
        raise HackRefusal(_("Choose the challenge or card the Hack is about."))
    if not can_view_venture(requester, experiment.venture, today):
        raise HackRefusal(_("You may not see this card, so you cannot ask about it."))
    if not can_work_on(requester, experiment.venture):
        raise HackRefusal(_("Only the venture's team may ask for a Hack on its cards."))


def check_entrepreneur(entrepreneur: Person, requester: Person, today: date) -> None:
    if entrepreneur.id == requester.id:
        raise HackRefusal(_("You cannot ask yourself for a Hack."))
    if entrepreneur.access_has_ended(today) or not entrepreneur.active:
        raise HackRefusal(
            _(
                "%(name)s's access to Intrapreneur has ended: they can no longer take a Hack.",
                name=entrepreneur.display_name,
            )
        )
    if not expertise.is_entrepreneur(entrepreneur, today):
        raise HackRefusal(
            _("%(name)s does not take Hack requests.", name=entrepreneur.display_name)
        )


def unavailable_reason(entrepreneur: Person, starts_at: datetime, now: datetime) -> str | None:
    """Why the entrepreneur cannot take a Hack starting then, or None: in the past, after
    their access ends, or outside every weekly window (read in their own zone)."""
    ends_at = starts_at + hack_length()
    shown = moment_text(starts_at)
    if starts_at <= now:
        return _("%(moment)s has passed: propose a time to come.", moment=shown)
    there_start = local(starts_at, entrepreneur.time_zone)
    there_end = local(ends_at, entrepreneur.time_zone)
    if entrepreneur.access_ends_on is not None and there_end.date() > entrepreneur.access_ends_on:
        return _(
            "%(name)s's access ends before %(moment)s: they are not available then.",
            name=entrepreneur.display_name,
            moment=shown,
        )
    start = there_start.hour * 60 + there_start.minute
    end = start + int((ends_at - starts_at).total_seconds() // 60)
    windows = expertise.windows_of([entrepreneur.id])[entrepreneur.id]
    if not any(
        window.weekday == there_start.weekday()
        and window.start_minute <= start
        and end <= window.end_minute
        for window in windows
    ):
        return _(
            "%(name)s is not available at %(moment)s: choose a time inside their availability.",
            name=entrepreneur.display_name,
            moment=shown,
        )
    return None


def request_hack(
    requester: Person,
    entrepreneur: Person,
    challenge: Challenge,
    *,
    starts: Sequence[datetime],
    message: str,
    tag_id: int | None,
    now: datetime,
) -> HackRequest:
    today = now.date()
    check_challenge(requester, challenge, today)
    check_entrepreneur(entrepreneur, requester, today)
    times = sorted(set(starts))
    if not times:
        raise HackRefusal(_("Propose at least one time."))
    if len(times) > MAX_PROPOSED:
        raise HackRefusal(_("Propose at most %(count)d times.", count=MAX_PROPOSED))
    for starts_at in times:
        reason = unavailable_reason(entrepreneur, starts_at, now)
        if reason:
            raise HackRefusal(reason)
    if tag_id is not None and tag_id not in {
        tag.id
        for tag in expertise.tags_of([entrepreneur.id])[entrepreneur.id]
        if not tag.retired_at
    }:
        raise HackRefusal(
            _("Choose one of %(name)s's fields of expertise.", name=entrepreneur.display_name)
        )
    length = hack_length()
    hack = HackRequest(
        requester_id=requester.id,
        entrepreneur_id=entrepreneur.id,
        hot_seat_id=challenge.hot_seat.id if challenge.hot_seat else None,
        experiment_id=challenge.experiment.id if challenge.experiment else None,
        expertise_tag_id=tag_id,
        topic=challenge.title[:200],
        message=(message or "").strip()[:MESSAGE_LENGTH],
        status=HackStatus.REQUESTED,
        created_at=now,
        proposed=[HackProposedTime(starts_at=moment, ends_at=moment + length) for moment in times],
    )
    db.session.add(hack)
    db.session.flush()
    audit.record("hack.requested", actor=requester, obj=hack, entrepreneur_id=entrepreneur.id)
    tell(
        entrepreneur,
        lambda: _(
            "%(name)s asks you for a Hack on “%(topic)s”.",
            name=requester.display_name,
            topic=hack.topic,
        ),
        _page(hack),
    )
    return hack


def _open(hack: HackRequest, by: Person, today: date) -> None:
    if hack.status is not HackStatus.REQUESTED:
        raise HackRefusal(_("This request has been answered already."))
    if by.id != hack.entrepreneur_id:
        raise HackRefusal(_("Only the entrepreneur asked may answer this request."))
    if not by.may_act(today):
        raise HackRefusal(_("Your access has ended: you can no longer take a Hack."))


def accept(hack: HackRequest, proposed_id: int, *, by: Person, now: datetime) -> None:
    """The chosen time becomes the Hack session; the requester gets its calendar file."""
    _open(hack, by, now.date())
    chosen = next((each for each in hack.proposed if each.id == proposed_id), None)
    if chosen is None:
        raise HackRefusal(_("Choose one of the times proposed."))
    if chosen.starts_at <= now:
        raise HackRefusal(_("That time has passed: choose another, or decline and say why."))
    hack.status = HackStatus.ACCEPTED
    hack.answered_at = now
    hack.starts_at = chosen.starts_at
    hack.ends_at = chosen.ends_at
    hack.agenda = hack_agenda()
    db.session.flush()
    audit.record("hack.accepted", actor=by, obj=hack)
    requester = hack.requester
    tell(
        requester,
        lambda: _(
            "%(name)s accepted your Hack on “%(topic)s”: %(moment)s.",
            name=by.display_name,
            topic=hack.topic,
            moment=moment_text(hack.starts_at),
        ),
        _page(hack),
        calendar=lambda: _invitation(hack, requester, now),
    )


def _invitation(hack: HackRequest, person: Person, now: datetime) -> bytes:
    page = mail.absolute_url("hacks.detail", hack_id=hack.id) or ""
    settings = current_app.config.get("MAIL")
    sender = settings.sender if settings is not None else ""
    event = dataclasses.replace(
        hack_event(hack, domain=mail.site_domain(), page_url=page),
        organizer=parseaddr(sender)[1] or None,
        attendees=tuple(each.email for each in (hack.requester, hack.entrepreneur) if each.email),
    )
    return session_calendar(event, method="REQUEST", now=now)


def decline(hack: HackRequest, reason: str, *, by: Person, now: datetime) -> None:
    _open(hack, by, now.date())
    hack.status = HackStatus.DECLINED
    hack.answered_at = now
    hack.decline_reason = (reason or "").strip()[:REASON_LENGTH]
    db.session.flush()
    audit.record("hack.declined", actor=by, obj=hack)
    tell(
        hack.requester,
        lambda: _(
            "%(name)s declined your Hack on “%(topic)s”.",
            name=by.display_name,
            topic=hack.topic,
        ),
        _page(hack),
    )
