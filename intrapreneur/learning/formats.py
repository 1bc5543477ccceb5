"""Session formats and their default agendas (timed segments).

A set's sessions start from these templates; the facilitator adjusts the copy
stored on each session. Mastermind repeats its hot seat once per member.
"""

from __future__ import annotations

from dataclasses import dataclass

from intrapreneur.learning.models import SessionFormat


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
    ),
    SessionFormat.MASTERMIND: Format(
        "Mastermind",
        "Every member gets a hot seat: challenge, questions, commitments.",
        (
            Segment("Review of last session's actions", 15),
            Segment("Hot seat", 20, hot_seat=True),
            Segment("Check-out", 5),
        ),
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


def default_agenda(session_format: SessionFormat, members: int) -> list[dict[str, object]]:
    """The template as stored on a session: Mastermind's hot seat once per member."""
    segments = FORMATS[session_format].segments
    if session_format is SessionFormat.MASTERMIND:
        review, hot_seat, check_out = segments
        segments = (review, *([hot_seat] * max(members, 1)), check_out)
    return [
        {"title": segment.title, "minutes": segment.minutes, "hot_seat": segment.hot_seat}
        for segment in segments
    ]


def agenda_minutes(agenda: list[dict[str, object]]) -> int:
    return sum(int(segment["minutes"]) for segment in agenda)  # type: ignore[call-overload]
