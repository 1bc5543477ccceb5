"""Managers' reviews: the queue of their reports' waiting cards, support and challenge,
budget decisions, notifications, and who may do any of it."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments import notices, reviews, services
from intrapreneur.experiments.models import (
    Column,
    Experiment,
    Notification,
    Review,
    TeamRole,
    Venture,
    VentureMember,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import csrf_token, sign_in_as
from tests.experiments.builders import venture_for

NOW = datetime.now(UTC)
TODAY = date.today()


def venture_of(owner: Person, title: str = "Green delivery") -> Venture:
    return venture_for(owner, title, problem="Vans run half empty.", now=NOW)


def card(
    venture: Venture,
    owner: Person,
    title: str = "Interview ten shops",
    *,
    waiting_since: datetime | None = NOW,
    cost: str = "0",
    days: str = "0",
) -> Experiment:
    """A card on ``venture``: running since ``waiting_since`` (so waiting for a review), or
    left in the backlog when that is None."""
    fields = services.CardFields(
        title=title,
        hypothesis="Shop owners would share vans.",
        success_criterion="Six of ten say yes.",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=14),
        cost_requested=Decimal(cost),
        days_requested=Decimal(days),
    )
    created = NOW if waiting_since is None else waiting_since
    experiment = services.create_experiment(venture, fields, owner=owner, by=owner, now=created)
    if waiting_since is not None:
        services.move(
            experiment, Column.RUNNING, version=experiment.version, by=owner, now=waiting_since
        )
        db.session.flush()
    return experiment


class Org:
    """Bea manages Mia, who manages Dan; Bea also manages Dina directly. Pete manages Paul,
    a peer's report. Everyone below Bea owns a venture."""

    def __init__(self, make_person: Callable[..., Person]) -> None:
        self.bea = make_person(Role.MANAGER, display_name="Bea Boss")
        self.mia = make_person(Role.MANAGER, display_name="Mia Middle", manager=self.bea)
        self.dan = make_person(display_name="Dan Deep", manager=self.mia)
        self.dina = make_person(display_name="Dina Direct", manager=self.bea)
        self.pete = make_person(Role.MANAGER, display_name="Pete Peer")
        self.paul = make_person(display_name="Paul Peer-Report", manager=self.pete)
        self.dans_venture = venture_of(self.dan, "Dan's van sharing")
        self.dinas_venture = venture_of(self.dina, "Dina's depot")
        self.pauls_venture = venture_of(self.paul, "Paul's parcels")
        db.session.commit()


@pytest.fixture
def org(make_person: Callable[..., Person]) -> Org:
    return Org(make_person)


def signed_in(client: FlaskClient, person: Person) -> FlaskClient:
    sign_in_as(client, person)
    return client


def text(response: Any) -> str:
    """The page as a reader sees its words: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


def review_url(experiment: Experiment) -> str:
    return f"/experiments/{experiment.id}/review"


def post_review(client: FlaskClient, experiment: Experiment, **fields: Any) -> Any:
    data = {
        "csrf_token": csrf_token(client, review_url(experiment)),
        "version": experiment.version,
        "tag": "support",
        "comment": "Good test: cheap and fast.",
        **fields,
    }
    return client.post(review_url(experiment), data=data)


def fresh(experiment: Experiment) -> Experiment:
    db.session.expire_all()
    return db.session.get(Experiment, experiment.id)  # type: ignore[return-value]


def reviews_of(experiment: Experiment) -> list[Review]:
    db.session.expire_all()
    return reviews.reviews_of_card(experiment.id)


# -- the queue ------------------------------------------------------------------------------


def test_queue_lists_direct_and_indirect_reports_waiting_cards_oldest_first(
    client: FlaskClient, org: Org
) -> None:
    card(org.dinas_venture, org.dina, "Dina's recent card", waiting_since=NOW - timedelta(hours=5))
    card(org.dans_venture, org.dan, "Dan's old card", waiting_since=NOW - timedelta(days=3))
    card(org.dans_venture, org.dan, "Dan's backlog card", waiting_since=None)
    card(org.pauls_venture, org.paul, "Paul's card", waiting_since=NOW - timedelta(days=9))
    db.session.commit()

    page = text(signed_in(client, org.bea).get("/reviews"))

    assert page.index("Dan's old card") < page.index("Dina's recent card")
    assert "3 days" in page and "5 hours" in page
    assert "Newly running" in page and "Dan's van sharing" in page and "Dan Deep" in page
    assert "backlog card" not in page
    assert "Paul" not in page


def test_queue_says_why_a_card_waits(client: FlaskClient, org: Org) -> None:
    asking = card(org.dans_venture, org.dan, "Asks for money", waiting_since=None, cost="1500")
    decided = card(org.dans_venture, org.dan, "Decided card")
    services.decide(
        decided,
        services.LearningCard("Four said yes", "Not yet", "4 of 10", services.Decision.KILL),
        version=decided.version,
        by=org.dan,
        now=NOW,
    )
    db.session.commit()

    page = text(signed_in(client, org.bea).get("/reviews"))

    assert asking.review_requested_at is not None
    assert "Asks for 1,500.00 in money" in page
    assert "Decided: kill" in page


def test_a_peer_manager_sees_none_of_them_and_cannot_open_the_review(
    client: FlaskClient, org: Org
) -> None:
    dans = card(org.dans_venture, org.dan, "Dan's card")
    db.session.commit()
    signed_in(client, org.pete)

    assert "Dan's card" not in text(client.get("/reviews"))
    assert client.get(review_url(dans)).status_code == 404
    assert client.get(f"/ventures/{org.dans_venture.id}/review").status_code == 404


def test_a_manager_on_the_team_does_not_review_it(client: FlaskClient, org: Org) -> None:
    db.session.add(
        VentureMember(venture_id=org.dans_venture.id, person_id=org.bea.id, role=TeamRole.MEMBER)
    )
    dans = card(org.dans_venture, org.dan, "Dan's card")
    db.session.commit()
    signed_in(client, org.bea)

    assert "Dan's card" not in text(client.get("/reviews"))
    assert client.get(review_url(dans)).status_code == 404


def test_an_employee_who_is_not_a_manager_cannot_review_or_approve(
    client: FlaskClient, org: Org, make_person: Callable[..., Person]
) -> None:
    asking = card(org.dans_venture, org.dan, "Asks for money", cost="800")
    colleague = make_person(display_name="Ed Employee")
    db.session.commit()
    signed_in(client, colleague)

    assert client.get("/reviews").status_code == 403
    assert client.get(review_url(asking)).status_code == 403
    data = {"tag": "support", "comment": "Yes", "budget": "approve", "approved_cost": "800"}
    response = client.post(
        review_url(asking), data={"csrf_token": csrf_token(client, "/notifications"), **data}
    )
    assert response.status_code == 403
    assert fresh(asking).budget_approved is None
    assert reviews_of(asking) == []


# -- reviews and budgets --------------------------------------------------------------------


def test_the_review_page_shows_the_card_and_its_earlier_reviews(
    client: FlaskClient, org: Org
) -> None:
    dans = card(org.dans_venture, org.dan, "Dan's card", cost="300", days="2")
    db.session.commit()
    signed_in(client, org.bea)
    post_review(client, dans, tag="challenge", comment="Who exactly?", budget="later")

    page = text(client.get(review_url(dans)))

    assert "Shop owners would share vans." in page and "Six of ten say yes." in page
    assert "300.00 in money and 2 person-days (not decided yet)" in page
    assert "Who exactly?" in page and "challenge" in page
    assert 'name="approved_cost"' in page and 'value="300.00"' in page


def test_support_and_challenge_balance(client: FlaskClient, org: Org) -> None:
    cards = [card(org.dans_venture, org.dan, f"Card {n}") for n in range(3)]
    db.session.commit()
    signed_in(client, org.bea)
    for experiment, tag in zip(cards, ["support", "challenge", "support"], strict=True):
        assert post_review(client, experiment, tag=tag).status_code == 302

    assert reviews.balance_of(org.bea.id) == reviews.Balance(support=2, challenge=1)
    page = text(client.get("/reviews"))
    assert "2 support and 1 challenge" in page and "67% support, 33% challenge" in page
    assert "in equal measure" in page


def test_approving_records_the_amounts_sums_them_per_venture_and_ends_the_wait(
    client: FlaskClient, org: Org
) -> None:
    first = card(org.dans_venture, org.dan, "First step", cost="1000", days="5")
    asked = first.review_requested_at = NOW - timedelta(hours=2)
    second = card(org.dans_venture, org.dan, "Second step", cost="400", days="2")
    db.session.commit()
    signed_in(client, org.bea)

    before = datetime.now(UTC)
    response = post_review(client, first, budget="approve", approved_cost="600", approved_days="3")
    after = datetime.now(UTC)
    post_review(client, second, budget="approve", approved_cost="400", approved_days="2")

    assert response.status_code == 302
    approved = fresh(first)
    assert approved.budget_approved is True and approved.review_requested_at is None
    [review] = reviews_of(first)
    assert (review.budget_approved, review.approved_cost, review.approved_days) == (
        True,
        Decimal("600.00"),
        Decimal("3.0"),
    )
    # Two hours before the request, measured on the clock the review read (however long
    # the suite took to get here on a busy machine).
    waited = review.waited_seconds
    assert waited is not None
    assert int((before - asked).total_seconds()) <= waited <= (after - asked).total_seconds()
    totals = reviews.approved_totals([org.dans_venture.id, org.dinas_venture.id])
    assert totals == {
        org.dans_venture.id: (Decimal("1000.00"), Decimal("5.0")),
        org.dinas_venture.id: (Decimal(0), Decimal(0)),
    }
    assert "1,000.00 in money and 5 person-days" in text(client.get(review_url(first)))
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "review.created").limit(1)
    )


def test_refusing_records_the_refusal(client: FlaskClient, org: Org) -> None:
    asking = card(org.dans_venture, org.dan, "Asks", cost="1000", days="5")
    db.session.commit()
    signed_in(client, org.bea)

    post_review(client, asking, tag="challenge", budget="refuse", approved_cost="1000")

    refused = fresh(asking)
    assert refused.budget_approved is False and refused.review_requested_at is None
    [review] = reviews_of(asking)
    assert review.budget_approved is False and review.approved_cost == 0
    assert reviews.approved_totals([org.dans_venture.id])[org.dans_venture.id] == (0, 0)


def test_no_decision_now_keeps_the_card_waiting(client: FlaskClient, org: Org) -> None:
    asking = card(org.dans_venture, org.dan, "Asks", cost="1000")
    db.session.commit()

    post_review(signed_in(client, org.bea), asking, budget="later")

    assert fresh(asking).budget_approved is None
    assert fresh(asking).review_requested_at is not None
    assert len(reviews_of(asking)) == 1


def test_approving_more_than_requested_is_refused_and_nothing_is_saved(
    client: FlaskClient, org: Org
) -> None:
    asking = card(org.dans_venture, org.dan, "Asks", cost="1000", days="5")
    db.session.commit()

    response = post_review(
        signed_in(client, org.bea),
        asking,
        budget="approve",
        approved_cost="1500",
        approved_days="5",
    )

    assert response.status_code == 422
    assert "You can approve at most the 1,000.00 in money that was requested." in text(response)
    assert fresh(asking).budget_approved is None
    assert reviews_of(asking) == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"approved_cost": "-5"}, "The money approved cannot be negative."),
        # Found by the form fuzzer: a NaN broke the comparison with zero (a 500).
        ({"approved_cost": "NaN"}, "Not a valid decimal value."),
        ({"approved_days": "sNaN"}, "Not a valid decimal value."),
        ({"approved_days": ""}, "Give the amount you approve (0 for none)."),
        ({"approved_days": "9"}, "You can approve at most the 5 person-days that were requested."),
        ({"comment": ""}, "Write a comment"),
        ({"comment": "x" * 5001}, "5000 characters or fewer (it has 5001)"),
        ({"tag": ""}, "Choose support or challenge."),
    ],
)
def test_bad_input_is_refused_with_a_message(
    client: FlaskClient, org: Org, fields: dict[str, str], message: str
) -> None:
    asking = card(org.dans_venture, org.dan, "Asks", cost="1000", days="5")
    db.session.commit()
    data = {"budget": "approve", "approved_cost": "100", "approved_days": "1", **fields}

    response = post_review(signed_in(client, org.bea), asking, **data)

    assert response.status_code == 422
    assert message in text(response)
    assert reviews_of(asking) == []


def test_a_changed_card_is_not_reviewed_from_a_stale_copy(client: FlaskClient, org: Org) -> None:
    asking = card(org.dans_venture, org.dan, "Asks", cost="1000")
    db.session.commit()

    response = post_review(
        signed_in(client, org.bea),
        asking,
        version=asking.version - 1,
        budget="approve",
        approved_cost="1000",
        approved_days="0",
    )

    assert response.status_code == 409
    assert "Someone else changed this card" in text(response)
    assert reviews_of(asking) == []


def test_a_board_review_has_no_card_and_no_budget(client: FlaskClient, org: Org) -> None:
    url = f"/ventures/{org.dans_venture.id}/review"
    signed_in(client, org.bea)

    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "tag": "challenge", "comment": "Why vans?"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    [review] = reviews.reviews_of_board(org.dans_venture.id)
    assert review.experiment_id is None and review.budget_approved is None
    assert "Why vans?" in text(client.get(url))
    [told] = db.session.scalars(select(Notification).where(Notification.person_id == org.dan.id))
    assert told.text == "Bea Boss reviewed the board ‘Dan's van sharing’: challenge"


# -- notifications --------------------------------------------------------------------------


def test_the_owner_and_the_venture_owners_are_told(
    client: FlaskClient, org: Org, make_person: Callable[..., Person]
) -> None:
    teammate = make_person(display_name="Tia Teammate", manager=org.dan)
    db.session.add(
        VentureMember(venture_id=org.dans_venture.id, person_id=teammate.id, role=TeamRole.MEMBER)
    )
    teammates_card = card(org.dans_venture, teammate, "Tia's card")
    db.session.commit()

    post_review(signed_in(client, org.bea), teammates_card)

    told = db.session.scalars(select(Notification).order_by(Notification.person_id)).all()
    assert {n.person_id for n in told} == {org.dan.id, teammate.id}
    assert {n.text for n in told} == {"Bea Boss reviewed ‘Tia's card’: support"}
    assert {n.link for n in told} == {f"/experiments/{teammates_card.id}"}

    signed_in(client, teammate)
    page = text(client.get("/notifications"))
    assert "1 unread" in page and "Unread" in page
    assert f'href="/experiments/{teammates_card.id}"' in page


def test_a_notification_about_a_venture_follows_the_ventures_visibility(
    client: FlaskClient, org: Org, make_person: Callable[..., Person]
) -> None:
    """A review's notification carries the card's title and the reviewer's verdict: once its
    reader is taken off a private venture's team, it is listed and counted no more."""
    teammate = make_person(display_name="Tia Teammate")
    membership = VentureMember(
        venture_id=org.dans_venture.id, person_id=teammate.id, role=TeamRole.OWNER
    )
    db.session.add(membership)
    post_review(signed_in(client, org.bea), card(org.dans_venture, org.dan, "Quiet card"))
    signed_in(client, teammate)
    assert "Quiet card" in text(client.get("/notifications"))

    db.session.delete(membership)
    db.session.commit()
    assert "Quiet card" not in text(client.get("/notifications"))
    assert reviews.unread_count(teammate, date.today()) == 0

    org.dans_venture.visibility = Visibility.ORGANISATION
    db.session.commit()
    assert "Quiet card" in text(client.get("/notifications"))


def test_mark_all_read(client: FlaskClient, org: Org) -> None:
    for n in range(3):
        notices.notify(org.dan.id, f"Note {n}", "/reviews")
    notices.notify(org.dina.id, "Someone else's note")
    db.session.commit()
    signed_in(client, org.dan)

    response = client.post(
        "/notifications/read", data={"csrf_token": csrf_token(client, "/notifications")}
    )

    assert response.status_code == 302
    assert reviews.unread_count(org.dan, date.today()) == 0
    assert reviews.unread_count(org.dina, date.today()) == 1
    page = text(client.get("/notifications"))
    assert "Note 2" in page and "Unread" not in page


def test_markdown_in_comments_is_sanitised(client: FlaskClient, org: Org) -> None:
    dans = card(org.dans_venture, org.dan, "Dan's card")
    db.session.commit()
    signed_in(client, org.bea)
    comment = (
        "**Bold** idea <script>alert(1)</script> "
        '[click](javascript:alert(2)) <img src=x onerror="alert(3)">'
    )

    post_review(client, dans, comment=comment)
    page = client.get(review_url(dans)).get_data(as_text=True)

    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "<img" not in page


# -- cost -----------------------------------------------------------------------------------


def test_the_queue_costs_the_same_statements_however_many_reports_and_cards(
    client: FlaskClient, org: Org, make_person: Callable[..., Person], count_queries: Any
) -> None:
    card(org.dans_venture, org.dan, "One")
    db.session.commit()
    signed_in(client, org.bea)
    with count_queries() as small:
        client.get("/reviews")

    for n in range(12):
        report = make_person(display_name=f"Report {n}", manager=org.mia if n % 2 else org.dan)
        venture = venture_of(report, f"Venture {n}")
        card(venture, report, f"Card {n}a")
        card(venture, report, f"Card {n}b", cost="100")
    db.session.commit()
    with count_queries() as large:
        page = text(client.get("/reviews"))

    assert "Card 11b" in page and "Card 0a" in page
    assert large.total == small.total <= 7  # the navigation: unread notifications, open surveys
