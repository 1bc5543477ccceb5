"""Imports every domain's models so that the metadata is complete (Alembic, create_all)."""

from intrapreneur.core.mail_models import EmailPreference, OutgoingEmail
from intrapreneur.core.models import AuditEvent, AuditRetentionCutoff, BackgroundJob
from intrapreneur.culture.models import (
    PrivacyRules,
    SurveyInvitation,
    SurveyResponse,
    SurveyScore,
    SurveyWave,
)
from intrapreneur.experiments.models import (
    Experiment,
    Notification,
    Review,
    Venture,
    VentureMember,
    VentureShare,
)
from intrapreneur.identity.expertise.models import (
    AvailabilityWindow,
    ExpertiseProfile,
    ExpertiseTag,
    ProfileTag,
)
from intrapreneur.identity.models import (
    ApiClient,
    BusinessUnit,
    Department,
    Invitation,
    LocalMfa,
    PasswordReset,
    Person,
    PersonRole,
    RecoveryCode,
)
from intrapreneur.identity.saml_models import SamlRequest, SamlUsedId
from intrapreneur.learning.hacks.models import HackProposedTime, HackRequest
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
from intrapreneur.privacy.models import PrivacySetting
from intrapreneur.search.models import SearchItem

__all__ = [
    "Action",
    "AgendaTemplate",
    "ApiClient",
    "Attendance",
    "AuditEvent",
    "AuditRetentionCutoff",
    "AvailabilityWindow",
    "BackgroundJob",
    "BusinessUnit",
    "Cohort",
    "Department",
    "EmailPreference",
    "Enrolment",
    "Experiment",
    "ExpertiseProfile",
    "ExpertiseTag",
    "HackProposedTime",
    "HackRequest",
    "HotSeat",
    "Invitation",
    "LearningSession",
    "LearningSet",
    "LocalMfa",
    "Notification",
    "OutgoingEmail",
    "PasswordReset",
    "Person",
    "PersonRole",
    "PrivacyRules",
    "PrivacySetting",
    "ProfileTag",
    "Programme",
    "Question",
    "RecoveryCode",
    "Review",
    "SamlRequest",
    "SamlUsedId",
    "SearchItem",
    "SetComposition",
    "SetMembership",
    "SurveyInvitation",
    "SurveyResponse",
    "SurveyScore",
    "SurveyWave",
    "Venture",
    "VentureMember",
    "VentureShare",
]
