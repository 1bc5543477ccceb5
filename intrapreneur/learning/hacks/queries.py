"""Reads: each person's Hacks (asked and received), and HR's figures, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from intrapreneur.core.sql import count_if, days_between
from intrapreneur.extensions import db
from intrapreneur.identity.expertise.models import ExpertiseTag
from intrapreneur.learning.hacks.models import HackRequest, HackStatus


def asked_by(person_id: int) -> Select[tuple[HackRequest]]:
    return (
        select(HackRequest)
        .where(HackRequest.requester_id == person_id)
        .order_by(HackRequest.created_at.desc(), HackRequest.id.desc())
    )


def asked_of(person_id: int) -> Select[tuple[HackRequest]]:
    """Waiting requests first, then the rest, newest first."""
    return (
        select(HackRequest)
        .where(HackRequest.entrepreneur_id == person_id)
        .order_by(
            (HackRequest.status == HackStatus.REQUESTED).desc(),
            HackRequest.created_at.desc(),
            HackRequest.id.desc(),
        )
    )


def accepted_for(person_id: int) -> Select[tuple[HackRequest]]:
    """The Hack sessions a person is in, as requester or entrepreneur."""
    return select(HackRequest).where(
        HackRequest.status == HackStatus.ACCEPTED,
        or_(HackRequest.requester_id == person_id, HackRequest.entrepreneur_id == person_id),
    )


@dataclass(frozen=True)
class HackFigures:
    requests: int
    accepted: int
    declined: int
    waiting: int
    hours_to_answer: float | None  # mean, over answered requests

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among answered, in percent."""
        answered = self.accepted + self.declined
        return None if not answered else round(100 * self.accepted / answered, 1)


@dataclass(frozen=True)
class TagDemand:
    name: str
    retired: bool
    requests: int
    accepted: int


def figures() -> HackFigures:
    row = db.session.execute(
        select(
            func.count(HackRequest.id),
            count_if(HackRequest.status == HackStatus.ACCEPTED),
            count_if(HackRequest.status == HackStatus.DECLINED),
            count_if(HackRequest.status == HackStatus.REQUESTED),
            func.avg(days_between(HackRequest.created_at, HackRequest.answered_at)),
        )
    ).one()
    hours = None if row[4] is None else round(float(row[4]) * 24, 1)
    return HackFigures(int(row[0]), int(row[1]), int(row[2]), int(row[3]), hours)


def tag_demand() -> list[TagDemand]:
    """How often each expertise was asked for (requests naming it), most asked first; every
    tag of the vocabulary is listed, never asked ones with 0."""
    rows = db.session.execute(
        select(
            ExpertiseTag.name,
            ExpertiseTag.retired_at.is_not(None),
            func.count(HackRequest.id),
            count_if(HackRequest.status == HackStatus.ACCEPTED),
        )
        .outerjoin(HackRequest, HackRequest.expertise_tag_id == ExpertiseTag.id)
        .group_by(ExpertiseTag.id, ExpertiseTag.name, ExpertiseTag.retired_at)
        .order_by(func.count(HackRequest.id).desc(), func.lower(ExpertiseTag.name))
    ).all()
    return [
        TagDemand(name, bool(retired), int(asked), int(yes)) for name, retired, asked, yes in rows
    ]
