"""A commitment from a set becomes an experiment on its owner's board: the loop from
conversation to action to evidence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.experiments import services
from intrapreneur.experiments.models import (
    Experiment,
    TeamRole,
    Venture,
    VentureMember,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Action, LearningSession, SessionFormat
from tests.conftest import csrf_token, sign_in_as
from tests.experiments.builders import learning_set, venture_for

NOW = datetime.now(UTC)


@pytest.fixture
def action(make_person: Callable[..., Person]) -> Action:
    owner = make_person(display_name="Ann Owner")
    session = LearningSession(
        learning_set=learning_set(),
        format=SessionFormat.POWER_HOUR,
        starts_at=NOW - timedelta(days=3),
        ends_at=NOW - timedelta(days=3) + timedelta(hours=1),
        agenda=[],
    )
    db.session.add(session)
    db.session.flush()
    action = Action(
        session_id=session.id,
        owner_id=owner.id,
        description="Ask five shops whether they would pre-order",
        due_on=date.today() + timedelta(days=7),
        learning="Shops plan their stock a month ahead",
    )
    db.session.add(action)
    db.session.commit()
    return action


def _venture(owner: Person, title: str = "Shop pre-orders") -> Venture:
    venture = venture_for(owner, title)
    db.session.commit()
    return venture


def _turn(client: FlaskClient, action: Action, venture_id: int):  # type: ignore[no-untyped-def]
    return client.post(
        f"/commitments/{action.id}/experiment",
        data={"csrf_token": csrf_token(client, "/commitments"), "venture_id": venture_id},
    )


def test_a_commitment_becomes_an_experiment_on_a_new_venture(
    client: FlaskClient, action: Action
) -> None:
    sign_in_as(client, action.owner)
    page = client.get("/commitments").get_data(as_text=True)
    assert "A new venture named after it" in page

    response = _turn(client, action, 0)

    db.session.expire_all()
    experiment = db.session.get(Experiment, action.experiment_id)
    assert experiment is not None
    assert response.status_code == 302 and response.location == f"/experiments/{experiment.id}"
    venture = db.session.get(Venture, experiment.venture_id)
    assert venture is not None and venture.title == action.description
    assert venture.problem == action.learning and venture.visibility is Visibility.PRIVATE
    assert experiment.owner_id == action.owner_id
    role = db.session.scalar(
        select(VentureMember.role).where(VentureMember.venture_id == venture.id)
    )
    assert role is TeamRole.OWNER
    page = client.get("/commitments").get_data(as_text=True)
    assert f'<a href="/experiments/{experiment.id}">{experiment.title}</a>' in page
    assert "Turn into an experiment" not in page


def test_a_commitment_goes_onto_a_board_its_owner_works_on(
    client: FlaskClient, action: Action
) -> None:
    venture = _venture(action.owner)
    sign_in_as(client, action.owner)

    _turn(client, action, venture.id)

    db.session.expire_all()
    experiment = db.session.get(Experiment, action.experiment_id)
    assert experiment is not None and experiment.venture_id == venture.id


def test_a_linked_cards_title_leaves_my_commitments_with_the_board(
    client: FlaskClient, action: Action, make_person: Callable[..., Person]
) -> None:
    """The commitment stays its owner's; the card's title is the venture's content, shown
    only while its board is: taken off a private venture's team, they see neither."""
    colleague = make_person()
    venture = venture_for(colleague, "Someone else's private board")
    db.session.add(
        VentureMember(venture_id=venture.id, person_id=action.owner_id, role=TeamRole.MEMBER)
    )
    db.session.commit()
    sign_in_as(client, action.owner)
    _turn(client, action, venture.id)
    db.session.expire_all()
    assert action.description in client.get("/commitments").get_data(as_text=True)
    title = db.session.get(Experiment, action.experiment_id).title  # type: ignore[union-attr]

    db.session.execute(
        VentureMember.__table__.delete().where(VentureMember.person_id == action.owner_id)
    )
    db.session.commit()

    page = client.get("/commitments").get_data(as_text=True)
    assert title not in page.split("Tested as", 1)[1]
    assert "on a venture board you no longer see" in page
    assert f"/experiments/{action.experiment_id}" not in page
    assert client.get(f"/experiments/{action.experiment_id}").status_code == 404


def test_nobody_turns_someone_elses_commitment_or_uses_someone_elses_board(
    client: FlaskClient, action: Action, make_person: Callable[..., Person]
) -> None:
    stranger = make_person()
    strangers_venture = _venture(stranger, "Not yours")
    db.session.commit()

    sign_in_as(client, stranger)
    assert _turn(client, action, 0).status_code == 404
    sign_in_as(client, action.owner)
    assert _turn(client, action, strangers_venture.id).status_code == 400

    assert db.session.scalar(select(func.count()).select_from(Experiment)) == 0


def test_a_second_try_is_refused_with_a_message(client: FlaskClient, action: Action) -> None:
    sign_in_as(client, action.owner)
    _turn(client, action, 0)
    response = _turn(client, action, 0)
    assert "This commitment is already an experiment." in client.get(response.location).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Experiment)) == 1


def test_my_commitments_reads_the_same_queries_however_many_are_linked(
    client: FlaskClient, action: Action, count_queries: Callable[[], Any]
) -> None:
    owner = action.owner
    venture = _venture(owner)
    sign_in_as(client, owner)

    def measure() -> int:
        with count_queries() as counted:
            assert client.get("/commitments").status_code == 200
        return counted.total

    def link(count: int) -> None:
        for n in range(count):
            extra = Action(
                session_id=action.session_id,
                owner_id=owner.id,
                description=f"A{n}",
                due_on=action.due_on,
            )
            db.session.add(extra)
            db.session.flush()
            services.experiment_from_action(extra, venture, by=owner, now=NOW)
        db.session.commit()

    link(1)
    client.get("/commitments")
    before = measure()
    link(10)
    assert measure() == before
