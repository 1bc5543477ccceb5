"""Reads for programmes, cohorts and sets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from intrapreneur.extensions import db
from intrapreneur.learning.models import LearningSet, SetMembership


def current_sets_of(person_id: int, today: date) -> list[LearningSet]:
    """Sets the person belongs to today or facilitates, with cohort and programme loaded."""
    member_of = select(SetMembership.set_id).where(
        SetMembership.person_id == person_id,
        SetMembership.joined_on <= today,
        or_(SetMembership.left_on.is_(None), SetMembership.left_on >= today),
    )
    statement = (
        select(LearningSet)
        .where(or_(LearningSet.id.in_(member_of), LearningSet.facilitator_id == person_id))
        .order_by(LearningSet.name)
    )
    return list(db.session.scalars(statement).unique())
