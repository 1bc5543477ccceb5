"""No silent skip: a run fails when a test skips for a reason not listed here for that run.

Every skip below is true of the run it happens in and covered by the other run (`.ci/run`
does both); README.md's Tests section lists the same. Anything else that skips — a missing
slapd, Samba, Chromium, Redis or PostgreSQL, which `make install` installs — fails the run, so a
green `make test` means that everything ran.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pytest

Run = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class ExpectedSkip:
    reason: str  # as the test gives it
    run: Run  # the only run in which it may skip


EXPECTED_SKIPS = (
    ExpectedSkip(
        "FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time", "sqlite"
    ),
    ExpectedSkip("PostgreSQL only: on SQLite no heartbeat is written (the next test)", "sqlite"),
    ExpectedSkip("SQLite only: PostgreSQL writes heartbeats (the test above)", "postgresql"),
)


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skipped test or module gave, without pytest's "Skipped: "."""
    longrepr = report.longrepr
    # (file, line, message) for a skip; a list once pytest-xdist has sent it from a worker.
    message = longrepr[2] if isinstance(longrepr, tuple | list) else str(longrepr)
    return message.removeprefix("Skipped: ")


def unexpected(skipped: Iterable[pytest.TestReport | pytest.CollectReport], run: Run) -> list[str]:
    """Each skip not expected in ``run``, as "node id: reason"."""
    allowed = {expected.reason for expected in EXPECTED_SKIPS if expected.run == run}
    return [
        f"{report.nodeid}: {skip_reason(report)}"
        for report in skipped
        if skip_reason(report) not in allowed
    ]


class SkipPolicy:
    """A pytest plugin for the process that reports the run (the xdist controller)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.skipped: list[pytest.TestReport | pytest.CollectReport] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # An expected failure is reported as skipped too; it is not a skip.
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:  # a whole module skipped, e.g. by pytest.importorskip
            self.skipped.append(report)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        found = unexpected(self.skipped, self.run)
        if found:
            terminalreporter.section("unexpected skips: the run fails", sep="=", red=True)
            for line in found:
                terminalreporter.line(line)
            terminalreporter.line(
                f"Expected in the {self.run} run are only the skips listed in tests/skip_policy.py."
            )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if session.exitstatus == pytest.ExitCode.OK and unexpected(self.skipped, self.run):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
