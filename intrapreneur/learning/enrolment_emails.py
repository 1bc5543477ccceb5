"""The email telling a person what was decided about their place in a cohort.

It only queues (``core.mail.queue``), in the transaction of the decision: a decision rolled
back takes its email with it. It cannot be turned off: it says whether the person takes part.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from intrapreneur.core import mail
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.learning.models import Enrolment

DAY = "%d %B %Y"


class News(StrEnum):
    ACCEPTED = "accepted"
    PROMOTED = "promoted"  # accepted from the waiting list when a place became free
    WAITING = "waiting"
    DECLINED = "declined"
    REMOVED = "removed"


# news → (subject, text); whole sentences, filled in with the cohort's details.
MESSAGES = {
    News.ACCEPTED: (
        "Your place in {cohort}",
        "You have a place in {cohort} ({programme}), which runs from {starts} to {ends}. "
        "The programme team will place you in a set.",
    ),
    News.PROMOTED: (
        "A place in {cohort} is yours",
        "A place in {cohort} ({programme}) has become free, and it is yours: you were first "
        "on the waiting list. The cohort runs from {starts} to {ends}.",
    ),
    News.WAITING: (
        "On the waiting list of {cohort}",
        "{cohort} ({programme}) is full, so you are on its waiting list, at position "
        "{position}. The first place that becomes free goes to the first in line, and you "
        "will get an email when it is yours.",
    ),
    News.DECLINED: (
        "Your request for {cohort}",
        "Your request to join {cohort} ({programme}) was declined.",
    ),
    News.REMOVED: (
        "You are no longer in {cohort}",
        "The programme team has taken you out of {cohort} ({programme}).",
    ),
}


def tell(enrolment: Enrolment, news: News, now: datetime, *, position: int | None = None) -> bool:
    """Queue the email for ``enrolment``'s person; False when they get no email (no address,
    or switched off)."""
    cohort = enrolment.cohort
    details = {
        "cohort": cohort.name,
        "programme": cohort.programme.name,
        "starts": f"{cohort.starts_on:{DAY}}",
        "ends": f"{cohort.ends_on:{DAY}}",
        "position": position,
    }
    subject, text = MESSAGES[news]
    return mail.queue(
        enrolment.person,
        EmailKind.ENROLMENT,
        subject=mail.one_line(subject.format(**details)),
        template="enrolment",
        context={
            "cohort_name": cohort.name,
            "text": text.format(**details),
            "link": mail.absolute_url("cohorts.browse") if news is not News.REMOVED else None,
        },
        now=now,
    )
