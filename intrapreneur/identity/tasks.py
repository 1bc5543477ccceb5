"""Background tasks of the identity domain: the directory sync."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from intrapreneur.core.jobs import JobRefused, RunningJob, task
from intrapreneur.identity.services import configured_directory
from intrapreneur.identity.sync import SyncRefused, SyncReport, sync_directory

NAMES_SHOWN = 20


@task("directory-sync")
def directory_sync(job: RunningJob, *, dry_run: bool = False) -> str:
    """Make our people match the directory (nightly, or from the admins' directory page).

    A refusal (too many would be deactivated, nobody read) fails the job at once: trying
    again changes nothing until someone looks. An unreachable directory is retried. The
    sync is its own single transaction (see identity/sync.py); there is no web --force.
    """
    directory = configured_directory()
    if directory is None:
        # Written down for the admins in the organisation's language (a worker has no reader).
        raise JobRefused(_("No directory is configured (set INTRAPRENEUR_LDAP_URL)."))
    try:
        report = sync_directory(
            directory,
            dry_run=dry_run,
            max_deactivate_share=current_app.config["SYNC_MAX_DEACTIVATE_SHARE"],
            on_progress=job.advance,
        )
    except SyncRefused as refusal:
        raise JobRefused(str(refusal)) from refusal
    return summary(report)


def summary(report: SyncReport) -> str:
    """The report in one paragraph, naming the first people deactivated."""
    names = report.deactivated_names
    if not names:
        return report.describe()
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    if more > 0:
        shown = ngettext(
            "%(names)s and %(num)d more", "%(names)s and %(num)d more", more, names=shown
        )
    if report.dry_run:
        return _("%(report)s Would deactivate: %(names)s.", report=report.describe(), names=shown)
    return _("%(report)s Deactivated: %(names)s.", report=report.describe(), names=shown)
