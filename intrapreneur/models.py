"""Imports every domain's models so that the metadata is complete (Alembic, create_all)."""

from intrapreneur.core.models import AuditEvent
from intrapreneur.identity.models import Department, Invitation, Person, PersonRole
from intrapreneur.learning.models import (
    Action,
    AgendaTemplate,
    Attendance,
    Cohort,
    Enrolment,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    Question,
    SetComposition,
    SetMembership,
)

__all__ = [
    "Action",
    "AgendaTemplate",
    "Attendance",
    "AuditEvent",
    "Cohort",
    "Department",
    "Enrolment",
    "HotSeat",
    "Invitation",
    "LearningSession",
    "LearningSet",
    "Person",
    "PersonRole",
    "Programme",
    "Question",
    "SetComposition",
    "SetMembership",
]
