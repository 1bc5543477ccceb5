"""When the database cannot be reached, people get a clear 503 and the log keeps no secrets."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from intrapreneur import create_app
from tests.conftest import environment_for

SECRET_TOKEN = "a-secret-invitation-token-kept-out-of-logs"


def test_an_unreachable_database_gives_a_clear_503_with_retry_after(
    closed_port: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{closed_port}/intrapreneur"
    app = create_app(environment_for(url, tmp_path))

    with caplog.at_level(logging.WARNING, logger="intrapreneur.core.errors"):
        response = app.test_client().get(f"/surveys/answer/{SECRET_TOKEN}")

    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Nothing you sent was saved; please try again in a minute." in body
    for leak in ("Traceback", "psycopg", "SELECT", "127.0.0.1"):
        assert leak not in body
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "database unavailable on GET /surveys/answer/<token>: OperationalError" in logged
    assert SECRET_TOKEN not in logged
    assert not [record for record in caplog.records if record.exc_info]
