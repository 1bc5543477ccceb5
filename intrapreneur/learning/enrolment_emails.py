"""The email telling a person what was decided about their place in a cohort.

It only queues (``core.mail.queue``), in the transaction of the decision: a decision rolled
back takes its email with it. It cannot be turned off: it says whether the person takes part.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from intrapreneur.core import mail
from intrapreneur.core.dates import day_text
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail_models import EmailKind
from intrapreneur.learning.models import Enrolment


class News(StrEnum):
    ACCEPTED = "accepted"
    PROMOTED = "promoted"  # accepted from the waiting list when a place became free
    WAITING = "waiting"
    DECLINED = "declined"
    REMOVED = "removed"


# news → (subject, text); whole sentences, filled in with the cohort's details in the
# recipient's language.
MESSAGES = {
    News.ACCEPTED: (
        _l("Your place in %(cohort)s"),
        _l(
            "You have a place in %(cohort)s (%(programme)s), which runs from %(starts)s to "
            "%(ends)s. The programme team will place you in a set."
        ),
    ),
    News.PROMOTED: (
        _l("A place in %(cohort)s is yours"),
        _l(
            "A place in %(cohort)s (%(programme)s) has become free, and it is yours: you were "
            "first on the waiting list. The cohort runs from %(starts)s to %(ends)s."
        ),
    ),
    News.WAITING: (
        _l("On the waiting list of %(cohort)s"),
        _l(
            "%(cohort)s (%(programme)s) is full, so you are on its waiting list, at position "
            "%(position)s. The first place that becomes free goes to the first in line, and you "
            "will get an email when it is yours."
        ),
    ),
    News.DECLINED: (
        _l("Your request for %(cohort)s"),
        _l("Your request to join %(cohort)s (%(programme)s) was declined."),
    ),
    News.REMOVED: (
        _l("You are no longer in %(cohort)s"),
        _l("The programme team has taken you out of %(cohort)s (%(programme)s)."),
    ),
}


def tell(enrolment: Enrolment, news: News, now: datetime, *, position: int | None = None) -> bool:
    """Queue the email for ``enrolment``'s person; False when they get no email (no address,
    or switched off)."""
    cohort = enrolment.cohort
    subject, text = MESSAGES[news]
    with writing_for(enrolment.person):
        details = {
            "cohort": cohort.name,
            "programme": cohort.programme.name,
            "starts": day_text(cohort.starts_on, "long"),
            "ends": day_text(cohort.ends_on, "long"),
            "position": position,
        }
        subject_text = mail.one_line(str(subject) % details)
        text_written = str(text) % details
    return mail.queue(
        enrolment.person,
        EmailKind.ENROLMENT,
        subject=subject_text,
        template="enrolment",
        context={
            "cohort_name": cohort.name,
            "text": text_written,
            "link": mail.absolute_url("cohorts.browse") if news is not News.REMOVED else None,
        },
        now=now,
    )
