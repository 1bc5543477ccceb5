"""A committed database of its own and an app on it, for tests where many requests race.

The suite's usual fixtures roll each test back inside one connection; racing requests need
their own connections and real commits, so these tests get a fresh database instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from intrapreneur.extensions import db
from tests.conftest import migrated_app


@pytest.fixture
def racing_app(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    with (
        migrated_app(empty_database, tmp_path_factory, "racing") as application,
        application.app_context(),
    ):
        yield application
        db.session.remove()
