"""Object-level access: people of set A change an id in the URL to set B's object.

Two cohorts, one learning set each. Set A's member, set A's facilitator and the member's
manager ask for every object of set B (the set, a membership, sessions, a hot seat, a
commitment, a venture shared into set B, its team and experiments, a job and a survey wave)
through every route whose URL carries an id. They learn nothing: 404 (or the 403 their role
gets for any id at all), never 200 or 500, and a POST changes nothing in the database.

A route with an id in its URL but no row here fails the suite, as in test_routes.py. A
positive control per route shows the same URL answers 200 to set B's own people, so the 404s
are not broken URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.culture import services as survey_services
from intrapreneur.culture.services import NewWave
from intrapreneur.experiments import queries as experiment_queries
from intrapreneur.experiments import services as experiment_services
from intrapreneur.experiments.models import Experiment, Stage, Venture, VentureShare, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, PersonKind, Role
from intrapreneur.learning.hacks.models import HackProposedTime, HackRequest, HackStatus
from intrapreneur.learning.models import (
    Action,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    SessionFormat,
    SetMembership,
)
from tests.conftest import csrf_token, sign_in_as
from tests.core.test_routes import job_file_url
from tests.learning.builders import session_in


@dataclass
class World:
    """Set A's people and set B's objects (plus set B's people for the positive control)."""

    member_a: Person
    facilitator_a: Person
    manager_a: Person
    member_b: Person
    facilitator_b: Person
    manager_b: Person
    cohort_b: Cohort
    set_b: LearningSet
    membership_b: SetMembership
    session_b: LearningSession
    earlier_session_b: LearningSession
    yesterdays_session_b: LearningSession  # held while set B's member was in it
    hot_seat_b: HotSeat
    action_b: Action
    enrolment_b: Enrolment
    venture_b: Venture
    experiment_b: Experiment
    job_b: str  # the URL of a job of set B's member, which made a file
    wave_b: NewWave
    entrepreneur_b: Person  # a guest entrepreneur set B's member asked for a Hack
    hack_b: HackRequest  # accepted: a Hack session of set B's member and the entrepreneur


def _cohort(programme: Programme, name: str) -> Cohort:
    cohort = Cohort(
        programme=programme,
        name=name,
        starts_on=date.today() - timedelta(days=7),
        ends_on=date.today() + timedelta(days=60),
        capacity=10,
        enrolment_open=True,
    )
    db.session.add(cohort)
    return cohort


def _set(cohort: Cohort, name: str, member: Person, facilitator: Person) -> SetMembership:
    learning_set = LearningSet(cohort=cohort, name=name, facilitator_id=facilitator.id)
    membership = SetMembership(
        learning_set=learning_set, person=member, joined_on=date.today() - timedelta(days=7)
    )
    db.session.add_all(
        [
            learning_set,
            membership,
            Enrolment(cohort=cohort, person=member, status=EnrolmentStatus.ACCEPTED),
        ]
    )
    db.session.flush()
    return membership


def _venture_shared_into(learning_set: LearningSet, owner: Person) -> Venture:
    venture = experiment_services.create_venture(
        title="Set B venture",
        problem="",
        customer="",
        stage=Stage.IDEA,
        visibility=Visibility.SETS,
        by=owner,
        now=datetime.now(UTC),
    )
    db.session.add(VentureShare(venture_id=venture.id, set_id=learning_set.id))
    db.session.flush()
    return venture


@pytest.fixture
def world(make_person: Callable[..., Person]) -> World:
    hr = make_person(Role.HR)
    manager_a, manager_b = make_person(Role.MANAGER), make_person(Role.MANAGER)
    # Set B's survey compares its participants with colleagues of their department: one
    # stranger in a department of set B's own, so nobody of set A is asked by chance.
    department_b = Department(name="Set B department")
    db.session.add(department_b)
    db.session.flush()
    make_person(department_id=department_b.id)
    member_a = make_person(manager_id=manager_a.id)
    member_b = make_person(manager_id=manager_b.id, department_id=department_b.id)
    facilitator_a, facilitator_b = make_person(Role.FACILITATOR), make_person(Role.FACILITATOR)
    programme = Programme(name="Object access programme")
    cohort_a, cohort_b = _cohort(programme, "Cohort A"), _cohort(programme, "Cohort B")
    _set(cohort_a, "Set A", member_a, facilitator_a)
    membership_b = _set(cohort_b, "Set B", member_b, facilitator_b)
    set_b = membership_b.learning_set
    earlier, session_b = session_in(set_b, -14), session_in(set_b, 3)
    yesterdays = session_in(set_b, -1)
    hot_seat_b = HotSeat(
        session_id=session_b.id,
        person=member_b,
        challenge_title="Set B challenge",
        barrier=BarrierCategory.TIME,
    )
    action_b = Action(
        session_id=earlier.id,
        owner_id=member_b.id,
        description="Call ten customers",
        due_on=date.today(),
    )
    enrolment_b = Enrolment(cohort=cohort_b, person=hr, status=EnrolmentStatus.REQUESTED)
    db.session.add_all([hot_seat_b, action_b, enrolment_b])
    db.session.flush()
    venture_b = _venture_shared_into(set_b, member_b)
    experiment_b = experiment_services.create_experiment(
        venture_b,
        experiment_services.CardFields(title="Set B card"),
        owner=member_b,
        by=member_b,
        now=datetime.now(UTC),
    )
    wave_b = survey_services.create_wave(
        title="Set B survey",
        instrument_key="intrapreneur-culture@1.0",
        cohorts=[cohort_b],
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=14),
        seed=1,
        by=hr,
    )
    db.session.flush()
    entrepreneur_b = make_person(kind=PersonKind.GUEST)
    starts = datetime.now(UTC) + timedelta(days=5)
    hack_b = HackRequest(
        requester_id=member_b.id,
        entrepreneur_id=entrepreneur_b.id,
        hot_seat_id=hot_seat_b.id,
        topic="Set B challenge",
        status=HackStatus.ACCEPTED,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=85),
        proposed=[HackProposedTime(starts_at=starts, ends_at=starts + timedelta(minutes=85))],
    )
    db.session.add(hack_b)
    db.session.flush()
    return World(
        member_a=member_a,
        facilitator_a=facilitator_a,
        manager_a=manager_a,
        member_b=member_b,
        facilitator_b=facilitator_b,
        manager_b=manager_b,
        cohort_b=cohort_b,
        set_b=set_b,
        membership_b=membership_b,
        session_b=session_b,
        earlier_session_b=earlier,
        yesterdays_session_b=yesterdays,
        hot_seat_b=hot_seat_b,
        action_b=action_b,
        enrolment_b=enrolment_b,
        venture_b=venture_b,
        experiment_b=experiment_b,
        job_b=job_file_url(member_b).removesuffix("/file"),
        wave_b=wave_b,
        entrepreneur_b=entrepreneur_b,
        hack_b=hack_b,
    )


def _team_member_id(w: World) -> int:
    member = experiment_queries.membership(w.venture_b.id, w.member_b.id)
    assert member is not None
    return member.id


NOT_FOUND, FORBIDDEN = 404, 403
# Set A's people learn nothing of set B's object: the answer for a missing id.
HIDDEN = {"member_a": NOT_FOUND, "facilitator_a": NOT_FOUND, "manager_a": NOT_FOUND}
# Routes their roles may not use at all: the same 403 whatever the id, so it reveals nothing.
ROLE_GATED = {"member_a": FORBIDDEN, "facilitator_a": FORBIDDEN, "manager_a": FORBIDDEN}
# Manager-only review routes: set A's manager is let in by role and learns nothing of the
# board of someone who is not below them.
REVIEWERS = {**ROLE_GATED, "manager_a": NOT_FOUND}
# A cohort's page: facilitators of another cohort learn nothing of it.
COHORT_TEAM = {**ROLE_GATED, "facilitator_a": NOT_FOUND}

# Plausible answers to every form these routes take: the refusal must come before validation.
FORM = {
    "challenge_title": "Borrowed challenge",
    "challenge_description": "Taken from another set",
    "barrier": BarrierCategory.TIME.value,
    "text": "What stops you?",
    "description": "Ship it",
    "due_on": (date.today() + timedelta(days=7)).isoformat(),
    "status": "done",
    "learning": "We learnt",
    "version": "1",
    "column": "running",
    "decision": "persevere",
    "title": "Renamed card",
    "email": "intruder@corp.example",
    "role": "member",
    "set_ids": "1",
    "day": (date.today() + timedelta(days=9)).isoformat(),
    "start": "10:00",
    "session_format": SessionFormat.POWER_HOUR.value,
    "count": "1",
    "confirm": "y",
}

# endpoint → (method, URL of set B's object, answer per set A person, set B person whom the
# same URL lets in — None for routes their roles close to everyone in sets)
Row = tuple[str, Callable[[World], str], dict[str, int], str | None]
TABLE: dict[str, Row] = {
    "sets.detail": ("GET", lambda w: f"/sets/{w.set_b.id}", HIDDEN, "member_b"),
    "set_health.for_set": ("GET", lambda w: f"/sets/{w.set_b.id}/health", HIDDEN, "facilitator_b"),
    "sets.schedule": ("GET", lambda w: f"/sets/{w.set_b.id}/sessions/new", HIDDEN, "facilitator_b"),
    "sets.add_member": ("POST", lambda w: f"/sets/{w.set_b.id}/members", HIDDEN, "facilitator_b"),
    "set_changes.remove": (
        "GET",
        lambda w: f"/memberships/{w.membership_b.id}/remove",
        HIDDEN,
        "facilitator_b",
    ),
    "feedback.answer": (
        "GET",
        lambda w: f"/sessions/{w.yesterdays_session_b.id}/feedback",
        HIDDEN,
        "member_b",
    ),
    "sessions.screen": ("GET", lambda w: f"/sessions/{w.session_b.id}", HIDDEN, "member_b"),
    "calendar.session_file": (
        "GET",
        lambda w: f"/sessions/{w.session_b.id}.ics",
        HIDDEN,
        "member_b",
    ),
    "sessions.edit": ("GET", lambda w: f"/sessions/{w.session_b.id}/edit", HIDDEN, "facilitator_b"),
    "sessions.edit_agenda": (
        "GET",
        lambda w: f"/sessions/{w.session_b.id}/agenda",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.attendance": (
        "POST",
        lambda w: f"/sessions/{w.session_b.id}/attendance",
        HIDDEN,
        "facilitator_b",
    ),
    "sets.cancel_session": (
        "POST",
        lambda w: f"/sessions/{w.session_b.id}/cancel",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.add_hot_seat": (
        "POST",
        lambda w: f"/sessions/{w.session_b.id}/hot-seats",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.review": (
        "POST",
        lambda w: f"/sessions/{w.session_b.id}/review/{w.action_b.id}",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.edit_hot_seat": (
        "GET",
        lambda w: f"/hot-seats/{w.hot_seat_b.id}/edit",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.add_question": (
        "POST",
        lambda w: f"/hot-seats/{w.hot_seat_b.id}/questions",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.add_commitment": (
        "POST",
        lambda w: f"/hot-seats/{w.hot_seat_b.id}/commitments",
        HIDDEN,
        "facilitator_b",
    ),
    "sessions.update_commitment": (
        "POST",
        lambda w: f"/commitments/{w.action_b.id}",
        HIDDEN,
        "member_b",
    ),
    "sessions.experiment_from_commitment": (
        "POST",
        lambda w: f"/commitments/{w.action_b.id}/experiment",
        HIDDEN,
        "member_b",
    ),
    "ventures.board": ("GET", lambda w: f"/ventures/{w.venture_b.id}", HIDDEN, "member_b"),
    "ventures.activity": (
        "GET",
        lambda w: f"/ventures/{w.venture_b.id}/activity",
        HIDDEN,
        "member_b",
    ),
    "ventures.export": (
        "GET",
        lambda w: f"/ventures/{w.venture_b.id}/export.csv",
        HIDDEN,
        "member_b",
    ),
    "lineage.page": ("GET", lambda w: f"/ventures/{w.venture_b.id}/lineage", HIDDEN, "member_b"),
    "ventures.new_card": (
        "GET",
        lambda w: f"/ventures/{w.venture_b.id}/experiments/new",
        HIDDEN,
        "member_b",
    ),
    "ventures.settings": (
        "GET",
        lambda w: f"/ventures/{w.venture_b.id}/settings",
        HIDDEN,
        "member_b",
    ),
    "ventures.add_to_team": (
        "POST",
        lambda w: f"/ventures/{w.venture_b.id}/team",
        HIDDEN,
        "member_b",
    ),
    "ventures.remove_from_team": (
        "POST",
        lambda w: f"/ventures/{w.venture_b.id}/team/{_team_member_id(w)}/remove",
        HIDDEN,
        "member_b",
    ),
    "ventures.share": ("POST", lambda w: f"/ventures/{w.venture_b.id}/shares", HIDDEN, "member_b"),
    "ventures.archive": (
        "POST",
        lambda w: f"/ventures/{w.venture_b.id}/archive",
        HIDDEN,
        "member_b",
    ),
    "ventures.delete": ("POST", lambda w: f"/ventures/{w.venture_b.id}/delete", HIDDEN, "member_b"),
    "reviews.board": (
        "GET",
        lambda w: f"/ventures/{w.venture_b.id}/review",
        REVIEWERS,
        "manager_b",
    ),
    "reviews.review_board": (
        "POST",
        lambda w: f"/ventures/{w.venture_b.id}/review",
        REVIEWERS,
        "manager_b",
    ),
    "ventures.card": ("GET", lambda w: f"/experiments/{w.experiment_b.id}", HIDDEN, "member_b"),
    "ventures.edit_card": (
        "GET",
        lambda w: f"/experiments/{w.experiment_b.id}/edit",
        HIDDEN,
        "member_b",
    ),
    "ventures.move": (
        "POST",
        lambda w: f"/experiments/{w.experiment_b.id}/move",
        HIDDEN,
        "member_b",
    ),
    "ventures.decide": (
        "POST",
        lambda w: f"/experiments/{w.experiment_b.id}/decide",
        HIDDEN,
        "member_b",
    ),
    "reviews.card": (
        "GET",
        lambda w: f"/experiments/{w.experiment_b.id}/review",
        REVIEWERS,
        "manager_b",
    ),
    "reviews.review_card": (
        "POST",
        lambda w: f"/experiments/{w.experiment_b.id}/review",
        REVIEWERS,
        "manager_b",
    ),
    "jobs.detail": ("GET", lambda w: w.job_b, HIDDEN, "member_b"),
    "hacks.from_hot_seat": (
        "GET",
        lambda w: f"/hot-seats/{w.hot_seat_b.id}/hack",
        HIDDEN,
        "member_b",
    ),
    "hacks.from_card": (
        "GET",
        lambda w: f"/experiments/{w.experiment_b.id}/hack",
        HIDDEN,
        "member_b",
    ),
    "hacks.detail": ("GET", lambda w: f"/hacks/{w.hack_b.id}", HIDDEN, "member_b"),
    "hacks.calendar_file": ("GET", lambda w: f"/hacks/{w.hack_b.id}.ics", HIDDEN, "entrepreneur_b"),
    "hacks.accept": ("POST", lambda w: f"/hacks/{w.hack_b.id}/accept", HIDDEN, "entrepreneur_b"),
    "hacks.decline": ("POST", lambda w: f"/hacks/{w.hack_b.id}/decline", HIDDEN, "entrepreneur_b"),
    "jobs.download": ("GET", lambda w: f"{w.job_b}/file", HIDDEN, "member_b"),
    "jobs.retry": ("POST", lambda w: f"/admin{w.job_b}/retry", ROLE_GATED, None),
    "surveys.answer": ("GET", lambda w: f"/surveys/{w.wave_b.wave.id}/answer", HIDDEN, "member_b"),
    "surveys.detail": ("GET", lambda w: f"/surveys/{w.wave_b.wave.id}", ROLE_GATED, None),
    "surveys.close": ("POST", lambda w: f"/surveys/{w.wave_b.wave.id}/close", ROLE_GATED, None),
    "cohorts.detail": ("GET", lambda w: f"/cohorts/{w.cohort_b.id}", COHORT_TEAM, "facilitator_b"),
    "cohorts.decide": (
        "POST",
        lambda w: f"/cohorts/enrolments/{w.enrolment_b.id}/accept",
        COHORT_TEAM,
        "facilitator_b",
    ),
    "set_health.for_cohort": (
        "GET",
        lambda w: f"/cohorts/{w.cohort_b.id}/health",
        ROLE_GATED,
        None,
    ),
    "sets.new": ("GET", lambda w: f"/cohorts/{w.cohort_b.id}/sets/new", ROLE_GATED, None),
    "composer.page": ("GET", lambda w: f"/cohorts/{w.cohort_b.id}/composer", ROLE_GATED, None),
    "composer.propose": ("POST", lambda w: f"/cohorts/{w.cohort_b.id}/composer", ROLE_GATED, None),
    **{
        f"composer.{step}": (
            "POST",
            lambda w, step=step: f"/cohorts/{w.cohort_b.id}/composer/{step}",
            ROLE_GATED,
            None,
        )
        for step in ("move", "lock", "recompute", "publish", "discard")
    },
    "programmes.new_cohort": (
        "GET",
        lambda w: f"/programmes/{w.cohort_b.programme_id}/cohorts/new",
        ROLE_GATED,
        None,
    ),
    **{
        endpoint: (method, lambda w, path=path: path.format(w=w), ROLE_GATED, None)
        for endpoint, method, path in (
            ("programmes.edit_programme", "GET", "/programmes/{w.cohort_b.programme_id}/edit"),
            ("programmes.archive", "POST", "/programmes/{w.cohort_b.programme_id}/archive"),
            ("cohort_settings.edit", "GET", "/cohorts/{w.cohort_b.id}/edit"),
            ("cohort_settings.close", "POST", "/cohorts/{w.cohort_b.id}/close"),
            ("enrolment.remove", "POST", "/cohorts/enrolments/{w.enrolment_b.id}/remove"),
            ("enrolment.people", "GET", "/cohorts/{w.cohort_b.id}/people"),
            ("enrolment.enrol", "POST", "/cohorts/{w.cohort_b.id}/people"),
            ("roster.upload", "GET", "/cohorts/{w.cohort_b.id}/import"),
            ("roster.preview", "POST", "/cohorts/{w.cohort_b.id}/import"),
            ("roster.confirm", "POST", "/cohorts/{w.cohort_b.id}/import/confirm"),
            # Reorganising sets is HR's: the same 403 for any set or membership.
            ("set_changes.facilitator", "GET", "/sets/{w.set_b.id}/facilitator"),
            ("set_changes.move", "GET", "/memberships/{w.membership_b.id}/move"),
            ("set_changes.close", "GET", "/sets/{w.set_b.id}/close"),
            # A guest is nobody's object but HR's: the same 403 for any id.
            ("guests.detail", "GET", "/guests/{w.member_b.id}"),
            ("guests.change_access", "POST", "/guests/{w.member_b.id}/access"),
            ("guests.revoke", "POST", "/guests/{w.member_b.id}/revoke"),
            ("guests.send_again", "POST", "/guests/{w.member_b.id}/invitation"),
            ("guests.withdraw", "POST", "/guests/{w.member_b.id}/invitation/withdraw"),
        )
    },
    "enrolment.decide_many": (
        "POST",
        lambda w: f"/cohorts/{w.cohort_b.id}/decisions",
        COHORT_TEAM,
        "facilitator_b",
    ),
    "admin.revoke_api_client": ("POST", lambda w: "/admin/api-clients/1/revoke", ROLE_GATED, None),
    # Resetting someone's two-step is admins' alone: the same 403 for any person.
    "two_step.reset": ("GET", lambda w: f"/admin/two-step/{w.member_b.id}/reset", ROLE_GATED, None),
    # Asking for someone's data is admins' alone: the same 403 for any person.
    "subject_export.for_person": (
        "POST",
        lambda w: f"/admin/people/{w.member_b.id}/data",
        ROLE_GATED,
        None,
    ),
    # A person's data-protection page and their erasure are admins' alone: 403 for any person.
    "people_admin.detail": ("GET", lambda w: f"/admin/people/{w.member_b.id}", ROLE_GATED, None),
    "people_admin.erase": (
        "POST",
        lambda w: f"/admin/people/{w.member_b.id}/erase",
        ROLE_GATED,
        None,
    ),
}

# Routes whose URL carries something other than an object of a set, and why none is checked.
NOT_AN_OBJECT = {
    # Open cohorts are listed to every employee and joining one is the point of listing it.
    "cohorts.join": "every employee may ask to join any open cohort",
    "cohorts.withdraw": "one's own request or place only (tests/learning/test_enrolment.py)",
    # The secret in the URL is the credential; their own tests try wrong and expired ones.
    "calendar.feed": "secret token (tests/learning calendar tests)",
    "auth.accept_invitation": "secret token (tests/identity invitation tests)",
    "auth.reset_password": "secret token (tests/identity/test_password_reset.py)",
    "surveys.answer_by_token": "secret token (tests/culture survey tests)",
    # Named, organisation-wide things, not objects of a set.
    "agendas.edit": "a session format's name (HR only, test_routes.py)",
    "agendas.reset": "a session format's name (HR only, test_routes.py)",
    "culture_exports.export_in_background": "an export format (HR only, test_routes.py)",
    "static": "a file name",
    # HR's organisation-wide vocabulary of expertise, not an object of a set.
    "expertise.rename": "an expertise tag (HR only, test_routes.py, tests/hacks)",
    "expertise.retire": "an expertise tag (HR only, test_routes.py, tests/hacks)",
    "expertise.restore": "an expertise tag (HR only, test_routes.py, tests/hacks)",
}


def test_every_route_with_a_url_parameter_has_a_row(app: Flask) -> None:
    with_parameters = {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments}
    assert with_parameters == set(TABLE) | set(NOT_AN_OBJECT), (
        "add a row to TABLE (or NOT_AN_OBJECT, saying why) for each route with an id in its URL"
    )


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show a refused POST changed nothing."""
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(select(table)).all()),
        )
        for table in db.metadata.sorted_tables
    }


def _form(client: FlaskClient, method: str, person: Person) -> dict[str, str]:
    """Plausible form data with a real CSRF token: a refusal comes from the object check."""
    if method != "POST":
        return {}
    return {
        **FORM,
        "person_id": str(person.id),
        "asked_by_id": str(person.id),
        "csrf_token": csrf_token(client, "/ventures/new"),
    }


@pytest.mark.parametrize("actor", sorted(HIDDEN))
@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_set_a_learns_nothing_of_set_b(
    endpoint: str, actor: str, world: World, client: FlaskClient
) -> None:
    method, url_of, expected, _ = TABLE[endpoint]
    url = url_of(world)
    person = getattr(world, actor)
    sign_in_as(client, person)
    data = _form(client, method, person)
    before = _snapshot()

    response = client.open(url, method=method, data=data)

    assert response.status_code == expected[actor], response.get_data(as_text=True)[:500]
    if method == "POST":
        db.session.expire_all()
        assert _snapshot() == before


CONTROLS = sorted(endpoint for endpoint, row in TABLE.items() if row[3] is not None)


@pytest.mark.parametrize("endpoint", CONTROLS)
def test_set_b_reaches_its_own_object(endpoint: str, world: World, client: FlaskClient) -> None:
    """Pages answer 200; forms get past the object check (a redirect, or a refusal of the
    borrowed form data, but never 404 or 500)."""
    method, url_of, _, owner = TABLE[endpoint]
    assert owner is not None
    person = getattr(world, owner)
    sign_in_as(client, person)

    response = client.open(url_of(world), method=method, data=_form(client, method, person))

    if method == "GET":
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
    else:
        assert response.status_code in {302, 400, 409, 422}, response.get_data(as_text=True)[:500]
