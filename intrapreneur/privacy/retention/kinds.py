"""How each retention rule acts on what it selects (``selections``), a batch at a time:
delete the rows, blank a text, erase the people (``privacy.erasure``), or delete old audit
events through the one path the log's append-only guard allows (``core.audit_retention``).

A kind acts in the caller's transaction and never commits: it yields after each batch,
and the run records and commits that batch before the kind reads the next one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Delete, Update, delete, select, update
from sqlalchemy.orm import selectinload

from intrapreneur.core import audit_retention
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy import erasure
from intrapreneur.privacy.retention import selections
from intrapreneur.privacy.retention.moments import Moments
from intrapreneur.privacy.retention.selections import Rows

# Rows per batch: each batch is one transaction, short enough not to hold locks for long.
BATCH_SIZE = 500


@dataclass(frozen=True)
class Refusal:
    """A person the rule selects whose erasure is refused: why, and what to do first."""

    person_id: int
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Batch:
    """One batch acted on: rows changed or removed, and erasures refused."""

    done: int
    refused: tuple[Refusal, ...] = ()


def _rowcount(statement: Delete | Update) -> int:
    """Run a bulk statement; how many rows it changed (a run alongside may have been first)."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount  # type: ignore[attr-defined]


class Kind(ABC):
    """One retention rule's way of counting and acting; ``name`` is the rule's."""

    name: str

    @abstractmethod
    def count(self, at: Moments) -> int:
        """How many the run would act on (people whose erasure is refused included)."""

    @abstractmethod
    def batches(self, at: Moments, size: int, by: Person | None) -> Iterator[Batch]:
        """Act on up to ``size`` at a time, yielding each batch once done (not committed)."""

    def refusals(self, at: Moments) -> list[Refusal]:
        """Those the run would select but not act on, and why (for a dry run)."""
        return []


@dataclass(frozen=True)
class Deleting(Kind):
    name: str
    tables: tuple[Rows, ...]

    def count(self, at: Moments) -> int:
        return sum(rows.count(at) for rows in self.tables)

    def batches(self, at: Moments, size: int, by: Person | None) -> Iterator[Batch]:
        for rows in self.tables:
            for keys in rows.key_batches(at, size):
                yield Batch(_rowcount(delete(rows.model).where(*rows.still_selected(keys, at))))


@dataclass(frozen=True)
class Blanking(Kind):
    """Empties one text column; the rows stay, so every figure over them stays the same."""

    name: str
    rows: Rows
    column: str

    def count(self, at: Moments) -> int:
        return self.rows.count(at)

    def batches(self, at: Moments, size: int, by: Person | None) -> Iterator[Batch]:
        for keys in self.rows.key_batches(at, size):
            statement = update(self.rows.model).where(*self.rows.still_selected(keys, at))
            yield Batch(_rowcount(statement.values({self.column: ""})))


@dataclass(frozen=True)
class Erasing(Kind):
    """Erases each selected person as on request; a refused erasure (the person still owns
    a venture alone, say) changes nothing, is reported with its reasons, and never stops
    the run: the person stays selected, and a later run tries again."""

    name: str
    rows: Rows

    def count(self, at: Moments) -> int:
        return self.rows.count(at)

    def _people(self, at: Moments, size: int) -> Iterator[list[Person]]:
        for ids in self.rows.key_batches(at, size):
            yield list(
                db.session.scalars(
                    select(Person)
                    .options(selectinload(Person.roles))
                    .where(Person.id.in_(ids))
                    .order_by(Person.id)
                )
            )

    def batches(self, at: Moments, size: int, by: Person | None) -> Iterator[Batch]:
        for people in self._people(at, size):
            done, refused = 0, []
            for person in people:
                name = person.display_name
                try:
                    # A refusal undoes whatever the erasure began, and nothing else.
                    with db.session.begin_nested():
                        erasure.erase(person, by=by, now=at.now)
                except erasure.ErasureRefused as refusal:
                    refused.append(Refusal(person.id, name, tuple(refusal.reasons)))
                else:
                    done += 1
            yield Batch(done, tuple(refused))

    def refusals(self, at: Moments) -> list[Refusal]:
        today = at.now.date()
        found = []
        for people in self._people(at, BATCH_SIZE):
            reasons = erasure.refusals_of(people, today)
            found += [
                Refusal(person.id, person.display_name, tuple(reasons[person.id]))
                for person in people
                if reasons[person.id]
            ]
        return found


@dataclass(frozen=True)
class DeletingAuditEvents(Kind):
    """The oldest events first; the log's guard lets exactly this through."""

    name: str

    def count(self, at: Moments) -> int:
        return audit_retention.count_events_before(at[self.name])

    def batches(self, at: Moments, size: int, by: Person | None) -> Iterator[Batch]:
        while done := audit_retention.delete_events_before(at[self.name], limit=size):
            yield Batch(done)


# In the order the run acts. People come last: erasing a person deletes rows about them
# (emails, notifications, files, invitations) that the rules before may have counted, so
# those rules act first and each rule's count stays what it removed. Files go before
# their jobs for the same reason.
KINDS: tuple[Kind, ...] = (
    Deleting("sent_emails", (selections.SENT_EMAILS,)),
    Deleting("export_files", (selections.EXPORT_FILES,)),
    Deleting("job_rows", (selections.JOB_ROWS,)),
    Deleting("notifications", (selections.NOTIFICATIONS,)),
    Deleting("tokens", selections.TOKENS),
    Blanking("survey_comments", selections.SURVEY_COMMENTS, "comment"),
    DeletingAuditEvents("audit_events"),
    Erasing("deactivated_people", selections.PEOPLE),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
