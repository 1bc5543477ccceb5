"""The emails of a survey wave: each invitee's invitation with their personal link, and up to
two reminders for those who have not answered — without the database ever saying who they
are.

**Invitations** are queued by the ``survey-invitations`` job when HR creates a wave, to be
sent on the day it opens.

**When reminders go.** Halfway through the wave and two days before its last day, never on
the day it opens; a wave too short for both gets one, or none (``reminder_days``). The daily
``survey-reminders`` job queues the latest round whose day has come and that the wave has not
had yet, so a missed day is caught up once, and no day brings two.

**To whom, without storing it.** Whether someone has answered is known only to code holding
the pseudonym key (see ``models``). Writing down who has not — a column, a table, an outbox
row kept after sending, a dedupe key, an audit entry, a job's summary — would undo that; so:

* the job queues a reminder for *every* invitee, alike (one kind, one subject; the bodies
  differ by name and personal link only, as the invitations' do), and writes on the wave
  only which round it queued (``SurveyWave.reminders_sent``, claimed by a conditional
  UPDATE, so a repeated or retried run queues nothing more);
* survey reminders are a discreet email kind (``core.mail.discreet``): when the sender is
  about to send one, ``_not_answered_yet`` asks with the key whether this invitee has
  answered, or the wave has closed, and withdraws the email if so;
* sent, withdrawn or failed for good, the row is deleted, and the delivery job counts a
  withdrawn email as sent: no row and no count tells who was reminded.

Each function only queues (``core.mail.queue``); the outbox sends later. The job commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from intrapreneur.core import mail
from intrapreneur.core.dates import day_text
from intrapreneur.core.mail_models import EmailKind, OutgoingEmail
from intrapreneur.core.models import utcnow
from intrapreneur.culture import queries
from intrapreneur.culture.models import SurveyInvitation, SurveyWave
from intrapreneur.culture.services import invitation_token, pseudonym_of
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person

INVITEES_PER_QUERY = 1000
REMINDER_KEY = "survey_reminder"


def email_invitations(
    wave_id: int, site: str | None, on_progress: Callable[[int], None] | None = None
) -> int:
    """Queue each invitee's personal link, sent on the day the survey opens (the job's work;
    idempotent: one email per invitee and wave). ``site`` is the address HR used, for links
    when INTRAPRENEUR_BASE_URL is not set. The link lives in the outbox until sent, then the
    body is blanked (``core.mail``); it is never logged. Returns how many invitees it covered."""
    wave = db.session.get(SurveyWave, wave_id)
    if wave is None or (mail.site_root() or site) is None:
        return 0  # no address to link to: the invitees find the survey under "My surveys"
    now = utcnow()
    opens = datetime.combine(wave.opens_on, time.min, tzinfo=UTC)
    queued = 0
    for person in _invitees(wave):
        mail.queue(
            person,
            EmailKind.SURVEY_INVITATION,
            subject=_l("Survey: %(title)s", title=mail.one_line(wave.title)),
            template="survey_invitation",
            context=_context(wave, person, site),
            now=now,
            dedupe_key=f"survey_invitation:{wave.id}:{person.id}",
            not_before=opens,
        )
        queued += 1
        if on_progress is not None:
            on_progress(1)
    return queued


# -- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyReminderReport:
    rounds: int
    emails: int

    def describe(self) -> str:
        return _(
            "%(rounds)s survey reminder rounds queued: %(emails)s emails, each sent only "
            "if its invitee has not answered by then.",
            rounds=self.rounds,
            emails=self.emails,
        )


def reminder_days(wave: SurveyWave) -> list[date]:
    """The days of the wave's reminder rounds: halfway, and two days before its last day
    (``closes_on``), each after the day it opens; one or none when the wave is short."""
    halfway = wave.opens_on + (wave.closes_on - wave.opens_on) // 2
    two_days_before = wave.closes_on - timedelta(days=2)
    return sorted({day for day in (halfway, two_days_before) if day > wave.opens_on})


def due_round(wave: SurveyWave, today: date) -> int:
    """The latest round whose day has come (0: none yet)."""
    return sum(day <= today for day in reminder_days(wave))


def queue_survey_reminders(now: datetime) -> SurveyReminderReport:
    """Queue the reminder round due today (``now``'s UTC day) of every open wave that has not
    had it; repeating or retrying the run queues nothing more."""
    today = now.date()
    waves = db.session.scalars(
        select(SurveyWave)
        .where(
            SurveyWave.closed_at.is_(None),
            SurveyWave.opens_on < today,
            SurveyWave.closes_on >= today,
        )
        .order_by(SurveyWave.id)
    ).all()
    rounds = emails = 0
    for wave in waves:
        reminder = due_round(wave, today)
        if reminder > wave.reminders_sent and _claim(wave, reminder):
            rounds += 1
            emails += _remind_everyone(wave, reminder, now)
    return SurveyReminderReport(rounds, emails)


def _claim(wave: SurveyWave, reminder: int) -> bool:
    """Mark the round queued, unless a run beside this one did first (it then waits for that
    run's commit on PostgreSQL, and SQLite has one writer at a time)."""
    claimed = db.session.execute(
        update(SurveyWave)
        .where(SurveyWave.id == wave.id, SurveyWave.reminders_sent < reminder)
        .values(reminders_sent=reminder)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def _remind_everyone(wave: SurveyWave, reminder: int, now: datetime) -> int:
    """A reminder for every invitee alike; ``_not_answered_yet`` picks at send time."""
    queued = 0
    for person in _invitees(wave):
        queued += mail.queue(
            person,
            EmailKind.SURVEY_REMINDER,
            # Lazy, the day too: written in each recipient's language (``mail.queue``).
            subject=_l(
                "Reminder: the survey “%(title)s” closes on %(day)s",
                title=mail.one_line(wave.title),
                day=LazyString(day_text, wave.closes_on, "long"),
            ),
            template="survey_reminder",
            context={**_context(wave, person, None), "preferences_url": mail.preferences_url()},
            now=now,
            dedupe_key=f"{REMINDER_KEY}:{wave.id}:{reminder}:{person.id}",
        )
    return queued


@mail.discreet(EmailKind.SURVEY_REMINDER)
def _not_answered_yet(email: OutgoingEmail, now: datetime) -> bool:
    """Send-time check: the wave still takes answers and, by the pseudonym (the key never
    leaves this process), this invitee has given none."""
    assert email.dedupe_key is not None and email.person_id is not None
    wave = db.session.get(SurveyWave, int(email.dedupe_key.split(":")[1]))
    return (
        wave is not None
        and wave.is_open(now.date())
        and not queries.has_answered(wave.id, pseudonym_of(email.person_id))
    )


# -- shared ----------------------------------------------------------------------------------


def _invitees(wave: SurveyWave) -> Iterator[Person]:
    return iter(
        db.session.scalars(
            select(Person)
            .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)
            .where(SurveyInvitation.wave_id == wave.id)
            .order_by(Person.id)
            .execution_options(yield_per=INVITEES_PER_QUERY)
        )
    )


def _context(wave: SurveyWave, person: Person, site: str | None) -> dict[str, object]:
    """What both emails say: the survey, its last day and the person's own link (``None``
    when no public address is known: the email then sends them to "My surveys")."""
    token = invitation_token(wave.id, person.id)
    return {
        "title": wave.title,
        "closes_on": wave.closes_on,
        "link": mail.absolute_url("surveys.answer_by_token", root=site, token=token),
    }
