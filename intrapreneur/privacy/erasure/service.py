"""Erasing a person: their identifying data replaced everywhere by a stable tombstone,
what the organisation's figures and other people's records need kept.

Everything the registry declares, table by table (``plan``): rows only about them deleted
(``delete_rows_on_erasure``); in rows about or by them, the columns cleared, tombstoned or
switched off (``on_erasure``); the text they wrote kept, redacted or removed as the text
modes in force say; and their name, email address, username and directory id replaced by
the tombstone in every text of every table, whoever wrote it (the audit log aside: it names
people by number when read). Rows stay, so counts do not change.

All in the caller's transaction, never committed here. Rows are rewritten with SQL by
primary key in batches (memory stays flat however much matches); the session is expired
afterwards so that nothing in it still holds what was erased.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, select, tuple_, update

from intrapreneur.core import services as audit
from intrapreneur.core.models import ExportFile
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy import settings
from intrapreneur.privacy.erasure.plan import TablePlan, emptied, fitted, plans
from intrapreneur.privacy.erasure.refusals import ErasureRefused, refusals
from intrapreneur.privacy.erasure.text import Mentions, redact, redaction_marker
from intrapreneur.privacy.queries import ERASED_ACTION
from intrapreneur.privacy.registry import Erase
from intrapreneur.privacy.settings import TextMode
from intrapreneur.privacy.subject_export.services import copies_of
from intrapreneur.search.sync import rows_rewritten

# Rows read and rewritten per round trip.
BATCH = 500

Values = dict[str, Any]


@dataclass
class ErasureReport:
    person_id: int
    tombstone: str
    rows: dict[str, int]  # rows changed or deleted, per table
    deleted: dict[str, int]  # of which deleted

    def describe(self) -> str:
        """What was done, in English, for the command line and job output."""
        lines = [f"Person #{self.person_id} is erased; the records now name {self.tombstone}."]
        for table, count in sorted(self.rows.items()):
            gone = self.deleted.get(table, 0)
            lines.append(f"  {table}: {count - gone} changed, {gone} deleted")
        lines.append(f"{sum(self.rows.values())} rows in {len(self.rows)} tables.")
        return "\n".join(lines)


@dataclass
class _Erasure:
    person_id: int
    mentions: Mentions
    modes: dict[str, TextMode]
    marker: str
    changed: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)
    deleted: Counter[str] = field(default_factory=Counter)

    def delete(self, plan: TablePlan) -> None:
        where = plan.deleted(self.person_id)
        if where is not None:
            gone = db.session.execute(delete(plan.table).where(where)).rowcount
            if gone:
                self.deleted[plan.name] += gone

    def rewrite(self, plan: TablePlan) -> None:
        where = plan.erased(self.person_id)
        if where is not None:
            self._apply(plan, where, list(plan.row_erasures), self._erased_values(plan))
        where = plan.rewritten(self.person_id, self.modes)
        if where is not None:
            modes = plan.changed_text(self.modes)
            self._apply(plan, where, list(modes), self._written_values(plan, modes))
        where = plan.mentioning(self.mentions)
        if where is not None:
            names = [column.name for column in plan.searched]
            self._apply(plan, where, names, self._without_mentions())

    def _erased_values(self, plan: TablePlan) -> Callable[[Values], Values]:
        # What each column becomes, whatever it held; CLEAR depends on the column.
        replacements = {Erase.TOMBSTONE: self.mentions.replacement, Erase.SWITCH_OFF: False}
        fixed = {
            name: replacements[erase] if erase in replacements else emptied(plan.table.c[name])
            for name, erase in plan.row_erasures.items()
        }
        return lambda values: fixed

    def _written_values(
        self, plan: TablePlan, modes: dict[str, TextMode]
    ) -> Callable[[Values], Values]:
        def written(name: str, value: str | None) -> str | None:
            if value is None:
                return None
            if modes[name] is TextMode.REDACT:
                return redact(value, self.marker)
            return emptied(plan.table.c[name])  # type: ignore[return-value]

        return lambda values: {name: written(name, value) for name, value in values.items()}

    def _without_mentions(self) -> Callable[[Values], Values]:
        # Text and JSON alike: a JSON value's strings are rewritten, the rest left as it is.
        return lambda values: {
            name: self.mentions.replace_in(value) for name, value in values.items()
        }

    def _apply(
        self,
        plan: TablePlan,
        where: ColumnElement[bool],
        names: list[str],
        change: Callable[[Values], Values],
    ) -> None:
        """Rewrite ``names`` in the rows ``where`` selects, by primary key in batches; only
        the values that change are written."""
        keys = [tuple(row) for row in db.session.execute(select(*plan.key).where(where))]
        width = len(plan.key)
        for start in range(0, len(keys), BATCH):
            rows = db.session.execute(
                select(*plan.key, *(plan.table.c[name] for name in names)).where(
                    _key_in(plan, keys[start : start + BATCH])
                )
            )
            updates = []
            for row in rows:
                values = dict(zip(names, row[width:], strict=True))
                changed = {
                    name: fitted(plan.table.c[name], value)
                    for name, value in change(values).items()
                }
                new = {name: value for name, value in changed.items() if value != values[name]}
                if new:
                    updates.append((tuple(row[:width]), new))
            _write(plan, updates)
            self.changed.setdefault(plan.name, set()).update(key for key, _ in updates)

    def report(self, tombstone: str) -> ErasureReport:
        rows = Counter({name: len(keys) for name, keys in self.changed.items() if keys})
        rows.update(self.deleted)
        return ErasureReport(self.person_id, tombstone, dict(rows), dict(self.deleted))


def _key_in(plan: TablePlan, keys: list[tuple[Any, ...]]) -> ColumnElement[bool]:
    if len(plan.key) == 1:
        return plan.key[0].in_([key[0] for key in keys])
    return tuple_(*plan.key).in_(keys)


def _write(plan: TablePlan, updates: list[tuple[tuple[Any, ...], Values]]) -> None:
    """One UPDATE per set of changed columns, executed for many rows; the edit guard of a
    versioned table is raised, so a form opened before the erasure cannot write back."""

    def columns_of(update_: tuple[tuple[Any, ...], Values]) -> list[str]:
        return sorted(update_[1])

    for names, group in groupby(sorted(updates, key=columns_of), key=columns_of):
        table = plan.table
        statement = (
            update(table)
            .where(
                and_(
                    *(
                        column == bindparam(f"key_{index}", type_=column.type)
                        for index, column in enumerate(plan.key)
                    )
                )
            )
            .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names})
        )
        if plan.version is not None:
            statement = statement.values({plan.version.name: plan.version + 1})
        db.session.execute(
            statement,
            [
                {
                    **{f"key_{index}": value for index, value in enumerate(key)},
                    **{f"new_{name}": value for name, value in new.items()},
                }
                for key, new in group
            ],
        )


def erase(
    person: Person,
    *,
    by: Person | None,
    now: datetime,
    advance: Callable[[int], None] = lambda _: None,
) -> ErasureReport:
    """Erase ``person`` in the current transaction (the caller commits); raises
    ErasureRefused, changing nothing, when ``refusals`` says it may not go ahead.
    ``advance(1)`` after each table (``len(plans())`` in all), for a progress bar."""
    reasons = refusals(person, now.date())
    if reasons:
        raise ErasureRefused(reasons)
    work = _Erasure(
        person.id, Mentions.of(person), settings.current().text_modes, redaction_marker()
    )
    db.session.flush()
    copies = db.session.execute(delete(ExportFile).where(ExportFile.id.in_(copies_of(person.id))))
    every = plans()
    for plan in reversed(every):  # rows referring to others go first
        work.delete(plan)
    for plan in every:
        work.rewrite(plan)
        advance(1)
    # The search index copies text: rebuilt for every row rewritten or deleted here.
    rows_rewritten(work.changed, set(work.deleted))
    db.session.expire_all()
    person.erased_at = now
    person.deactivated_at = person.deactivated_at or now
    person.end_all_sessions()
    report = work.report(work.mentions.replacement)
    if copies.rowcount:  # copies of their data made for someone else (an administrator)
        report.rows["export_file"] = report.rows.get("export_file", 0) + copies.rowcount
        report.deleted["export_file"] = report.deleted.get("export_file", 0) + copies.rowcount
    audit.record(ERASED_ACTION, actor=by, obj=person, rows=report.rows, deleted=report.deleted)
    return report
