"""The subject access tests' busy person (tests/privacy/busy_for_export.py), seeded per test."""

from __future__ import annotations

import pytest

from tests.privacy.busy_for_export import Busy, seed_busy_person


@pytest.fixture
def busy(app: object) -> Busy:
    return seed_busy_person()
