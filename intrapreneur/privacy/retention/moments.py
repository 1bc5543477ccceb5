"""From when each retention rule removes data: a period in days, months or years counted
back from the run's moment, in UTC."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from intrapreneur.privacy.settings import RETENTION_RULES, RetentionRule, Settings, Unit


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier; a day the earlier month
    lacks (31 March less one month) becomes that month's last (28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def cutoff(rule: RetentionRule, period: int, now: datetime) -> datetime:
    """Data of the rule's kind from before this moment is removed."""
    if rule.unit is Unit.DAYS:
        return now - timedelta(days=period)
    return months_before(now, period * (12 if rule.unit is Unit.YEARS else 1))


@dataclass(frozen=True)
class Moments:
    """One run's moment and each rule's cutoff, fixed when the run starts: the counts and
    the batches after them select by the same moments, however long the run takes."""

    now: datetime
    cutoffs: Mapping[str, datetime]

    def __getitem__(self, rule_name: str) -> datetime:
        return self.cutoffs[rule_name]


def moments(now: datetime, settings: Settings) -> Moments:
    return Moments(
        now, {rule.name: cutoff(rule, settings.period(rule.name), now) for rule in RETENTION_RULES}
    )
