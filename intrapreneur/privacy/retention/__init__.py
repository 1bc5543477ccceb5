"""Retention rules: data of each kind goes the set period after the moment its rule names
(``privacy.settings.RETENTION_RULES``), by a run that counts first and then acts in
batches (``running``).

- ``selections``: what each rule selects, as SQL, read both to count and to act.
- ``kinds``: how each rule acts (delete, blank a text, erase people, delete old audit
  events), and the order the run acts in.
- ``running``: ``plan`` (counts; the dry run) and ``apply`` (batches, audited, committed
  one by one); ``report``: the outcome per rule and its summary in words.

The run is the one place that removes finished background jobs and export files: the
earlier ``prune-jobs`` housekeeping (succeeded jobs after 30 days, failed after 90,
expired files) is folded into the ``job_rows`` and ``export_files`` rules, whose periods
an administrator sets, so no second, fixed rule keeps or removes them otherwise.
"""

from intrapreneur.privacy.retention.kinds import BATCH_SIZE, KINDS, Refusal
from intrapreneur.privacy.retention.report import RetentionReport, RuleOutcome
from intrapreneur.privacy.retention.running import apply, plan

__all__ = ["BATCH_SIZE", "KINDS", "Refusal", "RetentionReport", "RuleOutcome", "apply", "plan"]
