"""Imports every domain's models so that the metadata is complete (Alembic, create_all)."""

from intrapreneur.core.models import AuditEvent
from intrapreneur.identity.models import Department, Invitation, Person, PersonRole
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    LearningSession,
    LearningSet,
    Programme,
    SetMembership,
)

__all__ = [
    "AuditEvent",
    "Cohort",
    "Department",
    "Enrolment",
    "Invitation",
    "LearningSession",
    "LearningSet",
    "Person",
    "PersonRole",
    "Programme",
    "SetMembership",
]
