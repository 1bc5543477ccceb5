"""Who may do what with people, guests and invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intrapreneur.identity.models import Person, Role

if TYPE_CHECKING:
    from intrapreneur.core.models import BackgroundJob


def can_manage_guests(person: Person) -> bool:
    """Programme leads invite and look after the external entrepreneurs."""
    return person.has_role(Role.HR)


def can_read_audit_log(person: Person) -> bool:
    return person.has_role(Role.ADMIN)


def can_manage_api_clients(person: Person) -> bool:
    """Administrators create and revoke the tokens HR systems read the API with."""
    return person.has_role(Role.ADMIN)


def can_change_privacy_rules(person: Person) -> bool:
    """Only administrators change the minimum group sizes (and it is audited)."""
    return person.has_role(Role.ADMIN)


def can_manage_data_protection(person: Person) -> bool:
    """Administrators set the retention periods and what erasure does to people's texts,
    and start the retention run (all audited)."""
    return person.has_role(Role.ADMIN)


def can_watch_jobs(person: Person) -> bool:
    """Administrators see every background job, its progress and its errors."""
    return person.has_role(Role.ADMIN)


def can_view_job(person: Person, job: BackgroundJob) -> bool:
    """A job's progress page: administrators, and whoever started the job."""
    return can_watch_jobs(person) or job.requested_by_id == person.id


def can_sync_directory(person: Person) -> bool:
    """Administrators run the directory sync (or its dry run) from the web."""
    return person.has_role(Role.ADMIN)


def can_use_local_mfa(person: Person) -> bool:
    """Local accounts set up their own second step: guests, and anyone holding a local
    password (the break-glass admin). Directory accounts get MFA from their organisation."""
    return person.is_guest or person.password_hash is not None


def can_reset_two_step(person: Person) -> bool:
    """Administrators reset another local account's lost second step (two_step_reset)."""
    return person.has_role(Role.ADMIN)
