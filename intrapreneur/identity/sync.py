"""Directory sync: make our people match the directory, safely.

The whole run is one transaction. A dry run, a run that would deactivate more
than the allowed share of people, and a run that read nobody all end in a
rollback, so they change nothing. Memory stays flat: entries are applied a
page at a time and the session is emptied after each page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy import select

from intrapreneur.core import services as audit
from intrapreneur.core.dates import percent_text
from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db
from intrapreneur.identity import provisioning
from intrapreneur.identity.directory import Directory, DirectoryPerson
from intrapreneur.identity.models import Person, PersonKind
from intrapreneur.identity.services import record_provisioning

BATCH = 500


class SyncRefused(Exception):
    """The run stopped before changing anything; the message says why and what to do."""


@dataclass
class SyncReport:
    seen: int = 0
    created: int = 0
    updated: int = 0
    reactivated: int = 0
    deactivated: int = 0
    dry_run: bool = False
    deactivated_names: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counts = {
            "created": self.created,
            "updated": self.updated,
            "reactivated": self.reactivated,
            "deactivated": self.deactivated,
            "seen": self.seen,
        }
        if self.dry_run:
            return _(
                "Would change: %(created)d created, %(updated)d updated, %(reactivated)d "
                "reactivated, %(deactivated)d deactivated (%(seen)d people in the directory).",
                **counts,
            )
        return _(
            "Changed: %(created)d created, %(updated)d updated, %(reactivated)d "
            "reactivated, %(deactivated)d deactivated (%(seen)d people in the directory).",
            **counts,
        )


def _batches(entries: Iterable[DirectoryPerson], size: int) -> Iterator[list[DirectoryPerson]]:
    iterator = iter(entries)
    while batch := list(islice(iterator, size)):
        yield batch


def sync_directory(
    directory: Directory,
    *,
    dry_run: bool = False,
    force: bool = False,
    max_deactivate_share: float = 0.1,
    on_progress: Callable[[int], None] = lambda _: None,
) -> SyncReport:
    """Create, refresh, reactivate and deactivate people; commit unless told not to.

    Raises SyncRefused (after rolling back) when the result looks unsafe, and
    lets DirectoryUnavailable through (also after rolling back).
    """
    report = SyncReport(dry_run=dry_run)
    seen_ids: set[str] = set()
    organisation = provisioning.Organisation()
    try:
        # A disabled account (AD) counts as gone: it is deactivated like someone who left.
        enabled = (found for found in directory.iter_people() if not found.disabled)
        for batch in _batches(enabled, BATCH):
            _apply_batch(batch, directory, organisation, report)
            seen_ids.update(found.directory_id for found in batch)
            report.seen += len(batch)
            on_progress(len(batch))
        if not seen_ids:
            raise SyncRefused(
                _(
                    "The directory returned nobody, which is never read as 'everyone left'. "
                    "Check %(base)s and %(filter)s.",
                    base="INTRAPRENEUR_LDAP_USER_BASE",
                    filter="INTRAPRENEUR_LDAP_USER_FILTER",
                )
            )
        _deactivate_missing(seen_ids, report, force=force, max_share=max_deactivate_share)
        provisioning.link_managers()
        organisation.log_unknown_countries()
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def _apply_batch(
    batch: list[DirectoryPerson],
    directory: Directory,
    organisation: provisioning.Organisation,
    report: SyncReport,
) -> None:
    known = {
        person.directory_id: person
        for person in db.session.scalars(
            select(Person).where(Person.directory_id.in_([found.directory_id for found in batch]))
        )
    }
    claims = provisioning.Claims(batch)
    outcomes = [
        provisioning.apply(
            found,
            person=known.get(found.directory_id),
            organisation=organisation,
            claims=claims,
        )
        for found in batch
    ]
    db.session.flush()
    for outcome in outcomes:
        record_provisioning(outcome, source="directory sync")
        report.created += outcome.created
        report.reactivated += outcome.reactivated
        report.updated += bool(
            not outcome.created
            and (outcome.changes or outcome.roles_added or outcome.roles_removed)
        )
    db.session.flush()
    # Keep memory flat across 50,000 entries; units and departments stay cached (few, and
    # re-attached).
    db.session.expunge_all()
    organisation.reattach()


def _deactivate_missing(
    seen_ids: set[str], report: SyncReport, *, force: bool, max_share: float
) -> None:
    active = db.session.execute(
        select(Person.id, Person.directory_id, Person.display_name).where(
            Person.kind == PersonKind.EMPLOYEE, Person.active, Person.directory_id.is_not(None)
        )
    ).all()
    missing = [row for row in active if row.directory_id not in seen_ids]
    if missing and not force and len(missing) > max_share * len(active):
        raise SyncRefused(
            _(
                "This run would deactivate %(missing)d of %(active)d active people, more than "
                "the allowed %(share)s. Nothing was changed. Check the directory settings; "
                "if the departures are real, run again with %(force)s.",
                missing=len(missing),
                active=len(active),
                share=percent_text(max_share),
                force="--force",
            )
        )
    for row in missing:
        person = db.session.get(Person, row.id)
        assert person is not None
        person.active = False
        person.deactivated_at = utcnow()
        audit.record("person.deactivated", actor=None, obj=person, source="directory sync")
        report.deactivated += 1
        report.deactivated_names.append(row.display_name)
