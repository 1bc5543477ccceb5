"""The sponsors' monthly digest: last month's portfolio in figures, by email.

The ``sponsor-digests`` job runs daily; in the first ``SEND_DAYS`` days of a month it emails
every sponsor who may act today the figures of the month before (the whole organisation, no
filters), each in their own language, unless they turned the digest off. The figures are
counts and sums only: no venture is named, so nobody reads a title they may not see. Each
email carries a key per sponsor and month, so a run repeated or retried adds nothing; after
``SEND_DAYS`` the job waits for the next month (a sent email's row is kept longer than that,
so its key still stands). The outbox (``core.mail``) sends it; the job commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.dates import day_text
from intrapreneur.core.i18n import writing_for
from intrapreneur.core.mail_models import EmailKind, OutgoingEmail
from intrapreneur.experiments.portfolio.figures import Portfolio, PortfolioFilters
from intrapreneur.experiments.portfolio.queries import portfolio
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonRole, Role

SEND_DAYS = 7


@dataclass(frozen=True)
class SponsorDigestReport:
    month: str
    emailed: int

    def describe(self) -> str:
        if not self.month:
            return "No sponsor digest due: it goes out in the first week of a month."
        return f"{self.emailed} sponsors emailed the portfolio of {self.month}."


def month_before(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def queue_sponsor_digests(now: datetime) -> SponsorDigestReport:
    today = now.date()
    if today.day > SEND_DAYS:
        return SponsorDigestReport("", 0)
    first, last = month_before(today)
    month = first.strftime("%Y-%m")
    sponsors = [person for person in _sponsors() if person.may_act(today) and person.email]
    keys = {person.id: f"sponsor_digest:{person.id}:{month}" for person in sponsors}
    done = set(
        db.session.scalars(
            select(OutgoingEmail.dedupe_key).where(OutgoingEmail.dedupe_key.in_(keys.values()))
        )
    )
    waiting = [person for person in sponsors if keys[person.id] not in done]
    if not waiting:
        return SponsorDigestReport(month, 0)
    figures = portfolio(None, PortfolioFilters(since=first, until=last), today)
    emailed = sum(_email(person, figures, first, keys[person.id], now) for person in waiting)
    db.session.flush()
    return SponsorDigestReport(month, emailed)


def _sponsors() -> list[Person]:
    return list(
        db.session.scalars(
            select(Person)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(PersonRole.role == Role.SPONSOR, Person.active)
            .order_by(Person.id)
        )
    )


def _email(person: Person, figures: Portfolio, first: date, key: str, now: datetime) -> int:
    with writing_for(person):
        month = day_text(first, "month_year")
        subject = _("The programme's portfolio in %(month)s", month=month)
    queued = mail.queue(
        person,
        EmailKind.SPONSOR_DIGEST,
        subject=subject,
        template="sponsor_digest",
        context={
            "month": month,
            "portfolio": figures,
            "portfolio_url": mail.absolute_url(
                "portfolio.page", since=first.isoformat(), until=month_end(first).isoformat()
            ),
            "preferences_url": mail.preferences_url(),
        },
        now=now,
        dedupe_key=key,
    )
    return int(queued)


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
