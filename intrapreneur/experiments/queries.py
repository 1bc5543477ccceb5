"""Reads for ventures and their boards: teams, who may see what, cards and lineage."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from intrapreneur.experiments.models import (
    Experiment,
    Review,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
)
from intrapreneur.extensions import db
from intrapreneur.identity import queries as people
from intrapreneur.learning.models import LearningSet, SetMembership


def team_of(venture_id: int) -> list[VentureMember]:
    return list(
        db.session.scalars(
            select(VentureMember)
            .where(VentureMember.venture_id == venture_id)
            .order_by(VentureMember.role.desc(), VentureMember.id)
        )
    )


def team_role(venture_id: int, person_id: int) -> TeamRole | None:
    return db.session.scalar(
        select(VentureMember.role).where(
            VentureMember.venture_id == venture_id, VentureMember.person_id == person_id
        )
    )


def shared_with(venture_id: int, person_id: int, today: date) -> bool:
    """Is the venture shared into a set this person is in today, or facilitates?"""
    member = (
        select(SetMembership.set_id)
        .where(
            SetMembership.person_id == person_id,
            SetMembership.joined_on <= today,
            (SetMembership.left_on.is_(None)) | (SetMembership.left_on > today),
        )
        .union(select(LearningSet.id).where(LearningSet.facilitator_id == person_id))
    )
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    VentureShare.venture_id == venture_id, VentureShare.set_id.in_(member)
                )
            )
        )
    )


def manages_team(person_id: int, venture_id: int) -> bool:
    """Is this person above any team member in the management chain (at any depth)?"""
    team = [m.person_id for m in team_of(venture_id)]
    chains = people.management_chains(team)
    return any(person_id in chain for chain in chains.values()) and person_id not in team


def shared_set_ids(venture_id: int) -> list[int]:
    return list(
        db.session.scalars(select(VentureShare.set_id).where(VentureShare.venture_id == venture_id))
    )


def experiments_of(venture_id: int) -> list[Experiment]:
    return list(
        db.session.scalars(
            select(Experiment).where(Experiment.venture_id == venture_id).order_by(Experiment.id)
        )
    )


def has_experiments(venture_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Experiment.venture_id == venture_id))))


def has_reviews(venture_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Review.venture_id == venture_id))))


def venture_of(experiment_id: int) -> Venture | None:
    return db.session.scalar(
        select(Venture)
        .join(Experiment, Experiment.venture_id == Venture.id)
        .where(Experiment.id == experiment_id)
    )
