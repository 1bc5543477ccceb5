"""A busy person to erase: Tom Becker of the demo organisation (a hot seat, a commitment,
attendance in Set Aurora, two cohorts, a venture's cards and its pivot) with everything
else a long stay leaves: reviews given and received, notifications and emails to him and
about him, a job and an export, his feedback, a question he asked, others' text naming him
by name, address, username or directory id, a directory account someone reports under,
and a second owner on his venture so that he may be erased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from intrapreneur.cli.demo_data import seed_demo_organisation
from intrapreneur.core.mail_models import EmailKind, EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, ExportFile, JobStatus
from intrapreneur.culture.models import SurveyResponse
from intrapreneur.experiments import reviews
from intrapreneur.experiments.models import (
    Experiment,
    Notification,
    Review,
    ReviewTag,
    TeamRole,
    Venture,
    VentureMember,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import (
    Action,
    HotSeat,
    LearningSession,
    LearningSet,
    Question,
    SessionFeedback,
)

DIRECTORY_ID = "5d2e8f0a-91c4-4b7e-a3d6-0c1f2e3d4b5a"
DIRECTORY_DN = "uid=tbecker,ou=people,dc=corp,dc=example"


@dataclass
class Busy:
    tom: Person
    admin: Person
    people: dict[str, Person]
    now: datetime
    today: date

    @property
    def identifying(self) -> list[str]:
        """What must be found nowhere after the erasure."""
        return ["Tom Becker", "tbecker@corp.example", "tbecker", DIRECTORY_ID]


def _people() -> dict[str, Person]:
    return {
        (person.username or person.email): person for person in db.session.scalars(select(Person))
    }


def _aurora_sessions() -> list[LearningSession]:
    aurora = db.session.scalars(select(LearningSet).where(LearningSet.name == "Set Aurora")).one()
    return list(
        db.session.scalars(
            select(LearningSession)
            .where(LearningSession.set_id == aurora.id)
            .order_by(LearningSession.starts_at)
        )
    )


def busy_person(today: date | None = None) -> Busy:
    today = today or date.today()
    now = datetime.now(UTC)
    seed_demo_organisation(today)
    db.session.flush()
    people = _people()
    tom, salves, omar, james = (people[n] for n in ("tbecker", "salves", "osaid", "jwhitfield"))
    tom.directory_id, tom.directory_dn = DIRECTORY_ID, DIRECTORY_DN
    grace = people["gliu"]
    grace.manager_id, grace.manager_dn = tom.id, DIRECTORY_DN
    shops = db.session.scalars(select(Venture).where(Venture.created_by_id == tom.id)).one()
    shops.problem += " Ask tbecker for the supplier list."
    db.session.add(VentureMember(venture_id=shops.id, person_id=salves.id, role=TeamRole.OWNER))
    _reviews(tom, james, omar, now)
    _learning(tom, people, now)
    _messages(tom, omar, salves, now)
    _jobs(tom, people["amira"], now)
    response = db.session.scalars(select(SurveyResponse).limit(1)).one()
    response.comment = "Tom Becker's pre-orders idea is the best thing this year."
    db.session.flush()
    return Busy(tom, people["amira"], people, now, today)


def _reviews(tom: Person, james: Person, omar: Person, now: datetime) -> None:
    """James reviews Tom's card (the team is told, naming James and the card), and Tom
    reviewed Omar's board with his contact details in the comment."""
    card = db.session.scalars(
        select(Experiment).where(Experiment.owner_id == tom.id).order_by(Experiment.id)
    ).first()
    assert card is not None
    reviews.review_card(
        card,
        tag=ReviewTag.SUPPORT,
        comment="Good test, Tom Becker: talk to procurement first.",
        budget=None,
        version=card.version,
        by=james,
        now=now,
    )
    returns = db.session.scalars(select(Venture).where(Venture.created_by_id == omar.id)).one()
    db.session.add(
        Review(
            venture_id=returns.id,
            reviewer_id=tom.id,
            tag=ReviewTag.CHALLENGE,
            comment="Call me on +44 20 7946 0958 or write to tom.becker@gmail.example; "
            "notes at https://wiki.corp.example/tbecker-notes.",
        )
    )
    db.session.add(
        Notification(
            person_id=omar.id,
            venture_id=returns.id,
            text="Tom Becker reviewed the board ‘Self-service returns’: challenge",
            link=f"/ventures/{returns.id}",
        )
    )


def _learning(tom: Person, people: dict[str, Person], now: datetime) -> None:
    held = _aurora_sessions()[1]
    seat = db.session.scalars(select(HotSeat).where(HotSeat.person_id == tom.id)).one()
    seat.challenge_description += " Reach me at tbecker@corp.example or +49 40 1234 5678."
    db.session.add_all(
        [
            Question(
                hot_seat_id=seat.id,
                asked_by_id=people["dkim"].id,
                text="TOM BECKER, who signs off spending in Finance?",
            ),
            SessionFeedback(
                session_id=held.id,
                person_id=tom.id,
                usefulness=4,
                next_step="Send the survey from https://forms.example/tom to five shops.",
                created_at=now,
            ),
            Action(
                session_id=held.id,
                hot_seat_id=seat.id,
                owner_id=tom.id,
                description="Phone Grace on 030 1234 5678 about the supplier data",
                learning="Suppliers share stock levels by email to tbecker@corp.example.",
                due_on=now.date() + timedelta(days=3),
            ),
        ]
    )
    other_seat = db.session.scalars(select(HotSeat).where(HotSeat.person_id != tom.id)).first()
    assert other_seat is not None  # Set Borealis's
    other_seat.challenge_description = "Tom Becker's team has the data we need."
    db.session.flush()
    db.session.add(
        Question(
            hot_seat_id=seat.id,
            asked_by_id=tom.id,
            text="Could the till vendor help? See www.tills.example/api",
        )
    )
    agenda = held.agenda
    held.agenda = [{**agenda[0], "title": "Warm-up led by Tom Becker"}, *agenda[1:]]


def _messages(tom: Person, omar: Person, salves: Person, now: datetime) -> None:
    """Emails to Tom (sent and waiting) and about him to others, and an in-app message."""
    for status, sent in ((EmailStatus.SENT, now), (EmailStatus.PENDING, None)):
        db.session.add(
            OutgoingEmail(
                person_id=tom.id,
                to_address=tom.email,
                kind=EmailKind.ACTION_REMINDER,
                subject="Tom Becker, your commitment is due",
                text_body="Hello Tom Becker",
                html_body="<p>Hello Tom Becker</p>",
                status=status,
                sent_at=sent,
                next_attempt_at=now,
            )
        )
    db.session.add(
        OutgoingEmail(
            person_id=omar.id,
            to_address=omar.email,
            kind=EmailKind.REVIEW_NOTIFICATION,
            subject="Tom Becker reviewed your board",
            text_body="Tom Becker (tbecker@corp.example) challenged ‘Self-service returns’.",
            html_body="<p>Tom Becker challenged ‘Self-service returns’.</p>",
            next_attempt_at=now,
        )
    )
    db.session.add(Notification(person_id=tom.id, text="Your card was reviewed", link="/ventures/"))
    db.session.add(
        Notification(person_id=salves.id, text="You are now an owner with tom becker.", link="")
    )


def _jobs(tom: Person, admin: Person, now: datetime) -> None:
    job = BackgroundJob(
        task="subject-export",
        arguments={
            "person_id": tom.id,
            "login": "tbecker",
            "people": ["Tom Becker"],
            "directory": DIRECTORY_ID,
        },
        status=JobStatus.SUCCEEDED,
        message=f"Exported the data of Tom Becker ({DIRECTORY_ID}).",
        requested_by_id=admin.id,
        finished_at=now,
    )
    mine = BackgroundJob(task="ventures-export", status=JobStatus.SUCCEEDED, requested_by_id=tom.id)
    db.session.add_all([job, mine])
    db.session.flush()
    # The administrator's copy of Tom's data (a subject access request answered earlier).
    db.session.add(
        ExportFile(
            job_id=job.id,
            person_id=admin.id,
            file_name="data-of-tom.zip",
            content_type="application/zip",
            content=b"Tom Becker tbecker@corp.example",
            size=31,
            expires_at=now + timedelta(days=7),
        )
    )
    db.session.add(
        ExportFile(
            job_id=mine.id,
            person_id=tom.id,
            file_name="ventures.csv",
            content_type="text/csv",
            content=b"Tom Becker",
            size=10,
            expires_at=now + timedelta(days=7),
        )
    )
