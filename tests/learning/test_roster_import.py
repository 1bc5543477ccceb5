"""HR imports a CSV of usernames or emails into a cohort: a dry run that lists every line's
outcome and saves nothing, then a confirmation that checks again and enrols all or none. Bad
files get a clear report, never a 500."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from intrapreneur.core import mail
from intrapreneur.core.mail_models import OutgoingEmail
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning import services
from intrapreneur.learning.models import Cohort, Enrolment, EnrolmentStatus
from intrapreneur.learning.roster_file import MAX_LINES, RosterFileProblem, read_roster
from tests.conftest import SmtpServer, csrf_token, sign_in_as
from tests.learning.builders import a_cohort, requests_for

TODAY = date.today()
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _upload(client: FlaskClient, cohort: Cohort, content: bytes):  # type: ignore[no-untyped-def]
    page = f"/cohorts/{cohort.id}/import"
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that nobody closes when the app refuses to read it.
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client, page),
            "roster": FileStorage(io.BytesIO(content), "people.csv", content_type="text/csv"),
        }
    )
    return client.post(page, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _confirm(client: FlaskClient, cohort: Cohort, preview_page: str):  # type: ignore[no-untyped-def]
    token = re.search(r'name="signed_lines" type="hidden" value="([^"]+)"', preview_page)
    assert token, "the preview offers to confirm"
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', preview_page)
    assert csrf
    return client.post(
        f"/cohorts/{cohort.id}/import/confirm",
        data={"csrf_token": csrf.group(1), "signed_lines": token.group(1)},
    )


def _saved() -> tuple[int, int, int]:
    """Enrolments, audit events and queued emails: what an import may write."""
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Enrolment, AuditEvent, OutgoingEmail)
    )


# -- reading the file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"  \r\n\r\n", "The file is empty"),
        (b"username\n", "holds no usernames or email addresses"),
        ("Zoë\n".encode("latin-1"), "The file is not UTF-8 text (byte 3 is not valid UTF-8)"),
        ("ann\n".encode("utf-16"), "The file is not UTF-8 text"),
        (b"ann\nbob,Finance\ncid\ndee;x,y\n", "these lines have more: 2, 4."),
        (b"a\x00b\n", "NUL characters"),
        (b"x\n" * (MAX_LINES + 1), "more than 5,000 lines"),
        (b"x\n" * 100_000, "more than 5,000 lines"),
    ],
)
def test_a_file_that_is_not_a_one_column_utf8_list_is_refused_with_the_reason(
    content: bytes, message: str
) -> None:
    with pytest.raises(RosterFileProblem, match=re.escape(message)):
        read_roster(content)


def test_a_bom_a_header_blank_lines_and_an_empty_second_cell_are_accepted() -> None:
    content = "\ufeffEmail\r\nann@corp.example\r\n\r\n  bob  ,\r\n".encode()
    assert [(line.number, line.value) for line in read_roster(content)] == [
        (2, "ann@corp.example"),
        (4, "bob"),
    ]
    assert len(read_roster(b"x\n" * MAX_LINES)) == MAX_LINES
    assert len(read_roster(b"username\n" + b"x\n" * MAX_LINES)) == MAX_LINES


# -- the dry run -----------------------------------------------------------------------------


def test_the_preview_lists_every_line_outcome_and_saves_nothing(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(capacity=3)
    ann = make_person(username="ann", display_name="Ann")
    make_person(username="bob", display_name="Bob", email="bob@corp.example")
    cid = make_person(username="cid", display_name="Cid")
    make_person(username="dee", display_name="Dee")
    make_person(kind=PersonKind.GUEST, email="gus@guest.example", display_name="Gus")
    make_person(username="olga", display_name="Olga", active=False)
    requests_for(cohort, [cid], EnrolmentStatus.ACCEPTED)
    requests_for(cohort, [ann], EnrolmentStatus.WAITING)
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    before = _saved()

    content = b"username\nANN\nBOB@corp.example\nnobody\nbob\ncid\ngus@guest.example\nolga\ndee\n"
    response = _upload(client, cohort, content)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    rows = re.findall(
        r"<tr[^>]*>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>",
        page,
    )
    assert rows == [
        ("2", "ANN", "will enrol"),
        ("3", "BOB@corp.example", "will enrol"),
        ("4", "nobody", "unknown person"),
        ("5", "bob", "duplicate line (same person as line 3)"),
        ("6", "cid", "already enrolled"),
        ("7", "gus@guest.example", "not an employee or cannot sign in"),
        ("8", "olga", "not an employee or cannot sign in"),
        ("9", "dee", "over capacity"),
    ]
    assert "Nothing can be imported" in page and "Enrol all" not in page
    assert _saved() == before


def test_confirming_enrols_everyone_in_one_go_and_tells_them(
    client: FlaskClient, make_person: Callable[..., Person], inbox: SmtpServer
) -> None:
    cohort = a_cohort(capacity=60)
    people = [make_person(username=f"p{n}") for n in range(50)]
    requests_for(cohort, people[:2])  # their pending requests are accepted
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    content = "\n".join(p.email if n % 2 else p.username for n, p in enumerate(people)).encode()

    preview = _upload(client, cohort, content)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Every line enrols someone: <strong>50</strong> people, of 60 free places" in page
    assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 0

    done = _confirm(client, cohort, page)
    assert done.location == f"/cohorts/{cohort.id}"
    assert "Enrolled from the file: 50." in client.get(done.location).get_data(as_text=True)
    statuses = db.session.scalars(select(Enrolment.status)).all()
    assert statuses == [EnrolmentStatus.ACCEPTED] * 50
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("enrolment.imported") == 50
    assert actions.count("cohort.roster_imported") == 1
    mail.deliver_due(datetime.now(UTC) + timedelta(minutes=1))
    assert len(inbox.received) == 50


def test_the_confirmation_checks_again_and_saves_nothing_if_a_line_went_wrong(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort(capacity=2)
    ann, bob, late = make_person(username="ann"), make_person(username="bob"), make_person()
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = _upload(client, cohort, b"ann\nbob\n").get_data(as_text=True)

    # Between the preview and the confirmation, someone else takes the last place but one.
    requests_for(cohort, [late], EnrolmentStatus.ACCEPTED)
    db.session.commit()
    before = _saved()
    refused = _confirm(client, cohort, page)

    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "since the preview, some lines no longer enrol anyone" in body
    assert "over capacity" in body
    assert _saved() == before
    assert (ann.id, bob.id) not in db.session.execute(select(Enrolment.person_id)).all()


def test_a_confirmation_is_refused_when_forged_or_for_another_cohort(
    client: FlaskClient, make_person: Callable[..., Person], app: Flask
) -> None:
    cohort, other = a_cohort(), a_cohort(name="Autumn")
    make_person(username="ann")
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = _upload(client, cohort, b"ann\n").get_data(as_text=True)
    token = re.search(r'name="signed_lines" type="hidden" value="([^"]+)"', page)
    assert token
    csrf = csrf_token(client, f"/cohorts/{cohort.id}/import")

    for target, roster in ((other, token.group(1)), (cohort, token.group(1)[:-2] + "xx")):
        refused = client.post(
            f"/cohorts/{target.id}/import/confirm",
            data={"csrf_token": csrf, "signed_lines": roster},
        )
        assert refused.status_code == 400
        assert "upload the file again" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Zoë\n".encode("latin-1"), "The file is not UTF-8 text"),
        (b"ann,Finance\n", "The file must have one column"),
        (b"", "The file is empty"),
        (b"x\n" * 100_000, "more than 5,000 lines"),
    ],
)
def test_bad_files_get_a_clear_report_on_the_upload_page(
    client: FlaskClient, make_person: Callable[..., Person], content: bytes, message: str
) -> None:
    cohort = a_cohort()
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    response = _upload(client, cohort, content)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="roster-error"' in body and message in body


def test_no_file_and_a_too_large_upload_are_reported_where_the_file_is_chosen(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    cohort = a_cohort()
    db.session.commit()
    sign_in_as(client, make_person(Role.HR))
    page = f"/cohorts/{cohort.id}/import"
    empty = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert empty.status_code == 422
    assert "Choose a CSV file to upload." in empty.get_data(as_text=True)

    too_large = _upload(client, cohort, b"someone@corp.example\n" * 60_000)
    assert too_large.status_code == 413
    body = too_large.get_data(as_text=True)
    assert "The file is larger than 1,024 KB, the most that can be uploaded at once." in body


def test_the_import_service_checks_capacity_again_under_the_lock(
    make_person: Callable[..., Person],
) -> None:
    cohort = a_cohort(capacity=1)
    make_person(username="ann")
    make_person(username="bob")
    lines = read_roster(b"ann\nbob\n")
    with pytest.raises(services.RosterRefused) as refused:
        services.import_roster(cohort, lines, by=make_person(Role.HR), today=TODAY, now=NOW)
    assert [line.outcome for line in refused.value.check.lines] == [
        services.Outcome.WILL_ENROL,
        services.Outcome.OVER_CAPACITY,
    ]
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_checking_a_long_list_takes_a_fixed_number_of_queries(
    make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    cohort = a_cohort(capacity=500)
    people = [make_person() for _ in range(200)]
    db.session.flush()

    def measure(count: int) -> int:
        lines = read_roster("\n".join(p.username or "" for p in people[:count]).encode())
        with count_queries() as counted:
            services.check_roster(cohort, lines, TODAY)
        return counted.total

    assert measure(200) == measure(5)
