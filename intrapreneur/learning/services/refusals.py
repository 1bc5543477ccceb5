"""What the learning services refuse, the checks every edit of a session passes, and the
one check every write into a cohort passes (closed cohorts and archived programmes are
read-only)."""

from __future__ import annotations

from datetime import datetime

from intrapreneur.learning.models import Cohort, LearningSession, Programme


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


class RefusedFields(LearningRefusal):
    """A change that would break something, each reason for the form field it belongs to."""

    status = 422

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__(" ".join(message for found in problems.values() for message in found))
        self.problems = problems


def ensure_open(cohort: Cohort) -> None:
    """Every write into a cohort passes here: a closed cohort is kept as it was."""
    if cohort.closed_at is not None:
        raise LearningRefusal(
            f"{cohort.name} is closed: it is kept as it was and can no longer be changed."
        )


def ensure_not_archived(programme: Programme) -> None:
    if programme.archived_at is not None:
        raise LearningRefusal(
            f"{programme.name} is archived: it is kept as it was and can no longer be changed."
        )


def touch(session: LearningSession, version: int, now: datetime) -> None:
    """Refuse an edit made on an old copy; writing updated_at bumps the version column,
    so a concurrent save of the same copy fails in the database as well."""
    if session.version != version:
        raise StaleEdit
    session.updated_at = now


def ensure_changeable(session: LearningSession) -> None:
    if session.cancelled_at is not None:
        raise LearningRefusal("A cancelled session cannot be changed.")
