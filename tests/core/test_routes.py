"""Every route × every role against one permission table.

A route without a row here fails the suite, so no endpoint can ship without
someone deciding who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur.blueprints import signing_in
from intrapreneur.core import jobs
from intrapreneur.core.models import ExportFile
from intrapreneur.core.permissions import ACCESS_ATTRIBUTE
from intrapreneur.culture import services as survey_services
from intrapreneur.experiments import queries as experiment_queries
from intrapreneur.experiments import services as experiment_services
from intrapreneur.experiments.models import Stage, Venture, Visibility
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens, invitations, mfa, password_resets
from intrapreneur.identity.expertise.models import ExpertiseTag
from intrapreneur.identity.models import (
    ApiScope,
    Invitation,
    Person,
    PersonKind,
    PersonRole,
    Role,
)
from intrapreneur.learning.hacks.models import HackProposedTime, HackRequest, HackStatus
from intrapreneur.learning.models import (
    Action,
    BarrierCategory,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HotSeat,
    LearningSession,
    LearningSet,
    Programme,
    SessionFormat,
    SetMembership,
)
from tests.conftest import sign_in_as
from tests.learning.builders import session_in

ROLES = ["anonymous", "employee", "facilitator", "manager", "hr", "admin", "guest"]
# A sponsor is an employee with the portfolio besides: a row that does not name sponsors
# expects of them what it expects of employees.
SPONSOR = "sponsor"

OK, CREATED = 200, 201
BAD_REQUEST = 400  # let in, but the empty form the table sends is refused
LOGIN = "login"  # 302 to the sign-in page
AWAY = "away"  # 302 somewhere else (e.g. home after signing in)
UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 401, 403, 404


def everyone(answer: Any) -> dict[str, Any]:
    return dict.fromkeys(ROLES, answer)


def signed_in_only(answer: Any) -> dict[str, Any]:
    return {**everyone(answer), "anonymous": LOGIN}


def only(role: str, answer: Any = OK) -> dict[str, Any]:
    return {**everyone(FORBIDDEN), "anonymous": LOGIN, role: answer}


def _invitation(hr: Person) -> tuple[Invitation, str]:
    return invitations.invite_guest(
        email="table-guest@example.org",
        display_name="Table Guest",
        access_ends_on=date.today() + timedelta(days=10),
        invited_by=hr,
        now=datetime.now(UTC),
    )


def invitation_url(hr: Person) -> str:
    return f"/invitations/{_invitation(hr)[1]}"


def guest_url(suffix: str = "", *, accepted: bool = False) -> Callable[[Person], str]:
    """A guest HR invited (who has set a password, if ``accepted``)."""

    def build(hr: Person) -> str:
        invitation, _ = _invitation(hr)
        if accepted:
            invitation.person.password_hash = "not-a-real-hash"
        db.session.flush()
        return f"/guests/{invitation.person_id}{suffix}"

    return build


def _accepted_guest(email: str, display_name: str) -> Person:
    guest = Person(
        kind=PersonKind.GUEST,
        email=email,
        display_name=display_name,
        password_hash="not-a-real-hash",
        roles=[PersonRole(role=Role.GUEST)],
    )
    db.session.add(guest)
    return guest


def reset_url(hr: Person) -> str:
    guest = _accepted_guest("table-reset@example.org", "Table Reset")
    _, token = password_resets.issue_link(guest, datetime.now(UTC))
    return f"/password-reset/{token}"


def two_step_reset_url(hr: Person) -> str:
    """The reset of a guest whose authenticator app is on."""
    guest = _accepted_guest("table-two-step@example.org", "Table Two-Step")
    db.session.flush()
    secret = mfa.begin_set_up(guest)
    mfa.confirm_set_up(guest, pyotp.TOTP(secret).now(), datetime.now(UTC))
    return f"/admin/two-step/{guest.id}/reset"


def _cohort(hr: Person) -> Cohort:
    programme = Programme(name="Table programme")
    cohort = Cohort(
        programme=programme,
        name="Table cohort",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=60),
        capacity=10,
        enrolment_open=True,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def cohort_url(suffix: str = "") -> Callable[[Person], str]:
    return lambda hr: f"/cohorts/{_cohort(hr).id}{suffix}"


def enrolment_decision_url(hr: Person) -> str:
    enrolment = Enrolment(cohort=_cohort(hr), person=hr, status=EnrolmentStatus.REQUESTED)
    db.session.add(enrolment)
    db.session.flush()
    return f"/cohorts/enrolments/{enrolment.id}/accept"


def programme_url(suffix: str = "/cohorts/new") -> Callable[[Person], str]:
    return lambda hr: f"/programmes/{_cohort(hr).programme_id}{suffix}"


def _set(hr: Person) -> LearningSet:
    learning_set = LearningSet(cohort=_cohort(hr), name="Table set")
    db.session.add(learning_set)
    db.session.flush()
    return learning_set


def set_url(suffix: str = "") -> Callable[[Person], str]:
    return lambda hr: f"/sets/{_set(hr).id}{suffix}"


def membership_url(suffix: str) -> Callable[[Person], str]:
    def build(hr: Person) -> str:
        guest = Person(kind=PersonKind.GUEST, email="member@table.example", display_name="Member")
        membership = SetMembership(learning_set=_set(hr), person=guest, joined_on=date.today())
        db.session.add(membership)
        db.session.flush()
        return f"/memberships/{membership.id}/{suffix}"

    return build


def _session(hr: Person) -> LearningSession:
    return session_in(_set(hr), 3)


def _hot_seat(hr: Person) -> HotSeat:
    seat = HotSeat(
        session_id=_session(hr).id, person=hr, challenge_title="T", barrier=BarrierCategory.TIME
    )
    db.session.add(seat)
    db.session.flush()
    return seat


def _tag_url(suffix: str) -> Callable[[Person], str]:
    def build(hr: Person) -> str:
        tag = ExpertiseTag(name="Table tag", created_at=datetime.now(UTC))
        db.session.add(tag)
        db.session.flush()
        return f"/expertise/tags/{tag.id}/{suffix}"

    return build


def hack_url(suffix: str = "") -> Callable[[Person], str]:
    """An accepted Hack between the builder and a guest entrepreneur: nobody else's."""

    def build(hr: Person) -> str:
        entrepreneur = _accepted_guest("table-entrepreneur@example.org", "Table Entrepreneur")
        starts = datetime.now(UTC) + timedelta(days=3)
        hack = HackRequest(
            requester_id=hr.id,
            entrepreneur=entrepreneur,
            hot_seat_id=_hot_seat(hr).id,
            topic="Table challenge",
            status=HackStatus.ACCEPTED,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=85),
            proposed=[HackProposedTime(starts_at=starts, ends_at=starts + timedelta(minutes=85))],
        )
        db.session.add(hack)
        db.session.flush()
        return f"/hacks/{hack.id}{suffix}"

    return build


def _action(hr: Person, session: LearningSession) -> Action:
    action = Action(
        session_id=session.id, owner_id=hr.id, description="Call ten customers", due_on=date.today()
    )
    db.session.add(action)
    db.session.flush()
    return action


def review_url(hr: Person) -> str:
    later = _session(hr)
    earlier = LearningSession(
        learning_set=later.learning_set,
        format=SessionFormat.HACK,
        starts_at=later.starts_at - timedelta(days=14),
        ends_at=later.ends_at - timedelta(days=14),
        agenda=[],
    )
    db.session.add(earlier)
    db.session.flush()
    return f"/sessions/{later.id}/review/{_action(hr, earlier).id}"


def api_client_revoke_url(hr: Person) -> str:
    client, _ = api_tokens.create_api_client(
        name="Table client", scope=ApiScope.CULTURE_READ, by=hr, now=datetime.now(UTC)
    )
    db.session.flush()
    return f"/admin/api-clients/{client.id}/revoke"


def job_url(path: str = "/jobs/{id}") -> Callable[[Person], str]:
    """A queued job started by the builder's person."""

    def build(hr: Person) -> str:
        job = jobs.record("directory-sync", {"dry_run": True}, max_attempts=1, requested_by=hr)
        return path.format(id=job.id)

    return build


def job_file_url(hr: Person) -> str:
    """A file a job made for the builder's person (nobody in the table)."""
    job = jobs.record("culture-export", {"export_format": "csv"}, max_attempts=1, requested_by=hr)
    db.session.add(
        ExportFile(
            job_id=job.id,
            person_id=hr.id,
            file_name="figures.csv",
            content_type="text/csv",
            content=b"a,b\r\n",
            size=5,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    )
    db.session.flush()
    return f"/jobs/{job.id}/file"


def feed_url(hr: Person) -> str:
    hr.calendar_token = "table-token-" + "x" * 20
    db.session.flush()
    return f"/calendar/{hr.calendar_token}.ics"


def _venture(hr: Person) -> Venture:
    """A private venture with the hr person as its only owner: nobody else may see it."""
    return experiment_services.create_venture(
        title="Table venture",
        problem="",
        customer="",
        stage=Stage.IDEA,
        visibility=Visibility.PRIVATE,
        by=hr,
        now=datetime.now(UTC),
    )


def venture_url(suffix: str = "") -> Callable[[Person], str]:
    return lambda hr: f"/ventures/{_venture(hr).id}{suffix}"


def experiment_url(suffix: str = "") -> Callable[[Person], str]:
    def build(hr: Person) -> str:
        card = experiment_services.CardFields(title="Table card")
        experiment = experiment_services.create_experiment(
            _venture(hr), card, owner=hr, by=hr, now=datetime.now(UTC)
        )
        return f"/experiments/{experiment.id}{suffix}"

    return build


def open_venture_url(suffix: str = "") -> Callable[[Person], str]:
    """The builder's venture made visible to the whole organisation (guests excepted)."""

    def build(hr: Person) -> str:
        venture = _venture(hr)
        venture.visibility = Visibility.ORGANISATION
        db.session.flush()
        return f"/ventures/{venture.id}{suffix}"

    return build


def team_member_url(hr: Person) -> str:
    venture = _venture(hr)
    member = experiment_queries.membership(venture.id, hr.id)
    assert member is not None
    return f"/ventures/{venture.id}/team/{member.id}/remove"


def _survey(hr: Person) -> survey_services.NewWave:
    """An open wave asking one participant of the table cohort (nobody in the table)."""
    cohort = _cohort(hr)
    participant = Person(
        kind=PersonKind.EMPLOYEE,
        username="survey-participant",
        display_name="Survey Participant",
        roles=[PersonRole(role=Role.EMPLOYEE)],
    )
    db.session.add(Enrolment(cohort=cohort, person=participant, status=EnrolmentStatus.ACCEPTED))
    db.session.flush()
    return survey_services.create_wave(
        title="Table survey",
        instrument_key="intrapreneur-culture@1.0",
        cohorts=[cohort],
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=14),
        seed=1,
        by=hr,
    )


def survey_url(suffix: str = "") -> Callable[[Person], str]:
    return lambda hr: f"/surveys/{_survey(hr).wave.id}{suffix}"


def _closed_survey(hr: Person) -> survey_services.NewWave:
    """The table's survey, closed and published: only published waves' figures are
    exported."""
    survey = _survey(hr)
    survey.wave.closed_at = datetime.now(UTC)
    survey_services.publish_closed_waves(datetime.now(UTC).date())
    return survey


def culture_export_url(extension: str) -> Callable[[Person], str]:
    return lambda hr: f"/culture/export.{extension}?wave={_closed_survey(hr).wave.id}"


def survey_link_url(hr: Person) -> str:
    token = next(iter(_survey(hr).tokens.values()))
    return f"/surveys/answer/{token}"


EMPLOYEES = {**everyone(OK), "anonymous": LOGIN, "guest": FORBIDDEN}
# An organisation-wide venture: every employee sees it, guests learn nothing of it, and only
# its team (the builder's person) works on it or changes it.
ORGANISATION_SEES = {**everyone(OK), "anonymous": LOGIN, "guest": NOT_FOUND}
ONLY_ITS_TEAM = {**everyone(FORBIDDEN), "anonymous": LOGIN, "guest": NOT_FOUND}
# Objects that belong to the builder's person only: every signed-in role learns nothing (404).
NOT_THEIRS = {**everyone(NOT_FOUND), "anonymous": LOGIN}
# Managers review only the boards of people below them; the table's manager is above nobody.
REVIEWERS_ABOVE_THE_TEAM = {**everyone(FORBIDDEN), "anonymous": LOGIN, "manager": NOT_FOUND}
# Sets are visible to their members, facilitator and HR only; others learn nothing (404).
SET_TEAM = {**everyone(NOT_FOUND), "anonymous": LOGIN, "hr": OK}
# The cohort's own facilitators may decide; another cohort's facilitator gets a 404.
COHORT_TEAM = {**everyone(FORBIDDEN), "anonymous": LOGIN, "hr": OK, "facilitator": NOT_FOUND}

# endpoint → (method, url or url builder taking an hr person, expected answer per role)
TABLE: dict[str, tuple[str, str | Callable[[Person], str], dict[str, Any]]] = {
    "main.home": ("GET", "/", signed_in_only(OK)),
    "health.healthz": ("GET", "/healthz", everyone(OK)),
    "health.readyz": ("GET", "/readyz", everyone(OK)),
    # A scraper's token or address opens it, never a session; off (404) until one is configured.
    # The token and address rules are tested in tests/core/test_metrics.py.
    "metrics.metrics": ("GET", "/metrics", everyone(NOT_FOUND)),
    "auth.sign_in": ("GET", "/sign-in", {**everyone(AWAY), "anonymous": OK}),
    # Off unless INTRAPRENEUR_DEV_SIGN_IN is set in development; tested on its own below.
    "auth.dev_sign_in": ("POST", "/sign-in/development", everyone(NOT_FOUND)),
    "auth.sign_out": ("POST", "/sign-out", {**everyone(LOGIN)}),
    # Single sign-on: off (404) until INTRAPRENEUR_OIDC_ISSUER is set; with a provider on
    # loopback in tests/identity/test_oidc_sign_in.py.
    "sso.start": ("GET", "/sign-in/oidc", everyone(NOT_FOUND)),
    "sso.callback": ("GET", "/sign-in/oidc/callback", everyone(NOT_FOUND)),
    # SAML: off (404) until INTRAPRENEUR_SAML_IDP_METADATA is set; with an IdP on loopback
    # in tests/identity/test_saml_sign_in.py (the ACS takes the IdP's POST, without CSRF).
    "saml.start": ("GET", "/sign-in/saml", everyone(NOT_FOUND)),
    "saml.metadata": ("GET", "/sign-in/saml/metadata", everyone(NOT_FOUND)),
    "saml.acs": ("POST", "/sign-in/saml/acs", everyone(NOT_FOUND)),
    "auth.accept_invitation": ("GET", invitation_url, everyone(OK)),
    # A guest's forgotten password: anyone may ask, and the emailed link is the credential.
    "auth.forgot_password": ("GET", "/forgot-password", everyone(OK)),
    "auth.reset_link_sent": ("GET", "/forgot-password/sent", everyone(OK)),
    "auth.reset_password": ("GET", reset_url, everyone(OK)),
    "guests.index": ("GET", "/guests/", only("hr")),
    "guests.invite": ("GET", "/guests/invite", only("hr")),
    "guests.detail": ("GET", guest_url(), only("hr")),
    # HR is let in; the empty form (no version) is refused. Their own tests cover the rest.
    "guests.change_access": (
        "POST",
        guest_url("/access", accepted=True),
        only("hr", BAD_REQUEST),
    ),
    "guests.revoke": ("POST", guest_url("/revoke", accepted=True), only("hr", BAD_REQUEST)),
    "guests.send_again": ("POST", guest_url("/invitation"), only("hr", BAD_REQUEST)),
    "guests.withdraw": ("POST", guest_url("/invitation/withdraw"), only("hr", BAD_REQUEST)),
    "admin.audit_log": ("GET", "/admin/audit", only("admin")),
    "admin.export_audit_log": ("GET", "/admin/audit/export.jsonl", only("admin")),
    "admin.api_clients": ("GET", "/admin/api-clients", only("admin")),
    "admin.privacy": ("GET", "/admin/privacy", only("admin")),
    "data_protection.page": ("GET", "/admin/data-protection", only("admin")),
    # The admin starts a retention run and is sent to its job's page.
    "data_protection.run": ("POST", "/admin/data-protection/run", only("admin", AWAY)),
    # A person's data-protection page and erasure (tests/privacy/test_erasure_pages.py); the
    # admin is let in, the empty form (nothing typed to confirm) is refused.
    "people_admin.index": ("GET", "/admin/people", only("admin")),
    "people_admin.detail": ("GET", lambda hr: f"/admin/people/{hr.id}", only("admin")),
    "people_admin.erase": ("POST", lambda hr: f"/admin/people/{hr.id}/erase", only("admin", 422)),
    # HR and admins read the whole organisation; managers the departments of their reports.
    "culture.index": (
        "GET",
        "/culture/",
        {**everyone(FORBIDDEN), "anonymous": LOGIN, "hr": OK, "admin": OK, "manager": OK},
    ),
    "admin.revoke_api_client": ("POST", api_client_revoke_url, only("admin", AWAY)),
    "admin.directory": ("GET", "/admin/directory", only("admin")),
    # The admin is let in; the empty form (no button pressed) is refused.
    "admin.sync_directory": ("POST", "/admin/directory", only("admin", 422)),
    "jobs.index": ("GET", "/admin/jobs", only("admin")),
    # A job's page: admins and whoever started it (the builder's person); others learn nothing.
    "jobs.detail": ("GET", job_url(), {**NOT_THEIRS, "admin": OK}),
    # Admins only; the table's job is queued, not failed: there is nothing to try again.
    "jobs.retry": ("POST", job_url("/admin/jobs/{id}/retry"), only("admin", 409)),
    "jobs.download": ("GET", job_file_url, NOT_THEIRS),
    "api.openapi": ("GET", "/api/v1/openapi.json", everyone(OK)),
    # A token, never the session cookie, opens the API: signed-in people get 401 too.
    "api.culture_behaviour": ("GET", "/api/v1/culture/behaviour", everyone(UNAUTHORIZED)),
    "api.culture_scores": ("GET", "/api/v1/culture/scores", everyone(UNAUTHORIZED)),
    # Only HR and admins export survey figures; managers read theirs on the dashboard only.
    "portfolio.page": ("GET", "/portfolio", {**only("hr"), "sponsor": OK}),
    "portfolio.export_pdf": ("GET", "/portfolio/export.pdf", {**only("hr"), "sponsor": OK}),
    "culture_exports.export_csv": (
        "GET",
        culture_export_url("csv.zip"),
        {**only("hr"), "admin": OK},
    ),
    "culture_exports.export_xlsx": ("GET", culture_export_url("xlsx"), {**only("hr"), "admin": OK}),
    "culture_exports.export_in_background": (
        "POST",
        lambda hr: culture_export_url("xlsx")(hr).replace("export.xlsx", "export.xlsx/background"),
        {**only("hr", AWAY), "admin": AWAY},
    ),
    "programmes.index": ("GET", "/programmes/", only("hr")),
    "programmes.new_programme": ("GET", "/programmes/new", only("hr")),
    "programmes.new_cohort": ("GET", programme_url(), only("hr")),
    "programmes.edit_programme": ("GET", programme_url("/edit"), only("hr")),
    # HR is let in; the empty form (no version) is refused.
    "programmes.archive": ("POST", programme_url("/archive"), only("hr", BAD_REQUEST)),
    "cohorts.browse": ("GET", "/cohorts/", EMPLOYEES),
    "cohorts.join": ("POST", cohort_url("/join"), {**EMPLOYEES, **dict.fromkeys(ROLES[1:6], AWAY)}),
    # Employees are let in; with nothing to withdraw from, they are sent back with the reason.
    "cohorts.withdraw": (
        "POST",
        cohort_url("/withdraw"),
        {**EMPLOYEES, **dict.fromkeys(ROLES[1:6], AWAY)},
    ),
    "cohorts.detail": ("GET", cohort_url(), COHORT_TEAM),
    "cohorts.decide": ("POST", enrolment_decision_url, {**COHORT_TEAM, "hr": AWAY}),
    "cohort_settings.edit": ("GET", cohort_url("/edit"), only("hr")),
    "cohort_settings.close": ("POST", cohort_url("/close"), only("hr", BAD_REQUEST)),
    # The empty form chooses nothing: back to the cohort with the reason.
    "enrolment.decide_many": ("POST", cohort_url("/decisions"), {**COHORT_TEAM, "hr": AWAY}),
    # Only HR takes a participant out (the table's request is no participant: sent back).
    "enrolment.remove": (
        "POST",
        lambda hr: enrolment_decision_url(hr).replace("/accept", "/remove"),
        only("hr", AWAY),
    ),
    "enrolment.people": ("GET", cohort_url("/people"), only("hr")),
    "enrolment.enrol": ("POST", cohort_url("/people"), only("hr", AWAY)),
    "roster.upload": ("GET", cohort_url("/import"), only("hr")),
    # HR is let in; the empty form (no file) is refused, and so is a confirmation without a
    # signed preview.
    "roster.preview": ("POST", cohort_url("/import"), only("hr", 422)),
    "roster.confirm": ("POST", cohort_url("/import/confirm"), only("hr", BAD_REQUEST)),
    "composer.page": ("GET", cohort_url("/composer"), only("hr")),
    # HR is let in; the empty form is refused (422), and with no draft yet there is nothing
    # to change (409). The composer's own tests cover the real changes.
    "composer.propose": ("POST", cohort_url("/composer"), only("hr", 422)),
    "composer.move": ("POST", cohort_url("/composer/move"), only("hr", 409)),
    "composer.lock": ("POST", cohort_url("/composer/lock"), only("hr", 409)),
    "composer.recompute": ("POST", cohort_url("/composer/recompute"), only("hr", 409)),
    "composer.publish": ("POST", cohort_url("/composer/publish"), only("hr", 409)),
    "composer.discard": ("POST", cohort_url("/composer/discard"), only("hr", AWAY)),
    "sets.new": ("GET", cohort_url("/sets/new"), only("hr")),
    "sets.detail": ("GET", set_url(), SET_TEAM),
    "sets.add_member": ("POST", set_url("/members"), {**SET_TEAM, "hr": AWAY}),
    # Programme leads change a cohort's sets; a set's facilitator may also take members out.
    "set_changes.facilitator": ("GET", set_url("/facilitator"), only("hr")),
    "set_changes.move": ("GET", membership_url("move"), only("hr")),
    "set_changes.remove": ("GET", membership_url("remove"), SET_TEAM),
    "set_changes.close": ("GET", set_url("/close"), only("hr")),
    # Only the set's members on the session's day answer; the table's people were not.
    "feedback.answer": ("GET", lambda hr: f"/sessions/{_session(hr).id}/feedback", NOT_THEIRS),
    "sets.schedule": ("GET", set_url("/sessions/new"), SET_TEAM),
    "sets.cancel_session": (
        "POST",
        lambda hr: f"/sessions/{_session(hr).id}/cancel",
        {**SET_TEAM, "hr": AWAY},
    ),
    "sessions.screen": ("GET", lambda hr: f"/sessions/{_session(hr).id}", SET_TEAM),
    "sessions.attendance": (
        "POST",
        lambda hr: f"/sessions/{_session(hr).id}/attendance",
        {**SET_TEAM, "hr": BAD_REQUEST},
    ),
    "sessions.add_hot_seat": (
        "POST",
        lambda hr: f"/sessions/{_session(hr).id}/hot-seats",
        {**SET_TEAM, "hr": AWAY},
    ),
    "sessions.add_question": (
        "POST",
        lambda hr: f"/hot-seats/{_hot_seat(hr).id}/questions",
        {**SET_TEAM, "hr": AWAY},
    ),
    "sessions.add_commitment": (
        "POST",
        lambda hr: f"/hot-seats/{_hot_seat(hr).id}/commitments",
        {**SET_TEAM, "hr": AWAY},
    ),
    "sessions.review": ("POST", review_url, {**SET_TEAM, "hr": BAD_REQUEST}),
    "sessions.my_commitments": ("GET", "/commitments", signed_in_only(OK)),
    "sessions.edit": ("GET", lambda hr: f"/sessions/{_session(hr).id}/edit", SET_TEAM),
    # Only its owner updates a commitment (tested in learning/); nobody here owns this one.
    "sessions.update_commitment": (
        "POST",
        lambda hr: f"/commitments/{_action(hr, _session(hr)).id}",
        NOT_THEIRS,
    ),
    "sessions.experiment_from_commitment": (
        "POST",
        lambda hr: f"/commitments/{_action(hr, _session(hr)).id}/experiment",
        NOT_THEIRS,
    ),
    "calendar.session_file": ("GET", lambda hr: f"/sessions/{_session(hr).id}.ics", SET_TEAM),
    "calendar.page": ("GET", "/calendar", signed_in_only(OK)),
    "search.page": ("GET", "/search?q=idea", signed_in_only(OK)),
    "calendar.reset": ("POST", "/calendar/reset", signed_in_only(AWAY)),
    # Calendar apps cannot sign in: the secret token in the URL is the credential.
    "calendar.feed": ("GET", feed_url, everyone(OK)),
    # Everyone chooses their own emails; the page shows and changes only the signed-in person's.
    "account.notifications": ("GET", "/account/notifications", signed_in_only(OK)),
    "account.profile": ("GET", "/account/profile", signed_in_only(OK)),
    # Everyone signed in may choose; the empty form is refused next to the field (422).
    "account.language": ("POST", "/account/language", signed_in_only(422)),
    # A copy of one's own data: everyone signed in, guests too; then the job's page.
    "subject_export.mine": ("POST", "/account/my-data", signed_in_only(AWAY)),
    # Administrators ask for anyone's (here the builder's person); nobody else for anyone.
    "subject_export.for_person": (
        "POST",
        lambda hr: f"/admin/people/{hr.id}/data",
        only("admin", AWAY),
    ),
    # Local accounts' second step: only the person half signed in for that step is served
    # (tests/identity/test_two_step.py); everyone else, signed in or not, goes to sign in.
    "two_step.code": ("GET", "/sign-in/code", everyone(LOGIN)),
    "two_step.set_up_at_sign_in": ("GET", "/sign-in/two-step/set-up", everyone(LOGIN)),
    "two_step.confirm_at_sign_in": ("POST", "/sign-in/two-step/confirm", everyone(LOGIN)),
    # Local accounts set up their own; directory accounts have their organisation's MFA.
    "two_step.settings": ("GET", "/account/two-step", only("guest")),
    "two_step.set_up": ("POST", "/account/two-step/set-up", only("guest")),
    "two_step.confirm": ("POST", "/account/two-step/confirm", only("guest", 422)),
    "two_step.turn_off": ("POST", "/account/two-step/turn-off", only("guest", 422)),
    "two_step.new_recovery_codes": (
        "POST",
        "/account/two-step/recovery-codes",
        only("guest", 422),
    ),
    # Administrators reset someone else's lost second step (tests/identity/
    # test_two_step_recovery.py has the POST, CSRF and their own refused).
    "two_step.accounts": ("GET", "/admin/two-step", only("admin")),
    "two_step.reset": ("GET", two_step_reset_url, only("admin")),
    # A private venture owned by the builder's person: the signed-in people of the table are
    # neither its team nor above it, so nobody learns it exists (HR included: boards are not
    # HR data). Its own tests cover who does see it.
    "lineage.page": ("GET", venture_url("/lineage"), NOT_THEIRS),
    "agendas.index": ("GET", "/agendas/", only("hr")),
    "agendas.edit": ("GET", "/agendas/power_hour", only("hr")),
    # HR is let in; the empty form (no version) is refused.
    "agendas.reset": ("POST", "/agendas/power_hour/reset", only("hr", BAD_REQUEST)),
    "sessions.edit_agenda": ("GET", lambda hr: f"/sessions/{_session(hr).id}/agenda", SET_TEAM),
    "sessions.edit_hot_seat": ("GET", lambda hr: f"/hot-seats/{_hot_seat(hr).id}/edit", SET_TEAM),
    # Only the set's facilitator and HR; its members get the same 404 as everyone else.
    "set_health.for_set": ("GET", set_url("/health"), SET_TEAM),
    "set_health.for_cohort": ("GET", cohort_url("/health"), only("hr")),
    "reviews.queue": ("GET", "/reviews", only("manager")),
    "reviews.card": ("GET", experiment_url("/review"), REVIEWERS_ABOVE_THE_TEAM),
    "reviews.review_card": ("POST", experiment_url("/review"), REVIEWERS_ABOVE_THE_TEAM),
    "reviews.board": ("GET", venture_url("/review"), REVIEWERS_ABOVE_THE_TEAM),
    "reviews.review_board": ("POST", venture_url("/review"), REVIEWERS_ABOVE_THE_TEAM),
    "reviews.notifications": ("GET", "/notifications", signed_in_only(OK)),
    "reviews.mark_read": ("POST", "/notifications/read", signed_in_only(AWAY)),
    "ventures.index": ("GET", "/ventures/", signed_in_only(OK)),
    "library.index": ("GET", "/library", signed_in_only(OK)),
    "ventures.new": ("GET", "/ventures/new", signed_in_only(OK)),
    "ventures.board": ("GET", open_venture_url(), ORGANISATION_SEES),
    "ventures.export": ("GET", open_venture_url("/export.csv"), ORGANISATION_SEES),
    "ventures.activity": ("GET", open_venture_url("/activity"), ORGANISATION_SEES),
    "ventures.new_card": ("GET", open_venture_url("/experiments/new"), ONLY_ITS_TEAM),
    "ventures.settings": ("GET", open_venture_url("/settings"), ONLY_ITS_TEAM),
    "ventures.add_to_team": ("POST", open_venture_url("/team"), ONLY_ITS_TEAM),
    "ventures.share": ("POST", open_venture_url("/shares"), ONLY_ITS_TEAM),
    "ventures.archive": ("POST", open_venture_url("/archive"), ONLY_ITS_TEAM),
    "ventures.remove_from_team": ("POST", team_member_url, NOT_THEIRS),
    "ventures.delete": ("POST", venture_url("/delete"), NOT_THEIRS),
    "ventures.card": ("GET", experiment_url(), NOT_THEIRS),
    "expertise.tags": ("GET", "/expertise/tags", only("hr")),
    "expertise.rename": ("POST", _tag_url("rename"), only("hr", AWAY)),
    "expertise.retire": ("POST", _tag_url("retire"), only("hr", AWAY)),
    "expertise.restore": ("POST", _tag_url("restore"), only("hr", AWAY)),
    "expertise.profile": (
        "GET",
        "/account/expertise",
        {**everyone(FORBIDDEN), "anonymous": LOGIN, "facilitator": OK, "guest": OK},
    ),
    "expertise.finder": ("GET", "/entrepreneurs", EMPLOYEES),
    "hacks.from_hot_seat": (
        "GET",
        lambda hr: f"/hot-seats/{_hot_seat(hr).id}/hack",
        # HR sees every set, but asks only about its own challenges.
        {**everyone(NOT_FOUND), "anonymous": LOGIN, "hr": FORBIDDEN, "guest": FORBIDDEN},
    ),
    "hacks.from_card": (
        "GET",
        experiment_url("/hack"),
        {**NOT_THEIRS, "guest": FORBIDDEN},
    ),
    "hacks.index": ("GET", "/hacks", signed_in_only(OK)),
    "hacks.detail": ("GET", hack_url(), NOT_THEIRS),
    "hacks.calendar_file": ("GET", hack_url(".ics"), NOT_THEIRS),
    "hacks.accept": ("POST", hack_url("/accept"), NOT_THEIRS),
    "hacks.decline": ("POST", hack_url("/decline"), NOT_THEIRS),
    "hacks.figures": ("GET", "/hacks/figures", only("hr")),
    "ventures.edit_card": ("GET", experiment_url("/edit"), NOT_THEIRS),
    "ventures.move": ("POST", experiment_url("/move"), NOT_THEIRS),
    "ventures.decide": ("POST", experiment_url("/decide"), NOT_THEIRS),
    "surveys.index": ("GET", "/surveys/", only("hr")),
    "surveys.new": ("GET", "/surveys/new", only("hr")),
    "surveys.detail": ("GET", survey_url(), only("hr")),
    "surveys.close": ("POST", survey_url("/close"), only("hr", AWAY)),
    "surveys.mine": ("GET", "/surveys/mine", signed_in_only(OK)),
    # Only invitees answer; the table's people were not invited, and learn nothing (404).
    "surveys.answer": ("GET", survey_url("/answer"), NOT_THEIRS),
    # The personal link's secret is the credential: it works without signing in.
    "surveys.answer_by_token": ("GET", survey_link_url, everyone(OK)),
    # The whole organisation's estimate: HR and admins only (see blueprints/impact.py).
    "impact.estimate": ("GET", "/culture/impact", {**only("hr"), "admin": OK}),
    "assets.plotly": ("GET", "/static/vendor/plotly/plotly.min.js", everyone(OK)),
}


def _routes(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_route_has_a_row(app: Flask) -> None:
    assert _routes(app) == set(TABLE), "add a row to TABLE for each new route (and remove old ones)"


def test_every_view_declares_its_access(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint in _routes(app)
        if not hasattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE)
    ]
    assert undeclared == [], "wrap each view in @public or @requires(rule)"


def person_for(role: str, make_person: Callable[..., Person]) -> Person | None:
    if role == "anonymous":
        return None
    if role == "guest":
        return make_person(kind=PersonKind.GUEST, access_ends_on=date.today() + timedelta(days=5))
    return make_person(Role(role)) if role != "employee" else make_person()


@pytest.mark.parametrize("role", [*ROLES, SPONSOR])
@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_route_answers_each_role_as_the_table_says(
    endpoint: str,
    role: str,
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
    app: Flask,
) -> None:
    method, url, expected = TABLE[endpoint]
    if callable(url):
        url = url(make_person(Role.HR))
    person = person_for(role, make_person)
    if person is not None:
        sign_in_as(client, person)
    # The table is about access, not forms: CSRF has its own tests.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)

    response = client.open(url, method=method)
    response.close()  # as a WSGI server would: a file-backed answer (plotly.js) holds the file

    _assert_security_headers(response.headers)
    answer = expected[role] if role in expected else expected["employee"]
    if answer == LOGIN:
        assert response.status_code == 302
        assert response.location.startswith("/sign-in")
    elif answer == AWAY:
        assert response.status_code == 302
        assert not response.location.startswith("/sign-in")
    else:
        assert response.status_code == answer, response.get_data(as_text=True)[:500]


SECOND_STEP_PAGES = {"two_step.code", "two_step.set_up_at_sign_in", "two_step.confirm_at_sign_in"}


@pytest.mark.parametrize("step", [mfa.Step.CODE, mfa.Step.SET_UP])
@pytest.mark.parametrize("endpoint", sorted(set(TABLE) - SECOND_STEP_PAGES))
def test_a_half_signed_in_person_reaches_only_what_anonymous_people_reach(
    endpoint: str,
    step: str,
    client: FlaskClient,
    make_person: Callable[..., Person],
    monkeypatch: pytest.MonkeyPatch,
    app: Flask,
) -> None:
    """Between the password and the code (or the required set-up), a guest with the
    right password is anonymous to every page but the second step's own."""
    method, url, expected = TABLE[endpoint]
    if callable(url):
        url = url(make_person(Role.HR))
    guest = person_for("guest", make_person)
    assert guest is not None
    with client.session_transaction() as session:
        session[signing_in.PENDING] = {
            "person": guest.id,
            "version": guest.session_version,
            "method": "password",
            "step": step,
            "next": "/",
            "welcome": None,
            "since": datetime.now(UTC).timestamp(),
        }
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)

    response = client.open(url, method=method)
    response.close()

    answer = expected["anonymous"]
    if answer == LOGIN:
        assert response.status_code == 302
        assert response.location.startswith("/sign-in")
    else:
        assert response.status_code == answer, response.get_data(as_text=True)[:500]


def _assert_security_headers(headers: Any) -> None:
    """Every answer, whatever the route, role or status, carries the security headers."""
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
