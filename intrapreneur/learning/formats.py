"""Session formats, their shipped agendas (timed segments) and the rules an agenda keeps.

HR may replace a format's shipped agenda with its own (``AgendaTemplate``); each
session starts from a copy that its facilitator may adjust. Mastermind runs its
hot-seat segments once per member.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intrapreneur.core.i18n import SOURCE_LOCALE, offered_locales
from intrapreneur.learning.models import SessionFormat

Agenda = list[dict[str, Any]]


@dataclass(frozen=True)
class Segment:
    title: str | LazyString
    minutes: int
    hot_seat: bool = False


@dataclass(frozen=True)
class Format:
    label: str | LazyString
    purpose: str | LazyString
    segments: tuple[Segment, ...]
    rule: str | LazyString = ""  # what an agenda of this format must keep, beyond the rules for all


FORMATS: dict[SessionFormat, Format] = {
    SessionFormat.POWER_HOUR: Format(
        "Power Hour",  # a format's name, the same in every language
        _l("One member's challenge, questions before advice, commitments at the end."),
        (
            Segment(_l("Review of last session's actions"), 10),
            Segment(_l("Hot seat: the challenge"), 5, hot_seat=True),
            Segment(_l("Questions only"), 25, hot_seat=True),
            Segment(_l("Reflections and commitments"), 15, hot_seat=True),
            Segment(_l("Check-out"), 5),
        ),
        _l("Exactly 60 minutes, with at least one hot-seat segment."),
    ),
    SessionFormat.MASTERMIND: Format(
        "Mastermind",  # a format's name, the same in every language
        _l("Every member gets a hot seat: challenge, questions, commitments."),
        (
            Segment(_l("Review of last session's actions"), 15),
            Segment(_l("Hot seat"), 20, hot_seat=True),
            Segment(_l("Check-out"), 5),
        ),
        _l(
            "At least one hot-seat segment. The hot-seat segments follow one another and repeat "
            "for each member; with a full set of 8 members the session must fit in 8 hours."
        ),
    ),
    SessionFormat.HACK: Format(
        "Hack",  # a format's name, the same in every language
        _l("A timed group sprint on one problem."),
        (
            Segment(_l("Review of last session's actions"), 10),
            Segment(_l("Frame the problem"), 10),
            Segment(_l("Sprint"), 45),
            Segment(_l("Show and decide next steps"), 20),
        ),
    ),
    SessionFormat.ENABLEMENT: Format(
        _l("Enablement"),
        _l("A skills session led by the facilitator or a visiting entrepreneur."),
        (
            Segment(_l("Review of last session's actions"), 10),
            Segment(_l("Skill session"), 50),
            Segment(_l("Apply it to your own challenge"), 25),
            Segment(_l("Commitments"), 5),
        ),
    ),
}


MAX_AGENDA_MINUTES = 8 * 60
MAX_SEGMENTS = 60
POWER_HOUR_MINUTES = 60
NEEDS_HOT_SEAT = {SessionFormat.POWER_HOUR, SessionFormat.MASTERMIND}


def segment_title(title: str) -> str:
    """A stored segment's title for the reader. A session keeps the titles it was scheduled
    with; a shipped title (in any of the shipped languages) reads in the reader's language,
    a title someone wrote reads as written."""
    if "shipped_titles" not in current_app.extensions:  # once per app: its catalogues
        current_app.extensions["shipped_titles"] = _shipped_titles(offered_locales())
    shipped = current_app.extensions["shipped_titles"].get(title)
    return _(shipped) if shipped else title


def _shipped_titles(languages: tuple[str, ...]) -> dict[str, str]:
    """Each shipped title, as each language writes it → its English."""
    with force_locale(SOURCE_LOCALE):  # English has no catalogue: the messages themselves
        english = {str(segment.title) for segment in _segments()}
    titles = {}
    for language in languages:
        with force_locale(language):
            titles.update({_(title): title for title in english})
    return titles


def _segments() -> Iterator[Segment]:
    for session_format in FORMATS.values():
        yield from session_format.segments


def shipped_agenda(session_format: SessionFormat) -> Agenda:
    """The format's shipped segments, their titles in the reader's language."""
    return [
        {**asdict(segment), "title": str(segment.title)}
        for segment in FORMATS[session_format].segments
    ]


def agenda_for(session_format: SessionFormat, template: Agenda, members: int) -> Agenda:
    """The agenda as a session stores it: Mastermind's hot-seat segments once per member."""
    if session_format is not SessionFormat.MASTERMIND:
        return [dict(segment) for segment in template]
    first, last = _hot_seat_run(template)
    turns = template[first:last] * max(members, 1)
    return [dict(segment) for segment in (*template[:first], *turns, *template[last:])]


def _hot_seat_run(agenda: Agenda) -> tuple[int, int]:
    """Where the hot-seat segments start and end (exclusive)."""
    positions = [index for index, segment in enumerate(agenda) if segment["hot_seat"]]
    return positions[0], positions[-1] + 1


def agenda_minutes(agenda: Agenda) -> int:
    return sum(int(segment["minutes"]) for segment in agenda)


def length_text(session_format: SessionFormat, template: Agenda) -> str:
    """How long a session from this template lasts, as people reading the template see it."""
    if session_format is not SessionFormat.MASTERMIND:
        return _("%(minutes)d min", minutes=agenda_minutes(template))
    turn = agenda_minutes([segment for segment in template if segment["hot_seat"]])
    return _(
        "%(minutes)d min + %(turn)d min per member",
        minutes=agenda_minutes(template) - turn,
        turn=turn,
    )


def template_problems(
    session_format: SessionFormat, template: Agenda, *, largest_set: int
) -> list[str]:
    """What keeps a format's agenda template from being saved, worded for HR."""
    if problems := _basic_problems(session_format, template):
        return problems
    if session_format is SessionFormat.POWER_HOUR:
        return _power_hour_problems(template)
    if session_format is SessionFormat.MASTERMIND:
        return _mastermind_problems(template, largest_set)
    return _size_problems(template)


def _power_hour_problems(template: Agenda) -> list[str]:
    if (minutes := agenda_minutes(template)) == POWER_HOUR_MINUTES:
        return []
    return [
        _(
            "A Power Hour lasts exactly %(exact)d minutes; these segments add up to %(minutes)d.",
            exact=POWER_HOUR_MINUTES,
            minutes=minutes,
        )
    ]


def _mastermind_problems(template: Agenda, largest_set: int) -> list[str]:
    first, last = _hot_seat_run(template)
    if not all(segment["hot_seat"] for segment in template[first:last]):
        return [
            _(
                "In a Mastermind the hot-seat segments repeat for each member, so they must "
                "follow one another: move the other segments before or after them."
            )
        ]
    return _size_problems(
        agenda_for(SessionFormat.MASTERMIND, template, largest_set), full_set=largest_set
    )


def session_agenda_problems(session_format: SessionFormat, agenda: Agenda) -> list[str]:
    """What keeps one session's agenda from being saved, worded for its facilitator."""
    return _basic_problems(session_format, agenda) or _size_problems(agenda)


def _basic_problems(session_format: SessionFormat, agenda: Agenda) -> list[str]:
    if not agenda:
        return [_("An agenda needs at least one segment: give a segment a title and its minutes.")]
    if session_format in NEEDS_HOT_SEAT and not any(segment["hot_seat"] for segment in agenda):
        return [
            _(
                "A %(format)s needs at least one hot-seat segment, the member's turn with their "
                "challenge: tick “Hot seat” on it.",
                format=FORMATS[session_format].label,
            )
        ]
    return []


def _size_problems(agenda: Agenda, full_set: int | None = None) -> list[str]:
    """An agenda too long or with too many segments; ``full_set``: a Mastermind's, its
    hot-seat segments repeated for that many members."""
    problems = []
    if (minutes := agenda_minutes(agenda)) > MAX_AGENDA_MINUTES:
        problems.append(_too_long(_duration(minutes), full_set))
    if len(agenda) > MAX_SEGMENTS:
        problems.append(_too_many_segments(len(agenda), full_set))
    return problems


def _too_long(duration: str, full_set: int | None) -> str:
    hours = MAX_AGENDA_MINUTES // 60
    if full_set is None:
        return _(
            "This agenda would last %(duration)s; keep it within %(hours)d hours.",
            duration=duration,
            hours=hours,
        )
    return _(
        "With a full set of %(members)d members this Mastermind would last %(duration)s (its "
        "hot-seat segments repeat for each member); keep it within %(hours)d hours.",
        members=full_set,
        duration=duration,
        hours=hours,
    )


def _too_many_segments(count: int, full_set: int | None) -> str:
    if full_set is None:
        return _(
            "This agenda would have %(count)d segments; keep it to %(most)d.",
            count=count,
            most=MAX_SEGMENTS,
        )
    return _(
        "With a full set of %(members)d members this Mastermind would have %(count)d segments "
        "(its hot-seat segments repeat for each member); keep it to %(most)d.",
        members=full_set,
        count=count,
        most=MAX_SEGMENTS,
    )


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    return _("%(hours)d h", hours=hours)
