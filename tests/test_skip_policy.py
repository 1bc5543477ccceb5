"""A skip fails the run unless tests/skip_policy.py expects it in that run; README says which."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.skip_policy import EXPECTED_SKIPS, unexpected

README = Path(__file__).resolve().parents[1] / "README.md"
HEARTBEATS = "tests/reliability/test_job_heartbeats.py"


def _skipped(nodeid: str, reason: str, *, from_worker: bool = False) -> pytest.TestReport:
    location = (nodeid.split("::")[0], 74, nodeid.split("::")[-1])
    longrepr = (location[0], 75, f"Skipped: {reason}")
    return pytest.TestReport(
        nodeid,
        location,
        keywords={},
        outcome="skipped",
        longrepr=list(longrepr) if from_worker else longrepr,
        when="call",
    )


def test_a_skip_is_expected_only_in_the_run_it_is_listed_for() -> None:
    sqlite_only = _skipped(
        f"{HEARTBEATS}::test_on_postgresql_a_running_job_beats_until_it_ends",
        "PostgreSQL only: on SQLite no heartbeat is written (the next test)",
    )
    assert unexpected([sqlite_only], "sqlite") == []
    assert unexpected([sqlite_only], "postgresql") == [
        f"{sqlite_only.nodeid}: PostgreSQL only: on SQLite no heartbeat is written (the next test)"
    ]


def test_any_other_skip_is_unexpected_whichever_process_reported_it() -> None:
    missing = _skipped(
        "tests/core/test_health.py::test_readyz_pings_a_running_redis",
        "redis-server is not installed (`make install` installs it)",
        from_worker=True,
    )
    assert unexpected([missing], "sqlite") == [
        f"{missing.nodeid}: redis-server is not installed (`make install` installs it)"
    ]


def test_the_readme_lists_every_expected_skip() -> None:
    readme = README.read_text()
    for expected in EXPECTED_SKIPS:
        assert expected.reason in readme, expected.reason
