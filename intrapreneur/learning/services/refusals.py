"""What the learning services refuse, the check every write into a cohort passes (closed
cohorts and archived programmes are read-only) and those every edit of a set or a session
passes."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intrapreneur.learning.models import Cohort, LearningSession, LearningSet, Programme


class LearningRefusal(Exception):
    """A refusal with a message for the person in front of the screen."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


# What the second of two editors is told, by the kind of record both edited.
STALE_MESSAGES = {
    "session": _l(
        "Someone else saved this session while you were editing it. "
        "Reload the page to see their changes, then make yours again."
    ),
    "set": _l(
        "Someone else saved this set while you were editing it. "
        "Reload the page to see their changes, then make yours again."
    ),
    "agenda": _l(
        "Someone else saved this agenda while you were editing it. "
        "Reload the page to see their changes, then make yours again."
    ),
    "cohort": _l(
        "Someone else saved this cohort while you were editing it. "
        "Reload the page to see their changes, then make yours again."
    ),
    "programme": _l(
        "Someone else saved this programme while you were editing it. "
        "Reload the page to see their changes, then make yours again."
    ),
}


class StaleEdit(LearningRefusal):
    def __init__(self, what: str = "session") -> None:
        super().__init__(str(STALE_MESSAGES[what]))


class InvalidAgenda(LearningRefusal):
    """The rules an agenda breaks, each worded for the person who will fix it."""

    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        return self.problems


class NeedsConfirmation(LearningRefusal):
    """A change allowed only once the person has seen what it affects and confirmed it."""

    def __init__(self, effects: list[str]) -> None:
        super().__init__(" ".join(effects))
        self.effects = effects

    @property
    def messages(self) -> list[str]:
        return self.effects


def ensure_set_open(learning_set: LearningSet) -> None:
    """Every edit of a set passes here: a closed set, or a set of a closed cohort, is kept."""
    ensure_cohort_open(learning_set.cohort)
    if learning_set.closed_at is not None:
        raise LearningRefusal(closed_message(learning_set))


def closed_message(learning_set: LearningSet) -> str:
    return _(
        "%(set)s is closed: it is kept for the record and takes no more changes.",
        set=learning_set.name,
    )


def touch_set(learning_set: LearningSet, version: int | None, now: datetime) -> None:
    """Refuse a change made on an old copy of the set (``version`` None: a set changed as
    a side effect, such as the one a member moves into); writing updated_at bumps the
    version, so a concurrent change of the same copy fails in the database as well."""
    ensure_set_open(learning_set)
    if version is not None and learning_set.version != version:
        raise StaleEdit(what="set")
    learning_set.updated_at = now


class RefusedFields(LearningRefusal):
    """A change that would break something, each reason for the form field it belongs to."""

    status = 422

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__(" ".join(message for found in problems.values() for message in found))
        self.problems = problems


def ensure_cohort_open(cohort: Cohort) -> None:
    """Every write into a cohort passes here: a closed cohort is kept as it was."""
    if cohort.closed_at is not None:
        raise LearningRefusal(
            _(
                "%(cohort)s is closed: it is kept as it was and can no longer be changed.",
                cohort=cohort.name,
            )
        )


def ensure_not_archived(programme: Programme) -> None:
    if programme.archived_at is not None:
        raise LearningRefusal(
            _(
                "%(programme)s is archived: it is kept as it was and can no longer be changed.",
                programme=programme.name,
            )
        )


def touch(session: LearningSession, version: int, now: datetime) -> None:
    """Refuse an edit made on an old copy; writing updated_at bumps the version column,
    so a concurrent save of the same copy fails in the database as well."""
    if session.version != version:
        raise StaleEdit
    session.updated_at = now


def ensure_changeable(session: LearningSession) -> None:
    ensure_set_open(session.learning_set)
    if session.cancelled_at is not None:
        raise LearningRefusal(_("A cancelled session cannot be changed."))
