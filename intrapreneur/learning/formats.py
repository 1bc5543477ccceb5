"""Session formats, their shipped agendas (timed segments) and the rules an agenda keeps.

HR may replace a format's shipped agenda with its own (``AgendaTemplate``); each
session starts from a copy that its facilitator may adjust. Mastermind runs its
hot-seat segments once per member.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from intrapreneur.learning.models import SessionFormat

Agenda = list[dict[str, Any]]


@dataclass(frozen=True)
class Segment:
    title: str
    minutes: int
    hot_seat: bool = False


@dataclass(frozen=True)
class Format:
    label: str
    purpose: str
    segments: tuple[Segment, ...]
    rule: str = ""  # what an agenda of this format must keep, beyond the rules for all


FORMATS: dict[SessionFormat, Format] = {
    SessionFormat.POWER_HOUR: Format(
        "Power Hour",
        "One member's challenge, questions before advice, commitments at the end.",
        (
            Segment("Review of last session's actions", 10),
            Segment("Hot seat: the challenge", 5, hot_seat=True),
            Segment("Questions only", 25, hot_seat=True),
            Segment("Reflections and commitments", 15, hot_seat=True),
            Segment("Check-out", 5),
        ),
        "Exactly 60 minutes, with at least one hot-seat segment.",
    ),
    SessionFormat.MASTERMIND: Format(
        "Mastermind",
        "Every member gets a hot seat: challenge, questions, commitments.",
        (
            Segment("Review of last session's actions", 15),
            Segment("Hot seat", 20, hot_seat=True),
            Segment("Check-out", 5),
        ),
        "At least one hot-seat segment. The hot-seat segments follow one another and repeat "
        "for each member; with a full set of 8 members the session must fit in 8 hours.",
    ),
    SessionFormat.HACK: Format(
        "Hack",
        "A timed group sprint on one problem.",
        (
            Segment("Review of last session's actions", 10),
            Segment("Frame the problem", 10),
            Segment("Sprint", 45),
            Segment("Show and decide next steps", 20),
        ),
    ),
    SessionFormat.ENABLEMENT: Format(
        "Enablement",
        "A skills session led by the facilitator or a visiting entrepreneur.",
        (
            Segment("Review of last session's actions", 10),
            Segment("Skill session", 50),
            Segment("Apply it to your own challenge", 25),
            Segment("Commitments", 5),
        ),
    ),
}


MAX_AGENDA_MINUTES = 8 * 60
MAX_SEGMENTS = 60
POWER_HOUR_MINUTES = 60
NEEDS_HOT_SEAT = {SessionFormat.POWER_HOUR, SessionFormat.MASTERMIND}


def shipped_agenda(session_format: SessionFormat) -> Agenda:
    return [asdict(segment) for segment in FORMATS[session_format].segments]


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
        return f"{agenda_minutes(template)} min"
    turn = agenda_minutes([segment for segment in template if segment["hot_seat"]])
    return f"{agenda_minutes(template) - turn} min + {turn} min per member"


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
    return _size_problems(template, "This agenda")


def _power_hour_problems(template: Agenda) -> list[str]:
    if (minutes := agenda_minutes(template)) == POWER_HOUR_MINUTES:
        return []
    return [
        f"A Power Hour lasts exactly {POWER_HOUR_MINUTES} minutes; "
        f"these segments add up to {minutes}."
    ]


def _mastermind_problems(template: Agenda, largest_set: int) -> list[str]:
    first, last = _hot_seat_run(template)
    if not all(segment["hot_seat"] for segment in template[first:last]):
        return [
            "In a Mastermind the hot-seat segments repeat for each member, so they must "
            "follow one another: move the other segments before or after them."
        ]
    return _size_problems(
        agenda_for(SessionFormat.MASTERMIND, template, largest_set),
        f"With a full set of {largest_set} members this Mastermind",
        " (its hot-seat segments repeat for each member)",
    )


def session_agenda_problems(session_format: SessionFormat, agenda: Agenda) -> list[str]:
    """What keeps one session's agenda from being saved, worded for its facilitator."""
    return _basic_problems(session_format, agenda) or _size_problems(agenda, "This agenda")


def _basic_problems(session_format: SessionFormat, agenda: Agenda) -> list[str]:
    if not agenda:
        return ["An agenda needs at least one segment: give a segment a title and its minutes."]
    if session_format in NEEDS_HOT_SEAT and not any(segment["hot_seat"] for segment in agenda):
        return [
            f"A {FORMATS[session_format].label} needs at least one hot-seat segment, "
            "the member's turn with their challenge: tick “Hot seat” on it."
        ]
    return []


def _size_problems(agenda: Agenda, subject: str, why: str = "") -> list[str]:
    problems = []
    if (minutes := agenda_minutes(agenda)) > MAX_AGENDA_MINUTES:
        problems.append(
            f"{subject} would last {_duration(minutes)}{why}; "
            f"keep it within {MAX_AGENDA_MINUTES // 60} hours."
        )
    if len(agenda) > MAX_SEGMENTS:
        problems.append(
            f"{subject} would have {len(agenda)} segments{why}; keep it to {MAX_SEGMENTS}."
        )
    return problems


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
