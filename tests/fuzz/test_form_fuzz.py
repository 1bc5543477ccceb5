"""Hypothesis posts odd input to every form of the app, as someone allowed to post it and with a
valid CSRF token: text in any script with control characters, very long text, numbers far out
of range, impossible dates, fields left out, fields added, several values for one field. No
answer is a server error or shows a stack trace, and a refused post leaves every table as it
was: nothing half-written.

The routes, the objects behind their URLs and who may post come from the route × role table
(tests/core/test_routes.py). Each form's fields come from the WTForms classes its view uses,
and for a form with a page of its own also from that page, whose values (choices, the hidden
version) fill the form as a browser would. Then each field in turn gets the worst values of
its kind, and hypothesis changes a few fields at a time.
"""

from __future__ import annotations

import inspect
import tempfile
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, ScalarSelect, Table, func, select
from werkzeug.exceptions import HTTPException
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectFieldBase,
    SubmitField,
    TimeField,
    URLField,
)
from wtforms.fields.core import Field

from intrapreneur import create_app
from intrapreneur.blueprints.signing_in import PENDING
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db, limiter
from intrapreneur.identity import mfa
from intrapreneur.identity.models import Person, PersonKind, Role
from intrapreneur.learning import composition
from intrapreneur.learning.models import (
    Cohort,
    Enrolment,
    LearningSession,
    LearningSet,
    SetMembership,
)
from intrapreneur.learning.models import EnrolmentStatus as Status
from tests.conftest import csrf_token, environment_for, mark_signed_in, sign_in_as
from tests.core.test_routes import (
    AWAY,
    BAD_REQUEST,
    CREATED,
    OK,
    ROLES,
    TABLE,
    cohort_url,
    person_for,
)
from tests.fuzz.bounds import bounded

EXAMPLES = 10
# Answers of the route table that mean "let in": the page, a redirect after acting, or the
# empty form refused. A role with one of these may post the form.
LET_IN = {OK, CREATED, AWAY, BAD_REQUEST, 409, 422}
# Signs of an error page that leaks the code behind it.
LEAKS = ("traceback", "sqlalchemy", 'file "/')


def _post_endpoints() -> list[str]:
    """Every endpoint that takes a POST, read from an app whose database is never opened."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(environment_for("sqlite://", Path(instance)), TESTING=True)
    return sorted(rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods)


POST_ENDPOINTS = _post_endpoints()
# Posted by another site by design, so exempt from CSRF; what stands in for the token is
# tested with the route (the request bound to the browser, refused from another one).
CSRF_EXEMPT = {"saml.acs": "tests/identity/test_saml_sign_in.py"}


# -- who posts ----------------------------------------------------------------------------


def _manager_above(hr: Person, make_person: Callable[..., Person]) -> Person:
    """Reviews are for a manager above someone on the team (the builder's person)."""
    manager = make_person(Role.MANAGER)
    hr.manager_id = manager.id
    return manager


def _survey_invitee(hr: Person, make_person: Callable[..., Person]) -> Person:
    """The one person the table's survey asks (see test_routes._survey)."""
    return db.session.scalars(select(Person).where(Person.username == "survey-participant")).one()


# Forms that only someone the table does not sign in may post.
POSTERS: dict[str, Callable[[Person, Callable[..., Person]], Person]] = {
    "reviews.review_card": _manager_above,
    "reviews.review_board": _manager_above,
    "surveys.answer": _survey_invitee,
}


def _a_facilitator(hr: Person, url: str, make_person: Callable[..., Person]) -> Person:
    """The composer's form has a row per facilitator."""
    return make_person(Role.FACILITATOR)


def _with_participants(url: str, make_person: Callable[..., Person]) -> Cohort:
    """The cohort at ``url`` (/cohorts/<id>/…), with six accepted participants."""
    cohort = db.get_or_404(Cohort, int(url.split("/")[2]))
    for _ in range(6):
        db.session.add(Enrolment(cohort=cohort, person=make_person(), status=Status.ACCEPTED))
    return cohort


def _a_draft(hr: Person, url: str, make_person: Callable[..., Person]) -> None:
    """The composer's changes act on a draft: a proposal for the cohort's participants."""
    composition.propose(
        _with_participants(url, make_person),
        facilitators=[composition.FacilitatorChoice(_a_facilitator(hr, url, make_person), 2)],
        set_count=None,
        keep_apart=True,
        seed=1,
        by=hr,
        now=datetime.now(UTC),
        today=date.today(),
    )


def _a_cohort(hr: Person, url: str, make_person: Callable[..., Person]) -> None:
    """A survey wave asks the participants of cohorts."""
    _with_participants(cohort_url()(hr), make_person)


def _answering_open(hr: Person, url: str, make_person: Callable[..., Person]) -> None:
    """Feedback on the session at ``url`` (/sessions/<id>/feedback): it has started, and the
    builder's person was in its set that day, so answers are taken."""
    session = db.get_or_404(LearningSession, int(url.split("/")[2]))
    session.starts_at, session.ends_at = datetime.now(UTC) - timedelta(hours=2), datetime.now(UTC)
    db.session.add(
        SetMembership(set_id=session.set_id, person=hr, joined_on=date.today() - timedelta(days=9))
    )


def _another_set(hr: Person, url: str, make_person: Callable[..., Person]) -> None:
    """A member of the set at ``url`` (/memberships/<id>/move) moves into another of its cohort."""
    membership = db.get_or_404(SetMembership, int(url.split("/")[2]))
    db.session.add(LearningSet(cohort_id=membership.learning_set.cohort_id, name="Other set"))


# What a form needs before it does more than refuse: the table's objects are bare.
def _half_signed_in(step: str) -> Callable[[Callable[..., Person]], dict[str, Any]]:
    """A guest who gave their password and owes ``step`` (a code, or setting one up): the
    session state the second step's forms are served in."""

    def state(make_person: Callable[..., Person]) -> dict[str, Any]:
        guest = make_person(
            Role.GUEST, kind=PersonKind.GUEST, access_ends_on=date.today() + timedelta(days=30)
        )
        if step == mfa.Step.CODE:
            secret = mfa.begin_set_up(guest)
            mfa.confirm_set_up(guest, pyotp.TOTP(secret).now(), datetime.now(UTC))
        pending = {"person": guest.id, "version": guest.session_version, "method": "password"}
        return {
            PENDING: {
                **pending,
                "step": step,
                "next": "/",
                "welcome": None,
                "since": datetime.now(UTC).timestamp(),
            }
        }

    return state


HALF_SIGNED_IN = {
    "two_step.code": _half_signed_in(mfa.Step.CODE),
    "two_step.set_up_at_sign_in": _half_signed_in(mfa.Step.SET_UP),
}


PREPARE: dict[str, Callable[[Person, str, Callable[..., Person]], object]] = {
    "composer.propose": _a_facilitator,
    "set_changes.facilitator": _a_facilitator,
    "set_changes.move": _another_set,
    "feedback.answer": _answering_open,
    "surveys.new": _a_cohort,
    **dict.fromkeys(
        ["composer.move", "composer.lock", "composer.recompute", "composer.publish"], _a_draft
    ),
}


def _poster(endpoint: str, hr: Person, make_person: Callable[..., Person]) -> Person | None:
    """The first role the table lets in; else the builder's person, who owns the objects
    behind the URL (their venture, commitment, …); None posts signed out."""
    if endpoint in POSTERS:
        return POSTERS[endpoint](hr, make_person)
    answers = TABLE[endpoint][2]
    role = next((role for role in ROLES if answers[role] in LET_IN), None)
    return hr if role is None else person_for(role, make_person)


# -- what each form holds -------------------------------------------------------------------


@dataclass
class FieldToFill:
    """One field to fill in: what kind of value it takes, and values a browser would send."""

    kind: str
    valid: list[str] = field(default_factory=list)


def _is_the_apps(value: Any) -> bool:
    return getattr(value, "__module__", getattr(value, "__name__", "")).startswith("intrapreneur")


def _named_in(code: types.CodeType, names: dict[str, Any]) -> Iterator[Any]:
    """What a piece of code names: its globals, and attributes of the app's modules."""
    for name in code.co_names:
        value = names.get(name)
        yield value
        if isinstance(value, types.ModuleType) and _is_the_apps(value):
            yield from (getattr(value, attribute, None) for attribute in code.co_names)


def _form_classes(view: Callable[..., Any]) -> set[type[Form]]:
    """The WTForms classes a view uses, directly or through the app's own helpers."""
    found: set[type[Form]] = set()
    seen: set[types.CodeType] = set()

    def visit(code: types.CodeType, names: dict[str, Any]) -> None:
        if code in seen:
            return
        seen.add(code)
        for value in _named_in(code, names):
            if isinstance(value, type) and issubclass(value, Form):
                found.add(value)
            elif isinstance(value, types.FunctionType) and _is_the_apps(value):
                visit(value.__code__, value.__globals__)
        for constant in code.co_consts:
            if isinstance(constant, types.CodeType):  # lambdas and inner functions
                visit(constant, names)

    function = inspect.unwrap(view)
    visit(function.__code__, function.__globals__)
    return found


# The kind of value each WTForms field takes (the first class that fits); text otherwise.
FIELD_KINDS = [
    ((SubmitField,), "submit"),
    ((IntegerField, DecimalField), "number"),
    ((DateField,), "date"),
    ((TimeField,), "time"),
    ((BooleanField,), "boolean"),
    ((URLField,), "url"),
    ((EmailField,), "email"),
    ((SelectFieldBase,), "choice"),
]


def _kind(form_field: Field) -> str:
    return next((kind for classes, kind in FIELD_KINDS if isinstance(form_field, classes)), "text")


def _leaves(fields: Any) -> Iterator[Field]:
    for form_field in fields:
        if isinstance(form_field, FieldList | FormField):
            yield from _leaves(form_field)
        else:
            yield form_field


def _class_fields(app: Flask, endpoint: str) -> dict[str, FieldToFill]:
    fields: dict[str, FieldToFill] = {}
    with app.test_request_context(method="POST"):
        for form_class in _form_classes(app.view_functions[endpoint]):
            for form_field in _leaves(form_class(meta={"csrf": False})):
                choices = getattr(form_field, "choices", None) or []
                valid = [str(choice.value) for choice in choices]
                fields[form_field.name] = FieldToFill(_kind(form_field), valid)
    return fields


FIELD_TAGS = ("input", "textarea", "select", "button")
HTML_KINDS = {"number": "number", "date": "date", "time": "time", "email": "email", "url": "url"}


def _html_kind(tag: str, attributes: dict[str, str | None]) -> str:
    """The kind of value a field on a page takes, from its type (a hidden number is one too)."""
    if tag == "button" or attributes.get("type") == "submit":
        return "submit"
    if attributes.get("type") == "checkbox":
        return "boolean"
    if attributes.get("type") == "hidden" and (attributes.get("value") or "").isdigit():
        return "number"
    return HTML_KINDS.get(attributes.get("type") or "", "text")


class _FormReader(HTMLParser):
    """The fields of the forms on a page that post to ``action``, with the values they hold."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: dict[str, tuple[str, list[str]]] = {}
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("action") in (self.action, "", None)
        elif self.inside and tag in FIELD_TAGS and attributes.get("name"):
            kind = _html_kind(tag, attributes)
            _, values = self.fields.setdefault(attributes["name"] or "", (kind, []))
            if attributes.get("value"):  # an empty box is no value to start from
                values.append(attributes["value"] or "")
            self.select = attributes["name"] if tag == "select" else None
        elif self.inside and tag == "option" and self.select:
            self.fields[self.select][1].append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def _page_fields(client: FlaskClient, url: str) -> dict[str, tuple[str, list[str]]]:
    response = client.get(url)
    reader = _FormReader(url)
    reader.feed(response.get_data(as_text=True))
    reader.fields.pop("csrf_token", None)
    return reader.fields


# -- what hypothesis sends ------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
LONG_TEXT = st.builds(
    lambda text, times: text * times, ANY_TEXT.filter(bool), st.integers(50, 5000)
)
# Each kind's edge cases first: they are drawn as often as everything else of the kind.
ODD_NUMBERS = st.one_of(
    st.sampled_from(["sNaN", "NaN", "-Infinity", "1e999999", "2147483648", "-1", "-0"]),
    st.sampled_from(["9223372036854775808", "٣", " 7 ", "0x10", "1_000"]),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
ODD_DATES = st.one_of(
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "0000-01-01", "10000-01-01"]),
    st.sampled_from(["2026-13-01", "01/02/2026", "2026-W01", "today"]),
    st.dates().map(date.isoformat),
)
ODD_TIMES = st.one_of(
    st.sampled_from(["23:59", "00:00", "24:00", "23:59:60", "7pm", "-1:00"]),
    st.times().map(str),
)
ANYTHING = st.one_of(ANY_TEXT, LONG_TEXT, ODD_NUMBERS, ODD_DATES, ODD_TIMES, st.just(""))
ODD_VALUES = {
    "number": ODD_NUMBERS,
    "date": ODD_DATES,
    "time": ODD_TIMES,
    "text": st.one_of(ANY_TEXT, LONG_TEXT),
}
SOON = (date.today() + timedelta(days=7)).isoformat()
USUAL_VALUES = {
    "number": ["1", "2", "3"],
    "date": [date.today().isoformat(), SOON],
    "time": ["10:00"],
    "boolean": ["y"],
    "url": ["https://video.example.org/room"],
    "email": ["fuzz@corp.example"],
    "text": ["A fuzzed line"],
    "choice": ["1"],
    "submit": ["y"],
}
MISSING: list[str] = []


def _usual(form_field: FieldToFill) -> st.SearchStrategy[list[str]]:
    """A value a browser sends; a button is sent only when pressed."""
    values = [[value] for value in form_field.valid or USUAL_VALUES[form_field.kind]]
    return st.sampled_from([MISSING, *values] if form_field.kind == "submit" else values)


def _odd(form_field: FieldToFill) -> st.SearchStrategy[list[str]]:
    odd = st.one_of(ODD_VALUES.get(form_field.kind, ANYTHING), ANYTHING)
    return st.one_of(
        st.just(MISSING), odd.map(lambda v: [v]), st.lists(odd, min_size=2, max_size=3)
    )


@st.composite
def submissions(draw: st.DrawFn, fields: dict[str, FieldToFill]) -> dict[str, list[str]]:
    """The form as a browser fills it, with a few fields changed (shrinks to no change)."""
    changed = draw(st.sets(st.sampled_from(sorted(fields)), max_size=3)) if fields else set()
    sent = {
        name: draw(_odd(form_field) if name in changed else _usual(form_field))
        for name, form_field in sorted(fields.items())
    }
    extra = draw(st.dictionaries(ANY_TEXT.filter(bool), ANYTHING.map(lambda v: [v]), max_size=2))
    return {name: values for name, values in {**extra, **sent}.items() if values}


# Each field in turn gets each of its kind's worst values (or is left out), the others as a
# browser fills them: the same few hundred posts on every run, before hypothesis's own.
EDGES = {
    "number": ["sNaN", "-Infinity", "1e999999", "9223372036854775808", "-1"],
    "date": ["9999-12-31", "0001-01-01", "2026-02-30"],
    "time": ["23:59", "24:00"],
    "text": ["Ω\u202e\U0001f600" * 4000, "\x01\x1b[31m\x7f\u0085"],
    "choice": ["9223372036854775808", "٣"],
    "boolean": ["no"],
    "email": ["a@" + "b" * 300 + ".example"],
    "url": ["javascript:alert(1)"],
    "submit": ["y"],
}


def _edge_submissions(fields: dict[str, FieldToFill]) -> Iterator[dict[str, list[str]]]:
    usual = {name: (f.valid or USUAL_VALUES[f.kind])[:1] for name, f in fields.items()}
    for name, form_field in sorted(fields.items()):
        for value in [None, *EDGES[form_field.kind]]:
            changed = {**usual, name: [] if value is None else [value]}
            yield {key: values for key, values in changed.items() if values}


# -- checking ---------------------------------------------------------------------------------


def _count(table: Table) -> ScalarSelect[int]:
    query = select(func.count()).select_from(table)
    if table is AuditEvent.__table__:
        # A refusal may leave one trace on purpose: the audit log's note of it (sign-ins).
        query = query.where(~AuditEvent.action.endswith("_refused", autoescape=True))
    return query.scalar_subquery()


def _row_counts(connection: Connection) -> dict[str, int]:
    counts = [_count(table).label(table.name) for table in db.metadata.sorted_tables]
    return dict(connection.execute(select(*counts)).one()._mapping)


def _fresh_session(
    client: FlaskClient, poster: Person | None, csrf_secret: str, extra: dict[str, Any]
) -> None:
    """Signed in as the poster, with the session's CSRF secret and ``extra`` (a half-signed-
    in state), and nothing else: each example starts from the same session, even after one
    that signed out."""
    with client.session_transaction() as session:
        session.clear()
        session["csrf_token"] = csrf_secret
        session.update(extra)
        if poster is not None:
            mark_signed_in(session, poster.get_id())


def _refused(client: FlaskClient, status: int) -> bool:
    with client.session_transaction() as session:
        flashed = session.pop("_flashes", [])
    return status >= 400 or any(category == "error" for category, _ in flashed)


def _form_page(app: Flask, url: str) -> str:
    """The page at the form's own address when there is one (the form is on it); otherwise
    any page with a form, for a token."""
    try:
        app.url_map.bind("localhost").match(url.partition("?")[0], method="GET")
    except HTTPException:
        return "/calendar"
    return url


@dataclass
class Sender:
    """Posts one submission as the poster, on a fresh session, and checks the answer; what it
    changed is rolled back, so every submission meets the same database."""

    client: FlaskClient
    connection: Connection
    url: str
    poster: Person | None
    csrf_secret: str
    csrf_token: str
    session_extra: dict[str, Any] = field(default_factory=dict)

    def post_and_check(self, sent: dict[str, list[str]]) -> None:
        limiter.reset()
        example = self.connection.begin_nested()
        try:
            _fresh_session(self.client, self.poster, self.csrf_secret, self.session_extra)
            before = _row_counts(self.connection)
            response = self.client.post(self.url, data={**sent, "csrf_token": [self.csrf_token]})
            body = response.get_data(as_text=True)
            response.close()
            shown = f"sent {sent!r}\n{body[:3000]}"
            assert response.status_code < 500, shown
            assert not any(leak in body.lower() for leak in LEAKS), shown
            if _refused(self.client, response.status_code):
                after = _row_counts(self.connection)
                assert after == before, f"a refused post changed the database: sent {sent!r}"
        finally:
            example.rollback()

    def post_without_token_and_check(self, sent: dict[str, list[str]]) -> None:
        """A valid submission without the CSRF token (a forged cross-site post) is refused."""
        example = self.connection.begin_nested()
        try:
            _fresh_session(self.client, self.poster, self.csrf_secret, self.session_extra)
            before = _row_counts(self.connection)
            response = self.client.post(self.url, data=sent)
            assert response.status_code == BAD_REQUEST, f"{self.url} took a post without a token"
            assert "Reload the page and send it again" in response.get_data(as_text=True)
            assert _row_counts(self.connection) == before
        finally:
            example.rollback()


def _sender(
    app: Flask,
    client: FlaskClient,
    endpoint: str,
    url: str,
    poster: Person | None,
    session_extra: dict[str, Any],
) -> tuple[Sender, dict[str, FieldToFill]]:
    """Signed in as the poster: the form's fields, and a sender holding a valid CSRF token."""
    if poster is not None:
        sign_in_as(client, poster)
    with client.session_transaction() as session:
        session.update(session_extra)
    fields = _class_fields(app, endpoint)
    form_page = _form_page(app, url)
    if form_page == url:
        for name, (kind, values) in _page_fields(client, url).items():
            fields.setdefault(name, FieldToFill(kind)).valid[:0] = values
    token = csrf_token(client, form_page)
    with client.session_transaction() as session:
        secret = session["csrf_token"]
    connection = db.session.get_bind()
    assert isinstance(connection, Connection)
    return Sender(client, connection, url, poster, secret, token, session_extra), fields


def _prepared_sender(
    endpoint: str, app: Flask, client: FlaskClient, make_person: Callable[..., Person]
) -> tuple[Sender, dict[str, FieldToFill]]:
    """The objects behind the route's URL, someone allowed to post, and their sender."""
    _, url, _ = TABLE[endpoint]
    hr = make_person(Role.HR)
    if callable(url):
        url = url(hr)
    if endpoint in PREPARE:
        PREPARE[endpoint](hr, url, make_person)
    poster = _poster(endpoint, hr, make_person)
    session_extra = HALF_SIGNED_IN[endpoint](make_person) if endpoint in HALF_SIGNED_IN else {}
    db.session.commit()
    return _sender(app, client, endpoint, url, poster, session_extra)


@pytest.fixture
def deployed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """As deployed: without a base URL the password reset form is not even shown."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://intrapreneur.example")
    return app


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_a_form_takes_any_input_without_a_server_error_or_a_half_write(
    endpoint: str, deployed: Flask, client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sender, fields = _prepared_sender(endpoint, deployed, client, make_person)

    for sent in _edge_submissions(fields):
        sender.post_and_check(sent)

    @bounded(EXAMPLES)
    @given(sent=submissions(fields))
    def takes(sent: dict[str, list[str]]) -> None:
        sender.post_and_check(sent)

    takes()


def test_only_existing_routes_are_exempt_from_the_csrf_check() -> None:
    assert set(CSRF_EXEMPT) <= set(POST_ENDPOINTS)


@pytest.mark.parametrize("endpoint", sorted(set(POST_ENDPOINTS) - set(CSRF_EXEMPT)))
def test_every_form_refuses_a_post_without_its_csrf_token_and_changes_nothing(
    endpoint: str, deployed: Flask, client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    sender, fields = _prepared_sender(endpoint, deployed, client, make_person)
    usual = {name: field.valid[:1] for name, field in fields.items() if field.valid}

    sender.post_without_token_and_check(usual)
