"""Objects the experiments tests build again and again: a venture, a learning set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from intrapreneur.experiments import services
from intrapreneur.experiments.models import Stage, Venture, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning.models import Cohort, LearningSet, Programme, SetMembership


def venture_for(
    owner: Person,
    title: str = "Shop pre-orders",
    *,
    visibility: Visibility = Visibility.PRIVATE,
    problem: str = "",
    customer: str = "",
    stage: Stage = Stage.PROBLEM,
    now: datetime | None = None,
) -> Venture:
    """A venture started by ``owner`` (its first owner), through the service."""
    return services.create_venture(
        title=title,
        problem=problem,
        customer=customer,
        stage=stage,
        visibility=visibility,
        by=owner,
        now=now or datetime.now(UTC),
    )


def learning_set(
    *members: Person, facilitator: Person | None = None, name: str = "Aurora"
) -> LearningSet:
    """A set of a current cohort with these members since the cohort began."""
    starts_on = date.today() - timedelta(days=60)
    learning_set = LearningSet(
        cohort=Cohort(
            programme=Programme(name=f"Programme of {name}"),
            name="Spring",
            starts_on=starts_on,
            ends_on=date.today() + timedelta(days=90),
        ),
        name=name,
        facilitator=facilitator,
    )
    db.session.add(learning_set)
    for person in members:
        db.session.add(SetMembership(learning_set=learning_set, person=person, joined_on=starts_on))
    db.session.flush()
    return learning_set
