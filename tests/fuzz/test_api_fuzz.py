"""Schemathesis fuzzes the JSON API from its own OpenAPI description, in-process, with a real
token and real survey figures behind it: no answer is a server error, and every answer matches
what the description promises (status, content type and body schema), for well-formed and for
malformed requests alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from intrapreneur.blueprints.api import OPENAPI
from intrapreneur.extensions import db
from intrapreneur.identity import api_tokens
from intrapreneur.identity.models import ApiScope, Department, Person, Role
from intrapreneur.learning.models import Cohort, Programme
from tests.culture import builders as b
from tests.fuzz.bounds import bounded

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [(path, method) for path, item in OPENAPI["paths"].items() for method in item]
EXAMPLES = 40


class FreshContextApp:
    """The WSGI app with each request in its own application context (hence its own database
    session), as in production and as tests.conftest.FreshContextClient does for test clients."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self.app.app_context():
            return self.app.wsgi_app(environ, start_response)


@pytest.fixture
def token(make_person: Callable[..., Person]) -> str:
    _, secret = api_tokens.create_api_client(
        name="Fuzzer",
        scope=ApiScope.CULTURE_READ,
        by=make_person(Role.ADMIN),
        now=datetime.now(UTC),
    )
    db.session.commit()
    return secret


@pytest.fixture
def wave_ids(app: Flask) -> list[int]:
    """Two closed waves, so the scores have a real body to check: shown figures, a hidden
    group (fewer than k respondents) and a cohort."""
    finance, legal = Department(name="Finance"), Department(name="Legal")
    cohort = Cohort(
        programme=Programme(name="Pilot"),
        name="Spring",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 1),
    )
    db.session.add_all([finance, legal, cohort])
    waves = [b.wave("January"), b.wave("June")]
    for number, wave in enumerate(waves, start=2):
        b.respond(wave, 6, finance, b.P, b.answers(number), cohort=cohort)
        b.respond(wave, 7, finance, b.C, b.answers(number + 1))
        b.respond(wave, 2, legal, b.C, b.answers(5))
    db.session.commit()
    return [wave.id for wave in waves]


@pytest.fixture
def api_schema(app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", FreshContextApp(app))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_api_answers_every_generated_request_as_its_description_says(
    path: str,
    method: str,
    mode: GenerationMode,
    api_schema: Any,
    token: str,
    wave_ids: list[int],
) -> None:
    operation = api_schema[path][method]
    cases = [operation.as_strategy(mode)]
    if mode is GenerationMode.POSITIVE and path == "/culture/scores":
        # A generated wave id almost never exists: the waves that do are drawn too.
        cases += [operation.as_strategy(mode, query={"wave": wave}) for wave in wave_ids]

    @bounded(EXAMPLES)
    @given(case=st.one_of(cases))
    def answers_as_described(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    answers_as_described()


def test_the_api_refuses_a_request_without_a_token_as_described(api_schema: Any) -> None:
    for path, method in OPERATIONS:
        case = api_schema[path][method].Case()
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 401
