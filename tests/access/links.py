"""Survey waves, the links and tokens that stand in for a signed-in person (calendar feeds,
survey links, guest invitations, password resets, API tokens) and background jobs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from intrapreneur.core import jobs
from intrapreneur.core.models import BackgroundJob, ExportFile, JobStatus
from intrapreneur.culture import services as surveys
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens, invitations, password_resets
from intrapreneur.identity.models import ApiScope, Person
from intrapreneur.learning import services as learning
from intrapreneur.learning.models import Cohort
from tests.access.facts import PersonFacts, WaveFacts, World

INSTRUMENT = "intrapreneur-culture@1.0"
# Everyone whose calendar feed is walked: each signed-in persona, and the one switched off.
FEED_HOLDERS = (
    "member_a",
    "outsider",
    "leaver",
    "facilitator_a",
    "manager_with",
    "manager_without",
    "hr",
    "admin",
    "guest_a",
    "guest_ended",
    "gone",
)


def seed(world: World) -> None:
    _surveys(world, world.today)
    _tokens(world, world.now)
    _jobs(world, world.now)
    db.session.flush()


def _surveys(world: World, today: date) -> None:
    """A wave that closed (and is published) and one open now, both of the current cohort."""
    cohort = db.session.get(Cohort, world.cohorts["current"])
    assert cohort is not None
    for name, opens, closes, seed in (("closed", -60, -30, 1), ("open", -1, 14, 2)):
        made = surveys.create_wave(
            title=world.mark("wave", name, "title"),
            instrument_key=INSTRUMENT,
            cohorts=[cohort],
            opens_on=today + timedelta(days=opens),
            closes_on=today + timedelta(days=closes),
            seed=seed,
            by=world.people["hr"],
        )
        tokens = {world.name_of(person_id): token for person_id, token in made.tokens.items()}
        world.waves[name] = WaveFacts(made.wave.id, open=closes >= 0, tokens=tokens)
    db.session.flush()
    surveys.publish_closed_waves(today)


def _tokens(world: World, now: datetime) -> None:
    for name in FEED_HOLDERS:
        world.calendar_tokens[name] = learning.reset_calendar_token(world.people[name])
    # Guests invited and not yet in: one still welcome, one whose access ended before they
    # accepted, one whose account HR switched off.
    for name in ("guest_pending", "guest_lapsed", "guest_off"):
        invitation, token = invitations.invite_guest(
            email=f"{name}@guests.example",
            display_name=f"{name} person",
            access_ends_on=now.date() + timedelta(days=30),
            invited_by=world.people["hr"],
            now=now,
        )
        db.session.flush()
        guest = invitation.person
        world.people[name] = guest
        world.persons[name] = PersonFacts(guest.id, True, guest.role_names)
        world.invitation_tokens[name] = token
    _end_access(world, "guest_lapsed", now.date() - timedelta(days=1))
    world.people["guest_off"].active = world.persons["guest_off"].active = False
    for name in ("guest_a", "guest_ended"):
        _, world.reset_tokens[name] = password_resets.issue_link(world.people[name], now)
    for name, creator in (("live", "admin"), ("revoked", "admin"), ("gone", "gone")):
        client, token = api_tokens.create_api_client(
            name=world.mark("api_client", name, "name"),
            scope=ApiScope.CULTURE_READ,
            by=world.people[creator],
            now=now,
        )
        if name == "revoked":
            api_tokens.revoke_api_client(client, by=world.people[creator], now=now)
        world.api_tokens[name] = (token, creator, name == "revoked")


def _end_access(world: World, name: str, on: date) -> None:
    person: Person = world.people[name]
    person.access_ends_on = world.persons[name].access_ends_on = on


def _jobs(world: World, now: datetime) -> None:
    """HR's finished export with its file; an admin's queued sync; the waves' invitations."""
    export = jobs.record(
        "culture-export",
        {"export_format": "csv"},
        max_attempts=1,
        requested_by=world.people["hr"],
    )
    export.status = JobStatus.SUCCEEDED
    content = world.mark("job_file", "export", "content")
    db.session.add(
        ExportFile(
            job_id=export.id,
            person_id=world.persons["hr"].id,
            file_name=f"{world.mark('job_file', 'export', 'name')}.csv",
            content_type="text/csv",
            content=f"figure\r\n{content}\r\n".encode(),
            size=len(content) + 8,
            expires_at=now + timedelta(days=7),
        )
    )
    jobs.record(
        "directory-sync", {"dry_run": True}, max_attempts=1, requested_by=world.people["admin"]
    )
    db.session.flush()
    # Every job the seeding made, the waves' own included: who asked, and whether a file
    # is waiting for them.
    with_file = set(db.session.scalars(select(ExportFile.job_id)))
    for job_id, requester in db.session.execute(
        select(BackgroundJob.id, BackgroundJob.requested_by_id)
    ):
        owner = world.name_of(requester) if requester is not None else None
        world.jobs[job_id] = (owner, job_id in with_file)
