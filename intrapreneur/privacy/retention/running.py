"""A retention run: count per rule what would be acted on (``plan``: the dry run, the
settings page, and the real run before it acts), then act (``apply``) in batches.

Each batch is one transaction with its audit event (``privacy.retention_applied``: the
rule, how many, the cutoff, whose erasure was refused), committed before the next batch
is read. A run interrupted midway (a crash, a lost connection) therefore leaves whole
batches behind, each recorded in the audit log, and nothing half-done; since every rule
selects by age, the next run continues where it stopped. A dry run changes nothing and
is not audited: it reads counts, no personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy.retention.kinds import BATCH_SIZE, KIND_BY_NAME, KINDS
from intrapreneur.privacy.retention.moments import moments
from intrapreneur.privacy.retention.report import RetentionReport, RuleOutcome
from intrapreneur.privacy.settings import RETENTION_RULES, current


def plan(
    now: datetime, *, dry_run: bool = False, rules: Collection[str] | None = None
) -> RetentionReport:
    """What the run would act on at ``now`` under the settings in force, counted in SQL by
    the selections the run acts on (every rule, or those named in ``rules``). A dry run
    also asks who of the people counted would be refused erasure, and why."""
    settings = current()
    at = moments(now, settings)
    outcomes = [
        RuleOutcome(
            rule, settings.period(rule.name), at[rule.name], KIND_BY_NAME[rule.name].count(at)
        )
        for rule in RETENTION_RULES
        if rules is None or rule.name in rules
    ]
    if dry_run:
        for outcome in outcomes:
            if outcome.planned:
                outcome.refused = KIND_BY_NAME[outcome.rule.name].refusals(at)
    return RetentionReport(at, dry_run, outcomes)


def apply(
    report: RetentionReport,
    *,
    by: Person | None,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Act on what ``report`` counted, rule by rule in the kinds' order, recording in the
    report what was done. Commits each batch; ``by`` is who started the run (None: the
    schedule or the command line)."""
    assert not report.dry_run, "a dry run acts on nothing"
    counted = {outcome.rule.name: outcome for outcome in report.outcomes}
    for kind in KINDS:
        outcome = counted.get(kind.name)
        if outcome is None or not outcome.planned:
            continue
        for batch in kind.batches(report.at, batch_size, by):
            outcome.done += batch.done
            outcome.refused.extend(batch.refused)
            audit.record(
                "privacy.retention_applied",
                actor=by,
                kind=kind.name,
                count=batch.done,
                refused=[refusal.person_id for refusal in batch.refused],
                before=outcome.cutoff.isoformat(),
            )
            if on_progress is not None:
                # Before the commit, as other jobs report theirs: on SQLite a job's progress
                # write skips an open transaction rather than wait for the lock it holds.
                on_progress(batch.done + len(batch.refused))
            db.session.commit()
