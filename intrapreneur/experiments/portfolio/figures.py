"""What the sponsor portfolio shows, as values: the filters it was read with and each
figure (``queries.portfolio`` reads them; the page, the PDF and the digest show them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from intrapreneur.experiments.models import Column, Decision, Evidence, Stage

ZERO = Decimal(0)


@dataclass(frozen=True)
class PortfolioFilters:
    cohort_id: int | None = None
    business_unit_id: int | None = None
    since: date | None = None
    until: date | None = None

    def for_audit(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort_id,
            "business_unit": self.business_unit_id,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class Money:
    """An amount of money and of person-days."""

    cost: Decimal = ZERO
    days: Decimal = ZERO


@dataclass(frozen=True)
class Funding:
    requested: Money
    approved: Money  # = released: an approval releases its amount at once
    refused: Money
    awaiting: Money
    approvals: int


@dataclass(frozen=True)
class FundingMonth:
    month: str  # "YYYY-MM"
    requested: Decimal
    approved: Decimal
    requested_so_far: Decimal
    approved_so_far: Decimal


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence | None  # None: no earlier decision behind the release
    releases: int
    approved: Money


@dataclass(frozen=True)
class Decisions:
    decided: int
    counts: dict[Decision, int]
    mean_days: float | None

    def rate(self, decision: Decision) -> float | None:
        return self.counts.get(decision, 0) / self.decided if self.decided else None


@dataclass(frozen=True)
class DecisionMonth:
    month: str
    decided: int
    mean_days: float | None


@dataclass(frozen=True)
class UnitBalance:
    unit: str | None  # None: ventures whose creator's unit is not known
    support: int
    challenge: int

    @property
    def support_share(self) -> float | None:
        total = self.support + self.challenge
        return self.support / total if total else None


@dataclass(frozen=True)
class VentureRow:
    venture_id: int
    title: str
    stage: Stage
    requested: Money
    approved: Money
    decided: int
    kills: int
    pivots: int
    mean_days: float | None


@dataclass(frozen=True)
class Portfolio:
    filters: PortfolioFilters
    by_stage: dict[Stage, int]
    by_column: dict[Column, int]
    funding: Funding
    months: list[FundingMonth]
    evidence: list[EvidenceRow]
    decisions: Decisions
    decision_months: list[DecisionMonth]
    units: list[UnitBalance]
    rows: list[VentureRow] = field(default_factory=list)
    visible: int = 0  # ventures in the filters the reader may see (``rows`` lists LISTED)

    @property
    def ventures(self) -> int:
        return sum(self.by_stage.values())

    @property
    def not_listed(self) -> int:
        """Ventures counted in the figures that the reader may not see: never named."""
        return self.ventures - self.visible
