"""What a retention run counted and did, per rule, and its summary in words: written for
whoever asked (a job's reader, in their language; the command line's operator)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from intrapreneur.privacy.retention.kinds import Refusal
from intrapreneur.privacy.retention.moments import Moments
from intrapreneur.privacy.settings import RetentionRule

NAMES_SHOWN = 10

DONE: dict[str, Callable[[int], str]] = {
    "deactivated_people": lambda n: ngettext("%(num)d person erased", "%(num)d people erased", n),
    "sent_emails": lambda n: ngettext(
        "%(num)d sent email deleted", "%(num)d sent emails deleted", n
    ),
    "export_files": lambda n: ngettext(
        "%(num)d export file deleted", "%(num)d export files deleted", n
    ),
    "job_rows": lambda n: ngettext("%(num)d job record deleted", "%(num)d job records deleted", n),
    "notifications": lambda n: ngettext(
        "%(num)d notification deleted", "%(num)d notifications deleted", n
    ),
    "tokens": lambda n: ngettext(
        "%(num)d spent invitation, reset link or sign-in record deleted",
        "%(num)d spent invitations, reset links and sign-in records deleted",
        n,
    ),
    "audit_events": lambda n: ngettext(
        "%(num)d audit event deleted", "%(num)d audit events deleted", n
    ),
    "survey_comments": lambda n: ngettext(
        "%(num)d survey comment emptied", "%(num)d survey comments emptied", n
    ),
}
PLANNED: dict[str, Callable[[int], str]] = {
    "deactivated_people": lambda n: ngettext(
        "%(num)d person to erase", "%(num)d people to erase", n
    ),
    "sent_emails": lambda n: ngettext(
        "%(num)d sent email to delete", "%(num)d sent emails to delete", n
    ),
    "export_files": lambda n: ngettext(
        "%(num)d export file to delete", "%(num)d export files to delete", n
    ),
    "job_rows": lambda n: ngettext(
        "%(num)d job record to delete", "%(num)d job records to delete", n
    ),
    "notifications": lambda n: ngettext(
        "%(num)d notification to delete", "%(num)d notifications to delete", n
    ),
    "tokens": lambda n: ngettext(
        "%(num)d spent invitation, reset link or sign-in record to delete",
        "%(num)d spent invitations, reset links and sign-in records to delete",
        n,
    ),
    "audit_events": lambda n: ngettext(
        "%(num)d audit event to delete", "%(num)d audit events to delete", n
    ),
    "survey_comments": lambda n: ngettext(
        "%(num)d survey comment to empty", "%(num)d survey comments to empty", n
    ),
}


@dataclass
class RuleOutcome:
    """One rule in one run: its period and cutoff, what it counted before acting
    (``planned``), what was done, and whose erasure was refused."""

    rule: RetentionRule
    period: int
    cutoff: datetime
    planned: int
    done: int = 0
    refused: list[Refusal] = field(default_factory=list)


@dataclass
class RetentionReport:
    at: Moments
    dry_run: bool
    outcomes: list[RuleOutcome]  # in the settings' order

    @property
    def planned(self) -> int:
        return sum(outcome.planned for outcome in self.outcomes)

    def outcome(self, rule_name: str) -> RuleOutcome:
        return next(outcome for outcome in self.outcomes if outcome.rule.name == rule_name)

    @property
    def refused(self) -> list[Refusal]:
        return [refusal for outcome in self.outcomes for refusal in outcome.refused]

    def describe(self) -> str:
        if self.dry_run:
            counts = ", ".join(PLANNED[o.rule.name](o.planned) for o in self.outcomes)
            text = _("Dry run, nothing changed: %(counts)s.", counts=counts)
        else:
            counts = ", ".join(DONE[o.rule.name](o.done) for o in self.outcomes)
            text = _("Retention rules applied: %(counts)s.", counts=counts)
        return f"{text} {self._refusals()}".strip()

    def _refusals(self) -> str:
        refused = self.refused
        if not refused:
            return ""
        shown = "; ".join(
            _(
                "%(name)s (#%(number)d): %(reasons)s",
                name=refusal.name,
                number=refusal.person_id,
                reasons=" ".join(refusal.reasons),
            )
            for refusal in refused[:NAMES_SHOWN]
        )
        more = len(refused) - NAMES_SHOWN
        if more > 0:
            shown = ngettext(
                "%(names)s and %(num)d more", "%(names)s and %(num)d more", more, names=shown
            )
        if self.dry_run:
            return ngettext(
                "%(num)d person would not be erased: %(people)s.",
                "%(num)d people would not be erased: %(people)s.",
                len(refused),
                people=shown,
            )
        return ngettext(
            "%(num)d person was not erased: %(people)s.",
            "%(num)d people were not erased: %(people)s.",
            len(refused),
            people=shown,
        )
