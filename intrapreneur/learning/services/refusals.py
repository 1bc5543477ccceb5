"""What the learning services refuse, and the checks every edit of a session passes."""

from __future__ import annotations

from datetime import datetime

from intrapreneur.learning.models import LearningSession


class LearningRefusal(Exception):
    """A refusal with a message for the person in front of the screen."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


class StaleEdit(LearningRefusal):
    def __init__(self, what: str = "session") -> None:
        super().__init__(
            f"Someone else saved this {what} while you were editing it. "
            "Reload the page to see their changes, then make yours again."
        )


class InvalidAgenda(LearningRefusal):
    """The rules an agenda breaks, each worded for the person who will fix it."""

    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return self.problems


def touch(session: LearningSession, version: int, now: datetime) -> None:
    """Refuse an edit made on an old copy; writing updated_at bumps the version column,
    so a concurrent save of the same copy fails in the database as well."""
    if session.version != version:
        raise StaleEdit
    session.updated_at = now


def ensure_changeable(session: LearningSession) -> None:
    if session.cancelled_at is not None:
        raise LearningRefusal("A cancelled session cannot be changed.")
