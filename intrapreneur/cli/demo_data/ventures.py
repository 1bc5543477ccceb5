"""The demo ventures: two boards with a card in every column, a pivot with its child, a kill,
an overdue card and a request for money waiting for the owner's managers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from intrapreneur.cli.demo_data.summary import SeedSummary
from intrapreneur.experiments import services as experiments
from intrapreneur.experiments.models import (
    Column,
    Decision,
    Experiment,
    Stage,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import LearningSet


def seed_ventures(summary: SeedSummary, people: dict[str, Person], today: date) -> None:
    """Two ventures whose boards have a card in every column, a pivot with its child, a
    kill, an overdue card and a request for money waiting for the owner's managers."""
    if db.session.scalar(select(Venture.id).limit(1)) is not None:
        return
    tom, omar = people["tbecker"], people["osaid"]
    start = datetime.combine(today - timedelta(days=40), time(9), tzinfo=UTC)

    def day(n: int) -> datetime:
        return start + timedelta(days=n)

    shops = experiments.create_venture(
        title="Pre-orders for independent shops",
        problem="Shops order stock too late and run out in **peak weeks**.",
        customer="Owners of independent shops with 1–10 staff",
        stage=Stage.SOLUTION,
        visibility=Visibility.SETS,
        by=tom,
        now=day(0),
    )
    aurora = db.session.scalar(select(LearningSet).where(LearningSet.name == "Set Aurora"))
    if aurora is not None:
        db.session.add(VentureShare(venture_id=shops.id, set_id=aurora.id))
    db.session.add(
        VentureMember(
            venture_id=shops.id,
            person_id=people["leo@santos-labs.example"].id,
            role=TeamRole.MEMBER,
        )
    )
    interviews = _decided_card(
        shops,
        tom,
        day(1),
        day(12),
        Decision.PIVOT,
        title="Interviews with ten shop owners",
        learning="They want pre-orders from *their* customers, not from us.",
    )
    child = db.session.scalar(select(Experiment).where(Experiment.parent_id == interviews.id))
    if child is not None:
        _run(child, tom, day(14), today, cost=Decimal(400))
    _decided_card(
        shops,
        tom,
        day(2),
        day(9),
        Decision.KILL,
        title="Landing page for a shop marketplace",
        learning="Nobody signed up in two weeks: no pull for a marketplace.",
    )
    overdue = seed_card(shops, tom, day(5), "Will suppliers share stock levels?")
    _run(overdue, tom, day(6), today - timedelta(days=3))
    experiments.move(overdue, Column.ANALYSING, version=overdue.version, by=tom, now=day(30))
    seed_card(shops, tom, day(20), "Which price per pre-order would shops accept?")
    designing = seed_card(shops, tom, day(21), "Can the till system export orders?")
    experiments.move(designing, Column.DESIGNING, version=designing.version, by=tom, now=day(22))
    returns = experiments.create_venture(
        title="Self-service returns",
        problem="Customers wait on the phone to return faulty items.",
        customer="Retail customers who bought online",
        stage=Stage.PROBLEM,
        visibility=Visibility.ORGANISATION,
        by=omar,
        now=day(3),
    )
    _run(
        seed_card(returns, omar, day(4), "Would customers print their own label?"),
        omar,
        day(5),
        today + timedelta(days=10),
    )
    db.session.flush()
    for _ in (shops, returns):
        summary.count(Venture.__tablename__)


def seed_card(venture: Venture, owner: Person, now: datetime, title: str) -> Experiment:
    fields = experiments.CardFields(
        title=title,
        hypothesis=f"We believe that the answer to “{title}” is yes.",
        test="To verify that, we will ask and watch ten people.",
        metric="and measure how many say yes and act on it.",
    )
    return experiments.create_experiment(venture, fields, owner=owner, by=owner, now=now)


def _run(
    experiment: Experiment, owner: Person, now: datetime, ends_on: date, cost: Decimal = Decimal(0)
) -> None:
    fields = experiments.CardFields(
        title=experiment.title,
        hypothesis=experiment.hypothesis,
        test=experiment.test,
        metric=experiment.metric,
        success_criterion="We are right if at least three of ten say yes and act on it.",
        starts_on=now.date(),
        ends_on=ends_on,
        cost_requested=cost,
    )
    experiments.update_experiment(experiment, fields, version=experiment.version, by=owner, now=now)
    db.session.flush()
    experiments.move(experiment, Column.RUNNING, version=experiment.version, by=owner, now=now)
    db.session.flush()


def _decided_card(
    venture: Venture,
    owner: Person,
    started: datetime,
    decided: datetime,
    decision: Decision,
    *,
    title: str,
    learning: str,
) -> Experiment:
    experiment = seed_card(venture, owner, started, title)
    _run(experiment, owner, started, decided.date())
    card = experiments.LearningCard(
        observation="Ten conversations, notes in the team folder.",
        learning=learning,
        evidence_data="10 interviews; 7 said the same thing unprompted",
        decision=decision,
    )
    experiments.decide(experiment, card, version=experiment.version, by=owner, now=decided)
    db.session.flush()
    return experiment
